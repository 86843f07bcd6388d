"""school_summary.csv: complementary suppression, checked by equitable.privacy's auditor."""

from __future__ import annotations

import pandas as pd
import pytest

from equitable.engagement import run_engagement
from equitable.engagement._synth import synth_district
from equitable.privacy import DisclosureError, assert_no_disclosure

EL = "ChronicAbsenteeismEligibleCumulativeEnrollment"
FIGURES = {EL: [EL, "ChronicAbsenteeismCount", "ChronicAbsenteeismRate"],
           "CumulativeEnrollment": ["CumulativeEnrollment"]}
SCHOOL2 = "19647330000002"
SCHOOL3 = "19647330000003"


def audit_tables(summary: pd.DataFrame):
    """The published summary as the auditor's long tables, one per count column.

    The attacker's view: a district row (SchoolCode 0000000) is the total of its school rows;
    ``TA`` is the total of the race/ethnicity groups and of the grade spans; a program group
    (EL, SWD, ...) is summed over schools only. Returns ``[(count_col, [tables], [names])]``.
    """
    s = summary.astype(str).copy()
    s["district"] = s["CountyCode"] + s["DistrictCode"]
    s["school"] = s["SchoolCode"].where(s["AggregateLevel"] == "S", "Total")
    code = s["ReportingCategory"]
    race, span = code.str.startswith("R"), code.str.startswith("GR")
    s["race"] = code.where(race, "Total")
    s["span"] = code.where(span, "Total")
    main = s[race | span | (code == "TA")]
    program = s[~(race | span | (code == "TA"))].rename(columns={"ReportingCategory": "program"})
    out = []
    for count, figs in FIGURES.items():
        tables = [main[["district", "school", "race", "span", *figs]].reset_index(drop=True),
                  program[["district", "school", "program", *figs]].reset_index(drop=True)]
        out.append((count, tables))
    return out


def check(summary: pd.DataFrame) -> None:
    for count, (main, program) in audit_tables(summary):
        assert_no_disclosure(main, count_col=count, group_cols=["district", "school", "race",
                                                               "span"], names=["groups"])
        assert_no_disclosure(program, count_col=count, group_cols=["district", "school",
                                                                  "program"], names=["programs"])


def primary_only(monkeypatch):
    """The former output: primary suppression only (groups of 10 or fewer)."""
    from equitable.engagement import _outputs

    def primary(a):
        key = _outputs._row_keys(a)
        return set(key[a["el"] <= 10]), set(key[a["n"] <= 10])

    monkeypatch.setattr(_outputs, "summary_protection", primary)


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_synthetic_district_discloses_nothing(tmp_path, data_dir, monkeypatch):
    # 6 schools; small groups (American Indian, Pacific Islander, foster, homeless, ...) at each.
    syn = synth_district(tmp_path / "d", 3000, 35, seed=5, data_dir=data_dir)
    run_engagement(syn.folder, tmp_path / "out")
    s = read(tmp_path / "out" / "school_summary.csv")
    assert s["SchoolCode"].nunique() == 6
    assert (s[EL] == "*").sum() > 5  # the data do have small groups
    # No movers in the synthetic district: each district figure is the sum of its schools'.
    check(s)
    # Primary suppression alone (the former output) fails the same audit on these data.
    primary_only(monkeypatch)
    run_engagement(syn.folder, tmp_path / "before")
    before = read(tmp_path / "before" / "school_summary.csv")
    assert (before[EL] == "*").sum() < (s[EL] == "*").sum()
    with pytest.raises(DisclosureError):
        check(before)


def build_hand_district(district):
    d = district(n_days=40)
    # School 1: 24 students (12 White, 12 Hispanic), 6 chronic (4 absences of 40).
    for i in range(24):
        d.add(f"a{i:02d}", ("U" * 4 if i < 6 else "") + "P" * (40 - (4 if i < 6 else 0)),
              race="RW" if i < 12 else "RH")
    # School 2: 3 students, all chronically absent (never present).
    for i in range(3):
        d.add(f"b{i}", "U" * 40, school=SCHOOL2)
    # School 3: 14 students, none chronic.
    for i in range(14):
        d.add(f"c{i:02d}", "P" * 40, school=SCHOOL3)
    return d.write()


def test_hand_built_district_total_no_longer_reveals_a_small_school(district, monkeypatch):
    folder = build_hand_district(district)
    res = run_engagement(folder, folder.parent / "out")
    ta = res.summary[res.summary.ReportingCategory == "TA"].set_index("SchoolCode")
    # School 2 is suppressed, and it cannot be derived: the district row or another school's
    # row is withheld with it.
    assert (ta.loc["0000002", EL], ta.loc["0000002", "ChronicAbsenteeismCount"]) == ("*", "*")
    shown = [c for c in ("0000000", "0000001", "0000003") if ta.loc[c, EL] != "*"]
    assert len(shown) < 3
    check(read(folder.parent / "out" / "school_summary.csv"))

    # Before the change (primary suppression only) the district row beside schools 1 and 3
    # gave school 2 away: 41 - 24 - 14 = 3 eligible students, 9 - 6 - 0 = 3 chronic.
    primary_only(monkeypatch)
    old = run_engagement(folder, folder.parent / "before").summary
    ota = old[old.ReportingCategory == "TA"].set_index("SchoolCode")
    assert ota.loc["0000002", EL] == "*"
    el = {c: ota.loc[c, EL] for c in ("0000000", "0000001", "0000003")}
    ch = {c: ota.loc[c, "ChronicAbsenteeismCount"] for c in ("0000000", "0000001", "0000003")}
    assert (el, ch) == ({"0000000": 41, "0000001": 24, "0000003": 14},
                        {"0000000": 9, "0000001": 6, "0000003": 0})
    assert el["0000000"] - el["0000001"] - el["0000003"] == 3
    with pytest.raises(DisclosureError, match="0000002 / Total / Total"):
        check(read(folder.parent / "before" / "school_summary.csv"))
