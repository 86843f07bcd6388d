"""The build of an index as a typed sequence of steps, each holding its fitted parts.

:func:`plan` turns a spec into the steps (:class:`Winsorise`, :class:`Normalise`,
:class:`Aggregate` per node in build order, :class:`NodePercentiles`, :class:`Rank`,
:class:`Tier`); :func:`run_steps` runs them on treated indicator values into a
:class:`BuildState`. With ``learning=True`` each step fits its parts (:mod:`equitable.index._parts`)
on the values it sees (the units are their own reference); with ``learning=False`` it only
transforms, against what an earlier run on a reference population learned. The steps, with
their fitted parts, are kept in the build's log, so the build can be replayed
(:func:`equitable.index.replay`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from equitable.errors import InputError, SpecError, location
from equitable.index import _methods as M
from equitable.index import _parts as P
from equitable.index._spec import IndexSpec, Node, Tiers

__all__ = ["BuildState", "NodeResult", "Step", "plan", "run_steps"]

_ROW_OFFSET = 2
_FLAG_OPS: dict[str, Callable[..., Any]] = {">=": np.greater_equal, ">": np.greater,
                                            "<=": np.less_equal, "<": np.less}


@dataclass
class NodeResult:
    """One node's columns, each (n,) float: ``score`` (rounded to ``decimals``), ``not_scored``
    (bool: too few indicators), ``excluded`` (bool: not scored, or an indicator member with the
    "exclude" rule missing), and when declared ``rescaled``, ``percentile``, ``flag_count``;
    the overall node also ``rank`` (1 = most need) and ``tier`` (1 = highest need)."""

    score: np.ndarray
    not_scored: np.ndarray
    excluded: np.ndarray
    rescaled: np.ndarray | None = None
    percentile: np.ndarray | None = None
    flag_count: np.ndarray | None = None
    rank: np.ndarray | None = None
    tier: np.ndarray | None = None
    passed: np.ndarray | None = None  # the value the parent aggregates


@dataclass
class BuildState:
    """What a build computed, per indicator code (each (n,)): ``treated`` values (winsorised),
    ``present`` (bool), ``norm`` (normalised and imputed), ``imputed`` (bool), ``flag`` (1, 0 or
    NaN, float32; only flagged indicators); per node code a :class:`NodeResult`."""

    n: int
    source: str
    treated: dict[str, np.ndarray] = field(default_factory=dict)
    present: dict[str, np.ndarray] = field(default_factory=dict)
    norm: dict[str, np.ndarray] = field(default_factory=dict)
    imputed: dict[str, np.ndarray] = field(default_factory=dict)
    flag: dict[str, np.ndarray] = field(default_factory=dict)
    nodes: dict[str, NodeResult] = field(default_factory=dict)


class Step:
    """One step of the build: ``run(spec, state, learning, log)`` fits its parts when
    ``learning`` and writes its results into ``state``; ``log`` (a list, or None for a reference
    pass) gets one entry per step with its settings and counts (no unit values)."""

    def run(self, spec: IndexSpec, state: BuildState, learning: bool,
            log: list[dict[str, Any]] | None) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def fitted(self) -> dict[str, dict[str, Any]]:
        """What the step's parts learned, keyed ``"part:CODE"`` (see ``IndexResult.fitted``)."""
        return {}


def _too_few(source: str, column: str, got: int, n: int, need: int) -> InputError:
    if need == 2:
        return InputError(f"{location(source, None, column)}: fewer than two units have a value to rank "
                          f"({got} of {n})")
    return InputError(f"{location(source, None, column)}: no unit has a nonzero value to rank")


@dataclass
class Winsorise(Step):
    """Clip one indicator's treated values to its reference quantiles."""

    code: str
    part: P.Winsoriser

    def fitted(self) -> dict[str, dict[str, Any]]:
        return {f"winsorise:{self.code}": self.part.fitted()}

    def run(self, spec: IndexSpec, state: BuildState, learning: bool,
            log: list[dict[str, Any]] | None) -> None:
        v = state.treated[self.code]
        if learning:
            self.part.fit(v)
        v = self.part.transform(v)
        state.treated[self.code] = v
        state.present[self.code] = np.isfinite(v)
        if log is not None:
            lo, hi = self.part.bounds_
            log.append({"step": "winsorise", "indicator": self.code, "quantiles": list(self.part.quantiles),
                        "bounds": [lo, hi]})


@dataclass
class IndicatorParts:
    """The parts of one indicator: its normaliser, imputer (missing rule ``impute_*``) and flag."""

    code: str
    normaliser: P.Normaliser
    missing_rule: str
    imputer: P.Imputer | None = None
    flag: Any = None  # the spec's Flag, or None


