"""Staff users of the console: accounts, password hashes and login throttling.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second recommended
parameter set).

Login throttling (OWASP Authentication Cheat Sheet, "Protect against automated attacks":
per-account throttling with an increasing delay rather than a long lock-out an attacker could
impose on the real user; OWASP ASVS 4.0 V2.2.1). Within ``WINDOW`` (15 minutes):

- per user name *and* address: ``MAX_FAILURES`` (5) failures are free; then one attempt is
  allowed after a delay that doubles with each further failure, from ``BACKOFF_BASE`` (1 minute)
  up to ``WINDOW`` (1, 2, 4, 8, 15 minutes). A success clears the count. A burst of wrong
  passwords from one address slows that address on that account only: the real user, at another
  address, is not affected.
- per address (any user names): ``MAX_FAILURES_PER_ADDRESS`` (20) failures, then refused until
  they age out of the window (password spraying).
- per user name (all addresses): ``MAX_FAILURES_PER_ACCOUNT`` (50) failures, then refused until
  they age out of the window (guessing spread over many addresses); the real user waits at most
  15 minutes.

Counting is atomic: :func:`attempt_login` reserves the attempt (a failure row, turned into a
success if the password is right) in the same serialised transaction that counts the earlier
ones (``BEGIN IMMEDIATE`` on SQLite; a transaction-level advisory lock on PostgreSQL), so N
parallel wrong passwords check at most the allowed number of passwords.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, select, text, update

from equitable.errors import EquitableError
from equitable.ids import CDS_CODE, is_valid
from equitable.outreach._db import read_session, write_session
from equitable.outreach._import import check_fits
from equitable.outreach._models import (
    ROLES,
    LoginAttempt,
    Organization,
    User,
    language_name,
    utcnow,
)

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "LoginResult",
    "attempt_login",
    "authenticate",
    "create_user",
    "list_users",
    "login_throttled",
    "set_active",
    "set_password",
]

MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = 5  # per user name and address, before the delay starts
MAX_FAILURES_PER_ADDRESS = 20
MAX_FAILURES_PER_ACCOUNT = 50
WINDOW = dt.timedelta(minutes=15)
BACKOFF_BASE = dt.timedelta(minutes=1)
_LOGIN_LOCK = 0x6571_6C67  # PostgreSQL advisory lock key of the login counters ("eqlg")
UI_LANGUAGES = ("en", "es")
_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
# A fixed hash to verify against when the user does not exist (same time as a real check).
_DUMMY_HASH = _hasher.hash("equitable-no-such-user")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise EquitableError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def create_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str | None = None,
    school_id: str | None = None,
    organization: str | None = None,
    ui_language: str = "en",
    languages: str = "english",
    capacity: int = 0,
    base_school_id: str | None = None,
    contact: str | None = None,
) -> int:
    """Create a user and return its id (``contact``: how families reach the user, a telephone
    number or e-mail printed on notices; at most 200 characters).

    Raises
    ------
    EquitableError
        Unknown role, malformed user name, short password, a school staff member without a school,
        a partner without an organisation, an unknown organisation, a taken user name.
    """
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise EquitableError(
            "the user name must be 2-100 characters: lower-case letters, digits, . _ @ -"
        )
    if role not in ROLES:
        raise EquitableError(f"unknown role '{role}' (one of: {', '.join(ROLES)})")
    if ui_language not in UI_LANGUAGES:
        raise EquitableError(f"unknown UI language '{ui_language}' (en or es)")
    # CDS codes by the one rule of equitable.ids (14 ASCII digits; spaces around are dropped)
    school_id = school_id.strip() if school_id else school_id
    if role == "school_staff" and not (school_id and is_valid(school_id, CDS_CODE)):
        raise EquitableError("school staff need --school, the school's 14-digit CDS code")
    base_school_id = base_school_id.strip() if base_school_id else base_school_id
    if base_school_id and not is_valid(base_school_id, CDS_CODE):
        raise EquitableError("--base-school is the base school's 14-digit CDS code")
    if role == "partner" and not organization:
        raise EquitableError("a community partner needs --organization")
    if capacity < 0:
        raise EquitableError("the capacity must be 0 or more")
    spoken = ",".join(sorted({language_name(x) for x in languages.split(",") if x.strip()}))
    contact = (contact or "").strip() or None
    check_fits(User, {"display_name": display_name, "languages": spoken, "capacity": capacity,
                      "base_school_id": base_school_id, "school_id": school_id,
                      "contact": contact},
               {"display_name": "--name", "languages": "--languages", "capacity": "--capacity",
                "base_school_id": "--base-school", "school_id": "--school",
                "contact": "--contact"})
    _check_password(password)
    with write_session(engine) as s:
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            raise EquitableError(f"the user name '{username}' is taken")
        org_id = None
        if organization:
            org_id = s.scalar(select(Organization.id).where(Organization.name == organization))
            if org_id is None:
                raise EquitableError(
                    f"unknown organization '{organization}' (add it with "
                    "'equitable outreach org add')"
                )
        user = User(
            username=username,
            display_name=display_name or username,
            password_hash=_hasher.hash(password),
            role=role,
            school_id=school_id if role == "school_staff" else None,
            organization_id=org_id if role == "partner" else None,
            ui_language=ui_language,
            languages=spoken,
            capacity=capacity,
            base_school_id=base_school_id,
            contact=contact,
        )
        s.add(user)
        s.flush()
        return user.id


def set_password(engine: Engine, username: str, password: str) -> None:
    """Change a password and end the user's existing sessions."""
    _check_password(password)
    with write_session(engine) as s:
        user = s.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None:
            raise EquitableError(f"no user named '{username}'")
        user.password_hash = _hasher.hash(password)
        user.session_epoch += 1
        user_id = user.id
    from equitable.auth._sessions import end_user_sessions

    end_user_sessions(engine, user_id, "password")


