"""Equity metrics for an allocation (see docs/allocate.md, "Equity metrics").

All per-pupil figures are enrollment-weighted: a group's dollars per pupil is the group's dollars
over the group's students, so every student counts once.

Sources
-------
* Shares of dollars vs shares of students by need group, and the ratio of per-pupil dollars in
  the highest- vs the lowest-poverty quartile: The Education Trust, *Funding Gaps 2018*
  (Morgan & Amerikaner), "How we calculated the gaps" (quartiles of poverty, per-student
  revenue compared between the highest- and lowest-poverty quartiles).
* Slope of per-pupil dollars on the share of low-income students: Baker, Farrie & Sciarra,
  *Is School Funding Fair? A National Report Card* (7th ed., 2018), "Funding distribution"
  (a regression of per-pupil funding on the poverty rate; a positive slope is progressive).
* Concentration curve and index: O'Donnell, van Doorslaer, Wagstaff & Lindelow, *Analyzing
  Health Equity Using Household Survey Data* (World Bank, 2008), ch. 7 (concentration curves)
  and ch. 8 (the concentration index, eq. 8.1 ``C = 2 cov(h, r) / mu`` with fractional rank
  ``r``; grouped data with weights as in section 8.3).

Sign convention of the concentration index here: students are ranked from the HIGHEST need
(e.g. highest % low income) to the lowest, as O'Donnell et al. rank from the poorest to the
richest. ``C < 0`` means the dollars are concentrated among the highest-need students (a
progressive, "pro-poor" allocation); ``C > 0`` means they favour the lowest-need students;
``C = 0`` means dollars per pupil do not vary with need. ``C`` lies in (-1, 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from equitable.errors import InputError

__all__ = [
    "EquityMetrics",
    "concentration_curve",
    "concentration_index",
    "equity_metrics",
    "need_quartiles",
    "spending_gap",
]

QUARTILE_LABELS = ("Q1 lowest need", "Q2", "Q3", "Q4 highest need")


def _fractional_rank(need: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted fractional rank, highest need first; tied schools share their mean rank."""
    order = np.argsort(-need, kind="stable")
    W = w.sum()
    n_sorted, w_sorted = need[order], w[order]
    cum = np.cumsum(w_sorted)
    start = cum - w_sorted
    # tie groups: average the midpoints over the whole group
    rank_sorted = np.empty_like(cum, dtype=float)
    i = 0
    n = len(order)
    while i < n:
        j = i
        while j + 1 < n and n_sorted[j + 1] == n_sorted[i]:
            j += 1
        lo, hi = start[i], cum[j]
        rank_sorted[i : j + 1] = (lo + hi) / 2.0 / W
        i = j + 1
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    return rank


def concentration_index(per_pupil: Any, students: Any, need: Any) -> float:
    """Concentration index of per-pupil dollars over students ranked by need (highest first).

    ``C = 2 cov_w(y, r) / mu_w`` (O'Donnell et al. 2008, eq. 8.1 with weights), where ``y`` is
    per-pupil dollars, ``r`` the students' weighted fractional rank (highest need = 0) and the
    weights are enrollments. Negative = concentrated on the highest-need students.

    Raises
    ------
    InputError
        Fewer than one student, or no dollars (the index is undefined when the mean is 0).
    """
    y = np.asarray(per_pupil, dtype=float)
    w = np.asarray(students, dtype=float)
    h = np.asarray(need, dtype=float)
    keep = (w > 0) & np.isfinite(y) & np.isfinite(h)
    y, w, h = y[keep], w[keep], h[keep]
    if w.sum() <= 0:
        raise InputError("the concentration index needs at least one school with students")
    mu = float(np.average(y, weights=w))
    if mu == 0:
        raise InputError("the concentration index is undefined when no dollars are allocated")
    r = _fractional_rank(h, w)
    cov = float(np.average((y - mu) * (r - np.average(r, weights=w)), weights=w))
    return 2.0 * cov / mu


