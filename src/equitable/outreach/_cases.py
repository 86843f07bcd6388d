"""Case services: the queue, a case, contacts, referrals, status, follow-up, audit.

Every function takes the acting :class:`User` and scopes its query with
:func:`equitable.outreach._access.scope_cases`; a case the user may not see is reported as not
found (its existence is not disclosed). Form input is validated here (server side); a
:class:`FormError` carries the field and an English message id that the web UI translates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import selectinload

from equitable.errors import EquitableError
from equitable.outreach._access import (
    can_assign,
    can_export,
    can_read_audit,
    can_set_status,
    can_write_case,
    scope_cases,
)
from equitable.outreach._db import read_session, write_session
from equitable.outreach._models import (
    CASE_STATUSES,
    CLOSE_REASONS,
    CONTACT_MODES,
    CONTACT_OUTCOMES,
    DISENGAGEMENT_REASONS,
    REFERRAL_KINDS,
    Case,
    ContactAttempt,
    DisclosureLog,
    Organization,
    Referral,
    School,
    User,
    language_name,
    utcnow,
)

__all__ = [
    "CaseNotFound",
    "Forbidden",
    "FormError",
    "QueuePage",
    "QueueRow",
    "add_contact",
    "add_referral",
    "assign_case",
    "case_counts",
    "disclosure_log",
    "export_cases",
    "export_disclosure_log",
    "get_case",
    "queue_page",
    "record_disclosure",
    "set_details",
    "set_status",
]

QUEUE_PAGE_SIZE = 25
MAX_NOTE = 2000
#: The queue's default filter: the active cases, ``open`` and ``referred`` (as for caseload
#: assignment), so a referred case stays in the queue of the worker and partner holding it.
ACTIVE_STATUSES = ("open", "referred")


class CaseNotFound(EquitableError):
    """No such case, or not one the user may see."""


class Forbidden(EquitableError):
    """The user's role does not allow this action."""


