"""The one choke point of the FERPA record of disclosures for the web app (34 CFR 99.32).

:func:`equitable.web.deps.render` calls :func:`record_shown` with the context of every page,
htmx partial, form re-render (a 422 that shows the case) and notice it renders. The context is
walked for the student records it carries, and one row per student shown is appended to
``outreach_disclosure_log`` (who, when, which student and case, why) in one transaction before
the response leaves. A route therefore cannot show a student without writing the row, whatever
its status code or template: the records are found by their type, not named by each route.

Student records are the objects of :data:`STUDENT_RECORD_TYPES` (a :class:`Case`, a queue row,
a notice), found as a context value, inside a list/tuple/set or dict value, or in the ``rows`` of
a queue page (three levels deep). Case exports (CSV) write their rows in
:func:`equitable.outreach.export_cases`, in the transaction that reads them. The disclosure log
itself (``/staff/audit``) is not a student record: its rows (:class:`DisclosureLog`) are not
logged again.

34 CFR 99.32(a)(1): an agency must maintain a record of each request for access to and each
disclosure of personally identifiable information from the education records of each student;
99.32(a)(3): the record names the parties and their legitimate interests.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import insert

from equitable.outreach._cases import QueuePage, QueueRow, _disclosure_rows
from equitable.outreach._db import write_connection
from equitable.outreach._models import Case, DisclosureLog, User, utcnow
from equitable.outreach._notices import Notice

__all__ = ["STUDENT_RECORD_TYPES", "purpose_for", "record_shown", "shown_students"]

STUDENT_RECORD_TYPES = (Case, QueueRow, Notice)


def purpose_for(user: User) -> str:
    """The legitimate interest recorded with each disclosure (34 CFR 99.32(a)(3))."""
    if user.role == "partner":
        return "services under a data-sharing agreement (34 CFR 99.31(a)(6))"
    return "outreach case work: legitimate educational interest (34 CFR 99.31(a)(1))"


def _records(value: Any, depth: int = 0) -> Iterator[Any]:
    if isinstance(value, STUDENT_RECORD_TYPES):
        yield value
    elif depth >= 3 or isinstance(value, (str, bytes)):
        return
    elif isinstance(value, QueuePage):
        yield from _records(value.rows, depth + 1)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _records(v, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            yield from _records(v, depth + 1)


def shown_students(context: dict[str, Any]) -> list[tuple[str, int | None, str, str]]:
    """The student records in a template context, once each, in the order found.

    Returns
    -------
    list of ``(action, case_id, student_id, detail)``: ``view`` for a case or a queue row,
    ``notice`` for a notice to the family (``detail`` names its languages).
    """
    out: dict[tuple[str, str], tuple[str, int | None, str, str]] = {}
    for rec in _records(context):
        if isinstance(rec, Notice):
            if rec.student_id is None:
                continue
            item = ("notice", rec.case_id, rec.student_id,
                    f"notice in {', '.join(t[0] for t in rec.texts)}")
        elif isinstance(rec, QueueRow):
            item = ("view", rec.id, rec.student_id, "queue")
        else:
            item = ("view", rec.id, rec.student_id, "case")
        out.setdefault((item[0], item[2]), item)
    return list(out.values())


def record_shown(engine, user: User | None, context: dict[str, Any], *, path: str) -> int:
    """Append one disclosure row per student record in ``context``; return how many.

    The rows are written by one INSERT statement (executed for all of them) in one
    transaction: a page of "My day" (50 students) costs one statement and one commit.

    Raises
    ------
    PermissionError
        A student record is about to be shown with nobody signed in (never sent).
    """
    shown = shown_students(context)
    if not shown:
        return 0
    if user is None:
        raise PermissionError("a student record cannot be shown without a signed-in user")
    purpose = purpose_for(user)
    now = utcnow()
    rows = []
    for action, detail in sorted({(a, d) for a, _, _, d in shown}):
        pairs: Iterable = [(cid, sid) for a, cid, sid, d in shown if (a, d) == (action, detail)]
        rows += _disclosure_rows(user, action, purpose, pairs, f"{detail}: {path}"[:300], now)
    # Core, not the ORM: no unit of work, no session (the row layout is _disclosure_rows')
    with write_connection(engine) as conn:
        conn.execute(insert(DisclosureLog), rows)
    return len(shown)