@dataclass
class Normalise(Step):
    """Normalise every indicator (the ``threaded`` parts, percentile ranks, together on a thread
    pool), then impute on the normalised scale and flag, indicator by indicator."""

    indicators: list[IndicatorParts]

    def fitted(self) -> dict[str, dict[str, Any]]:
        out = {}
        for p in self.indicators:
            out[f"normalise:{p.code}"] = p.normaliser.fitted()
            if p.imputer is not None:
                out[f"impute:{p.code}"] = p.imputer.fitted()
        return out

    def run(self, spec: IndexSpec, state: BuildState, learning: bool,
            log: list[dict[str, Any]] | None) -> None:
        n, source = state.n, state.source
        ranked = [p for p in self.indicators if p.normaliser.threaded]
        cols = [state.treated[p.code] for p in ranked]
        values = P.fit_transform_many([p.normaliser for p in ranked], cols, fit=learning)
        for p, vals in zip(ranked, values):
            nrm = p.normaliser
            if nrm.n_ < nrm.min_reference:
                ind = spec.indicator(p.code)
                raise _too_few(source, ind.rank_by or ind.column or ind.code, nrm.n_, n, nrm.min_reference)
            state.norm[p.code] = vals
        for p in self.indicators:
            ind = spec.indicator(p.code)
            nrm = p.normaliser
            v = state.treated[p.code]
            if not nrm.threaded:
                if learning:
                    nrm.fit(v)
                if nrm.n_ < nrm.min_reference:
                    raise _too_few(source, ind.rank_by or ind.column or ind.code,
                                   int(np.isfinite(v).sum()), n, 2)
                state.norm[p.code] = nrm.transform(v)
            # missing: imputation on the normalised scale, so imputed units move no one else
            miss = ~np.isfinite(state.norm[p.code])
            imputed = np.zeros(n, dtype=bool)
            if p.imputer is not None:
                if learning:
                    p.imputer.fit(state.norm[p.code])
                if miss.any():
                    state.norm[p.code], imputed = p.imputer.transform(state.norm[p.code])
            state.imputed[p.code] = imputed
            if p.flag is not None:
                x = state.norm[p.code]
                f = np.empty(n, dtype=np.float32)  # 1, 0 or NaN (missing)
                with np.errstate(invalid="ignore"):
                    _FLAG_OPS[p.flag.op](x, p.flag.threshold, out=f, casting="unsafe")
                f[~np.isfinite(x)] = np.nan
                state.flag[p.code] = f
            if log is not None:
                entry: dict[str, Any] = {
                    "step": "normalise", "indicator": ind.code, "column": ind.rank_by or ind.column,
                    "expression": ind.expression, "direction": ind.direction, "method": nrm.method,
                    "missing_codes": spec.missing_codes_of(ind), "missing_rule": p.missing_rule,
                    "n_missing": int(miss.sum()), "n_imputed": int(imputed.sum()),
                    "reference_n": int(nrm.n_)}
                entry.update(nrm.log_entry())
                if "cap" in entry:  # the spec's cap, as given (min-max ignores it)
                    entry["cap"] = spec.normalise_of(ind).cap
                log.append({k: v for k, v in entry.items() if v is not None})


