"""Educator equity gaps: a worked example computed by hand (SBE 2019 definitions)."""

from __future__ import annotations

import pandas as pd
import pytest

from equitable.errors import InputError
from equitable.privacy import load_config
from equitable.staffing import classify_teachers, educator_equity_gaps, school_quartiles
from equitable.staffing._io import equity_table, public_gaps


def _schools():
    # 8 elementary schools, % FRPM 10 ... 80: E1, E2 are the lowest-poverty quartile, E7, E8
    # the highest; % minority runs the other way.
    return pd.DataFrame({
        "cds_code": [f"E{i}" for i in range(1, 9)],
        "school_name": None,
        "level": ["elementary"] * 8,
        "enrollment": [400.0] * 8,
        "pct_frpm": [10.0, 20, 30, 40, 50, 60, 70, 80],
        "pct_minority": [80.0, 70, 60, 50, 40, 30, 20, 10],
        "tier": ["2 Low"] * 4 + ["1 High"] * 4,
        "need_score": float("nan"),
    })


def _t(pid, school, cred, inf, years, fte=1.0, status="filled", job="teacher"):
    return {"position_id": pid, "cds_code": school, "job_class": job, "status": status,
            "fte": fte, "credential": cred, "in_field": inf, "years_experience": years}


def _positions():
    rows = [_t(f"a{i}", "E1", "clear", "yes", 10) for i in range(5)]
    rows += [_t("b1", "E2", "permit", "yes", 5),       # ineffective (emergency permit)
             _t("b2", "E2", "clear", "no", 8),          # out-of-field
             _t("b3", "E2", "clear", "yes", 2),         # inexperienced (2 years or fewer)
             _t("b4", "E2", "clear", "yes", 3), _t("b5", "E2", "clear", "yes", 12)]
    rows += [_t(f"c{i}", f"E{i}", "clear", "yes", 9) for i in (3, 4, 5, 6)]
    rows += [_t("d1", "E7", "permit", "yes", 6), _t("d2", "E7", "waiver", "yes", 6),
             _t("d3", "E7", "none", "yes", 6), _t("d4", "E7", "clear", "misassigned", 6)]
    rows += [_t("e1", "E8", "intern", "yes", 1),                 # effective, inexperienced
             _t("e2", "E8", "clear", "no", 7, fte=0.5),          # out-of-field, half time
             _t("e3", "E8", "intern", "no", 1),                  # out-of-field, inexperienced
             _t("e4", "E8", "clear", "yes", 20)]
    rows += [_t("v1", "E7", None, None, float("nan"), status="vacant"),  # not counted
             _t("k1", "E1", None, None, float("nan"), job="counselor")]  # not a teacher
    return pd.DataFrame(rows)


def test_classification_follows_sbe_2019():
    t = classify_teachers(_positions()).set_index("position_id")
    assert t.loc[["d1", "d2", "d3", "d4", "b1"], "ineffective"].all()
    assert not t.loc[["e1", "e3", "b2", "a0"], "ineffective"].any()  # interns are effective
    assert t.loc[["b2", "e2", "e3"], "out_of_field"].all()
    assert t.loc[["b3", "e1", "e3"], "inexperienced"].all()
    assert not t.loc[["b4"], "inexperienced"].any()  # 3 years is experienced
    assert "v1" not in t.index and "k1" not in t.index


def test_quartiles_of_eight_schools():
    q = school_quartiles(pd.Series([10.0, 20, 30, 40, 50, 60, 70, 80]))
    assert q.tolist() == [1, 1, 2, 2, 3, 3, 4, 4]
    # ties share the lower quartile: ranks (min) 1, 1, 3, 4 of 4 -> 1, 1, 3, 4
    assert school_quartiles(pd.Series([5.0, 5.0, 7.0, 9.0])).tolist() == [1, 1, 3, 4]


