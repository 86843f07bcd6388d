"""Benchmark of equitable.voice: 100,000 respondents x 60 items.

Times raking (race/ethnicity x grade span x school, 3 variables) and every group table
(percent favorable per item and construct, unweighted and weighted, overall and by school,
student group, language, race/ethnicity and grade span, with Wilson and Korn-Graubard intervals
and primary + complementary suppression), plus representation and response rates.
Target (issue 9): raking and every group table in under 30 s.

    .venv/bin/python benchmarks/bench_voice.py [--respondents 100000] [--items 60]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from equitable.voice import (
    Instrument,
    estimate,
    published_tables,
    rake,
    representation,
    response_rates,
)
from equitable.voice._estimate import favorable_matrix
from equitable.voice._synth import synth_survey


def build_instrument(n_items: int, n_constructs: int = 10) -> Instrument:
    return Instrument.model_validate({
        "instrument": {"id": "bench", "title": {"en": "Benchmark"}},
        "scales": {
            "agree4": {"options": ["1", "2", "3", "4"], "favorable": ["3", "4"]},
            "race_ethnicity": {"options": ["hispanic", "black", "white", "asian", "other"]},
            "grade_span": {"options": ["elementary", "middle", "high"]},
            "student_group": {"options": ["english_learner", "disability", "foster_homeless",
                                          "none"]},
        },
        "constructs": {f"c{k}": {"label": {"en": f"Construct {k}"}} for k in range(n_constructs)},
        "attributes": [{"id": "school"}, {"id": "race_ethnicity", "scale": "race_ethnicity"},
                       {"id": "grade_span", "scale": "grade_span"},
                       {"id": "student_group", "scale": "student_group"}],
        "items": [{"id": f"q{i + 1}", "scale": "agree4", "construct": f"c{i % n_constructs}"}
                  for i in range(n_items)],
    })


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--respondents", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=60)
    ap.add_argument("--schools", type=int, default=60)
    a = ap.parse_args()
    inst = build_instrument(a.items)
    schools = tuple(f"1964733{k:07d}" for k in range(a.schools))
    t0 = time.perf_counter()
    data = synth_survey(inst, a.respondents, seed=1, schools=schools)
    t_gen = time.perf_counter() - t0
    r = data.respondents
    pop = 500_000
    margins = []
    for v in ("race_ethnicity", "grade_span", "school"):
        cats = sorted(r[v].unique())
        share = np.linspace(2.0, 1.0, len(cats))[::-1]
        counts = np.round(pop * share / share.sum())
        counts[-1] = pop - counts[:-1].sum()
        margins.append(pd.DataFrame({"variable": v, "category": cats, "population": counts}))
    margins = pd.concat(margins, ignore_index=True)

    t = time.perf_counter()
    res = rake(r, margins, ["race_ethnicity", "grade_span", "school"], trim=(0.0, 5.0))
    t_rake = time.perf_counter() - t
    t = time.perf_counter()
    mat = favorable_matrix(data, inst)
    t_matrix = time.perf_counter() - t
    t = time.perf_counter()
    est = estimate(data, inst, by=["school", "student_group", "language", "race_ethnicity",
                                   "grade_span"], weights=res.weights, matrix=mat)
    t_est = time.perf_counter() - t
    t = time.perf_counter()
    rep = representation(r, margins, ["race_ethnicity", "grade_span"], weights=res.weights)
    rr = response_rates(r, margins, by="school")
    t_other = time.perf_counter() - t
    # the same tables protected together, as `survey report` publishes them (issue 15)
    t = time.perf_counter()
    linked = published_tables(data, inst, by=["school", "student_group", "language",
                                              "race_ethnicity", "grade_span"],
                              weights=res.weights, matrix=mat, enrollment=margins,
                              margins=margins, represent=["race_ethnicity", "grade_span"])
    t_linked = time.perf_counter() - t
    total = t_rake + t_matrix + t_est + t_other
    print(f"respondents            {a.respondents:>10,}")
    print(f"items                  {a.items:>10}")
    print(f"response rows          {len(data.responses):>10,}")
    print(f"synthetic data         {t_gen:>10.2f} s (not counted)")
    print(f"raking (3 variables)   {t_rake:>10.2f} s  iterations {res.iterations}, "
          f"converged {res.converged}, deff {res.deff:.3f}, trimmed {res.trimmed}")
    print(f"favorable matrix       {t_matrix:>10.2f} s")
    print(f"group tables           {t_est:>10.2f} s  ({len(est):,} rows, "
          f"{int((est['respondents'] == '*').sum()):,} suppressed)")
    print(f"representation + rates {t_other:>10.2f} s  ({len(rep)} + {len(rr)} rows)")
    print(f"linked set (all three) {t_linked:>10.2f} s  "
          f"({int((linked['estimates']['respondents'] == '*').sum()):,} estimate rows "
          "suppressed)")
    print(f"TOTAL                  {total:>10.2f} s  (target < 30 s: "
          f"{'met' if total < 30 else 'NOT met'})")


if __name__ == "__main__":
    main()
