"""Raking (iterative proportional fitting) of respondent weights to population margins.

Method
------
Raking adjusts base weights so that the weighted count of respondents in every category of every
raking variable equals the population count (Deming & Stephan 1940, "On a least squares
adjustment of a sampled frequency table when the expected marginal totals are known", Ann. Math.
Stat. 11(4), pp. 427-444; Lumley 2010, *Complex Surveys*, section 7.4). Each cycle multiplies
the weights of the respondents in each category by ``population / weighted count``, one variable
after another, until the largest relative gap between a weighted margin and its target is below
``tol``. It is the algorithm of R's ``survey::rake`` (checked against it in tests/voice).

Trimming (Battaglia, Izrael, Hoaglin & Frankel 2009, "Practical Considerations in Raking Survey
Data", Survey Practice 2(5), section 5; the loop of the ANES raking algorithm, DeBell &
Krosnick 2009, ANES Technical Report nes012427, section 4), done as bounded raking: the mean
weight is ``N / n`` once the margins hold, so the bounds ``lower x N/n`` and ``upper x N/n`` are
fixed; each raking step finds, per category, the factor ``f`` with
``sum(clip(f w, lower, upper)) = target`` (the weights at a bound stay there and the others
absorb the adjustment). Cycles continue until the margins are met to ``tol`` with every weight
inside the bounds, or ``max_iter`` is reached: then the margins cannot all be met (bounds too
tight, or a sample whose cross-classification cannot reproduce the margins) and :func:`rake`
raises :class:`NotConvergedError` naming the margin and category furthest from its population
count and by how much, unless the caller opts in (``allow_unconverged=True``; the result then
has ``converged = False`` and ``unmet`` gives that margin).

Design effect of unequal weighting (Kish 1965, *Survey Sampling*, section 11.7, eq. 11.7.6):
``deff = n * sum(w^2) / sum(w)^2 = 1 + CV(w)^2``; effective sample size ``n / deff``.

The implementation is numpy (``np.bincount`` per variable): the maintained Python raking
libraries either work cell-by-cell on a full cross-table (``ipfn``, unmaintained since 2021) or
bring a large dependency tree (``samplics``, ``balance``) for this one loop; see docs/voice.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import numpy as np
import pandas as pd

from equitable.errors import InputError, location
from equitable.ids import CDS_CODE, normalize, restore_note
from equitable.privacy import suppress_table
from equitable.voice._readers import read_csv_strings


class UnmetMargin(TypedDict):
    """The margin raking could not meet: its variable and category, the population count, the
    weighted count reached, ``shortfall = population - weighted`` and the gap in percent of
    the population."""

    variable: str
    category: str
    population: float
    weighted: float
    shortfall: float
    gap_pct: float


class WeightingSummary(TypedDict):
    """:meth:`RakeResult.summary`: counts, the weights' range, the design effect (Kish), the
    notes and, when raking did not converge, the unmet margin."""

    respondents: int
    population: float
    iterations: int
    converged: bool
    trimmed: int
    weight_min: float
    weight_max: float
    weight_mean: float
    design_effect: float
    effective_n: float
    notes: list[str]
    unmet_margin: UnmetMargin | None

__all__ = [
    "NotConvergedError",
    "RakeResult",
    "kish_deff",
    "margins_from_frpm",
    "margins_from_lausd_schools",
    "rake",
    "read_margins",
]


class NotConvergedError(InputError):
    """Raking stopped at ``max_iter`` cycles with a margin still unmet (see :func:`rake`)."""


@dataclass
class RakeResult:
    """The outcome of :func:`rake`.

    Attributes
    ----------
    weights : ndarray (n,), the final weights (sum = population total).
    iterations : raking cycles in the last raking pass.
    converged : whether the margins were met to ``tol``.
    trimmed : number of weights set to a trimming bound in the last round.
    deff : Kish's design effect of unequal weighting.
    n_eff : effective sample size ``n / deff``.
    margins : DataFrame ``variable, category, population, respondents, weighted``.
    notes : warnings worth reading (margin totals rescaled, trimming not reached).
    unmet : when not converged, the (variable, category) furthest from its population count
        (largest relative gap): ``variable, category, population, weighted, shortfall``
        (``population - weighted``, people; negative = over), ``gap_pct``; else None.
    """

    weights: np.ndarray
    iterations: int
    converged: bool
    trimmed: int
    deff: float
    n_eff: float
    margins: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    unmet: UnmetMargin | None = None

    def unmet_message(self) -> str:
        """One line naming the margin and category raking could not meet and by how much."""
        u = self.unmet
        if u is None:
            return "raking converged"
        short = float(u["shortfall"])
        how = f"short by {short:,.1f}" if short >= 0 else f"over by {-short:,.1f}"
        return (f"raking did not converge in {self.iterations} cycles: margin '{u['variable']}', "
                f"category '{u['category']}' reaches {float(u['weighted']):,.1f} weighted of its "
                f"population {float(u['population']):,.1f} ({how}, {float(u['gap_pct']):.3f}%)")

    def summary(self) -> WeightingSummary:
        w = self.weights
        return {
            "respondents": len(w),
            "population": round(float(w.sum()), 6),
            "iterations": self.iterations,
            "converged": self.converged,
            "trimmed": self.trimmed,
            "weight_min": round(float(w.min()), 6),
            "weight_max": round(float(w.max()), 6),
            "weight_mean": round(float(w.mean()), 6),
            "design_effect": round(self.deff, 6),
            "effective_n": round(self.n_eff, 3),
            "notes": list(self.notes),
            "unmet_margin": None if self.unmet is None else self.unmet.copy(),
        }

    def margin_table(self, threshold: int = 10) -> pd.DataFrame:
        """The margin report with categories of ``<= threshold`` respondents suppressed."""
        return suppress_table(self.margins, "respondents", ["respondents", "weighted"],
                              threshold=threshold)


def kish_deff(weights: np.ndarray) -> float:
    """Kish's design effect of unequal weights, ``n sum(w^2) / (sum w)^2`` (Kish 1965, 11.7.6)."""
    w = np.asarray(weights, dtype=float)
    return float(len(w) * np.dot(w, w) / w.sum() ** 2)


