"""Who may see which case: the one place every case query is scoped by role.

- ``admin`` (district administrator): every case.
- ``school_staff``: the cases of their school.
- ``outreach_worker``: the cases assigned to them (their caseload).
- ``partner`` (community partner): the cases assigned to their organisation, and only while a
  data-sharing agreement with that organisation is in force (signed on or before today, expiring on
  or after today); otherwise none. Partners also see aggregates (counts by school and status,
  suppressed through :mod:`equitable.privacy`).
  They record contacts, referrals and follow-up on those cases, but cannot change a case's status
  (:func:`can_set_status`) or its assignment (:func:`can_assign`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, and_, exists, false, select

from equitable.outreach._models import Case, DataSharingAgreement, User

__all__ = ["can_assign", "can_export", "can_read_audit", "can_set_status", "can_write_case",
           "scope_cases"]


def _agreement_in_force(organization_id: int, today: dt.date):
    return exists().where(
        and_(
            DataSharingAgreement.organization_id == organization_id,
            DataSharingAgreement.signed_on <= today,
            DataSharingAgreement.expires_on >= today,
        )
    )


def scope_cases(stmt: Select, user: User, today: dt.date | None = None) -> Select:
    """Restrict a ``select`` over :class:`Case` to the rows ``user`` may see."""
    today = today or dt.date.today()
    if not user.active:
        return stmt.where(false())
    if user.role == "admin":
        return stmt
    if user.role == "school_staff":
        return stmt.where(Case.school_id == user.school_id) if user.school_id else stmt.where(
            false()
        )
    if user.role == "outreach_worker":
        return stmt.where(Case.assigned_worker_id == user.id)
    if user.role == "partner" and user.organization_id is not None:
        return stmt.where(
            Case.partner_organization_id == user.organization_id,
            _agreement_in_force(user.organization_id, today),
        )
    return stmt.where(false())


def visible_case_ids(user: User):
    """A ``select`` of the ids of the cases ``user`` may see."""
    return scope_cases(select(Case.id), user)


def can_write_case(user: User) -> bool:
    """Everyone who can see a case may log contacts, referrals and status on it."""
    return user.active and user.role in ("admin", "school_staff", "outreach_worker", "partner")


def can_set_status(user: User) -> bool:
    """Opening, closing or marking a case re-engaged is the district's: a community partner
    records contacts and referrals on the cases referred to it, but never closes (or reopens)
    a case, which an outreach worker holds."""
    return can_write_case(user) and user.role != "partner"


def can_read_audit(user: User) -> bool:
    return user.active and user.role == "admin"


def can_export(user: User) -> bool:
    return user.active and user.role in ("admin", "school_staff")


def can_assign(user: User) -> bool:
    return user.active and user.role == "admin"
