"""Bad input: each problem is reported with counts and row numbers (never a student id), and
the run stops, or with lenient=True drops the rows and says how many."""

from __future__ import annotations

import pytest

from equitable.cli import main
from equitable.engagement import compute_engagement
from equitable.errors import InputError

STATUS_LIST = ("present, suspended_in, distance_present, absent_excused, absent_unexcused, "
               "suspended_out, distance_absent")


@pytest.fixture
def messy(district):
    d = district(n_days=10)
    d.add("SECRET01", "PPPPPPPPPP")  # attendance lines 2-11
    d.add("SECRET02", "UUUUUUUUUU")  # attendance lines 12-21
    sch = "19647330000001"
    d.attendance += [
        f"SECRET01,{sch},2021-01-04,tardy",        # line 22: unknown status
        f"SECRET01,{sch},2021-01-09,present",      # line 23: a Saturday (not instructional)
        f"SECRET01,{sch},2021-02-01,present",      # line 24: after the calendar's last day
        f"SECRET01,{sch},2021-01-05,present",      # line 25: repeats line 3
        f"SECRET03,{sch},2021-01-04,present",      # line 26: not in students.csv
        f"SECRET01,{sch},2021-13-01,present",      # line 27: not a date
    ]
    return d.write()


EXPECTED = (
    "attendance.csv: 1 row with a date that is not a date (YYYY-MM-DD) (row 27); "
    f"attendance.csv: 1 row with an unknown status (allowed: {STATUS_LIST}) (row 22); "
    "attendance.csv: 2 rows on a date that is not an instructional day of the school in the "
    "calendar (rows 23, 24); "
    "attendance.csv: 1 row for a day on which the student was not enrolled at that school "
    "(row 26); "
    "attendance.csv: 1 row repeating a student, school and date listed earlier (row 25). "
    "Fix the file(s), or run with --lenient to drop these rows."
)


def test_strict_stops_with_every_problem(messy):
    with pytest.raises(InputError) as exc:
        compute_engagement(messy)
    assert str(exc.value) == EXPECTED
    assert "SECRET" not in str(exc.value)


def test_lenient_drops_the_rows_and_says_how_many(messy):
    res = compute_engagement(messy, lenient=True)
    assert [(i.what.split(" (")[0], i.count) for i in res.dropped] == [
        ("with a date that is not a date", 1),
        ("with an unknown status", 1),
        ("on a date that is not an instructional day of the school in the calendar", 2),
        ("for a day on which the student was not enrolled at that school", 1),
        ("repeating a student, school and date listed earlier", 1),
    ]
    r = {x.student_id: x for x in res.students.itertuples()}
    assert (r["SECRET01"].days_enrolled, r["SECRET01"].days_absent) == (10, 0)
    assert (r["SECRET02"].days_enrolled, r["SECRET02"].days_absent) == (10, 10)
    assert set(r) == {"SECRET01", "SECRET02"}


def test_cli_prints_the_error_and_exits_1(messy, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["engagement", str(messy), "-o", str(tmp_path / "out")])
    assert exc.value.code == 1
    assert capsys.readouterr().err == f"Error: {EXPECTED}\n"


def test_cli_lenient_reports_drops(messy, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["engagement", str(messy), "-o", str(tmp_path / "out"), "--lenient"])
    assert exc.value.code == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "Dropped: attendance.csv: 1 row with a date that is not a date (YYYY-MM-DD) (row 27)"
    assert len(err) == 5
    assert (tmp_path / "out" / "student_engagement.csv").exists()