@dataclass
class Aggregate(Step):
    """Aggregate one node's members (weights from the spec), with its optional rescaling or
    passed percentile (Catalyst California's domains), and count its members' flags."""

    code: str
    members: list[str]
    weights: np.ndarray
    aggregator: P.Aggregator
    rescaler: P.MaxRescaler | None = None
    percentile: P.Normaliser | None = None  # ranked here when passed, else by NodePercentiles

    def fitted(self) -> dict[str, dict[str, Any]]:
        out = {}
        if self.rescaler is not None:
            out[f"rescale:{self.code}"] = self.rescaler.fitted()
        if self.percentile is not None:
            out[f"percentile:{self.code}"] = self.percentile.fitted()
        return out

    def run(self, spec: IndexSpec, state: BuildState, learning: bool,
            log: list[dict[str, Any]] | None) -> None:
        n, source = state.n, state.source
        node = spec.node(self.code)
        members, w = self.members, self.weights
        mat = np.empty((len(members), n), dtype=np.float64)  # one contiguous row per member
        hard = np.zeros(n, dtype=bool)
        excluded = np.zeros(n, dtype=bool)
        for j, m in enumerate(members):
            if spec.is_indicator(m):
                col = state.norm[m]
                mat[j] = col
                if spec.missing_of(spec.indicator(m)) == "exclude":
                    excluded |= ~np.isfinite(col)
            else:
                member_passed = state.nodes[m].passed
                assert member_passed is not None, "set by the member's Aggregate, earlier in build order"
                col = member_passed
                mat[j] = col
                hard |= ~np.isfinite(col)
        hard |= excluded
        leaves = spec.leaves_of(node)
        not_scored = np.zeros(n, dtype=bool)
        if node.min_present is not None or node.min_present_share is not None:
            n_present = np.zeros(n, dtype=np.int64)
            for c in leaves:
                n_present += state.present[c]
            if node.min_present is not None:
                not_scored = n_present < node.min_present
            if node.min_present_share is not None:
                not_scored = not_scored | (n_present < node.min_present_share * len(leaves))
            hard = hard | not_scored
        agg = self.aggregator
        zero_units = None
        if agg.needs_nonnegative:
            neg = np.isfinite(mat) & (mat < 0)
            if neg.any():
                j = int(np.flatnonzero(neg.any(axis=1))[0])
                raise SpecError(
                    f"theme '{node.code}': {node.aggregation} needs values >= 0 but member "
                    f"'{members[j]}' has negative normalised values (use percentile or minmax)"
                )
            zero_units = _zero_members(spec, node, members, w, mat, hard, source, log)
        score = agg.transform(mat.T, w, hard_missing=hard)
        if zero_units is not None:  # zeros = "zero": the documented result (log(0) is not used)
            score[zero_units & ~hard] = 0.0
        score = M.round_to(score, node.decimals)
        res = NodeResult(score=score, not_scored=not_scored, excluded=excluded | not_scored)
        passed = score
        if self.rescaler is not None:
            if learning:
                self.rescaler.fit(score)
            passed = self.rescaler.transform(score)
            res.rescaled = passed
        if self.percentile is not None and node.pass_percentile:
            pct = self.percentile
            vals = pct.fit_transform(score) if learning else pct.transform(score)
            if pct.n_ < pct.min_reference:
                raise InputError(
                    f"{location(source, None, spec.score_column_of(node))}: fewer than two "
                    f"units have a score to rank ({pct.n_} of {n})"
                )
            res.percentile = vals
            passed = vals
        # flag counts: indicator flags and member nodes' counts; missing if any is missing
        fc = np.zeros(n, dtype=np.float32)
        has_flags = False
        for m in members:
            if spec.is_indicator(m):
                if m in state.flag:
                    fc = fc + state.flag[m]
                    has_flags = True
            elif (member_fc := state.nodes[m].flag_count) is not None:
                fc = fc + member_fc
                has_flags = True
        if has_flags:
            res.flag_count = fc
        res.passed = passed
        state.nodes[node.code] = res
        if log is not None:
            log.append({k: v for k, v in {
                "step": "aggregate", "node": node.code, "members": members,
                "weights": w.tolist(), "method": agg.method, "decimals": node.decimals,
                "min_present": node.min_present,
                "min_present_share": node.min_present_share,
                "pass_percentile": node.pass_percentile or None,
                "rescale": None if node.rescale is None else {
                    "to": node.rescale.to, "max": getattr(self.rescaler, "max_", None)},
                "percentile": None if node.percentile is None else node.percentile.model_dump(exclude_none=True),
                "n_scored": int(np.isfinite(score).sum()),
            }.items() if v is not None})


@dataclass
class NodePercentiles(Step):
    """The percentile of every node that declares one without passing it, all at once on the
    thread pool."""

    parts: dict[str, P.Normaliser]

    def fitted(self) -> dict[str, dict[str, Any]]:
        return {f"percentile:{code}": part.fitted() for code, part in self.parts.items()}

    def run(self, spec: IndexSpec, state: BuildState, learning: bool,
            log: list[dict[str, Any]] | None) -> None:
        codes = list(self.parts)
        parts = [self.parts[c] for c in codes]
        scores = [state.nodes[c].score for c in codes]
        values = P.fit_transform_many(parts, scores, fit=learning)
        for code, part, vals in zip(codes, parts, values):
            if part.n_ < part.min_reference:
                raise InputError(
                    f"{location(state.source, None, spec.score_column_of(spec.node(code)))}: fewer "
                    f"than two units have a score to rank ({part.n_} of {state.n})"
                )
            state.nodes[code].percentile = vals


