"""Issue 15.1: a database error during a request is logged as the rule broken, never with the
statement's values or PostgreSQL's detail (which quote students), and the page says only that
something went wrong."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from equitable.outreach import _cases

SECRET_ID = "SECRETSTU0042"


def test_a_database_error_in_a_request_leaks_no_student_data(app_and_ids, client_for,
                                                             monkeypatch, caplog):
    _, ids = app_and_ids
    client = client_for("outreach_worker")

    def boom(*_a, **_k):
        orig = Exception('duplicate key value violates unique constraint "x"\n'
                         f"DETAIL:  Key (student_id)=({SECRET_ID}) already exists.")
        raise IntegrityError("INSERT INTO outreach_contact_attempt ...",
                             {"student_id": SECRET_ID, "note": "sleeping in the car"}, orig)

    monkeypatch.setattr(_cases, "add_contact", boom)
    caplog.set_level(logging.DEBUG)
    html = client.get(f"/staff/cases/{ids['case_all']}").text
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(f"/staff/cases/{ids['case_all']}/contacts",
                    data={"contacted_on": "2021-03-01", "mode": "phone", "language": "es",
                          "outcome": "reached", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 500
    assert "Algo salió mal." in r.text  # the worker reads the console in Spanish
    assert (f"database error on POST /staff/cases/{ids['case_all']}/contacts: the database "
            "refused a value") in caplog.text
    for text in (r.text, caplog.text):
        assert SECRET_ID not in text and "sleeping in the car" not in text
        assert "Traceback" not in text
