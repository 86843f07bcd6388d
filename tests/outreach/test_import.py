"""Roster and queue import: counts, idempotency, reopening, whole-file rejection (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from equitable.errors import InputError
from equitable.outreach import import_queue, import_roster
from equitable.outreach._db import read_session, write_session
from equitable.outreach._models import Case, ImportBatch, Student
from equitable.outreach._testing import school_id, write_queue, write_roster

HEADER = "priority_rank,student_id,school_id,grade,home_language,foster,homeless,reasons\n"


def _snapshot(engine):
    with read_session(engine) as s:
        return sorted(
            (c.student_id, c.school_id, c.priority_rank, c.reasons, c.home_language, c.grade,
             c.flags, c.status, c.opened_at.replace(tzinfo=None), c.updated_at.replace(tzinfo=None))
            for c in s.scalars(select(Case))
        )


def _count(engine, model) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def roster(engine, tmp_path):
    rows = write_roster(tmp_path / "students.csv", 20, n_schools=2)
    assert import_roster(engine, tmp_path / "students.csv").opened == 20
    return rows


def test_queue_import_opens_one_case_per_student_with_fields(engine, roster, tmp_path):
    (tmp_path / "q.csv").write_text(
        HEADER
        + f"1,S0000003,{school_id(1)},10,Spanish,Y,N,never engaged\n"
        + f"2,S0000000,{school_id(0)},9,english,N,Y,absent 12 days in a row\n",
        encoding="utf-8",
    )
    res = import_queue(engine, tmp_path / "q.csv")
    assert (res.rows, res.opened, res.updated, res.unchanged) == (2, 2, 0, 0)
    with read_session(engine) as s:
        cases = {c.student_id: c for c in s.scalars(select(Case))}
    c = cases["S0000003"]
    assert (c.priority_rank, c.school_id, c.grade, c.home_language, c.flags, c.status,
            c.reasons) == (1, school_id(1), "10", "spanish", "foster", "open", "never engaged")
    assert cases["S0000000"].flags == "homeless"


def test_importing_the_same_file_twice_changes_nothing(engine, roster, tmp_path):
    write_queue(tmp_path / "q.csv", roster, 12)
    first = import_queue(engine, tmp_path / "q.csv")
    assert first.opened == 12
    before = _snapshot(engine)
    second = import_queue(engine, tmp_path / "q.csv")
    assert second.already_imported and second.summary() == (
        "queue: this file was already imported; nothing changed")
    assert _snapshot(engine) == before
    assert _count(engine, ImportBatch) == 2  # roster + one queue batch
    # the same content under another name: a batch is recorded, no case changes
    (tmp_path / "copy.csv").write_bytes((tmp_path / "q.csv").read_bytes() + b"\n")
    third = import_queue(engine, tmp_path / "copy.csv")
    assert (third.opened, third.updated, third.unchanged) == (0, 0, 12)
    assert _snapshot(engine) == before


def test_new_queue_updates_rank_and_reopens_closed_cases(engine, roster, tmp_path):
    write_queue(tmp_path / "q1.csv", roster, 3)
    import_queue(engine, tmp_path / "q1.csv")
    with write_session(engine) as s:
        c = s.scalar(select(Case).where(Case.student_id == "S0000001"))
        c.status, c.close_reason = "closed", "unreachable"
    # next week: S0000002 first, S0000001 still listed, S0000000 no longer listed
    (tmp_path / "q2.csv").write_text(
        HEADER
        + f"1,S0000002,{school_id(0)},9,english,N,N,x\n"
        + f"2,S0000001,{school_id(1)},9,{roster[1][2]},N,N,"
        "no presence or activity in the last 10 instructional days\n",
        encoding="utf-8",
    )
    res = import_queue(engine, tmp_path / "q2.csv")
    assert (res.opened, res.updated, res.unchanged) == (0, 2, 0)
    with read_session(engine) as s:
        cases = {c.student_id: c for c in s.scalars(select(Case))}
    assert (cases["S0000001"].status, cases["S0000001"].close_reason) == ("open", None)
    assert cases["S0000002"].priority_rank == 1
    assert cases["S0000000"].status == "open" and cases["S0000000"].priority_rank == 1


def _assert_nothing_written(engine):
    assert _count(engine, Case) == 0
    assert _count(engine, ImportBatch) == 1  # the roster only


def test_unknown_students_reject_the_whole_file(engine, roster, tmp_path):
    p = tmp_path / "q.csv"
    p.write_text(
        HEADER
        + f"1,S0000001,{school_id(1)},9,english,N,N,x\n"
        + f"2,X9,{school_id(0)},9,english,N,N,x\n"
        + f"3,X8,{school_id(0)},9,english,N,N,x\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        import_queue(engine, p)
    assert str(err.value) == (
        f"{p}: rejected, nothing was imported: 2 unknown students, not on the roster "
        "(rows 3, 4; import the roster first with 'equitable outreach roster')"
    )
    assert "X9" not in str(err.value)  # never a student id in a message
    _assert_nothing_written(engine)


def test_duplicate_rows_reject_the_whole_file(engine, roster, tmp_path):
    p = tmp_path / "q.csv"
    p.write_text(
        HEADER
        + f"1,S0000001,{school_id(1)},9,english,N,N,x\n"
        + f"2,S0000002,{school_id(0)},9,english,N,N,x\n"
        + f"3,S0000001,{school_id(1)},9,english,N,N,x\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        import_queue(engine, p)
    assert str(err.value) == f"{p}: rejected, nothing was imported: 1 duplicate student row (row 4)"
    _assert_nothing_written(engine)


def test_missing_columns_reject_the_whole_file(engine, roster, tmp_path):
    p = tmp_path / "q.csv"
    p.write_text(f"student_id,school_id\nS0000001,{school_id(1)}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_queue(engine, p)
    assert str(err.value) == (
        f"{p}: missing required column(s) priority_rank, reasons; nothing was imported "
        "(required: student_id, school_id, priority_rank, reasons)"
    )
    _assert_nothing_written(engine)


def test_rank_alias_and_bad_values_are_reported_together(engine, roster, tmp_path):
    p = tmp_path / "q.csv"
    p.write_text(
        "rank,student_id,school_id,reasons\n"
        f"1,S0000001,{school_id(1)},x\n"
        f"first,S0000002,{school_id(0)},x\n"
        f"3,S0000004,{school_id(1)},x\n"  # roster says school 0
        "4,S0000006,1964733,x\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        import_queue(engine, p)
    assert str(err.value) == (
        # named as the file spells it ("rank"), not as the database does ("priority_rank")
        f"{p}: rejected, nothing was imported: 1 value of column 'rank' that is not "
        "a whole number >= 1 (row 3); 1 school_id value that is not a 14-digit CDS code (row 5); "
        "2 students whose school_id differs from the roster's (rows 4, 5)"
    )
    _assert_nothing_written(engine)


def test_roster_errors_and_leading_zeros(engine, tmp_path):
    p = tmp_path / "students.csv"
    p.write_text(
        "student_id,school_id,home_language,foster\n"
        f"007,{school_id(1)},Spanish,Y\n"
        f"007,{school_id(1)},Spanish,Y\n"
        f"008,{school_id(1)},Spanish,maybe\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        import_roster(engine, p)
    assert str(err.value) == (
        f"{p}: rejected, nothing was imported: 1 duplicate student row (row 3); "
        "1 value of column 'foster' that is not Y or N (row 4; accepted: Y or N (also Yes/No, "
        "true/false, 1/0; blank or NA when not known))"
    )
    assert _count(engine, Student) == 0
    p.write_text(f"student_id,school_id,home_language\n007,{school_id(1)},Spanish\n",
                 encoding="utf-8")
    import_roster(engine, p)
    with read_session(engine) as s:
        st = s.get(Student, "007")
    assert (st.student_id, st.home_language) == ("007", "spanish")


def test_empty_and_missing_files(engine, tmp_path):
    with pytest.raises(InputError, match=r"q\.csv: file not found"):
        import_queue(engine, tmp_path / "q.csv")
    (tmp_path / "e.csv").write_text("", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_queue(engine, tmp_path / "e.csv")
    assert str(err.value) == f"{tmp_path / 'e.csv'}: the file is empty (no header row)"


def test_the_engagement_pipelines_queue_layout_imports(engine, tmp_path):
    """docs/engagement.md: `priority, student_id, school_id, grade, never_engaged,
    foster_or_homeless, ...`, no home_language (taken from the roster)."""
    (tmp_path / "students.csv").write_text(
        "student_id,school_id,grade,home_language\n"
        f"0042,{school_id(0)},7,Spanish\n0043,{school_id(0)},8,english\n", encoding="utf-8")
    import_roster(engine, tmp_path / "students.csv")
    (tmp_path / "outreach_queue.csv").write_text(
        "priority,student_id,school_id,grade,never_engaged,foster_or_homeless,"
        "current_absence_streak,chronically_absent,absence_rate,missing,sb98_weeks_flagged,"
        "last_present_date,last_activity_date,reasons\n"
        f"1,0043,{school_id(0)},8,Y,Y,40,Y,1.0000,Y,8,,,never engaged; foster youth\n"
        f"2,0042,{school_id(0)},7,N,N,12,Y,0.2500,Y,2,2021-01-04,,absent 12 days in a row\n",
        encoding="utf-8")
    assert import_queue(engine, tmp_path / "outreach_queue.csv").opened == 2
    with read_session(engine) as s:
        cases = {c.student_id: c for c in s.scalars(select(Case))}
    assert (cases["0043"].priority_rank, cases["0043"].flags, cases["0043"].home_language) == (
        1, "chronically_absent,foster_or_homeless,missing,never_engaged", "english")
    assert (cases["0042"].priority_rank, cases["0042"].flags, cases["0042"].home_language,
            cases["0042"].reasons) == (2, "chronically_absent,missing", "spanish",
                                        "absent 12 days in a row")
