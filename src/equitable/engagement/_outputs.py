"""The output files: student rows with reasons, the CDE-layout summary, the outreach queue and
its fairness check. Everything here works on the small per-student frame (pandas)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equitable.engagement._io import SCHOOL_SPAN
from equitable.errors import EquitableError
from equitable.privacy import MARKER, LongTable, PrivacyConfig, Subset, protect_linked, protect_long

__all__ = [
    "ENGAGEMENT_COLUMNS",
    "FAIRNESS_COLUMNS",
    "QUEUE_COLUMNS",
    "SUMMARY_COLUMNS",
    "add_reason_codes",
    "add_reasons",
    "cumulative_by_category",
    "fairness_table",
    "format_engagement",
    "outreach_queue",
    "school_summary",
    "write_csv",
]

ENGAGEMENT_COLUMNS = [
    "student_id", "school_id", "days_enrolled", "days_absent", "absence_rate",
    "chronically_absent", "attendance_tier", "longest_absence_streak", "current_absence_streak",
    "last_present_date", "last_activity_date", "sb98_weeks_flagged", "never_engaged", "missing",
    "reasons", "last_participation_date", "reason_codes",
]

QUEUE_COLUMNS = [
    "priority", "student_id", "school_id", "grade", "never_engaged", "foster_or_homeless",
    "current_absence_streak", "chronically_absent", "absence_rate", "missing",
    "sb98_weeks_flagged", "last_present_date", "last_activity_date", "reasons", "reason_codes",
]

#: CDE chronic absenteeism file layout, 2016-17 to 2022-23 header spelling
#: (cde_chronic_absenteeism_file_columns.csv).
SUMMARY_COLUMNS = [
    "AcademicYear", "AggregateLevel", "CountyCode", "DistrictCode", "SchoolCode", "CountyName",
    "DistrictName", "SchoolName", "CharterSchool", "DASS", "ReportingCategory",
    "CumulativeEnrollment", "ChronicAbsenteeismEligibleCumulativeEnrollment",
    "ChronicAbsenteeismCount", "ChronicAbsenteeismRate",
]

FAIRNESS_COLUMNS = [
    "ReportingCategory", "description", "enrolled", "flagged", "share_of_enrolled_pct",
    "share_of_flagged_pct", "flagged_rate_pct", "representation_ratio",
]

#: How ``equitable privacy audit`` audits each published table (recorded in run.json under
#: ``extra.privacy_audit``, so ``equitable privacy audit OUT/school_summary.csv`` needs no
#: option): the group sizes that decide suppression and the columns that name a group. The
#: summary is audited on each of its two enrollment counts (CDE suppresses a row when either is
#: 10 or fewer); the fairness table on the enrolled students of each group (its `flagged` count
#: is a numerator, shown when the group is large enough, as in CDE's files).
PRIVACY_AUDIT: dict[str, list[dict[str, object]]] = {
    "school_summary.csv": [
        {"count_col": col, "group_cols": ["AggregateLevel", "CountyCode", "DistrictCode",
                                          "SchoolCode", "ReportingCategory"]}
        for col in ("CumulativeEnrollment", "ChronicAbsenteeismEligibleCumulativeEnrollment")
    ],
    "outreach_fairness.csv": [
        {"count_col": "enrolled", "group_cols": ["ReportingCategory", "description"]},
    ],
}

#: CDE reporting categories this tool can form from the students file, in CDE's order.
CATEGORIES = [
    ("TA", "Total (all students)"),
    ("RB", "African American"), ("RI", "American Indian or Alaska Native"), ("RA", "Asian"),
    ("RF", "Filipino"), ("RH", "Hispanic or Latino"), ("RD", "Not Reported"),
    ("RP", "Pacific Islander"), ("RT", "Two or More Races"), ("RW", "White"),
    ("SE", "English Learners"), ("SD", "Students with Disabilities"),
    ("SS", "Socioeconomically Disadvantaged"), ("SF", "Foster"), ("SH", "Homeless"),
    ("GRTKKN", "TK and Kindergarten"), ("GR13", "Grades 1-3"), ("GR46", "Grades 4-6"),
    ("GR78", "Grades 7-8"), ("GR912", "Grades 9-12"),
]
_SPAN = {"TK": "GRTKKN", "K": "GRTKKN", "1": "GR13", "2": "GR13", "3": "GR13", "4": "GR46",
         "5": "GR46", "6": "GR46", "7": "GR78", "8": "GR78", "9": "GR912", "10": "GR912",
         "11": "GR912", "12": "GR912"}
#: The student attributes the outputs use (columns of ``attrs``, besides the two keys).
ATTR_COLUMNS = ("grade", "english_learner", "low_income", "foster", "homeless", "disability",
                "race_ethnicity")
_KEYS = ["student_id", "school_id"]


def per_distinct(values, fn, dtype=object, missing=None) -> np.ndarray:
    """``[fn(v) for v in values]`` with ``fn`` called once per distinct value (dates, school
    ids: few distinct values over many rows); a missing value (None, NaN) gives ``missing``."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    out = [fn(v) for v in uniques] + ([missing] if (codes < 0).any() else [])
    return np.array(out, dtype=dtype)[codes]  # code -1 (missing): the last item


def _joined(d: pd.DataFrame, attrs: pd.DataFrame | None, columns: list[str],
            rows: np.ndarray | None = None) -> pd.DataFrame:
    """``d[columns]`` with the student attributes: merged from ``attrs`` (one row per student
    and school), or, when ``attrs`` is None, already in ``d`` (as :func:`with_attributes` made
    it). Rows keep the order of ``d`` (only those of the boolean mask ``rows`` when given); the
    index is reset. When both frames carry ``_pair`` (:func:`pair_key`) the attributes are
    looked up on it (integers) instead of merged on the two ids; the result is the same."""
    if rows is not None:
        rows = np.asarray(rows, dtype=bool)
    if attrs is None:
        cols = columns + [c for c in d.columns if c in ATTR_COLUMNS or c == CATS]
        sub = d[cols] if rows is None else d.loc[rows, cols]
        return _renumbered(sub)
    if rows is not None:
        d = d.loc[rows]
    hit = _pair_rows(d, attrs)
    if hit is not None:
        return _attached(d, attrs, hit, columns)
    return d[columns].merge(attrs.drop(columns="_pair", errors="ignore"), on=_KEYS, how="left")


