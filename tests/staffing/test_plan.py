"""Recruitment and supports plans: worked examples and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitable.errors import InputError, SpecError
from equitable.staffing import plan_incentives, plan_positions


def _schools():
    # A: 500 students, 1.0 counselor -> 1.0 FTE short of 250:1 (2 half-FTE units)
    # B: 300 students, none          -> 1.2 short -> 3 half-FTE units (1.5 FTE)
    # C: 1,000 students, 1.0         -> 3.0 short -> 6 units
    # D: 250 students, 1.0           -> at 250:1
    return pd.DataFrame({
        "cds_code": ["A", "B", "C", "D"], "school_name": None,
        "tier": ["1 Highest", "1 Highest", "2 High", "2 High"],
        "enrollment": [500.0, 300.0, 1000.0, 250.0],
        "counselor_fte": [1.0, 0.0, 1.0, 1.0],
        "teacher_vacancies": [2, 0, 4, 1], "vacancies": [3, 1, 4, 1]})


def test_highest_tier_first_then_the_next():
    p = plan_positions(_schools(), "counselor", 4.0)
    # tier 1 takes its 2.5 FTE (A 1.0, B 1.5), tier 2 the remaining 1.5 (C; D is at the ratio)
    assert p.schools["fte_added"].tolist() == [1.0, 1.5, 1.5, 0.0]
    assert p.placed_fte == 4.0
    t = p.tiers.set_index("tier")
    assert (t.loc["1 Highest", "students_per_before"], t.loc["1 Highest", "students_per_after"]
            ) == (800.0, 228.6)  # 800 / 1.0, 800 / 3.5
    assert (t.loc["1 Highest", "schools_meeting_before"],
            t.loc["1 Highest", "schools_meeting_after"]) == (0, 2)
    assert t.loc["All", "schools_meeting_after"] == 3  # A, B, D


def test_partial_tier_shared_by_largest_remainder():
    # 1.5 FTE = 3 units for tier 1's needs A 2, B 3: quotas 1.2, 1.8 -> 1 each, the last unit
    # to the larger remainder (B)
    p = plan_positions(_schools(), "counselor", 1.5)
    assert p.schools["fte_added"].tolist() == [0.5, 1.0, 0.0, 0.0]
    assert p.notes == ["tier 1 Highest: 1.5 FTE shared in proportion to what each school is "
                       "short (2.5 FTE needed)"]


def test_leftover_is_not_placed_and_said():
    p = plan_positions(_schools(), "counselor", 10.0)
    assert p.placed_fte == 5.5  # 2 + 3 + 6 half-FTE units
    assert p.notes == ["every school is at 250:1 after 5.5 FTE; 4.5 FTE not placed"]


def test_whole_positions_and_bad_parameters():
    p = plan_positions(_schools(), "counselor", 3, unit=1)
    # whole FTE: A needs 1, B needs ceil(1.2) = 2 -> tier 1 takes all 3
    assert p.schools["fte_added"].tolist() == [1.0, 2.0, 0.0, 0.0]
    with pytest.raises(SpecError, match=r"must be a positive whole number of 1 FTE\. Got 2\.5"):
        plan_positions(_schools(), "counselor", 2.5, unit=1)
    with pytest.raises(SpecError, match=r"'job_class' parameter .* Got 'teacher' instead"):
        plan_positions(_schools(), "teacher", 1)
    with pytest.raises(SpecError, match=r"tier order leaves out '2 High'"):
        plan_positions(_schools(), "counselor", 1, tier_order=["1 Highest"])


def test_incentives_by_need_times_vacancies():
    # two tiers: weights 2 (1 Highest) and 1 (2 High); A 2x2 = 4, B 0, C 4x1 = 4, D 1x1 = 1
    p = plan_incentives(_schools(), 900)
    assert p.schools["amount_cents"].tolist() == [40000, 0, 40000, 10000]
    p = plan_incentives(_schools(), "1,000")
    cents = p.schools["amount_cents"].tolist()
    assert sum(cents) == 100000
    assert sorted(cents[:1] + cents[2:3]) == [44444, 44445] and cents[3] == 11111
    p = plan_incentives(_schools(), 900, vacancies="vacancies")
    # A 2x3 = 6, B 2x1 = 2, C 4, D 1 -> 13 shares of $900
    assert sum(p.schools["amount_cents"]) == 90000
    assert p.schools["amount_cents"].tolist()[1] == round(90000 * 2 / 13)
    with pytest.raises(InputError, match="no school with a tier has a vacancy"):
        plan_incentives(_schools().assign(teacher_vacancies=0), 900)


@st.composite
def _district(draw):
    n = draw(st.integers(1, 25))
    k = draw(st.integers(1, 4))
    tiers = [f"{draw(st.integers(1, k))} tier" for _ in range(n)]
    enr = [float(draw(st.integers(0, 3000))) for _ in range(n)]
    have = [draw(st.integers(0, 10)) * 0.5 for _ in range(n)]
    vac = [draw(st.integers(0, 6)) for _ in range(n)]
    return pd.DataFrame({"cds_code": [f"{i:03d}" for i in range(n)], "school_name": None,
                         "tier": tiers, "enrollment": enr, "counselor_fte": have,
                         "teacher_vacancies": vac, "vacancies": vac})


@settings(max_examples=150, deadline=None)
@given(df=_district(), units=st.integers(1, 60), unit=st.sampled_from([0.5, 1.0]),
       target=st.sampled_from([250.0, 400.0]))
def test_plan_properties(df, units, unit, target):
    fte = units * unit
    p = plan_positions(df, "counselor", fte, unit=unit, target=target)
    s = p.schools
    added = s["fte_added"].to_numpy()
    need = np.ceil(np.maximum(df["enrollment"] / target - df["counselor_fte"], 0) / unit
                   - 1e-9) * unit
    # never more than asked, never more than a school needs, and all of it when needed
    assert added.sum() <= fte + 1e-9
    assert (added <= need + 1e-9).all() and (added >= 0).all()
    assert math.isclose(added.sum(), min(fte, need.sum()))
    # a school already at the ratio gets nothing
    assert (added[need == 0] == 0).all()
    # no school of a tier gets anything while a school of a higher-need tier is short
    order = sorted(set(df["tier"]))
    for i in np.flatnonzero(added > 0):
        higher = df["tier"].map(order.index) < order.index(df["tier"].iloc[i])
        assert s.loc[higher.to_numpy(), "meets_after"].all()


@settings(max_examples=100, deadline=None)
@given(df=_district(), dollars=st.integers(1, 10_000_000))
def test_incentive_properties(df, dollars):
    if not (df["teacher_vacancies"] > 0).any():
        return
    p = plan_incentives(df, dollars)
    c = p.schools["amount_cents"].to_numpy()
    assert c.sum() == dollars * 100 and (c >= 0).all()
    assert (c[df["teacher_vacancies"].to_numpy() == 0] == 0).all()
