"""Monte Carlo uncertainty and sensitivity analysis of a composite index.

How much do the weights (and the other modelling choices) decide a unit's rank and tier? This
module perturbs the choices behind an index spec, rebuilds the ranking for every draw and reports,
per unit, the median rank, the 5th-95th percentile rank interval and the probability of each tier,
plus first-order and total Sobol indices of rank variance per input choice.

Method: OECD/JRC *Handbook on Constructing Composite Indicators: Methodology and User Guide*
(2008), section 1.7 / Step 7 "Uncertainty and sensitivity analysis" (pp. 34-35 and 117-131), as
implemented by COINr's ``get_sensitivity()`` (Becker et al., JRC COIN): every uncertain input is a
factor with a distribution, a sample of factor values is drawn, the index is rebuilt for each and
the distribution of ranks is summarised; variance-based (Sobol) indices apportion the rank variance
among the factors, estimated with Saltelli's scheme (Saltelli et al. 2010, *Comput. Phys. Commun.*
181, 259-270) through SALib.

Inputs (factors), each a value ``u`` in [0, 1]:

* **weights** of every node with two or more positively weighted members, one factor per member:
  ``dirichlet``: the member weights of a node are ``S * g / sum(g)``, ``g_j = Gamma(a_j).ppf(u_j)``
  with ``a_j = concentration * k * w_j / S`` (``w`` the declared weights, ``S`` their sum, ``k``
  the members), i.e. a Dirichlet draw centred on the declared shares (normalised independent
  gammas); ``uniform``: ``w_j * (1 + spread * (2 u_j - 1))``, each weight independently within
  +-spread of its declared value (COINr's noise on weights), not renormalised.
* **normalisation**, **ties**, **missing** (optional discrete choices): option ``floor(u * m)`` of
  the ``m`` options given (``u = 1`` takes the last). Each option rebuilds the normalised indicator
  table once with :func:`equitable.index.compute_index`; all weight draws of an option are then
  aggregated as one matrix product (:func:`equitable.index._methods.aggregate`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from equitable.errors import SpecError
from equitable.index import _methods as M
from equitable.index import _parts as P
from equitable.index._engine import compute_index
from equitable.index._spec import IndexSpec, parse_spec

__all__ = [
    "Factor",
    "SensitivityResult",
    "draw_ranks",
    "need_ranks",
    "sensitivity",
]

WeightMode = Literal["dirichlet", "uniform", "none"]
# "declared" and every registered normalisation but the identity (equitable.index._parts)
NORMALISATIONS = ("declared", *(m for m in P.NORMALISERS if m != "identity"))
TIE_RULES = ("min", "max", "average")
MISSING_RULES = ("exclude", "reweight", "impute_mean", "impute_median", "impute_zero")
_U_EPS = 1e-12
_MAX_BYTES = 4e9  # ranks kept in memory (draws x units); above this the run is refused


@dataclass(frozen=True)
class Factor:
    """One uncertain input: a member weight of a node, or a discrete choice.

    ``name`` is ``weight:NODE/MEMBER`` or ``normalisation`` / ``ties`` / ``missing``;
    ``group`` is ``weights`` for weight factors (so the weights can be read as one input).
    """

    name: str
    kind: Literal["weight", "choice"]
    group: str
    node: str | None = None
    member: str | None = None
    options: tuple[str, ...] = ()


def _workers() -> int:
    n = os.environ.get("EQUITABLE_THREADS")
    if n:
        return max(1, int(n))
    return max(1, min(4, os.cpu_count() or 1))


# ------------------------------------------------------------------------------------------------
# ranks
# ------------------------------------------------------------------------------------------------


def need_ranks(scores: np.ndarray) -> np.ndarray:
    """Need ranks of many score vectors at once.

    Parameters
    ----------
    scores : (c, n) float array, one row per draw; NaN = unit not scored in that draw.

    Returns
    -------
    (c, n) int32 array: rank 1 = highest score, tied units share the lowest rank number (as
    :func:`equitable.index._methods.need_rank`), 0 = not ranked (NaN score).
    """
    s = np.asarray(scores, dtype=np.float64)
    c, n = s.shape
    key = np.empty((c, n))  # C-contiguous: argsort along rows reads memory in order
    np.negative(s, out=key)
    fin = np.isfinite(key)
    if not fin.all():
        key[~fin] = np.inf
    order = np.argsort(key, axis=1, kind="quicksort")
    srt = np.take_along_axis(key, order, axis=1)
    new = np.ones((c, n), dtype=bool)
    if n > 1:
        np.not_equal(srt[:, 1:], srt[:, :-1], out=new[:, 1:])
    pos = np.where(new, np.arange(n, dtype=np.int32)[None, :], 0)
    np.maximum.accumulate(pos, axis=1, out=pos)
    rank_sorted = pos + 1
    rank_sorted[~np.isfinite(srt)] = 0
    out = np.empty((c, n), dtype=np.int32)
    np.put_along_axis(out, order, rank_sorted, axis=1)
    return out


# ------------------------------------------------------------------------------------------------
# the model: one prepared variant per discrete choice
# ------------------------------------------------------------------------------------------------


def _variant_spec(spec: IndexSpec, normalisation: str | None, ties: str | None, missing: str | None) -> IndexSpec:
    """The spec with one normalisation / tie rule / missing rule applied to every indicator."""
    if normalisation is None and ties is None and missing is None:
        return spec
    d = spec.to_dict()
    for ind_d, ind in zip(d["indicator"], spec.indicators):
        nm = spec.normalise_of(ind)
        if nm.method == "identity" or normalisation in (None, "declared") or normalisation == nm.method:
            base = nm.model_dump(exclude_none=True)
        elif normalisation == "percentile":
            base = {"method": "percentile", "form": "svi", "ties": "min"}
        else:
            base = {"method": normalisation}
        if ties is not None and base.get("method") == "percentile":
            base["ties"] = ties
        ind_d["normalise"] = base
        if missing is not None:
            ind_d["missing"] = missing
    if missing is not None:
        d.setdefault("defaults", {})["missing"] = missing
    return parse_spec(d, source=f"{spec.name} (sensitivity variant)")


@dataclass
class _Variant:
    """Normalised indicator values of one combination of discrete choices."""

    key: tuple[str | None, str | None, str | None]
    norm: dict[str, np.ndarray]  # indicator code -> (n,)
    hard_leaf: dict[str, np.ndarray]  # node code -> (n,) bool (exclude-rule leaves missing, min_present)
    not_scored: dict[str, np.ndarray]  # node code -> (n,) bool
    n_scored: int  # units with an overall score under the declared weights
    n: int = 0
    cache: dict = field(default_factory=dict)  # node -> complete / partial rows (for _aggregate_leaves)


def _prepare_variant(spec: IndexSpec, df: pd.DataFrame, source: str,
                     key: tuple[str | None, str | None, str | None]) -> _Variant:
    for node in [*spec.themes, spec.overall]:
        if node.pass_percentile:
            # the fast per-draw aggregation below re-ranks no node; refuse rather than differ
            raise SpecError(f"sensitivity: spec {spec.name}, theme '{node.code}': "
                            "pass_percentile is not supported by the sensitivity analysis")
    vs = _variant_spec(spec, *key)
    try:
        res = compute_index(vs, df, source=source)
    except SpecError as exc:
        what = ", ".join(f"{k}={v}" for k, v in zip(("normalisation", "ties", "missing"), key) if v)
        raise SpecError(f"sensitivity option {what} cannot be used with spec {spec.name}: {exc}") from None
    # the build's own parts and masks: normalised (imputed) values, and per node the units an
    # "exclude"-rule member or too few indicators leave unscored
    st = res.state
    norm = {ind.code: st.norm[ind.code] for ind in vs.indicators}
    hard_leaf = {node.code: st.nodes[node.code].excluded for node in vs.build_order()}
    not_scored = {node.code: st.nodes[node.code].not_scored for node in vs.build_order()}
    n = len(df)
    score = res.aggregated[vs.score_column_of(vs.overall)].to_numpy(dtype=np.float64)
    return _Variant(key, norm, hard_leaf, not_scored, int(np.isfinite(score).sum()), n)


def _aggregate_leaves(var: _Variant, code: str, members: list[str], W: np.ndarray,
                      agg: P.Aggregator) -> np.ndarray:
    """The node's aggregator on its indicator members for a weight matrix ``W`` (c, k) ->
    (n, c). Units with every member present (most of them) take one matrix product
    (:meth:`~equitable.index._parts.Aggregator.transform_complete`, the values prepared once
    per variant); units with a member missing go through
    :meth:`~equitable.index._parts.Aggregator.transform`; hard-missing units are NaN. The tests
    check it equals ``transform`` draw by draw."""
    key = (code, tuple(members))
    cache = var.cache.get(key)
    if cache is None:
        mat = np.column_stack([var.norm[m] for m in members])
        hard = var.hard_leaf[code]
        complete = np.isfinite(mat).all(axis=1) & ~hard
        partial = ~complete & ~hard
        full = agg.prepare(mat[complete])
        cache = (np.flatnonzero(complete), np.ascontiguousarray(full), np.flatnonzero(partial), mat[partial])
        var.cache[key] = cache
    ic, full, ip, part = cache
    n = var.n
    c = W.shape[0]
    out = np.empty((n, c))
    view = out if ic.size == n else None
    if view is None:
        rest = np.ones(n, dtype=bool)
        rest[ic] = False
        rest[ip] = False
        out[rest] = np.nan  # hard-missing units
    s = agg.transform_complete(full, W)
    if view is not None:
        view[...] = s
    else:
        out[ic] = s
    if ip.size:
        out[ip] = agg.transform(part, W)
    return out


def _node_scores(spec: IndexSpec, var: _Variant, weights: dict[str, np.ndarray], c: int) -> np.ndarray:
    """Overall scores (n, c) of ``c`` weightings; ``weights[node]`` is (c, k) member weights."""
    n = next(iter(var.norm.values())).shape[0]
    val: dict[str, np.ndarray] = {}
    score = None
    for node in spec.build_order():
        members = spec.members_of(node)
        W = weights[node.code]
        agg = P.make_aggregator(node.aggregation)
        leaf_only = all(spec.is_indicator(m) for m in members)
        if leaf_only:
            out = _aggregate_leaves(var, node.code, members, W, agg)
        elif all(not spec.is_indicator(m) for m in members) and not var.hard_leaf[node.code].any():
            out = agg.transform_members([val[m] for m in members], W)
        else:
            out = np.empty((n, c), dtype=np.float64)
            cols = [None if spec.is_indicator(m) else val[m] for m in members]
            mat = np.empty((n, len(members)), dtype=np.float64)
            for j, m in enumerate(members):
                if cols[j] is None:
                    mat[:, j] = var.norm[m]
            for d in range(c):
                hard = var.hard_leaf[node.code].copy()
                for j, col in enumerate(cols):
                    if col is not None:
                        mat[:, j] = col[:, d]
                        hard |= ~np.isfinite(col[:, d])
                out[:, d] = agg.transform(mat, W[d], hard_missing=hard)
        out = M.round_to(out, node.decimals)
        score = out
        passed = out
        if node.rescale is not None:  # each draw is its own reference
            passed = P.MaxRescaler(node.rescale.to).fit_transform(out)
        val[node.code] = passed
    assert score is not None
    return score


def _tiers(spec: IndexSpec, score: np.ndarray, ranks: np.ndarray, n_ranked: np.ndarray) -> np.ndarray | None:
    """Tier numbers (c, n) as float (NaN = not ranked) from scores (n, c) and ranks (c, n)."""
    t = spec.overall.tiers
    if t is None:
        return None
    c = ranks.shape[0]
    if t.method == "quantile":
        r = np.where(ranks > 0, ranks, np.nan).astype(np.float64)
        out = np.empty(r.shape)
        for d in range(c):
            out[d] = P.QuantileTiers(t.count).fit(int(n_ranked[d])).transform(r[d])
        return out
    cuts = P.CutTiers(t.cut_points)
    if t.basis == "score":
        return cuts.transform(score.T.copy())
    pct = spec.overall.percentile
    if pct is None:
        raise SpecError("overall.tiers: basis \"percentile\" needs overall.percentile")
    out = np.empty((c, score.shape[0]))
    for d in range(c):  # each draw's scores are their own reference
        out[d] = cuts.transform(P.make_normaliser(pct).fit_transform(score[:, d]))
    return out


# ------------------------------------------------------------------------------------------------
# factors: u in [0, 1] -> weights and choices
# ------------------------------------------------------------------------------------------------


def _factors(spec: IndexSpec, weights: WeightMode, choices: dict[str, tuple[str, ...]]) -> list[Factor]:
    out: list[Factor] = []
    if weights != "none":
        for node in spec.build_order():
            members = spec.members_of(node)
            w = spec.member_weights(node)
            pos = [m for m, x in zip(members, w) if x > 0]
            if len(pos) >= 2:
                out += [Factor(f"weight:{node.code}/{m}", "weight", "weights", node.code, m) for m in pos]
    for name in ("normalisation", "ties", "missing"):
        opts = choices.get(name, ())
        if len(opts) >= 2:
            out.append(Factor(name, "choice", name, options=tuple(opts)))
    return out


def _map_weights(spec: IndexSpec, factors: list[Factor], U: np.ndarray, mode: WeightMode,
                 concentration: float, spread: float) -> dict[str, np.ndarray]:
    """Member weights (rows, k) of every node for the factor values ``U`` (rows, D)."""
    from scipy.special import gammaincinv  # Gamma(a).ppf(u) without importing scipy.stats

    rows = U.shape[0]
    col = {f.name: j for j, f in enumerate(factors)}
    out: dict[str, np.ndarray] = {}
    for node in spec.build_order():
        members = spec.members_of(node)
        w0 = np.asarray(spec.member_weights(node), dtype=np.float64)
        W = np.repeat(w0[None, :], rows, axis=0)
        idx = [(j, col[f"weight:{node.code}/{m}"]) for j, m in enumerate(members)
               if f"weight:{node.code}/{m}" in col]
        if idx:
            js = [j for j, _ in idx]
            us = np.clip(U[:, [c for _, c in idx]], _U_EPS, 1 - _U_EPS)
            if mode == "dirichlet":
                S = float(w0[js].sum())
                a = concentration * len(js) * w0[js] / S
                g = gammaincinv(a[None, :], us)
                W[:, js] = S * g / g.sum(axis=1, keepdims=True)
            else:
                W[:, js] = w0[js][None, :] * (1.0 + spread * (2.0 * us - 1.0))
        out[node.code] = W
    return out


def _map_choices(factors: list[Factor], U: np.ndarray, fixed: dict[str, str | None]) -> list[tuple[str | None, str | None, str | None]]:
    keys: list[list[str | None]] = [[fixed.get("normalisation"), fixed.get("ties"), fixed.get("missing")]
                                    for _ in range(U.shape[0])]
    pos = {"normalisation": 0, "ties": 1, "missing": 2}
    for j, f in enumerate(factors):
        if f.kind != "choice":
            continue
        m = len(f.options)
        k = np.minimum((U[:, j] * m).astype(np.int64), m - 1)
        for r in range(U.shape[0]):
            keys[r][pos[f.name]] = f.options[int(k[r])]
    return [tuple(k) for k in keys]  # type: ignore[misc]


# ------------------------------------------------------------------------------------------------
# the evaluator
# ------------------------------------------------------------------------------------------------


class _Runner:
    """Evaluates ranks (and tier counts) for rows of factor values, chunked and on threads."""

    def __init__(self, spec: IndexSpec, df: pd.DataFrame, source: str, factors: list[Factor],
                 mode: WeightMode, concentration: float, spread: float, fixed: dict[str, str | None],
                 chunk: int, workers: int) -> None:
        self.spec = spec
        self.df = df
        self.source = source
        self.factors = factors
        self.mode = mode
        self.concentration = concentration
        self.spread = spread
        self.fixed = fixed
        self.chunk = chunk
        self.workers = workers
        self.variants: dict[tuple, _Variant] = {}
        self.n = len(df)
        self.n_tiers = spec.overall.tiers.count if spec.overall.tiers is not None else 0

    def variant(self, key: tuple) -> _Variant:
        if key not in self.variants:
            self.variants[key] = _prepare_variant(self.spec, self.df, self.source, key)
        return self.variants[key]

    def run(self, U: np.ndarray, rank_dtype: Any, nominal: np.ndarray | None = None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ranks (rows, n) of ``rank_dtype`` (0 = not ranked), tier counts (n, n_tiers) and the
        sum over ranked draws of ``|rank - nominal|`` per unit (n,)."""
        rows = U.shape[0]
        keys = _map_choices(self.factors, U, self.fixed)
        W = _map_weights(self.spec, self.factors, U, self.mode, self.concentration, self.spread)
        ranks = np.zeros((rows, self.n), dtype=rank_dtype)
        groups: dict[tuple, list[int]] = {}
        for r, k in enumerate(keys):
            groups.setdefault(k, []).append(r)
        jobs: list[tuple[tuple, np.ndarray]] = []
        for k in sorted(groups, key=lambda x: tuple("" if v is None else v for v in x)):
            self.variant(k)  # build variants up front, on this thread
            idx = np.asarray(groups[k], dtype=np.int64)
            for s in range(0, idx.size, self.chunk):
                jobs.append((k, idx[s:s + self.chunk]))

        nom = None if nominal is None else np.where(np.isfinite(nominal), nominal, 0).astype(np.int64)

        def one(job: tuple[tuple, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
            k, idx = job
            var = self.variants[k]
            w = {code: Wn[idx] for code, Wn in W.items()}
            score = _node_scores(self.spec, var, w, idx.size)  # (n, c)
            rk = need_ranks(score.T)
            ranks[idx] = rk
            counts = np.zeros((self.n, max(self.n_tiers, 1)), dtype=np.int64)
            if self.n_tiers:
                n_ranked = (rk > 0).sum(axis=1)
                tiers = _tiers(self.spec, score, rk, n_ranked)
                assert tiers is not None, "n_tiers > 0: the spec has tiers"
                for t in range(1, self.n_tiers + 1):
                    counts[:, t - 1] = (tiers == t).sum(axis=0)
            shift = np.zeros(self.n)
            if nom is not None:
                shift = np.where(rk > 0, np.abs(rk - nom[None, :]), 0).sum(axis=0, dtype=np.float64)
            return counts, shift

        total = np.zeros((self.n, max(self.n_tiers, 1)), dtype=np.int64)
        shift = np.zeros(self.n)
        results: Iterator[tuple[np.ndarray, np.ndarray]]
        if self.workers <= 1 or len(jobs) <= 1:
            results = map(one, jobs)
        else:
            ex = ThreadPoolExecutor(max_workers=self.workers)
            results = ex.map(one, jobs)
        for counts, sh in results:
            total += counts
            shift += sh
        if self.workers > 1 and len(jobs) > 1:
            ex.shutdown()
        return ranks, total, shift


# ------------------------------------------------------------------------------------------------
# result
# ------------------------------------------------------------------------------------------------


@dataclass
class SensitivityResult:
    """The outcome of :func:`sensitivity`.

    Attributes
    ----------
    spec : the spec analysed.
    units : one row per unit: id, ``nominal_rank`` and ``nominal_tier`` (the declared index, as
        :func:`compute_index` builds it), ``median_rank``, ``rank_p05``, ``rank_p95`` (5th and 95th
        percentiles of the rank over the draws, numpy's linear interpolation = R type 7 as COINr),
        ``rank_interval`` (p95 - p05), ``mean_abs_rank_shift`` (mean |rank - nominal rank|),
        ``p_ranked`` (share of draws in which the unit is ranked), one ``p_tier_<k>`` per tier
        (share of the ranked draws), ``modal_tier`` and ``p_nominal_tier``; sorted by nominal rank.
    tier_stability : one row per nominal tier: units, mean probability of staying, units that stay
        with probability >= 0.9 and < 0.5, and the mean probability of landing in each tier.
    sobol : one row per factor: ``S1``, ``ST`` (share of the rank variance summed over units,
        first-order and total), and ``S1_mars``, ``S1_mars_conf``, ``ST_mars``, ``ST_mars_conf``
        (SALib's indices of the mean absolute rank shift, COINr's summary output, with 95%
        bootstrap confidence half-widths). Empty without Sobol.
    factors : the factors varied.
    settings : the options used (draws, weights mode, concentration, spread, choices, seed).
    draws : number of Monte Carlo draws.
    """

    spec: IndexSpec
    units: pd.DataFrame
    tier_stability: pd.DataFrame
    sobol: pd.DataFrame
    factors: list[Factor]
    settings: dict[str, Any]
    draws: int
    summary: dict[str, Any] = field(default_factory=dict)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``units.csv``, ``tier_stability.csv``, ``sobol.csv`` and ``report.html`` (offline,
        plotly inlined) into ``out_dir``; returns the paths."""
        from equitable.index._io import write_table

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = [write_table(self.units, out / "units.csv"),
                 write_table(self.tier_stability, out / "tier_stability.csv"),
                 write_table(self.sobol, out / "sobol.csv")]
        html = out / "report.html"
        html.write_text(render_report(self), encoding="utf-8")
        paths.append(html)
        return paths


# ------------------------------------------------------------------------------------------------
# the public function
# ------------------------------------------------------------------------------------------------


def _options(name: str, given: Sequence[str] | None, allowed: Sequence[str]) -> tuple[str, ...]:
    if not given:
        return ()
    out = tuple(dict.fromkeys(str(g).strip() for g in given if str(g).strip()))
    bad = [g for g in out if g not in allowed]
    if bad:
        raise SpecError(f"sensitivity: unknown {name} option '{bad[0]}' (choose from {', '.join(allowed)})")
    return out


def _unit_stats(ranks: np.ndarray, chunk: int = 1024, workers: int = 1) -> dict[str, np.ndarray]:
    """Median, 5th and 95th percentile rank and share ranked, per unit (column of ``ranks``).

    Quantiles use numpy's default linear interpolation (R type 7, as COINr's ``quantile``) over
    the draws in which the unit is ranked (rank > 0). Ranks are small integers, so each unit's
    draws are sorted with numpy's radix sort (``kind="stable"``) and the quantiles read off the
    sorted order.
    """
    rows, n = ranks.shape
    out = {k: np.full(n, np.nan) for k in ("median_rank", "rank_p05", "rank_p95")}
    pr = np.zeros(n)

    def one(s: int) -> None:
        block = np.ascontiguousarray(ranks[:, s:s + chunk].T)  # (u, rows)
        block.sort(axis=1, kind="stable")
        z = (block == 0).sum(axis=1)
        m = rows - z
        pr[s:s + chunk] = m / rows
        for key, p in (("median_rank", 0.5), ("rank_p05", 0.05), ("rank_p95", 0.95)):
            pos = (m - 1) * p
            lo = np.floor(pos).astype(np.int64)
            hi = np.minimum(lo + 1, np.maximum(m - 1, 0))
            frac = pos - lo
            ok = m > 0
            ilo = np.where(ok, z + lo, 0)[:, None]
            ihi = np.where(ok, z + hi, 0)[:, None]
            a = np.take_along_axis(block, ilo, axis=1)[:, 0].astype(np.float64)
            b = np.take_along_axis(block, ihi, axis=1)[:, 0].astype(np.float64)
            out[key][s:s + chunk] = np.where(ok, a + (b - a) * frac, np.nan)

    starts = range(0, n, chunk)
    if workers > 1 and n > chunk:
        with ThreadPoolExecutor(max_workers=workers) as ex:
            list(ex.map(one, starts))
    else:
        for s in starts:
            one(s)
    out["p_ranked"] = pr
    return out


def _sobol_indices(runner: _Runner, factors: list[Factor], base_n: int, seed: int,
                   nominal: np.ndarray, rank_dtype: Any) -> pd.DataFrame:
    """Sobol indices from a Saltelli sample (SALib ``sample.sobol``, ``calc_second_order=False``).

    SALib lays the ``N (D + 2)`` rows out as blocks ``[A, AB_1 .. AB_D, B]``. For each unit the
    first-order and total estimators of Saltelli et al. (2010) (SALib ``first_order`` /
    ``total_order``, Jansen for the total) are computed on its ranks; the reported ``S1`` / ``ST``
    of a factor is their variance-weighted mean over units, i.e. the share of the summed rank
    variance ``sum_u Var(r_u)`` due to the factor. ``*_mars`` are SALib ``sobol.analyze`` on the
    scalar mean absolute rank shift from the nominal ranks (COINr's output), with bootstrap CIs.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.analyze.sobol import first_order, total_order
    from SALib.sample import sobol as sobol_sample

    D = len(factors)
    problem = {"num_vars": D, "names": [f.name for f in factors], "bounds": [[0.0, 1.0]] * D}
    X = sobol_sample.sample(problem, base_n, calc_second_order=False, seed=seed)
    ranks, _, _ = runner.run(X, rank_dtype)
    R = ranks.astype(np.float64)
    ok = (R > 0).all(axis=0)
    R = R[:, ok]
    step = D + 2
    mars = np.abs(R - nominal[ok][None, :]).mean(axis=1)
    mean = R.mean(axis=0)  # centred as SALib's analyze does (over all rows)
    A = R[0::step] - mean
    B = R[step - 1::step] - mean
    var = np.var(np.r_[A, B], axis=0)
    tot = float(var.sum())
    rows = []
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # SALib seeds its bootstrap only for a truthy seed: seed + 1 keeps seed 0 deterministic
        Si = sobol_analyze.analyze(problem, mars, calc_second_order=False, num_resamples=200,
                                   conf_level=0.95, seed=seed + 1)
    s1w = np.zeros(D)
    stw = np.zeros(D)
    for j in range(D):
        AB = R[j + 1::step] - mean
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s1 = first_order(A, AB, B)
            st = total_order(A, AB, B)
        s1w[j] = float((s1 * var).sum() / tot) if tot > 0 else 0.0
        stw[j] = float((st * var).sum() / tot) if tot > 0 else 0.0
    for j, f in enumerate(factors):
        rows.append({"factor": f.name, "group": f.group, "S1": s1w[j], "ST": stw[j],
                     "S1_mars": float(Si["S1"][j]), "S1_mars_conf": float(Si["S1_conf"][j]),
                     "ST_mars": float(Si["ST"][j]), "ST_mars_conf": float(Si["ST_conf"][j])})
    df = pd.DataFrame(rows)
    num = ["S1", "ST", "S1_mars", "S1_mars_conf", "ST_mars", "ST_mars_conf"]
    df[num] = df[num].round(6)
    return df


class _NoHugePages:
    """Turn off numpy's ``madvise(MADV_HUGEPAGE)`` on large arrays for the duration of a run.

    The chunked evaluation allocates many short-lived arrays of a few MB; on a loaded machine the
    kernel's transparent-huge-page faults made each allocation ~10x slower than the arithmetic.
    Results do not depend on it; the previous setting is restored on exit.
    """

    def __enter__(self) -> None:
        try:
            from numpy._core import multiarray as ma  # numpy >= 2
        except ImportError:  # pragma: no cover
            from numpy.core import multiarray as ma  # type: ignore[no-redef]
        self._set = getattr(ma, "_set_madvise_hugepage", None)
        self._prev = self._set(False) if self._set else None

    def __exit__(self, *exc: object) -> None:
        if self._set is not None:
            self._set(bool(self._prev))


def sensitivity(
    spec: IndexSpec,
    df: pd.DataFrame,
    *,
    draws: int = 1000,
    weights: WeightMode = "dirichlet",
    concentration: float = 10.0,
    spread: float = 0.25,
    normalisations: Sequence[str] | None = None,
    ties: Sequence[str] | None = None,
    missing: Sequence[str] | None = None,
    sobol: bool = True,
    sobol_n: int = 256,
    seed: int = 0,
    source: str | None = None,
    chunk: int = 256,
    workers: int | None = None,
) -> SensitivityResult:
    """Monte Carlo uncertainty analysis of an index's ranks and tiers, with Sobol indices.

    Parameters
    ----------
    spec : the index (:func:`equitable.index.load_spec`).
    df : the units, as for :func:`equitable.index.compute_index` (n rows).
    draws : Monte Carlo draws (>= 10) for the rank intervals and tier probabilities.
    weights : ``"dirichlet"`` (default; member weights of each node ~ Dirichlet centred on the
        declared shares), ``"uniform"`` (each weight within +-``spread`` of its declared value) or
        ``"none"`` (weights fixed).
    concentration : Dirichlet concentration per member (> 0): parameters
        ``a_j = concentration * k * w_j / sum(w)``; with k equal weights the share of a member has
        standard deviation ``sqrt(p (1 - p) / (k * concentration + 1))``, ``p = 1/k``. Larger =
        closer to the declared weights. Default 10.
    spread : half-width of the uniform perturbation as a fraction (0.25 = +-25%); in (0, 1).
    normalisations : options for every indicator's normalisation (``declared`` = the spec's own,
        ``percentile`` (the spec's percentile settings, or SVI-form ranks), ``zscore``,
        ``minmax``; identity indicators keep theirs); two or more make it a factor; one fixes it;
        None keeps the spec's.
    ties : percentile tie rules (``min``, ``max``, ``average``), as above.
    missing : missing-data rules (``exclude``, ``reweight``, ``impute_mean``, ``impute_median``,
        ``impute_zero``), as above.
    sobol : also estimate Sobol indices (a Saltelli sample of ``sobol_n * (D + 2)`` extra runs,
        D = number of factors).
    sobol_n : Saltelli base sample size, a power of 2 (SALib's Sobol' sequence needs it).
    seed : seed of the Monte Carlo draws and of the Sobol' scrambling (same seed, same bytes).
    source : input name for error messages (default ``df.attrs["source"]``).
    chunk : draws aggregated and ranked together (memory ~ ``3 * 8 * n * chunk`` bytes per
        worker).
    workers : threads (default ``EQUITABLE_THREADS`` or the CPU count, at most 4).

    Returns
    -------
    SensitivityResult

    Raises
    ------
    SpecError
        An unknown option, a bad count or parameter, or an option the spec cannot take (e.g.
        z-scores under a geometric mean).
    InputError
        As :func:`compute_index` for a malformed table.

    Notes
    -----
    OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, section 1.7 and Step 7
    ("Uncertainty and sensitivity analysis", pp. 117-131); COINr ``get_sensitivity()``;
    Saltelli et al. (2010) for the Sobol estimators. Discrete choices map ``u`` in [0, 1] to
    option ``floor(u * m)``; see the module docstring.
    """
    from threadpoolctl import threadpool_limits

    # BLAS on one thread per worker: the same summation order in every run (same bytes), and
    # the workers already use the cores.
    with _NoHugePages(), threadpool_limits(limits=1, user_api="blas"):
        return _sensitivity(spec, df, draws=draws, weights=weights, concentration=concentration,
                            spread=spread, normalisations=normalisations, ties=ties, missing=missing,
                            sobol=sobol, sobol_n=sobol_n, seed=seed, source=source, chunk=chunk,
                            workers=workers)


def _sensitivity(spec: IndexSpec, df: pd.DataFrame, *, draws: int, weights: WeightMode,
                 concentration: float, spread: float, normalisations: Sequence[str] | None,
                 ties: Sequence[str] | None, missing: Sequence[str] | None, sobol: bool,
                 sobol_n: int, seed: int, source: str | None, chunk: int,
                 workers: int | None) -> SensitivityResult:
    from equitable.index._audit import _published_columns

    src = source or df.attrs.get("source") or "<table>"
    # a published-style table (e.g. `equitable run`'s schools.csv) carries derived indicators
    # under their codes: read them from there when an expression's columns are absent
    spec, derived = _published_columns(spec, df)
    if not isinstance(draws, (int, np.integer)) or draws < 10:
        raise SpecError(f"sensitivity: --draws must be a whole number >= 10. Got {draws}")
    if weights not in ("dirichlet", "uniform", "none"):
        raise SpecError(f"sensitivity: weights must be dirichlet, uniform or none. Got {weights!r}")
    if not (concentration > 0 and math.isfinite(concentration)):
        raise SpecError(f"sensitivity: concentration must be > 0. Got {concentration}")
    if not (0 < spread < 1):
        raise SpecError(f"sensitivity: spread must be between 0 and 1 (a fraction, 0.25 = 25%). Got {spread}")
    if sobol and (sobol_n < 2 or sobol_n & (sobol_n - 1)):
        raise SpecError(f"sensitivity: sobol_n must be a power of 2 (e.g. 256). Got {sobol_n}")
    choices = {"normalisation": _options("normalisation", normalisations, NORMALISATIONS),
               "ties": _options("ties", ties, TIE_RULES),
               "missing": _options("missing", missing, MISSING_RULES)}
    fixed = {k: (v[0] if len(v) == 1 else None) for k, v in choices.items()}
    factors = _factors(spec, weights, choices)
    if not factors:
        raise SpecError(
            f"sensitivity: nothing to vary in spec {spec.name}: no node has two or more weighted "
            "members and no option lists two or more choices"
        )

    n_units = len(df)
    itemsize = 2 if n_units < 65535 else 4
    need = [("draws", int(draws) * n_units * itemsize)]
    if sobol:
        need.append(("Sobol runs", int(sobol_n) * (len(factors) + 2) * n_units * 8 * 3))
    for what, nbytes in need:
        if nbytes > _MAX_BYTES:
            raise SpecError(
                f"sensitivity: {what} over {n_units:,} units need {nbytes / 1e9:.1f} GB for the ranks "
                f"(limit {_MAX_BYTES / 1e9:.0f} GB); use fewer draws or a smaller --sobol-n"
            )
    nominal_res = compute_index(spec, df, source=src)
    agg = nominal_res.aggregated
    nominal_rank = agg["rank"].to_numpy(dtype=np.float64) if "rank" in agg else M.need_rank(
        agg[spec.score_column_of(spec.overall)].to_numpy(dtype=np.float64))
    nominal_tier = agg["tier_number"].to_numpy(dtype=np.float64) if "tier_number" in agg else None
    n = len(df)
    rank_dtype = np.uint16 if n < 65535 else np.int32
    runner = _Runner(spec, df, src, factors, weights, concentration, spread, fixed,
                     chunk=max(1, int(chunk)), workers=workers or _workers())
    rng = np.random.default_rng(seed)
    U = rng.random((int(draws), len(factors)))
    ranks, tier_counts, shift = runner.run(U, rank_dtype, nominal_rank)
    stats = _unit_stats(ranks, workers=runner.workers)
    del ranks
    ranked_draws = np.round(stats["p_ranked"] * draws)
    with np.errstate(all="ignore"):
        stats["mean_abs_rank_shift"] = np.where((ranked_draws > 0) & np.isfinite(nominal_rank),
                                                shift / ranked_draws, np.nan)

    ids = nominal_res.table[spec.id_column].to_numpy(dtype=object)
    units = pd.DataFrame({spec.id_column: ids})
    for c in spec.keep_columns:
        if c != spec.id_column and c in nominal_res.table:
            units[c] = nominal_res.table[c].to_numpy()
    units["nominal_rank"] = pd.arrays.IntegerArray(
        np.where(np.isfinite(nominal_rank), nominal_rank, 0).astype(np.int64), ~np.isfinite(nominal_rank))
    t = spec.overall.tiers
    labels = t.tier_labels if t is not None else []
    if t is not None:
        assert nominal_tier is not None, "compute_index writes tier_number when the spec has tiers"
        units["nominal_tier"] = [labels[int(x) - 1] if np.isfinite(x) else None for x in nominal_tier]
    units["median_rank"] = stats["median_rank"]
    units["rank_p05"] = stats["rank_p05"]
    units["rank_p95"] = stats["rank_p95"]
    units["rank_interval"] = stats["rank_p95"] - stats["rank_p05"]
    units["mean_abs_rank_shift"] = np.round(stats["mean_abs_rank_shift"], 4)
    units["p_ranked"] = np.round(stats["p_ranked"], 6)
    if t is not None:
        with np.errstate(all="ignore"):
            probs = tier_counts / np.where(ranked_draws > 0, ranked_draws, np.nan)[:, None]
        assert nominal_tier is not None, "compute_index writes tier_number when the spec has tiers"
        for k in range(t.count):
            units[f"p_tier_{k + 1}"] = np.round(probs[:, k], 6)
        modal = np.argmax(np.nan_to_num(probs, nan=-1), axis=1)
        units["modal_tier"] = [labels[m] if np.isfinite(probs[i, m]) else None for i, m in enumerate(modal)]
        pn = np.full(n, np.nan)
        okn = np.isfinite(nominal_tier)
        pn[okn] = probs[np.flatnonzero(okn), nominal_tier[okn].astype(np.int64) - 1]
        units["p_nominal_tier"] = np.round(pn, 6)
    order = np.lexsort((ids.astype(str), np.where(np.isfinite(nominal_rank), nominal_rank, np.inf)))
    units = units.iloc[order].reset_index(drop=True)

    stab_rows = []
    if t is not None:
        for k in range(1, t.count + 1):
            sel = units["nominal_tier"] == labels[k - 1]
            p = units.loc[sel, "p_nominal_tier"]
            row = {"tier": labels[k - 1], "units": int(sel.sum()),
                   "mean_p_same_tier": round(float(p.mean()), 6) if sel.any() else np.nan,
                   "units_p_ge_0.9": int((p >= 0.9).sum()), "units_p_lt_0.5": int((p < 0.5).sum())}
            for j in range(1, t.count + 1):
                row[f"mean_p_tier_{j}"] = round(float(units.loc[sel, f"p_tier_{j}"].mean()), 6) if sel.any() else np.nan
            stab_rows.append(row)
    stability = pd.DataFrame(stab_rows)

    sob = pd.DataFrame(columns=["factor", "group", "S1", "ST", "S1_mars", "S1_mars_conf", "ST_mars", "ST_mars_conf"])
    if sobol:
        sob = _sobol_indices(runner, factors, int(sobol_n), seed, nominal_rank, rank_dtype)

    settings = {"draws": int(draws), "weights": weights, "concentration": concentration,
                "spread": spread, "normalisations": list(choices["normalisation"]),
                "ties": list(choices["ties"]), "missing": list(choices["missing"]),
                "sobol": bool(sobol), "sobol_n": int(sobol_n) if sobol else None, "seed": int(seed),
                "factors": [f.name for f in factors], "indicators_read_by_code": derived}
    summary = {
        "units": n,
        "ranked_nominal": int(np.isfinite(nominal_rank).sum()),
        "median_rank_interval": float(np.nanmedian(units["rank_interval"])) if n else None,
        "mean_abs_rank_shift": float(np.nanmean(stats["mean_abs_rank_shift"])) if n else None,
    }
    if t is not None:
        p = units["p_nominal_tier"]
        summary["units_same_tier_p_ge_0.9"] = int((p >= 0.9).sum())
        summary["units_same_tier_p_lt_0.5"] = int((p < 0.5).sum())
    return SensitivityResult(spec, units, stability, sob, factors, settings, int(draws), summary)


# ------------------------------------------------------------------------------------------------
# the HTML report (offline: plotly.js inlined, no CDN)
# ------------------------------------------------------------------------------------------------


def render_report(res: SensitivityResult) -> str:
    """A self-contained HTML page: settings, tier stability, the rank-interval plot (units sorted
    by median rank, bars from the 5th to the 95th percentile rank) and the Sobol indices; written
    by the reports' shared page writer (:mod:`equitable.index._sensitivity_page`)."""
    from equitable.index._sensitivity_page import render_sensitivity_page

    return render_sensitivity_page(res)


def draw_ranks(spec: IndexSpec, df: pd.DataFrame, draws: int, *, weights: WeightMode = "dirichlet",
               concentration: float = 10.0, spread: float = 0.25, seed: int = 0,
               workers: int | None = None) -> tuple[list[dict[str, np.ndarray]], np.ndarray]:
    """The first ``draws`` weight draws of :func:`sensitivity` (same seed, same draws) and their
    need ranks (draws, n) (0 = not ranked). For checks and benchmarks: rebuilding the index with
    :func:`compute_index` and each draw's weights must give the same ranks."""
    factors = _factors(spec, weights, {})
    U = np.random.default_rng(seed).random((int(draws), len(factors)))
    W = _map_weights(spec, factors, U, weights, concentration, spread)
    runner = _Runner(spec, df, df.attrs.get("source") or "<table>", factors, weights, concentration,
                     spread, {}, chunk=256, workers=workers or _workers())
    from threadpoolctl import threadpool_limits

    with _NoHugePages(), threadpool_limits(limits=1, user_api="blas"):
        ranks, _, _ = runner.run(U, np.int32)
    return [{k: v[d] for k, v in W.items()} for d in range(int(draws))], ranks
