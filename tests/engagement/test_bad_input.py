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
    "attendance.csv: 1 row with a date that is not an ISO date YYYY-MM-DD (a spreadsheet's "
    "M/D/YYYY, e.g. 8/19/2021, must be written 2021-08-19) (row 27); "
    f"attendance.csv: 1 row with an unknown status (allowed: {STATUS_LIST}) (row 22); "
    "attendance.csv: 2 rows on a date that is not an instructional day of the school in the "
    "calendar (rows 23, 24); "
    "attendance.csv: 1 row for a day on which the student was not enrolled at that school "
    "(or a student_id that is not in the students file: check for lost leading zeros) "
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
        ("with a date that is not an ISO date YYYY-MM-DD", 1),
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
    assert err[0] == ("Dropped: attendance.csv: 1 row with a date that is not an ISO date "
                      "YYYY-MM-DD (a spreadsheet's M/D/YYYY, e.g. 8/19/2021, must be written "
                      "2021-08-19) (row 27)")
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
        "attendance.csv: 2 instructional days of 1 enrollment (students file row 2) have no "
        "attendance row; without --absences-only every enrolled instructional day needs one. "
        "Fix the file(s), or run with --lenient to drop these rows."
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


@pytest.mark.parametrize("stem", ["students", "calendar", "attendance"])
def test_a_parquet_file_cut_short_is_one_clear_error(district, stem):
    """A Parquet file copied only in part (its footer lost) was a traceback from Arrow or
    DuckDB; it is one line naming the file (found by trying the tool with damaged files)."""
    import pandas as pd

    d = district(n_days=5)
    d.add("SECRET01", "PPPPP")
    folder = d.write()
    for name in ("students", "calendar", "attendance"):  # the same files as Parquet (text)
        csv = folder / f"{name}.csv"
        pd.read_csv(csv, dtype=str, keep_default_na=False).to_parquet(
            folder / f"{name}.parquet", index=False)
        csv.unlink()
    whole = (folder / f"{stem}.parquet").read_bytes()
    (folder / f"{stem}.parquet").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError) as exc:
        compute_engagement(folder)
    message = str(exc.value)
    assert message.startswith(f"{stem}.parquet: cannot be read as Parquet (damaged, cut short "
                              "or not Parquet: ")
    assert "SECRET01" not in message and str(folder) not in message


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


def test_repeats_that_keep_the_count_and_power_sums_are_found(district):
    """Days 1, 5, 8 and 12 of 12 missing and days 2, 3, 10 and 11 listed twice: the same count
    (12) and the same sums of the day indices and of their squares and cubes as days 1-12, so a
    screen on counts and power sums misses it (found by trying the tool). Every repeat is
    reported, and the four days without a row are noted."""
    d = district(n_days=12)
    d.add("SECRET01", ".PPP.PP.PPP.")  # attendance lines 2-9: indices 1, 2, 3, 5, 6, 8, 9, 10
    days = [d.days[i].isoformat() for i in (1, 2, 9, 10)]
    d.attendance += [f"SECRET01,19647330000001,{day},absent_unexcused" for day in days]  # 10-13
    with pytest.raises(InputError) as exc:
        compute_engagement(d.write(), as_of=d.days[11])  # day 12 counts (it has no row)
    msg = str(exc.value)
    assert ("attendance.csv: 4 rows repeating a student, school and date listed earlier "
            "(rows 10, 11, 12, 13)") in msg
    assert "attendance.csv: 4 instructional days of 1 enrollment (students file row 2)" in msg
    assert "SECRET" not in msg


@pytest.mark.parametrize("name, row", [("students.csv", 3), ("attendance.csv", 7)])
def test_a_file_that_is_not_utf8_names_its_line(district, tmp_path, capsys, name, row):
    """A CSV saved as Windows-1252 (Excel's "CSV (Comma delimited)") is one clear line naming
    the file and row, never a traceback, and never decoded with a guess."""
    d = district(n_days=5)
    d.add("SECRET01", "PPPPP")
    d.add("SECRET02", "PPPPP")
    folder = d.write()
    path = folder / name
    lines = path.read_bytes().split(b"\n")
    lines[row - 1] = lines[row - 1].replace(b"SECRET02", "SECRETÑ2".encode("cp1252"))
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(SystemExit) as exc:
        main(["engagement", str(folder), "-o", str(tmp_path / "out")])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Error: {name}") and f"row {row} is not UTF-8 text (byte 0xd1)" in err
    assert "Traceback" not in err and "SECRET" not in err


