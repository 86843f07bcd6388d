"""Pytest fixtures for testing code that uses the outreach database (a pytest plugin).

Fresh databases built by the Alembic migrations, on SQLite (a temporary file) and on PostgreSQL
(a temporary schema of the database named by the ``postgres_url`` fixture), and fast Argon2id
parameters for tests. The project's tests load it from ``tests/conftest.py``
(``pytest_plugins``); a district's own tests can do the same.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from equitable.outreach import make_engine, migrate

__all__ = ["fresh_database"]


def fresh_database(request, tmp_path, backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'outreach.db'}"
    base = request.getfixturevalue("postgres_url")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    request.addfinalizer(drop)
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def fast_password_hashing(monkeypatch):
    """Argon2id with small parameters keeps the suite fast; production keeps argon2-cffi's
    defaults (RFC 9106). Hashes stay real Argon2id hashes."""
    from argon2 import PasswordHasher

    from equitable.auth import _users

    monkeypatch.setattr(_users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                          parallelism=1))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """URL of an empty database on each backend (parametrised)."""
    return fresh_database(request, tmp_path, request.param)


@pytest.fixture
def engine(db_url):
    """A migrated engine on each backend."""
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'outreach.db'}")
    migrate(eng)
    yield eng
    eng.dispose()
