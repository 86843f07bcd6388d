"""The staff console: queue, case, contacts, referrals, status, notices, exports, audit."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from equitable.engagement._reason_codes import CODES as REASON_CODES
from equitable.outreach import _cases as cases
from equitable.outreach import _day as day
from equitable.outreach._access import (
    can_assign,
    can_export,
    can_read_audit,
    can_set_status,
    scope_cases,
)
from equitable.outreach._db import read_session
from equitable.outreach._followup import (
    REENGAGED_DAYS,
    REENGAGED_RATE,
    case_attendance,
    reengagement_counts,
)
from equitable.outreach._models import (
    CASE_STATUSES,
    CLOSE_REASONS,
    CONTACT_MODES,
    CONTACT_OUTCOMES,
    DISENGAGEMENT_REASONS,
    REFERRAL_KINDS,
    Case,
    DataSharingAgreement,
    Organization,
    User,
)
from equitable.outreach._notices import families_without_notice, render_notice
from equitable.web._disclosure import purpose_for
from equitable.web.deps import (
    csrf_protect,
    current_user,
    get_engine,
    render,
    require_roles,
    translate,
)
from equitable.web.outreach._labels import (
    DUE_LABELS,
    LABELS,
    REASON_NAMES,
    flag_labels,
    language_label,
    long_date,
    number,
    reason_badges,
)

router = APIRouter(prefix="/staff", dependencies=[Depends(csrf_protect)])

ALL_ROLES = ("admin", "school_staff", "outreach_worker", "partner")
admin_only = require_roles("admin")
exporters = require_roles("admin", "school_staff")


# Case ids are INTEGER columns (32-bit in PostgreSQL): a larger id in a URL is a 422 like any
# other malformed id, never a database overflow (500).
CaseId = Annotated[int, Path(le=2_147_483_647)]


VOCAB = {
    "labels": LABELS,
    "language_label": language_label,
    "flag_labels": flag_labels,
    "modes": CONTACT_MODES,
    "outcomes": CONTACT_OUTCOMES,
    "reasons": DISENGAGEMENT_REASONS,
    "referral_kinds": REFERRAL_KINDS,
    "statuses": CASE_STATUSES,
    "close_reasons": CLOSE_REASONS,
    "reason_badges": reason_badges,
    "long_date": long_date,
    "number": number,
    "reason_codes": tuple(REASON_CODES),
    "reason_names": REASON_NAMES,
    "due_labels": DUE_LABELS,
}


@router.get("/")
def queue(request: Request, status: str = "active", page: int = 1, school: str | None = None,
          user: User = Depends(current_user)) -> Response:
    # default: the active cases (open and referred), so a referred case stays in the queue
    if status not in CASE_STATUSES and status not in ("all", "active"):
        status = "active"
    school = school if school and school.isdigit() and len(school) == 14 else None
    qp = cases.queue_page(get_engine(request), user, status=status, page=max(1, min(page, 10_000)),
                          school_id=school)
    template = ("outreach/_queue_table.html" if request.headers.get("hx-request")
                and request.headers.get("hx-target") == "queue" else "outreach/queue.html")
    return render(request, template, {"q": qp, **VOCAB})


def _case_context(request: Request, user: User, case_id: int, *,
                  errors: dict | None = None, form: dict | None = None) -> dict:
    # the disclosure row is written by render() for every response that shows the case
    engine = get_engine(request)
    with read_session(engine) as s:
        case = cases._load_case(s, user, case_id, full=True)
        worker = s.get(User, case.assigned_worker_id) if case.assigned_worker_id else None
        workers = (list(s.scalars(select(User).where(User.role == "outreach_worker",
                                                     User.active.is_(True))
                                  .order_by(User.username))) if can_assign(user) else [])
        orgs = list(s.scalars(select(Organization).order_by(Organization.name))) if can_assign(
            user) else []
    attendance = case_attendance(engine, user, case_id)
    return {"case": case, "worker": worker, "workers": workers, "orgs": orgs,
            "attendance": attendance, "window_days": REENGAGED_DAYS,
            "errors": {k: translate(request, v) for k, v in (errors or {}).items()},
            "form": form or {}, "today": dt.date.today().isoformat(),
            "can_assign": can_assign(user), "can_set_status": can_set_status(user), **VOCAB}


def _case_response(request: Request, user: User, case_id: int, *, errors=None, form=None,
                   saved: str | None = None) -> Response:
    ctx = _case_context(request, user, case_id, errors=errors, form=form)
    ctx["saved"] = translate(request, saved) if saved else None
    if request.headers.get("hx-request"):
        return render(request, "outreach/_case_panel.html", ctx)
    if errors:
        return render(request, "outreach/case.html", ctx, status_code=422)
    return RedirectResponse(f"/staff/cases/{case_id}", status_code=303)


def _not_found() -> HTTPException:
    return HTTPException(status_code=404)


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: CaseId, user: User = Depends(current_user)) -> Response:
    try:
        ctx = _case_context(request, user, case_id)
    except cases.CaseNotFound:
        raise _not_found() from None
    return render(request, "outreach/case.html", ctx)


def _run_form(request: Request, user: User, case_id: int, action, form: dict,
              saved) -> Response:
    """Run ``action``; ``saved`` is the message id shown after it, or a function of the action's
    result giving the (already translated) message."""
    try:
        result = action()
        if callable(saved):
            saved = saved(result)
    except cases.CaseNotFound:
        raise _not_found() from None
    except cases.Forbidden:
        raise HTTPException(status_code=403) from None
    except cases.FormError as exc:
        return _case_response(request, user, case_id, errors=exc.errors, form=form)
    return _case_response(request, user, case_id, saved=saved)


@router.get("/day")
def my_day(request: Request, school: str | None = None, reason: str | None = None,
           language: str | None = None, status: str | None = None, page: int = 1,
           saved: str | None = None, user: User = Depends(current_user)) -> Response:
    """A worker's day: their cases by what is due; every filter is in the URL."""
    f = day.clean_filters(school, reason, language, status)
    dp = day.my_day(get_engine(request), user, filters=f, page=max(1, min(page, 10_000)))
    message = translate(request, "Contact attempt saved.") if saved == "contact" else None
    # the rows are a list of the context (the template shows them from there), so the
    # disclosure choke point finds every student shown (web/_disclosure.py)
    return render(request, "outreach/day.html", {"d": dp, "rows": dp.rows, "saved": message,
                                                 **VOCAB})


