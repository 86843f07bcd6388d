"""The authorization matrix: every route of the app, with every role (and nobody signed in).

A route missing from MATRIX fails the test, so a new route cannot ship without its row.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Route

ROLES = (None, "admin", "school_staff", "outreach_worker", "partner")
LOGIN = "login"  # redirected to the login page


def _row(anon, admin, staff, worker, partner):
    return dict(zip(ROLES, (anon, admin, staff, worker, partner)))


ALL_SIGNED_IN_200 = _row(LOGIN, 200, 200, 200, 200)
ALL_SIGNED_IN_303 = _row(LOGIN, 303, 303, 303, 303)
ADMIN_ONLY = _row(LOGIN, 200, 403, 403, 403)
EXPORTERS = _row(LOGIN, 200, 200, 403, 403)

# (method, path template) -> (form data, expected status per role)
MATRIX = {
    # the public dashboard (equitable.web.dashboard); no results folder here: 503 for everyone
    ("GET", "/"): (None, _row(503, 503, 503, 503, 503)),
    ("GET", "/schools.csv"): (None, _row(503, 503, 503, 503, 503)),
    ("GET", "/schools/{cds_code}"): (None, _row(503, 503, 503, 503, 503)),
    ("GET", "/schools/{cds_code}/{table}.csv"): (None, _row(503, 503, 503, 503, 503)),
    ("GET", "/map"): (None, _row(503, 503, 503, 503, 503)),
    ("GET", "/map.csv"): (None, _row(503, 503, 503, 503, 503)),
    ("GET", "/map/tracts.svg"): (None, _row(503, 503, 503, 503, 503)),
    ("GET", "/explorer"): (None, _row(503, 503, 503, 503, 503)),
    ("GET", "/explorer.csv"): (None, _row(503, 503, 503, 503, 503)),
    ("GET", "/methods"): (None, _row(503, 503, 503, 503, 503)),
    ("GET", "/methods/tiers.csv"): (None, _row(503, 503, 503, 503, 503)),
    ("GET", "/healthz"): (None, _row(200, 200, 200, 200, 200)),
    ("GET", "/favicon.ico"): (None, _row(204, 204, 204, 204, 204)),
    # the language paths people type: the home page in that language, for everyone (issue 14)
    ("GET", "/es"): (None, _row(307, 307, 307, 307, 307)),
    ("GET", "/es/"): (None, _row(307, 307, 307, 307, 307)),
    ("GET", "/en"): (None, _row(307, 307, 307, 307, 307)),
    ("GET", "/en/"): (None, _row(307, 307, 307, 307, 307)),
    ("GET", "/login"): (None, _row(200, 200, 200, 200, 200)),
    ("POST", "/login"): ({"username": "nobody", "password": "wrong password"},
                         _row(400, 400, 400, 400, 400)),
    ("POST", "/logout"): ({}, _row(303, 303, 303, 303, 303)),
    ("GET", "/account"): (None, ALL_SIGNED_IN_200),
    ("POST", "/account"): ({"ui_language": "en"}, ALL_SIGNED_IN_200),
    ("POST", "/account/password"): ({"current_password": "wrong"},
                                    _row(LOGIN, 422, 422, 422, 422)),
    ("GET", "/staff/"): (None, ALL_SIGNED_IN_200),
    ("GET", "/staff/cases/{case_id}"): (None, ALL_SIGNED_IN_200),
    ("GET", "/staff/day"): (None, ALL_SIGNED_IN_200),
    ("GET", "/staff/cases/{case_id}/contact"): (None, ALL_SIGNED_IN_200),
    ("POST", "/staff/cases/{case_id}/contacts"): (
        {"contacted_on": "2021-03-01", "mode": "phone", "language": "spanish",
         "outcome": "reached"}, ALL_SIGNED_IN_303),
    ("POST", "/staff/cases/{case_id}/referrals"): ({"kind": "food"}, ALL_SIGNED_IN_303),
    # a partner records contacts and referrals but never changes a case's status (15.7)
    ("POST", "/staff/cases/{case_id}/status"): ({"status": "open"},
                                                _row(LOGIN, 303, 303, 303, 403)),
    ("POST", "/staff/cases/{case_id}/details"): ({"disengagement_reason": "work"},
                                                 ALL_SIGNED_IN_303),
    ("POST", "/staff/cases/{case_id}/assign"): ({"worker_id": "", "organization_id": ""},
                                                _row(LOGIN, 303, 403, 403, 403)),
    ("GET", "/staff/cases/{case_id}/notice"): (None, ALL_SIGNED_IN_200),
    ("GET", "/staff/summary"): (None, ALL_SIGNED_IN_200),
    ("GET", "/staff/export"): (None, EXPORTERS),
    ("POST", "/staff/export"): ({"purpose": "monthly board report", "status": "all"}, EXPORTERS),
    ("GET", "/staff/audit"): (None, ADMIN_ONLY),
    ("GET", "/staff/audit.csv"): (None, ADMIN_ONLY),
    ("GET", "/staff/workload"): (None, ADMIN_ONLY),
    ("POST", "/staff/workload/preview"): ({}, ADMIN_ONLY),
    ("POST", "/staff/workload/apply"): ({"digest": "stale"}, _row(LOGIN, 409, 403, 403, 403)),
    ("GET", "/staff/sessions"): (None, ADMIN_ONLY),
    ("POST", "/staff/sessions/{session_id}/end"): ({}, _row(LOGIN, 303, 403, 403, 403)),
    ("POST", "/staff/users/{user_id}/sessions/end"): ({}, _row(LOGIN, 303, 403, 403, 403)),
    ("POST", "/staff/users/{user_id}/disable"): ({}, _row(LOGIN, 303, 403, 403, 403)),
}


def _fill(template: str, ids: dict, case: str = "case_all") -> str:
    """A path of the template: the case, the outreach worker's id, a session that does not exist."""
    return (template.replace("{case_id}", str(ids[case]))
            .replace("{user_id}", str(ids["worker_id"])).replace("{session_id}", "2147483647"))