def test_lenient_with_no_usable_student_left_is_one_clear_error(district):
    d = district(n_days=5)
    d.add("", "PPPPP")
    d.add("", "UUUUU")
    with pytest.raises(InputError) as exc:
        compute_engagement(d.write(), lenient=True)
    assert str(exc.value) == (
        "students.csv: no usable student rows: students.csv: 2 rows with a blank student_id "
        "(rows 2, 3)"
    )


@pytest.mark.parametrize("absences_only", [False, True])
def test_repeats_on_late_days_are_found(district, absences_only):
    """70 days (two words of the screen): the 62nd day listed 5 more times (its bit, 2**61, sums
    past 2**62) and the 66th day once more; 6 repeats, the later copies."""
    d = district(n_days=70)
    d.add("SECRET01", "U" * 70, absences_only=absences_only)  # lines 2-71
    d.attendance += [f"SECRET01,19647330000001,{d.days[61].isoformat()},absent_excused"] * 5
    d.attendance += [f"SECRET01,19647330000001,{d.days[65].isoformat()},absent_excused"]
    with pytest.raises(InputError) as exc:
        compute_engagement(d.write(), absences_only=absences_only)
    assert str(exc.value).startswith(
        "attendance.csv: 6 rows repeating a student, school and date listed earlier "
        "(rows 72, 73, 74, 75, 76)")


def test_a_school_id_missing_from_the_calendar_is_named_as_such(district):
    """A CDS code that lost its leading zero in Excel (13 digits) matches no school of the
    calendar: the message says so, instead of blaming the date (found by trying the tool)."""
    d = district(n_days=5)
    d.add("SECRET01", "PPPPP")  # lines 2-6
    d.attendance.append(f"SECRET01,9647330000001,{d.days[0].isoformat()},present")  # line 7
    with pytest.raises(InputError) as exc:
        compute_engagement(d.write())
    assert str(exc.value).startswith(
        "attendance.csv: 1 row with a school_id that has no instructional day in the calendar "
        "(a CDS code has 14 digits: check for a lost leading zero) (row 7)")


def test_as_of_before_every_instructional_day_is_one_clear_error(district):
    import datetime as dt

    d = district(n_days=5)
    d.add("SECRET01", "PPPPP")
    with pytest.raises(InputError) as exc:
        compute_engagement(d.write(), as_of=dt.date(2020, 12, 1))
    assert str(exc.value) == (
        "no enrollment has an instructional day on or before the as-of day 2020-12-01 (the "
        "calendar's first instructional day is 2021-01-04)")


def test_output_folder_that_is_a_file(district, tmp_path, capsys):
    d = district(n_days=5)
    d.add("SECRET01", "PPPPP")
    target = tmp_path / "out"
    target.write_text("not a folder")
    with pytest.raises(SystemExit) as exc:
        main(["engagement", str(d.write()), "-o", str(target)])
    assert exc.value.code == 1
    assert capsys.readouterr().err == f"Error: {target}: exists and is not a folder\n"


def test_absences_only_without_as_of_says_which_day_it_took(district, tmp_path, capsys):
    """The last absence is on day 3 of 5: without --as-of that is the as-of day, and the command
    says so (found by trying the tool: the two present days after it were silently left out)."""
    d = district(n_days=5)
    d.add("SECRET01", "PPUPP", absences_only=True)
    with pytest.raises(SystemExit) as exc:
        main(["engagement", str(d.write()), "-o", str(tmp_path / "out"), "--absences-only"])
    assert exc.value.code == 0
    err = capsys.readouterr().err
    assert ("Note: the as-of day is 2021-01-06, the latest date in the attendance file; an "
            "absences-only file may end before the last school day, so pass --as-of to count the "
            "present days after it.") in err