class FormError(EquitableError):
    """Invalid form input: ``errors`` maps a field name to an English message id."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class QueueRow:
    id: int
    student_id: str
    school_id: str
    priority_rank: int
    reasons: str
    home_language: str | None
    grade: str | None
    flags: str
    status: str
    follow_up_date: dt.date | None
    assigned_worker_id: int | None


@dataclass
class QueuePage:
    rows: list[QueueRow]
    page: int
    per_page: int
    has_next: bool
    status: str
    filters: dict = field(default_factory=dict)


def queue_page(
    engine: Engine,
    user: User,
    *,
    status: str = "active",
    page: int = 1,
    per_page: int = QUEUE_PAGE_SIZE,
    school_id: str | None = None,
) -> QueuePage:
    """One page of the user's queue, highest priority (lowest ``priority_rank``) first.

    Served by the index ``(status, priority_rank, id)`` (and its per-school, per-worker and
    per-organisation variants); pages are ``LIMIT/OFFSET`` and the next page is detected by
    reading one row more, so no count over the whole queue is needed. ``status`` is a case
    status, ``"all"``, or ``"active"`` (the default: ``open`` and ``referred``).
    """
    if status not in CASE_STATUSES and status not in ("all", "active"):
        raise FormError({"status": "Choose a status from the list."})
    page = max(1, page)
    cols = (
        Case.id, Case.student_id, Case.school_id, Case.priority_rank, Case.reasons,
        Case.home_language, Case.grade, Case.flags, Case.status, Case.follow_up_date,
        Case.assigned_worker_id,
    )
    stmt = scope_cases(select(*cols), user)
    if status == "active":
        stmt = stmt.where(Case.status.in_(ACTIVE_STATUSES))
    elif status != "all":
        stmt = stmt.where(Case.status == status)
    if school_id:
        stmt = stmt.where(Case.school_id == school_id)
    stmt = stmt.order_by(Case.priority_rank, Case.id).limit(per_page + 1).offset(
        (page - 1) * per_page
    )
    with engine.connect() as conn:
        rows = [QueueRow(*r) for r in conn.execute(stmt)]
    return QueuePage(rows[:per_page], page, per_page, len(rows) > per_page, status,
                     {"school_id": school_id})


def _load_case(session, user: User, case_id: int, *, full: bool = False) -> Case:
    stmt = scope_cases(select(Case), user).where(Case.id == case_id)
    if full:
        stmt = stmt.options(selectinload(Case.contacts), selectinload(Case.referrals))
    case = session.scalar(stmt)
    if case is None:
        raise CaseNotFound(f"case {case_id} not found")
    return case


def get_case(engine: Engine, user: User, case_id: int, *, purpose: str) -> Case:
    """Return a case with its contacts and referrals, writing the view to the disclosure log.

    Raises
    ------
    CaseNotFound
        No such case, or the user may not see it.
    """
    with read_session(engine) as s:
        case = _load_case(s, user, case_id, full=True)
        student_id = case.student_id
    record_disclosure(engine, user, "view", purpose=purpose, case_id=case_id,
                      student_id=student_id)
    return case


def _check_write(user: User, errors: dict[str, str]) -> None:
    """Refuse a user who may not write cases (Forbidden), then a form with errors (FormError)."""
    if not can_write_case(user):
        raise Forbidden("not allowed")
    if errors:
        raise FormError(errors)


def _clean_note(note: str | None, errors: dict[str, str]) -> str | None:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = "The note is too long (2,000 characters at most)."
    return note or None


def _parse_date(value, errors: dict[str, str], name: str, *, required: bool) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    value = (value or "").strip()
    if not value:
        if required:
            errors[name] = "Enter a date."
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = "Enter a date as YYYY-MM-DD."
        return None


def add_contact(
    engine: Engine,
    user: User,
    case_id: int,
    *,
    contacted_on,
    mode: str,
    language: str,
    outcome: str,
    note: str | None = None,
    next_follow_up=None,
    today: dt.date | None = None,
) -> int:
    """Log a contact attempt; returns its id.

    ``next_follow_up`` (a date or ``YYYY-MM-DD``; empty: unchanged) sets the case's next
    follow-up date in the same transaction; it cannot be in the past.

    Raises
    ------
    FormError
        ``mode`` not one of phone, text, email, letter, home_visit; ``outcome`` not one of
        reached, no_answer, wrong_number, moved; an empty language; a date missing, malformed or
        in the future.
    CaseNotFound
        The case is not visible to the user.
    """
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    day = _parse_date(contacted_on, errors, "contacted_on", required=True)
    if day is not None and day > today:
        errors["contacted_on"] = "The date cannot be in the future."
    if mode not in CONTACT_MODES:
        errors["mode"] = "Choose how the family was contacted."
    if outcome not in CONTACT_OUTCOMES:
        errors["outcome"] = "Choose the outcome of the attempt."
    language = language_name(language)  # "es" and "Spanish" are both stored as "spanish"
    if not language or len(language) > 40:
        errors["language"] = "Enter the language used."
    note = _clean_note(note, errors)
    follow = _parse_date(next_follow_up, errors, "next_follow_up", required=False)
    if follow is not None and follow < today:
        errors["next_follow_up"] = "The follow-up date cannot be in the past."
    _check_write(user, errors)
    with write_session(engine) as s:
        case = _load_case(s, user, case_id)
        if follow is not None:
            case.follow_up_date = follow
        res = s.execute(
            insert(ContactAttempt).returning(ContactAttempt.id),
            [{"case_id": case.id, "user_id": user.id, "contacted_on": day, "mode": mode,
              "language": language, "outcome": outcome, "note": note,
              "created_at": utcnow()}],
        )
        case.updated_at = utcnow()
        return res.scalar_one()


def add_referral(engine: Engine, user: User, case_id: int, *, kind: str,
                 note: str | None = None) -> int:
    """Refer the family to a service; an open case becomes ``referred``. Returns the referral id."""
    errors: dict[str, str] = {}
    if kind not in REFERRAL_KINDS:
        errors["kind"] = "Choose a kind of referral."
    note = _clean_note(note, errors)
    _check_write(user, errors)
    with write_session(engine) as s:
        case = _load_case(s, user, case_id)
        ref = Referral(case_id=case.id, user_id=user.id, kind=kind, note=note)
        s.add(ref)
        if case.status == "open":
            case.status = "referred"
        case.updated_at = utcnow()
        s.flush()
        return ref.id


def set_status(engine: Engine, user: User, case_id: int, *, status: str,
               close_reason: str | None = None) -> None:
    """Set a case's status; ``closed`` needs a reason, other statuses clear it.

    Raises
    ------
    Forbidden
        A community partner (:func:`equitable.outreach._access.can_set_status`).
    """
    if not can_set_status(user):
        raise Forbidden("not allowed")
    errors: dict[str, str] = {}
    if status not in CASE_STATUSES:
        errors["status"] = "Choose a status from the list."
    close_reason = (close_reason or "").strip() or None
    if status == "closed":
        if close_reason not in CLOSE_REASONS:
            errors["close_reason"] = "Choose why the case is closed."
    else:
        close_reason = None
    _check_write(user, errors)
    with write_session(engine) as s:
        case = _load_case(s, user, case_id)
        case.status, case.close_reason, case.updated_at = status, close_reason, utcnow()


def set_details(engine: Engine, user: User, case_id: int, *,
                disengagement_reason: str | None, follow_up_date, today: dt.date | None = None
                ) -> None:
    """Record the reason for disengagement and the next follow-up date (both may be empty)."""
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    reason = (disengagement_reason or "").strip() or None
    if reason is not None and reason not in DISENGAGEMENT_REASONS:
        errors["disengagement_reason"] = "Choose a reason from the list."
    day = _parse_date(follow_up_date, errors, "follow_up_date", required=False)
    if day is not None and day < today:
        errors["follow_up_date"] = "The follow-up date cannot be in the past."
    _check_write(user, errors)
    with write_session(engine) as s:
        case = _load_case(s, user, case_id)
        case.disengagement_reason, case.follow_up_date, case.updated_at = reason, day, utcnow()


def _rule_errors(broken: list[str]) -> dict[str, str]:
    """The form's message for each broken assignment rule (English message ids)."""
    errors: dict[str, str] = {}
    if "language" in broken:
        errors["worker_id"] = "The worker does not speak the family's home language."
    if "capacity" in broken:
        errors["capacity"] = "The worker already carries as many active cases as their capacity."
    if "agreement" in broken:
        errors["organization_id"] = "No data-sharing agreement with this partner is in force."
    return errors


