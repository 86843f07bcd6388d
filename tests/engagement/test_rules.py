"""The attendance rules on hand-made districts; every expected value is computed by hand here."""

from __future__ import annotations

import datetime as dt

import pytest

from equitable.engagement import compute_engagement


def rows(result):
    return {r.student_id: r for r in result.students.itertuples(index=False)}


@pytest.fixture
def tiers(district):
    d = district(n_days=45)
    # 40 days enrolled (days 0..39, then exit), absences at the start.
    for sid, n_abs in [("t01", 1), ("t02", 2), ("t03", 3), ("t04", 4), ("t07", 7), ("t08", 8)]:
        d.add(sid, "U" * n_abs + "P" * (40 - n_abs), exit=True)
    d.add("d30", "U" * 10 + "P" * 20, exit=True)  # 30 days: not eligible whatever the rate
    d.add("d31a", "U" * 4 + "P" * 27, exit=True)  # 31 days, 4/31 = 12.9%
    d.add("d31b", "U" * 3 + "P" * 28, exit=True)  # 31 days, 3/31 = 9.68%
    # Statuses: I and D count as present, O and X as absent: 4 absences of 40 = 10%.
    d.add("mix", "IDIDOXOE" + "P" * 32, exit=True)
    d.add("mix2", "IIIIDDDDOX" + "P" * 30, exit=True)  # 2 absences of 40 = 5%
    return compute_engagement(d.write())


@pytest.mark.parametrize("sid, absent, rate, chronic, tier", [
    ("t01", 1, "0.0250", "N", "satisfactory"),   # 1/40 = 2.5% < 5%
    ("t02", 2, "0.0500", "N", "at_risk"),        # 2/40 = 5% exactly: at risk starts here
    ("t03", 3, "0.0750", "N", "at_risk"),        # 7.5%
    ("t04", 4, "0.1000", "Y", "moderate"),       # 4/40 = 10% exactly: chronic
    ("t07", 7, "0.1750", "Y", "moderate"),       # 17.5%
    ("t08", 8, "0.2000", "Y", "severe"),         # 8/40 = 20% exactly: severe
    ("d31a", 4, "0.1290", "Y", "moderate"),      # 4/31 = 0.129032...
    ("d31b", 3, "0.0968", "N", "at_risk"),       # 3/31 = 0.096774...
    ("mix", 4, "0.1000", "Y", "moderate"),       # O, X, O, E absent; I, D present
    ("mix2", 2, "0.0500", "N", "at_risk"),
])
def test_tier_boundaries(tiers, sid, absent, rate, chronic, tier):
    r = rows(tiers)[sid]
    assert r.days_absent == absent
    assert r.absence_rate == rate
    assert r.chronically_absent == chronic
    assert r.attendance_tier == tier


def test_30_days_is_not_eligible(tiers):
    r = rows(tiers)["d30"]
    assert (r.days_enrolled, r.days_absent) == (30, 10)
    assert r.chronically_absent == ""  # blank: not eligible
    assert r.attendance_tier == "not_applicable"
    assert rows(tiers)["d31a"].days_enrolled == 31


def test_streaks_and_last_present(district):
    d = district(n_days=20)
    # days:  0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19
    d.add("s1", "PUUUPEEPPPPPPPPPPPUU")  # longest 3 (days 1-3), current 2 (days 18-19)
    d.add("s2", "PPPPPPPPPPPPPPPPPPPP")
    d.add("s3", "UUUUUUUUUUUUUUUUUUUU")  # never present
    res = compute_engagement(d.write())
    r = rows(res)
    assert (r["s1"].longest_absence_streak, r["s1"].current_absence_streak) == (3, 2)
    assert r["s1"].last_present_date == d.days[17].isoformat()
    assert (r["s2"].longest_absence_streak, r["s2"].current_absence_streak) == (0, 0)
    assert r["s2"].last_present_date == d.days[19].isoformat()
    assert (r["s3"].longest_absence_streak, r["s3"].current_absence_streak) == (20, 20)
    assert r["s3"].last_present_date == ""
    assert r["s3"].never_engaged == "Y"


