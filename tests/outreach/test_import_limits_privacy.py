"""Issue 14.6 and 15.1: a value a column cannot hold is one clear error before anything is
written, the same on SQLite and PostgreSQL, and no error, log or traceback carries a student id,
flag or reason (the bound values of a statement)."""

from __future__ import annotations

import logging
import traceback

import pytest
from sqlalchemy import func, select

from equitable.outreach import make_engine, migrate
from equitable.outreach._db import read_session
from equitable.outreach._models import Case, School, Student
from equitable.outreach._testing import school_id

# what must never reach stdout, stderr, a log or a traceback
SECRET_ID = "SECRETSTU0007"
SECRET_ID2 = "SECRETSTU0008"
SECRET_REASON = "home visit: family sleeping in car"
SECRET_FLAG = "undocumented_parent"
SECRETS = (SECRET_ID, SECRET_ID2, SECRET_REASON, SECRET_FLAG, "Kindergarten", "True", "False",
           "'foster'")
SCH = school_id(0)
ROSTER_OK = (f"student_id,school_id,grade,home_language,foster,homeless\n"
             f"{SECRET_ID},{SCH},K,es,Y,N\n{SECRET_ID2},{SCH},3,en,N,Y\n")
QUEUE_HEAD = "priority,student_id,school_id,grade,flags,foster,reasons\n"


def _queue(rank1="1", reason1=SECRET_REASON, flags1=SECRET_FLAG, grade1="K") -> str:
    return (QUEUE_HEAD + f'{rank1},{SECRET_ID},{SCH},{grade1},{flags1},Y,"{reason1}"\n'
            f"2,{SECRET_ID2},{SCH},3,,N,{SECRET_REASON}\n")


# (command, file text, words that must be in the message): each breaks one column's rule
CASES = {
    "roster grade is not a code": (
        "roster", ROSTER_OK.replace(",K,es,", ",Kindergarten,es,"),
        ["r.csv", "row 2", "column 'grade'", "not a grade code"]),
    "roster student_id too long": (
        "roster", ROSTER_OK.replace(SECRET_ID2, SECRET_ID2 + "9" * 60),
        ["row 3", "column 'student_id'", "longer than 64 characters"]),
    "roster home_language too long": (
        "roster", ROSTER_OK.replace(",es,", ",spanish and english at home and quechua too,"),
        ["row 2", "column 'home_language'", "longer than 40 characters"]),
    "queue rank over the 32-bit range": (
        "import", _queue(rank1="3000000000"),
        ["row 2", "column 'priority'", "outside the database's whole-number range"]),
    "queue rank over the 64-bit range": (
        "import", _queue(rank1="9" * 30),
        ["row 2", "column 'priority'", "outside the database's whole-number range"]),
    "queue rank of 5,000 digits": (
        "import", _queue(rank1="7" * 5000),
        ["row 2", "column 'priority'", "outside the database's whole-number range"]),
    "queue grade is not a code": (
        "import", _queue(grade1="Kindergarten"),
        ["row 2", "column 'grade'", "not a grade code"]),
    "queue flags too long": (
        "import", _queue(flags1=";".join(f"{SECRET_FLAG}_{i}" for i in range(12))),
        ["row 2", "column 'flags'", "longer than 200 characters"]),
    "queue 1 MB field": (
        "import", _queue(reason1=SECRET_REASON + "x" * 1_000_000),
        ["q.csv", "row 2", "column 'reasons'", "longer than 131,072 characters"]),
    "queue NUL character": (
        "import", _queue(reason1=SECRET_REASON + "\x00"),
        ["row 2", "column 'reasons'", "NUL character"]),
    "schools name too long and latitude nan": (
        "schools", ("CDSCode,School,Latitude,Longitude\n"
                    f"{SCH},{'Escuela ' * 30},nan,-118.2\n{school_id(1)},Ok,34.1,-118.3\n"),
        ["row 2", "column 'School'", "longer than 200 characters", "column 'Latitude'",
         "not a number"]),
}


@pytest.fixture
def run(capsys, caplog):
    from equitable.cli import main

    def _run(*args):
        caplog.set_level(logging.DEBUG)
        capsys.readouterr()
        tb = ""
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        except Exception:  # noqa: BLE001 - a traceback is a failure; keep its text to check it leaks nothing
            code, tb = "traceback", traceback.format_exc()
        out, err = capsys.readouterr()
        return code, out, err, caplog.text + tb

    return _run


def _counts(url):
    eng = make_engine(url)
    try:
        with read_session(eng) as s:
            return tuple(s.scalar(select(func.count()).select_from(m))
                         for m in (School, Student, Case))
    finally:
        eng.dispose()


def _assert_clean(code, out, err, logged, words):
    assert code == 1, (code, err[-2000:], logged[-2000:])
    assert err.startswith("Error: ") and err.count("\n") == 1, err[:2000]
    for w in words:
        assert w in err, (w, err[:2000])
    text = out + err + logged
    assert "Traceback" not in text
    for secret in SECRETS:
        assert secret not in text, secret