def set_active(engine: Engine, username: str, active: bool) -> int:
    """Enable or disable an account; disabling ends its open sessions (returns how many).

    Raises
    ------
    EquitableError
        No user of that name.
    """
    with write_session(engine) as s:
        user = s.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None:
            raise EquitableError(f"no user named '{username}'")
        user.active = active
        if not active:
            user.session_epoch += 1
        user_id = user.id
    if active:
        return 0
    from equitable.auth._sessions import end_user_sessions

    return end_user_sessions(engine, user_id, "disabled")


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def _retry_after(s, username: str, address: str, now: dt.datetime) -> int:
    """Seconds until the next attempt for (``username``, ``address``) is allowed (0: now)."""
    since = now - WINDOW
    failed = (LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    waits = [0.0]
    by_addr = s.scalar(select(func.count()).where(LoginAttempt.address == address, *failed))
    if by_addr >= MAX_FAILURES_PER_ADDRESS:
        oldest = s.scalar(select(LoginAttempt.at).where(LoginAttempt.address == address, *failed)
                          .order_by(LoginAttempt.at.desc()).offset(MAX_FAILURES_PER_ADDRESS - 1)
                          .limit(1))
        waits.append((_aware(oldest) + WINDOW - now).total_seconds())
    by_user = s.scalar(select(func.count()).where(LoginAttempt.username == username, *failed))
    if by_user >= MAX_FAILURES_PER_ACCOUNT:
        oldest = s.scalar(select(LoginAttempt.at).where(LoginAttempt.username == username, *failed)
                          .order_by(LoginAttempt.at.desc()).offset(MAX_FAILURES_PER_ACCOUNT - 1)
                          .limit(1))
        waits.append((_aware(oldest) + WINDOW - now).total_seconds())
    pair = (LoginAttempt.username == username, LoginAttempt.address == address)
    last_ok = s.scalar(select(func.max(LoginAttempt.at)).where(
        *pair, LoginAttempt.success.is_(True), LoginAttempt.at >= since))
    pair_since = max(since, _aware(last_ok)) if last_ok is not None else since
    n, last = s.execute(select(func.count(), func.max(LoginAttempt.at)).where(
        *pair, LoginAttempt.success.is_(False), LoginAttempt.at >= pair_since)).one()
    if n >= MAX_FAILURES:
        delay = min(BACKOFF_BASE * 2 ** min(n - MAX_FAILURES, 10), WINDOW)
        waits.append((_aware(last) + delay - now).total_seconds())
    return max(0, int(-(-max(waits) // 1)))  # whole seconds, rounded up


def login_throttled(engine: Engine, username: str, address: str,
                    now: dt.datetime | None = None) -> bool:
    """True when an attempt for this user name from this address would be refused now."""
    with read_session(engine) as s:
        return _retry_after(s, username, address[:64], now or utcnow()) > 0


@dataclass(frozen=True)
class LoginResult:
    """The outcome of :func:`attempt_login`: the user (None: refused or wrong), and when the
    attempt was refused unchecked, the seconds to wait (``retry_after`` > 0)."""

    user: User | None
    retry_after: int = 0


def attempt_login(engine: Engine, username: str, password: str, address: str,
                  now: dt.datetime | None = None) -> LoginResult:
    """Throttle, check a password and record the attempt, atomically (see the module's policy).

    The attempt is counted (as a failure) before the password is checked, in one serialised
    transaction with the count of earlier ones; a right password turns it into a success.
    """
    username = (username or "").strip().lower()[:100]
    address = (address or "unknown")[:64]
    now = now or utcnow()
    with write_session(engine) as s:
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOGIN_LOCK})
        wait = _retry_after(s, username, address, now)
        if wait > 0:
            return LoginResult(None, wait)
        attempt = LoginAttempt(username=username, address=address, success=False, at=now)
        s.add(attempt)
        s.flush()
        attempt_id = attempt.id
    user = _verify(engine, username, password)
    if user is not None:
        with write_session(engine) as s:
            s.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id)
                      .values(success=True))
    return LoginResult(user)


def _verify(engine: Engine, username: str, password: str) -> User | None:
    with read_session(engine) as s:
        user = s.scalar(select(User).where(User.username == username))
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        with write_session(engine) as s:
            stored = s.get(User, user.id)
            if stored is not None:  # not deleted since it was read
                stored.password_hash = _hasher.hash(password)
    return user


def authenticate(engine: Engine, username: str, password: str, address: str) -> User | None:
    """Check a password; record the attempt; return the user or None (no throttling: the web
    app calls :func:`attempt_login`, which throttles atomically).

    The check takes the same time whether or not the user exists (a dummy hash is verified).
    """
    username = (username or "").strip().lower()[:100]
    user = _verify(engine, username, password)
    with write_session(engine) as s:
        s.add(LoginAttempt(username=username, address=address[:64], success=user is not None,
                           at=utcnow()))
    return user


def list_users(engine: Engine) -> list[User]:
    with read_session(engine) as s:
        return list(s.scalars(select(User).order_by(User.username)))