def test_worked_example_rates_and_gaps():
    g = educator_equity_gaps(_positions(), _schools())
    gaps = g.gaps.set_index(["basis", "level", "measure"])
    # Q4 (E7 + E8): teacher FTE 4 + 3.5 = 7.5; ineffective 4.0 FTE -> 53.33%;
    # out-of-field 0.5 + 1.0 = 1.5 -> 20%; inexperienced 1.0 + 1.0 = 2.0 -> 26.67%.
    # Q1 (E1 + E2): 10 FTE; 1 ineffective, 1 out-of-field, 1 inexperienced -> 10% each.
    r = gaps.loc[("poverty", "elementary", "ineffective")]
    assert (r["highest_pct"], r["highest_n"], r["highest_teachers"]) == (53.33, 4, 8)
    assert (r["lowest_pct"], r["lowest_n"], r["lowest_teachers"]) == (10.0, 1, 10)
    assert r["gap_pp"] == 43.33
    assert gaps.loc[("poverty", "elementary", "out_of_field"), "gap_pp"] == 10.0
    assert gaps.loc[("poverty", "elementary", "inexperienced"), "highest_pct"] == 26.67
    assert gaps.loc[("poverty", "elementary", "inexperienced"), "gap_pp"] == 16.67
    # minority quartiles are reversed: the gap changes sign
    assert gaps.loc[("minority", "elementary", "ineffective"), "gap_pp"] == -43.33
    # tiers: 1 High = E5..E8 (9.5 FTE, 4 ineffective = 42.11%), 2 Low = E1..E4 (12 FTE,
    # 1 ineffective = 8.33%)
    t = gaps.loc[("tier", "all", "ineffective")]
    assert (t["highest_group"], t["highest_pct"], t["lowest_group"], t["lowest_pct"]) == (
        "1 High", 42.11, "2 Low", 8.33)
    assert t["gap_pp"] == 33.77  # 42.105... - 8.333..., not 42.11 - 8.33
    total = g.groups[(g.groups["basis"] == "all") & (g.groups["level"] == "all")].iloc[0]
    # all: 21.5 FTE; ineffective 5 -> 23.26%
    assert (total["teachers"], total["teacher_fte"], total["ineffective_pct"]) == (22, 21.5,
                                                                                   23.26)


def test_cde_layout_and_suppression():
    g = educator_equity_gaps(_positions(), _schools())
    table = equity_table(g.gaps)
    row = table[(table["School level"] == "Elementary")
                & (table["Teacher measure"] == "Ineffective")].iloc[0]
    assert row["Highest poverty quartile %"] == 53.33
    assert row["Highest poverty quartile n of N"] == "4 of 8"
    assert row["Lowest poverty quartile n of N"] == "1 of 10"
    assert row["Difference, poverty (percentage points)"] == 43.33
    # published: both quartile groups have 10 or fewer teachers -> '*', and so does the gap
    groups, gaps, n = public_gaps(g, load_config())
    q4 = groups[(groups["basis"] == "poverty") & (groups["group"] == "Q4")].iloc[0]
    assert q4["teachers"] == "*" and q4["ineffective_pct"] == "*"
    assert (gaps["gap_pp"] == "*").all()
    total = groups[(groups["basis"] == "all") & (groups["level"] == "all")].iloc[0]
    assert total["ineffective_pct"] == 23.26  # 22 teachers: published
    # 10 groups of 10 or fewer teachers (primary); and the tier "2 Low" (12 teachers) is hidden
    # too: with "1 High" hidden it would be 22 - 12 = 10 from the published total
    # (complementary suppression)
    assert int((g.groups["teachers"] <= 10).sum()) == 10
    assert n == 12
    low = groups[(groups["basis"] == "tier") & (groups["group"] == "2 Low")]
    assert (low["teachers"] == "*").all() and len(low) == 2


def test_unknown_school_is_an_error():
    p = _positions()
    p.loc[0, "cds_code"] = "ZZ"
    with pytest.raises(InputError, match=r"^1 school of the positions file is not in the "
                       r"schools table \(first: CDS code ZZ\)$"):
        educator_equity_gaps(p, _schools())
