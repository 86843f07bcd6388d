"""Server-side sessions: sign-out, a password change, disabling an account and an administrator
end them on the server; idle timeout and maximum age (OWASP Session Management Cheat Sheet)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import PASSWORD, csrf_of, login

from equitable.auth import _sessions
from equitable.auth._sessions import end_session, resolve_session, start_session
from equitable.auth._users import set_active, set_password
from equitable.outreach._db import read_session
from equitable.outreach._models import User, WebSession
from equitable.web import create_app, load_settings
from equitable.web._app import SESSION_COOKIE

IDLE = dt.timedelta(minutes=30)
MAX_AGE = dt.timedelta(hours=8)


def _signed_in(client: TestClient) -> bool:
    r = client.get("/staff/", follow_redirects=False)
    if r.status_code == 200:
        return True
    assert r.status_code == 303 and r.headers["location"].startswith("/login"), r.status_code
    return False


def _replay(app, cookie: str) -> TestClient:
    """A new browser that presents a copy of a captured session cookie."""
    c = TestClient(app)
    c.cookies.set(SESSION_COOKIE, cookie)
    return c


def _reasons(engine) -> list[tuple[str, str | None]]:
    with read_session(engine) as s:
        return [(u, r) for u, r in s.execute(
            select(User.username, WebSession.end_reason).join(User, User.id == WebSession.user_id)
            .order_by(WebSession.id))]


def test_a_cookie_captured_before_sign_out_is_refused_after(db_url, tmp_path, seed_fn):
    app = create_app(load_settings(dev=True, database_url=db_url))
    seed_fn(app.state.engine, tmp_path)
    try:
        with TestClient(app) as c:
            assert login(c, "worker1").status_code == 303
            assert _signed_in(c)
            captured = c.cookies[SESSION_COOKIE]
            assert _signed_in(_replay(app, captured))  # a copy works while the session is open
            r = c.post("/logout", data={"csrf_token": csrf_of(c.get("/account").text)},
                       follow_redirects=False)
            assert r.status_code == 303
        thief = _replay(app, captured)
        assert not _signed_in(thief)
        assert _reasons(app.state.engine) == [("worker1", "logout")]
    finally:
        app.state.engine.dispose()


def test_a_password_change_and_disabling_end_every_session(app_and_ids):
    app, _ = app_and_ids
    engine = app.state.engine
    phone, laptop = TestClient(app), TestClient(app)
    for c in (phone, laptop):
        assert login(c, "worker1").status_code == 303
    set_password(engine, "worker1", "a brand new passphrase")
    assert not _signed_in(phone) and not _signed_in(laptop)
    assert login(laptop, "worker1", "a brand new passphrase").status_code == 303
    assert _signed_in(laptop)
    assert set_active(engine, "worker1", False) == 1
    assert not _signed_in(laptop)
    assert login(laptop, "worker1", "a brand new passphrase").status_code == 400
    assert _reasons(engine) == [("worker1", "password"), ("worker1", "password"),
                                ("worker1", "disabled")]


def test_changing_ones_password_ends_the_other_sessions(app_and_ids):
    app, _ = app_and_ids
    laptop, phone = TestClient(app), TestClient(app)
    for c in (laptop, phone):
        assert login(c, "staff1").status_code == 303
    token = csrf_of(laptop.get("/account").text)
    form = {"csrf_token": token, "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "new_password_again": "a brand new passphrase"}
    r = laptop.post("/account/password", data={**form, "current_password": "not my password"})
    assert r.status_code == 422 and "The current password is wrong." in r.text
    r = laptop.post("/account/password", data={**form, "new_password_again": "something else"})
    assert r.status_code == 422 and "The two new passwords differ." in r.text
    assert _signed_in(phone)
    r = laptop.post("/account/password", data=form)
    assert r.status_code == 200 and "your other sessions have ended" in r.text
    assert _signed_in(laptop)  # this browser got a new session
    assert not _signed_in(phone)
    assert login(phone, "staff1").status_code == 400
    assert login(phone, "staff1", "a brand new passphrase").status_code == 303
    assert _reasons(app.state.engine)[:2] == [("staff1", "password"), ("staff1", "password")]


def test_idle_timeout_and_maximum_age(app_and_ids, monkeypatch):
    app, _ = app_and_ids
    t0 = dt.datetime.now(dt.UTC)
    clock = {"now": t0}
    monkeypatch.setattr(_sessions, "utcnow", lambda: clock["now"])
    busy, idle = TestClient(app), TestClient(app)
    assert login(busy, "worker1").status_code == 303
    assert login(idle, "staff1").status_code == 303
    # used every 20 minutes: alive after 100 minutes; unused for 30 minutes: ended
    for minutes in (20, 40, 60, 80, 100):
        clock["now"] = t0 + dt.timedelta(minutes=minutes)
        assert _signed_in(busy), minutes
    assert not _signed_in(idle)
    # used all day, but 8 hours after sign-in it ends
    for minutes in range(120, 8 * 60, 20):
        clock["now"] = t0 + dt.timedelta(minutes=minutes)
        assert _signed_in(busy), minutes
    clock["now"] = t0 + dt.timedelta(hours=8)
    assert not _signed_in(busy)
    assert sorted(_reasons(app.state.engine)) == [("staff1", "idle"), ("worker1", "expired")]


def test_an_administrator_sees_and_ends_sessions(app_and_ids, client_for):
    app, ids = app_and_ids
    worker = client_for("outreach_worker")
    admin = client_for("admin")
    page = admin.get("/staff/sessions")
    assert page.status_code == 200
    assert "worker1" in page.text and "admin1" in page.text
    token = csrf_of(page.text)
    r = admin.post(f"/staff/users/{ids['worker_id']}/sessions/end",
                   data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert not _signed_in(worker)
    assert "worker1" not in admin.get("/staff/sessions").text
    # one session by its id
    assert login(worker, "worker1").status_code == 303
    with read_session(app.state.engine) as s:
        sid = s.scalar(select(WebSession.id).where(WebSession.ended_at.is_(None),
                                                   WebSession.user_id == ids["worker_id"]))
    admin.post(f"/staff/sessions/{sid}/end", data={"csrf_token": token})
    assert not _signed_in(worker)
    # disabling the account ends its sessions and keeps it out
    assert login(worker, "worker1").status_code == 303
    admin.post(f"/staff/users/{ids['worker_id']}/disable", data={"csrf_token": token})
    assert not _signed_in(worker)
    assert login(worker, "worker1").status_code == 400
    assert _signed_in(admin)
    assert [r for u, r in _reasons(app.state.engine) if u == "worker1"] == [
        "admin", "admin", "disabled"]


@pytest.mark.parametrize("reason", ["logout", "admin"])
def test_session_rows_on_both_databases(engine, reason):
    """The 0002 migration's table on SQLite and PostgreSQL: times come back comparable (aware
    or naive UTC), the token is stored hashed, an ended session stays ended."""
    from equitable.outreach import create_user

    uid = create_user(engine, "w1", "correct horse battery", "outreach_worker")
    t0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    token = start_session(engine, uid, "203.0.113.7", now=t0)
    with read_session(engine) as s:
        row = s.scalar(select(WebSession))
    assert token not in (row.token_hash, row.address) and len(row.token_hash) == 64
    assert resolve_session(engine, token, idle=IDLE, max_age=MAX_AGE,
                           now=t0 + dt.timedelta(minutes=29)).username == "w1"
    assert resolve_session(engine, token, idle=IDLE, max_age=MAX_AGE,
                           now=t0 + dt.timedelta(minutes=58)).username == "w1"  # touched at 29
    if reason == "logout":
        assert end_session(engine, token) == 1
    else:
        assert _sessions.end_user_sessions(engine, uid, "admin") == 1
    assert resolve_session(engine, token, idle=IDLE, max_age=MAX_AGE,
                           now=t0 + dt.timedelta(minutes=59)) is None
    assert resolve_session(engine, "not-a-token", idle=IDLE, max_age=MAX_AGE) is None
    assert _reasons(engine) == [("w1", reason)]