@router.get("/cases/{case_id}/contact")
def contact_form(request: Request, case_id: CaseId, user: User = Depends(current_user)
                 ) -> Response:
    """The short form to log a contact attempt (one tap from "My day")."""
    try:
        ctx = _case_context(request, user, case_id)
    except cases.CaseNotFound:
        raise _not_found() from None
    return render(request, "outreach/contact.html", ctx)


@router.post("/cases/{case_id}/contacts")
def add_contact(request: Request, case_id: CaseId, contacted_on: str = Form(""),
                mode: str = Form(""), language: str = Form(""), outcome: str = Form(""),
                note: str = Form(""), next_follow_up: str = Form(""),
                return_to: str = Form(""), user: User = Depends(current_user)) -> Response:
    form = {"contacted_on": contacted_on, "mode": mode, "language": language,
            "outcome": outcome, "note": note, "next_follow_up": next_follow_up}
    if return_to == "day" and not request.headers.get("hx-request"):
        # the short form of "My day": back to the day with the result, or the form with errors
        try:
            cases.add_contact(get_engine(request), user, case_id, contacted_on=contacted_on,
                              mode=mode, language=language, outcome=outcome, note=note,
                              next_follow_up=next_follow_up)
        except cases.CaseNotFound:
            raise _not_found() from None
        except cases.Forbidden:
            raise HTTPException(status_code=403) from None
        except cases.FormError as exc:
            ctx = _case_context(request, user, case_id, errors=exc.errors, form=form)
            return render(request, "outreach/contact.html", ctx, status_code=422)
        return RedirectResponse("/staff/day?saved=contact#saved", status_code=303)
    return _run_form(request, user, case_id, lambda: cases.add_contact(
        get_engine(request), user, case_id, contacted_on=contacted_on, mode=mode,
        language=language, outcome=outcome, note=note, next_follow_up=next_follow_up), form,
        "Contact attempt saved.")


@router.post("/cases/{case_id}/referrals")
def add_referral(request: Request, case_id: CaseId, kind: str = Form(""), note: str = Form(""),
                 user: User = Depends(current_user)) -> Response:
    return _run_form(request, user, case_id, lambda: cases.add_referral(
        get_engine(request), user, case_id, kind=kind, note=note),
        {"kind": kind, "referral_note": note}, "Referral saved.")


@router.post("/cases/{case_id}/status")
def set_status(request: Request, case_id: CaseId, status: str = Form(""),
               close_reason: str = Form(""), user: User = Depends(current_user)) -> Response:
    return _run_form(request, user, case_id, lambda: cases.set_status(
        get_engine(request), user, case_id, status=status, close_reason=close_reason),
        {"status": status, "close_reason": close_reason}, "Status saved.")


