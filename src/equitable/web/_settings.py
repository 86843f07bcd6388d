"""The web app's one typed settings object (pydantic-settings; environment prefix ``EQUITABLE_``).

``EQUITABLE_SESSION_SECRET`` has no default: the app refuses to start without it (``equitable
serve --dev`` generates a random one for that run; sessions then end when the server stops).
"""

from __future__ import annotations

import secrets

from pydantic import Field, IPvAnyNetwork, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from equitable.errors import SpecError
from equitable.outreach import DEFAULT_DATABASE_URL
from equitable.specfile import spec_error

__all__ = ["WebSettings", "load_settings"]

MIN_SECRET_LENGTH = 32
#: How to make a session secret, for the messages (a shell line a user can paste).
SECRET_HOWTO = ("e.g. export EQUITABLE_SESSION_SECRET=\"$(python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')\" before 'equitable serve'")


class WebSettings(BaseSettings):
    """Settings of ``create_app``.

    Attributes
    ----------
    session_secret : key that signs session cookies (``EQUITABLE_SESSION_SECRET``, at least 32
        characters); required.
    database_url : SQLAlchemy URL of the outreach database (``EQUITABLE_DATABASE_URL``).
    cookie_secure : send the session cookie over HTTPS only (default True; ``--dev`` turns it off
        for http://127.0.0.1).
    session_max_age_s : a session ends this many seconds after login (default 8 hours).
    session_idle_s : a session ends after this many seconds without a request (default 30
        minutes; OWASP Session Management Cheat Sheet, "Idle Timeout").
    trusted_proxies : addresses or networks (``EQUITABLE_TRUSTED_PROXIES``, a JSON list such as
        ``["127.0.0.1", "10.0.0.0/8"]``) of the reverse proxies in front of the app. The client
        address of a request (login throttling, session records) is taken from
        ``X-Forwarded-For`` only when the connection comes from one of them; empty (the
        default): the header is ignored.
    default_language : UI language when nothing else chooses one (``en`` or ``es``).
    migrate_on_start : run the Alembic migrations when the app starts (default True).
    request_threads : threads per worker process that run the page handlers
        (``EQUITABLE_REQUEST_THREADS``, default 2). The handlers are Python code holding the
        interpreter lock most of their time, so more threads than cores do not serve more
        pages: they share the lock and every page in flight finishes late (at 50 staff on a
        2-core machine, p95 of "My day" 61-66 ms with 2 threads against 195-301 ms with
        AnyIO's default of 40; docs/performance.md). Raise it when pages wait on a remote
        database more than they compute.
    """

    model_config = SettingsConfigDict(env_prefix="EQUITABLE_", extra="forbid")

    session_secret: SecretStr
    database_url: str = DEFAULT_DATABASE_URL
    cookie_secure: bool = True
    session_max_age_s: int = Field(default=8 * 3600, ge=60)
    session_idle_s: int = Field(default=30 * 60, ge=60)
    trusted_proxies: list[IPvAnyNetwork] = Field(default_factory=list)
    default_language: str = Field(default="en", pattern="^(en|es)$")
    migrate_on_start: bool = True
    request_threads: int = Field(default=2, ge=1, le=200)
    dev: bool = False


def load_settings(*, dev: bool = False, **overrides) -> WebSettings:
    """Read the settings from the environment (and ``overrides``).

    Raises
    ------
    SpecError
        The session secret is unset or shorter than 32 characters, or another setting is invalid.
    """
    if dev:
        overrides.setdefault("session_secret", secrets.token_urlsafe(48))
        overrides.setdefault("cookie_secure", False)
        overrides["dev"] = True
    try:
        settings = WebSettings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(x) for x in first["loc"])
        if key == "session_secret" and first["type"] == "missing":
            raise SpecError(
                "EQUITABLE_SESSION_SECRET is not set: set it to a random string of at least "
                f"{MIN_SECRET_LENGTH} characters (the key that signs staff sign-in cookies; "
                f"keep it secret and the same across restarts), {SECRET_HOWTO}; or run "
                "'equitable serve --dev' for a throw-away one (sign-ins end when it stops)"
            ) from None
        raise spec_error(exc, "web settings") from None
    if len(settings.session_secret.get_secret_value()) < MIN_SECRET_LENGTH:
        raise SpecError(
            f"EQUITABLE_SESSION_SECRET must have at least {MIN_SECRET_LENGTH} characters (it has "
            f"{len(settings.session_secret.get_secret_value())}): {SECRET_HOWTO}"
        )
    return settings