def test_streak_counts_instructional_days_across_a_holiday(district):
    # Monday 2021-01-18 is a holiday: absences Fri 15th and Tue 19th are consecutive
    # instructional days.
    d = district(n_days=15, holidays=(dt.date(2021, 1, 18),))
    i = d.days.index(dt.date(2021, 1, 15))
    d.add("h1", "P" * i + "UU" + "P" * (15 - i - 2))
    assert d.days[i + 1] == dt.date(2021, 1, 19)
    r = rows(compute_engagement(d.write()))["h1"]
    assert r.longest_absence_streak == 2


def test_sb98_weeks(district):
    # 2021-01-04 is a Monday. Weeks of five days:
    # w1 UUUUP: 4 absences > 3 -> flagged; w2 UUUPP: 3 of 5 = 60% -> flagged;
    # w3 UUPPP: 40% -> no; w4 PPPPP -> no.
    d = district(n_days=20)
    d.add("w", "UUUUP" "UUUPP" "UUPPP" "PPPPP")
    # A student enrolled on Thursday of week 1, absent Thu and Fri: 2 of 2 days = 100% -> flagged.
    d.add("late", "UU" + "P" * 15, first=3)
    # Holiday week (Mon 2021-01-18 off): 4 instructional days; 3 absences = 75% -> flagged,
    # and 2 absences = 50% -> not flagged.
    r = rows(compute_engagement(d.write()))
    assert r["w"].sb98_weeks_flagged == 2
    assert r["late"].sb98_weeks_flagged == 1

    d2 = district("in2", n_days=15, holidays=(dt.date(2021, 1, 18),))
    # days 0-4 week of Jan 11? start is Jan 4: days 0-4 = Jan 4-8, 5-9 = Jan 11-15,
    # 10-13 = Jan 19-22 (4-day week).
    d2.add("h3", "PPPPP" "PPPPP" "UUUP")
    d2.add("h2", "PPPPP" "PPPPP" "UUPP")
    r2 = rows(compute_engagement(d2.write()))
    assert r2["h3"].sb98_weeks_flagged == 1
    assert r2["h2"].sb98_weeks_flagged == 0


def test_sb98_window(district):
    d = district(n_days=20)
    d.add("w", "UUUUP" "UUUPP" "UUPPP" "UUUUU")
    folder = d.write()
    assert rows(compute_engagement(folder))["w"].sb98_weeks_flagged == 3
    r = rows(compute_engagement(folder, sb98_from=d.days[5], sb98_to=d.days[14]))
    assert r["w"].sb98_weeks_flagged == 1  # only week 2 is inside the window


def test_missing_window_and_activity(district):
    d = district(n_days=30)
    # Last 10 instructional days are days 20..29.
    d.add("m_out", "P" * 19 + "U" * 11)     # last present day 18 -> missing
    d.add("m_edge", "P" * 20 + "U" * 10)    # present on day 19? no: days 0-19 present
    d.add("m_in", "P" * 21 + "U" * 9)       # present on day 20 (window start) -> not missing
    d.add("m_login", "P" * 10 + "U" * 20).act("m_login", 25, "login")  # activity in window
    d.add("m_old", "P" * 10 + "U" * 20).act("m_old", 12, "participation")  # too early
    d.add("never", "U" * 30)
    d.add("never_login", "U" * 30).act("never_login", 3, "login")
    res = compute_engagement(d.write())
    r = rows(res)
    assert r["m_out"].missing == "Y"
    assert r["m_edge"].missing == "Y"  # last present day 19 is just before the window
    assert r["m_in"].missing == "N"
    assert r["m_login"].missing == "N"
    assert r["m_login"].last_activity_date == d.days[25].isoformat()
    assert r["m_old"].missing == "Y"
    assert (r["never"].never_engaged, r["never"].missing) == ("Y", "Y")
    assert (r["never_login"].never_engaged, r["never_login"].missing) == ("N", "Y")
    assert "never submitted work" in r["never_login"].reasons
    assert "never submitted work" not in r["m_old"].reasons
    # N = 20: the window starts at day 10, so m_old's participation on day 12 counts.
    r20 = rows(compute_engagement(d.folder, missing_days=20))
    assert r20["m_old"].missing == "N"
    assert r20["m_out"].missing == "N"