@dataclass
class Rank(Step):
    """Need rank of the overall score (1 = most need) and the number of units ranked."""

    part: P.NeedRank

    def fitted(self) -> dict[str, dict[str, Any]]:
        return {"rank": self.part.fitted()}

    def run(self, spec: IndexSpec, state: BuildState, learning: bool,
            log: list[dict[str, Any]] | None) -> None:
        ov = state.nodes[spec.overall.code]
        ov.rank = self.part.fit_transform(ov.score) if learning else self.part.transform(ov.score)


@dataclass
class Tier(Step):
    """Tiers of the overall node: equal-count by need rank, or fixed cuts of the score or
    percentile; the log gets the tier summary (:func:`tier_entry`)."""

    part: P.QuantileTiers | P.CutTiers
    rank: P.NeedRank

    def run(self, spec: IndexSpec, state: BuildState, learning: bool,
            log: list[dict[str, Any]] | None) -> None:
        t = spec.overall.tiers
        assert t is not None
        ov = state.nodes[spec.overall.code]
        N = self.rank.n_
        if isinstance(self.part, P.QuantileTiers):
            if N < 2:
                raise InputError(f"{location(state.source, None, spec.score_column_of(spec.overall))}: "
                                 f"fewer than two units have a score to rank ({N} of {state.n})")
            self.part.fit(N)
            assert ov.rank is not None, "the Rank step runs before Tier (plan)"
            tier = self.part.transform(ov.rank)
        else:
            basis = ov.percentile if t.basis == "percentile" else ov.score
            if basis is None:
                raise SpecError("overall.tiers: basis \"percentile\" needs overall.percentile")
            tier = self.part.transform(basis)
        ov.tier = tier
        if log is not None:
            basis_vals = ov.score
            if t.method == "cuts" and t.basis == "percentile":
                assert ov.percentile is not None, "cut tiers on the percentile raised above without it"
                basis_vals = ov.percentile
            log.append(tier_entry(t, tier, basis_vals, N, learning))


def plan(spec: IndexSpec) -> list[Step]:
    """The steps of ``spec``'s build, unfitted, in the order they run."""
    steps: list[Step] = []
    for ind in spec.indicators:
        if ind.winsorise is not None:
            steps.append(Winsorise(ind.code, P.Winsoriser(ind.winsorise)))
    parts = []
    for ind in spec.indicators:
        rule = spec.missing_of(ind)
        parts.append(IndicatorParts(
            code=ind.code,
            normaliser=P.make_normaliser(spec.normalise_of(ind), ind.direction == "lower_is_more_need"),
            missing_rule=rule,
            imputer=P.Imputer(rule) if rule.startswith("impute") else None,
            flag=spec.flag_of(ind)))
    steps.append(Normalise(parts))
    deferred: dict[str, P.Normaliser] = {}
    for node in spec.build_order():
        pct = P.make_normaliser(node.percentile) if node.percentile is not None else None
        steps.append(Aggregate(
            code=node.code, members=spec.members_of(node),
            weights=np.asarray(spec.member_weights(node), dtype=np.float64),
            aggregator=P.make_aggregator(node.aggregation),
            rescaler=P.MaxRescaler(node.rescale.to) if node.rescale is not None else None,
            percentile=pct if node.pass_percentile else None))
        if pct is not None and not node.pass_percentile:
            deferred[node.code] = pct
    steps.append(NodePercentiles(deferred))
    ov = spec.overall
    if ov.rank_column or ov.tiers is not None:
        rank = P.NeedRank()
        steps.append(Rank(rank))
        if ov.tiers is not None:
            t = ov.tiers
            part = P.QuantileTiers(t.count) if t.method == "quantile" else P.CutTiers(t.cut_points)
            steps.append(Tier(part, rank))
    return steps


def run_steps(spec: IndexSpec, steps: list[Step], X: dict[str, np.ndarray], n: int, source: str,
              learning: bool, log: list[dict[str, Any]] | None) -> BuildState:
    """Run ``steps`` on treated values ``X`` (code -> (n,) array); see the module docstring."""
    state = BuildState(n=n, source=source)
    for ind in spec.indicators:
        v = X[ind.code]
        state.treated[ind.code] = v
        state.present[ind.code] = np.isfinite(v)
    for step in steps:
        step.run(spec, state, learning, log)
    return state


# ------------------------------------------------------------------------------------------------
# helpers of the steps
# ------------------------------------------------------------------------------------------------


