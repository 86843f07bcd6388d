"""Outreach order, the CDE-layout summary and the fairness table, on hand-made districts."""

from __future__ import annotations

import pandas as pd

from equitable.engagement import compute_engagement, run_engagement


def test_outreach_order(district):
    d = district(n_days=40)
    # All enrolled through day 39. Hand-ordered expectation below.
    d.add("q_never", "U" * 40)                                       # never engaged
    d.add("q_never_foster", "U" * 40, foster="Y")                    # never engaged + foster
    d.add("q_streak12", "P" * 28 + "U" * 12)                         # missing, streak 12
    d.add("q_homeless3", "P" * 30 + "UUPPPPP" + "UUU", homeless="Y")  # chronic 5/40, streak 3
    d.add("q_chronic_a", "U" * 4 + "P" * 36)                         # chronic 4/40, streak 0
    d.add("q_chronic_b", "U" * 6 + "P" * 34)                         # chronic 6/40, streak 0
    d.add("q_fine", "U" + "P" * 39)                                  # not on the list
    res = compute_engagement(d.write())
    q = res.queue
    assert list(q["student_id"]) == [
        "q_never_foster", "q_never",   # never engaged; foster raised
        "q_homeless3",                 # homeless raised above longer streaks
        "q_streak12",                  # longest current streak
        "q_chronic_b", "q_chronic_a",  # chronic, higher rate first
    ]
    assert list(q["priority"]) == [1, 2, 3, 4, 5, 6]
    r = q.set_index("student_id")
    assert r.loc["q_streak12", "reasons"] == (
        "missing: not present and no platform activity in the last 10 instructional days; "
        "absent the last 12 instructional days in a row; chronically absent: absent 12 of 40 "
        "days enrolled (30.0%); 2 weeks meeting the SB 98 re-engagement trigger"
    )


def test_summary_layout_counts_and_suppression(district, data_dir):
    layout = pd.read_csv(data_dir / "attendance/cde_chronic_absenteeism_file_columns.csv")
    d = district(n_days=40)
    # School 1: 24 students (12 White, 3 of them chronic with 4+ absences of 40; 12 Hispanic),
    # 5 English learners. School 2: 2 students (tiny). School 3: 14 Hispanic students.
    for i in range(24):
        d.add(f"a{i:02d}", ("U" * 4 if i < 3 else "U" * 3) + "P" * (40 - (4 if i < 3 else 3)),
              race="RW" if i < 12 else "RH", el="Y" if i < 5 else "N")
    for i in range(2):
        d.add(f"b{i}", "U" * 40, school="19647330000002")
    for i in range(14):
        d.add(f"c{i:02d}", "P" * 40, school="19647330000003")
    res = run_engagement(d.write(), d.folder.parent / "out")
    s = res.summary
    old = list(layout["older_header_2016_17_to_c2022_23"])
    assert list(s.columns)[:8] == old[:8]
    assert list(s.columns)[10:] == [c for c in old[10:]]
    assert list(s.columns)[8:10] == ["CharterSchool", "DASS"]
    row = s[(s.AggregateLevel == "S") & (s.SchoolCode == "0000001")
            & (s.ReportingCategory == "TA")].iloc[0]
    assert (row.CumulativeEnrollment, row.ChronicAbsenteeismEligibleCumulativeEnrollment,
            row.ChronicAbsenteeismCount, row.ChronicAbsenteeismRate) == (24, 24, 3, "12.5")
    assert (row.AcademicYear, row.CountyCode, row.DistrictCode) == ("2020-21", "19", "64733")
    # District: 40 students, 5 chronic (3 + the two never-present at school 2): 12.5%.
    drow = s[(s.AggregateLevel == "D") & (s.ReportingCategory == "TA")].iloc[0]
    assert (drow.ChronicAbsenteeismEligibleCumulativeEnrollment, drow.ChronicAbsenteeismCount,
            drow.ChronicAbsenteeismRate) == (40, 5, "12.5")
    # 12 White students at school 1: shown, 3 chronic = 25.0%; 5 English learners: suppressed.
    rw = s[(s.AggregateLevel == "S") & (s.SchoolCode == "0000001")
           & (s.ReportingCategory == "RW")].iloc[0]
    assert (rw.ChronicAbsenteeismEligibleCumulativeEnrollment, rw.ChronicAbsenteeismRate) == (
        12, "25.0")
    se = s[(s.AggregateLevel == "S") & (s.SchoolCode == "0000001")
           & (s.ReportingCategory == "SE")].iloc[0]
    assert (se.ChronicAbsenteeismCount, se.ChronicAbsenteeismRate) == ("*", "*")
    school2 = s[(s.SchoolCode == "0000002")]
    assert set(school2["ChronicAbsenteeismRate"]) == {"*"}
    # Complementary suppression: with district = 40 and school 1 = 24 shown, school 3 (14) is
    # withheld too, else 40 - 24 - 14 = 2 would give school 2 away.
    s3 = s[(s.SchoolCode == "0000003") & (s.ReportingCategory == "TA")].iloc[0]
    assert s3.ChronicAbsenteeismEligibleCumulativeEnrollment == "*"
    # Written file equals the frame, with the suppression marker.
    text = (d.folder.parent / "out" / "school_summary.csv").read_text()
    assert text.splitlines()[0] == ",".join(s.columns)
    assert ",*,*," in text


