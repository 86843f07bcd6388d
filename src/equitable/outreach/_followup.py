"""Did the outreach work? Attendance before and after the first successful contact.

The daily attendance of the students with a case is loaded from the engagement run's input
(``equitable outreach attendance attendance.csv``; the latest file loaded replaces the one
before). For a case whose family was reached (a contact attempt with outcome ``reached``), the
first such contact is day 0, and

- *before*: the last ``days`` instructional days with an attendance record before day 0;
- *after*: the first ``days`` instructional days with an attendance record after day 0.

A case is **re-engaged** when its *after* window is complete (``days`` days recorded) and the
student was present on at least ``rate`` of them (default: 90% of 10 days, i.e. absent less
than 10%, Attendance Works' line for chronic absence, *Attendance Works tiers*); a reached case
whose window is not complete yet is **awaiting attendance**, never counted either way. Present
means a status of :data:`equitable.engagement.PRESENT_STATUSES` (CDE: in-school suspension is
not an absence).

:func:`reengagement_counts` reports, per reason code and per school, the cases, how many were
reached, re-engaged, awaiting attendance and closed, with small groups suppressed through
:mod:`equitable.privacy` (``*`` for 10 cases or fewer).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, func, insert, select

from equitable.engagement._reason_codes import parse_codes
from equitable.outreach._access import scope_cases
from equitable.outreach._db import read_session, write_session
from equitable.outreach._models import AttendanceDay, Case, ContactAttempt, School, User

__all__ = [
    "REENGAGED_DAYS",
    "REENGAGED_RATE",
    "AttendanceWindow",
    "case_attendance",
    "import_attendance",
    "reengagement_counts",
]

#: Defaults of the re-engagement test: present on 90% or more (whole percent) of the 10
#: instructional days after the first successful contact.
REENGAGED_RATE = 90
REENGAGED_DAYS = 10
_PRESENT = ("present", "suspended_in", "distance_present")
_ABSENT = ("absent_excused", "absent_unexcused", "suspended_out", "distance_absent")
_CHUNK = 5000


def import_attendance(engine: Engine, path: str | Path) -> tuple[int, int]:
    """Load the daily attendance of the students with a case (replacing the previous load).

    Parameters
    ----------
    path : the engagement input's ``attendance.csv``: ``student_id, date, status`` (ISO dates;
        status as in docs/engagement.md). Other columns (``school_id``) are ignored.

    Returns ``(rows loaded, rows of students without a case, left out)``; the CLI prints both.

    Raises
    ------
    InputError
        Missing columns, a bad date, an unknown status or a student and date listed twice: the
        file is rejected whole (rows named by line number, never a student id).
    """
    from equitable.outreach._import import _n, _read_csv, _reject, _rows_text

    path = Path(path)
    _, rows = _read_csv(path, ("student_id", "date", "status"))
    bad_date, bad_status, dups = [], [], []
    seen: set[tuple[str, dt.date]] = set()
    records = []
    for lineno, r in rows:
        try:
            day = dt.date.fromisoformat(r["date"])
        except ValueError:
            bad_date.append(lineno)
            continue
        status = r["status"]
        if status not in _PRESENT and status not in _ABSENT:
            bad_status.append(lineno)
            continue
        key = (r["student_id"], day)
        if key in seen:
            dups.append(lineno)
            continue
        seen.add(key)
        records.append({"student_id": key[0], "day": day, "present": status in _PRESENT})
    problems = []
    if bad_date:
        problems.append(_n(len(bad_date), "value", "values") + " of column 'date' that "
                        f"{'is' if len(bad_date) == 1 else 'are'} not a date YYYY-MM-DD "
                        f"({_rows_text(bad_date)})")
    if bad_status:
        problems.append(_n(len(bad_status), "unknown status", "unknown statuses")
                        + f" in column 'status' ({_rows_text(bad_status)}; allowed: "
                        + ", ".join(_PRESENT + _ABSENT) + ")")
    if dups:
        problems.append(_n(len(dups), "row repeating a student and date",
                           "rows repeating a student and date") + f" ({_rows_text(dups)})")
    _reject(path, problems)
    with write_session(engine) as s:
        with_case = set(s.scalars(select(Case.student_id)))
        keep = [r for r in records if r["student_id"] in with_case]
        s.execute(delete(AttendanceDay))
        for i in range(0, len(keep), _CHUNK):
            s.execute(insert(AttendanceDay), keep[i : i + _CHUNK])
    return len(keep), len(records) - len(keep)


@dataclass(frozen=True)
class AttendanceWindow:
    """Attendance around the first successful contact (``contact_on``)."""

    contact_on: dt.date
    days: int  # the window's length asked for
    before_days: int
    before_present: int
    after_days: int
    after_present: int

    @staticmethod
    def _pct(present: int, days: int) -> str | None:
        if days == 0:
            return None
        q = (2 * present * 1000 + days) // (2 * days)  # half up, one decimal, exactly
        return f"{q // 10}.{q % 10}"

    @property
    def before_pct(self) -> str | None:
        return self._pct(self.before_present, self.before_days)

    @property
    def after_pct(self) -> str | None:
        return self._pct(self.after_present, self.after_days)

    def re_engaged(self, rate: int = REENGAGED_RATE) -> bool | None:
        """True/False once the after window is complete (present on ``rate`` percent or more of
        its days, compared exactly in integers); None while it is not."""
        if self.after_days < self.days:
            return None
        return self.after_present * 100 >= rate * self.days


def _first_reached(s, case_ids) -> dict[int, dt.date]:
    rows = s.execute(select(ContactAttempt.case_id, func.min(ContactAttempt.contacted_on))
                     .where(ContactAttempt.outcome == "reached",
                            ContactAttempt.case_id.in_(case_ids))
                     .group_by(ContactAttempt.case_id)).all()
    return dict(rows)


def _windows(s, pairs: dict[str, dt.date], days: int) -> dict[str, AttendanceWindow]:
    """Attendance windows of ``{student_id: first reached contact}``."""
    out = {}
    ids = list(pairs)
    recs: dict[str, list[tuple[dt.date, bool]]] = defaultdict(list)
    for i in range(0, len(ids), 1000):
        for sid, day, present in s.execute(
                select(AttendanceDay.student_id, AttendanceDay.day, AttendanceDay.present)
                .where(AttendanceDay.student_id.in_(ids[i : i + 1000]))
                .order_by(AttendanceDay.student_id, AttendanceDay.day)):
            recs[sid].append((day, present))
    for sid, d0 in pairs.items():
        before = [p for d, p in recs.get(sid, []) if d < d0][-days:]
        after = [p for d, p in recs.get(sid, []) if d > d0][:days]
        out[sid] = AttendanceWindow(d0, days, len(before), sum(before), len(after), sum(after))
    return out


def case_attendance(engine: Engine, user: User, case_id: int, *, days: int = REENGAGED_DAYS
                    ) -> AttendanceWindow | None:
    """The attendance window of one case the user may see (None: never reached)."""
    with read_session(engine) as s:
        row = s.execute(scope_cases(select(Case.id, Case.student_id), user)
                        .where(Case.id == case_id)).first()
        if row is None:
            return None
        first = _first_reached(s, [row.id])
        if row.id not in first:
            return None
        return _windows(s, {row.student_id: first[row.id]}, days)[row.student_id]


def reengagement_counts(engine: Engine, user: User, *, rate: int = REENGAGED_RATE,
                        days: int = REENGAGED_DAYS):
    """Reached, re-engaged, awaiting attendance and closed cases, per reason and per school.

    ``rate`` is a whole percent (0-100), ``days`` the number of instructional days after the
    first successful contact (1-60); see the module docstring.

    Returns ``(by_reason, by_school)``, two DataFrames with ``group, cases, reached,
    re_engaged, awaiting, closed`` (``group``: a reason code, ``""`` for cases imported
    without codes; or a school's name). A case with several reasons counts under each. Every
    figure of a group of 10 cases or fewer is ``*`` (:func:`equitable.privacy.suppress_table`).
    """
    import pandas as pd

    from equitable.privacy import suppress_table

    if not (0 <= rate <= 100 and 1 <= days <= 60):
        raise ValueError("rate must be a percent 0-100 and days 1-60")
    with read_session(engine) as s:
        cases = s.execute(scope_cases(select(Case.id, Case.student_id, Case.school_id,
                                             Case.status, Case.reason_codes), user)).all()
        names = dict(s.execute(select(School.school_id, School.name)).all())
        first: dict[int, dt.date] = {}
        ids = [c.id for c in cases]
        for i in range(0, len(ids), 1000):
            first.update(_first_reached(s, ids[i : i + 1000]))
        win = _windows(s, {c.student_id: first[c.id] for c in cases if c.id in first}, days)
    cols = ["cases", "reached", "re_engaged", "awaiting", "closed"]
    by_reason: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    by_school: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for c in cases:
        w = win.get(c.student_id) if c.id in first else None
        verdict = w.re_engaged(rate) if w is not None else None
        fig = [1, int(w is not None), int(verdict is True),
               int(w is not None and verdict is None), int(c.status == "closed")]
        try:
            codes = sorted({r.code for r in parse_codes(c.reason_codes)}) or [""]
        except ValueError:
            codes = [""]
        for key, table in [(k, by_reason) for k in codes] + [(c.school_id, by_school)]:
            table[key] = [a + b for a, b in zip(table[key], fig)]

    def frame(table, label) -> pd.DataFrame:
        df = pd.DataFrame([[label(k), *v] for k, v in sorted(table.items())],
                          columns=["group", *cols])
        return suppress_table(df, "cases", cols)

    return (frame(by_reason, lambda k: k),
            frame(by_school, lambda k: names.get(k) or k))
