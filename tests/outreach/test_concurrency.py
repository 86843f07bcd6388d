"""50 concurrent workers write 10,000 contact attempts; none is lost (SQLite WAL and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from equitable.auth._users import create_user
from equitable.outreach import add_contact, import_queue, import_roster
from equitable.outreach._db import read_session, write_session
from equitable.outreach._models import Case, ContactAttempt, User
from equitable.outreach._testing import write_queue, write_roster

WORKERS = 50
PER_WORKER = 200


def test_fifty_workers_ten_thousand_contacts(engine, tmp_path):
    roster = write_roster(tmp_path / "students.csv", 100, n_schools=2)
    import_roster(engine, tmp_path / "students.csv")
    write_queue(tmp_path / "q.csv", roster)
    import_queue(engine, tmp_path / "q.csv")
    admin_id = create_user(engine, "admin", "correct horse battery", "admin")
    with read_session(engine) as s:
        admin = s.get(User, admin_id)
        case_ids = list(s.scalars(select(Case.id).order_by(Case.id)))
    with write_session(engine) as s:  # two workers per case: writes collide on purpose
        assert s.scalar(select(func.count()).select_from(Case)) == 100

    day = dt.date(2021, 3, 1)

    def work(w: int) -> int:
        done = 0
        for i in range(PER_WORKER):
            add_contact(engine, admin, case_ids[(w + i) % len(case_ids)], contacted_on=day,
                        mode="phone", language="english", outcome="no_answer",
                        note=f"w{w} i{i}", today=day)
            done += 1
        return done

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        written = sum(pool.map(work, range(WORKERS)))
    assert written == WORKERS * PER_WORKER == 10_000
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ContactAttempt)) == 10_000
        notes = set(s.scalars(select(ContactAttempt.note)))
    assert notes == {f"w{w} i{i}" for w in range(WORKERS) for i in range(PER_WORKER)}