def concentration_curve(amount: Any, students: Any, need: Any) -> pd.DataFrame:
    """Points of the concentration curve: cumulative share of students (highest need first)
    against cumulative share of dollars, starting at (0, 0). Ties in need keep id order.

    Returns a DataFrame with columns ``cum_students_share`` and ``cum_dollars_share``.
    """
    a = np.asarray(amount, dtype=float)
    w = np.asarray(students, dtype=float)
    h = np.asarray(need, dtype=float)
    keep = np.isfinite(h) & (w >= 0)
    a, w, h = a[keep], w[keep], h[keep]
    order = np.argsort(-h, kind="stable")
    cw = np.concatenate([[0.0], np.cumsum(w[order])])
    ca = np.concatenate([[0.0], np.cumsum(a[order])])
    return pd.DataFrame({
        "cum_students_share": cw / cw[-1] if cw[-1] else cw,
        "cum_dollars_share": ca / ca[-1] if ca[-1] else ca,
    })


def need_quartiles(need: Any, students: Any) -> np.ndarray:
    """Student-weighted need quartile of each school: 0 = lowest need ... 3 = highest need.

    Schools are sorted by need (ties keep their order); a school falls in the quartile that
    holds the midpoint of its students, so each quartile holds about a quarter of the students.
    Missing need gives -1.
    """
    h = np.asarray(need, dtype=float)
    w = np.asarray(students, dtype=float)
    q = np.full(len(h), -1, dtype=int)
    ok = np.isfinite(h)
    if not ok.any():
        return q
    idx = np.flatnonzero(ok)
    order = idx[np.argsort(h[idx], kind="stable")]
    cw = np.cumsum(w[order])
    total = cw[-1]
    mid = (cw - w[order] / 2.0) / (total if total else 1.0)
    q[order] = np.minimum((mid * 4).astype(int), 3)
    return q


def _group_table(labels: pd.Series, dollars: np.ndarray, students: np.ndarray,
                 order: list[str] | None = None) -> pd.DataFrame:
    df = pd.DataFrame({"group": labels.to_numpy(), "dollars": dollars, "students": students,
                       "schools": 1})
    g = df.groupby("group", sort=True).sum(numeric_only=True)
    if order is not None:
        g = g.reindex([o for o in order if o in g.index])
    tot_d, tot_s = g["dollars"].sum(), g["students"].sum()
    g["share_dollars"] = g["dollars"] / tot_d if tot_d else np.nan
    g["share_students"] = g["students"] / tot_s if tot_s else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        g["dollars_per_pupil"] = np.where(g["students"] > 0, g["dollars"] / g["students"],
                                          np.nan)
        g["dollars_to_students_ratio"] = g["share_dollars"] / g["share_students"]
    g = g.reset_index()
    g["schools"] = g["schools"].astype(int)
    return g[["group", "schools", "students", "dollars", "share_students", "share_dollars",
              "dollars_to_students_ratio", "dollars_per_pupil"]]


