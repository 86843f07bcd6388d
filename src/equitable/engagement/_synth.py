"""A synthetic district in the engagement input format, calibrated to California's published
chronic absenteeism rates by student group.

Calibration target: CDE School Dashboard Additional Reports, "Chronic Absenteeism Indicator -
2022", State of California (2021-22 school year), read from
``attendance/ca_statewide_chronic_absenteeism_2021_22.csv`` in the data folder. The generator
draws each student's groups, then decides who is chronically absent with a logistic model whose
group effects are fitted, on the drawn students themselves, until every group's realised rate
among eligible students (31 days or more) matches the published one; each student's days absent
are then placed so that the realised absence count gives exactly that status. Everything follows
from one seed (numpy's PCG64), so the same arguments write the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from equitable.errors import InputError
from equitable.paths import data_file

__all__ = ["GROUP_COLUMNS", "TARGET_FILE", "SynthResult", "read_targets", "synth_district"]

TARGET_FILE = "attendance/ca_statewide_chronic_absenteeism_2021_22.csv"

#: Dashboard student group -> (students column, value) in the synthetic students file.
GROUP_COLUMNS = {
    "All Students": (None, None),
    "English Learners": ("english_learner", "Y"),
    "Foster Youth": ("foster", "Y"),
    "Homeless": ("homeless", "Y"),
    "Socioeconomically Disadvantaged": ("low_income", "Y"),
    "Students with Disabilities": ("disability", "Y"),
    "African American": ("race_ethnicity", "RB"),
    "American Indian or Alaska Native": ("race_ethnicity", "RI"),
    "Asian": ("race_ethnicity", "RA"),
    "Filipino": ("race_ethnicity", "RF"),
    "Hispanic": ("race_ethnicity", "RH"),
    "Native Hawaiian or Pacific Islander": ("race_ethnicity", "RP"),
    "White": ("race_ethnicity", "RW"),
    "Two or More Races": ("race_ethnicity", "RT"),
}
_RACES = ["RB", "RI", "RA", "RF", "RH", "RP", "RW", "RT"]
_RACE_GROUP = dict(zip(_RACES, ["African American", "American Indian or Alaska Native", "Asian",
                                "Filipino", "Hispanic", "Native Hawaiian or Pacific Islander",
                                "White", "Two or More Races"]))
# Relative propensities (not published figures: shape only; marginal shares come from the file).
_EL_BY_RACE = {"RH": 1.5, "RA": 1.2, "RF": 0.4, "RP": 0.4, "RB": 0.1, "RI": 0.2, "RW": 0.15,
               "RT": 0.1, "RD": 0.5}
_SED_BY_RACE = {"RH": 1.25, "RB": 1.2, "RI": 1.1, "RP": 1.0, "RF": 0.6, "RA": 0.55, "RW": 0.5,
                "RT": 0.65, "RD": 0.8}
_GRADES = ["TK", "K"] + [str(g) for g in range(1, 13)]
_GRADE_P = np.array([0.035] + [0.965 / 13] * 13)
_GRADE_LOGIT = {"TK": 0.35, "K": 0.3, "1": 0.05, "4": -0.15, "5": -0.15, "6": -0.1, "9": 0.1,
                "10": 0.15, "11": 0.2, "12": 0.3}
_LANG_EL = ["es", "es", "es", "es", "es", "es", "vi", "zh", "tl", "ko", "ar", "hy"]

ABSENT_MIX = (("absent_excused", 0.45), ("absent_unexcused", 0.44), ("suspended_out", 0.03),
              ("distance_absent", 0.08))
PRESENT_MIX = (("present", 0.955), ("suspended_in", 0.005), ("distance_present", 0.04))


@dataclass
class SynthResult:
    """Where the files went and how the realised rates compare with the targets."""

    folder: Path
    students: int
    attendance_rows: int
    targets: pd.DataFrame  # student_group, target_pct, realised_pct, eligible


def read_targets(override: str | Path | None = None) -> pd.DataFrame:
    """The statewide 2021-22 chronic absenteeism rates by group (comment lines skipped)."""
    path = data_file(TARGET_FILE, override)
    df = pd.read_csv(path, comment="#")
    missing = set(GROUP_COLUMNS) - set(df["student_group"])
    if missing:
        raise InputError(f"{path.name}: student groups missing: {', '.join(sorted(missing))}")
    return df


def _logit(p):
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _draw_students(rng, n: int, targets: pd.DataFrame) -> pd.DataFrame:
    t = targets.set_index("student_group")
    all_el = t.loc["All Students", "eligible"]
    share = {r: t.loc[g, "eligible"] / all_el for r, g in _RACE_GROUP.items()}
    share["RD"] = max(0.0, 1 - sum(share.values()))
    races = list(share)
    p = np.array([share[r] for r in races])
    race = np.array(races)[rng.choice(len(races), size=n, p=p / p.sum())]

    def flag(weights: dict[str, float] | None, rate: float) -> np.ndarray:
        w = np.ones(n) if weights is None else np.array([weights[r] for r in race])
        prob = np.clip(w * rate / w.mean(), 0, 0.98)
        return rng.random(n) < prob

    def rate(group: str) -> float:
        return t.loc[group, "eligible"] / all_el

    el = flag(_EL_BY_RACE, rate("English Learners"))
    sed = flag(_SED_BY_RACE, rate("Socioeconomically Disadvantaged"))
    swd = flag(None, rate("Students with Disabilities"))
    foster = flag(None, rate("Foster Youth"))
    # Students experiencing homelessness are nearly all socioeconomically disadvantaged.
    hw = np.where(sed, 1.0, 0.1)
    homeless = rng.random(n) < np.clip(hw * rate("Homeless") / hw.mean(), 0, 0.9)
    grade = np.array(_GRADES)[rng.choice(len(_GRADES), size=n, p=_GRADE_P)]
    lang = np.where(el, np.array(_LANG_EL)[rng.integers(0, len(_LANG_EL), n)], "en")
    yn = lambda b: np.where(b, "Y", "N")
    return pd.DataFrame({
        "grade": grade, "english_learner": yn(el), "low_income": yn(sed), "foster": yn(foster),
        "homeless": yn(homeless), "disability": yn(swd), "race_ethnicity": race,
        "home_language": lang,
    })


def _calibrate(rng, st: pd.DataFrame, eligible: np.ndarray, targets: pd.DataFrame) -> np.ndarray:
    """Chronic status per student so that each group's realised rate matches its target."""
    t = targets.set_index("student_group")["rate_pct"] / 100.0
    groups = [g for g in GROUP_COLUMNS if g != "All Students"]
    member = np.column_stack([
        (st[GROUP_COLUMNS[g][0]] == GROUP_COLUMNS[g][1]).to_numpy() for g in groups
    ]).astype(float)
    base = np.array([_GRADE_LOGIT.get(g, 0.0) for g in st["grade"]])
    eps = rng.logistic(size=len(st))
    b0 = _logit(t["All Students"])
    b = np.zeros(len(groups))
    target = np.array([t[g] for g in groups])
    pop = eligible if eligible.any() else np.ones(len(st), dtype=bool)
    mem_e = member[pop]
    size = mem_e.sum(axis=0)
    chronic = np.zeros(len(st), dtype=bool)
    for _ in range(400):
        chronic = (b0 + member @ b + base + eps) > 0
        c = chronic[pop]
        r_all = c.mean()
        r = np.where(size > 0, (mem_e * c[:, None]).sum(axis=0) / np.maximum(size, 1), target)
        err = np.abs(np.append(r, r_all) - np.append(target, t["All Students"]))
        if err.max() < 0.002:
            break
        b0 += 0.5 * (_logit(t["All Students"]) - _logit(r_all))
        b += np.where(size > 0, 0.5 * (_logit(target) - _logit(r)), 0.0)
    return chronic


