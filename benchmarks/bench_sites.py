"""Benchmark: choose 50 clinic sites among 1,000 candidate schools for 600,000 students.

Target (issue 18, item 6): under 30 s, with the optimality gap reported.
Run: .venv/bin/python benchmarks/bench_sites.py [N_SCHOOLS] [K] [MAX_KM] [MIN_Q1_SHARE] [MODEL]
(MIN_Q1_SHARE "-" for none; MODEL covering or median)
Schools are spread over a Los Angeles-sized area (about 45 x 55 km) in clusters, with enrollment
summing to 600,000 (aggregated by school), need weights 1-2 and VEM quartiles. Reach: 3 road km
(straight line x 1.4). The timing covers the whole of ``choose_sites`` (the optimum and the two
naive comparisons, and the unconstrained optimum when a minimum share is given).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from equitable.health import choose_sites


def schools(n: int, total: int = 600_000, seed: int = 20261018) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    centres = rng.uniform([33.70, -118.65], [34.20, -118.15], size=(25, 2))
    which = rng.integers(0, len(centres), n)
    pts = centres[which] + rng.normal(0, 0.04, size=(n, 2))
    raw = rng.lognormal(6.2, 0.6, n)
    students = np.floor(raw / raw.sum() * total).astype(int)
    students[: total - students.sum()] += 1  # exactly `total`
    need = rng.uniform(0, 100, n)
    return pd.DataFrame({
        "school_id": [f"{19647330000000 + i:014d}" for i in range(n)],
        "students": students, "latitude": pts[:, 0], "longitude": pts[:, 1],
        "need_weight": 1 + need / 100,
        "vem_quartile": pd.array(4 - np.minimum(need // 25, 3).astype(int), dtype="Int64"),
    })


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    max_km = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
    share = float(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] != "-" else None
    model = sys.argv[5] if len(sys.argv) > 5 else "covering"
    s = schools(n)
    sites = pd.DataFrame({"site_id": s["school_id"], "latitude": s["latitude"],
                          "longitude": s["longitude"], "existing": False})
    t0 = time.perf_counter()
    r = choose_sites(s, sites, k, max_km=max_km, min_q1_share=share, time_limit_s=25,
                     candidates_are_schools=True, model=model)
    dt = time.perf_counter() - t0
    c = r.comparisons.set_index("choice")
    print(f"{n} schools, {int(s['students'].sum()):,} students, K = {k}, reach {max_km} road km, "
          f"model {model}"
          + (f", min VEM Q1 share {share:.0%}" if share else ""))
    print(f"  choose_sites: {dt:.2f} s (target < 30 s); status {r.status}; "
          f"optimality gap {r.gap:.4%} (bound {r.bound:,.1f}, objective {r.objective:,.1f})")
    for choice, row in c.iterrows():
        print(f"  {choice:<36} {row['students_served']:>10,.0f} students "
              f"({row['served_pct']:.2f}%), weighted {row['weighted_served']:,.1f}, "
              f"mean travel {row['weighted_mean_travel']:.2f} km")


if __name__ == "__main__":
    main()
