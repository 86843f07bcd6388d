"""The staff console on both databases: sign in, log a contact, read the disclosure log."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from equitable.outreach._db import read_session
from equitable.outreach._models import ContactAttempt, DisclosureLog
from equitable.web import create_app, load_settings


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_console_round_trip(db_url, tmp_path, seed_fn):
    app = create_app(load_settings(dev=True, database_url=db_url))
    ids = seed_fn(app.state.engine, tmp_path)
    try:
        with TestClient(app) as c:
            c.post("/login", data={"username": "staff1", "password": "correct horse battery",
                                   "csrf_token": _token(c.get("/login").text)})
            page = c.get(f"/staff/cases/{ids['case_all']}")
            assert page.status_code == 200
            r = c.post(f"/staff/cases/{ids['case_all']}/contacts",
                       data={"contacted_on": "2021-03-01", "mode": "home_visit",
                             "language": "Spanish", "outcome": "moved",
                             "csrf_token": _token(page.text)},
                       headers={"HX-Request": "true"})
            assert r.status_code == 200 and "Contact attempt saved." in r.text
            assert "Home visit" in r.text
        with read_session(app.state.engine) as s:
            contacts = [(x.mode, x.language, x.outcome) for x in s.scalars(select(ContactAttempt))]
            log = [(x.username, x.action, x.student_id) for x in s.scalars(select(DisclosureLog))]
        assert contacts == [("home_visit", "spanish", "moved")]
        # the queue after sign-in (staff1's school: three students), the case page, and the
        # case panel the htmx form swapped in: every response that showed a student is logged
        assert log == [("staff1", "view", "S0000000"), ("staff1", "view", "S0000002"),
                       ("staff1", "view", "S0000004"), ("staff1", "view", "S0000000"),
                       ("staff1", "view", "S0000000")]
    finally:
        app.state.engine.dispose()
