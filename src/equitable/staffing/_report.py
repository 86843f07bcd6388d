"""Vacancies and student-support ratios per school and per need tier.

* A **vacancy** is a position with ``status = vacant`` on the as-of date; its days open are
  ``as_of - date_opened``; it is **long open** when open more than 60 days.
* **Vacancy rate** = vacant FTE / all position FTE (x 100), overall and for teachers.
* **Fill rate over the year** = positions opened between the year start (1 July, the start of
  California's school fiscal year, EC 41010) and the as-of date that were filled by the as-of
  date, as a share of the positions opened in that window.
* **Students per counselor** (social worker, psychologist, nurse) = enrollment / filled FTE of
  that job class; compared with the professional ratios of
  :data:`equitable.staffing._layout.RATIOS` (ASCA 250:1, SSWAA 250:1, NASP 500:1, NASN 750:1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from equitable.errors import InputError
from equitable.staffing._layout import LONG_OPEN_DAYS, RATIOS

__all__ = ["StaffingReport", "school_year_start", "staffing_report"]

SUPPORT_CLASSES = tuple(RATIOS)


def school_year_start(as_of: dt.date) -> dt.date:
    """1 July on or before ``as_of`` (California's school fiscal year, EC 41010).

    >>> school_year_start(dt.date(2024, 10, 2))
    datetime.date(2024, 7, 1)
    >>> school_year_start(dt.date(2025, 3, 1))
    datetime.date(2024, 7, 1)
    """
    y = as_of.year if as_of.month >= 7 else as_of.year - 1
    return dt.date(y, 7, 1)


@dataclass
class StaffingReport:
    """The result of :func:`staffing_report`.

    Attributes
    ----------
    schools : one row per school of the schools table (file order): ``cds_code``,
        ``school_name``, ``level``, ``tier``, ``enrollment``, ``positions``, ``position_fte``,
        ``vacancies``, ``vacant_fte``, ``vacancy_rate_pct``, ``teacher_positions``,
        ``teacher_vacancies``, ``teacher_vacancy_rate_pct``, ``median_days_open``,
        ``long_open_pct`` (share of vacancies open > 60 days), ``opened_in_year``,
        ``filled_in_year``, ``fill_rate_pct``, and for each support class ``c``:
        ``<c>_fte`` (filled), ``students_per_<c>`` (NaN when no FTE), ``<c>_target`` (the
        professional ratio) and ``<c>_fte_to_target`` (FTE short of the ratio, >= 0).
    tiers : the same measures per need tier (highest need first) and ``All``; ratios are
        total enrollment / total FTE; ``schools_meeting_<c>`` counts schools at or under the
        ratio.
    as_of, year_start : the dates used.
    notes : remarks (e.g. positions opened after the as-of date).
    """

    schools: pd.DataFrame
    tiers: pd.DataFrame
    as_of: dt.date
    year_start: dt.date
    notes: list[str] = field(default_factory=list)


def _measures(pos: pd.DataFrame, key: pd.Series, as_of: pd.Timestamp,
              start: pd.Timestamp) -> pd.DataFrame:
    """Vacancy and fill measures of positions grouped by ``key`` (aligned with ``pos``)."""
    vac = pos["status"] == "vacant"
    teacher = pos["job_class"] == "teacher"
    days = (as_of - pos["date_opened"]).dt.days.where(vac)
    opened_in = pos["date_opened"].between(start, as_of)
    filled_in = opened_in & (pos["status"] == "filled") & pos["date_filled"].notna() & (
        pos["date_filled"] <= as_of)
    d = pd.DataFrame({
        "k": key.to_numpy(), "fte": pos["fte"].to_numpy(), "vac": vac.to_numpy(),
        "vac_fte": (pos["fte"] * vac).to_numpy(), "teacher": teacher.to_numpy(),
        "t_fte": (pos["fte"] * teacher).to_numpy(),
        "t_vac": (vac & teacher).to_numpy(), "t_vac_fte": (pos["fte"] * vac * teacher).to_numpy(),
        "days": days.to_numpy(), "long": (days > LONG_OPEN_DAYS).to_numpy(),
        "opened_in": opened_in.to_numpy(), "filled_in": filled_in.to_numpy(),
    })
    g = d.groupby("k", sort=False)
    out = pd.DataFrame({
        "positions": g.size(),
        "position_fte": g["fte"].sum().round(4),
        "vacancies": g["vac"].sum().astype(int),
        "vacant_fte": g["vac_fte"].sum().round(4),
        "teacher_positions": g["teacher"].sum().astype(int),
        "teacher_fte_all": g["t_fte"].sum(),
        "teacher_vacancies": g["t_vac"].sum().astype(int),
        "teacher_vacant_fte": g["t_vac_fte"].sum(),
        "median_days_open": g["days"].median(),
        "long_open": g["long"].sum().astype(int),
        "opened_in_year": g["opened_in"].sum().astype(int),
        "filled_in_year": g["filled_in"].sum().astype(int),
    })
    out["vacancy_rate_pct"] = (100 * out["vacant_fte"] / out["position_fte"]).round(2)
    out["teacher_vacancy_rate_pct"] = (
        100 * out["teacher_vacant_fte"] / out["teacher_fte_all"].where(out["teacher_fte_all"] > 0)
    ).round(2)
    out["long_open_pct"] = (100 * out["long_open"] / out["vacancies"].where(
        out["vacancies"] > 0)).round(2)
    out["fill_rate_pct"] = (100 * out["filled_in_year"] / out["opened_in_year"].where(
        out["opened_in_year"] > 0)).round(2)
    return out.drop(columns=["teacher_fte_all", "teacher_vacant_fte", "long_open"])


def _support_fte(pos: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    filled = pos["status"] == "filled"
    cols = {}
    for c in SUPPORT_CLASSES:
        cols[f"{c}_fte"] = pos["fte"].where(filled & (pos["job_class"] == c), 0.0)
    d = pd.DataFrame(cols)
    d["k"] = key.to_numpy()
    return d.groupby("k", sort=False).sum()


def _ratios(df: pd.DataFrame) -> pd.DataFrame:
    for c in SUPPORT_CLASSES:
        target = RATIOS[c][0]
        fte = df[f"{c}_fte"].round(4)
        df[f"{c}_fte"] = fte
        df[f"students_per_{c}"] = (df["enrollment"] / fte.where(fte > 0)).round(1)
        df[f"{c}_target"] = target
        df[f"{c}_fte_to_target"] = np.maximum(df["enrollment"] / target - fte, 0).round(4)
    return df


def staffing_report(positions: pd.DataFrame, schools: pd.DataFrame, *,
                    as_of: dt.date | None = None,
                    year_start: dt.date | None = None) -> StaffingReport:
    """Vacancies, fill rates and student-support ratios per school and per need tier.

    Parameters
    ----------
    positions : from :func:`~equitable.staffing.read_positions`.
    schools : from :func:`~equitable.staffing.read_staff_schools`.
    as_of : the date vacancies are counted on; default: the latest date in the positions file.
    year_start : start of the fill-rate window; default :func:`school_year_start` of ``as_of``.

    Returns
    -------
    StaffingReport (see its attributes for columns and units).

    Raises
    ------
    InputError
        A position's school is not in the schools table; no date to count from.
    """
    missing = sorted(set(positions["cds_code"]) - set(schools["cds_code"]))
    if missing:
        raise InputError(f"{len(missing)} school{'s' if len(missing) != 1 else ''} of the "
                         f"positions file {'are' if len(missing) != 1 else 'is'} not in the "
                         f"schools table (first: CDS code {missing[0]})")
    notes: list[str] = []
    if as_of is None:
        latest = pd.concat([positions["date_opened"], positions["date_filled"]]).max()
        if pd.isna(latest):
            raise InputError("the positions file has no dates: give the as-of date (--as-of)")
        as_of = latest.date()
        notes.append(f"vacancies counted as of {as_of} (the latest date in the positions file)")
    if year_start is None:
        year_start = school_year_start(as_of)
    ts_as_of, ts_start = pd.Timestamp(as_of), pd.Timestamp(year_start)
    late = int((positions["date_opened"] > ts_as_of).sum())
    if late:
        notes.append(f"{late} position(s) opened after {as_of}: counted as they stand in the "
                     "file")
    sch = schools.reset_index(drop=True)
    per = _measures(positions, positions["cds_code"], ts_as_of, ts_start)
    sup = _support_fte(positions, positions["cds_code"])
    out = sch[["cds_code", "school_name", "level", "tier", "enrollment"]].join(
        per, on="cds_code").join(sup, on="cds_code")
    zero_cols = ["positions", "vacancies", "teacher_positions", "teacher_vacancies",
                 "opened_in_year", "filled_in_year"]
    for c in zero_cols:
        out[c] = out[c].fillna(0).astype(int)
    for c in ["position_fte", "vacant_fte"] + [f"{c}_fte" for c in SUPPORT_CLASSES]:
        out[c] = out[c].fillna(0.0)
    out = _ratios(out)

    # per tier (and All): sums over schools, medians over the tier's vacancies
    tier_of = sch.set_index("cds_code")["tier"]
    pos_tier = positions["cds_code"].map(tier_of)
    labels = sorted({str(t) for t in sch["tier"].dropna()})
    rows = []
    for label in [*labels, "All"]:
        in_tier = (sch["tier"].astype(object) == label) if label != "All" else pd.Series(
            True, index=sch.index)
        p_mask = (pos_tier == label) if label != "All" else pd.Series(True,
                                                                      index=positions.index)
        p = positions[p_mask.to_numpy()]
        key = pd.Series(label, index=p.index)
        m = _measures(p, key, ts_as_of, ts_start) if len(p) else None
        s = out[in_tier.to_numpy()]
        row = {"tier": label, "schools": len(s), "enrollment": float(s["enrollment"].sum())}
        if m is not None:
            row.update(m.iloc[0].to_dict())
        for c in SUPPORT_CLASSES:
            row[f"{c}_fte"] = float(s[f"{c}_fte"].sum())
            row[f"schools_meeting_{c}"] = int(
                ((s["enrollment"] == 0) | (s[f"students_per_{c}"] <= RATIOS[c][0])).sum())
            row[f"_{c}_short"] = float(s[f"{c}_fte_to_target"].sum())
        rows.append(row)
    tiers = _ratios(pd.DataFrame(rows))
    for c in SUPPORT_CLASSES:
        # FTE short of the ratio: the sum over the tier's schools (a school over the ratio
        # does not make up for one under it)
        tiers[f"{c}_fte_to_target"] = tiers.pop(f"_{c}_short").round(4)
    for c in ["positions", "vacancies", "teacher_positions", "teacher_vacancies",
              "opened_in_year", "filled_in_year"]:
        tiers[c] = tiers[c].fillna(0).astype(int)
    if sch["tier"].isna().any() and labels:
        notes.append(f"{int(sch['tier'].isna().sum())} school(s) have no tier: counted in All "
                     "only")
    return StaffingReport(schools=out.reset_index(drop=True), tiers=tiers, as_of=as_of,
                          year_start=year_start, notes=notes)