def tier_entry(t: Tiers, tier: np.ndarray, basis: np.ndarray, n_ranked: int, own_reference: bool) -> dict[str, Any]:
    """The log entry of the tier step: units and score range per tier, cut scores, warnings.

    ``cut_scores``: for quantile tiers the lowest score in each tier but the last (a unit scoring
    at least ``cut_scores[k]`` is in tier ``k + 1`` or a higher-need one; None for an empty tier);
    for fixed cuts, the cuts on ``basis``. Warnings: a tier with no unit; quantile tiers whose
    sizes differ from the untied split ``floor((r - 1) n / N) + 1`` of ranks 1..N because tied
    units share a tier (only when the units are their own reference).
    """
    labels = t.tier_labels
    counts = [int((tier == k).sum()) for k in range(1, t.count + 1)]
    rows = []
    for k, lab in enumerate(labels, start=1):
        v = basis[tier == k]
        v = v[np.isfinite(v)]
        rows.append({"tier": lab, "units": counts[k - 1],
                     "min_score": float(v.min()) if v.size else None,
                     "max_score": float(v.max()) if v.size else None})
    if t.method == "quantile":
        cuts = [r["min_score"] for r in rows[:-1]]
    else:
        cuts = [float(c) for c in t.cut_points]
    warnings: list[str] = []
    untied_counts = None
    if t.method == "quantile" and own_reference and n_ranked > 0:
        r = np.arange(1, n_ranked + 1)
        untied = np.bincount(np.floor((r - 1) * t.count / n_ranked).astype(np.int64),
                             minlength=t.count)[: t.count]
        untied_counts = [int(c) for c in untied]
        if counts != untied_counts:
            warnings.append(
                "tied scores make the quantile tiers unequal: "
                + ", ".join(f"'{lab}' {c}" for lab, c in zip(labels, counts))
                + " units (without ties: " + ", ".join(str(int(c)) for c in untied)
                + "); tied units share the higher-need tier"
            )
    for k, (lab, c) in enumerate(zip(labels, counts)):
        if c == 0:
            if t.method == "cuts":
                why = f"no unit's {t.basis} falls between its cuts"
            elif not own_reference:
                why = "no unit of the input falls in it (tiers come from the reference population)"
            elif untied_counts is not None and untied_counts[k] == 0:
                why = f"fewer units are ranked ({n_ranked}) than there are tiers ({t.n})"
            else:
                why = "every unit tied at its boundary went to a higher-need tier"
            warnings.append(f"tier '{lab}' is empty: {why}")
    return {"step": "tiers", "method": t.method, "n": t.n, "cuts": t.cuts, "basis": t.basis,
            "labels": labels, "n_ranked": n_ranked, "counts": counts, "untied_counts": untied_counts,
            "tiers": rows, "cut_scores": cuts, "warnings": warnings}


def describe_member(spec: IndexSpec, code: str) -> str:
    """A member's scale in words for messages, e.g. "min-max to [0, 100]"."""
    if not spec.is_indicator(code):
        return f"the score of '{code}'"
    return P.make_normaliser(spec.normalise_of(spec.indicator(code))).describe()


def _zero_members(spec: IndexSpec, node: Node, members: list[str], w: np.ndarray, mat: np.ndarray,
                  hard: np.ndarray, source: str, log: list[dict[str, Any]] | None) -> np.ndarray | None:
    """Units with a member value of exactly 0 (weight > 0) under a geometric mean or product.

    ``zeros = "error"``: a SpecError naming the first such member, its normalisation, how many
    units and the first unit's row. ``zeros = "zero"``: the units (their result is set to 0),
    counted per member in the log. None when there are none.
    """
    zero = (mat == 0) & (w[:, None] > 0) & ~hard[None, :]  # (k, n)
    if not zero.any():
        return None
    kind = "overall" if node is spec.overall else "theme"
    counts = {m: int(zero[j].sum()) for j, m in enumerate(members) if zero[j].any()}
    if node.zeros == "error":
        j = next(j for j in range(len(members)) if zero[j].any())
        m = members[j]
        first = int(np.flatnonzero(zero[j])[0])
        raise SpecError(
            f"{kind} '{node.code}': {node.aggregation} of a 0: member '{m}' ({describe_member(spec, m)}) "
            f"is 0 for {counts[m]} unit(s) of {source} (first at row {first + _ROW_OFFSET}); "
            f"the result would be 0 whatever the other members are. Use normalise = "
            f"{{ method = \"minmax\", range = [1, 100] }} or set zeros = \"zero\" on {kind} '{node.code}'"
        )
    units = zero.any(axis=0)
    if log is not None:
        log.append({"step": "zeros", "node": node.code, "rule": "zero", "method": node.aggregation,
                    "units": int(units.sum()), "by_member": counts})
    return units
