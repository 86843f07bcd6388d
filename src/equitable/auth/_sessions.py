"""Server-side sessions of the staff console: start, check, end, list.

The session cookie carries only a random token (256 bits, :func:`secrets.token_urlsafe`); the
database keeps its SHA-256 in ``outreach_web_session`` with the user, the start, the last use and
the end. A session is valid while it has not ended, its user is active, it was used within the
idle timeout and it started within the maximum age; otherwise it is ended (reason ``idle`` or
``expired``) and the request is treated as signed out. Signing out, a password change, disabling
the account and an administrator end sessions on the server, so a cookie captured before that is
refused afterwards.

Policy (OWASP Session Management Cheat Sheet, "Session Expiration": idle and absolute timeouts,
server-side invalidation on logout; OWASP ASVS 4.0 V3.3.1-V3.3.3): idle timeout 30 minutes,
absolute lifetime 8 hours (``EQUITABLE_SESSION_IDLE_S``, ``EQUITABLE_SESSION_MAX_AGE_S``). The
last use is written at most once a minute per session (``TOUCH_EVERY``), so the idle timeout is
exact to a minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Engine, select, update

from equitable.outreach._db import read_session, write_session
from equitable.outreach._models import User, WebSession, utcnow

__all__ = [
    "END_REASONS",
    "end_session",
    "end_session_by_id",
    "end_user_sessions",
    "list_sessions",
    "resolve_session",
    "start_session",
]

END_REASONS = ("logout", "password", "disabled", "admin", "idle", "expired")
TOUCH_EVERY = dt.timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(t: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes (stored in UTC); PostgreSQL aware ones
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def start_session(engine: Engine, user_id: int, address: str = "",
                  now: dt.datetime | None = None) -> str:
    """Start a session for ``user_id``; return its token (for the cookie; stored hashed)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with write_session(engine) as s:
        s.add(WebSession(token_hash=_hash(token), user_id=user_id, address=address[:64],
                         created_at=now, last_seen_at=now))
    return token


def resolve_session(engine: Engine, token: str | None, *, idle: dt.timedelta,
                    max_age: dt.timedelta, now: dt.datetime | None = None) -> User | None:
    """The user of a valid session, or None; ends a session found idle or expired.

    Reads one row (the session joined to its user); writes only to record the last use (at most
    once a minute) or to end the session.
    """
    if not token:
        return None
    now = now or utcnow()
    with read_session(engine) as s:
        row = s.execute(select(WebSession, User).join(User, User.id == WebSession.user_id)
                        .where(WebSession.token_hash == _hash(token))).first()
    if row is None:
        return None
    sess, user = row
    if sess.ended_at is not None:
        return None
    reason = None
    if not user.active:
        reason = "disabled"
    elif now - _aware(sess.created_at) >= max_age:
        reason = "expired"
    elif now - _aware(sess.last_seen_at) >= idle:
        reason = "idle"
    if reason is not None:
        _end(engine, WebSession.id == sess.id, reason, now)
        return None
    if now - _aware(sess.last_seen_at) >= TOUCH_EVERY:
        with write_session(engine) as s:
            s.execute(update(WebSession).where(WebSession.id == sess.id,
                                               WebSession.ended_at.is_(None))
                      .values(last_seen_at=now))
    return user


def _end(engine: Engine, where, reason: str, now: dt.datetime | None = None) -> int:
    if reason not in END_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    with write_session(engine) as s:
        res = s.execute(update(WebSession).where(where, WebSession.ended_at.is_(None))
                        .values(ended_at=now or utcnow(), end_reason=reason))
        return int(getattr(res, "rowcount", 0) or 0)  # a CursorResult for an UPDATE


def end_session(engine: Engine, token: str | None, reason: str = "logout") -> int:
    """End the session of ``token`` (sign-out); returns 1 if it was open, else 0."""
    if not token:
        return 0
    return _end(engine, WebSession.token_hash == _hash(token), reason)


def end_session_by_id(engine: Engine, session_id: int, reason: str = "admin") -> int:
    """End one session by its id (an administrator's action); returns 1 if it was open."""
    return _end(engine, WebSession.id == session_id, reason)


def end_user_sessions(engine: Engine, user_id: int, reason: str) -> int:
    """End every open session of a user; returns how many were open."""
    return _end(engine, WebSession.user_id == user_id, reason)


def list_sessions(engine: Engine, *, idle: dt.timedelta, max_age: dt.timedelta,
                  now: dt.datetime | None = None) -> list[tuple[WebSession, User]]:
    """The open sessions (not ended, within the idle timeout and the maximum age), with their
    users, newest use first."""
    now = now or utcnow()
    with read_session(engine) as s:
        rows = s.execute(
            select(WebSession, User).join(User, User.id == WebSession.user_id)
            .where(WebSession.ended_at.is_(None), WebSession.last_seen_at > now - idle,
                   WebSession.created_at > now - max_age, User.active.is_(True))
            .order_by(WebSession.last_seen_at.desc(), WebSession.id.desc())).all()
    return [(a, b) for a, b in rows]
