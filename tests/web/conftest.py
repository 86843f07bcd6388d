"""Fixtures of the web tests: the database fixtures come from the plugin
``equitable.outreach.testing`` (loaded in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(fast_password_hashing):
    """Every test here hashes passwords with small Argon2id parameters."""


# --- the web app, seeded ---------------------------------------------------------------------

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from equitable.outreach import (
    add_agreement,
    create_organization,
    create_user,
    import_queue,
    import_roster,
)
from equitable.outreach._cases import assign_case
from equitable.outreach._db import read_session
from equitable.outreach._models import Case, Organization, User
from equitable.outreach._testing import school_id, write_queue, write_roster
from equitable.web import create_app, load_settings

PASSWORD = "correct horse battery"
ROLE_USERS = {"admin": "admin1", "school_staff": "staff1", "outreach_worker": "worker1",
              "partner": "partner1"}


def seed(engine, tmp_path) -> dict:
    """Six students at two schools; case S0000000 is visible to every role, S0000001 to admin
    only (school 1, unassigned)."""
    roster = write_roster(tmp_path / "students.csv", 6, n_schools=2)
    import_roster(engine, tmp_path / "students.csv")
    write_queue(tmp_path / "q.csv", roster)
    import_queue(engine, tmp_path / "q.csv")
    create_organization(engine, "Family Aid")
    today = dt.date.today()
    add_agreement(engine, "Family Aid", signed_on=today - dt.timedelta(days=10),
                  expires_on=today + dt.timedelta(days=100), purpose="referrals")
    admin_id = create_user(engine, "admin1", PASSWORD, "admin", display_name="Admin One")
    create_user(engine, "staff1", PASSWORD, "school_staff", school_id=school_id(0))
    wid = create_user(engine, "worker1", PASSWORD, "outreach_worker", languages="english,spanish",
                      capacity=10, ui_language="es", display_name="Worker One")
    create_user(engine, "partner1", PASSWORD, "partner", organization="Family Aid")
    with read_session(engine) as s:
        admin = s.get(User, admin_id)
        org = s.scalar(select(Organization.id))
        ids = {c.student_id: c.id for c in s.scalars(select(Case))}
    assign_case(engine, admin, ids["S0000000"], worker_id=wid, organization_id=org)
    return {"case_all": ids["S0000000"], "case_admin_only": ids["S0000001"], "worker_id": wid}


@pytest.fixture
def app_and_ids(tmp_path):
    settings = load_settings(dev=True, database_url=f"sqlite:///{tmp_path / 'web.db'}")
    app = create_app(settings)
    ids = seed(app.state.engine, tmp_path)
    yield app, ids
    app.state.engine.dispose()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client: TestClient, username: str, password: str = PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token, "next": "/staff/"},
                       follow_redirects=False)


@pytest.fixture
def client_for(app_and_ids):
    app, _ = app_and_ids
    clients = []

    def make(role: str | None) -> TestClient:
        c = TestClient(app)
        clients.append(c)
        if role is None:
            c.get("/login")
        else:
            r = login(c, ROLE_USERS[role])
            assert r.status_code == 303, r.text
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def seed_fn():
    return seed
