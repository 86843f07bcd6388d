"""``run_engagement``: the input folder -> the four output files (library side of the command)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from equitable.engagement import _outputs as O
from equitable.engagement._backend import Backend, open_backend
from equitable.engagement._fast import day_sets, period_figures
from equitable.engagement._io import (
    ACTIVITY_COLUMNS,
    ATTENDANCE_COLUMNS,
    CALENDAR_COLUMNS,
    STUDENT_COLUMNS,
    Issue,
    check_calendar,
    check_students,
    find_input,
    local_path,
    parse_dates,
    read_table,
)
from equitable.engagement._rules import (
    Inputs,
    _date_text,
    check_activity,
    check_attendance,
    compact_attendance,
    engagement_table,
    fetch,
    missing_rows_notes,
    to_frame,
)
from equitable.engagement._rules_spec import EngagementRules, load_rules
from equitable.errors import EquitableError, InputError
from equitable.provenance import write_run_record

__all__ = ["EngagementResult", "compute_engagement", "run_engagement"]

log = logging.getLogger("equitable.engagement")

_FAR = dt.date(9999, 12, 31)


@dataclass
class EngagementResult:
    """What a run produced: the frames written and what was set aside."""

    students: pd.DataFrame  # the student_engagement.csv frame
    summary: pd.DataFrame
    queue: pd.DataFrame
    fairness: pd.DataFrame
    as_of: dt.date
    dropped: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    privacy_notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    raw: pd.DataFrame | None = None  # the per-student frame before formatting
    inputs: dict[str, Any] = field(default_factory=dict)  # stem -> local Path or URI read
    engine: dict[str, Any] = field(default_factory=dict)  # the Spark session used (run.json)
    short_path: bool = False  # the figures came from day sets (_fast), not row by row


def _raise_or_drop(issues: list[Issue], lenient: bool) -> None:
    if issues and not lenient:
        raise InputError(
            "; ".join(i.message() for i in issues)
            + ". Fix the file(s), or run with --lenient to drop these rows."
        )


def _load_big(be: Backend, path, columns: tuple[str, ...], stem: str):
    """The file (or folder of Parquet files, or URI) as an Ibis table with ``_row``, and an
    upper bound of its number of records."""
    if _is_parquet(path):
        from equitable.engagement._io import _check_columns, not_parquet

        try:
            t = be.read_parquet(stem, path)
        except EquitableError:
            raise
        except Exception as exc:  # noqa: BLE001 - each engine has its own errors for a bad file
            raise InputError(f"{_name(path)}: {not_parquet(exc)}") from None
        _check_columns(_name(path), [c for c in t.columns if c != "_row"], columns)
        if isinstance(path, Path) and path.is_file():
            import pyarrow.parquet as pq

            n = pq.ParquetFile(path).metadata.num_rows
        else:  # a folder or a URI: not counted on the driver (row numbers take 8 bytes)
            n = 2**31
        return t.select(*columns, "_row"), n
    table = read_table(path, columns)
    if "date" in columns:
        table = parse_dates(table, ("date",))
    return be.register(stem, table), table.num_rows


def _is_parquet(path) -> bool:
    return (str(path).rstrip("/").endswith(".parquet") or str(path).endswith("/")
            or (isinstance(path, Path) and path.is_dir()))


def _name(path) -> str:
    """The name shown in messages: the file or folder name (never a whole URI or path)."""
    return str(path).rstrip("/").rsplit("/", 1)[-1]


def _find_remote(be: Backend, folder: str, stem: str, tmp: Path, required: bool = True,
                 big: bool = False):
    """``folder/stem.csv`` or ``.parquet`` at a URI. A small table (or a CSV) is fetched by the
    engine into ``tmp``; a big table's Parquet file or folder is returned as its URI, read
    where it is."""
    base = folder.rstrip("/")
    if big:
        for cand in (f"{base}/{stem}.parquet", f"{base}/{stem}/"):
            try:
                be.read_parquet(stem, cand)
            except Exception:  # noqa: BLE001, S112 - not there (or not Parquet): next name
                continue
            return cand
    for ext in (".csv", ".parquet"):
        data = be.fetch(f"{base}/{stem}{ext}")
        if data is not None:
            local = tmp / f"{stem}{ext}"
            local.write_bytes(data)
            return local
    if required:
        raise InputError(f"{_name(folder)}: {stem}.csv (or {stem}.parquet) not found")
    return None


def _cross_school_overlaps(periods: pd.DataFrame) -> list[int]:
    """Periods that overlap a period of the same student at another school."""
    several = periods.duplicated("e_sid", keep=False)
    if not several.any():  # every student has one period (no sort needed)
        return []
    multi = periods[several].sort_values(["e_sid", "e_start", "enr"])
    out: set[int] = set()
    for _, g in multi.groupby("e_sid", sort=False):
        rows = list(g.itertuples(index=False))
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                if b.e_start > a.e_end:
                    break
                if a.e_sch != b.e_sch:
                    out.update((int(a.enr), int(b.enr)))
    return sorted(out)


def _enrolled_by_student_school(periods: pd.DataFrame, enrolled: pd.DataFrame) -> pd.DataFrame:
    """``student_id, school_id, days_enrolled`` (summed over a student's periods at a school)
    and ``_pair`` (:func:`~equitable.engagement._outputs.pair_key` of the two ranks)."""
    # On the integer ranks (sorted as the ids are): the groups and order of the ids' text.
    # (``enrolled`` holds periods of ``periods`` only: every one is found.)
    pos = pd.Index(periods["enr"].to_numpy()).get_indexer(enrolled["enr"].to_numpy())
    days = enrolled["days_enrolled"].to_numpy("int64")
    key = O.pair_key(periods["e_si"].to_numpy()[pos], periods["e_sch_i"].to_numpy()[pos])
    order = np.argsort(key, kind="stable")
    k = key[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.array([], int)
    first = pos[order[starts]]
    return pd.DataFrame({
        "student_id": periods["e_sid"].to_numpy()[first],
        "school_id": periods["e_sch"].to_numpy()[first],
        "days_enrolled": np.add.reduceat(days[order], starts) if len(k) else
        np.array([], dtype="int64"),
        "_pair": k[starts],
    })


def _period_keys(periods: pd.DataFrame, cal: pd.DataFrame) -> pd.DataFrame:
    """Integer keys of the enrollment periods (no as-of day is needed).

    Adds to ``periods``: ``e_si`` (the student id dense-ranked), ``e_sch_i`` (the school's
    index in the calendar), ``e_lo``/``e_hi`` (the indices of the period's first and last
    instructional day over the whole calendar; ``e_lo > e_hi`` when it has none).
    """
    schools = cal.drop_duplicates("c_sch")[["c_sch", "c_sch_i"]]
    sch_i = periods["e_sch"].map(dict(zip(schools["c_sch"], schools["c_sch_i"])))
    sch_i = sch_i.fillna(-1).astype("int64").to_numpy()
    epoch = dt.date(1970, 1, 1)
    K = 10**7  # > days from 1970 to 9999-12-31

    def day(values) -> np.ndarray:  # each distinct date converted once
        return O.per_distinct(values, lambda v: (v - epoch).days, dtype="int64")

    ckey = cal["c_sch_i"].to_numpy("int64") * K + day(cal["c_date"])  # sorted: school, date
    cidx = cal["idx"].to_numpy("int64")
    csch = cal["c_sch_i"].to_numpy("int64")
    n = len(ckey)
    if n:
        lo_pos = np.searchsorted(ckey, sch_i * K + day(periods["e_start"]), side="left")
        hi_pos = np.searchsorted(ckey, sch_i * K + day(periods["e_end"]), side="right") - 1
        lo_ok = (lo_pos < n) & (csch[np.minimum(lo_pos, n - 1)] == sch_i)
        hi_ok = (hi_pos >= 0) & (csch[np.maximum(hi_pos, 0)] == sch_i)
        e_lo = np.where(lo_ok, cidx[np.minimum(lo_pos, n - 1)], 1)
        e_hi = np.where(hi_ok, cidx[np.maximum(hi_pos, 0)], 0)
        none = ~(lo_ok & hi_ok) | (e_lo > e_hi)
        e_lo, e_hi = np.where(none, 1, e_lo), np.where(none, 0, e_hi)
    else:  # no instructional day at all (the backend reports it): no period has a day
        e_lo, e_hi = np.ones(len(periods), dtype="int64"), np.zeros(len(periods), dtype="int64")
    return periods.assign(
        e_si=_dense_rank(periods["e_sid"]),
        e_sch_i=sch_i.astype("int32"), e_lo=e_lo.astype("int32"), e_hi=e_hi.astype("int32"),
    )


def _enrolled_upto(periods: pd.DataFrame, cal: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The enrolled-days table ``enr, days_enrolled, first_idx, last_idx, first_date,
    last_date`` of the periods (:func:`_period_keys`) with at least one instructional day on
    or before ``as_of`` (instructional days of a school are consecutive indices, so this is
    arithmetic)."""
    csch = cal["c_sch_i"].to_numpy("int64")
    n = len(csch)
    sch_i = periods["e_sch_i"].to_numpy("int64")
    e_lo, e_hi = periods["e_lo"].to_numpy("int64"), periods["e_hi"].to_numpy("int64")
    # The last instructional day index of each school on or before as_of (0: none).
    upto = cal[cal["c_date"] <= as_of].groupby("c_sch_i")["idx"].max()
    cap = np.zeros(int(csch.max()) + 2 if n else 1, dtype="int64")
    cap[upto.index.to_numpy("int64")] = upto.to_numpy("int64")
    last = np.minimum(e_hi, cap[sch_i])
    has = last >= e_lo
    # Row of (school, idx) in cal: cal is sorted by school then idx, schools start at offsets.
    start = np.searchsorted(csch, np.arange(cap.size))
    first_row = start[np.maximum(sch_i, 0)] + e_lo - 1
    last_row = start[np.maximum(sch_i, 0)] + last - 1
    cdate = cal["c_date"].to_numpy()
    return pd.DataFrame({
        "enr": periods["enr"].to_numpy()[has].astype("int64"),
        "days_enrolled": (last - e_lo + 1)[has].astype("int64"),
        "first_idx": e_lo[has].astype("int64"),
        "last_idx": last[has].astype("int64"),
        "first_date": cdate[first_row[has]],
        "last_date": cdate[last_row[has]],
    })


def _dense_rank(ids: pd.Series) -> np.ndarray:
    """Each id's rank among the distinct ids in sorted order (0, 1, ...; int32): the codes of
    ``pd.factorize(ids, sort=True)``, found by Arrow's sort (UTF-8 byte order, the order of
    Python's ``str``), 5-10x faster on 600,000 ids."""
    try:
        arr = pa.array(ids.to_numpy(dtype=object), pa.string())
    except (pa.ArrowException, UnicodeEncodeError):  # not text Arrow can hold: pandas sorts
        return pd.factorize(ids, sort=True)[0].astype("int32")
    rank = pc.rank(arr, sort_keys="ascending", tiebreaker="dense")
    return (rank.to_numpy() - 1).astype("int32")


def _student_keys(periods: pd.DataFrame) -> tuple[pa.Table, pa.Table]:
    """The distinct student ids with their integer keys, and the periods of the students who
    have more than one.

    The first table has ``s_sid, s_si`` (the id and its dense rank) and, for a student with
    exactly one enrollment period, that period: ``u_enr, u_sch_i, u_lo, u_hi``, so that an
    attendance row finds its period with the id alone. A student with several has
    ``u_enr = 0`` (no row number: data start on line 2), ``u_sch_i = -1`` and the empty range
    ``u_lo = 1 > u_hi = 0`` (no nulls: a backend fed through pandas, Spark, would see NaN). The
    second has ``enr, e_lo, e_hi, e_si, e_sch_i`` of the periods of students with several
    (empty when there are none).
    """
    e_si = periods["e_si"].to_numpy()  # the id's rank: equal ranks, equal ids
    first = np.zeros(len(e_si), dtype=bool)
    first[np.unique(e_si, return_index=True)[1]] = True
    several = np.bincount(e_si)[e_si] > 1 if len(e_si) else np.zeros(0, dtype=bool)
    one = periods[first]
    alone = ~several[first]

    def ints(col: str, dtype: pa.DataType, none: int) -> pa.Array:
        return pa.array(np.where(alone, one[col].to_numpy(), none), type=dtype)

    sids = pa.table({
        "s_sid": pa.array(one["e_sid"].to_numpy(dtype=object), pa.string()),
        "s_si": pa.array(one["e_si"].to_numpy(), pa.int32()),
        "u_enr": ints("enr", pa.int64(), 0), "u_sch_i": ints("e_sch_i", pa.int32(), -1),
        "u_lo": ints("e_lo", pa.int32(), 1), "u_hi": ints("e_hi", pa.int32(), 0),
    })
    m = periods[several]
    multi = pa.table({
        "enr": pa.array(m["enr"].to_numpy(), pa.int64()),
        "e_lo": pa.array(m["e_lo"].to_numpy(), pa.int32()),
        "e_hi": pa.array(m["e_hi"].to_numpy(), pa.int32()),
        "e_si": pa.array(m["e_si"].to_numpy(), pa.int32()),
        "e_sch_i": pa.array(m["e_sch_i"].to_numpy(), pa.int32()),
    })
    return sids, multi


def _open(backend: str, spark: dict[str, Any] | None) -> Backend:
    """Open the backend ``backend`` names, with the Spark settings for ``"spark"``."""
    if backend != "spark" or not spark:
        return open_backend(backend)
    unknown = sorted(set(spark) - {"master", "remote", "conf"})
    if unknown:
        raise InputError(f"The 'spark' parameter of engagement takes master, remote and conf. "
                         f"Got {', '.join(unknown)} instead.")
    return open_backend("spark", master=spark.get("master") or None,
                        remote=spark.get("remote") or None, conf=spark.get("conf") or None)


def compute_engagement(
    folder: str | Path,
    *,
    backend: str | Backend = "duckdb",
    absences_only: bool = False,
    lenient: bool = False,
    missing_days: int | None = None,
    as_of: dt.date | None = None,
    sb98_from: dt.date | None = None,
    sb98_to: dt.date | None = None,
    spark: dict[str, Any] | None = None,
    rules: str | Path | EngagementRules | None = None,
) -> EngagementResult:
    """Compute every output of the engagement pipeline for one input folder (writes nothing).

    Parameters
    ----------
    folder : holds ``students``, ``calendar``, ``attendance`` and optionally ``activity``, each
        as ``.csv`` or ``.parquet`` (see docs/engagement.md for the columns).
    backend : ``"duckdb"`` (default, in process), ``"spark"`` (a local or active PySpark
        session), or an open :class:`~equitable.engagement._backend.Backend`.
    absences_only : attendance lists only non-present days; presence is implied by enrollment
        and the calendar.
    lenient : drop rows with problems (and report how many) instead of stopping.
    missing_days : N of the ``missing`` rule (no presence or activity in the last N
        instructional days of the school); must be >= 1; default the rules' ``missing.days``.
    as_of : the day the data describe; default the latest date in the attendance file.
    sb98_from, sb98_to : the SB 98 window (inclusive); default every enrolled day.
    spark : for ``backend="spark"``: ``master`` (a master URL), ``remote`` (a Spark Connect
        ``sc://`` URL) and ``conf`` (settings), passed to
        :func:`~equitable.engagement._backend.spark_session`; with none, the active session,
        the ``spark-submit`` master or ``local[*]``.
    rules : the thresholds: a preset name (``california``, the default; ``federal-edfacts``), a
        TOML file or :class:`~equitable.engagement.EngagementRules` (see
        :func:`~equitable.engagement.load_rules` and docs/engagement.md, "Rules as a spec").

    ``folder`` may be a local path, a ``file://`` URI or any URI the engine reads (``s3a://``,
    ``hdfs://``, ``abfss://``, ``gs://`` for Spark; ``s3://``, ``gs://``, ``https://`` for
    DuckDB through httpfs). Attendance (and activity) may be one Parquet file or a folder of
    them (``attendance.parquet/`` or ``attendance/``, hive-partitioned by school or month or
    not), read by the engine where it is; students and calendar are read on the driver.

    Returns
    -------
    EngagementResult

    Raises
    ------
    InputError
        A missing file or column, or (without ``lenient``) any problem row; the message gives
        counts and row numbers, never a student id.
    """
    rules = load_rules(rules)
    if missing_days is None:
        missing_days = rules.missing.days
    if missing_days < 1:
        raise InputError(
            f"The 'missing_days' parameter of engagement must be >= 1. Got {missing_days} instead."
        )
    local = local_path(folder)
    if local is not None:
        folder = local
        if not folder.is_dir():
            raise InputError(f"{folder}: not a folder")
        paths = _find_local(folder)
    own = not isinstance(backend, str)
    be = backend if not isinstance(backend, str) else _open(backend, spark)
    import tempfile

    fetched = tempfile.TemporaryDirectory(prefix="equitable-inputs-")
    try:
        if local is None:
            assert isinstance(folder, str), "a folder that is not local is a URI string"
            tmp = Path(fetched.name)
            paths = {"students": _find_remote(be, folder, "students", tmp),
                     "calendar": _find_remote(be, folder, "calendar", tmp),
                     "attendance": _find_remote(be, folder, "attendance", tmp, big=True)}
            act = _find_remote(be, folder, "activity", tmp, required=False, big=True)
            if act is not None:
                paths["activity"] = act
        return _checked(be, paths, as_of, absences_only=absences_only, lenient=lenient,
                        missing_days=missing_days, sb98=(sb98_from, sb98_to), rules=rules)
    finally:
        if not own:
            be.close()
        fetched.cleanup()


def _find_local(folder: Path) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    for stem in ("students", "calendar"):
        found = find_input(folder, stem)  # required: raises when absent
        assert found is not None
        paths[stem] = found
    # Attendance: a file, or a folder of Parquet files (attendance.parquet/ or attendance/).
    att = find_input(folder, "attendance", required=False)
    if att is None:
        for cand in (folder / "attendance.parquet", folder / "attendance"):
            if cand.is_dir():
                att = cand
                break
    if att is None:
        att = find_input(folder, "attendance")  # raises the usual message
    assert att is not None
    paths["attendance"] = att
    act_path = find_input(folder, "activity", required=False)
    if act_path is None and (folder / "activity.parquet").is_dir():
        act_path = folder / "activity.parquet"
    if act_path is not None:
        paths["activity"] = act_path
    return paths


def _checked(be: Backend, paths, as_of, *, absences_only, lenient, missing_days, sb98, rules):
    t_start, c_start = time.perf_counter(), time.process_time()
    calendar, c_issues, _ = check_calendar(
        read_table(paths["calendar"], CALENDAR_COLUMNS), _name(paths["calendar"])
    )
    # The backend reads the attendance file while the students are read and checked: on
    # DuckDB into per-student day sets (the short path, _fast), else only to find the as-of day.
    pool = ThreadPoolExecutor(max_workers=1)
    early = pool.submit(_attendance_sets if be.name == "duckdb" else _attendance_and_as_of,
                        be, paths, calendar, as_of)
    pool.shutdown(wait=False)
    try:
        students_table = read_table(paths["students"], STUDENT_COLUMNS)
        students, s_issues, _ = check_students(students_table, _name(paths["students"]))
        del students_table
        schools = set(calendar["school_id"])
        no_cal = ~students["school_id"].isin(schools)
        if no_cal.any():
            s_issues.append(Issue(
                _name(paths["students"]), "at a school that has no days in the calendar",
                int(no_cal.sum()), [int(r) for r in students.loc[no_cal, "_row"].head(5)],
            ))
            students = students[~no_cal]
        _raise_or_drop(s_issues + c_issues, lenient)
        if len(students) == 0:
            raise InputError(
                f"{_name(paths['students'])}: no usable student rows"
                + (": " + "; ".join(i.message() for i in s_issues + c_issues)
                   if s_issues or c_issues else " (the file has a header only)")
            )
        if not _instructional_dates(calendar):  # (the backend's thread then fails unseen)
            raise InputError(f"{_name(paths['calendar'])}: no day is an instructional day (no "
                             "row has instructional = Y)")
        log.info("engagement: students and calendar checked %.1f s (CPU %.1f s)",
                 time.perf_counter() - t_start, time.process_time() - c_start)
        t_start, c_start = time.perf_counter(), time.process_time()
        prep = _prepare(students, calendar)  # while the backend still reads the attendance
        log.info("engagement: enrollment keys and attributes prepared %.1f s (CPU %.1f s)",
                 time.perf_counter() - t_start, time.process_time() - c_start)
    except BaseException:
        early.exception()  # let the backend finish before it is closed
        raise
    dropped = list(s_issues + c_issues)
    kw = dict(absences_only=absences_only, lenient=lenient, missing_days=missing_days,
              sb98=sb98, rules=rules)
    result = _compute(be, paths, prep, list(dropped), early, **kw)
    if result is not None:
        return result
    # Some attendance row has a problem: the general path checks row by row and names them.
    log.info("engagement: the attendance has rows to check one by one (general path)")
    again: Future = Future()
    again.set_result(_attendance_and_as_of(be, paths, calendar, as_of))
    result = _compute(be, paths, prep, dropped, again, **kw)
    assert result is not None, "the general path always gives a result or raises"
    return result


def _attendance_sets(be: Backend, paths, calendar: pd.DataFrame, as_of: dt.date | None):
    """:func:`_attendance_and_as_of` for the short path (DuckDB): the attendance grouped into
    per-student day sets in one pass (:func:`~equitable.engagement._fast.day_sets`), the as-of
    day the latest day with a row when not given. Without day sets (a calendar spanning more
    than four years, an unusual date column), the general path's scan."""
    raw, n_raw = _load_big(be, paths["attendance"], ATTENDANCE_COLUMNS, "attendance")
    dates = _instructional_dates(calendar)
    sets = day_sets(be, raw, dates) if dates else None
    if sets is None or (as_of is None and sets.latest is None):
        return _attendance_and_as_of(be, paths, calendar, as_of)
    return raw, n_raw, as_of or sets.latest, False, sets


def _instructional_dates(calendar: pd.DataFrame) -> list[dt.date]:
    """The calendar's distinct instructional dates, sorted (a date's position is its day
    number, ``c_day`` of :func:`_instructional_days`)."""
    return sorted(set(calendar.loc[calendar["instructional"] == "Y", "date"]))


def _instructional_days(calendar: pd.DataFrame) -> pd.DataFrame:
    """The instructional days, one row per school and day, sorted by school and date, with
    integer keys (``idx`` the day's index in the school's calendar, ``c_sch_i`` the school's
    rank, ``c_day`` the date's rank, ``c_full``: the school has every date of the calendar)."""
    cal = calendar[calendar["instructional"] == "Y"].sort_values(["school_id", "date"])
    cal = pd.DataFrame({
        "c_sch": cal["school_id"].astype(str),
        "c_date": cal["date"],
        "idx": cal.groupby("school_id").cumcount().astype("int32") + 1,
        "c_sch_i": pd.factorize(cal["school_id"], sort=True)[0].astype("int32"),
        "c_dtext": O.per_distinct(cal["date"], lambda d: d.isoformat()),
        # The day's number among the calendar's distinct instructional dates (0-based).
        "c_day": pd.factorize(cal["date"], sort=True)[0].astype("int32"),
    }).reset_index(drop=True)
    # Schools whose instructional days are every day of the calendar (one district calendar).
    n_dates = int(cal["c_day"].max()) + 1 if len(cal) else 0
    cal["c_full"] = cal.groupby("c_sch_i")["c_day"].transform("size").to_numpy() == n_dates
    return cal


def _attendance_and_as_of(be: Backend, paths, calendar: pd.DataFrame, as_of: dt.date | None):
    """The attendance file as a backend table, its number of records, the as-of day, whether
    every attendance date is known to be a calendar day written ``YYYY-MM-DD`` (found by the
    scan for the as-of day; False when ``as_of`` is given), and None (no day sets: the general
    path)."""
    raw, n_raw = _load_big(be, paths["attendance"], ATTENDANCE_COLUMNS, "attendance")
    all_match = False
    if as_of is None:
        # The latest date in the attendance file that is an instructional day of some school
        # (matched as YYYY-MM-DD text against the calendar's days: no date parsing of the file),
        # and the number of rows whose date text is not such a day (none: the reduction to
        # integers need not parse any date).
        days = pd.DataFrame({"k_dtext": [d.isoformat() for d in _instructional_dates(calendar)]})
        days_t = be.register("days", pa.Table.from_pandas(days, preserve_index=False))
        dtext = _date_text(raw.date)
        r = raw.select(k=dtext)
        r = r.left_join(days_t, r.k == days_t.k_dtext)
        got = fetch(r.aggregate(m=r.k_dtext.max(),
                                miss=r.k_dtext.isnull().cast("int64").sum()))
        mx = got["m"].iloc[0]
        all_match = int(got["miss"].fillna(0).iloc[0]) == 0
        if mx is None or pd.isna(mx):
            raise InputError(
                f"{_name(paths['attendance'])}: no row has a date that is an instructional day "
                "in the calendar"
            )
        as_of = dt.date.fromisoformat(str(mx))
    return raw, n_raw, as_of, all_match, None


@dataclass
class _Prepared:
    """What the run takes from the students and the calendar alone (no as-of day), made while
    the backend still reads the attendance: the checked students, the instructional days
    (:func:`_instructional_days`, with each day's Monday as ``week``), the enrollment periods
    with their integer keys (:func:`_period_keys`; also as Arrow, for the backend), the student
    keys (:func:`_student_keys`), each student's attributes at a school (the latest enrollment
    there: ``student_id, school_id, grade, foster, homeless``, ``_pair`` and the reporting
    category bits), and whether no student has two periods at one school."""

    students: pd.DataFrame
    cal: pd.DataFrame
    periods: pd.DataFrame
    periods_arrow: pa.Table
    sids: pa.Table
    multi: pa.Table
    attrs: pd.DataFrame
    one_period_per_school: bool


def _prepare(students: pd.DataFrame, calendar: pd.DataFrame) -> _Prepared:
    """:class:`_Prepared` for the checked ``students`` and ``calendar``."""
    cal = _instructional_days(calendar)
    cal["week"] = O.per_distinct(cal["c_date"], lambda d: d - dt.timedelta(days=d.weekday()))
    exit_date = students["exit_date"]
    e_end = exit_date.where(exit_date.notna(), _FAR).to_numpy(dtype=object)
    periods = _period_keys(pd.DataFrame({
        "enr": students["_row"].astype("int64"),
        "e_sid": students["student_id"].astype(str),
        "e_sch": students["school_id"].astype(str),
        "e_start": students["enroll_date"],
        "e_end": e_end,
    }), cal)
    # A student's attributes at a school: those of the latest enrollment there (latest
    # enroll_date, then the later row of the file), found by sorting integer keys.
    pair_key = O.pair_key(periods["e_si"].to_numpy(), periods["e_sch_i"].to_numpy())
    enroll_day = O.per_distinct(students["enroll_date"], lambda d: d.toordinal(), dtype="int64")
    order = np.lexsort((students["_row"].to_numpy("int64"), enroll_day, pair_key))
    last = np.ones(len(order), dtype=bool)
    last[:-1] = pair_key[order][1:] != pair_key[order][:-1]
    pick = order[last]
    # The reporting categories (race, grade span, programs) enter the outputs as bits found
    # once; the queue also shows the grade and the foster and homeless flags.
    attrs = pd.DataFrame({c: students[c].to_numpy()[pick]
                          for c in ("student_id", "school_id", "grade", "foster", "homeless")})
    attrs["_pair"] = pair_key[pick]
    attrs[O.CATS] = O.category_bits(students)[pick]
    sids, multi = _student_keys(periods)
    return _Prepared(students, cal, periods, pa.Table.from_pandas(periods, preserve_index=False),
                     sids, multi, attrs, one_period_per_school=len(pick) == len(periods))


def _compute(be: Backend, paths, prep: _Prepared, dropped, early, *, absences_only, lenient,
             missing_days, sb98, rules) -> EngagementResult | None:
    """The run after the students are checked (``prep``). With day sets (``early``'s last
    item) the short path: None when an attendance row has a problem (the caller then runs the
    general path, which names it)."""
    t0, c0 = time.perf_counter(), time.process_time()

    def phase(name: str) -> None:
        nonlocal t0, c0
        t, c = time.perf_counter(), time.process_time()
        log.info("engagement: %s %.1f s (CPU %.1f s)", name, t - t0, c - c0)
        t0, c0 = t, c

    raw, n_raw, as_of, dates_all_match, sets = early.result()
    if sets is not None:
        phase("attendance grouped into day sets")
    students, cal, periods, attrs = prep.students, prep.cal, prep.periods, prep.attrs
    cal["c_after"] = cal["c_date"] > as_of
    enrolled = _enrolled_upto(periods, cal, as_of)
    if len(enrolled) == 0:
        first = min(cal["c_date"]) if len(cal) else None
        raise InputError(
            f"no enrollment has an instructional day on or before the as-of day "
            f"{as_of.isoformat()}"
            + (f" (the calendar's first instructional day is {first.isoformat()})" if first
               else "")
        )
    # The summary's suppression pattern depends on enrollment only: compute it (complementary
    # suppression, an integer program) in a thread while the attendance is worked through.
    pre = _enrolled_by_student_school(periods, enrolled)
    pool = ThreadPoolExecutor(max_workers=1)
    protection = pool.submit(lambda: O.summary_protection(O.summary_counts(pre, attrs, rules)))
    pool.shutdown(wait=False)
    multi = prep.multi
    cal_t = be.register("calendar", pa.Table.from_pandas(cal, preserve_index=False))
    per_t = be.register("periods", prep.periods_arrow)
    sids_t = be.register("sids", prep.sids)
    multi_t = be.register("multi_periods", multi) if multi.num_rows else None
    inp = Inputs(periods=per_t, cal=cal_t, as_of=as_of, absences_only=absences_only,
                 attendance_file=_name(paths["attendance"]),
                 activity_file=_name(paths["activity"]) if "activity" in paths else None,
                 sids=sids_t, multi_periods=multi_t, dates_all_match=dates_all_match,
                 wide_int_sums=be.name == "duckdb",
                 one_period_per_school=prep.one_period_per_school,
                 n_days=int(cal["c_day"].max()) + 1 if len(cal) else 1,
                 # Row numbers (at most n + 1: CSV data start on line 2) in 4 bytes when they fit.
                 row_type="int32" if n_raw + 2 < 2**31 else "int64")
    enrolled_t = be.register("enrolled", pa.Table.from_pandas(enrolled, preserve_index=False))
    phase("inputs and enrolled days")
    figures = None
    if sets is not None:
        # The short path: every figure from the day sets, or None when a row has a problem
        # (the suppression pattern then goes unused: the general path finds the as-of day anew).
        figures = period_figures(be, sets, sids_t, multi.to_pandas(), cal, enrolled, as_of,
                                 sb98, rules.sb98)
        if figures is None:
            return None
        phase("rules on the day sets")
    a_issues: list[Issue]
    if figures is not None:
        ok, a_issues, per = None, [], None
        a_notes = [] if absences_only else missing_rows_notes(inp, enrolled, pd.DataFrame({
            "enr": figures["enr"].to_numpy(), "n": figures["n_rows"].to_numpy()}))
        figures_t = be.register("figures", figures)
    else:
        figures_t = None
        compact = be.materialize("att", compact_attendance(raw, inp))
        phase("attendance reduced to integers")
        ok, a_issues, a_notes, per = check_attendance(
            compact, inp, enrolled, _cross_school_overlaps(periods), lenient=lenient,
            materialize=be.materialize,
        )
    activity = None
    if "activity" in paths:
        araw, _ = _load_big(be, paths["activity"], ACTIVITY_COLUMNS, "activity")
        activity, act_issues, _ = check_activity(araw, inp, be.materialize)
        a_issues += act_issues
    phase("checks")
    _raise_or_drop(a_issues + a_notes, lenient)
    dropped += a_issues
    for i in dropped:
        log.warning("dropped %s", i.message())
    for n in a_notes:
        log.warning("%s", n.message())

    expr = engagement_table(ok, activity, inp, enrolled_t, missing_days=missing_days,
                            sb98_window=sb98, per=per, rules=rules, figures=figures_t)
    df = to_frame(expr)
    phase("rules")
    for c in ("days_enrolled", "days_absent", "days_present", "days_unrecorded",
              "longest_absence_streak", "current_absence_streak", "sb98_weeks_flagged"):
        df[c] = df[c].astype("int64")
    for c in ("never_engaged", "missing", "enrolled_now"):
        df[c] = df[c].astype(bool)
    ca = df["chronically_absent"]
    known = ca.notna().to_numpy()
    chronic = np.full(len(df), None, dtype=object)
    chronic[known] = ca[known].astype(bool).to_numpy()
    df["chronically_absent"] = chronic
    # By school_id, then student_id: the ranks sort as the ids do (the backend sorted already;
    # a frame that arrives otherwise is put in order here).
    s_rank, sch_rank = df.pop("student_rank").to_numpy(), df.pop("school_rank").to_numpy()
    order = np.lexsort((s_rank, sch_rank))
    if not (order == np.arange(len(order))).all():
        df, s_rank, sch_rank = df.iloc[order].reset_index(drop=True), s_rank[order], \
            sch_rank[order]
    df["_pair"] = O.pair_key(s_rank, sch_rank)

    year = O.academic_year(as_of)
    dx = O.with_attributes(df, attrs, missing_days)  # one merge and one wording for all tables
    queue = O.outreach_queue(dx, None, missing_days)
    t_wait = time.perf_counter()
    hidden = protection.result()
    log.info("engagement: waited %.1f s for the summary's suppression pattern",
             time.perf_counter() - t_wait)
    # the summary and the fairness table are published together: protected as a linked set
    counts = O.summary_counts(dx, None, rules)
    privacy_notes: list[str] = []
    result = EngagementResult(
        students=O.format_engagement(dx, missing_days, presorted=True),
        summary=O.school_summary(dx, None, year, hidden=hidden, counts=counts),
        queue=queue,
        fairness=O.fairness_table(dx, queue, None,
                                  cumulative=O.cumulative_by_category(counts, hidden[1]),
                                  notes=privacy_notes),
        as_of=as_of,
        dropped=dropped,
        notes=a_notes,
        privacy_notes=privacy_notes,
        counts={
            "students": len(pd.unique(s_rank)),
            "student_school_rows": len(df),
            "enrollments_without_instructional_days": int(len(students) - len(enrolled)),
            "on_outreach_list": len(queue),
        },
        raw=df,
        inputs=dict(paths),
        engine=dict(getattr(be, "settings", {}) or {}),
        short_path=figures is not None,
    )
    phase("output tables")
    return result


def run_engagement(
    folder: str | Path,
    out: str | Path,
    **kwargs: Any,
) -> EngagementResult:
    """Run :func:`compute_engagement` and write ``out/``: ``student_engagement.csv``,
    ``school_summary.csv``, ``outreach_queue.csv``, ``outreach_fairness.csv`` and ``run.json``.

    Keyword arguments are those of :func:`compute_engagement`. The files are deterministic (rows
    sorted, no clock time); ``run.json`` records the settings, input hashes and the rows dropped.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    result = compute_engagement(folder, **kwargs)
    spec = {k: (v if not isinstance(v, dt.date) else v.isoformat()) for k, v in kwargs.items()
            if not hasattr(v, "con") and k not in ("spark", "rules")}
    if kwargs.get("spark"):
        from equitable.engagement._backend import redact_conf, redact_url

        given = kwargs["spark"]
        spec["spark"] = {k: v for k, v in {
            "master": given.get("master"),
            "remote": redact_url(given["remote"]) if given.get("remote") else None,
            "conf": redact_conf(given.get("conf") or {}),
        }.items() if v}
    spec["as_of"] = result.as_of.isoformat()
    rules = load_rules(kwargs.get("rules"))
    if spec.get("missing_days") is None:
        spec["missing_days"] = rules.missing.days  # the window applied
    spec["rules"] = rules.record()  # the thresholds applied
    # Local files are hashed; a folder of Parquet files or a URI is named only (hashing a
    # statewide dataset would read it twice).
    inputs = {k: p for k, p in result.inputs.items() if isinstance(p, Path) and p.is_file()
              and local_path(folder) is not None}
    located = {k: _name(p) + ("/" if not isinstance(p, Path) or p.is_dir() else "")
               for k, p in result.inputs.items() if k not in inputs}
    from equitable._atomic import output_folder

    with output_folder(out) as stage:  # whole or absent, even when killed
        files = [
            O.write_csv(result.students, stage / "student_engagement.csv"),
            O.write_csv(result.summary, stage / "school_summary.csv"),
            O.write_csv(result.queue, stage / "outreach_queue.csv"),
            O.write_csv(result.fairness, stage / "outreach_fairness.csv"),
        ]
        write_run_record(
            stage, command="engagement", spec=spec, inputs=inputs, outputs=files,
            extra={"privacy_audit": O.PRIVACY_AUDIT,
                   "counts": result.counts, "dropped": [i.as_dict() for i in result.dropped],
                   "notes": [i.as_dict() for i in result.notes],
                   **({"privacy_notes": result.privacy_notes} if result.privacy_notes else {}),
                   **({"inputs_not_hashed": located} if located else {}),
                   **({"spark": result.engine} if result.engine else {})},
        )
    return result
