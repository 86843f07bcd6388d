"""The parts an index is built from: normalisers, imputers, winsorisers, aggregators, rescalers,
need ranks and tiers, each a small class with scikit-learn's ``fit`` / ``transform`` shape.

``fit(reference)`` learns what the part needs from the reference population (the units
themselves, or e.g. the whole state) into attributes with a trailing underscore (``n_``,
``mean_``, ``bounds_``...), and returns the part; ``transform(values)`` places values against what
was learned. A part that has not been fitted raises ``NotFittedError`` from ``transform``.
``fit_transform(x)`` is ``fit(x).transform(x)`` (faster for a percentile rank: one sort).

Shapes: a normaliser's ``values`` are ``(n,)`` floats, NaN = missing, or ``(n, d)`` to place
``d`` columns (e.g. ``d`` weight draws' scores) against the one reference, column by column. An
aggregator's ``values`` are ``(n, k)`` member values and its ``weights`` ``(k,)`` (one weighting,
result ``(n,)``) or ``(d, k)`` (``d`` weight draws at once, result ``(n, d)``, as sensitivity
analysis uses).

Registries
----------
:data:`NORMALISERS` maps a spec's ``normalise.method`` to its class and :data:`AGGREGATORS` a
node's ``aggregation``. The engine (:mod:`equitable.index._engine`), the sensitivity analysis
(:mod:`equitable.index._sensitivity`) and the audit (:mod:`equitable.index._audit`) take their
parts from here, so a method is written once.

**Adding a normalisation method** is one class in this module and its tests::

    @register_normaliser
    class Rank01(Normaliser):
        '''Rank / N (the source: document, page or section).'''
        method = "rank01"          # the spec's ``normalise.method``
        suffix = "rank01"          # default output column ``{code}_{suffix}``
        def fit(self, reference): ...            # learn ``n_`` (and anything else) from it
        def transform(self, values): ...         # (n,) -> (n,); NaN stays NaN
        def describe(self) -> str: ...           # "rank / N", for messages

The spec accepts every registered ``method`` (:class:`equitable.index._spec.Normalise`), the
engine and the sensitivity analysis use it through this interface. An aggregator is added the
same way with :func:`register_aggregator` (``transform`` for units with members missing,
``finish`` for the all-present matrix form).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

import numpy as np

from equitable.index import _methods as M

__all__ = [
    "AGGREGATORS",
    "NORMALISERS",
    "Aggregator",
    "CutTiers",
    "Identity",
    "Imputer",
    "MaxRescaler",
    "MinMax",
    "NeedRank",
    "Normaliser",
    "NotFittedError",
    "PercentileRank",
    "QuantileTiers",
    "Winsoriser",
    "ZScore",
    "fit_transform_many",
    "make_aggregator",
    "make_normaliser",
    "register_aggregator",
    "register_normaliser",
]


class NotFittedError(RuntimeError):
    """``transform`` was called on a part before ``fit``."""


class _Part:
    """Base of every part: ``fit`` learns trailing-underscore attributes, ``transform`` uses them."""

    _learned: ClassVar[tuple[str, ...]] = ()

    def _check_fitted(self) -> None:
        if any(not hasattr(self, a) for a in self._learned):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(reference) first")

    def fitted(self) -> dict[str, Any]:
        """What was learned, by attribute name without the underscore (arrays left out)."""
        out = {}
        for a in self._learned:
            v = getattr(self, a, None)
            if not isinstance(v, np.ndarray):
                out[a.rstrip("_")] = v
        return out

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_"))
        return f"{type(self).__name__}({params})"


def _columns(values: np.ndarray, one: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Apply ``one`` to a (n,) array, or column by column to a (n, d) array."""
    x = np.asarray(values, dtype=np.float64)
    if x.ndim == 1:
        return one(x)
    out = np.empty(x.shape)
    for d in range(x.shape[1]):
        out[:, d] = one(np.ascontiguousarray(x[:, d]))
    return out


# ------------------------------------------------------------------------------------------------
# normalisers
# ------------------------------------------------------------------------------------------------