@dataclass
class EquityMetrics:
    """Equity metrics of one allocation.

    Attributes
    ----------
    by_tier : DataFrame or None. One row per tier: ``group``, ``schools``, ``students``,
        ``dollars``, ``share_students``, ``share_dollars``, ``dollars_to_students_ratio``
        (share of dollars / share of students; > 1 means the tier gets more than its head-count
        share) and ``dollars_per_pupil``.
    by_quartile : same by need quartile (Q1 lowest ... Q4 highest need), or None without need.
    progressivity_ratio : dollars per pupil, Q4 (highest need) / Q1 (lowest need).
    slope_per_point : enrollment-weighted least-squares slope of per-pupil dollars on the need
        column, dollars per pupil per point (per percentage point for a ``_pct`` column).
    concentration_index : see the module docstring for the sign convention.
    curve : concentration curve points (DataFrame).
    spending : the effect on actual per-pupil spending (:func:`spending_gap`), or None.
    """

    total_dollars: float
    students: float
    by_tier: pd.DataFrame | None = None
    by_quartile: pd.DataFrame | None = None
    progressivity_ratio: float | None = None
    slope_per_point: float | None = None
    concentration_index: float | None = None
    curve: pd.DataFrame | None = None
    spending: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Headline figures as a flat dict (JSON-friendly)."""
        out: dict[str, Any] = {
            "total_dollars": round(self.total_dollars, 2),
            "students": self.students,
            "dollars_per_pupil": round(self.total_dollars / self.students, 2)
            if self.students else None,
            "progressivity_ratio": _r(self.progressivity_ratio),
            "slope_per_point": _r(self.slope_per_point),
            "concentration_index": _r(self.concentration_index),
        }
        if self.by_quartile is not None and len(self.by_quartile):
            top = self.by_quartile[self.by_quartile["group"] == QUARTILE_LABELS[3]]
            if len(top):
                out["highest_need_quartile_share_dollars"] = _r(top["share_dollars"].iloc[0])
                out["highest_need_quartile_share_students"] = _r(top["share_students"].iloc[0])
        if self.spending:
            out.update({f"spending_{k}": v for k, v in self.spending.items()
                        if not isinstance(v, (list, dict))})
        return out


def _r(x: float | None, nd: int = 6) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def weighted_slope(y: np.ndarray, x: np.ndarray, w: np.ndarray) -> float:
    """Weighted least-squares slope of ``y`` on ``x`` (weights ``w``)."""
    ok = np.isfinite(y) & np.isfinite(x) & (w > 0)
    y, x, w = y[ok], x[ok], w[ok]
    if ok.sum() < 2:
        return float("nan")
    xm, ym = np.average(x, weights=w), np.average(y, weights=w)
    var = np.average((x - xm) ** 2, weights=w)
    if var == 0:
        return float("nan")
    return float(np.average((x - xm) * (y - ym), weights=w) / var)


def spending_gap(per_pupil_new: Any, per_pupil_spending: Any, students: Any,
                 need: Any) -> dict[str, Any]:
    """Does the new money narrow or widen the gap in actual per-pupil spending?

    ``gap = spending per pupil (Q4, highest need) - spending per pupil (Q1, lowest need)``,
    enrollment-weighted, before and after adding the new dollars per pupil. A positive gap
    means the highest-need schools already spend more. ``direction`` is ``"more progressive"``
    when the highest-need quartile's position improves (gap after > gap before), else
    ``"less progressive"``; ``narrows``/``widens`` refer to the absolute size of the gap.
    """
    new = np.asarray(per_pupil_new, dtype=float)
    sp = np.asarray(per_pupil_spending, dtype=float)
    w = np.asarray(students, dtype=float)
    h = np.asarray(need, dtype=float)
    ok = np.isfinite(sp) & np.isfinite(h) & (w > 0)
    new = np.where(np.isfinite(new), new, 0.0)[ok]
    sp, w, h = sp[ok], w[ok], h[ok]
    q = need_quartiles(h, w)

    def q_mean(v: np.ndarray, k: int) -> float:
        m = q == k
        return float(np.average(v[m], weights=w[m])) if m.any() else float("nan")

    before = (q_mean(sp, 0), q_mean(sp, 3))
    after = (q_mean(sp + new, 0), q_mean(sp + new, 3))
    gap_b, gap_a = before[1] - before[0], after[1] - after[0]
    ci_b = concentration_index(sp, w, h)
    ci_a = concentration_index(sp + new, w, h)
    return {
        "schools": int(ok.sum()),
        "q1_before": round(before[0], 2), "q4_before": round(before[1], 2),
        "q1_after": round(after[0], 2), "q4_after": round(after[1], 2),
        "gap_before": round(gap_b, 2), "gap_after": round(gap_a, 2),
        "ratio_before": round(before[1] / before[0], 6) if before[0] else None,
        "ratio_after": round(after[1] / after[0], 6) if after[0] else None,
        "concentration_index_before": round(ci_b, 6),
        "concentration_index_after": round(ci_a, 6),
        "direction": "more progressive" if gap_a > gap_b else (
            "less progressive" if gap_a < gap_b else "unchanged"),
        "size": "narrows" if abs(gap_a) < abs(gap_b) else (
            "widens" if abs(gap_a) > abs(gap_b) else "unchanged"),
    }


def equity_metrics(
    table: pd.DataFrame,
    *,
    amount_column: str = "amount_cents",
    enrollment_column: str = "enrollment",
    tier_column: str | None = "tier",
    need_column: str | None = None,
    spending_column: str | None = None,
    cents: bool = True,
    tier_order: list[str] | None = None,
) -> EquityMetrics:
    """Compute equity metrics for one allocation.

    Parameters
    ----------
    table : one row per school (e.g. ``AllocationResult.table`` joined with school data).
    amount_column : the school's allocation (cents when ``cents``, else dollars).
    enrollment_column : students per school (the weights).
    tier_column : tier labels (``None`` or a missing column: no tier table).
    need_column : a need measure where higher = more need, e.g. % low income (``pct_frpm``);
        gives quartiles, the progressivity ratio, the slope and the concentration index.
    spending_column : actual per-pupil spending (e.g. LAUSD's ``total_ppe``), for
        :func:`spending_gap`.
    tier_order : order of the tier rows (default: sorted labels).

    Raises
    ------
    InputError
        A named column is missing or not numeric.
    """
    for col in (amount_column, enrollment_column, need_column, spending_column):
        if col is not None and col not in table.columns:
            raise InputError(f"equity metrics: column '{col}' not found")
    amt = pd.to_numeric(table[amount_column], errors="coerce").to_numpy(dtype=float)
    dollars = amt / 100.0 if cents else amt
    dollars = np.nan_to_num(dollars, nan=0.0)
    students = pd.to_numeric(table[enrollment_column], errors="coerce").fillna(0).to_numpy(
        dtype=float)
    m = EquityMetrics(total_dollars=float(dollars.sum()), students=float(students.sum()))
    with np.errstate(divide="ignore", invalid="ignore"):
        per_pupil = np.where(students > 0, dollars / students, np.nan)
    if tier_column and tier_column in table.columns:
        labels = table[tier_column].astype(str).where(table[tier_column].notna(), "(none)")
        m.by_tier = _group_table(labels, dollars, students, tier_order)
    if need_column:
        need = pd.to_numeric(table[need_column], errors="coerce").to_numpy(dtype=float)
        miss = int(np.isnan(need).sum())
        if miss:
            m.notes.append(f"{miss} schools lack '{need_column}' and are left out of the "
                           "need-based metrics")
        q = need_quartiles(need, students)
        ok = q >= 0
        labels = pd.Series([QUARTILE_LABELS[k] for k in q[ok]])
        m.by_quartile = _group_table(labels, dollars[ok], students[ok], list(QUARTILE_LABELS))
        bq = m.by_quartile.set_index("group")["dollars_per_pupil"]
        if QUARTILE_LABELS[0] in bq and QUARTILE_LABELS[3] in bq and bq[QUARTILE_LABELS[0]] > 0:
            m.progressivity_ratio = float(bq[QUARTILE_LABELS[3]] / bq[QUARTILE_LABELS[0]])
        m.slope_per_point = weighted_slope(per_pupil, need, students)
        if m.total_dollars > 0:
            m.concentration_index = concentration_index(
                np.nan_to_num(per_pupil, nan=0.0), students, need)
            m.curve = concentration_curve(dollars, students, need)
        if spending_column:
            sp = pd.to_numeric(table[spending_column], errors="coerce").to_numpy(dtype=float)
            m.spending = spending_gap(per_pupil, sp, students, need)
    return m
