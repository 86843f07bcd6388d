"""Recruitment and supports plans: where the next positions or incentive dollars go.

Two rules, both through the allocation engine (:mod:`equitable.allocate`), exact in whole units:

* :func:`plan_positions` ("tiers first"): N additional FTE of a support job class go first to
  the schools of the highest-need tier that are short of the professional ratio (ASCA 250:1 for
  counselors, ...), each up to the FTE it needs to reach the ratio; only when every school of
  that tier is at the ratio does the next tier get any. When a tier cannot be brought wholly to
  the ratio, what is left is shared among its schools in proportion to what each is short, in
  whole or half FTE by the largest-remainder method (Hamilton's method, as
  :func:`equitable.allocate.allocate` rounds), never more than a school is short.
* :func:`plan_incentives`: a dollar budget of hard-to-staff incentives in proportion to
  ``need weight x vacancies`` (need weight: k for the highest of k tiers ... 1 for the lowest),
  exact to the cent (:func:`equitable.allocate.allocate`, ``kind = "proportional"``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from equitable.errors import InputError, SpecError
from equitable.staffing._layout import RATIOS

__all__ = ["StaffingPlan", "plan_incentives", "plan_positions"]

NO_TIER = "(no tier)"


@dataclass
class StaffingPlan:
    """A plan and its effect.

    Attributes
    ----------
    schools : one row per school: ``cds_code``, ``school_name``, ``tier``, ``enrollment`` and,
        for a positions plan, ``fte_before``, ``fte_added``, ``fte_after``,
        ``students_per_before``, ``students_per_after`` (NaN when no FTE), ``meets_before``,
        ``meets_after`` (at or under the ratio, or no students); for an incentives plan,
        ``vacancies``, ``need_weight``, ``amount_cents`` and ``per_vacancy_dollars``.
    tiers : per tier (highest need first) and ``All``: schools, FTE and students per FTE before
        and after, schools meeting the ratio before and after (positions); or dollars and
        vacancies (incentives).
    kind : ``"positions"`` or ``"incentives"``; ``job_class``, ``target`` (students per FTE),
        ``total_fte`` / ``budget_cents`` the amount asked, ``placed_fte`` what was placed.
    notes : remarks (e.g. FTE left over once every school is at the ratio).
    """

    schools: pd.DataFrame
    tiers: pd.DataFrame
    kind: str
    job_class: str | None = None
    target: float | None = None
    total_fte: float | None = None
    placed_fte: float | None = None
    budget_cents: int | None = None
    notes: list[str] = field(default_factory=list)


def _tier_groups(tiers: pd.Series, order: list[str] | None) -> list[str]:
    present = sorted({str(t) for t in tiers.dropna()})
    if order is None:
        order = present  # labels sort highest need first: "1 Highest" ... "5 Lowest"
    else:
        unknown = [t for t in order if t not in present]
        if unknown:
            raise SpecError(f"tier order names '{unknown[0]}', which no school has (tiers: "
                            f"{', '.join(present)})")
        rest = [t for t in present if t not in order]
        if rest:
            raise SpecError(f"tier order leaves out '{rest[0]}': list every tier")
    return list(order) + ([NO_TIER] if tiers.isna().any() else [])


def plan_positions(schools: pd.DataFrame, job_class: str, fte: float, *, unit: float = 0.5,
                   target: float | None = None,
                   tier_order: list[str] | None = None) -> StaffingPlan:
    """Place ``fte`` additional FTE of ``job_class`` tier by tier, highest need first.

    Parameters
    ----------
    schools : :attr:`StaffingReport.schools` (``cds_code``, ``tier``, ``enrollment``,
        ``<job_class>_fte``: filled FTE now).
    job_class : ``counselor``, ``social_worker``, ``psychologist`` or ``nurse``.
    fte : FTE to place, > 0, a whole number of ``unit``.
    unit : 1 (whole positions) or 0.5 (half positions).
    target : students per FTE to reach; default the professional ratio (ASCA 250, SSWAA 250,
        NASP 500, NASN 750).
    tier_order : tier labels, highest need first; default: sorted labels (``1 Highest`` ...).
        Schools without a tier come last.

    Returns
    -------
    StaffingPlan. ``sum(fte_added) <= fte``; a school gets at most the whole units it needs to
    reach ``target`` (``ceil((enrollment / target - fte_before) / unit)``); no school of a tier
    gets any while a school of a higher-need tier is short of the target.

    Raises
    ------
    SpecError
        Unknown job class, ``fte`` not a positive whole number of ``unit``, bad tier order.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"cds_code": ["a", "b", "c"], "school_name": None,
    ...                   "tier": ["1 Highest", "1 Highest", "2 High"],
    ...                   "enrollment": [500.0, 300.0, 1000.0], "counselor_fte": [1.0, 0.0, 1.0]})
    >>> plan_positions(s, "counselor", 2.5).schools["fte_added"].tolist()
    [1.0, 1.5, 0.0]
    """
    if job_class not in RATIOS:
        raise SpecError(f"The 'job_class' parameter of plan_positions must be one of "
                        f"{', '.join(RATIOS)}. Got '{job_class}' instead.")
    if unit not in (0.5, 1, 1.0):
        raise SpecError(f"The 'unit' parameter of plan_positions must be 1 or 0.5. Got {unit} "
                        "instead.")
    q = fte / unit
    if not (fte > 0 and math.isfinite(fte) and abs(q - round(q)) < 1e-9):
        raise SpecError(f"The 'fte' parameter of plan_positions must be a positive whole "
                        f"number of {unit:g} FTE. Got {fte:g} instead.")
    if target is None:
        target = float(RATIOS[job_class][0])
    elif not target > 0:
        raise SpecError(f"The 'target' parameter of plan_positions must be > 0 students per "
                        f"FTE. Got {target:g} instead.")
    from equitable.allocate._solve import apportion

    df = schools.reset_index(drop=True)
    enr = df["enrollment"].to_numpy(dtype=float)
    have = df[f"{job_class}_fte"].to_numpy(dtype=float)
    short = np.maximum(enr / target - have, 0.0)
    need_units = np.ceil(short / unit - 1e-9).astype(np.int64)
    groups = _tier_groups(df["tier"], tier_order)
    tier_of = df["tier"].astype(object).where(df["tier"].notna(), NO_TIER).astype(str)
    remaining = int(round(q))
    units = np.zeros(len(df), dtype=np.int64)
    tiebreak = df["cds_code"].rank(method="first").to_numpy().astype(np.int64)
    notes: list[str] = []
    for g in groups:
        idx = np.flatnonzero((tier_of == g).to_numpy())
        need = need_units[idx]
        if remaining == 0 or need.sum() == 0:
            continue
        if need.sum() <= remaining:
            units[idx] = need
            remaining -= int(need.sum())
        else:
            got, _, _ = apportion(remaining, need.astype(float), np.zeros(len(idx)),
                                  need.astype(float), tiebreak[idx])
            units[idx] = got
            notes.append(f"tier {g}: {remaining * unit:g} FTE shared in proportion to what each "
                         f"school is short ({int(need.sum()) * unit:g} FTE needed)")
            remaining = 0
    if remaining:
        notes.append(f"every school is at {target:g}:1 after {fte - remaining * unit:g} FTE; "
                     f"{remaining * unit:g} FTE not placed")
    added = units * unit
    after = have + added
    out = pd.DataFrame({
        "cds_code": df["cds_code"], "school_name": df["school_name"], "tier": df["tier"],
        "enrollment": enr, "fte_before": have.round(4), "fte_added": added,
        "fte_after": after.round(4),
        "students_per_before": np.round(enr / np.where(have > 0, have, np.nan), 1),
        "students_per_after": np.round(enr / np.where(after > 0, after, np.nan), 1),
        "meets_before": (enr == 0) | (enr <= have * target + 1e-9),
        "meets_after": (enr == 0) | (enr <= after * target + 1e-9),
    })
    rows = []
    for g in [*groups, "All"]:
        s = out if g == "All" else out[(tier_of == g).to_numpy()]
        fb, fa, e = s["fte_before"].sum(), s["fte_after"].sum(), s["enrollment"].sum()
        rows.append({"tier": g, "schools": len(s), "enrollment": e,
                     "fte_before": round(fb, 4), "fte_added": float(s["fte_added"].sum()),
                     "fte_after": round(fa, 4),
                     "students_per_before": round(e / fb, 1) if fb > 0 else np.nan,
                     "students_per_after": round(e / fa, 1) if fa > 0 else np.nan,
                     "schools_meeting_before": int(s["meets_before"].sum()),
                     "schools_meeting_after": int(s["meets_after"].sum())})
    return StaffingPlan(schools=out, tiers=pd.DataFrame(rows), kind="positions",
                        job_class=job_class, target=target, total_fte=fte,
                        placed_fte=float(added.sum()), notes=notes)


def plan_incentives(schools: pd.DataFrame, budget: float | str, *,
                    vacancies: str = "teacher_vacancies",
                    tier_order: list[str] | None = None) -> StaffingPlan:
    """Share a budget of hard-to-staff incentives in proportion to need weight x vacancies.

    Parameters
    ----------
    schools : :attr:`StaffingReport.schools` (``cds_code``, ``tier``, the vacancies column).
    budget : dollars (a number or text such as ``"1,500,000"``), exact to the cent.
    vacancies : ``teacher_vacancies`` (default) or ``vacancies`` (all positions).
    tier_order : tier labels, highest need first (default: sorted labels). With k tiers the
        highest gets need weight k, the lowest 1; schools without a tier get 0.

    Returns
    -------
    StaffingPlan with ``amount_cents`` per school summing to the budget exactly.

    Raises
    ------
    SpecError
        No tiers; a bad budget; no school has a vacancy to put incentives on.
    """
    from equitable.allocate import allocate, parse_rule

    if vacancies not in ("teacher_vacancies", "vacancies"):
        raise SpecError("The 'vacancies' parameter of plan_incentives must be "
                        f"'teacher_vacancies' or 'vacancies'. Got '{vacancies}' instead.")
    df = schools.reset_index(drop=True)
    if df["tier"].isna().all():
        raise SpecError("incentives by need need a tier per school (a 'tier' column in the "
                        "schools table)")
    groups = [g for g in _tier_groups(df["tier"], tier_order) if g != NO_TIER]
    weight = {g: float(len(groups) - i) for i, g in enumerate(groups)}
    need_w = df["tier"].map(lambda t: weight.get(str(t), 0.0) if pd.notna(t) else 0.0)
    vac = df[vacancies].astype(float)
    if float((vac * need_w).sum()) == 0:
        raise InputError("no school with a tier has a vacancy: nothing to put incentives on")
    table = pd.DataFrame({"cds_code": df["cds_code"], "vacancies": vac,
                          "need_weight": need_w.astype(float)})
    rule = parse_rule({"kind": "proportional", "budget": budget, "id_column": "cds_code",
                       "enrollment_column": "vacancies", "need_column": "need_weight",
                       "base_weight": 0.0, "need_weight": 1.0,
                       "label": "hard-to-staff incentives"}, source="<incentives>")
    res = allocate(table, rule, source="<incentives>")
    cents = res.table["amount_cents"].to_numpy(dtype=np.int64)
    out = pd.DataFrame({"cds_code": df["cds_code"], "school_name": df["school_name"],
                        "tier": df["tier"], "enrollment": df["enrollment"],
                        "vacancies": vac.astype(int), "need_weight": need_w,
                        "amount_cents": cents,
                        "per_vacancy_dollars": np.round(cents / 100 / np.where(vac > 0, vac,
                                                                               np.nan), 2)})
    tier_of = df["tier"].astype(object).where(df["tier"].notna(), NO_TIER).astype(str)
    rows = []
    for g in [*_tier_groups(df["tier"], tier_order), "All"]:
        s = out if g == "All" else out[(tier_of == g).to_numpy()]
        v = int(s["vacancies"].sum())
        c = int(s["amount_cents"].sum())
        rows.append({"tier": g, "schools": len(s), "vacancies": v, "amount_cents": c,
                     "per_vacancy_dollars": round(c / 100 / v, 2) if v else np.nan})
    return StaffingPlan(schools=out, tiers=pd.DataFrame(rows), kind="incentives",
                        budget_cents=int(res.total_units), notes=list(res.notes))