def test_fairness_shares(district):
    d = district(n_days=40)
    # 51 students: 12 RH (6 flagged), 8 RW (2 flagged), 11 RB (none flagged), 20 RA (4 flagged).
    for race, n, flagged in (("RH", 12, 6), ("RW", 8, 2), ("RB", 11, 0), ("RA", 20, 4)):
        for i in range(n):
            d.add(f"{race}{i:02d}", "U" * 5 + "P" * 35 if i < flagged else "P" * 40, race=race)
    res = compute_engagement(d.write())
    f = res.fairness.set_index("ReportingCategory")
    assert (f.loc["TA", "enrolled"], f.loc["TA", "flagged"]) == (51, 12)
    # RH: 12/51 = 23.5% of enrolled, 6/12 = 50.0% of flagged, ratio (6/12)/(12/51) = 2.125 ->
    # 2.13 (half up), flag rate 50.0%.
    assert (f.loc["RH", "share_of_enrolled_pct"], f.loc["RH", "share_of_flagged_pct"],
            f.loc["RH", "representation_ratio"], f.loc["RH", "flagged_rate_pct"]) == (
        "23.5", "50.0", "2.13", "50.0")
    # RW has 8 students: suppressed. Alone it would be TA - the others, so the next smallest
    # race group (RB, 11) is withheld with it; their flagged counts (2 + 0) would still pin RW's
    # within 3, so RA (4 flagged, cheaper than RH's 6) is withheld too.
    hidden = sorted(r for r in ("RH", "RW", "RB", "RA") if f.loc[r, "enrolled"] == "*")
    assert hidden == ["RA", "RB", "RW"]
    assert f.loc["RW", "representation_ratio"] == "*" and f.loc["RB", "flagged"] == "*"


def test_fairness_hides_no_group_that_the_total_gives_away(district):
    """One small race group among large ones (found by trying the tool: TA minus the published
    race rows gave the hidden group's enrolled and flagged counts). The project's auditor, given
    the published race rows and the total, must find every hidden count protected (+-3)."""
    from equitable.privacy import PrivacyConfig, audit_tables

    d = district(n_days=40)
    sizes = {"RH": (30, 9), "RW": (25, 4), "RA": (14, 2), "RI": (4, 3)}  # (enrolled, flagged)
    for race, (n, flagged) in sizes.items():
        for i in range(n):
            d.add(f"{race}{i:02d}", "U" * 5 + "P" * 35 if i < flagged else "P" * 40, race=race)
    f = compute_engagement(d.write()).fairness.set_index("ReportingCategory")
    assert f.loc["RI", "enrolled"] == "*"
    races = list(sizes)
    for col, k in (("enrolled", 0), ("flagged", 1)):
        published = pd.DataFrame({"race": [*races, "Total"],
                                  "n": [f.loc[r, col] for r in races] + [f.loc["TA", col]]})
        true = pd.DataFrame({"race": [*races, "Total"],
                             "n": [sizes[r][k] for r in races] + [sum(v[k] for v in
                                                                      sizes.values())]})
        if col == "enrolled":  # group sizes: the small group's interval must reach +-3
            report = audit_tables(published, count_col="n", group_cols=["race"], true=true)
        else:  # not group sizes: every hidden count at least 6 wide, or 0 to 3 or more
            report = audit_tables(published, count_col="n", group_cols=["race"],
                                  config=PrivacyConfig(threshold=0, suppress_zeros=False))
        assert report.ok, (col, report.problems)
        assert (published["n"] == "*").sum() >= 2


def test_outputs_are_deterministic(district):
    d = district(n_days=35)
    for i in range(15):
        d.add(f"s{i:02d}", "P" * (35 - i % 7) + "U" * (i % 7))
    folder = d.write()
    a = run_engagement(folder, folder.parent / "o1")
    b = run_engagement(folder, folder.parent / "o2")
    for name in ("student_engagement.csv", "school_summary.csv", "outreach_queue.csv",
                 "outreach_fairness.csv", "run.json"):
        assert (folder.parent / "o1" / name).read_bytes() == (folder.parent / "o2" / name).read_bytes()
    assert len(a.students) == len(b.students) == 15