class Normaliser(_Part):
    """Turns an indicator's values into comparable scores.

    Subclasses set ``method`` (the spec's name) and ``suffix`` (default output column suffix) and
    implement ``fit`` and ``transform``. ``reverse`` is True for a ``lower_is_more_need``
    indicator. Every normaliser learns ``n_``, the reference units with a value.
    """

    method: ClassVar[str]
    suffix: ClassVar[str]
    #: fewest reference values that can be placed against (fewer: the engine's one-line error)
    min_reference: ClassVar[int] = 2
    #: the part sorts (releasing the GIL): the engine fits such columns together on threads
    threaded: ClassVar[bool] = False
    #: learned by ``fit``: the reference units with a value (declared only: unset until fitted)
    n_: int

    def __init__(self, *, scale: float = 1.0, decimals: int | None = None, reverse: bool = False) -> None:
        self.scale = float(scale)
        self.decimals = decimals
        self.reverse = reverse

    @classmethod
    def from_spec(cls, nm: Any, reverse: bool = False) -> Normaliser:
        """The part for a spec's :class:`~equitable.index._spec.Normalise` settings."""
        return cls(scale=nm.effective_scale, decimals=nm.decimals, reverse=reverse)

    def fit(self, reference: np.ndarray) -> Normaliser:  # pragma: no cover - abstract
        raise NotImplementedError

    def transform(self, values: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        """``fit(x).transform(x)``: ``x`` placed among its own values."""
        return self.fit(x).transform(x)

    def describe(self) -> str:
        """The scale in words for messages, e.g. "min-max to [0, 100]"."""
        return self.method

    def log_entry(self) -> dict[str, Any]:
        """Settings and learned values for the build's log."""
        return {}


NORMALISERS: dict[str, type[Normaliser]] = {}
"""``normalise.method`` -> normaliser class (see the module docstring to add one)."""


def register_normaliser(cls: type[Normaliser]) -> type[Normaliser]:
    """Class decorator: make ``cls`` available as ``normalise.method = cls.method``."""
    NORMALISERS[cls.method] = cls
    return cls


def make_normaliser(nm: Any, reverse: bool = False) -> Normaliser:
    """The unfitted normaliser for spec settings ``nm`` (``reverse``: lower value = more need)."""
    return NORMALISERS[nm.method].from_spec(nm, reverse)


@register_normaliser
class PercentileRank(Normaliser):
    """Percentile rank among the reference units (:func:`equitable.index._methods.percentile_rank`).

    ``form="svi"``: ``(rank - 1) / (N - 1)`` (CDC/ATSDR SVI 2022 Documentation, "Data and
    methods"); ``form="ces"``: ``rank / N`` over nonzero values, zeros get 0, times 100 (OEHHA
    CalEnviroScreen 4.0 report, "Scoring"). ``ties``: ``min`` / ``max`` / ``average``;
    ``inverse``: how ``reverse`` is done (``negate`` or ``complement``, SVI 2018 ``EPL_PCI``).
    Learns ``reference_`` (the reference values, NaN kept) and ``n_`` (values ranked among).
    """

    method = "percentile"
    suffix = "pctl"
    threaded = True
    _learned = ("reference_", "n_")

    def __init__(self, *, form: str = "svi", ties: str = "min", scale: float | None = None,
                 decimals: int | None = None, reverse: bool = False, inverse: str = "negate") -> None:
        super().__init__(scale=(100.0 if form == "ces" else 1.0) if scale is None else scale,
                         decimals=decimals, reverse=reverse)
        self.form = form
        self.ties = ties
        self.inverse = inverse

    @property
    def min_reference(self) -> int:  # type: ignore[override]
        return 2 if self.form == "svi" else 1

    @classmethod
    def from_spec(cls, nm: Any, reverse: bool = False) -> PercentileRank:
        return cls(form=nm.form, ties=nm.ties, scale=nm.effective_scale, decimals=nm.decimals,
                   reverse=reverse, inverse=nm.inverse)

    def _kw(self) -> dict[str, Any]:
        return {"form": self.form, "ties": self.ties, "scale": self.scale, "decimals": self.decimals,
                "reverse": self.reverse, "inverse": self.inverse}

    def fit(self, reference: np.ndarray) -> PercentileRank:
        r = np.asarray(reference, dtype=np.float64)
        self.reference_ = r
        # N as percentile_rank counts it: finite values (nonzero ones for the ces form)
        y = -r if (self.reverse and self.inverse == "negate") else r
        ok = np.isfinite(y) & (y != 0) if self.form == "ces" else np.isfinite(y)
        self.n_ = int(ok.sum())
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        self._check_fitted()
        return _columns(values, lambda x: M.percentile_rank(x, self.reference_, **self._kw())[0])

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        vals, n = M.percentile_rank(x, None, **self._kw())  # one sort, ties read off it
        self.reference_, self.n_ = x, int(n)
        return vals

    def describe(self) -> str:
        return f"percentile ({self.form} form) on [0, {self.scale:g}]"

    def log_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"form": self.form, "ties": self.ties, "scale": self.scale,
                                 "decimals": self.decimals}
        if self.reverse:
            entry["inverse"] = self.inverse
        return entry


