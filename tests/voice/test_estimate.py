"""Percent favorable, intervals, breakdowns and privacy, against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from equitable.errors import InputError
from equitable.voice import (
    SurveyData,
    estimate,
    korn_graubard_interval,
    read_export,
    representation,
    response_rates,
    wilson_interval,
)

from .test_readers import Q_NOT_ASKED, QUALTRICS


def _row(est, measure, weighted=False, breakdown="all", group="all"):
    r = est[(est["measure"] == measure) & (est["weighted"] == weighted)
            & (est["breakdown"] == breakdown) & (est["group"] == group)]
    assert len(r) == 1
    return r.iloc[0]


def test_wilson_by_hand():
    # Wilson (1927) for 8 of 10 at 95%: centre (p + z^2/2n)/(1 + z^2/n),
    # half-width z/(1 + z^2/n) sqrt(p(1-p)/n + z^2/4n^2); commonly quoted as (0.490, 0.943).
    z = 1.959963984540054
    p, n = 0.8, 10
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo, hi = wilson_interval(p, n)
    assert float(lo) == pytest.approx(c - h, abs=1e-12) and round(float(lo), 3) == 0.490
    assert float(hi) == pytest.approx(c + h, abs=1e-12) and round(float(hi), 3) == 0.943


def test_korn_graubard_is_clopper_pearson_at_the_effective_n():
    # 0 of 10: upper = 1 - 0.025^(1/10); 10 of 10: lower = 0.025^(1/10)
    lo, hi = korn_graubard_interval(0.0, 10)
    assert float(lo) == 0.0 and float(hi) == pytest.approx(1 - 0.025 ** 0.1, abs=1e-10)
    lo, hi = korn_graubard_interval(1.0, 10)
    assert float(lo) == pytest.approx(0.025 ** 0.1, abs=1e-10) and float(hi) == 1.0
    # 8 of 10: the exact (Clopper-Pearson) interval 0.4439-0.9748
    lo, hi = korn_graubard_interval(0.8, 10)
    assert round(float(lo), 4) == 0.4439 and round(float(hi), 4) == 0.9748


def test_percent_favorable_by_hand(inst, write):
    data = read_export(write("q.csv", QUALTRICS), inst, not_asked=Q_NOT_ASKED)
    est = estimate(data, inst, threshold=0, complementary=False, weights=np.array([1, 1, 4.0]))
    # q1: R_a Agree (fav), R_b Muy en desacuerdo (not), R_c 4 (fav) -> 2 of 3
    r = _row(est, "q1")
    assert r["respondents"] == 3 and r["pct_favorable"] == pytest.approx(66.6667, abs=1e-4)
    # weighted 1, 1, 4: (1 + 0 + 4) / 6 = 83.333%; Kish n_eff = 6^2 / (1 + 1 + 16) = 2
    r = _row(est, "q1", weighted=True)
    assert r["pct_favorable"] == pytest.approx(83.3333, abs=1e-4)
    assert r["effective_n"] == pytest.approx(2.0)
    lo, _ = korn_graubard_interval(5 / 6, 2.0)
    assert r["kg_low_pct"] == pytest.approx(100 * float(lo), abs=1e-4)
    # q3 answered by R_a (Disagree) and R_c (2): 0 of 2
    assert _row(est, "q3")["pct_favorable"] == 0.0
    assert _row(est, "q3")["respondents"] == 2
    # belonging (q1, q2): R_a 2/2, R_b 1/2, R_c 2/2 -> (1 + 0.5 + 1) / 3 = 83.333%
    assert _row(est, "belonging")["pct_favorable"] == pytest.approx(83.3333, abs=1e-4)
    # weighted: (1 + 0.5 + 4) / 6 = 91.667%
    assert _row(est, "belonging", True)["pct_favorable"] == pytest.approx(91.6667, abs=1e-4)
    # communication (q3, q4): R_a 1/2, R_b 0/1, R_c 1/2 -> 1/3; weighted (0.5+0+2)/6
    assert _row(est, "communication")["pct_favorable"] == pytest.approx(33.3333, abs=1e-4)
    assert _row(est, "communication", True)["pct_favorable"] == pytest.approx(41.6667, abs=1e-4)


def test_breakdown_by_language(inst, write):
    data = read_export(write("q.csv", QUALTRICS), inst, not_asked=Q_NOT_ASKED)
    est = estimate(data, inst, by=["language"], threshold=0, complementary=False)
    # English: R_a, R_c both favorable on q1; Spanish: R_b not
    assert _row(est, "q1", breakdown="language", group="en")["pct_favorable"] == 100.0
    assert _row(est, "q1", breakdown="language", group="es")["pct_favorable"] == 0.0
    with pytest.raises(InputError, match="cannot break results down by 'ward'"):
        estimate(data, inst, by=["ward"])


def _groups_data(sizes: dict[str, int]) -> SurveyData:
    rows, people, k = [], [], 0
    for g, n in sizes.items():
        for i in range(n):
            k += 1
            rid = f"r{k}"
            people.append({"respondent_id": rid, "language": "en", "platform": "test",
                           "source_row": k + 1, "school": g})
            rows.append((rid, "q1", "4" if i % 2 == 0 else "1"))
    return SurveyData(pd.DataFrame(rows, columns=["respondent_id", "item", "response"]),
                      pd.DataFrame(people), "family-climate-example")


def test_small_groups_suppressed_with_complementary_suppression(inst):
    data = _groups_data({"A": 40, "B": 10, "C": 30})
    est = estimate(data, inst, by=["school"])
    q1 = est[(est["measure"] == "q1") & (est["breakdown"] == "school")]
    b = q1[q1["group"] == "B"].iloc[0]
    assert b["respondents"] == "*" and b["pct_favorable"] == "*" and b["kg_low_pct"] == "*"
    # B's 10 could be recovered as 80 - 40 - 30: one more school is hidden with it
    assert (q1["respondents"] == "*").sum() == 2
    assert _row(est, "q1")["respondents"] == 80  # the overall figure stays
    primary = estimate(data, inst, by=["school"], complementary=False)
    q1p = primary[(primary["measure"] == "q1") & (primary["breakdown"] == "school")]
    assert (q1p["respondents"] == "*").sum() == 1
    ok = estimate(_groups_data({"A": 11, "B": 12}), inst, by=["school"])
    a = ok[(ok["measure"] == "q1") & (ok["group"] == "A")].iloc[0]
    assert a["respondents"] == 11  # 11 respondents: shown
    assert a["pct_favorable"] == pytest.approx(100 * 6 / 11, abs=1e-4)


def test_response_rates_by_hand(inst):
    resp = pd.DataFrame({"school": ["s1"] * 20 + ["s2"] * 30 + ["s3"] * 5})
    enr = pd.DataFrame({"variable": "school", "category": ["s1", "s2", "s3"],
                        "population": [100.0, 60.0, 50.0]})
    rr = response_rates(resp, enr).set_index("group")
    assert rr.loc["all", "respondents"] == 55
    assert rr.loc["all", "response_rate_pct"] == pytest.approx(100 * 55 / 210, abs=1e-4)
    assert rr.loc["s2", "response_rate_pct"] == pytest.approx(50.0)
    assert rr.loc["s3", "respondents"] == "*"
    # s3 = 55 - 20 - 30 would be recovered: another school is suppressed too
    assert (rr["respondents"] == "*").sum() == 2
    with pytest.raises(InputError, match=r"5 respondents name a school that is not in the "
                                         r"enrollment table \(first: 's4'\)"):
        response_rates(pd.DataFrame({"school": ["s4"] * 5}), enr)


def test_representation_shares(inst):
    resp = pd.DataFrame({"grade_span": ["elementary"] * 30 + ["high"] * 20})
    m = pd.DataFrame({"variable": "grade_span", "category": ["elementary", "high"],
                      "population": [600.0, 400.0]})
    w = np.array([10.0] * 30 + [35.0] * 20)
    rep = representation(resp, m, ["grade_span"], weights=w).set_index("category")
    assert rep.loc["elementary", "population_pct"] == 60.0
    assert rep.loc["elementary", "respondents_pct"] == 60.0
    # weighted: 300 / (300 + 700) = 30%
    assert rep.loc["elementary", "weighted_pct"] == pytest.approx(30.0)
    assert rep.loc["all", "respondents"] == 50
