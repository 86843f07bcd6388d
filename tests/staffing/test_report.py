"""Vacancies, fill rates and support ratios: a worked example computed by hand."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from equitable.privacy import load_config
from equitable.staffing import staffing_report
from equitable.staffing._io import public_report

AS_OF = dt.date(2024, 10, 1)


def _schools():
    return pd.DataFrame({
        "cds_code": ["S1", "S2", "S3"], "school_name": ["One", "Two", "Three"],
        "level": ["high", "high", "elementary"], "enrollment": [500.0, 1000.0, 8.0],
        "pct_frpm": [90.0, 20.0, 50.0], "pct_minority": float("nan"),
        "tier": ["1 High", "2 Low", "2 Low"], "need_score": float("nan")})


def _p(pid, school, job, fte, status, opened=None, filled=None, cred=None, years=None):
    return {"position_id": pid, "cds_code": school, "job_class": job, "fte": fte,
            "status": status, "date_opened": pd.Timestamp(opened) if opened else pd.NaT,
            "date_filled": pd.Timestamp(filled) if filled else pd.NaT,
            "credential": cred, "in_field": "yes" if cred else None,
            "years_experience": years if years is not None else float("nan")}


def _positions():
    return pd.DataFrame([
        _p("t1", "S1", "teacher", 1.0, "vacant", "2024-09-01"),            # 30 days open
        _p("t2", "S1", "teacher", 1.0, "vacant", "2024-06-02"),            # 121 days: long
        _p("t3", "S1", "teacher", 1.0, "filled", "2024-07-10", "2024-08-01", "clear", 4),
        _p("t4", "S1", "teacher", 1.0, "filled", cred="permit", years=1),
        _p("c1", "S1", "counselor", 1.0, "filled"),
        _p("c2", "S1", "counselor", 0.5, "vacant", "2024-08-02"),          # 60 days: not long
        _p("n1", "S1", "nurse", 0.5, "filled"),
        _p("t5", "S2", "teacher", 1.0, "filled", cred="clear", years=9),
        *[_p(f"k{i}", "S2", "counselor", 1.0, "filled") for i in range(4)],
        _p("y1", "S2", "psychologist", 1.0, "filled"),
    ])


def test_school_measures_by_hand():
    rep = staffing_report(_positions(), _schools(), as_of=AS_OF)
    assert rep.year_start == dt.date(2024, 7, 1)
    s1 = rep.schools.set_index("cds_code").loc["S1"]
    assert (s1["positions"], s1["position_fte"], s1["vacancies"], s1["vacant_fte"]) == (
        7, 6.0, 3, 2.5)
    assert s1["vacancy_rate_pct"] == 41.67            # 2.5 / 6.0
    assert s1["teacher_vacancy_rate_pct"] == 50.0     # 2 of 4 teacher FTE
    assert s1["median_days_open"] == 60.0             # median of 30, 121, 60
    assert s1["long_open_pct"] == 33.33               # 1 of 3 open more than 60 days
    # opened since 1 July: t1, t3, c2; filled by the as-of date: t3
    assert (s1["opened_in_year"], s1["filled_in_year"], s1["fill_rate_pct"]) == (3, 1, 33.33)
    assert s1["students_per_counselor"] == 500.0      # 500 / 1.0 FTE (c2 is vacant)
    assert s1["counselor_fte_to_target"] == 1.0       # 500 / 250 - 1.0
    assert s1["students_per_nurse"] == 1000.0
    assert s1["nurse_fte_to_target"] == 0.1667        # 500 / 750 - 0.5
    assert math.isnan(s1["students_per_psychologist"])
    assert s1["psychologist_fte_to_target"] == 1.0    # 500 / 500
    s2 = rep.schools.set_index("cds_code").loc["S2"]
    assert s2["students_per_counselor"] == 250.0 and s2["counselor_fte_to_target"] == 0
    assert s2["vacancies"] == 0 and math.isnan(s2["median_days_open"])
    s3 = rep.schools.set_index("cds_code").loc["S3"]
    assert (s3["positions"], s3["vacancies"]) == (0, 0)


def test_tier_measures_by_hand():
    rep = staffing_report(_positions(), _schools(), as_of=AS_OF)
    t = rep.tiers.set_index("tier")
    assert list(t.index) == ["1 High", "2 Low", "All"]
    low = t.loc["2 Low"]
    # S2 + S3: 1,008 students, 4.0 counselor FTE -> 252.0 students per counselor;
    # S2 is at 250:1, S3 (8 students, no counselor) is not
    assert (low["enrollment"], low["counselor_fte"], low["students_per_counselor"]) == (
        1008.0, 4.0, 252.0)
    assert low["schools_meeting_counselor"] == 1
    assert low["counselor_fte_to_target"] == 0.032   # S3: 8 / 250; S2's surplus does not count
    every = t.loc["All"]
    assert (every["vacancies"], every["median_days_open"]) == (3, 60.0)
    assert every["students_per_counselor"] == round(1508 / 5.0, 1)


def test_default_as_of_is_the_latest_date_and_said():
    rep = staffing_report(_positions(), _schools())
    assert rep.as_of == dt.date(2024, 9, 1)
    assert rep.notes[0] == ("vacancies counted as of 2024-09-01 (the latest date in the "
                            "positions file)")


def test_published_tables_suppress_small_groups():
    pos = _positions()
    rep = staffing_report(pos, _schools(), as_of=AS_OF)
    sch, _, n = public_report(rep, pos, load_config())
    s = sch.set_index("cds_code")
    # S1 has 2 filled teachers (<= 10): its teacher rates are '*'
    assert s.loc["S1", "teachers"] == "*" and s.loc["S1", "ineffective_pct"] == "*"
    # S3 has 8 students (<= 10): its ratios are '*'
    assert s.loc["S3", "students_per_counselor"] == "*"
    assert s.loc["S2", "students_per_counselor"] == 250.0
    assert n == 3 + 1  # three schools with 10 or fewer teachers, one with 10 or fewer students