def test_exited_students_are_not_missing(district):
    d = district(n_days=30)
    d.add("gone", "U" * 15, exit=True)
    d.add("here", "P" * 30)
    r = rows(compute_engagement(d.write()))
    assert r["gone"].missing == "N"
    assert r["gone"].never_engaged == "Y"


def test_absences_only_gives_the_same_result(district, tmp_path):
    spec = [("a", "PUUPPEOPPPPPPPPPPPUU"), ("b", "PPPPPPPPPPPPPPPPPPPP"),
            ("c", "UUUUUUUUUUUUUUUUUUUU"), ("e", "PIDXPPPPPPPPPPPPPPPP")]
    full = district(n_days=20)
    for sid, codes in spec:
        full.add(sid, codes)
    res_full = compute_engagement(full.write())
    sparse = district("sparse", n_days=20)
    for sid, codes in spec:
        sparse.add(sid, codes, absences_only=True)
    res_sparse = compute_engagement(sparse.write(), absences_only=True, as_of=full.days[-1])
    a, b = res_full.students, res_sparse.students
    assert a.equals(b)
    r = rows(res_full)
    # U U at days 1-2, E O at 5-6, U U at 18-19: 6 absences, longest run 2.
    assert (r["a"].days_absent, r["a"].longest_absence_streak) == (6, 2)
    assert r["e"].days_absent == 1  # I and D present, X absent


def test_student_in_two_schools_over_the_year(district):
    d = district(n_days=30)
    d.add("tr", "UUUPPPPPPPPPPPP", exit=True)  # school 1, days 0-14
    d.add("tr", "PPPPPPPPPPPPUUU", first=15, school="19647330000002")  # school 2, days 15-29
    res = compute_engagement(d.write())
    got = {(r.school_id, r.days_enrolled, r.days_absent, r.current_absence_streak, r.missing)
           for r in res.students.itertuples()}
    assert got == {("19647330000001", 15, 3, 0, "N"), ("19647330000002", 15, 3, 3, "N")}
    # District row of the CDE summary adds the two schools: 30 days, 6 absences (20%) -> but the
    # group has 1 student, so it is suppressed.
    s = res.summary
    d_row = s[(s.AggregateLevel == "D") & (s.ReportingCategory == "TA")].iloc[0]
    assert d_row.ChronicAbsenteeismRate == "*"


def test_one_period_and_two_period_students_in_one_file(district):
    """A student with one enrollment period finds it with the id, a student with two through
    the period join: both in one file, with rows outside the one-period student's period and a
    repeated row (the duplicate screen's words), counted by hand."""
    school, other = "19647330000001", "19647330000002"
    d = district(n_days=30)
    d.add("tr", "UUUPPPPPPPPPPPP", exit=True)  # school 1, days 0-14 (lines 2-16)
    d.add("tr", "PPPPPPPPPPPPUUU", first=15, school=other)  # school 2, days 15-29 (17-31)
    d.add("one", "PPUUPPPPPP", first=5, exit=True)  # school 1, days 5-14 (lines 32-41)
    d.attendance += [
        f"one,{other},{d.days[6].isoformat()},present",  # line 42: not enrolled there
        f"one,{school},{d.days[20].isoformat()},absent_excused",  # line 43: after the exit
        f"one,{school},{d.days[7].isoformat()},absent_unexcused",  # line 44: day 7 again
    ]
    res = compute_engagement(d.write(), lenient=True)
    got = {(r.student_id, r.school_id, r.days_enrolled, r.days_absent, r.days_present,
            r.longest_absence_streak) for r in res.raw.itertuples()}
    assert got == {("tr", school, 15, 3, 12, 3), ("tr", other, 15, 3, 12, 3),
                   ("one", school, 10, 2, 8, 2)}
    dropped = {(i.what.split(" (")[0][:30], i.count, tuple(i.rows)) for i in res.dropped}
    assert dropped == {("for a day on which the student", 2, (42, 43)),
                       ("repeating a student, school an", 1, (44,))}
