"""Issue 15.7: the case rules of the console are those of the command line, on both databases.

A partner records contacts and referrals on the cases referred to it but never closes or
reassigns them; assigning one case applies the checks of ``equitable outreach assign`` (language,
capacity) and the partner's data-sharing agreement, and names the rule an override breaks;
referred cases stay in the default queue of the worker and the partner holding them.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select

from equitable.outreach import (
    add_agreement,
    assign_caseloads,
    create_organization,
    create_user,
    import_queue,
    import_roster,
)
from equitable.outreach._cases import (
    Forbidden,
    FormError,
    add_contact,
    add_referral,
    assign_case,
    queue_page,
    set_status,
)
from equitable.outreach._db import read_session
from equitable.outreach._models import Case, Organization, User
from equitable.outreach._testing import school_id

PASSWORD = "correct horse battery"
TODAY = dt.date.today()
LANG = {"A1": "es", "A2": "es", "A3": "ko", "A4": "en"}


@pytest.fixture
def world(engine, tmp_path):
    (tmp_path / "r.csv").write_text("student_id,school_id,home_language\n" + "".join(
        f"{sid},{school_id(0)},{lang}\n" for sid, lang in LANG.items()))
    import_roster(engine, tmp_path / "r.csv")
    (tmp_path / "q.csv").write_text("priority,student_id,school_id,reasons\n" + "".join(
        f"{i},{sid},{school_id(0)},absent\n" for i, sid in enumerate(LANG, 1)))
    import_queue(engine, tmp_path / "q.csv")
    create_organization(engine, "Family Aid")
    add_agreement(engine, "Family Aid", signed_on=TODAY - dt.timedelta(days=10),
                  expires_on=TODAY + dt.timedelta(days=100), purpose="referrals")
    create_organization(engine, "Lapsed Aid")
    add_agreement(engine, "Lapsed Aid", signed_on=TODAY - dt.timedelta(days=400),
                  expires_on=TODAY - dt.timedelta(days=1), purpose="referrals")
    create_organization(engine, "No Paper Aid")
    ids = {
        "admin": create_user(engine, "admin1", PASSWORD, "admin"),
        "ana": create_user(engine, "ana", PASSWORD, "outreach_worker",
                           languages="english,spanish", capacity=2),
        "bo": create_user(engine, "bo", PASSWORD, "outreach_worker", languages="english",
                          capacity=5),
        "partner": create_user(engine, "partner1", PASSWORD, "partner",
                               organization="Family Aid"),
    }
    with read_session(engine) as s:
        users = {k: s.get(User, v) for k, v in ids.items()}
        orgs = {n: i for i, n in s.execute(select(Organization.id, Organization.name))}
        cases = {sid: cid for cid, sid in s.execute(select(Case.id, Case.student_id))}
    return users, orgs, cases


def _case(engine, cid):
    with read_session(engine) as s:
        return s.get(Case, cid)


def test_a_partner_records_contacts_and_referrals_but_never_closes_or_reassigns(engine, world):
    users, orgs, cases = world
    admin, partner = users["admin"], users["partner"]
    cid = cases["A1"]
    assign_case(engine, admin, cid, worker_id=users["ana"].id, organization_id=orgs["Family Aid"])
    add_contact(engine, partner, cid, contacted_on=TODAY, mode="phone", language="es",
                outcome="reached", note="family came to the pantry")
    add_referral(engine, partner, cid, kind="food", note="connected to the food bank")
    assert _case(engine, cid).status == "referred"
    for status, reason in (("closed", "re_engaged"), ("re_engaged", None), ("open", None)):
        with pytest.raises(Forbidden):
            set_status(engine, partner, cid, status=status, close_reason=reason)
    with pytest.raises(Forbidden):
        assign_case(engine, partner, cid, worker_id=users["bo"].id, organization_id=None)
    c = _case(engine, cid)
    assert (c.status, c.assigned_worker_id, c.partner_organization_id) == (
        "referred", users["ana"].id, orgs["Family Aid"])
    # the worker holding the case still closes it
    set_status(engine, users["ana"], cid, status="closed", close_reason="re_engaged")
    assert _case(engine, cid).status == "closed"


def test_assigning_one_case_checks_the_language_rule_and_names_it_on_override(
        engine, world, caplog):
    users, _, cases = world
    admin, bo = users["admin"], users["bo"]
    # the command line leaves the Korean-speaking family unassigned: nobody speaks Korean
    result = assign_caseloads(engine, apply=False)
    assert result.unassigned[cases["A3"]] == "no worker speaks korean"
    with pytest.raises(FormError) as exc:
        assign_case(engine, admin, cases["A3"], worker_id=bo.id)
    assert exc.value.errors == {
        "worker_id": "The worker does not speak the family's home language."}
    assert _case(engine, cases["A3"]).assigned_worker_id is None
    with pytest.raises(FormError):  # Spanish-speaking family, English-only worker
        assign_case(engine, admin, cases["A1"], worker_id=bo.id)
    # an English-speaking family: no rule broken
    assert assign_case(engine, admin, cases["A4"], worker_id=bo.id) == []
    caplog.set_level(logging.WARNING, logger="equitable.outreach")
    assert assign_case(engine, admin, cases["A3"], worker_id=bo.id, override=True) == [
        "The worker does not speak the family's home language."]
    assert _case(engine, cases["A3"]).assigned_worker_id == bo.id
    assert "with a manual override of the rule(s): language" in caplog.text
    assert "A3" not in caplog.text  # no student id in the log


def test_assigning_one_case_checks_capacity_like_the_command_line(engine, world):
    users, _, cases = world
    admin, ana = users["admin"], users["ana"]  # ana: capacity 2
    assert assign_case(engine, admin, cases["A1"], worker_id=ana.id) == []
    assert assign_case(engine, admin, cases["A2"], worker_id=ana.id) == []
    with pytest.raises(FormError) as exc:
        assign_case(engine, admin, cases["A4"], worker_id=ana.id)
    assert exc.value.errors == {
        "capacity": "The worker already carries as many active cases as their capacity."}
    # a closed case does not count towards capacity, as for 'equitable outreach assign'
    set_status(engine, ana, cases["A2"], status="closed", close_reason="re_engaged")
    assert assign_case(engine, admin, cases["A4"], worker_id=ana.id) == []
    # keeping a worker on a case breaks nothing new; a full worker can be chosen with override
    assert assign_case(engine, admin, cases["A1"], worker_id=ana.id) == []
    assert assign_case(engine, admin, cases["A3"], worker_id=ana.id, override=True) == [
        "The worker does not speak the family's home language.",
        "The worker already carries as many active cases as their capacity."]
    with read_session(engine) as s:
        held = sorted(s.scalars(select(Case.student_id).where(Case.assigned_worker_id == ana.id)))
    assert held == ["A1", "A2", "A3", "A4"]


@pytest.mark.parametrize("org", ["Lapsed Aid", "No Paper Aid"])
def test_a_partner_without_an_agreement_in_force_cannot_be_given_a_case_even_by_override(
        engine, world, org):
    users, orgs, cases = world
    for override in (False, True):
        with pytest.raises(FormError) as exc:
            assign_case(engine, users["admin"], cases["A4"], worker_id=None,
                        organization_id=orgs[org], override=override)
        assert exc.value.errors == {
            "organization_id": "No data-sharing agreement with this partner is in force."}
    assert _case(engine, cases["A4"]).partner_organization_id is None
    assert assign_case(engine, users["admin"], cases["A4"], worker_id=None,
                       organization_id=orgs["Family Aid"]) == []


def test_referred_cases_stay_in_the_default_queue_of_worker_and_partner(engine, world):
    users, orgs, cases = world
    ana, partner = users["ana"], users["partner"]
    for sid in ("A1", "A2"):
        assign_case(engine, users["admin"], cases[sid], worker_id=ana.id,
                    organization_id=orgs["Family Aid"])
    add_referral(engine, ana, cases["A1"], kind="food")
    set_status(engine, ana, cases["A2"], status="closed", close_reason="re_engaged")
    for user in (ana, partner):
        page = queue_page(engine, user)
        assert [(r.student_id, r.status) for r in page.rows] == [("A1", "referred")]
        assert page.status == "active"
        assert [r.student_id for r in queue_page(engine, user, status="open").rows] == []
        assert [r.student_id for r in queue_page(engine, user, status="all").rows] == [
            "A1", "A2"]