def _calendar_days(start: dt.date, n_days: int) -> tuple[list[dt.date], list[tuple[dt.date, bool]]]:
    """Instructional days: weekdays from ``start``, skipping the usual holiday weeks."""
    days: list[dt.date] = []
    rows: list[tuple[dt.date, bool]] = []
    d = start
    while len(days) < n_days:
        holiday = (d.month == 11 and 22 <= d.day <= 26) or (d.month == 12 and d.day >= 20) or (
            d.month == 1 and d.day <= 2) or (d.month == 9 and d.day <= 7 and d.weekday() == 0)
        instructional = d.weekday() < 5 and not holiday
        rows.append((d, instructional))
        if instructional:
            days.append(d)
        d += dt.timedelta(days=1)
    return days, rows


_CSV_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="none")


class _CSVWriter:
    """pyarrow's CSV writer with a plain (unquoted) header line."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._fh = open(path, "wb")
        self._fh.write((",".join(schema.names) + "\n").encode())
        self._w = pacsv.CSVWriter(self._fh, schema, write_options=_CSV_OPTIONS)

    def write_table(self, table: pa.Table) -> None:
        self._w.write_table(table)

    def close(self) -> None:
        self._w.close()
        self._fh.close()


def _writer(path: Path, schema: pa.Schema):
    if path.suffix == ".parquet":
        return pq.ParquetWriter(path, schema, compression="zstd")
    return _CSVWriter(path, schema)


def _write(table: pa.Table, path: Path) -> None:
    w = _writer(path, table.schema)
    w.write_table(table)
    w.close()


def _synth_district_files(
    out: str | Path,
    students: int,
    days: int,
    *,
    seed: int = 0,
    start: dt.date = dt.date(2021, 8, 16),
    fmt: str = "csv",
    absences_only: bool = False,
    activity: bool = True,
    data_dir: str | Path | None = None,
    chunk: int = 50_000,
) -> SynthResult:
    """Write a synthetic district (students, calendar, attendance, activity) to ``out``.

    Parameters
    ----------
    out : folder to write (created).
    students : number of students (>= 1); schools are sized ~450 (TK-5), ~900 (6-8), ~1,800
        (9-12) students.
    days : number of instructional days (>= 1), weekdays from ``start`` minus holiday weeks.
    seed : the random seed; the same arguments give byte-identical files.
    fmt : ``"csv"`` or ``"parquet"``.
    absences_only : write only non-present attendance days.
    activity : also write activity.csv (platform logins and participation).

    Returns
    -------
    SynthResult with the realised chronic absenteeism rate of each group among students enrolled
    31 days or more, next to the published 2021-22 rate.

    Raises
    ------
    InputError
        When the calibration file is not in the data folder, or on invalid arguments.
    """
    if students < 1:
        raise InputError(f"The 'students' parameter of synth district must be >= 1. Got {students} instead.")
    if days < 1:
        raise InputError(f"The 'days' parameter of synth district must be >= 1. Got {days} instead.")
    if fmt not in ("csv", "parquet"):
        raise InputError(f"The 'format' parameter of synth district must be 'csv' or 'parquet'. Got {fmt!r} instead.")
    targets = read_targets(data_dir)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n = students
    st = _draw_students(rng, n, targets)

    # Schools by grade span; CDS codes of a fictitious county 99, district 99999.
    span = np.select([st["grade"].isin(["TK", "K", "1", "2", "3", "4", "5"]),
                      st["grade"].isin(["6", "7", "8"])], [0, 1], 2)
    sizes = (450, 900, 1800)
    school = np.empty(n, dtype=object)
    code = 1
    for s in (0, 1, 2):
        idx = np.flatnonzero(span == s)
        n_schools = max(1, round(len(idx) / sizes[s])) if len(idx) else 0
        if n_schools:
            school[idx] = np.array([f"9999999{code + j:07d}" for j in range(n_schools)])[
                rng.integers(0, n_schools, len(idx))]
            code += n_schools
    st.insert(0, "school_id", school)
    st.insert(0, "student_id", [f"{i + 1:010d}" for i in range(n)])

    cal_days, cal_rows = _calendar_days(start, days)
    D = len(cal_days)
    first = np.zeros(n, dtype=np.int64)
    late = (rng.random(n) < 0.05) & (D > 1)  # a one-day year has no later day to enroll on
    first[late] = rng.integers(1, max(2, int(0.7 * D)), late.sum())
    last = np.full(n, D - 1, dtype=np.int64)
    early = rng.random(n) < 0.04
    lo = np.maximum(first + 1, int(0.3 * D))
    span_e = np.maximum(0, D - 1 - lo)  # exit on a day in [lo, D - 2]
    draw = lo + np.floor(rng.random(n) * span_e).astype(np.int64)
    early &= span_e > 0
    last[early] = draw[early]
    last = np.maximum(last, first)
    n_days = last - first + 1
    eligible = n_days >= 31
    chronic = _calibrate(rng, st, eligible, targets)

    # Days absent: chronic -> at least ceil(n/10); otherwise at most ceil(n/10) - 1.
    need = -(-n_days // 10)
    r_chronic = 0.10 + rng.beta(1.2, 4.0, n) * 0.6
    r_ok = rng.beta(1.0, 6.0, n) * 0.10
    k = np.where(chronic, np.maximum(need, np.round(r_chronic * n_days)),
                 np.minimum(need - 1, np.floor(r_ok * n_days))).astype(np.int64)
    no_show = chronic & (rng.random(n) < 0.02)
    missing = chronic & ~no_show & (last == D - 1) & (rng.random(n) < 0.12)
    k = np.where(no_show, n_days, k)
    k = np.where(missing, np.maximum(k, np.minimum(n_days, 12)), k)
    k = np.clip(k, 0, n_days)
    cluster = np.where(missing | no_show, 1.0, np.where(chronic, rng.random(n) * 0.6,
                                                        rng.random(n) * 0.3))
    center = rng.integers(0, D, n)

    st["enroll_date"] = [cal_days[i].isoformat() for i in first]
    st["exit_date"] = [cal_days[j].isoformat() if e else "" for j, e in zip(last, early)]
    cols = ["student_id", "school_id", "grade", "enroll_date", "exit_date", "english_learner",
            "low_income", "foster", "homeless", "disability", "race_ethnicity", "home_language"]
    ext = ".parquet" if fmt == "parquet" else ".csv"
    _write(pa.Table.from_pandas(st[cols], preserve_index=False), out / f"students{ext}")
    schools = sorted(set(school))
    cal = pd.DataFrame(
        [(s, d.isoformat(), "Y" if ins else "N") for s in schools for d, ins in cal_rows],
        columns=["school_id", "date", "instructional"],
    )
    _write(pa.Table.from_pandas(cal, preserve_index=False), out / f"calendar{ext}")

    day_str = np.array([d.isoformat() for d in cal_days])
    a_names = np.array([s for s, _ in ABSENT_MIX])
    a_p = np.array([p for _, p in ABSENT_MIX])
    p_names = np.array([s for s, _ in PRESENT_MIX])
    p_p = np.array([p for _, p in PRESENT_MIX])
    uses_platform = (rng.random(n) < 0.5) & ~(no_show | missing)
    att_path = out / f"attendance{ext}"
    act_path = out / f"activity{ext}"
    att_writer = act_writer = None
    att_rows = 0
    act_chunks: list[pa.Table] = []
    offsets = np.array([-7, -8])  # Pacific time: PDT / PST
    dst = np.array([(d >= dt.date(d.year, 3, 8) and d < dt.date(d.year, 11, 1)) for d in cal_days])
    try:
        for c0 in range(0, n, chunk):
            c1 = min(n, c0 + chunk)
            m = c1 - c0
            j = np.arange(D)[None, :]
            f_, l_ = first[c0:c1, None], last[c0:c1, None]
            enrolled = (j >= f_) & (j <= l_)
            u = rng.random((m, D))
            dist = np.where(missing[c0:c1, None] | no_show[c0:c1, None], (l_ - j) / D,
                            np.abs(j - center[c0:c1, None]) / D)
            cl = cluster[c0:c1, None]
            key = np.where(enrolled, (1 - cl) * u + cl * dist, np.inf)
            rank = np.argsort(np.argsort(key, axis=1, kind="stable"), axis=1, kind="stable")
            absent = enrolled & (rank < k[c0:c1, None])
            s_idx, d_idx = np.nonzero(enrolled)
            ab = absent[s_idx, d_idx]
            r = rng.random(len(s_idx))
            status = np.where(
                ab, a_names[np.searchsorted(np.cumsum(a_p), r * a_p.sum(), side="right").clip(0, len(a_p) - 1)],
                p_names[np.searchsorted(np.cumsum(p_p), r * p_p.sum(), side="right").clip(0, len(p_p) - 1)],
            )
            keep = ab if absences_only else np.ones(len(s_idx), dtype=bool)
            sid = st["student_id"].to_numpy()[c0:c1]
            sch = st["school_id"].to_numpy()[c0:c1]
            table = pa.table({
                "student_id": sid[s_idx[keep]], "school_id": sch[s_idx[keep]],
                "date": day_str[d_idx[keep]], "status": status[keep],
            })
            att_rows += table.num_rows
            if att_writer is None:
                att_writer = _writer(att_path, table.schema)
            att_writer.write_table(table)
            if activity:
                # Logins on some days present; participation (work submitted, live class joined)
                # on part of them. Absent students sometimes log in too.
                plat = uses_platform[c0:c1][s_idx]
                p_login = np.where(ab, 0.03, 0.12)
                rr = rng.random(len(s_idx))
                login = plat & (rr < p_login)
                part = login & (rng.random(len(s_idx)) < 0.6)
                sel = np.flatnonzero(login)
                hh = rng.integers(7, 21, len(sel))
                mm = rng.integers(0, 60, len(sel))
                ts = [f"{day_str[d]}T{h:02d}:{mi:02d}:00{offsets[0] if dst[d] else offsets[1]:+03d}:00"
                      for d, h, mi in zip(d_idx[sel], hh, mm)]
                kind = np.where(part[sel], "participation", "login")
                act_chunks.append(pa.table({"student_id": sid[s_idx[sel]], "timestamp": ts,
                                            "kind": kind}))
                if sum(t.num_rows for t in act_chunks) > 2_000_000:
                    act_writer = _flush(act_chunks, act_writer, act_path, fmt)
                    act_chunks = []
        if activity:
            act_writer = _flush(act_chunks, act_writer, act_path, fmt, final=True)
    finally:
        if att_writer is not None:
            att_writer.close()
        if act_writer is not None:
            act_writer.close()

    # Realised rates among eligible students (what the engagement pipeline will compute).
    realised = []
    for g, (col, val) in GROUP_COLUMNS.items():
        mem = np.ones(n, dtype=bool) if col is None else (st[col] == val).to_numpy()
        e = mem & eligible
        rate = 100.0 * chronic[e].mean() if e.any() else float("nan")
        row = targets.loc[targets["student_group"] == g].iloc[0]
        realised.append({"student_group": g, "target_pct": float(row["rate_pct"]),
                         "realised_pct": round(rate, 2), "eligible": int(e.sum())})
    tdf = pd.DataFrame(realised)
    (out / "synth.json").write_text(json.dumps({
        "tool": "equitable", "command": "synth district", "students": n, "days": days,
        "seed": seed, "start": start.isoformat(), "format": fmt, "absences_only": absences_only,
        "activity": activity, "calibration_source": TARGET_FILE,
        "calibration": realised,
    }, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return SynthResult(out, n, att_rows, tdf)


def synth_district(out: str | Path, *args: Any, **kwargs: Any) -> SynthResult:
    # written through equitable._atomic.output_folder: the files appear together, or not at all
    from equitable._atomic import output_folder

    with output_folder(out) as stage:
        result = _synth_district_files(stage, *args, **kwargs)
    result.folder = Path(out)
    return result


synth_district.__doc__ = _synth_district_files.__doc__


def _flush(chunks, writer, path, fmt, final=False):
    if not chunks:
        if final and writer is None:
            schema = pa.schema([("student_id", pa.string()), ("timestamp", pa.string()),
                                ("kind", pa.string())])
            with open(path, "w", newline="") as fh:
                if fmt == "csv":
                    csv.writer(fh).writerow(schema.names)
            if fmt == "parquet":
                pq.write_table(schema.empty_table(), path)
        return writer
    table = pa.concat_tables(chunks)
    if writer is None:
        writer = _writer(path, table.schema)
    writer.write_table(table)
    return writer
