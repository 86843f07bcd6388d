"""The school summary and the outreach fairness table of one run are protected together
(issue 15, item 6).

Every student enrolled now was enrolled this year, so a reader of both files knows that a
category's ``enrolled`` count in outreach_fairness.csv is at most its ``CumulativeEnrollment``
in school_summary.csv. Protected one at a time, the fairness table withheld a complement (RW,
12 enrolled now) whose cumulative count the summary published, only two higher (14):
American Indian (RI, 4 students) was then at least 59 - 13 - 30 - 14 = 2, not the 1 = 4 - 3
the protection level asks.
"""

from __future__ import annotations

import pandas as pd
import pytest

from equitable.engagement import compute_engagement
from equitable.privacy import LongTable, audit_linked

RACES = ("RH", "RA", "RW", "RI")
# race: (enrolled now, left before the as-of day, chronically absent among those enrolled now)
SIZES = {"RH": (30, 0, 9), "RA": (13, 0, 3), "RW": (12, 2, 6), "RI": (4, 0, 4)}


def build(district):
    d = district(n_days=40)
    for race, (now, left, flagged) in SIZES.items():
        for i in range(now):
            d.add(f"{race}{i:02d}", "U" * 5 + "P" * 35 if i < flagged else "P" * 40, race=race,
                  sed="N")
        for i in range(left):
            d.add(f"{race}x{i}", "P" * 30, race=race, sed="N")  # exits after 30 days
    return compute_engagement(d.write())


def long_tables(fair: pd.Series, summ: pd.Series) -> list[LongTable]:
    """The race rows and total of both tables in the auditor's long form, fairness first."""
    f = pd.DataFrame({"table": "fairness", "race": [*RACES, "Total"],
                      "n": [fair[r] for r in [*RACES, "TA"]]})
    s = pd.DataFrame({"race": [*RACES, "Total"], "n": [summ[r] for r in [*RACES, "TA"]]})
    return [LongTable(f, "n", ["table", "race"], additive=["race"],
                      name="outreach_fairness.csv"),
            LongTable(s, "n", ["race"], name="school_summary.csv")]


def true_tables() -> list[pd.DataFrame]:
    now = {r: v[0] for r, v in SIZES.items()}
    ever = {r: v[0] + v[1] for r, v in SIZES.items()}
    return [pd.DataFrame({"table": "fairness", "race": [*RACES, "Total"],
                          "n": [now[r] for r in RACES] + [sum(now.values())]}),
            pd.DataFrame({"race": [*RACES, "Total"],
                          "n": [ever[r] for r in RACES] + [sum(ever.values())]})]


def test_the_summary_does_not_give_the_small_group_away(district):
    res = build(district)
    fair = res.fairness.set_index("ReportingCategory")["enrolled"]
    d = res.summary[res.summary["AggregateLevel"] == "D"]
    summ = d.set_index("ReportingCategory")["CumulativeEnrollment"]
    assert summ.to_dict() == {"TA": 61, "RI": "*", "RA": "*", "RH": 30, "RW": 14, "GR13": 61}
    # the students who left are a group too (PRIVACY.md, linked sets): shown, TA (59 of 61),
    # RW (12 of 14) and GR13 (59 of 61) would each give away 2 students who left, so they are
    # withheld; RH (30 of 30, nobody left) stays. RI and RA are withheld as before.
    assert fair.to_dict() == {"TA": "*", "RI": "*", "RA": "*", "RH": 30, "RW": "*",
                              "GR13": "*"}
    report = audit_linked(long_tables(fair, summ), [(0, 1)], sensitive=True, true=true_tables())
    assert report.ok, report.summary()


def test_the_students_who_left_are_a_protected_group():
    """Shown as the run published them with only the counts protected (RW 12 beside the
    summary's 14), the tables give away 2 White students who left: a sensitive audit says so."""
    fair = pd.Series({"TA": 59, "RI": "*", "RA": "*", "RH": 30, "RW": 12})
    summ = pd.Series({"TA": 61, "RI": "*", "RA": "*", "RH": 30, "RW": 14})
    assert audit_linked(long_tables(fair, summ), [(0, 1)], true=true_tables()).ok
    report = audit_linked(long_tables(fair, summ), [(0, 1)], sensitive=True, true=true_tables())
    assert not report.ok


def test_the_linked_audit_catches_the_one_by_one_tables():
    """The two tables as the run published them before (each protected alone): each passes its
    own audit; linked, RI (4) lies in [2, 4]: at least 59 - 13 - 30 - 14 (RW <= its 14 in the
    summary) and at most 17 - 13 (RA in the summary is at least its 13 in the fairness table).
    """
    fair = pd.Series({"TA": 59, "RI": "*", "RA": 13, "RH": 30, "RW": "*"})
    summ = pd.Series({"TA": 61, "RI": "*", "RA": "*", "RH": 30, "RW": 14})
    tables = long_tables(fair, summ)
    true = true_tables()
    assert audit_linked(tables[:1], true=true[:1]).ok
    assert audit_linked(tables[1:], true=true[1:]).ok
    report = audit_linked(tables, [(0, 1)], true=true)
    assert report.problems == [
        f"{t}: row '{r}', column 'n': suppressed cell can be narrowed to [{lo}, {hi}]; the "
        "protection level is +-3"
        for t, r, lo, hi in (("outreach_fairness.csv", "fairness / RW", 12, 14),
                             ("outreach_fairness.csv", "fairness / RI", 2, 4),
                             ("school_summary.csv", "RA", 13, 15),
                             ("school_summary.csv", "RI", 2, 4))]


def test_a_linked_set_no_pattern_can_protect_withholds_the_fairness_counts_and_says_so(
        tmp_path, data_dir, capsys):
    """A small district (3,000 students, 32 days, seed 22) where no suppression pattern
    protects every small group of the fairness table together with the school summary: the
    run does not fail; every count of outreach_fairness.csv is withheld, and the terminal and
    run.json say why (before: 'no suppression pattern ... Infeasible', exit 1)."""
    import json

    from equitable.cli import main as cli_main
    from equitable.engagement._synth import synth_district

    syn = synth_district(tmp_path / "d", 3_000, 32, seed=22, data_dir=data_dir)
    with pytest.raises(SystemExit) as exc:
        cli_main(["engagement", str(syn.folder), "-o", str(tmp_path / "out")])
    assert exc.value.code in (0, None)
    err = capsys.readouterr().err
    assert "Privacy: outreach_fairness.csv: every count withheld" in err
    fair = pd.read_csv(tmp_path / "out" / "outreach_fairness.csv", dtype=str)
    counts = fair[["enrolled", "flagged", "share_of_enrolled_pct", "flagged_rate_pct"]]
    assert (counts == "*").all().all() and len(fair) > 5
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    notes = run.get("extra", run).get("privacy_notes")
    assert notes and notes[0].startswith(f"outreach_fairness.csv: every count withheld ({len(fair)} rows)")
