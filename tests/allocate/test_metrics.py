"""Equity metrics, each expected value computed by hand in the test."""

from __future__ import annotations

import pandas as pd
import pytest

from equitable.allocate._metrics import (
    concentration_curve,
    concentration_index,
    equity_metrics,
    need_quartiles,
    spending_gap,
)


@pytest.fixture
def four():
    # 4 schools x 100 students; % low income 90/70/50/30; $40/$30/$20/$10 per pupil
    return pd.DataFrame({
        "cds_code": ["a", "b", "c", "d"], "enrollment": [100] * 4,
        "pct_frpm": [90.0, 70.0, 50.0, 30.0], "amount_cents": [400000, 300000, 200000, 100000],
        "tier": ["1", "1", "2", "2"], "total_ppe": [10000, 11000, 12000, 13000],
    })


def test_concentration_index_by_hand(four):
    # ranks (highest need first): .125 .375 .625 .875; mean $25;
    # cov = (15 x -.375 + 5 x -.125 - 5 x .125 - 15 x .375) / 4 = -3.125; C = 2 x -3.125 / 25
    c = concentration_index([40, 30, 20, 10], [100] * 4, four["pct_frpm"])
    assert c == pytest.approx(-0.25)
    # the reverse allocation is as regressive as this one is progressive
    assert concentration_index([10, 20, 30, 40], [100] * 4, four["pct_frpm"]) == \
        pytest.approx(0.25)
    # equal per-pupil dollars: 0
    assert concentration_index([5, 5, 5, 5], [100] * 4, four["pct_frpm"]) == pytest.approx(0)


def test_concentration_index_weights_and_ties():
    # one school of 200 = two schools of 100 with the same values (grouped data)
    a = concentration_index([40, 10], [200, 200], [90, 30])
    b = concentration_index([40, 40, 10, 10], [100, 100, 100, 100], [90, 90, 30, 30])
    assert a == pytest.approx(b)
    # ranks .25/.75; mean 25; cov = (15 x -.25 - 15 x .25)/2 = -3.75; C = -0.3
    assert a == pytest.approx(-0.3)


def test_concentration_curve_points(four):
    c = concentration_curve(four["amount_cents"], four["enrollment"], four["pct_frpm"])
    assert c["cum_students_share"].tolist() == [0, 0.25, 0.5, 0.75, 1.0]
    assert c["cum_dollars_share"].tolist() == pytest.approx([0, 0.4, 0.7, 0.9, 1.0])


def test_quartiles_weighted_by_students():
    # 1 big low-need school holds half the students: it spans Q1-Q2, its midpoint is in Q1/Q2
    q = need_quartiles([10, 20, 30, 40], [400, 100, 100, 200])
    # cumulative midpoints: 200/800=.25 -> Q2 (index 1); 450/800=.5625 -> Q3; 550/800 -> Q3;
    # 700/800=.875 -> Q4
    assert q.tolist() == [1, 2, 2, 3]


def test_equity_metrics_by_hand(four):
    m = equity_metrics(four, need_column="pct_frpm", spending_column="total_ppe")
    assert m.total_dollars == 10_000
    t = m.by_tier.set_index("group")
    # tier 1: $7,000 of $10,000 to 200 of 400 students
    assert t.loc["1", "share_dollars"] == pytest.approx(0.7)
    assert t.loc["1", "share_students"] == pytest.approx(0.5)
    assert t.loc["1", "dollars_per_pupil"] == pytest.approx(35)
    assert t.loc["1", "dollars_to_students_ratio"] == pytest.approx(1.4)
    q = m.by_quartile.set_index("group")
    assert q.loc["Q4 highest need", "share_dollars"] == pytest.approx(0.4)
    assert q.loc["Q4 highest need", "share_students"] == pytest.approx(0.25)
    assert m.progressivity_ratio == pytest.approx(4.0)  # $40 / $10
    # slope: cov(x, y) = 250, var(x) = 500 -> $0.50 per pupil per point of % low income
    assert m.slope_per_point == pytest.approx(0.5)
    assert m.concentration_index == pytest.approx(-0.25)
    s = m.spending
    # Q4 spends $10,000 -> $10,040; Q1 $13,000 -> $13,010: gap -3,000 -> -2,970
    assert (s["gap_before"], s["gap_after"]) == (-3000, -2970)
    assert s["direction"] == "more progressive"
    assert s["size"] == "narrows"


def test_spending_gap_widening():
    s = spending_gap([100, 50, 0, 0], [12000, 11000, 10500, 10000], [50] * 4, [90, 70, 30, 10])
    # Q4 (need 90) 12,000 -> 12,100; Q1 10,000: gap 2,000 -> 2,100
    assert (s["gap_before"], s["gap_after"], s["size"]) == (2000, 2100, "widens")
    assert s["direction"] == "more progressive"