@register_normaliser
class ZScore(Normaliser):
    """``(x - mean) / sd`` with the reference's mean and n-1 standard deviation, capped at
    +-``cap`` when given, negated when ``reverse`` (OECD/JRC Handbook on Constructing Composite
    Indicators (2008), section 5, "Standardisation (or z-scores)"). Learns ``mean_``, ``sd_``,
    ``n_``."""

    method = "zscore"
    suffix = "z"
    _learned = ("mean_", "sd_", "n_")

    def __init__(self, *, cap: float | None = None, scale: float = 1.0, decimals: int | None = None,
                 reverse: bool = False) -> None:
        super().__init__(scale=scale, decimals=decimals, reverse=reverse)
        self.cap = cap

    @classmethod
    def from_spec(cls, nm: Any, reverse: bool = False) -> ZScore:
        return cls(cap=nm.cap, scale=nm.effective_scale, decimals=nm.decimals, reverse=reverse)

    def fit(self, reference: np.ndarray) -> ZScore:
        r = np.asarray(reference, dtype=np.float64)
        rv = r[np.isfinite(r)]
        self.mean_ = float(rv.mean()) if rv.size else np.nan
        self.sd_ = float(rv.std(ddof=1)) if rv.size > 1 else np.nan
        self.n_ = int(rv.size)
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        self._check_fitted()

        def one(x: np.ndarray) -> np.ndarray:
            mean, sd = self.mean_, self.sd_
            z = (x - mean) / sd if sd and np.isfinite(sd) else np.full(x.shape, np.nan)
            if self.reverse:
                z = -z
            if self.cap is not None:
                z = np.clip(z, -self.cap, self.cap)
            return M.round_to(z * self.scale, self.decimals)

        return _columns(values, one)

    def describe(self) -> str:
        return "z-scores"

    def log_entry(self) -> dict[str, Any]:
        return {"mean": self.mean_, "sd": self.sd_, "decimals": self.decimals, "cap": self.cap}


@register_normaliser
class MinMax(Normaliser):
    """``(x - min) / (max - min)`` over the reference (``(max - x) / (max - min)`` when
    ``reverse``), clipped to [0, 1], times ``scale``; with ``to_range = (a, b)``
    ``a + (b - a) u`` instead (COINr documentation, "Normalisation": ``n_minmax(l_u = c(a, b))``).
    Every reference value equal: each unit gets the low end. Learns ``min_``, ``max_``, ``n_``."""

    method = "minmax"
    suffix = "minmax"
    _learned = ("min_", "max_", "n_")

    def __init__(self, *, scale: float = 1.0, decimals: int | None = None, reverse: bool = False,
                 to_range: tuple[float, float] | None = None) -> None:
        super().__init__(scale=scale, decimals=decimals, reverse=reverse)
        self.to_range = to_range

    @classmethod
    def from_spec(cls, nm: Any, reverse: bool = False) -> MinMax:
        return cls(scale=nm.effective_scale, decimals=nm.decimals, reverse=reverse, to_range=nm.range)

    def fit(self, reference: np.ndarray) -> MinMax:
        r = np.asarray(reference, dtype=np.float64)
        rv = r[np.isfinite(r)]
        self.min_ = float(rv.min()) if rv.size else np.nan
        self.max_ = float(rv.max()) if rv.size else np.nan
        self.n_ = int(rv.size)
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        self._check_fitted()

        def one(x: np.ndarray) -> np.ndarray:
            lo, hi = self.min_, self.max_
            span = hi - lo
            a, b = (0.0, self.scale) if self.to_range is None else (float(self.to_range[0]),
                                                                    float(self.to_range[1]))
            if not (span > 0):
                return np.where(np.isfinite(x), a, np.nan)
            v = (hi - x) / span if self.reverse else (x - lo) / span
            v = np.clip(v, 0.0, 1.0)
            v = v * b if self.to_range is None else a + (b - a) * v
            return M.round_to(v, self.decimals)

        return _columns(values, one)

    def describe(self) -> str:
        lo, hi = self.to_range if self.to_range is not None else (0.0, self.scale)
        return f"min-max to [{lo:g}, {hi:g}]"

    def log_entry(self) -> dict[str, Any]:
        return {"min": self.min_, "max": self.max_, "decimals": self.decimals, "cap": None}


