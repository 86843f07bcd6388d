"""Every response that shows a student record writes its FERPA disclosure row (34 CFR 99.32).

The routes are discovered from ``app.routes`` (a new route cannot escape the test): each one is
called by every role, as a full page and as an htmx partial, with empty form fields (form errors:
422 re-renders) and with valid ones. Every student id in a response body must have a
disclosure row written by that request, and a response about one case (a ``{case_id}`` route
answering 200 or 422) must log that case's student even when it shows no id (the notice).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.web.conftest import login

from equitable.outreach._db import read_session
from equitable.outreach._models import Case, DisclosureLog

STUDENT = re.compile(r"S\d{7}")
# The disclosure log itself: its rows name students, but reading the record of disclosures is not
# a disclosure of an education record (34 CFR 99.32(c): it is kept for the officials responsible
# for the custody of the records); logging each reading would flood the log with itself.
NOT_STUDENT_RECORDS = {"/staff/audit", "/staff/audit.csv"}
VALID = {"contacted_on": "2021-03-01", "mode": "phone", "language": "spanish",
         "outcome": "reached", "kind": "food", "status": "open", "disengagement_reason": "work",
         "purpose": "monthly board report", "ui_language": "en", "worker_id": "",
         "organization_id": ""}


@pytest.fixture(autouse=True)
def _no_dashboard_results(monkeypatch, tmp_path):
    monkeypatch.setenv("EQUITABLE_DASHBOARD_RESULTS", str(tmp_path / "no-results"))


def _log_rows(engine, after: int) -> list[tuple[str, str, int]]:
    with read_session(engine) as s:
        return [(r.action, r.student_id, r.case_id) for r in s.scalars(
            select(DisclosureLog).where(DisclosureLog.id > after).order_by(DisclosureLog.id))]


def _last_id(engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.coalesce(func.max(DisclosureLog.id), 0)))


def _token(client) -> str:
    return client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]


def app_routes(app):
    """Every API route of the app (path, methods, dependant), including those of included
    routers (FastAPI keeps them behind an ``_IncludedRouter`` in ``app.routes``)."""
    for r in app.routes:
        if isinstance(r, APIRoute):
            yield r
        elif hasattr(r, "effective_route_contexts"):
            yield from r.effective_route_contexts()


def _calls(app, ids):
    for r in app_routes(app):
        forms = [p.name for p in r.dependant.body_params]
        path_params = [p.name for p in r.dependant.path_params]
        path = r.path
        for name in path_params:
            path = path.replace("{" + name + "}", str(ids["case_all"]) if name == "case_id"
                                else "x")
        for method in sorted(r.methods - {"HEAD"}):
            variants = [None] if method == "GET" else [
                dict.fromkeys(forms, ""), {f: VALID.get(f, "") for f in forms}]
            for data in variants:
                for hx in (False, True):
                    yield r.path, method, path, data, hx, "case_id" in path_params


@pytest.mark.parametrize("role", ["admin", "school_staff", "outreach_worker", "partner"])
def test_every_route_that_shows_a_student_writes_its_disclosure_rows(app_and_ids, role):
    app, ids = app_and_ids
    engine = app.state.engine
    with read_session(engine) as s:
        student_of_case = s.scalar(select(Case.student_id).where(Case.id == ids["case_all"]))
    user = {"admin": "admin1", "school_staff": "staff1", "outreach_worker": "worker1",
            "partner": "partner1"}[role]
    checked, showing = 0, set()
    for template, method, path, data, hx, about_case in _calls(app, ids):
        with TestClient(app) as client:  # a fresh session: /logout may be among the routes
            assert login(client, user).status_code == 303
            headers = {"HX-Request": "true"} if hx else {}
            before = _last_id(engine)
            if method == "GET":
                r = client.get(path, headers=headers, follow_redirects=False)
            else:
                r = client.post(path, data={**data, "csrf_token": _token(client)},
                                headers=headers, follow_redirects=False)
            rows = _log_rows(engine, before)
        checked += 1
        if template in NOT_STUDENT_RECORDS:
            continue
        shown = set(STUDENT.findall(r.text))
        logged = Counter(sid for _, sid, _ in rows)
        assert shown <= set(logged), (method, path, hx, data, r.status_code,
                                      sorted(shown - set(logged)))
        if shown:
            showing.add((method, template))
        if about_case and r.status_code in (200, 422):
            assert student_of_case in logged, (method, path, hx, data, r.status_code)
            showing.add((method, template))
        if template != "/staff/export":  # a page shows each student once: one row each
            assert all(n == 1 for n in logged.values()), (method, path, logged)
    assert checked > 60
    # the routes that show students to every role: queue, case page, notice, the case forms
    assert {("GET", "/staff/"), ("GET", "/staff/cases/{case_id}"),
            ("GET", "/staff/cases/{case_id}/notice"),
            ("POST", "/staff/cases/{case_id}/contacts")} <= showing


def test_a_queue_page_logs_one_row_per_student_shown(app_and_ids, client_for):
    app, _ = app_and_ids
    client = client_for("admin")
    before = _last_id(app.state.engine)
    page = client.get("/staff/?status=all")
    rows = _log_rows(app.state.engine, before)
    # the six seeded students, each shown once and logged once as a view
    assert sorted(STUDENT.findall(page.text)) == [f"S000000{i}" for i in range(6)]
    assert sorted(sid for _, sid, _ in rows) == [f"S000000{i}" for i in range(6)]
    assert {a for a, _, _ in rows} == {"view"}
    # the htmx partial (the table alone) is logged the same way
    before = _last_id(app.state.engine)
    client.get("/staff/?status=all", headers={"HX-Request": "true", "HX-Target": "queue"})
    assert len(_log_rows(app.state.engine, before)) == 6


def test_a_form_error_that_shows_the_case_is_logged(app_and_ids, client_for):
    app, ids = app_and_ids
    client = client_for("outreach_worker")
    token = _token(client)
    before = _last_id(app.state.engine)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = client.post(f"/staff/cases/{ids['case_all']}/contacts",
                    data={"contacted_on": future, "mode": "phone", "language": "english",
                          "outcome": "reached", "csrf_token": token})
    assert r.status_code == 422 and "S0000000" in r.text
    assert _log_rows(app.state.engine, before) == [("view", "S0000000", ids["case_all"])]


def test_a_notice_is_logged_once_as_a_notice(app_and_ids, client_for):
    app, ids = app_and_ids
    client = client_for("admin")
    before = _last_id(app.state.engine)
    r = client.get(f"/staff/cases/{ids['case_all']}/notice")
    assert r.status_code == 200
    assert _log_rows(app.state.engine, before) == [("notice", "S0000000", ids["case_all"])]