@router.post("/cases/{case_id}/details")
def set_details(request: Request, case_id: CaseId, disengagement_reason: str = Form(""),
                follow_up_date: str = Form(""), user: User = Depends(current_user)) -> Response:
    return _run_form(request, user, case_id, lambda: cases.set_details(
        get_engine(request), user, case_id, disengagement_reason=disengagement_reason,
        follow_up_date=follow_up_date),
        {"disengagement_reason": disengagement_reason, "follow_up_date": follow_up_date},
        "Details saved.")


@router.post("/cases/{case_id}/assign")
def assign(request: Request, case_id: CaseId, worker_id: str = Form(""),
           organization_id: str = Form(""), override: str = Form(""),
           user: User = Depends(admin_only)) -> Response:
    def _int(v: str) -> int | None:
        # empty = none; anything but a 32-bit id (text, a huge number) = id 0, which no row has,
        # so it is a form error, never a silent un-assignment or a database overflow
        v = v.strip()
        if not v:
            return None
        return int(v) if v.isdigit() and len(v) <= 10 and int(v) <= 2_147_483_647 else 0

    def saved(overridden: list[str]) -> str:
        # the rules of 'equitable outreach assign' a manual override breaks, by name
        if not overridden:
            return translate(request, "Assignment saved.")
        return " ".join([translate(request, "Assignment saved with a manual override of:"),
                         *(translate(request, m) for m in overridden)])

    return _run_form(request, user, case_id, lambda: cases.assign_case(
        get_engine(request), user, case_id, worker_id=_int(worker_id),
        organization_id=_int(organization_id), override=bool(override.strip())),
        {"worker_id": worker_id, "organization_id": organization_id,
         "override": override}, saved)


@router.get("/cases/{case_id}/notice")
def notice(request: Request, case_id: CaseId, user: User = Depends(current_user)) -> Response:
    try:
        # record=False: render() writes the notice's disclosure row when it shows it
        n = render_notice(get_engine(request), user, case_id, purpose=purpose_for(user),
                          record=False)
    except cases.CaseNotFound:
        raise _not_found() from None
    return render(request, "outreach/notice.html", {"notice": n, "case_id": case_id, **VOCAB})


@router.get("/summary")
def summary(request: Request, rate: int = Query(REENGAGED_RATE, ge=0, le=100),
            days: int = Query(REENGAGED_DAYS, ge=1, le=60),
            user: User = Depends(current_user)) -> Response:
    """Cases by school and status; reached, re-engaged (present on ``rate`` percent or more of
    the ``days`` instructional days after the first successful contact, both in the URL) and
    closed, per reason and per school; families with no notice in their language. Every figure
    goes through equitable.privacy."""
    df = cases.case_counts(get_engine(request), user)
    by_reason, by_school = reengagement_counts(get_engine(request), user, rate=rate, days=days)
    no_notice = families_without_notice(get_engine(request), user)
    agreements = []
    if user.role == "partner" and user.organization_id:
        with read_session(get_engine(request)) as s:
            agreements = list(s.scalars(select(DataSharingAgreement).where(
                DataSharingAgreement.organization_id == user.organization_id)
                .order_by(DataSharingAgreement.signed_on)))
    # the figures are counts (no student record): tuples, so the disclosure walk skips them
    return render(request, "outreach/summary.html",
                  {"rows": df.to_dict("records"), "agreements": agreements,
                   "by_reason": list(by_reason.itertuples(index=False)),
                   "by_school": list(by_school.itertuples(index=False)),
                   "no_notice": list(no_notice.itertuples(index=False)),
                   "rate": rate, "days": days, **VOCAB})


@router.get("/export")
def export_form(request: Request, user: User = Depends(exporters)) -> Response:
    return render(request, "outreach/export.html", {"error": None})


@router.post("/export")
def export(request: Request, purpose: str = Form(""), status: str = Form("all"),
           user: User = Depends(exporters)) -> Response:
    purpose = purpose.strip()
    error = None
    if len(purpose) < 5:
        error = "Say why you are exporting these records."
    elif len(purpose) > 300:  # the disclosure log's purpose column holds 300 characters
        error = "Keep the purpose to 300 characters or fewer."
    elif status not in CASE_STATUSES and status != "all":  # never widen an export silently
        error = "Choose a status from the list."
    if error:
        return render(request, "outreach/export.html", {"error": translate(request, error)},
                      status_code=422)
    text = cases.export_cases(get_engine(request), user, purpose=purpose, status=status)
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="outreach_cases.csv"'})


