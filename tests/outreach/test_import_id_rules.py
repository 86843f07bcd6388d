"""Outreach imports apply the shared id rules (equitable.checks): ids saved by a spreadsheet in
scientific notation are one error naming the rows, never "duplicate student rows"."""

from __future__ import annotations

import pytest

from equitable.errors import InputError
from equitable.outreach import import_roster, import_schools


def test_roster_ids_in_scientific_notation_are_not_duplicates(engine, tmp_path):
    p = tmp_path / "students.csv"
    p.write_text("student_id,school_id\n1.23457E+09,19647331935121\n1.23457E+09,19647331935121\n"
                 "1234567801,19647331935121\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        import_roster(engine, p)
    msg = str(e.value)
    # the file is named once (it used to be repeated after "nothing was imported:")
    assert msg.startswith(f"{p}: rejected, nothing was imported: column 'student_id': 2 ids "
                          "are in scientific notation (rows 2, 3): a spreadsheet saved the id as "
                          "a number")
    assert "duplicate" not in msg
    assert "1.23457E+09" not in msg  # no student id in a message


def test_roster_school_ids_that_lost_their_leading_zero_are_padded_with_a_note(engine, tmp_path):
    from sqlalchemy import select

    from equitable.outreach._db import read_session
    from equitable.outreach._models import Student

    p = tmp_path / "students.csv"
    p.write_text("student_id,school_id\nS1,1611270130450\nS2,1611270130450\nS3,19647331935121\n",
                 encoding="utf-8")
    res = import_roster(engine, p)
    assert res.opened == 3
    assert res.summary().splitlines()[1] == (
        "Note: students.csv, column 'school_id': 2 CDS codes had lost their leading zeros (fewer "
        "than 14 digits) and were padded with zeros")
    with read_session(engine) as s:
        got = sorted(s.execute(select(Student.student_id, Student.school_id)).all())
    assert got == [("S1", "01611270130450"), ("S2", "01611270130450"), ("S3", "19647331935121")]


# ---- one id rule (equitable.ids, issue 19 item 4) ----------------------------------------------


def test_school_file_codes_that_lost_their_zero_are_padded_with_a_note(engine, tmp_path):
    """pubschls codes were zero-filled to 14 digits silently, whatever their length."""
    from sqlalchemy import select

    from equitable.outreach._db import read_session
    from equitable.outreach._models import School

    p = tmp_path / "schools.csv"
    p.write_text("CDSCode,School,Latitude,Longitude\n1611270130450,Alpha,37.7,-122.2\n"
                 "19647331935121,Beta,34.05,-118.2\n", encoding="utf-8")
    notes: list[str] = []
    assert import_schools(engine, p, notes=notes) == 2
    assert notes == ["schools.csv, column 'cdscode': 1 CDS code had lost its leading zero (fewer "
                     "than 14 digits) and was padded with zeros"]
    with read_session(engine) as s:
        assert sorted(s.scalars(select(School.school_id))) == ["01611270130450", "19647331935121"]


def test_school_file_code_two_digits_short_is_refused_not_zero_filled(engine, tmp_path):
    # 12 digits: no county code starts 00, so this is not a code that lost its zero (it was
    # zero-filled to '00161127013045' and stored)
    p = tmp_path / "schools.csv"
    p.write_text("CDSCode,School,Latitude,Longitude\n161127013045,Alpha,37.7,-122.2\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_schools(engine, p)
    assert str(err.value) == (f"{p}: rejected, nothing was imported: row 2, column 'CDSCode': "
                              "not a 14-digit CDS code")


def test_roster_school_id_in_non_ascii_digits_is_refused(engine, tmp_path):
    # full-width digits look like a CDS code (and matched \d) but never join the school table
    p = tmp_path / "students.csv"
    p.write_text("student_id,school_id\nS1,19647331935121\nS2,１９６４７３３１９３５１２１\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_roster(engine, p)
    assert str(err.value) == (f"{p}: rejected, nothing was imported: 1 school_id value that is "
                              "not a 14-digit CDS code (row 3)")


def test_user_school_codes_follow_the_one_rule(engine):
    from equitable.errors import EquitableError
    from equitable.outreach import create_user

    # full-width digits matched \d{14}: a school staff member whose school matched no case
    with pytest.raises(EquitableError, match="school staff need --school, the school's "
                                             "14-digit CDS code"):
        create_user(engine, "sam", "correct horse battery", "school_staff",
                    school_id="１９６４７３３１９３５１２１")
    # a worker's base school was stored whatever it was
    with pytest.raises(EquitableError, match="--base-school is the base school's 14-digit CDS "
                                             "code"):
        create_user(engine, "ana", "correct horse battery", "outreach_worker",
                    base_school_id="1964733-1935121")
    assert create_user(engine, "sal", "correct horse battery", "school_staff",
                       school_id=" 19647331935121 ") > 0
