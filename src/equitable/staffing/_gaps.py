"""Educator equity gaps: ineffective, out-of-field and inexperienced teachers by school poverty
and minority quartile, school level and need tier.

Definitions (California State Board of Education, 6 November 2019, "Updated Teacher Equity
Definitions", https://www.cde.ca.gov/pd/ee/teacherequitydefinitions.asp), applied to a filled
teaching position of :func:`~equitable.staffing.read_positions`:

* **ineffective**: an emergency or limited permit that does not require a full credential
  (``credential`` = ``permit``: PIP, STSP, substitute permit or TSPL as teacher of record), a
  Variable Term Waiver (``waiver``), no credential (``none``), or a credentialed teacher with
  no authorization for the assignment (``in_field`` = ``misassigned``);
* **out-of-field**: a credentialed (or intern) teacher who has not yet demonstrated subject
  matter competence for the assignment and holds a limited assignment permit or local
  assignment option for it (``in_field`` = ``no``), and is not ineffective;
* **inexperienced**: two or fewer years of teaching experience (``years_experience <= 2``);
* interns (``credential`` = ``intern``) count as effective.

Rates are shares of teacher FTE (CDE's Teaching Assignment Monitoring Outcomes are reported by
FTE); counts of positions are given beside them. ESSA section 1111(g)(1)(B) asks whether
low-income and minority students are taught by such teachers at higher rates; CDE's Educator
Equity Data Tables compare the highest and lowest school poverty (% FRPM) and minority
quartiles of a district, separately for elementary, middle and high schools.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from equitable.errors import InputError

__all__ = ["MEASURES", "EquityGaps", "classify_teachers", "educator_equity_gaps",
           "school_quartiles"]

MEASURES = ("ineffective", "out_of_field", "inexperienced")
MEASURE_LABELS = {"ineffective": "Ineffective", "out_of_field": "Out-of-field",
                  "inexperienced": "Inexperienced"}
BASES = {"poverty": "pct_frpm", "minority": "pct_minority"}


def classify_teachers(positions: pd.DataFrame) -> pd.DataFrame:
    """The filled teaching positions with ``ineffective``, ``out_of_field`` and
    ``inexperienced`` (bool) by the SBE 2019 definitions (module docstring).

    Parameters
    ----------
    positions : the table of :func:`~equitable.staffing.read_positions`.

    Returns
    -------
    DataFrame: the filled ``teacher`` rows (``position_id``, ``cds_code``, ``fte``, ...) plus the
    three flags. Ineffective and out-of-field exclude each other; inexperienced is separate.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"position_id": ["a", "b", "c", "d"], "cds_code": ["1"] * 4,
    ...     "job_class": ["teacher"] * 4, "status": ["filled"] * 4, "fte": [1.0] * 4,
    ...     "credential": ["clear", "intern", "permit", "clear"],
    ...     "in_field": ["no", "yes", "yes", "misassigned"],
    ...     "years_experience": [10.0, 1.0, 3.0, 2.5]})
    >>> classify_teachers(p)[["ineffective", "out_of_field", "inexperienced"]].values.tolist()
    [[False, True, False], [False, False, True], [True, False, False], [True, False, False]]
    """
    t = positions[(positions["job_class"] == "teacher")
                  & (positions["status"] == "filled")].copy()
    cred = t["credential"].astype(object)
    inf = t["in_field"].astype(object)
    t["ineffective"] = (cred.isin(["permit", "waiver", "none"]) | (inf == "misassigned")).astype(bool)
    t["out_of_field"] = (~t["ineffective"] & (inf == "no")).astype(bool)
    t["inexperienced"] = (t["years_experience"] <= 2).astype(bool)
    return t


def school_quartiles(values: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """Quartile (1 = lowest, 4 = highest) of each school's value within its group.

    A school of rank ``r`` (1-based, ties share the lowest rank, ``rank(method="min")``) among
    ``n`` schools with a value is in quartile ``floor(4 (r - 1) / n) + 1``; so 8 schools with
    distinct values fall 2, 2, 2, 2 into quartiles 1-4, and tied schools share a quartile.
    Schools without a value get <NA>.

    Examples
    --------
    >>> import pandas as pd
    >>> school_quartiles(pd.Series([90., 10., 50., 30., 70., 20., 80., 60.])).tolist()
    [4, 1, 2, 2, 3, 1, 4, 3]
    """
    v = pd.to_numeric(values, errors="coerce")
    g = groups if groups is not None else pd.Series("all", index=v.index)
    out = pd.Series(pd.NA, index=v.index, dtype="Int64")
    for idx in v.groupby(g, dropna=False).groups.values():
        sub = v.loc[idx].dropna()
        if sub.empty:
            continue
        r = sub.rank(method="min")
        out.loc[sub.index] = (np.floor(4 * (r - 1) / len(sub)) + 1).astype(int).to_numpy()
    return out


@dataclass
class EquityGaps:
    """The result of :func:`educator_equity_gaps`.

    Attributes
    ----------
    groups : long table, one row per (``basis``, ``level``, ``group``): ``schools``,
        ``teachers`` (filled teaching positions), ``teacher_fte`` and for each measure
        ``<m>_n`` (positions), ``<m>_fte`` and ``<m>_pct`` (100 x FTE share). ``basis`` is
        ``poverty`` or ``minority`` (``group`` = quartile ``Q1`` ... ``Q4``, Q4 highest),
        ``tier`` (``group`` = tier label) or ``all`` (``group`` = ``All``); ``level`` is
        ``elementary``, ``middle``, ``high``, ``other`` or ``all``.
    gaps : one row per (``basis``, ``level``, ``measure``): ``highest_group``,
        ``highest_pct``, ``highest_n``, ``highest_teachers``, ``lowest_group``, ``lowest_pct``,
        ``lowest_n``, ``lowest_teachers``, ``gap_pp`` (highest minus lowest, percentage
        points, from the unrounded shares). For tiers, "highest" is the highest-need tier.
    teachers : the classified teaching positions (internal; not for publication).
    notes : what was left out and why.
    """

    groups: pd.DataFrame
    gaps: pd.DataFrame
    teachers: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _tier_order(tiers: pd.Series) -> list[str]:
    """Tier labels, highest need first: labels sort that way (``1 Highest`` ... ``5 Lowest``)."""
    return sorted({str(t) for t in tiers.dropna()})


def _summarise(t: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    agg = {"schools": ("cds_code", "nunique"), "teachers": ("fte", "size"),
           "teacher_fte": ("fte", "sum")}
    tt = t.copy()
    for m in MEASURES:
        tt[f"{m}_fte_w"] = tt["fte"] * tt[m]
        agg[f"{m}_n"] = (m, "sum")
        agg[f"{m}_fte"] = (f"{m}_fte_w", "sum")
    out = tt.groupby(keys, sort=True, dropna=False).agg(**agg).reset_index()
    for m in MEASURES:
        out[f"{m}_n"] = out[f"{m}_n"].astype(int)
        out[f"{m}_fte"] = out[f"{m}_fte"].round(4)
        out[f"{m}_pct"] = (100 * out[f"{m}_fte"] / out["teacher_fte"]).round(2)
    out["teacher_fte"] = out["teacher_fte"].round(4)
    return out


def educator_equity_gaps(positions: pd.DataFrame, schools: pd.DataFrame) -> EquityGaps:
    """Rates of ineffective, out-of-field and inexperienced teachers and their gaps.

    Parameters
    ----------
    positions : from :func:`~equitable.staffing.read_positions`.
    schools : from :func:`~equitable.staffing.read_staff_schools` (``cds_code``, ``level``,
        ``pct_frpm``, ``pct_minority``, ``tier``; missing columns leave their tables out).

    Returns
    -------
    EquityGaps. Quartiles are of schools (:func:`school_quartiles`) within each school level,
    among the schools with filled teaching positions and a value; the gap is the highest
    quartile's rate minus the lowest's, in percentage points (CDE Educator Equity Data Tables).

    Raises
    ------
    InputError
        A position's school is not in the schools table; no filled teaching position.
    """
    missing = sorted(set(positions["cds_code"]) - set(schools["cds_code"]))
    if missing:
        raise InputError(f"{len(missing)} school{'s' if len(missing) != 1 else ''} of the "
                         f"positions file {'are' if len(missing) != 1 else 'is'} not in the "
                         f"schools table (first: CDS code {missing[0]})")
    t = classify_teachers(positions)
    if t.empty:
        raise InputError("the positions file has no filled teaching position: no educator "
                         "equity rates to compute")
    notes: list[str] = []
    sch = schools.set_index("cds_code")
    t = t.join(sch[["level", "pct_frpm", "pct_minority", "tier"]], on="cds_code")
    t["level"] = t["level"].fillna("other")
    with_teachers = sch.loc[sorted(set(t["cds_code"]))].reset_index()
    with_teachers["level"] = with_teachers["level"].fillna("other")
    parts = []
    total = _summarise(t.assign(basis="all", level_="all", group="All"),
                       ["basis", "level_", "group"])
    parts.append(total)
    lv = _summarise(t.assign(basis="all", group="All").rename(columns={"level": "level_"}),
                    ["basis", "level_", "group"])
    parts.append(lv)
    gap_rows = []
    for basis, col in BASES.items():
        if with_teachers[col].isna().all():
            notes.append(f"no {col} in the schools table: the {basis} quartile tables are left "
                         "out")
            continue
        n_na = int(with_teachers[col].isna().sum())
        if n_na:
            notes.append(f"{n_na} school(s) with teachers have no {col}: left out of the "
                         f"{basis} quartiles")
        q = school_quartiles(with_teachers[col], with_teachers["level"])
        qmap = dict(zip(with_teachers["cds_code"], q, strict=True))
        tq = t.assign(q=t["cds_code"].map(qmap))
        tq = tq[tq["q"].notna()].copy()
        tq["group"] = "Q" + tq["q"].astype(int).astype(str)
        g = _summarise(tq.assign(basis=basis).rename(columns={"level": "level_"}),
                       ["basis", "level_", "group"])
        parts.append(g)
        gap_rows += _gaps(g, "Q4", "Q1")
    if with_teachers["tier"].notna().any():
        order = _tier_order(with_teachers["tier"])
        tt = t[t["tier"].notna()].assign(basis="tier", group=lambda d: d["tier"].astype(str))
        g = pd.concat([
            _summarise(tt.assign(level_="all"), ["basis", "level_", "group"]),
            _summarise(tt.rename(columns={"level": "level_"}), ["basis", "level_", "group"]),
        ])
        parts.append(g)
        if len(order) >= 2:
            gap_rows += _gaps(g, order[0], order[-1])
        n_na = int(with_teachers["tier"].isna().sum())
        if n_na:
            notes.append(f"{n_na} school(s) with teachers have no tier: left out of the tier "
                         "table")
    else:
        notes.append("no tier in the schools table: the need-tier table is left out")
    groups = pd.concat(parts, ignore_index=True).rename(columns={"level_": "level"})
    level_order = {"all": 0, "elementary": 1, "middle": 2, "high": 3, "other": 4}
    basis_order = {"all": 0, "poverty": 1, "minority": 2, "tier": 3}
    groups = groups.sort_values(
        ["basis", "level", "group"],
        key=lambda s: s.map(basis_order) if s.name == "basis"
        else s.map(level_order) if s.name == "level" else s,
    ).reset_index(drop=True)
    gaps = pd.DataFrame(gap_rows, columns=[
        "basis", "level", "measure", "highest_group", "highest_pct", "highest_n",
        "highest_teachers", "lowest_group", "lowest_pct", "lowest_n", "lowest_teachers",
        "gap_pp"])
    return EquityGaps(groups=groups, gaps=gaps, teachers=t, notes=notes)


def _gaps(g: pd.DataFrame, hi: str, lo: str) -> list[dict]:
    rows = []
    for (basis, level), sub in g.groupby(["basis", "level_"], sort=True):
        s = sub.set_index("group")
        if hi not in s.index or lo not in s.index:
            continue
        for m in MEASURES:
            h, lw = s.loc[hi], s.loc[lo]
            rows.append({
                "basis": basis, "level": level, "measure": m,
                "highest_group": hi, "highest_pct": float(h[f"{m}_pct"]),
                "highest_n": int(h[f"{m}_n"]), "highest_teachers": int(h["teachers"]),
                "lowest_group": lo, "lowest_pct": float(lw[f"{m}_pct"]),
                "lowest_n": int(lw[f"{m}_n"]), "lowest_teachers": int(lw["teachers"]),
                # from the unrounded shares (the rates shown are rounded to 0.01)
                "gap_pp": round(100 * (h[f"{m}_fte"] / h["teacher_fte"]
                                       - lw[f"{m}_fte"] / lw["teacher_fte"]), 2),
            })
    return rows