@pytest.mark.parametrize("case", CASES)
def test_a_value_the_column_cannot_hold_is_one_clear_error_on_both_databases(
        case, db_url, tmp_path, run):
    command, text, words = CASES[case]
    migrate(db_url)
    if command == "import":
        (tmp_path / "r.csv").write_text(ROSTER_OK, encoding="utf-8")
        assert run("outreach", "roster", tmp_path / "r.csv", "--db", db_url)[0] == 0
    before = _counts(db_url)
    name = {"roster": "r.csv", "import": "q.csv", "schools": "s.csv"}[command]
    (tmp_path / name).write_text(text, encoding="utf-8")
    code, out, err, logged = run("outreach", command, tmp_path / name, "--db", db_url)
    _assert_clean(code, out, err, logged, words + ["nothing was imported"]
                  if command != "schools" else words)
    assert _counts(db_url) == before  # nothing written


def test_a_database_error_while_writing_names_the_rule_never_the_values(
        db_url, tmp_path, run, monkeypatch):
    """The one place database errors become messages: with the checks before writing switched
    off, the database itself refuses a rank beyond 64 bits (PostgreSQL: integer out of range,
    SQLite: too large for an INTEGER); the message names file, rows and rule, no value."""
    from equitable.outreach import _import

    migrate(db_url)
    (tmp_path / "r.csv").write_text(ROSTER_OK, encoding="utf-8")
    assert run("outreach", "roster", tmp_path / "r.csv", "--db", db_url)[0] == 0
    monkeypatch.setattr(_import, "column_problems", lambda *a, **k: [])
    monkeypatch.setattr(_import, "INT_MAX", 2**80)  # let the rank through unchecked
    (tmp_path / "q.csv").write_text(_queue(rank1=str(2**63 + 5)), encoding="utf-8")
    before = _counts(db_url)
    code, out, err, logged = run("outreach", "import", tmp_path / "q.csv", "--db", db_url)
    _assert_clean(code, out, err, logged, ["q.csv", "rows 2-3", "nothing was imported",
                                           "could not complete the write"
                                           if db_url.startswith("sqlite") else
                                           "outside its column's range"])
    assert _counts(db_url) == before


def test_engines_hide_bound_parameters(db_url):
    eng = make_engine(db_url)
    assert eng.hide_parameters is True
    eng.dispose()


def test_a_valid_roster_and_queue_still_import_with_grade_codes(db_url, tmp_path, run):
    migrate(db_url)
    (tmp_path / "r.csv").write_text(ROSTER_OK.replace(",K,es,", ",k,es,"), encoding="utf-8")
    (tmp_path / "q.csv").write_text(_queue(grade1="TK"), encoding="utf-8")
    assert run("outreach", "roster", tmp_path / "r.csv", "--db", db_url)[:2] == (
        0, "roster: 2 rows; 2 new, 0 updated, 0 unchanged\n")
    assert run("outreach", "import", tmp_path / "q.csv", "--db", db_url)[:2] == (
        0, "queue: 2 rows; 2 new, 0 updated, 0 unchanged\n")
    eng = make_engine(db_url)
    with read_session(eng) as s:
        assert dict(s.execute(select(Student.student_id, Student.grade)).all()) == {
            SECRET_ID: "K", SECRET_ID2: "3"}
        assert dict(s.execute(select(Case.student_id, Case.grade)).all()) == {
            SECRET_ID: "TK", SECRET_ID2: "3"}
    eng.dispose()


def _leaky_error():
    """A database error as PostgreSQL reports a unique violation: its detail and the bound
    parameters quote the student."""
    from sqlalchemy.exc import IntegrityError

    orig = Exception(f'duplicate key value violates unique constraint "outreach_student_pkey"\n'
                     f"DETAIL:  Key (student_id)=({SECRET_ID}) already exists.")
    return IntegrityError("INSERT INTO outreach_student ...",
                          {"student_id": SECRET_ID, "flags": SECRET_FLAG}, orig)


def test_any_database_error_reaching_the_command_line_is_one_line_without_values(
        tmp_path, run, monkeypatch):
    from equitable import outreach

    def boom(*_a, **_k):
        raise _leaky_error()

    monkeypatch.setattr(outreach, "import_roster", boom)
    (tmp_path / "r.csv").write_text(ROSTER_OK, encoding="utf-8")
    code, out, err, logged = run("outreach", "roster", tmp_path / "r.csv", "--db",
                                 f"sqlite:///{tmp_path / 'x.db'}")
    _assert_clean(code, out, err, logged, ["the database refused a value"])


@pytest.mark.parametrize(("args", "message"), [
    (["user", "add", "ana", "--role", "outreach_worker", "--name", "A" * 201],
     "Error: --name: the value is longer than 200 characters\n"),
    (["user", "add", "ana", "--role", "outreach_worker", "--capacity", "3000000000"],
     ("Error: --capacity: the value is outside the database's whole-number range "
      "(-2,147,483,648 to 2,147,483,647)\n")),
    (["user", "add", "ana", "--role", "outreach_worker", "--languages", "x" * 201],
     "Error: --languages: the value is longer than 200 characters\n"),
    (["org", "add", "Aid " * 60],
     "Error: the organization's name: the value is longer than 200 characters\n"),
])
def test_accounts_and_organisations_too_big_for_their_columns_are_clear_errors(
        db_url, run, args, message, monkeypatch):
    monkeypatch.setenv("EQ_TEST_PW", "correct horse battery")
    extra = ["--password-env", "EQ_TEST_PW"] if args[0] == "user" else []
    code, out, err, logged = run("outreach", *args, *extra, "--db", db_url)
    assert (code, out, err) == (1, "", message), logged[-1000:]