def _renumbered(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the index 0, 1, ..., n - 1, sharing its columns: ``reset_index(drop=True)``
    would copy (and first consolidate) every column, 0.2-0.3 s for 600,000 students."""
    out = frame.copy(deep=False)  # a frame of its own (columns may be added to it)
    out.index = pd.RangeIndex(len(out))
    return out


def _attached(d: pd.DataFrame, attrs: pd.DataFrame, hit: np.ndarray,
              columns: list[str] | None = None) -> pd.DataFrame:
    """``d``'s columns (``columns``: those only) and the attributes of ``attrs``' row ``hit``
    of each row (its columns but the keys), as one frame of the arrays as they are (no
    consolidating copy), indexed 0, 1, ..."""
    cols = {c: d[c].to_numpy() for c in (d.columns if columns is None else columns)}
    cols.update({c: attrs[c].to_numpy()[hit] for c in attrs.columns
                 if c not in (*_KEYS, "_pair")})
    return pd.DataFrame(cols, copy=False)


def _pair_rows(d: pd.DataFrame, attrs: pd.DataFrame) -> np.ndarray | None:
    """The row of ``attrs`` of each row of ``d``, found on ``_pair``; None when a frame has no
    ``_pair`` or a row of ``d`` has no row in ``attrs`` (then the frames are merged)."""
    if "_pair" not in d.columns or "_pair" not in attrs.columns or len(attrs) == 0:
        return None
    keys = attrs["_pair"].to_numpy()
    order = np.argsort(keys, kind="stable")
    want = d["_pair"].to_numpy()
    pos = np.minimum(np.searchsorted(keys[order], want), len(keys) - 1)
    hit = order[pos]
    return hit if (keys[hit] == want).all() else None


def _id_ranks(x: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's student and school as int64 ranks that sort as the ids do: from the
    pipeline's pair key (:func:`pair_key`) when the frame has it (no text compared), else the
    ids' sorted codes (a missing id last, where pandas' sort puts it)."""
    if "_pair" in x.columns:
        pair = x["_pair"].to_numpy("int64")
        return pair // SCHOOL_SPAN, pair % SCHOOL_SPAN

    def ranks(col: str) -> np.ndarray:
        codes = pd.factorize(x[col], sort=True)[0].astype("int64")
        return np.where(codes < 0, len(codes), codes)

    return ranks("student_id"), ranks("school_id")


def pair_key(student_rank, school_rank) -> np.ndarray:
    """One int64 per student and school from their ranks (``student * SCHOOL_SPAN + school``):
    ordered as (student_id, school_id) and unique while there are fewer than 2**20 schools."""
    return (np.asarray(student_rank, dtype="int64") * SCHOOL_SPAN
            + np.asarray(school_rank, dtype="int64"))


def with_attributes(d: pd.DataFrame, attrs: pd.DataFrame, missing_days: int) -> pd.DataFrame:
    """``d`` joined once with the student attributes and given its ``reasons``, so that the
    output tables (called with ``attrs=None``) need not merge or word them again.

    When both frames carry ``_pair`` (:func:`pair_key`, the pipeline's integer key of a student
    and school) the attributes are looked up on it; otherwise merged on the two ids. The result
    is the same: ``d``'s rows in order, with the attribute columns after its own.
    """
    hit = _pair_rows(d, attrs)
    if hit is not None:
        x = _attached(d, attrs, hit)  # ``_pair`` stays (the output tables select columns)
    else:
        x = d.drop(columns="_pair", errors="ignore").merge(
            attrs.drop(columns="_pair", errors="ignore"), on=_KEYS, how="left")
    x["reasons"] = add_reasons(x, missing_days, array=True)
    x["reason_codes"] = add_reason_codes(x, missing_days, array=True)
    return x


_PROGRAM = {"SE": "english_learner", "SD": "disability", "SS": "low_income", "SF": "foster",
            "SH": "homeless"}


def _yn(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return ""
    return "Y" if bool(v) else "N"


def _pct_half_up(num: int, den: int, places: int) -> str:
    """num/den*100 rounded half up to ``places`` decimals, exactly (integer arithmetic)."""
    scale = 10**places
    q = (2 * num * 100 * scale + den) // (2 * den)
    if places == 0:
        return str(q)
    return f"{q // scale}.{q % scale:0{places}d}"


def _rate(num: int, den: int) -> str:
    """num/den as a fraction 0-1 with 4 decimals, rounded half up exactly."""
    if den == 0:
        return ""
    q = (2 * num * 10000 + den) // (2 * den)
    return f"{q // 10000}.{q % 10000:04d}"


_Z4: np.ndarray | None = None


def _itoa(v) -> np.ndarray:
    """Integers as decimal text (object array), the same text as ``str(int)``; small
    non-negative values through a lookup table (much faster than ``astype(str)``)."""
    v = np.asarray(v, dtype="int64")
    if v.size == 0:
        return np.array([], dtype=object)
    lo, hi = int(v.min()), int(v.max())
    if lo < 0 or hi > 100_000:
        return pd.Series(v).astype(str).to_numpy(dtype=object)
    return np.array([str(i) for i in range(hi + 1)], dtype=object)[v]


def _zfill4(v: np.ndarray) -> np.ndarray:
    """Integers 0-9999 as 4-digit text with leading zeros (object array)."""
    global _Z4
    if _Z4 is None:
        _Z4 = np.array([f"{i:04d}" for i in range(10000)], dtype=object)
    return _Z4[np.asarray(v, dtype="int64")]


def _rate_vec(num, den) -> pd.Series:
    """:func:`_rate` over arrays (exact integer arithmetic; ``""`` where ``den`` is 0)."""
    num = np.asarray(num, dtype="int64")
    den = np.asarray(den, dtype="int64")
    safe = np.where(den == 0, 1, den)
    q = (2 * num * 10000 + safe) // (2 * safe)
    text = pd.Series(_itoa(q // 10000)) + "." + pd.Series(_zfill4(q % 10000))
    return text.where(den != 0, "")


def _has_text(s: pd.Series) -> np.ndarray:
    """True where the value is present and not empty text."""
    a = s.to_numpy(dtype=object)
    return (a != "") & ~pd.isna(a)


_NEVER = "never engaged: no day present and no platform activity since enrolling"
_LOGIN_ONLY = ("logs in to the learning platform but has never submitted work or joined live "
               "instruction")


def _reason_rows(df: pd.DataFrame, word: dict[str, Any]) -> np.ndarray:
    """The reasons a student is on the outreach list, one string per row (``""`` when none; an
    object array),
    each reason worded by ``word`` and joined by ``"; "``: ``never()``; ``missing()`` (when not
    never engaged); ``streak(days)`` (3 days or more); ``chronic(absent, enrolled)``;
    ``sb98(weeks)``; ``login()`` (platform logins without participation). The flags are found
    column-wise; only the rows with a reason are worded (one short loop over them)."""
    if len(df) == 0:
        return np.array([], dtype=object)
    never_a = df["never_engaged"].to_numpy(dtype=bool)
    missing_a = df["missing"].to_numpy(dtype=bool)
    streak_a = df["current_absence_streak"].to_numpy(dtype="int64")
    chronic_a = (df["chronically_absent"] == True).to_numpy()  # null is not True
    sb98_a = df["sb98_weeks_flagged"].to_numpy(dtype="int64")
    act_a = _has_text(df["last_activity_date"])
    any_reason = never_a | missing_a | (streak_a >= 3) | chronic_a | (sb98_a != 0) | act_a
    result = np.full(len(df), "", dtype=object)
    idx = np.flatnonzero(any_reason)
    if len(idx) == 0:
        return result
    part_a = _has_text(df["last_participation_date"].iloc[idx])
    # The wording depends only on these values (streaks under 3, counts of a student who is
    # not chronically absent and a missing flag under never engaged are not worded): each
    # distinct combination is worded once and shared by its rows.
    never = never_a[idx]
    fields = [
        never, missing_a[idx] & ~never, np.where(streak_a[idx] >= 3, streak_a[idx], 0),
        chronic_a[idx],
        np.where(chronic_a[idx], df["days_absent"].to_numpy(dtype="int64")[idx], 0),
        np.where(chronic_a[idx], df["days_enrolled"].to_numpy(dtype="int64")[idx], 0),
        sb98_a[idx], act_a[idx] & ~part_a,
    ]
    fields = [np.asarray(f, dtype="int64") for f in fields]
    key = np.zeros(len(idx), dtype="int64")
    room = 1
    for f in fields:
        lo, hi = int(f.min()), int(f.max())
        if lo < 0 or room * (hi + 1) >= 2**62:
            room = 0  # not packable into one integer: word row by row
            break
        key = key * (hi + 1) + f
        room *= hi + 1
    inverse = None
    if room:
        _, rows, inverse = np.unique(key, return_index=True, return_inverse=True)
    else:
        rows = np.arange(len(idx))
    out = []
    for never, missing, streak, chronic, absent, enrolled, sb98, login in zip(
        *[f[rows].tolist() for f in fields]
    ):
        parts = []
        if never:
            parts.append(word["never"]())
        elif missing:
            parts.append(word["missing"]())
        if streak >= 3:
            parts.append(word["streak"](streak))
        if chronic:
            parts.append(word["chronic"](absent, enrolled))
        if sb98:
            parts.append(word["sb98"](sb98))
        if login:
            parts.append(word["login"]())
        out.append("; ".join(parts))
    texts = np.array(out, dtype=object)
    result[idx] = texts if inverse is None else texts[inverse.ravel()]
    return result


def add_reasons(df: pd.DataFrame, missing_days: int, *, array: bool = False):
    """Plain-words reasons a student is on the outreach list, separated by ``"; "``.

    In this order: never engaged; missing (when not never engaged); the current streak when 3
    days or more; chronic absence with its counts (percent rounded half up to one decimal,
    exactly); SB 98 weeks; platform logins without participation (:func:`_reason_rows`).
    Returns a list of strings, one per row (``array=True``: an object array, no list made).
    """
    missing_t = (f"missing: not present and no platform activity in the last {missing_days} "
                 "instructional days")
    out = _reason_rows(df, {
        "never": lambda: _NEVER,
        "missing": lambda: missing_t,
        "streak": lambda d: f"absent the last {d} instructional days in a row",
        "chronic": lambda a, e: (f"chronically absent: absent {a} of {e} days enrolled "
                                 f"({_pct_half_up(a, e, 1)}%)"),
        "sb98": lambda w: f"{w} week{'' if w == 1 else 's'} meeting the SB 98 re-engagement trigger",
        "login": lambda: _LOGIN_ONLY,
    })
    return out if array else out.tolist()


def add_reason_codes(df: pd.DataFrame, missing_days: int, *, array: bool = False):
    """The reasons of :func:`add_reasons` as codes with their parameters, one string per row
    (``""`` when none), in the same order: ``never_engaged``; ``missing{days=N}`` (when not
    never engaged); ``absent_streak{days=N}`` (3 days or more); ``chronic{absent=A,
    enrolled=E}``; ``sb98_weeks{weeks=W}``; ``login_only``. Rendered per language by
    :func:`equitable.engagement._reason_codes.reason_label` (one message catalogue). A list,
    or with ``array=True`` an object array."""
    out = _reason_rows(df, {
        "never": lambda: "never_engaged",
        "missing": lambda: f"missing{{days={missing_days}}}",
        "streak": lambda d: f"absent_streak{{days={d}}}",
        "chronic": lambda a, e: f"chronic{{absent={a}, enrolled={e}}}",
        "sb98": lambda w: f"sb98_weeks{{weeks={w}}}",
        "login": lambda: "login_only",
    })
    return out if array else out.tolist()


def format_engagement(df: pd.DataFrame, missing_days: int, presorted: bool = False
                      ) -> pd.DataFrame:
    """The student_engagement.csv frame (sorted by school_id, student_id; ``presorted``: ``df``
    already is)."""
    cols = {c: df[c].to_numpy() for c in ENGAGEMENT_COLUMNS if c in df.columns}
    if "reasons" not in df.columns:
        cols["reasons"] = add_reasons(df, missing_days, array=True)
    if "reason_codes" not in df.columns:
        cols["reason_codes"] = add_reason_codes(df, missing_days, array=True)
    cols["absence_rate"] = _rate_vec(df["days_absent"], df["days_enrolled"]).to_numpy()
    for c in ("chronically_absent", "never_engaged", "missing"):
        cols[c] = _yn_vec(df[c])
    d = pd.DataFrame(cols, columns=ENGAGEMENT_COLUMNS, copy=False)  # no consolidating copy
    if not presorted:
        d = d.sort_values(["school_id", "student_id"], kind="mergesort")
    return _renumbered(d)


def _yn_vec(s: pd.Series) -> np.ndarray:
    """Booleans (nullable) as ``Y`` / ``N`` / ``""`` (null)."""
    known = s.notna().to_numpy()
    true = (s == True).to_numpy()  # null is not True
    return np.where(~known, "", np.where(true, "Y", "N")).astype(object)


def on_list(d: pd.DataFrame) -> pd.Series:
    """Who is on the outreach list: currently enrolled and never engaged, missing, chronically
    absent, or with a week meeting the SB 98 trigger."""
    return d["enrolled_now"].astype(bool) & (
        d["never_engaged"].astype(bool) | d["missing"].astype(bool)
        | (d["chronically_absent"] == True)
        | (d["sb98_weeks_flagged"] > 0)
    )


def outreach_queue(d: pd.DataFrame, attrs: pd.DataFrame | None, missing_days: int
                   ) -> pd.DataFrame:
    """The outreach queue, in priority order.

    Order (each key breaks the ties of the one before): never engaged first; then foster youth and
    students experiencing homelessness; then the longer current absence streak; then chronically
    absent; then the higher absence rate (compared exactly as fractions); then school_id and
    student_id, so the order is total and repeatable. ``attrs`` None: ``d`` comes from
    :func:`with_attributes`.
    """
    x = _joined(d, attrs, list(d.columns.difference(ATTR_COLUMNS, sort=False)),
                rows=on_list(d).to_numpy())
    x["foster_or_homeless"] = (x["foster"] == "Y") | (x["homeless"] == "Y")
    x["_chronic"] = x["chronically_absent"] == True
    den = x["days_enrolled"].to_numpy(dtype="int64")
    x["_rate"] = np.where(den > 0, x["days_absent"].to_numpy(dtype="int64") / np.maximum(den, 1),
                          0.0)
    # One stable numpy sort on numbers (the ids as ranks that sort as they do; the earlier
    # keys negated for "higher first"), not seven pandas keys of which two are text.
    student, school = _id_ranks(x)
    x = x.iloc[np.lexsort((
        student, school, -x["_rate"].to_numpy(),
        -x["_chronic"].to_numpy(dtype="int64"),
        -x["current_absence_streak"].to_numpy(dtype="int64"),
        -x["foster_or_homeless"].to_numpy(dtype="int64"),
        -x["never_engaged"].to_numpy(dtype="int64"),
    ))]
    x["priority"] = range(1, len(x) + 1)
    if "reasons" not in x.columns:
        x["reasons"] = add_reasons(x, missing_days, array=True)
    if "reason_codes" not in x.columns:
        x["reason_codes"] = add_reason_codes(x, missing_days, array=True)
    x["absence_rate"] = _rate_vec(x["days_absent"], x["days_enrolled"]).to_numpy()
    for c in ("never_engaged", "missing", "foster_or_homeless", "chronically_absent"):
        x[c] = _yn_vec(x[c])
    return _renumbered(x[QUEUE_COLUMNS])


def academic_year(day: dt.date) -> str:
    """CDE academic year (July 1 - June 30) holding ``day``, e.g. ``2021-22``."""
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


#: A column of ``attrs`` the pipeline adds (:func:`category_bits`): each row's reporting
#: categories as the bits of one integer, bit k for ``CATEGORIES[k]``.
CATS = "_cats"


def category_bits(frame: pd.DataFrame) -> np.ndarray:
    """Each row's CDE reporting categories (:data:`CATEGORIES`) as one int64, bit ``k`` set
    when the row is in category ``k``: found once from the attribute columns, so that the
    tables made from the same students (summary, fairness) need not compare text again."""
    out = np.zeros(len(frame), dtype="int64")
    for k, m in enumerate(_member_masks(frame).values()):
        out |= m.astype("int64") << k
    return out


def _bit_masks(bits: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`category_bits` back to one boolean mask per category, in the order of
    :data:`CATEGORIES`."""
    return {code: (bits >> k) & 1 == 1 for k, (code, _) in enumerate(CATEGORIES)}


def _member_masks(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Boolean membership of every row in each CDE reporting category (computed once), in the
    order of :data:`CATEGORIES`; from :data:`CATS` when the frame has it."""
    if CATS in frame.columns:
        return _bit_masks(frame[CATS].to_numpy("int64"))
    n = len(frame)
    race_codes, race_uniques = pd.factorize(frame["race_ethnicity"])
    span = frame["grade"].map(_SPAN).fillna("")
    span_codes, span_uniques = pd.factorize(span)
    out: dict[str, np.ndarray] = {"TA": np.ones(n, dtype=bool)}
    for code, _ in CATEGORIES[1:]:
        if code.startswith("R"):
            hit = np.flatnonzero(np.asarray(race_uniques, dtype=object) == code)
            out[code] = race_codes == hit[0] if len(hit) else np.zeros(n, dtype=bool)
        elif code in _PROGRAM:
            out[code] = (frame[_PROGRAM[code]] == "Y").to_numpy()
        else:
            hit = np.flatnonzero(np.asarray(span_uniques, dtype=object) == code)
            out[code] = span_codes == hit[0] if len(hit) else np.zeros(n, dtype=bool)
    return out


def summary_counts(d: pd.DataFrame, attrs: pd.DataFrame, rules=None) -> pd.DataFrame:
    """The figures of the summary before suppression: one row per level (``D``/``S``), CDS code
    and reporting category with ``n`` (cumulative enrollment), ``el`` (enrolled 31 days or more)
    and ``ch`` (of those, absent on 10% or more of the days; 0 when ``d`` has no
    ``days_absent``). ``d`` has one row per student and school with ``days_enrolled``. The
    numbers are those of ``rules`` (:func:`~equitable.engagement.load_rules`; default
    California's, quoted here)."""
    from equitable.engagement._rules_spec import load_rules, share

    chronic_rule = load_rules(rules).chronic_absence
    num, den = share(chronic_rule.rate_percent)
    cols = ["student_id", "school_id", "days_enrolled"]
    x = _joined(d, attrs, cols + [c for c in ("days_absent", "_pair") if c in d.columns])
    days = x["days_enrolled"].to_numpy("int64")
    absent = x["days_absent"].to_numpy("int64") if "days_absent" in x.columns else \
        np.zeros(len(x), dtype="int64")
    cats = x[CATS].to_numpy("int64") if CATS in x.columns else category_bits(x)
    student, school = _id_ranks(x)
    _, first, school_codes = np.unique(school, return_index=True, return_inverse=True)
    schools = x["school_id"].to_numpy(dtype=object)[first]
    # The district (CDS digits 1-7) of each of the few schools, spread to their rows.
    district_of, districts = pd.factorize(
        np.array([c[:7] for c in schools], dtype=object), sort=True)
    district = district_of[school_codes]
    # A student at two schools of a district counts once there, with the days of both and the
    # attributes of the last school (by school id).
    srt = np.lexsort((school_codes, district, student))
    k = (student * (len(districts) + 1) + district)[srt]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.array([], int)
    dist_level = ("D", district, districts, days, absent, cats)
    if len(starts) < len(k):
        last = np.r_[starts[1:], len(k)] - 1
        dist_level = ("D", district[srt[starts]], districts, np.add.reduceat(days[srt], starts),
                      np.add.reduceat(absent[srt], starts), cats[srt[last]])
    parts = []
    for level, codes, uniques, dd, aa, cc in (dist_level,
                                              ("S", school_codes, schools, days, absent, cats)):
        k = len(uniques)
        eligible = dd >= chronic_rule.min_days_enrolled
        chronic = eligible & (aa * den >= dd * num)
        for order, (code, m) in enumerate(_bit_masks(cc).items()):
            n = np.bincount(codes[m], minlength=k)
            el = np.bincount(codes[m & eligible], minlength=k)
            ch = np.bincount(codes[m & chronic], minlength=k)
            keep = n > 0
            ent = np.asarray(uniques, dtype=object)[keep]
            cds = ent if level == "S" else np.array([e + "0000000" for e in ent], dtype=object)
            parts.append(pd.DataFrame({
                "level": level, "cds": cds, "code": code, "order": order, "n": n[keep],
                "el": el[keep], "ch": ch[keep],
            }))
    a = pd.concat(parts, ignore_index=True).sort_values(["level", "cds", "order"])
    return a.reset_index(drop=True)


def school_summary(d: pd.DataFrame, attrs: pd.DataFrame | None, year: str,
                   hidden: tuple[set[str], set[str]] | None = None,
                   counts: pd.DataFrame | None = None, rules=None) -> pd.DataFrame:
    """Chronic absenteeism by school and district and reporting category, CDE layout, protected.

    School rows (AggregateLevel S) count each student's enrollment at that school; district rows
    (D) add up a student's days across the district's schools (district = CDS digits 3-7). A
    student is in the denominator when enrolled 31 days or more; in the count when also absent on
    10% or more of those days (CDE, "Chronic Absenteeism Data" file structure).

    Privacy (through :mod:`equitable.privacy`): figures about groups of 10 or fewer students are
    ``*`` (primary suppression, CDE), and enough other rows are withheld with them
    (complementary suppression, :func:`equitable.privacy.protect_long`) that no suppressed
    school figure can be recovered from the district row or from the school's other groups; see
    :func:`summary_protection`. ``hidden`` is :func:`summary_protection` computed beforehand
    (the pipeline does it while the backend works; it depends on enrollment only). ``counts``
    is :func:`summary_counts` of ``d`` when already computed. ``rules``: the engagement rules
    (default California's, whose numbers are quoted above).
    """
    a = summary_counts(d, attrs, rules) if counts is None else counts
    if hidden is None:
        hidden = summary_protection(a)
    key = _row_keys(a)
    supp_el, supp_n = key.isin(hidden[0]).to_numpy(), key.isin(hidden[1]).to_numpy()
    # Primary suppression on the figures as published (never less than the model's).
    supp_el |= a["el"].to_numpy() <= PrivacyConfig().threshold
    supp_n |= a["n"].to_numpy() <= PrivacyConfig().threshold
    rates = [_pct_half_up(int(c), int(e), 1) if e else "" for c, e in zip(a["ch"], a["el"])]
    out = pd.DataFrame({
        "AcademicYear": year, "AggregateLevel": a["level"].to_numpy(),
        "CountyCode": a["cds"].str[:2].to_numpy(), "DistrictCode": a["cds"].str[2:7].to_numpy(),
        "SchoolCode": a["cds"].str[7:].to_numpy(), "CountyName": "", "DistrictName": "",
        "SchoolName": "", "CharterSchool": "All", "DASS": "All",
        "ReportingCategory": a["code"].to_numpy(),
        "CumulativeEnrollment": a["n"].astype("int64").to_numpy(),
        "ChronicAbsenteeismEligibleCumulativeEnrollment": a["el"].astype("int64").to_numpy(),
        "ChronicAbsenteeismCount": a["ch"].astype("int64").to_numpy(),
        "ChronicAbsenteeismRate": rates,
    }, columns=SUMMARY_COLUMNS)
    for c in ("ChronicAbsenteeismEligibleCumulativeEnrollment", "ChronicAbsenteeismCount",
              "ChronicAbsenteeismRate", "CumulativeEnrollment"):
        out[c] = out[c].astype(object)
    for c in ("ChronicAbsenteeismEligibleCumulativeEnrollment", "ChronicAbsenteeismCount",
              "ChronicAbsenteeismRate"):
        out.loc[supp_el, c] = MARKER
    out.loc[supp_n, "CumulativeEnrollment"] = MARKER
    return out


#: Group columns of the protection model of the summary (never published).
_PROTECT_GROUPS = ["_district", "_school", "_race", "_span", "_program"]
_TOTAL = "Total"


def _category_dims(code) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each reporting category's kind (``TA``, ``race``, ``span``, ``program``) and its place on
    the three dimensions of the protection models (``_race``, ``_span``, ``_program``; the
    total label on the other two): ``TA`` is Total on all three."""
    code = np.asarray(code, dtype=object).astype(str)
    kind = np.select([code == "TA", np.char.startswith(code, "R"), np.char.startswith(code, "GR")],
                     ["TA", "race", "span"], "program")
    dims = {f"_{k}": np.where(kind == k, code, _TOTAL) for k in ("race", "span", "program")}
    return kind, dims


def _protection_frame(a: pd.DataFrame) -> pd.DataFrame:
    """The summary as a long table with exact margins, for complementary suppression.

    School rows are the cells; each district row is replaced by the sum of its school rows
    (a student who moved between schools is counted once at the district, so the published
    district figure can be lower: treating it as the exact sum gives the attacker more than
    they have, which is conservative). ``TA`` is the total over the race/ethnicity categories
    and over the grade spans; a school's students outside every listed category (an unknown
    race code or grade) form a residual cell, modelled but never published. The program groups
    (EL, SWD, SED, foster, homeless) overlap, so they total nothing; they are summed over schools.
    """
    s = a[a["level"] == "S"][["cds", "code", "n", "el"]].copy()
    s["_district"] = s["cds"].str[:7]
    s["_school"] = s["cds"]
    kind, dims = _category_dims(s["code"])
    for c, v in dims.items():
        s[c] = v
    ta = s[kind == "TA"].set_index("cds")[["n", "el"]]
    extra = []
    for k, _col, label in (("race", "_race", "R_other"), ("span", "_span", "GR_other")):
        tot = s[kind == k].groupby("cds")[["n", "el"]].sum().reindex(ta.index, fill_value=0)
        res = ta - tot
        res = res[(res["n"] > 0) | (res["el"] > 0)]
        if len(res):
            r = res.reset_index()
            extra.append(pd.DataFrame({
                "cds": r["cds"], "code": label, "n": r["n"], "el": r["el"],
                "_district": r["cds"].str[:7], "_school": r["cds"],
                "_race": label if k == "race" else _TOTAL,
                "_span": label if k == "span" else _TOTAL, "_program": _TOTAL,
            }))
    s = pd.concat([s, *extra], ignore_index=True)
    d = s.groupby(["_district", "code", "_race", "_span", "_program"], as_index=False)[
        ["n", "el"]].sum()
    d["_school"] = _TOTAL
    d["cds"] = d["_district"] + "0000000"
    return pd.concat([s, d[s.columns]], ignore_index=True)


def _row_keys(a: pd.DataFrame) -> pd.Series:
    return a["level"].astype(str) + "|" + a["cds"].astype(str) + "|" + a["code"].astype(str)


def summary_protection(a: pd.DataFrame) -> tuple[set[str], set[str]]:
    """Which rows of the summary to suppress, as ``level|cds|code`` keys.

    ``a`` is :func:`summary_counts` (only ``n`` and ``el`` are used). Returns two sets: the rows
    whose eligible-enrollment figures (eligible count, chronic count, rate) are withheld, and
    the rows whose cumulative enrollment is withheld. Each is primary suppression (a group of 10
    or fewer, CDE) plus complementary suppression through
    :func:`equitable.privacy.protect_long`, per district, on the model of
    :func:`_protection_frame`: the district row is the sum of its school rows, ``TA`` the sum of
    the race/ethnicity groups and of the grade spans, program groups are summed over schools.
    """
    cfg = PrivacyConfig()
    f = _protection_frame(a)
    key = _row_keys(a)
    f_key = pd.Series(np.where(f["_school"] == _TOTAL, "D", "S")) + "|" + f["cds"] + "|" \
        + f["code"]
    out = []
    for count in ("el", "n"):
        hidden = set(key[a[count].to_numpy() <= cfg.threshold])
        for _, part in f.groupby("_district", sort=True):
            p = protect_long(
                part[[*_PROTECT_GROUPS, count]].reset_index(drop=True), count_col=count,
                group_cols=_PROTECT_GROUPS, additive=["_school", "_race", "_span"],
                total_label=_TOTAL, config=cfg, name="school_summary",
            )
            hidden |= set(f_key.to_numpy()[part.index.to_numpy()][p.suppressed.to_numpy()])
        out.append(hidden)
    return out[0], out[1]


def fairness_table(d: pd.DataFrame, queue: pd.DataFrame, attrs: pd.DataFrame | None,
                   cumulative: pd.DataFrame | None = None,
                   notes: list[str] | None = None) -> pd.DataFrame:
    """Share of the outreach list vs share of enrollment, by CDE reporting category.

    Population: students currently enrolled (one row per student and school). A
    ``representation_ratio`` above 1 means the group is over-represented on the list relative to
    its share of enrollment. Groups of 10 or fewer enrolled students are suppressed.
    ``attrs`` None: ``d`` comes from :func:`with_attributes` and ``queue`` is
    :func:`outreach_queue` of that same ``d`` (its rows are those of :func:`on_list`).
    ``cumulative``: :func:`cumulative_by_category` of the school summary published in the same
    run; the two tables are then protected as a linked set (see :func:`fairness_protection`).
    When no suppression pattern can protect every small group of the linked set (a small
    district, where few students left and the two tables pin each other down), every count of
    the table is withheld and a sentence saying so is appended to ``notes`` (the terminal and
    run.json carry it): the table is then published with its categories only.
    """
    now = d["enrolled_now"].astype(bool).to_numpy()
    pop = _joined(d, attrs, _KEYS, rows=now)
    if attrs is None:
        pop["flagged"] = on_list(d).to_numpy()[now]
    else:
        keys = queue[_KEYS].assign(flagged=True)
        pop = pop.merge(keys, on=_KEYS, how="left")
        pop["flagged"] = pop["flagged"].notna()
    total, total_flagged = len(pop), int(pop["flagged"].sum())
    masks = _member_masks(pop)
    rows = []
    for code, desc in CATEGORIES:
        m = masks[code]
        n = int(m.sum())
        if n == 0:
            continue
        f = int((m & pop["flagged"].to_numpy()).sum())
        share_e = _pct_half_up(n, total, 1)
        share_f = _pct_half_up(f, total_flagged, 1) if total_flagged else ""
        # ratio = (f / F) / (n / N), 2 decimals half up, exact.
        if total_flagged:
            num, den = f * total, n * total_flagged
            q = (2 * num * 100 + den) // (2 * den)
            ratio = f"{q // 100}.{q % 100:02d}"
        else:
            ratio = ""
        rows.append({
            "ReportingCategory": code, "description": desc, "enrolled": n, "flagged": f,
            "share_of_enrolled_pct": share_e, "share_of_flagged_pct": share_f,
            "flagged_rate_pct": _pct_half_up(f, n, 1), "representation_ratio": ratio,
        })
    out = pd.DataFrame(rows, columns=FAIRNESS_COLUMNS)
    try:
        hidden = fairness_protection(out, total_enrolled=total, total_flagged=total_flagged,
                                     cumulative=cumulative)
    except EquitableError as e:
        if "no suppression pattern" not in str(e):
            raise
        hidden = np.ones(len(out), dtype=bool)
        if notes is not None:
            notes.append(
                f"outreach_fairness.csv: every count withheld ({len(out)} rows): no suppression "
                "pattern protects each small group of this table and the school summary "
                "published with it to the protection level (a reader could subtract one from "
                "the other); the school summary is published as protected on its own")
    for c in FAIRNESS_COLUMNS[2:]:
        out[c] = out[c].astype(object)
        out.loc[hidden, c] = MARKER
    return out


def cumulative_by_category(a: pd.DataFrame, hidden: set[str] | None = None) -> pd.DataFrame:
    """What the school summary publishes about each reporting category run-wide: its
    cumulative enrollment summed over the district rows (``a`` is :func:`summary_counts`;
    ``hidden`` the ``level|cds|code`` keys of the rows whose cumulative enrollment the summary
    withholds, :func:`summary_protection`).

    Every student enrolled now was enrolled this year, so a category's count in the fairness
    table is at most this sum: the two tables are linked, both ways (a shown sum bounds a
    withheld fairness count from above; a shown fairness count bounds a withheld summary row
    from below).

    Returns
    -------
    DataFrame indexed by reporting category: ``n`` (the sum), ``hidden`` (a district row of the
    category is withheld, so the sum is not known to a reader) and ``small`` (a withheld row is
    a group of 10 or fewer, to protect to the protection level).
    """
    cfg = PrivacyConfig()
    dl = a[a["level"] == "D"]
    n = dl["n"].to_numpy("int64")
    hid = _row_keys(dl).isin(hidden or set()).to_numpy()
    frame = pd.DataFrame({"n": n, "hidden": hid, "small": hid & (n <= cfg.threshold)},
                         index=dl["code"].astype(str).to_numpy())
    return frame.groupby(level=0, sort=False).agg({"n": "sum", "hidden": "any", "small": "any"})


def _protect_with_summary(table: pd.DataFrame, kind: np.ndarray, model: pd.DataFrame,
                          groups: list[str], cumulative: pd.DataFrame):
    """Protect the enrolled counts of the fairness model linked with the summary's sums.

    The summary's side is a fixed table (already protected): the sums by category on the same
    dimensions (``TA`` = the race groups + a residual = the grade spans + a residual, the
    residuals known to the reader as in :func:`summary_protection`), its withheld sums hidden.
    Each fairness count of a category is linked (:class:`equitable.privacy.Subset`) to its sum.
    """
    codes = table["ReportingCategory"].astype(str).to_numpy()
    cum = cumulative.reindex(codes)
    have = cum["n"].notna().to_numpy() & (codes == "TA").any()
    if not have[codes == "TA"].all():
        return protect_long(model[[*groups, "n"]], count_col="n", group_cols=groups,
                            additive=["_race", "_span"], total_label=_TOTAL,
                            name="outreach_fairness")
    rows = np.flatnonzero(have)
    _, dims = _category_dims(codes[rows])
    side = pd.DataFrame({**dims, "n": cum["n"].to_numpy()[rows].astype("int64"),
                         "hidden": cum["hidden"].to_numpy()[rows].astype(bool),
                         "small": cum["small"].to_numpy()[rows].astype(bool)})
    ta = int(side.loc[codes[rows] == "TA", "n"].iloc[0])
    extra = []
    for k, label in (("race", "R_other"), ("span", "GR_other")):
        rest = ta - int(side.loc[kind[rows] == k, "n"].sum())
        if rest > 0:
            extra.append({"_race": label if k == "race" else _TOTAL,
                          "_span": label if k == "span" else _TOTAL, "_program": _TOTAL,
                          "n": rest, "hidden": False, "small": False})
    side = pd.concat([side, pd.DataFrame(extra, columns=side.columns)], ignore_index=True)
    side.insert(0, "_release", "school_summary")
    tables = [
        LongTable(model[[*groups, "n"]], "n", groups, additive=["_race", "_span"],
                  total_label=_TOTAL, name="outreach_fairness"),
        LongTable(side[["_release", *groups, "n"]], "n", ["_release", *groups],
                  additive=["_race", "_span"], total_label=_TOTAL, name="school_summary",
                  fixed=True, hidden=side["hidden"].to_numpy(),
                  also_suppress=side["small"].to_numpy()),
    ]
    # every fairness row of a category (residuals included) is part of the summary's; not
    # where a student enrolled at two schools of a district at once counts twice in the
    # fairness table and once in the district row (then the count can exceed the sum)
    pos = {tuple(r): k for k, r in enumerate(side[groups].itertuples(index=False, name=None))}
    n_side, n_model = side["n"].to_numpy(), model["n"].to_numpy()
    links = [Subset(sub=(0, i), sup=(1, pos[tuple(r)]), sensitive=True)
             for i, r in enumerate(model[groups].itertuples(index=False, name=None))
             if tuple(r) in pos and n_model[i] <= n_side[pos[tuple(r)]]]
    return protect_linked(tables, links)[0]


def fairness_protection(table: pd.DataFrame, *, total_enrolled: int, total_flagged: int,
                        cumulative: pd.DataFrame | None = None) -> np.ndarray:
    """Rows of the fairness table to withhold (bool per row of ``table``).

    Primary suppression: a group of 10 or fewer enrolled students (CDE). Complementary
    suppression through :func:`equitable.privacy.protect_long`, so that no withheld group's
    enrolled or flagged count can be recovered from the others: ``TA`` is the sum of the
    race/ethnicity groups and of the grade spans (students outside every listed race or grade
    form a residual group, modelled as known to the reader, never published); the program
    groups overlap and total nothing. The enrolled counts are protected first; then the flagged
    counts, with the rows already withheld as the groups to protect (their flagged count must
    not be narrowed to within 3 either); the rows withheld by either are withheld.

    Linked with the school summary of the same run (``cumulative``, :func:`cumulative_by_category`):
    a reader knows that a category's enrolled count is at most its cumulative enrollment summed
    over the summary's district rows, so a withheld complement whose cumulative count is close
    (few students left) would no longer hide a small group, and a shown enrolled count bounds a
    withheld summary row from below. The enrolled counts are then protected as one linked set
    with those sums (:func:`_protect_with_summary`: :func:`equitable.privacy.protect_linked`
    with the summary as a fixed table and :class:`equitable.privacy.Subset` links), so that no
    withheld count of either table can be narrowed by subtracting across the two.
    """
    kind, dims = _category_dims(table["ReportingCategory"])
    frame = pd.DataFrame({
        **dims,
        "n": pd.to_numeric(table["enrolled"]).to_numpy("int64"),
        "f": pd.to_numeric(table["flagged"]).to_numpy("int64"),
    })
    extra = []
    for k, _col, label in (("race", "_race", "R_other"), ("span", "_span", "GR_other")):
        n_rest = total_enrolled - int(frame.loc[kind == k, "n"].sum())
        f_rest = total_flagged - int(frame.loc[kind == k, "f"].sum())
        if n_rest > 0 or f_rest > 0:
            extra.append({"_race": label if k == "race" else _TOTAL,
                          "_span": label if k == "span" else _TOTAL,
                          "_program": _TOTAL, "n": n_rest, "f": f_rest})
    if (kind == "TA").sum() != 1:  # no total row: primary suppression is all there is
        return (frame["n"] <= PrivacyConfig().threshold).to_numpy()
    model = pd.concat([frame, pd.DataFrame(extra, columns=frame.columns)], ignore_index=True)
    groups = ["_race", "_span", "_program"]
    if cumulative is not None and len(cumulative):
        first = _protect_with_summary(table, kind, model, groups, cumulative)
    else:
        first = protect_long(model[[*groups, "n"]], count_col="n", group_cols=groups,
                             additive=["_race", "_span"], total_label=_TOTAL,
                             name="outreach_fairness")
    second = protect_long(model[[*groups, "f"]], count_col="f", group_cols=groups,
                          additive=["_race", "_span"], total_label=_TOTAL,
                          config=PrivacyConfig(threshold=0, suppress_zeros=False),
                          name="outreach_fairness", also_suppress=first.suppressed.to_numpy())
    hidden = first.suppressed.to_numpy() | second.suppressed.to_numpy()
    return hidden[: len(table)]


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False, lineterminator="\n")
    return path