def test_student_at_two_schools_on_one_day(district):
    d = district(n_days=10)
    d.add("SECRET01", "PPPPPPPPPP")                                   # lines 2-11
    d.add("SECRET01", "PPPPP", first=5, school="19647330000002")       # lines 12-16
    folder = d.write()
    with pytest.raises(InputError) as exc:
        compute_engagement(folder)
    # Days 5-9 at both schools: 10 rows, lines 7-11 and 12-16.
    assert str(exc.value) == (
        "attendance.csv: 10 rows placing a student at two schools on the same day "
        "(rows 7, 8, 9, 10, 11). Fix the file(s), or run with --lenient to drop these rows."
    )
    res = compute_engagement(folder, lenient=True)
    got = {(x.school_id, x.days_enrolled, x.days_absent) for x in res.students.itertuples()}
    # The dropped days leave enrolled days without a row: counted neither present nor absent.
    assert got == {("19647330000001", 10, 0), ("19647330000002", 5, 0)}
    assert res.notes[0].count == 10


def test_missing_rows_in_full_mode(district):
    d = district(n_days=10)
    d.add("SECRET01", "PPP..PPPPP")
    with pytest.raises(InputError) as exc:
        compute_engagement(d.write())
    assert str(exc.value) == (
        "attendance.csv: 2 instructional days of enrollment (students file rows 2, 1 "
        "enrollments) have no attendance row; without --absences-only every enrolled "
        "instructional day needs one. Fix the file(s), or run with --lenient to drop these rows."
    )


def test_bad_students_rows(district):
    d = district(n_days=10)
    d.add("SECRET01", "PPPPPPPPPP")
    d.add("SECRET02", "PPPPPPPPPP", grade="13")
    d.add("SECRET03", "PPPPPPPPPP", race="XX")
    d.add("SECRET04", "PPPPPPPPPP", foster="yes")
    folder = d.write()
    with pytest.raises(InputError) as exc:
        compute_engagement(folder)
    assert str(exc.value) == (
        "students.csv: 1 row with a grade other than TK, K, 1-12 (row 3); "
        "students.csv: 1 row with foster other than Y or N (row 5); "
        "students.csv: 1 row with a race_ethnicity that is not a CDE code (RB, RI, RA, RF, RH, "
        "RD, RP, RT, RW) (row 4). Fix the file(s), or run with --lenient to drop these rows."
    )


def test_missing_column(district):
    d = district(n_days=5)
    d.add("SECRET01", "PPPPP")
    folder = d.write()
    text = (folder / "attendance.csv").read_text().replace("status", "code")
    (folder / "attendance.csv").write_text(text)
    with pytest.raises(InputError) as exc:
        compute_engagement(folder)
    assert str(exc.value) == (
        "attendance.csv: missing column 'status' (found: 'student_id', 'school_id', 'date', "
        "'code')"
    )


def test_ragged_csv(district):
    d = district(n_days=5)
    d.add("SECRET01", "PPPPP")
    folder = d.write()
    with open(folder / "attendance.csv", "a") as fh:
        fh.write("SECRET01,19647330000001,2021-01-05,present,extra\n")
    with pytest.raises(InputError) as exc:
        compute_engagement(folder)
    assert str(exc.value) == (
        "attendance.csv: cannot be read as CSV: row 7 has 5 fields, the header has 4"
    )


def test_bad_activity_rows(district):
    d = district(n_days=10)
    d.add("SECRET01", "PPPPPPPPPP")
    d.act("SECRET01", 2, "login")                                   # line 2: fine
    d.activity.append("SECRET01,2021-01-05 10:00,login")            # line 3: no offset
    d.activity.append("SECRET01,2021-01-05T10:00:00Z,watch")        # line 4: unknown kind
    d.activity.append("SECRET99,2021-01-05T10:00:00-08:00,login")   # line 5: unknown student: ok
    folder = d.write()
    with pytest.raises(InputError) as exc:
        compute_engagement(folder)
    assert str(exc.value) == (
        "activity.csv: 1 row with a timestamp that is not ISO 8601 with a UTC offset (row 3); "
        "activity.csv: 1 row with a kind other than login or participation (row 4). "
        "Fix the file(s), or run with --lenient to drop these rows."
    )
    res = compute_engagement(folder, lenient=True)
    assert res.students.iloc[0].last_activity_date == d.days[2].isoformat()