@router.get("/audit")
def audit(request: Request, page: int = 1, student: str | None = None,
          user: User = Depends(admin_only)) -> Response:
    rows, has_next = cases.disclosure_log(get_engine(request), user, page=max(1, min(page, 10_000)),
                                          student_id=(student or None))
    return render(request, "outreach/audit.html",
                  {"rows": rows, "page": max(1, min(page, 10_000)), "has_next": has_next,
                   "student": student})


@router.get("/audit.csv")
def audit_csv(request: Request, user: User = Depends(admin_only)) -> Response:
    text = cases.export_disclosure_log(get_engine(request), user)
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="disclosure_log.csv"'})


@router.get("/workload")
def workload(request: Request, user: User = Depends(admin_only)) -> Response:
    return render(request, "outreach/workload.html", _workload_context(request, user))


def _workload_context(request: Request, user: User) -> dict:
    with read_session(get_engine(request)) as s:
        rows = s.execute(
            select(User.username, User.languages, User.capacity, func.count(Case.id))
            .outerjoin(Case, (Case.assigned_worker_id == User.id)
                       & Case.status.in_(("open", "referred")))
            .where(User.role == "outreach_worker")
            .group_by(User.id, User.username, User.languages, User.capacity)
            .order_by(User.username)).all()
        unassigned = s.scalar(scope_cases(select(func.count(Case.id)), user).where(
            Case.status.in_(("open", "referred")), Case.assigned_worker_id.is_(None)))
    return {"rows": rows, "unassigned": unassigned, "preview": None, "digest": "",
            "error": None, "saved": None}


def _solve(request: Request, *, apply: bool):
    """The caseload solve of ``equitable outreach assign`` (OR-Tools min-cost flow) and a
    fingerprint of its result, so that "apply" saves exactly what the preview showed."""
    import hashlib

    from equitable.errors import EquitableError
    from equitable.outreach._assign import assign_caseloads

    engine = get_engine(request)
    try:
        res = assign_caseloads(engine, apply=apply)
    except EquitableError as exc:
        return None, "", str(exc)
    with read_session(engine) as s:
        before = dict(s.execute(select(Case.id, Case.assigned_worker_id).where(
            Case.id.in_(list(res.assignments) + list(res.unassigned)))).all()) if not apply else {}
        names = dict(s.execute(select(User.id, User.display_name)).all())
    def name(worker_id: int | None) -> str | None:
        return names.get(worker_id) if worker_id is not None else None

    moves = sorted((cid, name(before.get(cid)), name(wid))
                   for cid, wid in res.assignments.items() if before.get(cid) != wid)
    moves += sorted((cid, name(before.get(cid)), None) for cid in res.unassigned
                    if before.get(cid) is not None)
    digest = hashlib.sha256(repr(sorted(res.assignments.items())).encode()).hexdigest()
    return {"result": res, "moves": moves}, digest, None


@router.post("/workload/preview")
def workload_preview(request: Request, user: User = Depends(admin_only)) -> Response:
    """Preview the caseload solve: who moves, who stays unassigned and why (writes nothing)."""
    solved, digest, error = _solve(request, apply=False)
    ctx = _workload_context(request, user)
    ctx.update({"preview": solved, "digest": digest,
                "error": translate(request, error) if error else None})
    return render(request, "outreach/workload.html", ctx, status_code=422 if error else 200)


@router.post("/workload/apply")
def workload_apply(request: Request, digest: str = Form(""),
                   user: User = Depends(admin_only)) -> Response:
    """Apply the caseload solve, only if it is still the one previewed (else preview again)."""
    solved, now, error = _solve(request, apply=False)
    if error or not digest or now != digest:
        ctx = _workload_context(request, user)
        ctx.update({"preview": solved, "digest": now, "error": translate(
            request, error or "The cases or workers changed since the preview: check the new "
                              "preview before applying it.")})
        return render(request, "outreach/workload.html", ctx, status_code=409)
    solved, _, error = _solve(request, apply=True)
    logging.getLogger("equitable.outreach").info(
        "caseload solve applied by %s: %d cases changed", user.username,
        solved["result"].changed if solved else 0)
    ctx = _workload_context(request, user)
    ctx["saved"] = translate(request, "Caseloads saved.")
    return render(request, "outreach/workload.html", ctx)


__all__ = ["can_export", "can_read_audit", "purpose_for", "router"]
