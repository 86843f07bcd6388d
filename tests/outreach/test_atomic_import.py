"""A server killed in the middle of an import leaves no half-imported batch (SIGKILL, both DBs)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from sqlalchemy import func, select

from equitable.outreach import import_queue, import_roster
from equitable.outreach._db import read_session
from equitable.outreach._models import Case, ImportBatch
from equitable.outreach._testing import write_queue, write_roster

# The child imports the queue; after two chunks of cases are written to the database inside the
# open transaction, it signals the parent and sleeps, and the parent kills it with
# SIGKILL: no handler, no rollback, no cleanup runs in the child.
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sqlalchemy import Engine, event
    from equitable.outreach import import_queue, make_engine

    url, queue, flag = sys.argv[1:4]
    chunks = []

    @event.listens_for(Engine, "after_cursor_execute")
    def _after_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO OUTREACH_CASE"):
            chunks.append(1)
            if len(chunks) == 2:  # two chunks of 2,000 cases written, one to go
                Path(flag).write_text("half-written")
                time.sleep(120)

    import_queue(make_engine(url), queue)
    """
)


def _counts(engine):
    with read_session(engine) as s:
        return (s.scalar(select(func.count()).select_from(Case)),
                s.scalar(select(func.count()).select_from(ImportBatch)))


def test_killed_import_leaves_nothing_and_a_retry_succeeds(engine, db_url, tmp_path):
    roster = write_roster(tmp_path / "students.csv", 6000, n_schools=4)
    import_roster(engine, tmp_path / "students.csv")
    write_queue(tmp_path / "q.csv", roster)
    flag = tmp_path / "flag"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url, str(tmp_path / "q.csv"), str(flag)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy(),
    )
    deadline = time.monotonic() + 90
    while not flag.exists():
        assert child.poll() is None, child.stderr.read().decode()
        assert time.monotonic() < deadline, "the child never reached the middle of the import"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    # 4,000 case rows had been written inside the transaction; none of them survive
    assert _counts(engine) == (0, 1)  # no case, only the roster's batch
    res = import_queue(engine, tmp_path / "q.csv")
    assert res.opened == 6000
    assert _counts(engine) == (6000, 2)
