"""Database engines, Alembic migrations and sessions for outreach.

SQLite is the default (no server). SQLite connections run in WAL mode with a busy timeout, foreign
keys on, and write transactions start with ``BEGIN IMMEDIATE`` (so that concurrent writers wait
for one another instead of failing when a read transaction upgrades to a write). The threads of
one process also take a lock per database file before ``BEGIN IMMEDIATE``: a writer waiting on
SQLite's busy handler sleeps 1, 2, 5, 10 ... 100 ms between tries (``sqliteDefaultBusyCallback``)
however soon the lock is free, while a thread waiting on a Python lock runs the moment it is
released; only writers of different processes meet the busy handler. PostgreSQL is used through
psycopg 3 (``postgresql+psycopg://...``).

Engines are made with ``hide_parameters=True``: SQLAlchemy's error messages (and so any traceback
or log line) never show the bound values of a statement, which are student ids, flags and notes
(PRIVACY.md). :func:`database_error` turns a database error into a message with the rule broken
and the table and column, never a value.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    IntegrityError,
    OperationalError,
    SQLAlchemyError,
    StatementError,
)
from sqlalchemy.orm import Session, sessionmaker

from equitable.errors import EquitableError

__all__ = [
    "DEFAULT_DATABASE_URL",
    "database_error",
    "database_url",
    "make_engine",
    "migrate",
    "read_session",
    "write_connection",
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
    # bound values are student data: keep them out of every error message (PRIVACY.md)
    kwargs.setdefault("hide_parameters", True)
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


# SQLite's constraint messages name only the table and column ("UNIQUE constraint failed:
# outreach_student.student_id"); anything else in a message is not shown.
_SQLITE_CONSTRAINT = re.compile(
    r"^(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(: [A-Za-z_][\w.]*(, [A-Za-z_][\w.]*)*)?$")
# PostgreSQL's SQLSTATE codes (PostgreSQL documentation, Appendix A) of the rules a write breaks.
_PG_RULES = {
    "23505": "a value that must be unique is already in the database",
    "23503": "a value refers to a row that does not exist",
    "23502": "a required value is empty",
    "23514": "a value breaks a check rule",
    "22001": "a text is longer than its column holds",
    "22003": "a number is outside its column's range",
    "22P02": "a value is not of its column's type",
    "22021": "a text holds a character the database cannot store",
    "40001": "another import changed the same rows at the same time (try again)",
    "40P01": "another import changed the same rows at the same time (try again)",
}


def database_error(exc: BaseException) -> str:
    """A one-line description of a database error for a user: the rule broken and, when the
    database names them, the table, column and constraint; never a bound value or a row.

    PostgreSQL's messages and details may quote the row (``Key (student_id)=(...) already
    exists``), so only its SQLSTATE code and the diagnostic fields naming schema objects are
    used (psycopg ``Diagnostic``); SQLite's constraint messages are used only when they hold
    nothing but table and column names.
    """
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if diag is not None and sqlstate:
        rule = _PG_RULES.get(sqlstate) or (
            "the database refused a value" if sqlstate.startswith(("22", "23"))
            else "the database could not complete the write")
        names = [f"{label} '{value}'" for label, value in (
            ("table", diag.table_name), ("column", diag.column_name),
            ("constraint", diag.constraint_name)) if value]
        return f"{rule} ({', '.join(names + [f'SQLSTATE {sqlstate}'])})"
    text = str(orig).strip() if orig is not None else ""
    if isinstance(exc, IntegrityError) and _SQLITE_CONSTRAINT.match(text):
        return f"the database refused a value: {text}"
    if isinstance(exc, OperationalError) and text in ("database is locked", "disk I/O error",
                                                      "database or disk is full"):
        return f"the database could not complete the write: {text}"
    if isinstance(exc, DataError | IntegrityError):
        return "the database refused a value"
    if isinstance(exc, StatementError | SQLAlchemyError):
        return f"the database could not complete the write ({type(orig or exc).__name__})"
    return f"the database could not complete the write ({type(exc).__name__})"


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


_WRITE_LOCKS: dict[str, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(engine: Engine) -> AbstractContextManager:
    """The process's lock for writing to ``engine``'s SQLite file (re-entrant; see the module
    docstring); no lock for PostgreSQL or an in-memory database."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or path in (None, "", ":memory:"):
        return nullcontext()
    key = os.path.abspath(path)
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.RLock())


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A Core connection in a transaction that commits on success and rolls back on any error,
    started like :func:`write_session`'s (the write lock first on SQLite)."""
    with _write_lock(engine), _writer(engine).begin() as conn:
        yield conn


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error.

    On SQLite the transaction starts with ``BEGIN IMMEDIATE`` (it takes the write lock at once,
    waiting up to the busy timeout for other writers), after the process's lock for the file.
    """
    session = sessionmaker(bind=_writer(engine), expire_on_commit=False)()
    try:
        with _write_lock(engine), session.begin():
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