@pytest.fixture(autouse=True)
def _no_dashboard_results(monkeypatch, tmp_path):
    """The dashboard's results folder does not exist here (its pages answer 503), whatever
    out/lausd holds in the working directory; tests/web/dashboard covers them with data."""
    monkeypatch.setenv("EQUITABLE_DASHBOARD_RESULTS", str(tmp_path / "no-results"))


def _routes(app):
    """Every (method, path) the app answers: the OpenAPI paths (every included router's
    routes) plus the app's own routes kept out of the schema."""
    out = [(m.upper(), path) for path, ops in app.openapi()["paths"].items() for m in ops]
    for r in app.routes:
        if isinstance(r, (APIRoute, Route)):
            out += [(m, r.path) for m in sorted(r.methods - {"HEAD"})]
    return out


def _public_dashboard_routes() -> set:
    """The routes of the public dashboard package (issue 8), when it is installed."""
    try:
        from equitable.web.dashboard import router
    except ModuleNotFoundError:
        return set()
    return {(m, r.path) for r in router.routes if isinstance(r, APIRoute)
            for m in r.methods - {"HEAD"}}


def _expected_routes() -> set:
    public = _public_dashboard_routes()
    staff = set(MATRIX)
    if public:
        staff.discard(("GET", "/"))  # the dashboard owns "/"
    return staff | public


def test_every_route_is_in_the_matrix(app_and_ids):
    app, _ = app_and_ids
    routes = set(_routes(app))
    expected = _expected_routes()
    assert routes == expected, (
        f"missing from MATRIX: {sorted(routes - expected)}; "
        f"stale in MATRIX: {sorted(expected - routes)}")


def test_public_dashboard_routes_are_read_only_and_need_no_user():
    """Public pages (no login) may only read: GET, no user dependency, outside the staff paths;
    their pages are tested for every language by the dashboard's own tests."""
    from equitable.web.deps import current_user, optional_user

    public = _public_dashboard_routes()
    if not public:
        pytest.skip("the public dashboard package is not installed")
    assert {m for m, _ in public} == {"GET"}
    # the staff console lives under /staff/ (a public page may be /staffing)
    assert not [p for _, p in public if p == "/staff" or p.startswith(
        ("/staff/", "/login", "/logout", "/account"))]
    from equitable.web.dashboard import router

    def calls(dependant):
        for d in dependant.dependencies:
            yield d.call
            yield from calls(d)

    for r in router.routes:
        if isinstance(r, APIRoute):
            used = set(calls(r.dependant))
            assert current_user not in used and optional_user not in used, r.path


def _call(client, method, path, data, token):
    if method == "GET":
        return client.get(path, follow_redirects=False)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def _token(client) -> str:
    return client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_matrix(app_and_ids, client_for, role):
    _, ids = app_and_ids
    client = client_for(role)
    # sign-out last: it ends the session the other calls use
    dashboard = bool(_public_dashboard_routes())
    for (method, template), (data, expected) in sorted(
            MATRIX.items(), key=lambda kv: kv[0] == ("POST", "/logout")):
        if dashboard and (method, template) == ("GET", "/"):
            continue  # the public dashboard's page (tested with its data by its own tests)
        path = _fill(template, ids)
        token = _token(client)
        r = _call(client, method, path, data or {}, token)
        want = expected[role]
        if want == LOGIN:
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), (
                method, path, role, r.status_code)
        else:
            assert r.status_code == want, (method, path, role, r.status_code, r.text[:300])


@pytest.mark.parametrize("role", ["school_staff", "outreach_worker", "partner"])
def test_a_case_out_of_scope_is_404_on_every_case_route(app_and_ids, client_for, role):
    _, ids = app_and_ids
    client = client_for(role)
    token = _token(client)
    for (method, template), (data, expected) in MATRIX.items():
        if "{case_id}" not in template or expected[role] == 403:
            continue
        path = _fill(template, ids, "case_admin_only")
        r = _call(client, method, path, data or {}, token)
        assert r.status_code == 404, (method, path, role, r.status_code)
    assert re.search(r"S0000001", client.get("/staff/?status=all").text) is None


def test_every_unsafe_request_needs_the_csrf_token(app_and_ids, client_for):
    _, ids = app_and_ids
    client = client_for("admin")
    for (method, template), (data, _) in MATRIX.items():
        if method != "POST":
            continue
        path = _fill(template, ids)
        r = client.post(path, data={**(data or {}), "csrf_token": "forged"},
                        follow_redirects=False)
        assert r.status_code == 403, (path, r.status_code)
        r = client.post(path, data=data or {}, follow_redirects=False)
        assert r.status_code == 403, (path, r.status_code)
    # a same-token request from another site is refused too
    r = client.post("/staff/export", data={"purpose": "x" * 10, "csrf_token": _token(client)},
                    headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert r.status_code == 403
