"""Role scoping of every case query, partners' data-sharing agreements, the disclosure log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from equitable.outreach import (
    CaseNotFound,
    Forbidden,
    add_agreement,
    create_organization,
    create_user,
    disclosure_log,
    export_cases,
    export_disclosure_log,
    get_case,
    import_queue,
    import_roster,
    queue_page,
)
from equitable.outreach._cases import assign_case
from equitable.outreach._db import read_session
from equitable.outreach._models import Case, DisclosureLog, User
from equitable.outreach._testing import school_id, write_queue, write_roster

PW = "correct horse battery"


@pytest.fixture
def world(engine, tmp_path):
    roster = write_roster(tmp_path / "students.csv", 12, n_schools=2)  # even -> school 0
    import_roster(engine, tmp_path / "students.csv")
    write_queue(tmp_path / "q.csv", roster)
    import_queue(engine, tmp_path / "q.csv")
    create_organization(engine, "Family Aid")
    create_organization(engine, "Other Org")
    ids = {
        "admin": create_user(engine, "admin", PW, "admin"),
        "staff0": create_user(engine, "staff0", PW, "school_staff", school_id=school_id(0)),
        "worker": create_user(engine, "worker", PW, "outreach_worker"),
        "other_worker": create_user(engine, "worker2", PW, "outreach_worker"),
        "partner": create_user(engine, "partner", PW, "partner", organization="Family Aid"),
        "partner_other": create_user(engine, "partner2", PW, "partner",
                                     organization="Other Org"),
    }
    with read_session(engine) as s:
        users = {k: s.get(User, v) for k, v in ids.items()}
        cases = {c.student_id: c.id for c in s.scalars(select(Case))}
    admin = users["admin"]
    for sid in ("S0000000", "S0000001", "S0000002"):
        # the worker has no capacity set and speaks English only: an administrator's override
        assign_case(engine, admin, cases[sid], worker_id=ids["worker"], override=True)
    with read_session(engine) as s:
        org_ids = dict(s.execute(text("select name, id from outreach_organization")).all())
    today = dt.date.today()
    add_agreement(engine, "Family Aid", signed_on=today - dt.timedelta(days=30),
                  expires_on=today + dt.timedelta(days=300), purpose="device and food referrals")
    # Other Org's agreement has expired: its partner sees nothing
    add_agreement(engine, "Other Org", signed_on=today - dt.timedelta(days=400),
                  expires_on=today - dt.timedelta(days=1), purpose="tutoring")
    for sid in ("S0000003", "S0000004"):
        assign_case(engine, admin, cases[sid], worker_id=None,
                    organization_id=org_ids["Family Aid"])
    # referred to Other Org while its agreement was in force
    assign_case(engine, admin, cases["S0000005"], worker_id=None,
                organization_id=org_ids["Other Org"], today=today - dt.timedelta(days=200))
    return users, cases


def _visible(engine, user):
    return {r.student_id for r in queue_page(engine, user, status="all", per_page=100).rows}


def test_each_role_sees_exactly_its_cases(engine, world):
    users, _ = world
    assert _visible(engine, users["admin"]) == {f"S{i:07d}" for i in range(12)}
    assert _visible(engine, users["staff0"]) == {f"S{i:07d}" for i in range(0, 12, 2)}
    assert _visible(engine, users["worker"]) == {"S0000000", "S0000001", "S0000002"}
    assert _visible(engine, users["other_worker"]) == set()
    assert _visible(engine, users["partner"]) == {"S0000003", "S0000004"}
    assert _visible(engine, users["partner_other"]) == set()  # agreement expired


def test_a_case_out_of_scope_is_not_found_and_not_logged(engine, world):
    users, cases = world
    with pytest.raises(CaseNotFound):
        get_case(engine, users["worker"], cases["S0000007"], purpose="x")
    with pytest.raises(CaseNotFound):
        get_case(engine, users["staff0"], cases["S0000001"], purpose="x")  # school 1
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(DisclosureLog)) == 0


def test_views_and_exports_are_logged_with_who_what_why(engine, world):
    users, cases = world
    get_case(engine, users["worker"], cases["S0000002"], purpose="weekly calls")
    text_csv = export_cases(engine, users["staff0"], purpose="board report")
    assert text_csv.count("\n") == 1 + 6  # header + the 6 cases of school 0
    rows, has_next = disclosure_log(engine, users["admin"], per_page=100)
    assert not has_next and len(rows) == 7
    newest, oldest = rows[0], rows[-1]
    assert (oldest.username, oldest.role, oldest.action, oldest.student_id, oldest.purpose) == (
        "worker", "outreach_worker", "view", "S0000002", "weekly calls")
    assert {r.student_id for r in rows[:6]} == {f"S{i:07d}" for i in range(0, 12, 2)}
    assert (newest.action, newest.username, newest.purpose) == ("export", "staff0",
                                                                "board report")
    csv_text = export_disclosure_log(engine, users["admin"])
    assert csv_text.splitlines()[0] == (
        "id,at,username,role,organization_id,action,student_id,case_id,purpose,detail")
    assert len(csv_text.splitlines()) == 8


def test_only_administrators_read_the_log_and_only_admin_and_staff_export(engine, world):
    users, _ = world
    for role in ("staff0", "worker", "partner"):
        with pytest.raises(Forbidden):
            disclosure_log(engine, users[role])
        with pytest.raises(Forbidden):
            export_disclosure_log(engine, users[role])
    for role in ("worker", "partner"):
        with pytest.raises(Forbidden):
            export_cases(engine, users[role], purpose="x")


def test_the_log_is_append_only_in_the_database(engine, world):
    users, cases = world
    get_case(engine, users["admin"], cases["S0000001"], purpose="check")
    for stmt in ("UPDATE outreach_disclosure_log SET purpose = 'edited'",
                 "DELETE FROM outreach_disclosure_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(stmt))
    with read_session(engine) as s:
        assert list(s.scalars(select(DisclosureLog.purpose))) == ["check"]
