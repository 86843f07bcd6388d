"""Regressions found by breaking the staff console as a new user: never a 500, never a silent
change; labels in the page's language."""

from __future__ import annotations

from sqlalchemy import select, update

from equitable.outreach._db import read_session, write_session
from equitable.outreach._models import Case


def _csrf(client) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/staff/").text).group(1)


def test_case_id_beyond_the_integer_column_is_422_not_500(client_for):
    c = client_for("admin")
    tok = _csrf(c)
    assert c.get("/staff/cases/99999999999999999999999").status_code == 422
    assert c.get("/staff/cases/2147483648").status_code == 422
    assert c.post("/staff/cases/2147483648/contacts", data={"csrf_token": tok}).status_code == 422
    assert c.get("/staff/audit?page=99999999999999999999").status_code == 200


def test_assign_with_a_bad_worker_or_partner_is_a_form_error_not_an_unassignment(app_and_ids,
                                                                                client_for):
    app, ids = app_and_ids
    c = client_for("admin")
    tok = _csrf(c)
    case = ids["case_all"]
    for data in ({"worker_id": "abc"}, {"worker_id": "99999999999999999999"},
                 {"worker_id": str(ids["worker_id"]), "organization_id": "99999"}):
        r = c.post(f"/staff/cases/{case}/assign", data={"csrf_token": tok, **data})
        assert r.status_code == 422, data
    with read_session(app.state.engine) as s:
        assert s.scalar(select(Case.assigned_worker_id).where(Case.id == case)) == ids["worker_id"]
    r = c.post(f"/staff/cases/{case}/assign",
               data={"csrf_token": tok, "worker_id": "", "organization_id": "99999"})
    assert r.status_code == 422 and "Choose a community partner." in r.text


def test_export_refuses_an_overlong_purpose_and_an_unknown_status(client_for):
    c = client_for("admin")
    tok = _csrf(c)
    r = c.post("/staff/export", data={"csrf_token": tok, "purpose": "x" * 301})
    assert r.status_code == 422 and "Keep the purpose to 300 characters or fewer." in r.text
    r = c.post("/staff/export", data={"csrf_token": tok, "purpose": "attendance review",
                                      "status": "zzz"})
    assert r.status_code == 422 and "Choose a status from the list." in r.text
    r = c.post("/staff/export", data={"csrf_token": tok, "purpose": "x" * 300})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")


def test_flags_and_iso_language_codes_are_shown_in_spanish(app_and_ids, client_for):
    app, ids = app_and_ids
    with write_session(app.state.engine) as s:  # as a database loaded before the fix holds it
        s.execute(update(Case).where(Case.id == ids["case_all"]).values(
            home_language="es", flags="chronically_absent,never_engaged"))
    c = client_for("outreach_worker")  # worker1's interface language is Spanish
    page = c.get(f"/staff/cases/{ids['case_all']}").text
    assert "<dd>Español</dd>" in page
    assert "<dd>Ausentismo crónico, Nunca se conectó</dd>" in page
    queue = c.get("/staff/").text
    assert "(Ausentismo crónico, Nunca se conectó)" in queue
