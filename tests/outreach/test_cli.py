"""`equitable outreach ...` and `equitable serve` from the command line: exact messages."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from equitable.outreach._testing import school_id, write_queue, write_roster


class Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def run(capsys, monkeypatch):
    """Run ``equitable ...`` in this process (the console script's ``main``)."""
    from equitable.cli import main

    def _run(*args, env_extra=None):
        for k, v in (env_extra or {}).items():
            monkeypatch.setenv(k, v)
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return _run


def test_roster_import_assign_and_errors(tmp_path, run):
    db = f"sqlite:///{tmp_path / 'o.db'}"
    roster = write_roster(tmp_path / "students.csv", 4, n_schools=1)
    write_queue(tmp_path / "q.csv", roster, 3)
    r = run("outreach", "import", str(tmp_path / "q.csv"), "--db", db)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr == (
        f"Error: {tmp_path / 'q.csv'}: rejected, nothing was imported: 3 unknown students, "
        "not on the roster (rows 2, 3, 4; import the roster first with 'equitable outreach "
        "roster')\n")
    r = run("outreach", "roster", str(tmp_path / "students.csv"), "--db", db)
    assert r.stdout == "roster: 4 rows; 4 new, 0 updated, 0 unchanged\n"
    r = run("outreach", "import", str(tmp_path / "q.csv"), "--db", db)
    assert r.stdout == "queue: 3 rows; 3 new, 0 updated, 0 unchanged\n"
    r = run("outreach", "import", str(tmp_path / "q.csv"), "--db", db)
    assert r.stdout == "queue: this file was already imported; nothing changed\n"
    r = run("outreach", "user", "add", "w1", "--role", "outreach_worker", "--languages",
            "english,spanish", "--capacity", "2", "--password-env", "PW", "--db", db,
            env_extra={"PW": "correct horse battery"})
    assert r.stdout == "user w1 created (outreach_worker)\n", r.stderr
    r = run("outreach", "user", "add", "w2", "--role", "outreach_worker", "--password-env",
            "PW", "--db", db, env_extra={"PW": "short"})
    assert r.stderr == "Error: the password must have at least 12 characters\n"
    r = run("outreach", "assign", "--db", db, "-o", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert "assigned: 2; unassignable: 1; changed: 2" in r.stdout
    assert "unassignable, every worker who speaks" in r.stdout
    lines = (tmp_path / "out" / "workload.csv").read_text().splitlines()
    assert lines == ["worker,languages,capacity,assigned,kept,mean_km",
                     "w1,english,spanish,2,2,0,25.000".replace("english,spanish",
                                                               '"english,spanish"')]
    assert (tmp_path / "out" / "run.json").exists()


def test_serve_without_a_session_secret_is_a_clear_error(tmp_path):
    env = os.environ.copy()
    env.pop("EQUITABLE_SESSION_SECRET", None)
    r = subprocess.run([sys.executable, "-m", "equitable.cli", "serve", "--db",
                        f"sqlite:///{tmp_path / 'o.db'}"], capture_output=True, text=True,
                       env=env, check=False)
    assert r.returncode == 1
    assert r.stderr.startswith("Error: EQUITABLE_SESSION_SECRET is not set: set it to a random "
                               "string of at least 32 characters")


def test_org_agreement_bad_date(tmp_path, run):
    db = f"sqlite:///{tmp_path / 'o.db'}"
    assert run("outreach", "org", "add", "Family Aid", "--db", db).returncode == 0
    r = run("outreach", "org", "agreement", "Family Aid", "--signed", "2021-13-01", "--expires",
            "2022-01-01", "--purpose", "food", "--db", db)
    assert r.stderr == "Error: --signed must be a date as YYYY-MM-DD. Got '2021-13-01'.\n"
    assert school_id(0) == "19647339000000"


def test_bad_database_urls(run):
    r = run("outreach", "migrate", "--db", "::::")
    assert r.stderr == ("Error: the database URL cannot be parsed (expected e.g. "
                        "sqlite:///file.db)\n")
    r = run("outreach", "migrate", "--db", "mysql://u@h/db")
    assert r.stderr == "Error: unsupported database 'mysql': use sqlite or postgresql\n"
