"""Benchmark: Monte Carlo sensitivity analysis, 10,000 draws over 10,000 units.

Target (issue 10): under 30 s and under 2 GB peak memory on a 2-core machine. The index is the
svi-2022 spec (16 indicators in 4 themes, 4-decimal percentiles and sums, all 19 member weights
of the themes and the overall drawn from a Dirichlet around the declared weights) on synthetic
ACS-like units. Prints the time of `sensitivity(..., draws=10000)`, the peak resident memory of
this process and the ratio against a straightforward loop over draws that rebuilds the index with
`compute_index` for each draw (timed on --loop-draws draws and scaled to all draws), after
checking that both give the same ranks for the same weights.

    .venv/bin/python benchmarks/bench_sensitivity.py [--units N] [--draws D] [--loop-draws L] [--sobol]
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import pandas as pd

from equitable.index import compute_index, load_spec, parse_spec
from equitable.index._methods import need_rank
from equitable.index._sensitivity import draw_ranks, sensitivity


def synthetic(n: int, seed: int = 20260101) -> pd.DataFrame:
    """ACS-like percent estimates with one decimal (as SVI's EP_ columns), some -999."""
    spec = load_spec("svi-2022")
    rng = np.random.default_rng(seed)
    data = {"FIPS": np.char.zfill(np.arange(n).astype(str), 11)}
    for ind in spec.indicators:
        v = np.round(rng.gamma(2.0, 6.0, n), 1)
        v[rng.random(n) < 0.001] = -999
        data[ind.column] = v
    return pd.DataFrame(data)


def loop_ranks(spec, df: pd.DataFrame, weights: list[dict[str, np.ndarray]]) -> np.ndarray:
    """The straightforward way: for each draw, write the weights into the spec and rebuild."""
    base = spec.to_dict()
    out = []
    for w in weights:
        d = {**base, "indicator": [dict(i) for i in base["indicator"]], "theme": [dict(t) for t in base.get("theme", [])],
             "overall": dict(base["overall"])}
        for node in spec.build_order():
            members = spec.members_of(node)
            nd = d["overall"] if node.code == spec.overall.code else next(t for t in d["theme"] if t["code"] == node.code)
            nd.pop("weights_sum", None)
            nd["weights"] = {m: float(x) for m, x in zip(members, w[node.code])}
        res = compute_index(parse_spec(d), df)
        out.append(need_rank(res.aggregated[spec.score_column_of(spec.overall)].to_numpy(dtype=float)))
    return np.array(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--loop-draws", type=int, default=50)
    ap.add_argument("--sobol", action="store_true", help="also time the Sobol indices (sobol_n=256)")
    a = ap.parse_args()
    spec = load_spec("svi-2022")
    df = synthetic(a.units)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    load0 = os.getloadavg()[0]
    c0 = time.process_time()
    t0 = time.perf_counter()
    res = sensitivity(spec, df, draws=a.draws, sobol=False, seed=1)
    t_fast = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"sensitivity: {a.draws:,} draws x {a.units:,} units in {t_fast:.2f} s "
          f"({a.draws * a.units / t_fast / 1e6:.1f} M unit-draws/s)")
    print(f"CPU time: {cpu:.1f} s on {os.cpu_count()} cores; load average before / after: "
          f"{load0:.1f} / {os.getloadavg()[0]:.1f} (other processes share the cores)")
    print(f"peak RSS: {peak:,.0f} MB (before the run: {rss0:,.0f} MB)")
    print(f"median 90% rank interval: {res.summary['median_rank_interval']:.1f} ranks; "
          f"mean |rank shift|: {res.summary['mean_abs_rank_shift']:.1f}")

    # the loop baseline, on the same weight draws; checked equal to the vectorised ranks
    W, ranks_fast = draw_ranks(spec, df, a.loop_draws, seed=1)
    t0 = time.perf_counter()
    ranks_loop = loop_ranks(spec, df, W)
    t_loop = time.perf_counter() - t0
    same = np.array_equal(np.nan_to_num(ranks_loop, nan=0).astype(int), ranks_fast.astype(int))
    per_draw = t_loop / a.loop_draws
    print(f"loop over draws (compute_index per draw): {per_draw * 1000:.1f} ms per draw, "
          f"{per_draw * a.draws:.0f} s for {a.draws:,} draws (timed on {a.loop_draws}); same ranks: {same}")
    print(f"ratio loop / vectorised: {per_draw * a.draws / t_fast:.0f}x")
    if a.sobol:
        t0 = time.perf_counter()
        res = sensitivity(spec, df, draws=100, sobol=True, sobol_n=256, seed=1)
        print(f"Sobol indices (256 x {len(res.factors) + 2} Saltelli runs + 100 draws): "
              f"{time.perf_counter() - t0:.2f} s")
    assert same, "the loop and the vectorised ranks differ"


if __name__ == "__main__":
    main()