@register_normaliser
class Identity(Normaliser):
    """The value as given, times ``scale``, rounded to ``decimals`` (e.g. a published
    percentile). Learns only ``n_``."""

    method = "identity"
    suffix = "value"
    min_reference = 0
    _learned = ("n_",)

    def fit(self, reference: np.ndarray) -> Identity:
        self.n_ = int(np.isfinite(np.asarray(reference, dtype=np.float64)).sum())
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        self._check_fitted()
        return M.round_to(np.asarray(values, dtype=np.float64) * self.scale, self.decimals)

    def describe(self) -> str:
        return "the values as given"


def fit_transform_many(parts: Sequence[Normaliser], columns: Sequence[np.ndarray], *,
                       fit: bool = True, workers: int | None = None) -> list[np.ndarray]:
    """``parts[i].fit_transform(columns[i])`` (``fit=False``: ``parts[i].transform(columns[i])``,
    against what each part learned before) for many columns, spread over a thread pool: numpy's
    sorts release the GIL, so two cores rank two columns at once."""
    k = len(parts)
    w = min(workers or M._workers(), k) if k else 1

    def one(i: int) -> np.ndarray:
        return parts[i].fit_transform(columns[i]) if fit else parts[i].transform(columns[i])

    if w <= 1 or k <= 1:
        return [one(i) for i in range(k)]
    with ThreadPoolExecutor(max_workers=w) as ex:
        return list(ex.map(one, range(k)))


# ------------------------------------------------------------------------------------------------
# treatment: winsorising and imputation
# ------------------------------------------------------------------------------------------------


class Winsoriser(_Part):
    """Clip values to the reference's ``quantiles`` (numpy's linear quantiles; OECD/JRC Handbook
    (2008), section 3, "Outliers"). Learns ``bounds_ = (low, high)``."""

    _learned = ("bounds_",)

    def __init__(self, quantiles: tuple[float, float]) -> None:
        self.quantiles = (float(quantiles[0]), float(quantiles[1]))

    def fit(self, reference: np.ndarray) -> Winsoriser:
        r = np.asarray(reference, dtype=np.float64)
        fv = r[np.isfinite(r)]
        lo, hi = (np.quantile(fv, self.quantiles) if fv.size else (np.nan, np.nan))
        self.bounds_ = (float(lo), float(hi))
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        self._check_fitted()
        lo, hi = self.bounds_
        v = np.asarray(values, dtype=np.float64)
        return np.where(np.isfinite(v), np.clip(v, lo, hi), np.nan)