def assign_case(engine: Engine, user: User, case_id: int, *, worker_id: int | None,
                organization_id: int | None = None, override: bool = False,
                today: dt.date | None = None) -> list[str]:
    """Assign a case to a worker and/or a partner organisation (administrators only).

    The rules of ``equitable outreach assign`` apply
    (:func:`equitable.outreach._assign.assignment_rules_broken`): the worker speaks the family's
    home language and has room for another active case, and a data-sharing agreement with the
    partner is in force. An administrator may override the language and capacity rules with
    ``override=True``; the agreement rule cannot be overridden (without one, sharing the
    student's record with the partner is not allowed, 34 CFR 99.31(a)(6)).

    Returns the message ids of the rules the saved assignment overrides (empty when none); each
    override is also logged (case id, administrator and rules; no student data).

    Raises
    ------
    Forbidden
        The user is not an administrator.
    FormError
        An inactive or unknown worker or partner; a broken rule (naming it) without
        ``override``; a partner without an agreement in force.
    """
    from equitable.outreach._assign import ASSIGNMENT_RULES, assignment_rules_broken

    if not can_assign(user):
        raise Forbidden("not allowed")
    with write_session(engine) as s:
        case = _load_case(s, user, case_id)
        w = None
        if worker_id is not None:
            w = s.get(User, worker_id)
            if w is None or w.role != "outreach_worker" or not w.active:
                raise FormError({"worker_id": "Choose an active outreach worker."})
        if organization_id is not None and s.get(Organization, organization_id) is None:
            raise FormError({"organization_id": "Choose a community partner."})
        broken = assignment_rules_broken(s, case, worker=w, organization_id=organization_id,
                                         today=today)
        hard = [r for r in broken if not ASSIGNMENT_RULES[r]]
        if hard or (broken and not override):
            raise FormError(_rule_errors(broken if not override else hard))
        case.assigned_worker_id = worker_id
        case.partner_organization_id = organization_id
        case.updated_at = utcnow()
    overridden = list(_rule_errors(broken).values())
    if broken:
        logging.getLogger("equitable.outreach").warning(
            "case %d assigned by %s with a manual override of the rule(s): %s", case_id,
            user.username, ", ".join(broken))
    return overridden


# --- FERPA record of disclosures ---------------------------------------------------------------


def record_disclosure(engine: Engine, user: User, action: str, *, purpose: str,
                      case_id: int | None = None, student_id: str | None = None,
                      detail: str = "") -> None:
    """Append who/when/what/why to the disclosure log (its own committed transaction)."""
    rows = [{"at": utcnow(), "user_id": user.id, "username": user.username, "role": user.role,
             "organization_id": user.organization_id, "action": action,
             "student_id": student_id, "case_id": case_id, "purpose": purpose[:300],
             "detail": detail[:300]}]
    with write_session(engine) as s:
        s.execute(insert(DisclosureLog), rows)


def _disclosure_rows(user: User, action: str, purpose: str, pairs, detail: str,
                     now: dt.datetime | None = None) -> list[dict]:
    """The disclosure-log rows of ``pairs`` (``(case_id, student_id)``), one per student."""
    now = now or utcnow()
    return [{"at": now, "user_id": user.id, "username": user.username, "role": user.role,
             "organization_id": user.organization_id, "action": action, "student_id": sid,
             "case_id": cid, "purpose": purpose[:300], "detail": detail[:300]}
            for cid, sid in pairs]


def _record_many(s, user: User, action: str, purpose: str, pairs, detail: str) -> None:
    rows = _disclosure_rows(user, action, purpose, pairs, detail)
    for i in range(0, len(rows), 2000):
        s.execute(insert(DisclosureLog), rows[i : i + 2000])