def read_margins(path: str | Path) -> pd.DataFrame:
    """Read a margins CSV with columns ``variable, category, population``.

    ``population`` is a count of people (students enrolled, families...). Returns a DataFrame
    with ``variable`` and ``category`` as strings and ``population`` as float.

    Raises
    ------
    InputError
        Missing columns, a non-numeric or negative count, or a repeated (variable, category),
        naming the file, row and column.
    """
    p = Path(path)
    df = read_csv_strings(p)
    missing = [c for c in ("variable", "category", "population") if c not in df.columns]
    if missing:
        raise InputError(f"{location(p, 1, missing[0])}: missing column (a margins file has "
                         "columns variable, category, population)")
    from equitable.checks import number_or_none

    # the one number rule (equitable.checks): "1,234" is 1234, "1,23" is refused (was 123)
    pop = pd.Series([np.nan if (x := number_or_none(v)) is None else x
                     for v in df["population"]], index=df.index, dtype=float)
    for i in range(len(df)):
        if not np.isfinite(pop.iloc[i]) or pop.iloc[i] < 0:
            raise InputError(f"{location(p, i + 2, 'population')}: '{df['population'].iloc[i]}'"
                             " is not a count of people")
    dup = df.duplicated(["variable", "category"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"{location(p, i + 2, 'category')}: repeats a (variable, category) pair")
    out = df[["variable", "category"]].copy()
    out["population"] = pop.astype(float)
    return out


def _targets(margins: pd.DataFrame, variables: Sequence[str]) -> dict[str, pd.Series]:
    out = {}
    for v in variables:
        m = margins[margins["variable"] == v]
        if m.empty:
            raise InputError(f"no population margin for raking variable '{v}' (margins have: "
                             f"{', '.join(sorted(margins['variable'].unique()))})")
        out[v] = pd.Series(m["population"].to_numpy(float), index=m["category"].astype(str))
    return out


def rake(
    respondents: pd.DataFrame,
    margins: pd.DataFrame,
    variables: Sequence[str],
    *,
    base_weight: str | None = None,
    trim: tuple[float, float] | None = None,
    max_iter: int = 2000,
    tol: float = 1e-10,
    allow_unconverged: bool = False,
) -> RakeResult:
    """Rake respondent weights to population margins, with optional trimming.

    Parameters
    ----------
    respondents : one row per respondent with a column per raking variable (category labels
        as in ``margins``).
    margins : ``variable, category, population`` (see :func:`read_margins`).
    variables : the raking variables, in raking order.
    base_weight : column of design weights (default: all 1).
    trim : ``(lower, upper)`` bounds as multiples of the mean weight, e.g. ``(0.3, 5.0)``;
        ``None`` for no trimming.
    max_iter, tol : raking stops when every weighted margin is within ``tol`` (relative) of its
        target, or after ``max_iter`` cycles.
    allow_unconverged : return the weights of the last cycle when the margins are not met
        (``converged = False``, ``unmet`` and ``notes`` say which margin and by how much)
        instead of raising.

    Returns
    -------
    RakeResult

    Raises
    ------
    NotConvergedError
        After ``max_iter`` cycles a margin is still more than ``tol`` from its population count
        (and ``allow_unconverged`` is False): the message names the variable, the category, its
        weighted count, its population count and the shortfall.
    InputError
        A respondent's category is missing or absent from the margins; a margin category has no
        respondents (its weight cannot be raised from zero); margin totals differ by over 1%.
    """
    if not variables:
        raise InputError("The 'variables' parameter of rake must name at least one variable. "
                         "Got none instead.")
    if trim is not None and not (0 <= trim[0] < 1 < trim[1]):
        raise InputError(f"The 'trim' parameter of rake must be (lower < 1, upper > 1). "
                         f"Got {trim} instead.")
    n = len(respondents)
    if n == 0:
        raise InputError("no respondents to weight")
    targets = _targets(margins, variables)
    totals = {v: float(t.sum()) for v, t in targets.items()}
    notes: list[str] = []
    first = variables[0]
    for v in variables[1:]:
        if abs(totals[v] - totals[first]) > 0.01 * totals[first]:
            raise InputError(
                f"margin totals differ: '{first}' sums to {totals[first]:,.0f} but '{v}' to "
                f"{totals[v]:,.0f} (over 1%); margins must describe the same population"
            )
        if totals[v] != totals[first]:
            notes.append(f"margin '{v}' rescaled from {totals[v]:,.0f} to {totals[first]:,.0f}")
            targets[v] = targets[v] * (totals[first] / totals[v])
    codes: dict[str, np.ndarray] = {}
    tvec: dict[str, np.ndarray] = {}
    for v in variables:
        if v not in respondents.columns:
            raise InputError(f"respondent table has no column '{v}' to rake on")
        vals = respondents[v].fillna("").astype(str).to_numpy()
        cats = targets[v].index.to_numpy()
        index = {c: i for i, c in enumerate(cats)}
        code = np.fromiter((index.get(x, -1) for x in vals), dtype=np.int64, count=n)
        bad = code < 0
        if bad.any():
            blank = int((vals[bad] == "").sum())
            unknown = sorted(set(vals[bad]) - {""})
            parts = []
            if blank:
                parts.append(f"{blank} respondents have no '{v}'")
            if unknown:
                parts.append(f"categories {unknown[:5]} are not in the margins")
            raise InputError(f"cannot rake on '{v}': " + "; ".join(parts)
                             + " (collapse or impute them, or add the category to the margins)")
        counts = np.bincount(code, minlength=len(cats))
        empty = [c for c, k in zip(cats, counts) if k == 0 and targets[v][c] > 0]
        if empty:
            raise InputError(f"cannot rake on '{v}': no respondents in categories {empty[:5]} "
                             "(collapse them with a neighbouring category)")
        codes[v] = code
        tvec[v] = targets[v].to_numpy(float)
    if base_weight is not None:
        w0 = pd.to_numeric(respondents[base_weight], errors="coerce").to_numpy(float)
        if not np.all(np.isfinite(w0)) or (w0 <= 0).any():
            raise InputError(f"base weight column '{base_weight}' has missing or non-positive "
                             "values")
    else:
        w0 = np.ones(n)

    def _gap(w: np.ndarray) -> float:
        return max(
            float(np.max(np.abs(np.bincount(codes[v], weights=w, minlength=len(tvec[v]))
                                - tvec[v]) / np.maximum(tvec[v], 1e-300)))
            for v in variables
        )

    w = w0.copy()
    ok = False
    iters = 0
    trimmed = 0
    if trim is not None:
        # with the margins met the mean weight is N / n, so the bounds are fixed numbers
        mean_w = totals[first] / n
        lo_b, hi_b = trim[0] * mean_w, trim[1] * mean_w
        w = np.clip(w * mean_w / w.mean(), lo_b, hi_b)
    for iters in range(1, max_iter + 1):  # noqa: B007 (the count is reported after the loop)
        for v in variables:
            c, t = codes[v], tvec[v]
            if trim is None:
                got = np.bincount(c, weights=w, minlength=len(t))
                w *= (t / np.where(got > 0, got, 1.0))[c]
                continue
            # bounded raking step: per category find f with sum(clip(f * w, lo, hi)) = target
            base = w
            f = t / np.maximum(np.bincount(c, weights=base, minlength=len(t)), 1e-300)
            for _ in range(100):
                new_w = np.clip(f[c] * base, lo_b, hi_b)
                free = (new_w > lo_b) & (new_w < hi_b)
                fixed_sum = np.bincount(c, weights=np.where(free, 0.0, new_w), minlength=len(t))
                free_base = np.bincount(c, weights=np.where(free, base, 0.0), minlength=len(t))
                f_new = np.where(free_base > 0, (t - fixed_sum) / np.maximum(free_base, 1e-300),
                                 f)
                f_new = np.maximum(f_new, 0.0)
                if np.allclose(f_new, f, rtol=1e-13, atol=0):
                    break
                f = f_new
            w = np.clip(f[c] * base, lo_b, hi_b)
        if _gap(w) < tol:
            ok = True
            break
    if trim is not None:
        trimmed = int(((w >= hi_b * (1 - 1e-9)) | (w <= lo_b * (1 + 1e-9))).sum())
    rows = []
    for v in variables:
        cats = targets[v].index
        got = np.bincount(codes[v], weights=w, minlength=len(cats))
        cnt = np.bincount(codes[v], minlength=len(cats))
        for c, pop, k, g in zip(cats, tvec[v], cnt, got):
            rows.append((v, c, float(pop), int(k), float(g)))
    unmet: UnmetMargin | None = None
    if not ok:
        # the (variable, category) furthest from its population count, relative to it
        rel = [abs(g - pop) / max(pop, 1e-300) for _, _, pop, _, g in rows]
        v, c, pop, _, g = rows[int(np.argmax(rel))]
        unmet = {"variable": v, "category": str(c), "population": round(pop, 6),
                 "weighted": round(g, 6), "shortfall": round(pop - g, 6),
                 "gap_pct": round(100 * max(rel), 6)}
    mt = pd.DataFrame(rows, columns=["variable", "category", "population", "respondents",
                                     "weighted"])
    deff = kish_deff(w)
    res = RakeResult(w, iters, ok, trimmed, deff, n / deff, mt, notes, unmet)
    if not ok:
        hint = " (the trimming bounds may be too tight for these margins)" if trim else ""
        if not allow_unconverged:
            raise NotConvergedError(res.unmet_message() + hint + "; no weights kept (collapse "
                                    "categories, widen --trim, or pass --allow-unconverged)")
        notes.append(res.unmet_message() + hint)
    return res


# ----------------------------------------------------------------------------------------------
# Margins from the shared public files


def margins_from_frpm(
    path: str | Path, *, academic_year: str, cds_prefix: str = "", schools: Sequence[str] = ()
) -> pd.DataFrame:
    """Margins from CDE's Free or Reduced-Price Meal school-level file.

    Gives two variables: ``school`` (category = 14-digit CDS code, population = Enrollment
    (K-12)) and ``frpm`` (``eligible`` / ``not_eligible``, from FRPM Count (K-12)). Rows whose
    School Code is ``0000000``/``0000001`` (district and nonpublic totals) are left out.

    Parameters
    ----------
    path : ``frpm_*.csv`` as in ../shared/data/cde (CDE's "FRPM School-Level Data" sheet).
    academic_year : e.g. ``"2023-2024"`` (the file's ``Academic Year`` column).
    cds_prefix : keep schools whose CDS code starts with it (``"1964733"`` = LAUSD).
    schools : keep only these CDS codes (e.g. the schools surveyed).
    """
    from equitable.data import read_frpm

    p = Path(path)
    # the same reader as `equitable run` (CSV, tab-delimited or the XLSX workbook): every rule of
    # equitable.checks applies, and a count is never read as 0 when it is not a number
    full = read_frpm(p)
    df = full[(full["academic_year"] == academic_year)
              & full["cds_code"].str.startswith(cds_prefix)]
    df = df.rename(columns={"cds_code": "CDSCode"})
    if schools:
        keep = {str(s) for s in schools}
        missing = sorted(keep - set(df["CDSCode"]))
        if missing:
            raise InputError(f"{p}: {len(missing)} surveyed schools are not in the "
                             f"{academic_year} FRPM file (first: {missing[0]})")
        df = df[df["CDSCode"].isin(keep)]
    if df.empty:
        raise InputError(f"{p}: no schools for academic year '{academic_year}' and CDS prefix "
                         f"'{cds_prefix}'")
    gone = df["enrollment_k12"].isna() | df["frpm_count_k12"].isna()
    if gone.any():
        raise InputError(
            f"{p}: {int(gone.sum())} school(s) have no Enrollment (K-12) or FRPM Count (K-12) "
            f"(suppressed or blank; first: {df.loc[gone, 'CDSCode'].iloc[0]}); leave them out "
            "with --cds-prefix or a list of schools, or write the margins by hand"
        )
    enr = df["enrollment_k12"].astype("float64")
    fr = df["frpm_count_k12"].astype("float64")
    school = pd.DataFrame({"variable": "school", "category": df["CDSCode"].to_numpy(),
                           "population": enr.to_numpy(float)})
    frpm = pd.DataFrame({"variable": "frpm", "category": ["eligible", "not_eligible"],
                         "population": [float(fr.sum()), float(enr.sum() - fr.sum())]})
    out = pd.concat([school.sort_values("category"), frpm], ignore_index=True)
    out = out[out["population"] > 0].reset_index(drop=True)
    out.attrs["notes"] = list(full.attrs.get("notes", []))  # codes the reader padded
    return out


def margins_from_lausd_schools(path: str | Path, *, schools: Sequence[str] = ()) -> pd.DataFrame:
    """Margins from the LAUSD school table (``lausd/schools_2024_25.csv``).

    Gives ``grade_span`` (the table's ``span``: elementary, middle, high, k12) and ``school``
    (CDS code), both from ``enrollment``. CDS codes follow the one rule of :mod:`equitable.ids`
    (a code that lost its leading zero is padded, noted in ``attrs["notes"]``).
    """
    p = Path(path)
    df = read_csv_strings(p)
    for c in ("cds", "span", "enrollment"):
        if c not in df.columns:
            raise InputError(f"{location(p, 1, c)}: missing column (not the LAUSD school table?)")
    cds, restored = normalize(df["cds"], CDS_CODE, label=str(p), column="cds", restore=True)
    df = df.assign(cds=cds.astype(object))
    note = restore_note(p.name, "cds", restored, CDS_CODE)
    if schools:
        df = df[df["cds"].isin({str(s) for s in schools})]
    enr = pd.to_numeric(df["enrollment"], errors="coerce").fillna(0)
    df = df.assign(enrollment=enr)
    span = df.groupby("span", sort=True)["enrollment"].sum()
    out = pd.concat([
        pd.DataFrame({"variable": "grade_span", "category": span.index,
                      "population": span.to_numpy(float)}),
        pd.DataFrame({"variable": "school", "category": df["cds"].to_numpy(),
                      "population": df["enrollment"].to_numpy(float)}).sort_values("category"),
    ], ignore_index=True)
    out = out[out["population"] > 0].reset_index(drop=True)
    out.attrs["notes"] = [note] if note else []
    return out