class Imputer(_Part):
    """Fill a missing normalised value with the reference's mean (``impute_mean``), median
    (``impute_median``) or 0 (``impute_zero``) of the normalised values (OECD/JRC Handbook
    (2008), section 2, "Imputation of missing data": unconditional mean / median
    substitution). Imputation is on the normalised scale, so imputed units move no one else.
    Learns ``fill_``."""

    _learned = ("fill_",)
    RULES: ClassVar[tuple[str, ...]] = ("impute_mean", "impute_median", "impute_zero")

    def __init__(self, rule: str) -> None:
        if rule not in self.RULES:
            raise ValueError(f"unknown imputation rule {rule!r}")
        self.rule = rule

    def fit(self, reference: np.ndarray) -> Imputer:
        rv = np.asarray(reference, dtype=np.float64)
        rv = rv[np.isfinite(rv)]
        if self.rule == "impute_mean":
            self.fill_ = float(rv.mean()) if rv.size else np.nan
        elif self.rule == "impute_median":
            self.fill_ = float(np.median(rv)) if rv.size else np.nan
        else:
            self.fill_ = 0.0
        return self

    def transform(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(filled values, bool mask of the units filled)."""
        self._check_fitted()
        v = np.asarray(values, dtype=np.float64)
        miss = ~np.isfinite(v)
        if not miss.any():
            return v, miss
        out = v.copy()
        out[miss] = self.fill_
        return out, miss


# ------------------------------------------------------------------------------------------------
# aggregators
# ------------------------------------------------------------------------------------------------


class Aggregator(_Part):
    """Combines member values with weights (nothing to learn: ``fit`` returns the part).

    ``transform(values (n, k), weights (k,) or (d, k), hard_missing)`` handles members missing
    per unit (re-weighting over the members present, :func:`equitable.index._methods.aggregate`);
    ``transform_complete`` and ``transform_members`` are the batched all-present forms used
    for many weight draws at once, with ``prepare`` (the values summed: ``v`` or ``log v``) and
    ``finish(s, total)`` (from the weighted sum ``s`` and total weight to the result).
    """

    method: ClassVar[str]
    uses_logs: ClassVar[bool] = False
    #: member values must be >= 0 (a 0 makes the result 0)
    needs_nonnegative: ClassVar[bool] = False

    def fit(self, reference: np.ndarray | None = None) -> Aggregator:
        return self

    def transform(self, values: np.ndarray, weights: np.ndarray,
                  hard_missing: np.ndarray | None = None) -> np.ndarray:
        """(n,) for (k,) weights, (n, d) for (d, k) weights; NaN where no member is present or
        ``hard_missing``."""
        return M.aggregate(values, weights, self.method, hard_missing=hard_missing)

    def prepare(self, values: np.ndarray) -> np.ndarray:
        """What is summed with the weights: the values, or their logs."""
        if self.uses_logs:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.log(values)
        return values

    def finish(self, s: np.ndarray, total: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """From ``s = sum_j w_j prepare(v_j)`` (n, d) and ``total = sum_j w_j`` (d,), in place."""
        raise NotImplementedError

    def transform_complete(self, prepared: np.ndarray, W: np.ndarray) -> np.ndarray:
        """Units with every member present: ``prepared`` (m, k) from :meth:`prepare`, ``W`` (d, k)
        -> (m, d) by one matrix product. NaN for a draw whose weights sum to 0."""
        total = W.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            s = prepared @ W.T
            s = self.finish(s, total)
            if (total <= 0).any():
                s[:, total <= 0] = np.nan
        return s

    def transform_members(self, cols: Sequence[np.ndarray], W: np.ndarray) -> np.ndarray:
        """Members whose values differ per draw: ``cols[j]`` (n, d), ``W`` (d, k) -> (n, d), every
        member present (a member node's missing value makes the unit missing, so ``s`` is NaN)."""
        total = W.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            s = self.prepare(cols[0]) * W[None, :, 0]
            for j in range(1, len(cols)):
                s += self.prepare(cols[j]) * W[None, :, j]
            out = self.finish(s, total)
        out[:, total <= 0] = np.nan
        return out


AGGREGATORS: dict[str, type[Aggregator]] = {}
"""A node's ``aggregation`` -> aggregator class."""


def register_aggregator(cls: type[Aggregator]) -> type[Aggregator]:
    """Class decorator: make ``cls`` available as ``aggregation = cls.method``."""
    AGGREGATORS[cls.method] = cls
    return cls


def make_aggregator(method: str) -> Aggregator:
    """The aggregator for a node's ``aggregation``."""
    return AGGREGATORS[method]()


@register_aggregator
class Sum(Aggregator):
    """Weighted sum ``sum_j w_j v_j``; a unit missing members is rescaled by ``total weight /
    weight present`` (CDC/ATSDR SVI 2022 Documentation, "Data and methods": theme and overall
    sums of percentile ranks)."""

    method = "sum"

    def finish(self, s: np.ndarray, total: np.ndarray) -> np.ndarray:
        return s


@register_aggregator
class Mean(Aggregator):
    """Weighted mean over the members present (OEHHA CalEnviroScreen 4.0 report, "Scoring":
    component scores are averages of indicator percentiles)."""

    method = "mean"

    def finish(self, s: np.ndarray, total: np.ndarray) -> np.ndarray:
        s /= total[None, :]
        return s


@register_aggregator
class GeometricMean(Aggregator):
    """``exp(sum w log v / sum w)`` over the members present (OECD/JRC Handbook (2008),
    section 6.2, "Geometric aggregation"); values must be >= 0."""

    method = "geometric_mean"
    uses_logs = True
    needs_nonnegative = True

    def finish(self, s: np.ndarray, total: np.ndarray) -> np.ndarray:
        s /= total[None, :]
        np.exp(s, out=s)
        return s


@register_aggregator
class Product(Aggregator):
    """``prod v ** w`` over the members present (OEHHA CalEnviroScreen 4.0 report, "Scoring":
    Pollution Burden x Population Characteristics)."""

    method = "product"
    uses_logs = True
    needs_nonnegative = True

    def finish(self, s: np.ndarray, total: np.ndarray) -> np.ndarray:
        np.exp(s, out=s)
        return s


# ------------------------------------------------------------------------------------------------
# node parts: rescaling, need rank, tiers
# ------------------------------------------------------------------------------------------------


class MaxRescaler(_Part):
    """``x / max(reference) * to`` (OEHHA CalEnviroScreen 4.0 report, "Scoring": Pollution
    Burden and Population Characteristics scaled to 10 by the statewide maximum). Learns
    ``max_``. Batched: ``(n, d)`` values rescale each column by its own maximum (``fit_transform``),
    as each weight draw is its own reference."""

    _learned = ("max_",)

    def __init__(self, to: float = 10.0) -> None:
        self.to = float(to)

    def fit(self, reference: np.ndarray) -> MaxRescaler:
        r = np.asarray(reference, dtype=np.float64)
        fv = r[np.isfinite(r)]
        self.max_ = float(fv.max()) if fv.size else np.nan
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        self._check_fitted()
        mx = self.max_
        v = np.asarray(values, dtype=np.float64)
        return v / mx * self.to if mx and np.isfinite(mx) and mx > 0 else np.full(v.shape, np.nan)

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 1:
            return self.fit(x).transform(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            mx = np.nanmax(np.where(np.isfinite(x), x, -np.inf), axis=0)
            return np.where(mx > 0, x / mx * self.to, np.nan)


class NeedRank(_Part):
    """Rank 1 = highest score (most need); tied units share the lowest rank number; NaN stays
    NaN. Against a separate reference: 1 + the reference units with a strictly higher score.
    Learns ``reference_`` (the reference scores) and ``n_`` (reference units with a score)."""

    _learned = ("reference_", "n_")

    def fit(self, reference: np.ndarray) -> NeedRank:
        r = np.asarray(reference, dtype=np.float64)
        self.reference_ = r
        self.n_ = int(np.isfinite(r).sum())
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        self._check_fitted()
        return M.need_rank(np.asarray(values, dtype=np.float64), self.reference_)

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        self.fit(x)
        return M.need_rank(self.reference_, None)  # one sort of the values themselves


class QuantileTiers(_Part):
    """Tier ``floor((rank - 1) * n / N) + 1`` of need rank ``rank`` among ``N`` ranked units (1 =
    highest need; equal-count tiers, tied units share the higher-need tier). Learns ``n_ranked_``
    from the reference's need ranks (``fit(n_ranked)``)."""

    _learned = ("n_ranked_",)

    def __init__(self, n: int) -> None:
        self.n = int(n)

    def fit(self, n_ranked: int) -> QuantileTiers:
        self.n_ranked_ = int(n_ranked)
        return self

    def transform(self, rank: np.ndarray) -> np.ndarray:
        self._check_fitted()
        return M.tiers_by_quantile(rank, self.n_ranked_, self.n)


class CutTiers(_Part):
    """Fixed ascending cut points: the interval of the highest values is tier 1; a value equal to
    a cut belongs to the interval above it (e.g. the Vaccine Equity Metric's HPI quartiles).
    Nothing to learn."""

    def __init__(self, cuts: Sequence[float]) -> None:
        self.cuts = [float(c) for c in cuts]

    def fit(self, reference: Any = None) -> CutTiers:
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        return M.tiers_by_cuts(np.asarray(values, dtype=np.float64), self.cuts)
