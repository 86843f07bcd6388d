"""Audit a published index: do the published scores, ranks, tiers and allocations follow the rules?

A district that publishes each school's indicators, score, rank, tier and allocation (LAUSD posts
its Student Equity Need Index this way) lets the public check three things:

1. **Weights.** Which non-negative weights best reproduce the published score from the published
   indicators? For every candidate normalisation (the spec's own, percentile ranks with each tie
   rule, z-scores, min-max) the indicators are normalised with
   :func:`equitable.index.compute_index` and the weights are fitted by non-negative least squares
   (Lawson & Hanson 1974, *Solving Least Squares Problems*, ch. 23; ``scipy.optimize.nnls``). The
   fit with the highest R^2 is reported, with its maximum absolute error.
2. **Ranks and tiers.** The rank must be the need rank of the published score (1 = highest, ties
   share the lowest number) and the tier must follow the spec's declared cut rule: quantiles by
   count of ranked schools (``floor((rank - 1) n / N) + 1``) or fixed cut points.
3. **Money.** Allocation divided by enrollment must be one per-pupil rate within a tier, to the
   cent: each school's allocation must be within one cent of ``rate x enrollment``. The tier's
   rate is the value consistent with the most schools (the point covered by the most intervals
   ``[(a - 1 cent) / e, (a + 1 cent) / e]``), so a few wrong allocations cannot move it.

Every school breaking a rule is listed with the rule, the published and the expected value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equitable.errors import InputError, SpecError, location
from equitable.index import _methods as M
from equitable.index import _parts as P
from equitable.index._engine import _ids, compute_index
from equitable.index._io import check_columns, numeric_column
from equitable.index._spec import IndexSpec, parse_spec

__all__ = ["AuditReport", "audit_published", "effective_leaf_weights"]

_ROW_OFFSET = 2
ALLOCATION_COLUMNS = ("amount_cents", "allocation_cents", "allocation_dollars", "allocation", "amount")
ENROLLMENT_COLUMNS = ("enrollment", "total_enrollment", "enrolled")


@dataclass
class AuditReport:
    """The outcome of :func:`audit_published`.

    Attributes
    ----------
    fits : one row per candidate normalisation: ``candidate``, ``r2``, ``max_abs_error``,
        ``rmse``, ``schools_fitted``, sorted best first.
    weights : one row per indicator: ``indicator``, ``declared`` (the spec's effective weight on
        the score, when the tree is linear), ``recovered`` (best fit), ``share`` (recovered weight
        / their sum).
    best : the best candidate's name.
    breaks : one row per school and broken rule: the id column, ``row`` (line in the file,
        header = 1), ``rule`` (``rank``, ``tier``, ``allocation``, ``score``), ``published``,
        ``expected``, ``detail``; sorted by row then rule.
    tier_rates : one row per published tier: ``tier``, ``schools``, ``rate_per_pupil`` (in the
        allocation's unit), ``schools_at_rate``.
    summary : counts (schools, fitted, breaks by rule) and the settings used.
    """

    spec: IndexSpec
    fits: pd.DataFrame
    weights: pd.DataFrame
    best: str
    breaks: pd.DataFrame
    tier_rates: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no school breaks a rule."""
        return len(self.breaks) == 0

    def to_text(self) -> str:
        """A plain-text report for the terminal."""
        lines = [f"Audit of a published {self.spec.title or self.spec.name}: {self.summary['schools']:,} schools"]
        b = self.fits.iloc[0]
        lines.append(f"Best fit: {self.best}: R^2 = {b['r2']:.9f}, max abs error = {b['max_abs_error']:.6g} "
                     f"({int(b['schools_fitted']):,} schools with every indicator)")
        lines.append("Recovered weights (share of the total):")
        for _, r in self.weights.iterrows():
            dec = "" if pd.isna(r["declared"]) else f"   declared {r['declared']:.6g}"
            lines.append(f"  {r['indicator']:<28} {r['recovered']:.6g}  ({r['share']:.1%}){dec}")
        counts = self.summary["breaks_by_rule"]
        if not len(self.breaks):
            lines.append("Every school follows the rules checked: " + ", ".join(self.summary["rules_checked"]) + ".")
        else:
            lines.append(f"{len(self.breaks):,} rule breaks: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
            idc = self.spec.id_column
            for _, r in self.breaks.iterrows():
                lines.append(f"  row {r['row']}  {r[idc]}  {r['rule']}: {r['detail']}")
        return "\n".join(lines) + "\n"

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``fits.csv``, ``weights.csv``, ``breaks.csv``, ``tier_rates.csv`` into
        ``out_dir``; returns the paths."""
        from equitable.index._io import write_table

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        return [write_table(self.fits, out / "fits.csv"), write_table(self.weights, out / "weights.csv"),
                write_table(self.breaks, out / "breaks.csv"), write_table(self.tier_rates, out / "tier_rates.csv")]


def effective_leaf_weights(spec: IndexSpec) -> dict[str, float] | None:
    """Each indicator's weight on the overall score when the tree is linear (every node ``sum`` or
    ``mean``, no rescaling): the product along its path of ``w`` (sum) or ``w / sum(w)`` (mean).
    None when a node is a geometric mean or product, or rescaled."""
    out: dict[str, float] = {}

    def walk(code: str, factor: float) -> bool:
        node = spec.node(code)
        if node.aggregation not in ("sum", "mean") or node.rescale is not None:
            return False
        w = spec.member_weights(node)
        tot = sum(w)
        for m, x in zip(spec.members_of(node), w):
            f = factor * (x / tot if node.aggregation == "mean" and tot > 0 else x)
            if spec.is_indicator(m):
                out[m] = f
            elif not walk(m, f):
                return False
        return True

    return out if walk(spec.overall.code, 1.0) else None


def _published_columns(spec: IndexSpec, published: pd.DataFrame) -> tuple[IndexSpec, list[str]]:
    """A published file carries a derived indicator (``expression = "100 - ela_met_pct"``) as a
    column named by its code (``ela_not_met_pct``): read it from there when the expression's
    columns are absent. Returns the spec to use and the codes read that way."""
    import re

    d = spec.to_dict()
    used: list[str] = []
    for ind_d, ind in zip(d["indicator"], spec.indicators):
        if ind.expression and ind.code in published.columns:
            names = [a or b for a, b in re.findall(r"`([^`]+)`|\b([A-Za-z_][A-Za-z0-9_]*)\b", ind.expression)]
            if not any(nm in published.columns for nm in names):
                ind_d.pop("expression", None)
                ind_d["column"] = ind.code
                used.append(ind.code)
    if not used:
        return spec, used
    return parse_spec(d, source=f"{spec.name} (published columns)"), used


def _candidates(spec: IndexSpec, names: list[str] | None) -> list[tuple[str, IndexSpec]]:
    """(name, spec) per candidate normalisation applied to every indicator."""
    base = spec.to_dict()
    out: list[tuple[str, IndexSpec]] = [("declared", spec)]
    alts = {
        "percentile-min": {"method": "percentile", "form": "svi", "ties": "min"},
        "percentile-max": {"method": "percentile", "form": "svi", "ties": "max"},
        "percentile-average": {"method": "percentile", "form": "svi", "ties": "average"},
        "zscore": {"method": "zscore"},
        "minmax": {"method": "minmax"},
    }
    wanted = list(alts) if names is None else list(names)
    for name in wanted:
        if name == "declared":
            continue
        if name not in alts:
            raise SpecError(f"audit: unknown candidate normalisation '{name}' "
                            f"(choose from declared, {', '.join(alts)})")
        d = {**base, "indicator": [dict(i) for i in base["indicator"]]}
        for ind_d, ind in zip(d["indicator"], spec.indicators):
            if spec.normalise_of(ind).method != "identity":
                ind_d["normalise"] = alts[name]
        out.append((name, parse_spec(d, source=f"{spec.name} ({name})")))
    return out


def _max_coverage_rate(lo: np.ndarray, hi: np.ndarray) -> tuple[float, int]:
    """The point covered by the most closed intervals ``[lo_i, hi_i]`` (leftmost such point) and
    how many intervals cover it."""
    if lo.size == 0:
        return math.nan, 0
    pts = np.concatenate([lo, hi])
    kind = np.concatenate([np.zeros(lo.size, np.int8), np.ones(hi.size, np.int8)])  # starts first
    order = np.lexsort((kind, pts))
    depth = np.cumsum(np.where(kind[order] == 0, 1, -1))
    k = int(np.argmax(depth))
    return float(pts[order][k]), int(depth[k])


def audit_published(
    published: pd.DataFrame,
    spec: IndexSpec,
    *,
    score_column: str | None = None,
    rank_column: str | None = None,
    tier_column: str | None = None,
    allocation_column: str | None = None,
    enrollment_column: str | None = None,
    money_unit: str | None = None,
    candidates: list[str] | None = None,
    score_tolerance: float | None = None,
    source: str | None = None,
) -> AuditReport:
    """Recover the weights behind a published index and check its ranks, tiers and allocations.

    Parameters
    ----------
    published : one row per school with the spec's id column, the indicator columns, the score
        and (when checked) rank, tier, allocation and enrollment columns.
    spec : the declared method (indicator columns, directions, tier rule).
    score_column : the published score (default the spec's overall score column).
    rank_column, tier_column : default the spec's (``overall.rank_column``, ``tiers.column``);
        a check is skipped when its column is absent. Tiers may be given by label or number.
    allocation_column : default the first of ``amount_cents``, ``allocation_cents``,
        ``allocation_dollars``, ``allocation``, ``amount`` present; None present = no money check.
    enrollment_column : default ``enrollment`` (or ``total_enrollment``, ``enrolled``).
    money_unit : ``"cents"`` or ``"dollars"``; default cents when the column name ends in
        ``_cents``, else dollars.
    candidates : candidate normalisations (``declared``, ``percentile-min``, ``percentile-max``,
        ``percentile-average``, ``zscore``, ``minmax``); default all.
    score_tolerance : when given, a school whose published score differs from the best fit's by
        more than this is listed under rule ``score``.
    source : the file name for messages (default ``published.attrs["source"]``).

    Returns
    -------
    AuditReport

    Raises
    ------
    InputError
        A missing column, a non-numeric cell, an empty or duplicated id (file, row, column), or
        fewer schools with every indicator than indicators.
    SpecError
        An unknown candidate or money unit.

    Notes
    -----
    NNLS: Lawson and Hanson (1974), ch. 23, as ``scipy.optimize.nnls``. Quantile tiers: OECD/JRC
    Handbook on Constructing Composite Indicators (2008), Step 8 (presentation by groups);
    the tier rule is the spec's (docs/index.md, "Tiers by quantile").
    """
    from scipy.optimize import nnls

    src = source or published.attrs.get("source") or "<published>"
    n = len(published)
    ids = _ids(spec, published, src)
    score_col = score_column or spec.score_column_of(spec.overall)
    check_columns(published, [score_col], src)
    y = numeric_column(published, score_col, src, missing_text=spec.missing_text)
    if spec.output_missing is not None:
        y = np.where(y == spec.output_missing, np.nan, y)

    # 1. weights ----------------------------------------------------------------------------
    spec, derived = _published_columns(spec, published)
    fits = []
    recovered: dict[str, np.ndarray] = {}
    codes = [ind.code for ind in spec.indicators]
    for name, cs in _candidates(spec, candidates):
        try:
            res = compute_index(cs, published, source=src)
        except SpecError:
            if name == "declared":
                raise
            continue  # e.g. z-scores under a geometric mean: not a candidate for this spec
        X = np.column_stack([res.normalised[cs.output_of(ind)].to_numpy(dtype=np.float64) for ind in cs.indicators])
        ok = np.isfinite(X).all(axis=1) & np.isfinite(y)
        if ok.sum() < len(codes):
            raise InputError(f"{location(src)}: only {int(ok.sum())} schools have the score and every "
                             f"indicator; the fit needs at least {len(codes)}")
        w, _ = nnls(X[ok], y[ok], maxiter=50 * X.shape[1])
        pred = X[ok] @ w
        resid = y[ok] - pred
        sst = float(((y[ok] - y[ok].mean()) ** 2).sum())
        r2 = 1.0 - float((resid ** 2).sum()) / sst if sst > 0 else (1.0 if not resid.any() else 0.0)
        fits.append({"candidate": name, "r2": r2, "max_abs_error": float(np.abs(resid).max()),
                     "rmse": float(np.sqrt((resid ** 2).mean())), "schools_fitted": int(ok.sum())})
        recovered[name] = w
        if name == "declared":
            declared_pred = np.full(n, np.nan)
            declared_pred[ok] = pred
    fit_df = pd.DataFrame(fits)
    fit_df["_o"] = range(len(fit_df))
    fit_df = fit_df.sort_values(["r2", "_o"], ascending=[False, True], kind="mergesort").drop(columns="_o")
    fit_df = fit_df.reset_index(drop=True)
    best = str(fit_df.iloc[0]["candidate"])
    wb = recovered[best]
    eff = effective_leaf_weights(spec)
    tot = float(wb.sum())
    weights = pd.DataFrame({
        "indicator": codes,
        "declared": [eff[c] if eff else np.nan for c in codes],
        "recovered": wb,
        "share": wb / tot if tot > 0 else np.zeros_like(wb),
    })

    breaks: list[dict[str, Any]] = []
    idc = spec.id_column
    rules: list[str] = []

    def brk(i: int, rule: str, pub: Any, exp: Any, detail: str) -> None:
        breaks.append({idc: ids[i], "row": i + _ROW_OFFSET, "rule": rule, "published": pub,
                       "expected": exp, "detail": detail})

    # score vs the best fit, refitted without the schools that do not follow it
    if score_tolerance is not None:
        rules.append("score")
        best_spec = dict(_candidates(spec, [best]))[best]
        res = compute_index(best_spec, published, source=src)
        X = np.column_stack([res.normalised[best_spec.output_of(ind)].to_numpy(dtype=np.float64)
                             for ind in best_spec.indicators])
        ok = np.isfinite(X).all(axis=1) & np.isfinite(y)
        keep = ok.copy()
        w = wb
        for _ in range(10):  # trimmed refit: a few wrong scores cannot bend the weights
            resid = np.abs(X[ok] @ w - y[ok])
            cut = max(score_tolerance, 3.0 * float(np.median(resid)))
            new_keep = ok.copy()
            new_keep[ok] = resid <= cut
            if (new_keep == keep).all() and _ > 0:
                break
            keep = new_keep
            if keep.sum() < len(codes):
                break
            w, _r = nnls(X[keep], y[keep], maxiter=50 * X.shape[1])
        pred = X @ w
        summary_score = {"score_weights": [float(v) for v in w], "score_schools_kept": int(keep.sum())}
        off = np.isfinite(pred) & np.isfinite(y) & (np.abs(pred - y) > score_tolerance)
        for i in np.flatnonzero(off).tolist():
            brk(int(i), "score", float(y[i]), round(float(pred[i]), 9),
                f"published score {y[i]:.6g} but the fitted weights give {pred[i]:.6g}")
    else:
        summary_score = {}

    # 2. ranks and tiers --------------------------------------------------------------------
    # the ranks the published score allows: schools whose published (rounded) scores tie may be
    # in any order among themselves (the publisher may have ranked on more decimals)
    ranker = P.NeedRank()
    exp_rank = ranker.fit_transform(y)  # the engine's own rank part
    last_rank = np.full(n, np.nan)
    okv = np.isfinite(y)
    _, ge, _ = M.count_below(-y[okv])
    last_rank[okv] = ge
    N = ranker.n_
    rank_col = rank_column or spec.overall.rank_column
    rank_used = exp_rank
    if rank_col and rank_col in published.columns:
        rules.append("rank")
        r = numeric_column(published, rank_col, src, missing_text=spec.missing_text)
        both = np.isfinite(r) & np.isfinite(exp_rank)
        inside = both & (r >= exp_rank) & (r <= last_rank)
        bad = (np.isfinite(r) != np.isfinite(exp_rank)) | (both & ~inside)
        rank_used = np.where(inside, r, exp_rank)
        for i in np.flatnonzero(bad).tolist():
            if np.isfinite(exp_rank[i]) and last_rank[i] > exp_rank[i]:
                allowed = f"{_num(exp_rank[i])}-{_num(last_rank[i])} (tied scores)"
            else:
                allowed = f"{_num(exp_rank[i])}"
            brk(int(i), "rank", _num(r[i]), _num(exp_rank[i]),
                f"rank {_num(r[i])} but the published score ranks {allowed} of {N}")
    t = spec.overall.tiers
    tier_col = tier_column or (t.column if t is not None else None)
    tier_pub = None
    if t is not None and tier_col and tier_col in published.columns:
        rules.append("tier")
        labels = t.tier_labels
        raw = published[tier_col]
        tier_pub = np.full(n, np.nan)
        lab_index = {str(lab): k + 1 for k, lab in enumerate(labels)}
        for i, v in enumerate(raw.tolist()):
            if v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "":
                continue
            sv = str(v).strip()
            if sv in lab_index:
                tier_pub[i] = lab_index[sv]
            else:
                try:
                    f = float(sv)
                except ValueError:
                    raise InputError(f"{location(src, i + _ROW_OFFSET, tier_col)}: unknown tier '{sv}' "
                                     f"(the spec's tiers are {', '.join(labels)})") from None
                if f.is_integer() and 1 <= f <= t.count:
                    tier_pub[i] = f
                else:
                    raise InputError(f"{location(src, i + _ROW_OFFSET, tier_col)}: unknown tier '{sv}' "
                                     f"(the spec's tiers are {', '.join(labels)})")
        if t.method == "quantile":
            exp_tier = P.QuantileTiers(t.count).fit(N).transform(rank_used)
            rule_text = f"quantiles by count: rank {{r}} of {N} is tier {{t}}"
        else:
            if t.basis == "percentile":
                pc = spec.percentile_column_of(spec.overall)
                if pc and pc in published.columns:
                    basis = numeric_column(published, pc, src, missing_text=spec.missing_text)
                else:
                    p = spec.overall.percentile
                    if p is None:
                        raise SpecError("overall.tiers: basis \"percentile\" needs overall.percentile")
                    basis = P.make_normaliser(p).fit_transform(y)
            else:
                basis = y
            exp_tier = P.CutTiers(t.cut_points).transform(basis)
            rule_text = f"cut points {t.cuts} on the {t.basis}: {{b}} is tier {{t}}"
        for i in range(n):
            a, e = tier_pub[i], exp_tier[i]
            if (np.isfinite(a) != np.isfinite(e)) or (np.isfinite(a) and a != e):
                pub = labels[int(a) - 1] if np.isfinite(a) else ""
                exp = labels[int(e) - 1] if np.isfinite(e) else ""
                if t.method == "quantile":
                    why = rule_text.format(r=_num(rank_used[i]), t=exp or "none")
                else:
                    why = rule_text.format(b=f"{basis[i]:.6g}", t=exp or "none")
                brk(i, "tier", pub, exp, f"tier '{pub}' but {why}")

    # 3. money ------------------------------------------------------------------------------
    alloc_col = allocation_column or next((c for c in ALLOCATION_COLUMNS if c in published.columns), None)
    enr_col = enrollment_column or next((c for c in ENROLLMENT_COLUMNS if c in published.columns), None)
    rates = []
    if alloc_col and t is not None and tier_pub is not None:  # tier_pub is read only with t
        if enr_col is None:
            raise InputError(f"{location(src, None, 'enrollment')}: column not found "
                             "(give --enrollment-column to check allocations)")
        check_columns(published, [alloc_col, enr_col], src)
        unit = money_unit or ("cents" if alloc_col.endswith("_cents") else "dollars")
        if unit not in ("cents", "dollars"):
            raise SpecError(f"audit: money unit must be cents or dollars. Got {unit!r}")
        cent = 1.0 if unit == "cents" else 0.01
        rules.append("allocation")
        a = numeric_column(published, alloc_col, src, missing_text=spec.missing_text)
        e = numeric_column(published, enr_col, src, missing_text=spec.missing_text)
        tol = cent * (1 + 1e-9)
        for k in range(1, t.count + 1):
            sel = np.flatnonzero((tier_pub == k) & np.isfinite(a))
            if not sel.size:
                continue
            pos = sel[np.isfinite(e[sel]) & (e[sel] > 0)]
            rate, cover = _max_coverage_rate((a[pos] - tol) / e[pos], (a[pos] + tol) / e[pos])
            rates.append({"tier": t.tier_labels[k - 1], "schools": int(sel.size),
                          "rate_per_pupil": round(rate, 6) if math.isfinite(rate) else np.nan,
                          "schools_at_rate": cover})
            for i in sel.tolist():
                if not (np.isfinite(e[i]) and e[i] > 0):
                    if a[i] != 0:
                        brk(int(i), "allocation", _num(a[i]), 0,
                            f"allocation {_money(a[i], unit)} with enrollment {_num(e[i])}")
                    continue
                exp = rate * e[i]
                if abs(a[i] - exp) > tol:
                    brk(int(i), "allocation", _num(a[i]), round(exp, 2 if unit == "dollars" else 0),
                        f"allocation {_money(a[i], unit)} / enrollment {_num(e[i])} = "
                        f"{_money(a[i] / e[i], unit)} per pupil, but tier "
                        f"'{t.tier_labels[k - 1]}' pays {_money(rate, unit)} per pupil "
                        f"(expected {_money(exp, unit)})")
    order = {"score": 0, "rank": 1, "tier": 2, "allocation": 3}
    breaks.sort(key=lambda b: (b["row"], order[b["rule"]]))
    bdf = pd.DataFrame(breaks, columns=[idc, "row", "rule", "published", "expected", "detail"])
    counts = {r: int((bdf["rule"] == r).sum()) for r in order if (bdf["rule"] == r).any()}
    summary = {"schools": n, "best": best, "rules_checked": rules, "breaks_by_rule": counts,
               "score_column": score_col, "rank_column": rank_col, "tier_column": tier_col,
               "allocation_column": alloc_col, "enrollment_column": enr_col,
               "indicators_read_by_code": derived, **summary_score}
    return AuditReport(spec, fit_df, weights, best, bdf,
                       pd.DataFrame(rates, columns=["tier", "schools", "rate_per_pupil", "schools_at_rate"]),
                       summary)


def _num(x: float) -> Any:
    if x is None or not np.isfinite(x):
        return ""
    return int(x) if float(x).is_integer() else float(x)


def _money(x: float, unit: str) -> str:
    if unit == "cents":
        return f"${x / 100:,.2f}"
    return f"${x:,.2f}"