LOG_COLUMNS = ("id", "at", "username", "role", "organization_id", "action", "student_id",
               "case_id", "purpose", "detail")


def disclosure_log(engine: Engine, user: User, *, page: int = 1, per_page: int = 50,
                   student_id: str | None = None) -> tuple[list[DisclosureLog], bool]:
    """Read the disclosure log, newest first (administrators only)."""
    if not can_read_audit(user):
        raise Forbidden("not allowed")
    stmt = select(DisclosureLog).order_by(DisclosureLog.id.desc())
    if student_id:
        stmt = stmt.where(DisclosureLog.student_id == student_id)
    stmt = stmt.limit(per_page + 1).offset((max(1, page) - 1) * per_page)
    with read_session(engine) as s:
        rows = list(s.scalars(stmt))
    return rows[:per_page], len(rows) > per_page


def export_disclosure_log(engine: Engine, user: User) -> str:
    """The whole disclosure log as CSV text, oldest first (administrators only)."""
    if not can_read_audit(user):
        raise Forbidden("not allowed")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(LOG_COLUMNS)
    with read_session(engine) as s:
        for r in s.scalars(select(DisclosureLog).order_by(DisclosureLog.id)):
            w.writerow([r.id, r.at.isoformat() if r.at else "", r.username, r.role,
                        r.organization_id or "", r.action, r.student_id or "", r.case_id or "",
                        r.purpose, r.detail])
    return buf.getvalue()


CASE_EXPORT_COLUMNS = ("case_id", "student_id", "school_id", "priority_rank", "status",
                       "close_reason", "disengagement_reason", "follow_up_date", "home_language",
                       "grade", "flags", "reasons", "contacts", "referrals", "reason_codes",
                       "reasons_es")


def _labels_es(codes: str) -> str:
    """The reason codes as their Spanish labels (one catalogue), ``"; "``-joined."""
    from equitable.engagement._reason_codes import reason_labels

    try:
        return "; ".join(t for _, t in reason_labels(codes, "es"))
    except ValueError:
        return ""


def export_cases(engine: Engine, user: User, *, purpose: str, status: str = "all") -> str:
    """The user's visible cases as CSV, each exported student written to the disclosure log.

    The last columns are ``reason_codes`` and ``reasons_es``, the codes' Spanish labels (from
    the reason catalogue; ``reasons`` keeps the text as imported)."""
    if not can_export(user):
        raise Forbidden("not allowed")
    contacts = (select(ContactAttempt.case_id, func.count().label("n"))
                .group_by(ContactAttempt.case_id).subquery())
    referrals = (select(Referral.case_id, func.count().label("n"))
                 .group_by(Referral.case_id).subquery())
    stmt = scope_cases(
        select(Case, func.coalesce(contacts.c.n, 0), func.coalesce(referrals.c.n, 0))
        .outerjoin(contacts, contacts.c.case_id == Case.id)
        .outerjoin(referrals, referrals.c.case_id == Case.id),
        user,
    ).order_by(Case.priority_rank, Case.id)
    if status != "all":
        stmt = stmt.where(Case.status == status)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CASE_EXPORT_COLUMNS)
    with write_session(engine) as s:
        pairs = []
        for c, n_contacts, n_refs in s.execute(stmt):
            w.writerow([c.id, c.student_id, c.school_id, c.priority_rank, c.status,
                        c.close_reason or "", c.disengagement_reason or "",
                        c.follow_up_date.isoformat() if c.follow_up_date else "",
                        c.home_language or "", c.grade or "", c.flags, c.reasons, n_contacts,
                        n_refs, c.reason_codes, _labels_es(c.reason_codes)])
            pairs.append((c.id, c.student_id))
        _record_many(s, user, "export", purpose, pairs, f"case export ({len(pairs)} records)")
    return buf.getvalue()


def case_counts(engine: Engine, user: User):
    """Cases by school and status the user may see, small cells suppressed (equitable.privacy).

    Community partners see these counts for their organisation's cases. Returns a DataFrame with
    ``school_id, school_name, status, cases`` where ``cases`` is ``*`` for 10 or fewer.
    """
    import pandas as pd

    from equitable.privacy import suppress_table

    stmt = scope_cases(
        select(Case.school_id, Case.status, func.count().label("cases")), user
    ).group_by(Case.school_id, Case.status).order_by(Case.school_id, Case.status)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(stmt).all(), columns=["school_id", "status", "cases"])
        names = dict(conn.execute(select(School.school_id, School.name)).all())
    df.insert(1, "school_name", [names.get(x) or "" for x in df["school_id"]])
    return suppress_table(df, "cases", ["cases"])
