"""Acceptance on the real LAUSD 2024-25 school table (skips without ../shared/data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitable.allocate import allocate, equity_metrics, parse_rule

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def lausd(data_dir):
    df = pd.read_csv(data_dir / "lausd" / "schools_2024_25.csv", dtype={"cds": str})
    return df.rename(columns={"cds": "cds_code"})


def test_700_million_by_low_income_adds_up_to_the_cent(lausd):
    rule = parse_rule({"kind": "proportional", "budget": 700_000_000, "need_column": "pct_frpm",
                       "need_scale": "percent", "base_weight": 1, "need_weight": 0.2,
                       "bounds": {"floor": 100_000}})
    r = allocate(lausd, rule, source="lausd/schools_2024_25.csv")
    assert len(r.table) == 651
    assert int(r.table["amount_cents"].sum()) == 70_000_000_000
    assert (r.table["amount_cents"] >= 10_000_000).all()
    # unbound schools: amount / (enrollment x (1 + 0.2 x frpm)) is one constant (to a cent)
    free = r.table[r.table["bound"] == "none"].merge(lausd[["cds_code", "pct_frpm"]])
    per_w = free["amount_cents"] / (free["enrollment"] * (1 + 0.2 * free["pct_frpm"] / 100))
    assert per_w.max() - per_w.min() < 1 / free["enrollment"].min() * 2


def test_spending_gap_on_total_ppe(lausd):
    rule = parse_rule({"kind": "proportional", "budget": 700_000_000, "need_column": "pct_frpm",
                       "need_scale": "percent", "base_weight": 0, "need_weight": 1})
    r = allocate(lausd, rule)
    t = r.table.merge(lausd[["cds_code", "pct_frpm", "total_ppe"]])
    m = equity_metrics(t, tier_column=None, need_column="pct_frpm", spending_column="total_ppe")
    # independent computation: sort by % FRPM, put each school in the quartile of the midpoint
    # of its students, then enrollment-weighted mean total_ppe in the top and bottom quartiles
    s = t.sort_values("pct_frpm", kind="stable")
    cum = s["enrollment"].cumsum()
    mid = (cum - s["enrollment"] / 2) / s["enrollment"].sum()
    q = np.minimum((mid * 4).astype(int), 3)
    w = s["enrollment"]
    q1 = np.average(s["total_ppe"][q == 0], weights=w[q == 0])
    q4 = np.average(s["total_ppe"][q == 3], weights=w[q == 3])
    assert m.spending["gap_before"] == pytest.approx(round(q4 - q1, 2))
    new = s["amount_cents"] / 100 / s["enrollment"]
    q1a = np.average((s["total_ppe"] + new)[q == 0], weights=w[q == 0])
    q4a = np.average((s["total_ppe"] + new)[q == 3], weights=w[q == 3])
    assert m.spending["gap_after"] == pytest.approx(round(q4a - q1a, 2))
    # money follows % FRPM: the highest-need quartile's share exceeds its share of students
    assert m.concentration_index < 0
    assert m.progressivity_ratio > 1
