"""Login throttling that cannot be raced, turned against the real user, or sidestepped with a
forged X-Forwarded-For (OWASP Authentication Cheat Sheet)."""

from __future__ import annotations

import datetime as dt
import threading

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import PASSWORD, csrf_of

from equitable.auth import _users
from equitable.auth._users import MAX_FAILURES_PER_ACCOUNT, attempt_login
from equitable.outreach._db import read_session
from equitable.outreach._models import LoginAttempt
from equitable.web import create_app, load_settings

ATTACKER = ("203.0.113.66", 40000)
REAL_USER = ("198.51.100.7", 40000)


def _post_login(client: TestClient, username: str, password: str, headers=None):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token},
                       headers=headers or {}, follow_redirects=False)


class _CountingHasher(PasswordHasher):
    """Argon2id with small parameters that counts the passwords it checks; each check takes 50
    ms, as a real Argon2id check does, so that parallel requests overlap."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.checked = 0
        self._lock = threading.Lock()

    def verify(self, hash, password):
        with self._lock:
            self.checked += 1
        threading.Event().wait(0.05)
        return super().verify(hash, password)


def test_parallel_wrong_passwords_check_at_most_the_limit(db_url, tmp_path, seed_fn,
                                                          monkeypatch):
    app = create_app(load_settings(dev=True, database_url=db_url))
    seed_fn(app.state.engine, tmp_path)
    hasher = _CountingHasher()
    monkeypatch.setattr(_users, "_hasher", hasher)
    n = 20
    clients = [TestClient(app, client=ATTACKER) for _ in range(n)]
    tokens = [csrf_of(c.get("/login").text) for c in clients]
    barrier = threading.Barrier(n)
    statuses: list[int] = []

    def attack(i: int) -> None:
        barrier.wait()
        r = clients[i].post("/login", data={"username": "admin1", "password": f"guess {i}",
                                            "csrf_token": tokens[i]}, follow_redirects=False)
        statuses.append(r.status_code)

    threads = [threading.Thread(target=attack, args=(i,)) for i in range(n)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert hasher.checked == 5
        assert sorted(statuses) == [400] * 5 + [429] * 15
        with read_session(app.state.engine) as s:
            assert len(list(s.scalars(select(LoginAttempt)))) == 5
    finally:
        for c in clients:
            c.close()
        app.state.engine.dispose()


def test_a_burst_slows_the_attackers_address_not_the_real_user(app_and_ids, monkeypatch):
    app, _ = app_and_ids
    t0 = dt.datetime.now(dt.UTC)
    clock = {"now": t0}
    monkeypatch.setattr(_users, "utcnow", lambda: clock["now"])
    attacker, user = TestClient(app, client=ATTACKER), TestClient(app, client=REAL_USER)
    for _ in range(5):
        assert _post_login(attacker, "admin1", "wrong guess").status_code == 400
    r = _post_login(attacker, "admin1", "wrong guess")
    assert r.status_code == 429 and r.headers["retry-after"] == "60"
    # the real user, at their own address, signs in at once
    assert _post_login(user, "admin1", PASSWORD).status_code == 303
    # the attacker's delay doubles with each failure: 1, 2, 4 minutes
    for waited, next_wait in ((61, "120"), (121, "240"), (241, "480")):
        clock["now"] += dt.timedelta(seconds=waited - 2)
        assert _post_login(attacker, "admin1", "wrong guess").status_code == 429
        clock["now"] += dt.timedelta(seconds=2)
        assert _post_login(attacker, "admin1", "wrong guess").status_code == 400
        r = _post_login(attacker, "admin1", "wrong guess")
        assert r.status_code == 429 and r.headers["retry-after"] == next_wait
    # a success from that address clears its count
    clock["now"] += dt.timedelta(minutes=8)
    assert _post_login(attacker, "admin1", PASSWORD).status_code == 303
    assert _post_login(TestClient(app, client=ATTACKER), "admin1", "wrong").status_code == 400


def test_guessing_spread_over_many_addresses_has_a_ceiling(sqlite_engine, monkeypatch):
    from equitable.outreach import create_user

    create_user(sqlite_engine, "ana", PASSWORD, "admin")
    t0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    for i in range(MAX_FAILURES_PER_ACCOUNT):
        now = t0 + dt.timedelta(seconds=i)
        assert attempt_login(sqlite_engine, "ana", "guess", f"10.0.{i}.1", now=now) == (
            _users.LoginResult(None, 0))
    now = t0 + dt.timedelta(seconds=60)
    refused = attempt_login(sqlite_engine, "ana", PASSWORD, "192.0.2.200", now=now)
    # refused until the first failure is 15 minutes old: 900 s after t0, 840 s from now
    assert refused.user is None and refused.retry_after == 840
    ok = attempt_login(sqlite_engine, "ana", PASSWORD, "192.0.2.200",
                       now=t0 + dt.timedelta(seconds=901))
    assert ok.user is not None and ok.user.username == "ana"


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(app_and_ids, tmp_path, seed_fn):
    app, _ = app_and_ids
    # default (no trusted proxies): a forged header does not give a fresh address
    c = TestClient(app, client=ATTACKER)
    for i in range(5):
        forged = {"X-Forwarded-For": f"192.0.2.{i + 1}"}
        assert _post_login(c, "admin1", "wrong", forged).status_code == 400
    r = _post_login(c, "admin1", "wrong", {"X-Forwarded-For": "192.0.2.99"})
    assert r.status_code == 429
    with read_session(app.state.engine) as s:
        assert set(s.scalars(select(LoginAttempt.address))) == {ATTACKER[0]}

    # behind a named proxy: the address the proxy appended (the right-most untrusted one)
    proxied = create_app(load_settings(dev=True, trusted_proxies=["10.0.0.0/8"],
                                       database_url=f"sqlite:///{tmp_path / 'p.db'}"))
    (tmp_path / "p").mkdir()
    seed_fn(proxied.state.engine, tmp_path / "p")
    via_proxy = TestClient(proxied, client=("10.1.2.3", 443))
    _post_login(via_proxy, "admin1", "wrong", {"X-Forwarded-For": "192.0.2.7, 198.51.100.20"})
    direct = TestClient(proxied, client=("192.0.2.50", 443))
    _post_login(direct, "admin1", "wrong", {"X-Forwarded-For": "192.0.2.8"})
    with read_session(proxied.state.engine) as s:
        assert list(s.scalars(select(LoginAttempt.address).order_by(LoginAttempt.id))) == [
            "198.51.100.20", "192.0.2.50"]
    proxied.state.engine.dispose()


def test_serve_leaves_forwarded_headers_to_the_app(monkeypatch, tmp_path):
    """uvicorn's own proxy_headers would trust X-Forwarded-For from 127.0.0.1 by default."""
    import uvicorn

    from equitable.web._cli import serve

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: seen.update(k))
    # the results folder's check (tests/pipeline/test_outputs_whole.py) is not what this tests
    monkeypatch.setattr("equitable.web._cli._check_results", lambda results: None)
    serve(host="127.0.0.1", port=8000, db=f"sqlite:///{tmp_path / 's.db'}", dev=True,
          workers=1, results=str(tmp_path / "none"))
    assert seen["proxy_headers"] is False
