"""Database engines, Alembic migrations and sessions for outreach.

SQLite is the default (no server). SQLite connections run in WAL mode with a busy timeout, foreign
keys on, and write transactions start with ``BEGIN IMMEDIATE`` (so that concurrent writers wait
for one another instead of failing when a read transaction upgrades to a write). PostgreSQL is
used through psycopg 3 (``postgresql+psycopg://...``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from equitable.errors import EquitableError

__all__ = [
    "DEFAULT_DATABASE_URL",
    "database_url",
    "make_engine",
    "migrate",
    "read_session",
    "write_session",
]

DEFAULT_DATABASE_URL = "sqlite:///equitable-outreach.db"
_MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000


def database_url(override: str | None = None) -> str:
    """The database URL: ``override``, else ``EQUITABLE_DATABASE_URL``, else a SQLite file here."""
    return override or os.environ.get("EQUITABLE_DATABASE_URL") or DEFAULT_DATABASE_URL


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """Create an engine for ``url`` (see :func:`database_url`), configured for concurrent use.

    Raises
    ------
    EquitableError
        When the URL cannot be parsed or names an unsupported database.
    """
    url = database_url(url)
    try:
        parsed = make_url(url)
    except (ValueError, TypeError, ArgumentError):
        raise EquitableError(
            "the database URL cannot be parsed (expected e.g. sqlite:///file.db)"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        kwargs.setdefault("connect_args", {})
        kwargs["connect_args"].setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
        kwargs["connect_args"].setdefault("check_same_thread", False)
        engine = create_engine(parsed, **kwargs)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 40)
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **kwargs)
    raise EquitableError(f"unsupported database '{backend}': use sqlite or postgresql")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised by every test
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def migrate(engine_or_url: Engine | str | None = None, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` with the Alembic migrations (the only schema path).

    Safe to call on an up-to-date database (it does nothing).
    """
    from alembic import command
    from alembic.config import Config

    engine = (
        engine_or_url if isinstance(engine_or_url, Engine) else make_engine(engine_or_url)
    )
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    if not isinstance(engine_or_url, Engine):
        engine.dispose()


def _writer(engine: Engine) -> Engine:
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_immediate=True)
    return engine


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error.

    On SQLite the transaction starts with ``BEGIN IMMEDIATE`` (it takes the write lock at once,
    waiting up to the busy timeout for other writers).
    """
    session = sessionmaker(bind=_writer(engine), expire_on_commit=False)()
    try:
        with session.begin():
            yield session
    finally:
        session.close()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading (and for appending audit records); commits on success."""
    session = sessionmaker(bind=engine, expire_on_commit=False)()
    try:
        with session.begin():
            yield session
    finally:
        session.close()
