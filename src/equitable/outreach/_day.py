"""An outreach worker's day: their cases ordered by what is due, with the last contact.

:func:`my_day` answers "who do I reach today?" for the signed-in user: the cases they may see
(:func:`equitable.outreach._access.scope_cases`; an outreach worker: their caseload), ordered

1. follow-up date reached (on or before today), the longest overdue first;
2. never contacted, highest priority (lowest ``priority_rank``) first;
3. contacted, no follow-up date set, the longest since the last attempt first;
4. follow-up date still ahead, the soonest first;

ties broken by ``priority_rank`` and case id, so the order is total and repeatable. Each row
carries the school's name, the reason codes, the last contact attempt (date, method, outcome,
by whom), the next follow-up and, for a referred case, the partner holding it. One SQL query
per page (the latest attempt per case found with a grouped ``max(id)``; the number of cases
matching the filters counted in the same query by an uncorrelated scalar subquery), served by
the index ``(assigned_worker_id, status, priority_rank, id)`` for a worker, plus one for the
filters' choices. The order is computed in SQL and only one page (``DAY_PAGE_SIZE`` rows) is
read, whatever the caseload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine, Select, case, func, literal, or_, select

from equitable.engagement._reason_codes import CODES
from equitable.outreach._access import scope_cases
from equitable.outreach._cases import ACTIVE_STATUSES, FormError, QueueRow
from equitable.outreach._models import (
    CASE_STATUSES,
    Case,
    ContactAttempt,
    Organization,
    School,
    User,
    language_name,
)

__all__ = ["DAY_PAGE_SIZE", "DayFilters", "DayPage", "DayRow", "my_day"]

DAY_PAGE_SIZE = 50

#: Why a row is where it is in the day's order (the badge shown on the row).
DUE_FOLLOW_UP, DUE_NEVER, DUE_SINCE, DUE_LATER = "follow_up_due", "never_contacted", "since", "later"


@dataclass(frozen=True)
class DayRow(QueueRow):
    """A queue row with what a worker needs to act on it (a student record: the web app writes
    a disclosure row for each one shown, :mod:`equitable.web._disclosure`)."""

    school_name: str | None = None
    reason_codes: str = ""
    partner_name: str | None = None
    last_contact_on: dt.date | None = None
    last_contact_mode: str | None = None
    last_contact_outcome: str | None = None
    last_contact_by: str | None = None
    due: str = DUE_NEVER
    days_since: int | None = None  # days since the last attempt (None: never contacted)


@dataclass(frozen=True)
class DayFilters:
    """The filters of the page (all in the URL): a school (CDS code), a reason code, a family
    language (English name, lower case) and a status (a case status, ``active`` or ``all``)."""

    school_id: str | None = None
    reason: str | None = None
    language: str | None = None
    status: str = "active"

    def query(self, **change) -> dict[str, str]:
        """The non-empty filters as URL query parameters (with ``change`` applied)."""
        v = {"school": self.school_id, "reason": self.reason, "language": self.language,
             "status": self.status, **change}
        return {k: str(x) for k, x in v.items() if x not in (None, "")}


@dataclass
class DayPage:
    rows: list[DayRow]
    page: int
    per_page: int
    has_next: bool
    filters: DayFilters
    today: dt.date
    schools: list[tuple[str, str]] = field(default_factory=list)  # (CDS code, name) to filter by
    languages: list[str] = field(default_factory=list)
    total: int = 0  # cases matching the filters, on all pages

    @property
    def first(self) -> int:
        """1-based position of the page's first row (0 when the page is empty)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """1-based position of the page's last row (0 when the page is empty)."""
        return (self.page - 1) * self.per_page + len(self.rows) if self.rows else 0


def clean_filters(school: str | None, reason: str | None, language: str | None,
                  status: str | None) -> DayFilters:
    """Filters from URL parameters; a value that is not one of the choices is dropped (the page
    then shows the unfiltered list and its form shows no choice, never an error page)."""
    school = school if school and school.isdigit() and len(school) == 14 else None
    reason = reason if reason in CODES else None
    language = language_name(language)[:40] or None
    status = status if status in CASE_STATUSES or status in ("active", "all") else "active"
    return DayFilters(school, reason, language, status)


def my_day(engine: Engine, user: User, *, filters: DayFilters | None = None, page: int = 1,
           per_page: int = DAY_PAGE_SIZE, today: dt.date | None = None) -> DayPage:
    """One page of the user's day (see the module docstring for the order).

    Parameters
    ----------
    filters : :class:`DayFilters` (default: the active cases, no other filter).
    page : 1-based page of ``per_page`` rows (the next page is found by reading one row more).
    today : the day the follow-up dates and days since the last attempt are counted from.

    Raises
    ------
    FormError
        A status that is not a case status, ``active`` or ``all``.
    """
    today = today or dt.date.today()
    f = filters or DayFilters()
    if f.status not in CASE_STATUSES and f.status not in ("active", "all"):
        raise FormError({"status": "Choose a status from the list."})
    page = max(1, page)
    stmt, count, choices = _statements(user, f, page, per_page, today)
    with engine.connect() as conn:
        raw = conn.execute(stmt).all()
        if raw:
            total = raw[0].total  # the subquery counts all pages' rows
        elif page == 1:
            total = 0
        else:  # past the last page: count them on their own
            total = conn.execute(count).scalar_one()
        opts = conn.execute(choices).all()
    rows = []
    for (cid, student_id, school_id, rank, reasons, home_language, grade, flags, status,
         follow_up, worker_id, school_name, codes, partner, on, mode, outcome, by,
         _total) in raw[:per_page]:
        if follow_up is not None and follow_up <= today:
            due = DUE_FOLLOW_UP
        elif on is None:
            due = DUE_NEVER
        elif follow_up is None:
            due = DUE_SINCE
        else:
            due = DUE_LATER
        rows.append(DayRow(cid, student_id, school_id, rank, reasons, home_language, grade,
                           flags, status, follow_up, worker_id,
                           school_name=school_name, reason_codes=codes or "",
                           partner_name=partner, last_contact_on=on, last_contact_mode=mode,
                           last_contact_outcome=outcome, last_contact_by=by, due=due,
                           days_since=(today - on).days if on is not None else None))
    schools = sorted({(sid, name or sid) for sid, name, _ in opts}, key=lambda t: (t[1], t[0]))
    languages = sorted({language_name(x) for _, _, x in opts if x})
    return DayPage(rows, page, per_page, len(raw) > per_page, f, today, schools, languages,
                   total)


#: Built statements by user scope, filters, page and day (see :func:`_statements`).
_STATEMENTS: dict[tuple, tuple[Select, Select, Select]] = {}
_STATEMENTS_MAX = 2048


def _statements(user: User, f: DayFilters, page: int, per_page: int,
                today: dt.date) -> tuple[Select, Select, Select]:
    """The page's query, the count on its own and the filter choices, built once per user scope
    (the attributes :func:`scope_cases` reads), filters, page and day, then reused: building
    them and computing their SQLAlchemy cache keys took about a third of the time of
    :func:`my_day`'s database work. A statement holds no result and is never changed after it
    is built, so threads share them; the cache is emptied when it holds ``_STATEMENTS_MAX``."""
    key = (user.id, user.role, user.active, user.school_id, user.organization_id, f, page,
           per_page, today)
    hit = _STATEMENTS.get(key)
    if hit is None:
        if len(_STATEMENTS) >= _STATEMENTS_MAX:
            _STATEMENTS.clear()
        hit = _STATEMENTS[key] = _build_statements(user, f, page, per_page, today)
    return hit


def _build_statements(user: User, f: DayFilters, page: int, per_page: int,
                      today: dt.date) -> tuple[Select, Select, Select]:
    # the latest attempt of each case the user may see (only theirs: a worker's 300 cases, not
    # the district's contacts)
    last = (select(ContactAttempt.case_id, func.max(ContactAttempt.id).label("last_id"))
            .where(ContactAttempt.case_id.in_(scope_cases(select(Case.id), user, today)))
            .group_by(ContactAttempt.case_id).subquery())
    never = last.c.last_id.is_(None)
    due_rank = case(
        (Case.follow_up_date <= today, 0),
        (never, 1),
        (Case.follow_up_date.is_(None), 2),
        else_=3,
    )
    # within a group: overdue follow-ups oldest first; never contacted by priority; contacted
    # ones by the oldest last attempt; later follow-ups soonest first
    within = case(
        (Case.follow_up_date <= today, Case.follow_up_date),
        (never, literal(None)),
        (Case.follow_up_date.is_(None), ContactAttempt.contacted_on),
        else_=Case.follow_up_date,
    )
    # the number of cases matching, on all pages: an uncorrelated scalar subquery (computed
    # once, from the index; cheaper than a window over the joined rows)
    count = _filtered(scope_cases(select(func.count(Case.id)), user, today), f)
    cols = (
        Case.id, Case.student_id, Case.school_id, Case.priority_rank, Case.reasons,
        Case.home_language, Case.grade, Case.flags, Case.status, Case.follow_up_date,
        Case.assigned_worker_id, School.name, Case.reason_codes, Organization.name,
        ContactAttempt.contacted_on, ContactAttempt.mode, ContactAttempt.outcome,
        User.display_name, count.correlate(None).scalar_subquery().label("total"),
    )
    base = (select(*cols)
            .outerjoin(last, last.c.case_id == Case.id)
            .outerjoin(ContactAttempt, ContactAttempt.id == last.c.last_id)
            .outerjoin(User, User.id == ContactAttempt.user_id)
            .outerjoin(School, School.school_id == Case.school_id)
            .outerjoin(Organization, Organization.id == Case.partner_organization_id))
    stmt = _filtered(scope_cases(base, user, today), f)
    stmt = (stmt.order_by(due_rank, within.asc().nulls_first(), Case.priority_rank, Case.id)
            .limit(per_page + 1).offset((page - 1) * per_page))
    choices = scope_cases(select(Case.school_id, School.name, Case.home_language)
                          .outerjoin(School, School.school_id == Case.school_id), user, today)
    choices = choices.where(Case.status.in_(ACTIVE_STATUSES)).distinct()
    return stmt, count, choices


def _filtered(stmt, f: DayFilters):
    if f.status == "active":
        stmt = stmt.where(Case.status.in_(ACTIVE_STATUSES))
    elif f.status != "all":
        stmt = stmt.where(Case.status == f.status)
    if f.school_id:
        stmt = stmt.where(Case.school_id == f.school_id)
    if f.reason:
        # no code is a part of another's name, so a match on the name is a match on the code
        stmt = stmt.where(or_(Case.reason_codes == f.reason,
                              Case.reason_codes.like(f"{f.reason}{{%"),
                              Case.reason_codes.like(f"{f.reason};%"),
                              Case.reason_codes.like(f"%; {f.reason}"),
                              Case.reason_codes.like(f"%; {f.reason}{{%"),
                              Case.reason_codes.like(f"%; {f.reason};%")))
    if f.language:
        stmt = stmt.where(Case.home_language == f.language)
    return stmt
