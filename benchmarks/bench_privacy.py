"""Benchmark: complementary suppression and audit of a 500 x 20 table with row and column totals.

Target (issue 5): suppression + audit in under 30 s on the project's 2-core machine.
Usage: .venv/bin/python benchmarks/bench_privacy.py [--rows 500] [--cols 20] [--small 0.1]
       [--seeds 3]
The table is synthetic: counts 11-199, with a share ``--small`` of cells drawn from 0-10.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from equitable.privacy import audit_tables, protect_crosstab


def make_table(rows: int, cols: int, small: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.integers(11, 200, size=(rows, cols))
    mask = rng.random((rows, cols)) < small
    x[mask] = rng.integers(0, 11, size=int(mask.sum()))
    t = pd.DataFrame(x, index=[f"school {i:03d}" for i in range(rows)],
                     columns=[f"group {j:02d}" for j in range(cols)])
    t.index.name, t.columns.name = "school", "group"
    t["Total"] = t.sum(axis=1)
    t.loc["Total"] = t.sum(axis=0)
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=500)
    ap.add_argument("--cols", type=int, default=20)
    ap.add_argument("--small", type=float, default=0.1)
    ap.add_argument("--seeds", type=int, default=3)
    a = ap.parse_args()
    print(f"table: {a.rows} x {a.cols} + totals, small-cell share {a.small:.0%}")
    print("seed  primary  complementary  rounds  suppress_s  audit_s  total_s  audit_ok")
    worst = 0.0
    for seed in range(a.seeds):
        t = make_table(a.rows, a.cols, a.small, seed)
        t0 = time.perf_counter()
        p = protect_crosstab(t)
        t1 = time.perf_counter()
        report = audit_tables(p.table)
        t2 = time.perf_counter()
        prim = int(p.primary.to_numpy().sum())
        comp = int(p.suppressed.to_numpy().sum()) - prim
        worst = max(worst, t2 - t0)
        print(f"{seed:>4}  {prim:>7}  {comp:>13}  {p.rounds:>6}  {t1 - t0:>10.2f}  "
              f"{t2 - t1:>7.2f}  {t2 - t0:>7.2f}  {report.ok}")
    print(f"worst suppression + audit: {worst:.2f} s (target < 30 s)")


if __name__ == "__main__":
    main()
