"""Regressions found by following docs/outreach.md as a new user on `equitable synth` data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from equitable.outreach import assign_caseloads, create_user, import_queue, import_roster
from equitable.outreach._db import read_session
from equitable.outreach._models import Case, Student, language_name
from equitable.outreach._testing import school_id


@pytest.fixture
def run(capsys):
    from equitable.cli import main

    def _run(*args):
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_language_name_maps_codes_and_names_to_one_spelling():
    assert [language_name(x) for x in ("es", "ES", "Spanish", " spanish ", "hy", "zh", "", None,
                                       "klingon")] == [
        "spanish", "spanish", "spanish", "spanish", "armenian", "chinese", "", "", "klingon"]


def test_iso_coded_roster_matches_workers_who_speak_the_language_by_name(engine, tmp_path):
    # `equitable synth` (and many SIS exports) write ISO 639-1 codes: en, es. The worker is
    # created as the docs say, --languages english,spanish. Before the fix no case matched.
    (tmp_path / "students.csv").write_text(
        "student_id,school_id,home_language\n"
        f"A1,{school_id(0)},es\nA2,{school_id(0)},en\nA3,{school_id(0)},Spanish\n"
        f"A4,{school_id(0)},ko\n")
    import_roster(engine, tmp_path / "students.csv")
    (tmp_path / "q.csv").write_text(
        "priority,student_id,school_id,reasons\n"
        f"1,A1,{school_id(0)},absent\n2,A2,{school_id(0)},absent\n3,A3,{school_id(0)},absent\n"
        f"4,A4,{school_id(0)},absent\n")
    import_queue(engine, tmp_path / "q.csv")
    with read_session(engine) as s:
        assert dict(s.execute(select(Student.student_id, Student.home_language)).all()) == {
            "A1": "spanish", "A2": "english", "A3": "spanish", "A4": "korean"}
    create_user(engine, "ana", "correct horse battery", "outreach_worker",
                languages="english,es", capacity=10)
    result = assign_caseloads(engine)
    with read_session(engine) as s:
        assigned = {sid for sid, w in s.execute(select(Case.student_id, Case.assigned_worker_id))
                    if w is not None}
    assert assigned == {"A1", "A2", "A3"}
    assert sorted(result.unassigned.values()) == ["no worker speaks korean"]


def test_quoted_line_break_stays_in_its_field_and_rows_are_file_lines(sqlite_engine, tmp_path,
                                                                      run):
    db = sqlite_engine.url.render_as_string(hide_password=False)
    (tmp_path / "students.csv").write_text(
        f"student_id,school_id\nB1,{school_id(0)}\nB2,{school_id(0)}\n")
    import_roster(sqlite_engine, tmp_path / "students.csv")
    head = "priority,student_id,school_id,reasons\n"
    first = f'1,B1,{school_id(0)},"absent 10 days\nno platform activity"\n'
    (tmp_path / "bad.csv").write_text(head + first + f"2,B2,{school_id(1)},absent\n")
    code, _, err = run("outreach", "import", tmp_path / "bad.csv", "--db", db)
    assert code == 1  # record 2 starts on line 4 of the file, not line 3
    assert err == (f"Error: {tmp_path / 'bad.csv'}: rejected, nothing was imported: 1 student "
                   "whose school_id differs from the roster's (row 4)\n")
    (tmp_path / "q.csv").write_text(head + first + f"2,B2,{school_id(0)},absent\n")
    assert run("outreach", "import", tmp_path / "q.csv", "--db", db)[0] == 0
    with read_session(sqlite_engine) as s:
        assert s.scalar(select(Case.reasons).where(Case.student_id == "B1")) == (
            "absent 10 days\nno platform activity")


def test_roster_folder_latin1_and_unreachable_database(tmp_path, run):
    db = f"sqlite:///{tmp_path / 'o.db'}"
    assert run("outreach", "roster", tmp_path, "--db", db) == (
        1, "", f"Error: {tmp_path}: is a folder, not a CSV file\n")
    (tmp_path / "l.csv").write_bytes(
        f"student_id,school_id,home_language\nC1,{school_id(0)},Espa\xf1ol\n".encode("latin-1"))
    # the ñ is byte 0xf1 in Latin-1, on line 2: its value and line, not its offset (byte 57)
    assert run("outreach", "roster", tmp_path / "l.csv", "--db", db) == (
        1, "", (f"Error: {tmp_path / 'l.csv'}, row 2: not UTF-8 text (byte 0xf1); save the file "
                "as 'CSV UTF-8' (Excel) or convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8\n"))
    bad = "sqlite:////nonexistent-folder-for-equitable/x.db"
    assert run("outreach", "roster", tmp_path / "l.csv", "--db", bad) == (
        1, "", f"Error: cannot open the database {bad}: unable to open database file\n")
