"""The attendance rules as Ibis expressions (one definition, run on DuckDB or Spark).

Vocabulary
----------
enrollment period (``enr``)
    One row of ``students`` (a student at a school from ``enroll_date`` to ``exit_date``,
    inclusive). Its id is the row's line number in the students file.
instructional day index (``idx``)
    1, 2, 3, ... over a school's instructional days in ``calendar`` (in date order). Within an
    enrollment period the enrolled days are the consecutive indices ``first_idx..last_idx``, so a
    streak of absences is a run of consecutive indices.
week
    The ISO week (Monday to Sunday) that holds the day, in the school's calendar.

Every function here returns Ibis expressions; nothing is executed except where a function says
it returns a pandas frame. Integer counts and dates are all that leave the backend, so DuckDB and
Spark give identical results; rates and wording are made in :mod:`._outputs`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from equitable.engagement._io import (
    MAX_EXAMPLES,
    PRESENT_STATUSES,
    SCHOOL_SPAN,
    STATUSES,
    Issue,
)
from equitable.engagement._rules_spec import EngagementRules, Sb98, load_rules, share

__all__ = [
    "Inputs", "check_activity", "check_attendance", "compact_attendance", "engagement_table",
    "missing_rows_notes", "to_frame",
]

_FAR_FUTURE = dt.date(9999, 12, 31)
_ISO_TS = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$"


@dataclass
class Inputs:
    """The checked inputs, as Ibis tables on one backend."""

    periods: ibis.Table  # enr, e_sid, e_sch, e_start, e_end (exit or far future), e_si,
    #                      e_sch_i, e_lo, e_hi (first/last instructional day index in the period)
    cal: ibis.Table  # c_sch, c_date, idx, week, c_sch_i, c_dtext, c_day, c_after
    #                  (instructional days; c_day: days since 1970-01-01)
    as_of: dt.date
    absences_only: bool
    attendance_file: str
    activity_file: str | None = None
    sids: ibis.Table | None = None  # s_sid, s_si: the distinct student ids, dense-ranked;
    #   u_enr, u_sch_i, u_lo, u_hi: the student's only enrollment period (with 2 or more:
    #   u_enr 0 and the empty range u_lo 1 > u_hi 0)
    multi_periods: ibis.Table | None = None  # the periods of students with 2 or more (enr,
    #   e_lo, e_hi, e_si, e_sch_i); None when every student has one period
    dates_all_match: bool = False  # every attendance date is a calendar day as YYYY-MM-DD text
    row_type: str = "int64"  # type of ``_row`` in the compact attendance table
    n_days: int = 1  # distinct instructional dates in the calendar (``c_day`` is 0..n_days-1)
    wide_int_sums: bool = False  # DuckDB: 64-bit integer sums do not overflow, and the
    #                              duplicate screen's words are bitwise ORs
    one_period_per_school: bool = False  # no student has two periods at one school


def _text(col: ibis.Value) -> ibis.Value:
    """Text as is (CSV input is already trimmed on reading; Parquet values are taken as they are)."""
    return col if col.type().is_string() else col.cast("string")


def _as_date(col: ibis.Value) -> ibis.Value:
    if col.type().is_date():
        return col
    if col.type().is_timestamp():
        return col.date()
    return _text(col).strip().try_cast("date")


def _date_text(col: ibis.Value) -> ibis.Value:
    """A date column as ``YYYY-MM-DD`` text (the join key against the calendar)."""
    if col.type().is_date():
        return col.cast("string")
    if col.type().is_timestamp():
        return col.date().cast("string")
    return _text(col)


def compact_attendance(raw: ibis.Table, inp: Inputs) -> ibis.Table:
    """Attendance rows reduced to integers: ``_row, enr, idx, st, problem, after``.

    ``st`` is the index of the status in :data:`STATUSES` (0-2 present, 3-6 absent, -1 unknown);
    ``problem`` is 0 for a usable row, else the first problem found (1 blank id, 2 bad date,
    3 unknown status, 6 a school without instructional days in the calendar, 4 not an
    instructional day of the school, 5 student not enrolled at the school that day); ``after`` marks dates after the as-of day. The backend materialises this
    table once; every later step reads it instead of the text file.

    The text is touched once, by joins on small tables: the student id against the dense-ranked
    ids (``inp.sids``), the school and date text against the calendar (a row whose date is
    written otherwise, e.g. with blanks, is parsed and matched by date instead; that second
    join is left out when ``inp.dates_all_match`` says no such row exists); the enrollment
    period of a student with one period comes with the id (the row is in it when the school
    and the day's index fall within it), that of a student with several is found with integer
    keys (student, school) and the day's index within the period's first and last
    instructional day.
    """
    sid, sch, dtext = _text(raw.student_id), _text(raw.school_id), _date_text(raw.date)
    st = _text(raw.status)
    # The status code and the blank-key flag are computed first, so that no join carries the
    # status text, and each key's text is dropped by the join that uses it.
    a = raw.select(
        _row=raw._row, sid=sid, sch=sch, dtext=dtext,
        code=ibis.cases(*[(st == s, i) for i, s in enumerate(STATUSES)], else_=-1),
        blank=sid.isnull() | (sid == "") | sch.isnull() | (sch == ""),
    )
    # Each text column is joined alone against a small table of its values (one string key
    # per join is much faster than a composite one); the rest joins on integers.
    ids = inp.sids
    assert ids is not None, "the student ids are set by the checks that run before this"
    a = a.left_join(ids, a.sid == ids.s_sid).drop("s_sid", "sid")
    sc = inp.cal.select(k_sch="c_sch", sch_i="c_sch_i", full="c_full").distinct()
    a = a.left_join(sc, a.sch == sc.k_sch).drop("k_sch", "sch")
    days = inp.cal.select(k_dtext="c_dtext", day1="c_day", after1="c_after").distinct()
    a = a.left_join(days, a.dtext == days.k_dtext).drop("k_dtext")
    if inp.dates_all_match:  # known from the scan that found the as-of day
        a = a.mutate(day=a.day1, after_day=a.after1, bad_date=a.day1.isnull()).drop("dtext")
    else:
        # Only rows whose text is not a calendar day as YYYY-MM-DD are parsed as dates.
        d2 = a.day1.isnull().ifelse(a.dtext.strip().try_cast("date"), ibis.null("date"))
        a = a.mutate(d2=d2).drop("dtext")
        days2 = inp.cal.select(k_date="c_date", day2="c_day", after2="c_after").distinct()
        a = a.left_join(days2, a.d2 == days2.k_date).drop("k_date")
        a = a.mutate(day=a.day1.coalesce(a.day2), after_day=a.after1.coalesce(a.after2),
                     bad_date=a.day1.isnull() & a.d2.isnull())
    # The day's index in the school's calendar. A school whose instructional days are all the
    # calendar's days (``c_full``, the usual case: one district calendar) has index = day number
    # + 1; only the other schools' rows are joined with their own calendar, on one 64-bit key
    # (school * n_days + day number; one integer key is much cheaper than two).
    own = inp.cal.filter(~inp.cal.c_full)
    c = own.select(m_key=own.c_sch_i.cast("int64") * inp.n_days + own.c_day,
                   c_idx="idx", c_after="c_after")
    a = a.mutate(day_key=a.full.ifelse(ibis.null("int64"),
                                       a.sch_i.cast("int64") * inp.n_days + a.day))
    a = a.left_join(c, a.day_key == c.m_key).drop("m_key", "day_key")
    a = a.mutate(
        idx=(a.full & a.day.notnull()).ifelse(a.day.cast("int64") + 1, a.c_idx.cast("int64")),
        after=a.full.ifelse(a.after_day, a.c_after),
    )
    # The period. A student with one period (the usual case) brought it with the id: the row
    # is in it when the school and the day's index fall within it (no join). For a student
    # with several, a join on one 64-bit key, student * 2**20 + school (fewer than 2**20
    # schools), and the day's index within the period.
    in_only = (a.sch_i == a.u_sch_i) & (a.idx >= a.u_lo) & (a.idx <= a.u_hi)
    enr_only = ibis.cases((in_only, a.u_enr.cast("int64")), else_=ibis.null("int64"))
    if inp.multi_periods is None:
        a = a.mutate(enr=enr_only)
    else:
        several = a.u_enr == 0
        p = inp.multi_periods
        p = p.select(m_enr="enr", m_lo="e_lo", m_hi="e_hi",
                     p_key=p.e_si.cast("int64") * SCHOOL_SPAN + p.e_sch_i)
        a = a.mutate(sk=several.ifelse(
            a.s_si.cast("int64") * SCHOOL_SPAN + a.sch_i, ibis.null("int64")))
        a = a.left_join(p, [a.sk == p.p_key, a.idx >= p.m_lo, a.idx <= p.m_hi])
        a = a.mutate(enr=several.ifelse(a.m_enr.cast("int64"), enr_only))
    problem = ibis.cases(
        (a.blank, 1), (a.bad_date, 2), (a.code < 0, 3), (a.sch_i.isnull(), 6),
        (a.idx.isnull(), 4), (a.enr.isnull(), 5), else_=0,
    )
    return a.select(
        _row=a._row.cast(inp.row_type), enr=a.enr.cast("int32"), idx=a.idx.cast("int16"),
        st=a.code.cast("int8"), problem=problem.cast("int8"), after=a.after.fill_null(False),
    )


_WORD = 62  # days per word of the duplicate screen (distinct days sum to < 2**62)

_ROW_FLAGS = {
    1: "with a blank student_id or school_id",
    2: "with a date that is not an ISO date YYYY-MM-DD (a spreadsheet's M/D/YYYY, e.g. "
       "8/19/2021, must be written 2021-08-19)",
    3: "with an unknown status (allowed: " + ", ".join(STATUSES) + ")",
    6: "with a school_id that has no instructional day in the calendar (a CDS code has 14 "
       "digits: check for a lost leading zero)",
    4: "on a date that is not an instructional day of the school in the calendar",
    5: "for a day on which the student was not enrolled at that school (or a student_id that "
       "is not in the students file: check for lost leading zeros)",
}


def fetch(expr: ibis.Table) -> pd.DataFrame:
    """Execute ``expr`` into a pandas frame through Arrow. (Ibis' own ``execute`` imports
    geopandas, about a second, whenever it is installed, to look for geometry columns.)"""
    return expr.to_pyarrow().to_pandas()


def _examples(expr: ibis.Table) -> list[int]:
    rows = fetch(expr.order_by("_row").limit(MAX_EXAMPLES).select("_row"))["_row"]
    return [int(r) for r in rows]


def _period_counts(t: ibis.Table, present: ibis.Value) -> dict[str, ibis.Value]:
    """The per-period figures the rules need, as aggregations over usable attendance rows
    (``idx`` and a present flag; every other usable row is an absence): ``n_rows``,
    ``days_absent``, ``n_present_rows``, ``last_present_idx``."""
    return {
        "n_rows": t.count(),
        "days_absent": (~present).cast("int64").sum(),
        "n_present_rows": present.cast("int64").sum(),
        "last_present_idx": t.idx.max(where=present),
    }


def check_attendance(
    a: ibis.Table, inp: Inputs, enrolled: pd.DataFrame, overlap_enrs: list[int],
    lenient: bool = False, materialize=None,
) -> tuple[ibis.Table, list[Issue], list[Issue], ibis.Table | None]:
    """Check the attendance rows; return (usable rows, problems, notes, per-period counts).

    The per-period counts (``enr, days_absent, n_present_rows, n_rows, last_present_idx``, as
    :func:`engagement_table` needs them) come from the same pass as the duplicate screen; they
    are None when rows were set aside (then the rules count the rows kept). ``materialize``
    (the backend's) keeps that table so it is computed once.

    ``a`` is :func:`compact_attendance`, materialised. Problems (each a count and example rows):
    blank ids, bad dates, unknown status codes, dates that are not instructional days of the
    school, days the student was not enrolled at the school, duplicate rows (the same student,
    school and date again: the later copies), and a student recorded at two schools on one day
    (every such row). In full mode (one row per enrolled instructional day) an enrolled day
    without a row is a problem too.

    ``enrolled`` is the enrolled-days frame (``enr, days_enrolled, first_idx, last_idx``),
    needed for the duplicate screen;
    ``overlap_enrs`` are the periods that overlap a period of the same student at another school
    (only there can a student be at two schools on one day).

    Duplicates are found exactly without grouping every row by day: per period, the day indices
    are split into words of 62 days and each word sums ``2**(day mod 62)`` over the rows.
    Distinct days are distinct powers of two, so a word's sum has as many one-bits as it has
    distinct days and a repeated day always loses at least one bit to a carry; the period has a
    repeated row exactly when its row count exceeds the one-bits of its words (or a word reaches
    ``2**62``).
    Only the periods with a repeat are examined row by row. On DuckDB each word is the bitwise
    OR of the same powers of two instead (its one-bits are exactly the distinct days; Ibis
    compiles no bitwise OR for Spark).
    """
    counts = fetch(a.group_by("problem").agg(n=a.count()))
    counts = dict(zip(counts["problem"].astype(int), counts["n"].astype(int)))
    issues: list[Issue] = []
    for k, what in _ROW_FLAGS.items():
        n = counts.get(k, 0)
        if n:
            issues.append(Issue(inp.attendance_file, what, n, _examples(a.filter(a.problem == k))))
    ok = a.filter((a.problem == 0) & ~a.after)
    day = ok.idx.cast("int64") - 1  # 0-based day index in the school's calendar
    # 2**(day mod 62) (a power of two: exact as a double and as an integer) and the day's word.
    # Spark's sums must not overflow (it wraps 64-bit sums): there the terms are decimals.
    present = ok.st < len(PRESENT_STATUSES)
    words = [f"w{w}" for w in range(max(1, -(-inp.n_days // _WORD)))]
    if inp.wide_int_sums:
        # DuckDB: each word is the bitwise OR of 1 << (day mod 62), whose one-bits are the
        # distinct days (no sum, no carry, no overflow); the period has a repeated row exactly
        # when its row count exceeds them, as with the sums below.
        t = ok.select("enr", "idx", present_=present, w_=day // _WORD,
                      b_=ibis.literal(1, "int64") << (day % _WORD))
        aggs = _period_counts(t, t.present_)
        for w, name in enumerate(words):
            aggs[name] = t.b_.bit_or(where=t.w_ == w).fill_null(0)
    else:
        term = ibis.literal(2.0) ** (day % _WORD).cast("float64")
        t = ok.select("enr", "idx", present_=present, w_=day // _WORD,
                      b_=term.cast("decimal(38, 0)"))
        aggs = _period_counts(t, t.present_)
        for w, name in enumerate(words):
            word = t.b_.sum(where=t.w_ == w).fill_null(0)
            aggs[name] = (word < 2**_WORD).ifelse(word.cast("int64"), -1)
    per_all = t.group_by("enr").agg(**aggs)
    if materialize is not None:
        per_all = materialize("per", per_all)
    got = fetch(per_all.select("enr", *words, n=per_all.n_rows))
    bits = np.zeros(len(got), dtype="int64")
    overflow = np.zeros(len(got), dtype=bool)
    for c in words:
        v = got[c].to_numpy(dtype="int64")
        overflow |= v < 0
        bits += np.bitwise_count(np.maximum(v, 0).astype("uint64")).astype("int64")
    repeats = overflow | (got["n"].to_numpy(dtype="int64") > bits)
    suspects = got.loc[repeats, "enr"]
    exp = enrolled[["enr", "days_enrolled", "first_idx", "last_idx"]]
    drop_rows = None
    n_dup = 0
    dup_per_enr = pd.DataFrame({"enr": [], "n_dup": []})
    notes: list[Issue] = []
    if len(suspects):
        if len(suspects) < 2000:
            sus = ok.filter(ok.enr.isin([int(e) for e in suspects]))
        else:
            sus = ok
        w = ibis.window(group_by=[sus.enr, sus.idx], order_by=sus._row)
        ranked = sus.mutate(rn=ibis.row_number().over(w))
        dups_enr = ranked.filter(ranked.rn > 0).select("_row", "enr")
        dups = dups_enr.select("_row")
        dup_per_enr = fetch(dups_enr.group_by("enr").agg(n_dup=dups_enr.count()))
        n_dup = int(dup_per_enr["n_dup"].sum()) if len(dup_per_enr) else 0
        if n_dup:
            issues.append(Issue(
                inp.attendance_file,
                "repeating a student, school and date listed earlier", n_dup, _examples(dups),
            ))
            drop_rows = dups
    if overlap_enrs:
        two = ok.filter(ok.enr.isin([int(e) for e in overlap_enrs]))
        p = inp.periods.select(t_enr="enr", t_sid="e_sid", t_sch="e_sch")
        c = inp.cal.select(t_csch="c_sch", t_idx="idx", t_date="c_date")
        two = two.join(p, two.enr == p.t_enr)
        two = two.join(c, [two.t_sch == c.t_csch, two.idx == c.t_idx])
        g = two.group_by(["t_sid", "t_date"]).agg(nsch=two.t_sch.nunique())
        g = g.filter(g.nsch > 1).select(g2_sid="t_sid", g2_d="t_date")
        rows2 = two.join(g, [two.t_sid == g.g2_sid, two.t_date == g.g2_d]).select("_row")
        n_two = int(rows2.count().to_pyarrow().as_py())
        if n_two:
            issues.append(Issue(
                inp.attendance_file, "placing a student at two schools on the same day", n_two,
                _examples(rows2),
            ))
            drop_rows = rows2 if drop_rows is None else drop_rows.union(rows2)
    if drop_rows is not None:
        dr = drop_rows.distinct().select(drop_row="_row")
        ok = ok.anti_join(dr, ok._row == dr.drop_row)
    if not inp.absences_only:
        # Enrolled days without a row.
        if drop_rows is not None and lenient:
            kept = fetch(ok.group_by("enr").agg(n=ok.count()))
        else:  # count the distinct days of the file as it is
            kept = got[["enr", "n"]].copy()
            if n_dup:
                kept = kept.merge(dup_per_enr, on="enr", how="left").fillna({"n_dup": 0})
                kept["n"] = kept["n"] - kept["n_dup"]
        notes += missing_rows_notes(inp, exp, kept)
    ok = ok.mutate(absent=ok.st >= len(PRESENT_STATUSES), present=ok.st < len(PRESENT_STATUSES))
    per = None
    if drop_rows is None:
        per = per_all.select("enr", *_period_counts(t, t.present_))
    return ok.select("enr", "idx", "absent", "present", "_row"), issues, notes, per


def missing_rows_notes(inp: Inputs, enrolled: pd.DataFrame, kept: pd.DataFrame) -> list[Issue]:
    """Full mode (not ``--absences-only``): the enrolled instructional days without an
    attendance row, as one note (none when every day has one). ``enrolled`` has ``enr,
    days_enrolled``; ``kept`` the rows kept per period, ``enr, n``."""
    enr = enrolled["enr"].to_numpy("int64")
    pos = pd.Index(kept["enr"].to_numpy("int64")).get_indexer(enr)  # one row per period
    n = np.zeros(len(enr), dtype="int64")
    n[pos >= 0] = kept["n"].to_numpy("int64")[pos[pos >= 0]]
    gap = enrolled["days_enrolled"].to_numpy("int64") - n
    n_gap = int(gap[gap > 0].sum())
    if not n_gap:
        return []
    rows = sorted(int(e) for e in enr[gap > 0])[:MAX_EXAMPLES]
    n_enr = int((gap > 0).sum())
    return [Issue(
        inp.attendance_file,
        f"of {n_enr:,} enrollment{'' if n_enr == 1 else 's'} (students file "
        f"row{'' if len(rows) == 1 else 's'} {', '.join(map(str, rows))}"
        f"{'' if n_enr <= len(rows) else ', ...'}) have no attendance row; without "
        "--absences-only every enrolled instructional day needs one",
        n_gap, [], unit="instructional days",
    )]


def check_activity(
    raw: ibis.Table, inp: Inputs, materialize=None
) -> tuple[ibis.Table, list[Issue], dict]:
    """Check platform activity rows; return (usable rows, problems, counts of rows set aside).

    Usable rows get ``sid``, ``ad`` (the calendar date written in the timestamp, i.e. the local
    date at the timestamp's own UTC offset) and ``participation`` (bool). Rows for students or
    dates outside every enrollment period, or after the as-of date, are not errors (a platform
    serves more people than one district file lists); they are set aside by the join.
    ``materialize`` (the backend's) keeps the parsed rows so the text is parsed once.
    """
    ts = _text(raw.timestamp)
    a = raw.select(_row=raw._row, sid=_text(raw.student_id), ts=ts, kind_=_text(raw.kind))
    a = a.mutate(ad=a.ts.substr(0, 10).try_cast("date"))
    blank = a.sid.isnull() | (a.sid == "")
    bad_ts = a.ad.isnull() | ~a.ts.re_search(_ISO_TS)
    bad_kind = ~a.kind_.isin(("login", "participation"))
    a = a.select(
        "_row", "sid", "ad", participation=a.kind_ == "participation",
        problem=ibis.cases((blank, 1), (bad_ts, 2), (bad_kind, 3), else_=0).cast("int8"),
    )
    if materialize is not None:
        a = materialize("act", a)
    flags = {
        1: "with a blank student_id",
        2: "with a timestamp that is not ISO 8601 with a UTC offset",
        3: "with a kind other than login or participation",
    }
    counts = fetch(a.group_by("problem").agg(n=a.count()))
    counts = dict(zip(counts["problem"].astype(int), counts["n"].astype(int)))
    issues = []
    for k, what in flags.items():
        n = counts.get(k, 0)
        if n:
            issues.append(Issue(inp.activity_file or "activity", what, n,
                                _examples(a.filter(a.problem == k))))
    ok = a.filter(a.problem == 0)
    return ok.select("sid", "ad", "participation", "_row"), issues, {}


def _streaks(ok: ibis.Table, enrolled: ibis.Table) -> ibis.Table:
    """Per period: the longest run of absent instructional days and the run ending on the last
    enrolled day (the current streak)."""
    ab = ok.filter(ok.absent).select("enr", "idx")
    w = ibis.window(group_by=ab.enr, order_by=ab.idx)
    ab = ab.mutate(grp=ab.idx.cast("int64") - ibis.row_number().over(w))
    runs = ab.group_by(["enr", "grp"]).agg(run=ab.count(), end_idx=ab.idx.max())
    e = enrolled.select(r_enr="enr", r_last="last_idx")
    runs = runs.join(e, runs.enr == e.r_enr)
    return runs.group_by("enr").agg(
        longest_absence_streak=runs.run.max(),
        current_absence_streak=(runs.end_idx == runs.r_last).ifelse(runs.run, 0).max(),
    )


def _sb98(ok: ibis.Table, inp: Inputs, window: tuple[dt.date | None, dt.date | None],
          rules: Sb98 | None = None) -> ibis.Table:
    """Per period: weeks in which the student was absent on more than three school days or on
    60% or more of the week's instructional days (Education Code 43504(f), SB 98, 2020-21; the
    numbers are ``rules``', California's by default)."""
    rules = rules if rules is not None else load_rules().sb98
    num, den = share(rules.week_share_percent)
    start, end = window
    p = inp.periods
    c = inp.cal
    ab = ok.filter(ok.absent).select("enr", "idx")
    pp = p.select(b_enr="enr", b_sch_i="e_sch_i")
    cc = c.select(b_csch_i="c_sch_i", b_idx="idx", d="c_date", week="week")
    ab = ab.join(pp, ab.enr == pp.b_enr)
    ab = ab.join(cc, [ab.b_sch_i == cc.b_csch_i, ab.idx == cc.b_idx])
    if start is not None:
        ab = ab.filter(ab.d >= ibis.literal(start))
    if end is not None:
        ab = ab.filter(ab.d <= ibis.literal(end))
    aw = ab.group_by(["enr", "week"]).agg(n_absent=ab.count())
    j = aw.join(p, aw.enr == p.enr).select(
        w_enr=aw.enr, w_week=aw.week, n_absent=aw.n_absent, j_sch_i=p.e_sch_i, j_lo=p.e_lo,
        j_hi=p.e_hi,
    )
    # The week's instructional days within the period, on or before the as-of date (and in the
    # window). A school's days are the consecutive indices 1, 2, ... in date order, so the
    # qualifying days of one week are one run of indices [w_lo, w_hi] (a week, the days up to
    # the as-of date and the window are each a run of dates), and the period's share of it is
    # the overlap with [e_lo, e_hi]: arithmetic, not a join with every day.
    cw = c.filter(~c.c_after)
    if start is not None:
        cw = cw.filter(cw.c_date >= ibis.literal(start))
    if end is not None:
        cw = cw.filter(cw.c_date <= ibis.literal(end))
    sw = cw.group_by([cw.c_sch_i.name("s_sch_i"), cw.week.name("s_week")]).agg(
        w_lo=cw.idx.min(), w_hi=cw.idx.max())
    # A left join keeps this order (the week counts look up their school-week); as an inner
    # join the optimiser may pair every period with every week of its school first.
    jj = j.left_join(sw, [j.j_sch_i == sw.s_sch_i, j.w_week == sw.s_week])
    n_days = (ibis.least(jj.w_hi, jj.j_hi).cast("int64")
              - ibis.greatest(jj.w_lo, jj.j_lo).cast("int64") + 1)
    wk = jj.select("w_enr", "n_absent", n_days=n_days)
    wk = wk.filter(wk.n_days > 0)
    flagged = (wk.n_absent > rules.max_absent_days) | (wk.n_absent * den >= wk.n_days * num)
    return wk.group_by(wk.w_enr.name("enr")).agg(
        sb98_weeks_flagged=flagged.cast("int64").sum()
    )


def engagement_table(
    ok: ibis.Table,
    activity: ibis.Table | None,
    inp: Inputs,
    enrolled: ibis.Table,
    *,
    missing_days: int = 10,
    sb98_window: tuple[dt.date | None, dt.date | None] = (None, None),
    per: ibis.Table | None = None,
    rules: EngagementRules | None = None,
    figures: ibis.Table | None = None,
) -> ibis.Table:
    """One row per student and school with every count and flag of the engagement rules.

    Parameters
    ----------
    per : the per-period counts from :func:`check_attendance`, when it made them (else they
        are counted from ``ok``).
    figures : every per-period figure taken from the rows at once (the counts of ``per``, the
        streaks and the SB 98 weeks), as the short path makes them
        (:func:`equitable.engagement._fast.period_figures`); ``ok`` and ``per`` are then unused.
    ok : usable attendance rows from :func:`check_attendance`.
    activity : usable activity rows from :func:`check_activity`, or None.
    enrolled : the enrolled-days table (``enr, days_enrolled, first_idx, last_idx, ...``).
    missing_days : N, the window of the ``missing`` rule in instructional days.
    sb98_window : first and last date (inclusive) of the days the SB 98 weeks look at.
    rules : the thresholds (:func:`~equitable.engagement.load_rules`); default California's,
        whose numbers the rules below quote.

    Returns
    -------
    ibis.Table with columns ``student_id, school_id, days_enrolled, days_absent, days_present,
    days_unrecorded, chronically_absent`` (bool, null when fewer than 31 days enrolled),
    ``attendance_tier, longest_absence_streak, current_absence_streak, last_present_date,
    last_activity_date, last_participation_date, sb98_weeks_flagged, never_engaged, missing,
    enrolled_now, student_rank, school_rank`` (the ids' ranks in sorted order, for sorting
    and joining on integers).

    Rules: absent = excused + unexcused + out-of-school suspension + distance_absent (Education
    Code 60901(c)(1); CDE Dashboard chronic absenteeism); chronically absent = absent on 10% or
    more of the days enrolled, for students enrolled 31 days or more. Tiers after Attendance
    Works: satisfactory < 5%, at risk 5% to < 10%, moderate 10% to < 20%, severe >= 20%, computed
    in integers (``20 * absent < enrolled`` is "< 5%") so no boundary is lost to rounding.
    """
    rules = load_rules(rules)
    p = inp.periods
    as_of = ibis.literal(inp.as_of)
    e = enrolled
    t = e.join(p.select("enr", "e_sid", "e_sch", "e_end", "e_sch_i", "e_si"), "enr")
    if figures is not None:
        t = t.left_join(figures, t.enr == figures.enr).drop("enr_right")
    else:
        if per is None:
            per = ok.group_by("enr").agg(**_period_counts(ok, ok.present))
        st = _streaks(ok, enrolled)
        sb = _sb98(ok, inp, sb98_window, rules.sb98)
        t = t.left_join(per, t.enr == per.enr).drop("enr_right")
        t = t.left_join(st, t.enr == st.enr).drop("enr_right")
        t = t.left_join(sb, t.enr == sb.enr).drop("enr_right")
    t = t.mutate(
        days_absent=t.days_absent.fill_null(0),
        longest_absence_streak=t.longest_absence_streak.fill_null(0),
        current_absence_streak=t.current_absence_streak.fill_null(0),
        sb98_weeks_flagged=t.sb98_weeks_flagged.fill_null(0),
        n_rows=t.n_rows.fill_null(0),
        n_present_rows=t.n_present_rows.fill_null(0),
    )
    if inp.absences_only:
        # Every enrolled day without an absence is a day present; the last one is the day just
        # before the current streak of absences (if it is still in the period).
        c = inp.cal.select(lp_sch="c_sch_i", lp_idx="idx", lp_date="c_date")
        t = t.mutate(lp_idx=t.last_idx - t.current_absence_streak)
        t = t.left_join(c, [t.e_sch_i == c.lp_sch, t.lp_idx == c.lp_idx])
        t = t.mutate(
            days_present=t.days_enrolled - t.days_absent,
            days_unrecorded=ibis.literal(0, "int64"),
            last_present_date=(t.lp_idx >= t.first_idx).ifelse(t.lp_date, ibis.null("date")),
        )
    else:
        c = inp.cal.select(lp_sch="c_sch_i", lp_idx="idx", lp_date="c_date")
        t = t.left_join(c, [t.e_sch_i == c.lp_sch, t.last_present_idx == c.lp_idx])
        t = t.mutate(
            days_present=t.n_present_rows,
            days_unrecorded=(t.days_enrolled - t.n_rows),
            last_present_date=t.lp_date,
        )
    if activity is not None:
        pa_ = p.select(a_enr="enr", a_sid="e_sid", a_start="e_start", a_end="e_end")
        aj = activity.join(
            pa_, [activity.sid == pa_.a_sid, activity.ad >= pa_.a_start, activity.ad <= pa_.a_end,
                  activity.ad <= as_of],
        )
        act = aj.group_by(aj.a_enr.name("enr")).agg(
            last_activity_date=aj.ad.max(),
            last_participation_date=aj.ad.max(where=aj.participation),
        )
        t = t.left_join(act, t.enr == act.enr).drop("enr_right")
    else:
        t = t.mutate(
            last_activity_date=ibis.null("date"), last_participation_date=ibis.null("date")
        )
    # Combine the periods of a student at a school: grouped by the integer ranks of the ids
    # (one rank per id, so the same groups as by the ids' text, and cheaper); when no student
    # has two periods at one school, each period is its own group (no grouping needed).
    same = ["days_enrolled", "days_absent", "days_present", "days_unrecorded",
            "longest_absence_streak", "current_absence_streak", "last_present_date",
            "last_activity_date", "last_participation_date", "sb98_weeks_flagged"]
    if inp.one_period_per_school:
        g = t.select(student_id=t.e_sid, school_id=t.e_sch, **{c: t[c] for c in same},
                     student_rank=t.e_si, school_rank=t.e_sch_i)
    else:
        g = t.group_by([t.e_si.name("student_rank"), t.e_sch_i.name("school_rank")]).agg(
            student_id=t.e_sid.arbitrary(),
            school_id=t.e_sch.arbitrary(),
            days_enrolled=t.days_enrolled.sum(),
            days_absent=t.days_absent.sum(),
            days_present=t.days_present.sum(),
            days_unrecorded=t.days_unrecorded.sum(),
            longest_absence_streak=t.longest_absence_streak.max(),
            current_absence_streak=t.current_absence_streak.argmax(t.last_idx),
            last_present_date=t.last_present_date.max(),
            last_activity_date=t.last_activity_date.max(),
            last_participation_date=t.last_participation_date.max(),
            sb98_weeks_flagged=t.sb98_weeks_flagged.sum(),
        )
        # The student's and the school's integer ranks last (sorting by them sorts by the ids).
        g = g.select("student_id", "school_id", *same, "student_rank", "school_rank")
    # Enrolled now: some enrollment period at the school covers the as-of date (also one that
    # began after the school's last instructional day before it, e.g. a re-enrollment that day).
    now = p.filter((p.e_start <= as_of) & (p.e_end >= as_of))
    now = now.select(n_si="e_si", n_sch_i="e_sch_i", n_now=ibis.literal(True)).distinct()
    g = g.left_join(now, [g.student_rank == now.n_si, g.school_rank == now.n_sch_i])
    g = g.mutate(enrolled_now=g.n_now.fill_null(False)).drop("n_si", "n_sch_i", "n_now")
    # Start of the `missing` window: the N-th last instructional day on or before the as-of date.
    c = inp.cal.filter(inp.cal.c_date <= as_of)
    last = c.group_by("c_sch").agg(max_idx=c.idx.max())
    cw = c.join(last, "c_sch")
    cw = cw.filter(cw.idx == ibis.greatest(cw.max_idx - (missing_days - 1), 1))
    cw = cw.select(w_sch="c_sch", window_start="c_date")
    g = g.left_join(cw, g.school_id == cw.w_sch).drop("w_sch")
    def at_least(percent):  # days absent >= percent % of the days enrolled, in integers
        num, den = share(percent)
        return g.days_absent * den >= g.days_enrolled * num

    tiers = rules.attendance_tiers
    eligible = g.days_enrolled >= rules.chronic_absence.min_days_enrolled
    chronic = at_least(rules.chronic_absence.rate_percent)
    absent5 = at_least(tiers.at_risk_percent)
    absent10 = at_least(tiers.moderate_percent)
    absent20 = at_least(tiers.severe_percent)
    engaged_in_window = (g.last_present_date >= g.window_start).fill_null(False) | (
        g.last_activity_date >= g.window_start
    ).fill_null(False)
    g = g.mutate(
        chronically_absent=eligible.ifelse(chronic, ibis.null("boolean")),
        attendance_tier=ibis.cases(
            (~eligible, "not_applicable"),
            (absent20, "severe"),
            (absent10, "moderate"),
            (absent5, "at_risk"),
            else_="satisfactory",
        ),
        never_engaged=(g.days_present == 0) & g.last_activity_date.isnull(),
        missing=g.enrolled_now & ~engaged_in_window,
    )
    return g.drop("window_start").order_by(["school_rank", "student_rank"])


def _shared_text(col) -> np.ndarray:
    """A text column (no nulls) as an object array whose rows share one ``str`` per distinct
    value (Arrow's dictionary encoding)."""
    coded = col.combine_chunks().dictionary_encode()
    return np.array(coded.dictionary.to_pylist(), dtype=object)[
        coded.indices.to_numpy(zero_copy_only=False)]


def to_frame(expr: ibis.Table) -> pd.DataFrame:
    """Execute and normalise types so both backends give the same pandas frame.

    Through Arrow: date columns become ``YYYY-MM-DD`` text (``""`` for null), columns with
    nulls object arrays of Python values (None for null), the others pandas columns.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    table = expr.to_pyarrow()
    cols = {}
    for name, col in zip(table.column_names, table.columns):
        if name.endswith("_date"):
            if not pa.types.is_date(col.type):
                col = pc.cast(col, pa.date32())
            # Few distinct dates: each one's text is made once and shared by its rows.
            cols[name] = _shared_text(pc.fill_null(pc.cast(col, pa.string()), ""))
        elif col.null_count and (pa.types.is_boolean(col.type) or pa.types.is_integer(col.type)):
            # Python values (bool, int) with None for null, as to_pylist gives them.
            values = pc.fill_null(col, False if pa.types.is_boolean(col.type) else 0)
            obj = values.to_numpy(zero_copy_only=False).astype(object)
            obj[col.is_null().to_numpy(zero_copy_only=False)] = None
            cols[name] = obj
        elif col.null_count:
            cols[name] = np.array(col.to_pylist(), dtype=object)
        elif name == "school_id" and pa.types.is_string(col.type):
            # Few schools: each id's text is made once and shared by its rows.
            cols[name] = _shared_text(col)
        else:
            cols[name] = col.to_pandas()
    return pd.DataFrame(cols, columns=table.column_names, copy=False)

