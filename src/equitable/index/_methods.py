"""Vectorised normalisation and aggregation primitives (numpy), reused by sensitivity analysis.

Every function works on whole columns (or matrices) of float64 with ``NaN`` for a missing value,
never on pandas objects, so a caller can normalise once and aggregate many weight vectors.

Percentile ranks sort each column once (``argsort``) and read tie runs off the sorted order; with a
separate reference population they use ``sort`` + ``searchsorted``. Columns are spread over a
thread pool: numpy's sorts release the GIL, so two cores sort two columns at once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import numpy as np

__all__ = [
    "aggregate",
    "count_below",
    "minmax",
    "percentile_rank",
    "percentile_rank_columns",
    "rescale_max",
    "round_to",
    "tiers_by_quantile",
    "zscore",
]

TieRule = Literal["min", "max", "average"]
Form = Literal["svi", "ces"]
Inverse = Literal["negate", "complement"]


def _workers() -> int:
    n = os.environ.get("EQUITABLE_THREADS")
    if n:
        return max(1, int(n))
    return max(1, min(4, os.cpu_count() or 1))


def round_to(x: np.ndarray, decimals: int | None) -> np.ndarray:
    """Round to ``decimals`` (numpy's ``round``: scale, round half to even, unscale);
    ``None`` leaves values unchanged. NaN stays NaN."""
    if decimals is None:
        return x
    return np.round(x, decimals)


def count_below(
    values: np.ndarray, reference: np.ndarray | None = None, *, need_le: bool = True
) -> tuple[np.ndarray, np.ndarray | None, int]:
    """For each finite value, how many reference values are strictly below it (``less``) and how
    many are below or equal (``le``, only when ``need_le``), and the reference size ``N``.

    ``values`` is 1-D and must hold no NaN (callers pass the finite part). Without ``reference``
    the values rank among themselves (one ``argsort``, tie runs read off the sorted order); with
    it, against the sorted reference (``searchsorted``). Counts are int64 arrays.
    """
    if reference is None:
        n = values.size
        if n == 0:
            e = np.empty(0, np.int64)
            return e, (e if need_le else None), 0
        if n >= 50_000 and _few_distinct(values):
            return _count_below_hashed(values, need_le)
        order = np.argsort(values, kind="quicksort")
        s = values[order]
        new = np.empty(n, dtype=bool)
        new[0] = True
        np.not_equal(s[1:], s[:-1], out=new[1:])
        del s
        starts = np.flatnonzero(new)
        run_len = np.diff(np.append(starts, n))
        less = np.empty(n, dtype=np.int64)
        less[order] = np.repeat(starts, run_len)
        le = None
        if need_le:
            le = np.empty(n, dtype=np.int64)
            le[order] = np.repeat(starts + run_len, run_len)
        return less, le, n
    s = np.sort(reference[np.isfinite(reference)])
    less = np.searchsorted(s, values, side="left").astype(np.int64)
    le = np.searchsorted(s, values, side="right").astype(np.int64) if need_le else None
    return less, le, s.size


def _few_distinct(values: np.ndarray, sample: int = 20_000, share: float = 0.85) -> bool:
    """True when an evenly spaced sample of the values repeats itself (percents with one decimal,
    sums of 4-decimal percentiles): then hashing beats sorting the whole column. Continuous
    values (a sample of all-distinct numbers) are sorted."""
    step = max(1, values.size // sample)
    part = values[::step]
    return np.unique(part).size < share * part.size


def _count_below_hashed(values: np.ndarray, need_le: bool) -> tuple[np.ndarray, np.ndarray | None, int]:
    """:func:`count_below` by hashing: ``pd.factorize`` finds the k distinct values (O(n)), only
    those are sorted, and each value's count of smaller values is read through its code. Gives
    the same counts as the sort, at a quarter of the time when k is small."""
    import pandas as pd

    n = values.size
    codes, uniques = pd.factorize(values + 0.0, sort=False)  # + 0.0 makes -0.0 equal to 0.0
    k = uniques.size
    order_u = np.argsort(uniques, kind="quicksort")
    counts = np.bincount(codes, minlength=k)
    sorted_counts = counts[order_u]
    less_sorted = np.cumsum(sorted_counts) - sorted_counts
    less_u = np.empty(k, dtype=np.int64)
    less_u[order_u] = less_sorted
    less = less_u[codes]
    le = (less_u + counts)[codes] if need_le else None
    return less, le, n


def percentile_rank(
    x: np.ndarray,
    reference: np.ndarray | None = None,
    *,
    form: Form = "svi",
    ties: TieRule = "min",
    scale: float | None = None,
    decimals: int | None = None,
    reverse: bool = False,
    inverse: Inverse = "negate",
) -> tuple[np.ndarray, int]:
    """Percentile rank of each value of ``x`` (1-D, NaN = missing) among ``reference``.

    Parameters
    ----------
    x : (n,) float array; NaN values get NaN.
    reference : (m,) float array or None (rank among ``x`` itself). NaN reference values are left
        out.
    form : ``"svi"``: ``(rank - 1) / (N - 1)``, N = reference values present (CDC/ATSDR SVI 2022
        Documentation, "Data and methods"). ``"ces"``: ``rank / N`` over the nonzero reference
        values, zeros get 0 (OEHHA CalEnviroScreen 4.0 report, "Scoring").
    ties : rank given to tied values: ``min`` (SVI), ``max`` (CalEnviroScreen), ``average``.
        A value absent from a separate reference ranks as if inserted once.
    scale : multiplier of the result (default 1 for svi, 100 for ces).
    decimals : rounding of the scaled result (None: none).
    reverse : lower value = more need, in the way ``inverse`` names.
    inverse : how ``reverse`` is done. ``"negate"``: rank ``-x`` with the ``ties`` rule (tied
        units share the lowest rank of ``-x``). ``"complement"``: ``scale`` minus the percentile
        rank of ``x`` itself (CDC/ATSDR SVI 2018 Documentation, "Data and methods": per-capita
        income, ``EPL_PCI``, is one minus its percentile rank). The two agree on untied values;
        on a run of ``k`` tied values the complement is ``(k - 1) / (N - 1)`` higher (svi form,
        ``ties="min"``), as ``"min"`` ties of ``x`` become ``"max"`` ties of ``-x``.

    Returns
    -------
    (ranks, N) : (n,) float array in ``[0, scale]`` and the reference size used.
    """
    x = np.asarray(x, dtype=np.float64)
    complement = reverse and inverse == "complement"
    if inverse not in ("negate", "complement"):
        raise ValueError(f"unknown inverse {inverse!r}")
    negate = reverse and not complement
    y = -x if negate else x
    if reference is not None:
        r = np.asarray(reference, dtype=np.float64)
        r = -r if negate else r
    else:
        r = None
    out = np.full(x.shape, np.nan)
    ok = np.isfinite(y)
    if form == "ces":
        ok &= y != 0
        out[y == 0] = 0.0
        if r is not None:
            r = r[np.isfinite(r) & (r != 0)]
    every = bool(ok.all())
    idx = None if every else np.flatnonzero(ok)
    v = y if every else y[idx]
    need_le = not (form == "svi" and ties == "min" and r is None)
    less, le, n = count_below(v, r, need_le=need_le)
    sc = (100.0 if form == "ces" else 1.0) if scale is None else float(scale)
    if r is not None:
        assert le is not None, "need_le is True with a reference"
        le = np.maximum(le, less + 1)  # a value absent from the reference: inserted once
    if form == "svi":
        if n < 2:
            return out, n
        if ties == "min":
            p = less / (n - 1)
        else:
            assert le is not None, "need_le is True unless svi ties='min' without a reference"
            if ties == "max":
                p = (le - 1) / (n - 1)
            else:
                p = (less + le - 1) / 2 / (n - 1)
    else:
        if n < 1:
            return out, n
        assert le is not None, "need_le is True for the ces form"
        if ties == "min":
            p = (less + 1) / n
        elif ties == "max":
            p = le / n
        else:
            p = (less + 1 + le) / 2 / n
    del less, le
    if r is not None:
        np.clip(p, 0.0, 1.0, out=p)
    if complement:
        p = 1.0 - p
        if form == "ces":
            out[np.isfinite(y) & (y == 0)] = sc  # 0 has percentile 0; its complement is the top
    if sc != 1.0:
        p *= sc
    if decimals is not None:
        np.round(p, decimals, out=p)
    if every:
        return p, n
    out[idx] = p
    return out, n


def percentile_rank_columns(
    columns: Sequence[np.ndarray],
    references: Sequence[np.ndarray | None] | None = None,
    settings: Sequence[dict] | None = None,
    *,
    workers: int | None = None,
) -> list[tuple[np.ndarray, int]]:
    """:func:`percentile_rank` over many columns at once, spread over a thread pool.

    ``settings[i]`` holds the keyword arguments (form, ties, scale, decimals, reverse) of column
    ``i``. Returns one ``(ranks, N)`` pair per column, in order.
    """
    k = len(columns)
    refs = list(references) if references is not None else [None] * k
    sets = list(settings) if settings is not None else [{}] * k
    w = min(workers or _workers(), k) if k else 1

    def one(i: int) -> tuple[np.ndarray, int]:
        return percentile_rank(columns[i], refs[i], **sets[i])

    if w <= 1 or k <= 1:
        return [one(i) for i in range(k)]
    with ThreadPoolExecutor(max_workers=w) as ex:
        return list(ex.map(one, range(k)))


def zscore(
    x: np.ndarray, reference: np.ndarray | None = None, *, cap: float | None = None,
    reverse: bool = False, scale: float = 1.0, decimals: int | None = None,
) -> tuple[np.ndarray, dict[str, float]]:
    """``(x - mean) / sd`` with the reference's mean and n-1 standard deviation, capped at
    +-``cap`` when given; ``reverse`` negates (lower value = more need). Returns the values and
    the learned ``{"mean", "sd"}``."""
    r = x if reference is None else reference
    rv = r[np.isfinite(r)]
    mean = float(rv.mean()) if rv.size else np.nan
    sd = float(rv.std(ddof=1)) if rv.size > 1 else np.nan
    z = (x - mean) / sd if sd and np.isfinite(sd) else np.full(x.shape, np.nan)
    if reverse:
        z = -z
    if cap is not None:
        z = np.clip(z, -cap, cap)
    return round_to(z * scale, decimals), {"mean": mean, "sd": sd}


def minmax(
    x: np.ndarray, reference: np.ndarray | None = None, *, reverse: bool = False,
    scale: float = 1.0, decimals: int | None = None, to_range: tuple[float, float] | None = None,
) -> tuple[np.ndarray, dict[str, float]]:
    """``(x - min) / (max - min)`` over the reference (``(max - x) / (max - min)`` when
    ``reverse``), clipped to [0, 1] for values outside the reference range, times ``scale``.

    With ``to_range = (a, b)`` the [0, 1] value ``u`` becomes ``a + (b - a) u`` instead (``scale``
    is then not applied): COINr's ``n_minmax(l_u = c(a, b))``; [1, 100] keeps a geometric mean's
    inputs above 0. When every reference value is equal each unit gets the low end (0 or ``a``).
    """
    r = x if reference is None else reference
    rv = r[np.isfinite(r)]
    lo = float(rv.min()) if rv.size else np.nan
    hi = float(rv.max()) if rv.size else np.nan
    span = hi - lo
    a, b = (0.0, float(scale)) if to_range is None else (float(to_range[0]), float(to_range[1]))
    if not (span > 0):
        return np.where(np.isfinite(x), a, np.nan), {"min": lo, "max": hi}
    v = (hi - x) / span if reverse else (x - lo) / span
    v = np.clip(v, 0.0, 1.0)
    v = v * b if to_range is None else a + (b - a) * v
    return round_to(v, decimals), {"min": lo, "max": hi}


def aggregate(
    values: np.ndarray,
    weights: np.ndarray,
    method: str,
    *,
    hard_missing: np.ndarray | None = None,
) -> np.ndarray:
    """Aggregate member columns with weights.

    Parameters
    ----------
    values : (n, k) float array; NaN = the member is missing for that unit.
    weights : (k,) or (d, k) non-negative weights (a matrix gives d weightings at once, for
        sensitivity analysis).
    method : ``sum``: weighted sum, rescaled by ``total weight / weight present`` when members
        are missing (so a re-weighted unit stays comparable); ``mean``: weighted mean over the
        members present; ``geometric_mean``: ``exp(sum w log v / sum w)`` over members present
        (values must be >= 0; a 0 gives 0); ``product``: ``prod v ** w`` over members present.
    hard_missing : (n,) bool; units whose result is NaN regardless (a member whose missing rule is
        "exclude" is missing). Units with no member present are NaN too.

    Returns
    -------
    (n,) array for 1-D weights, (n, d) for a weight matrix.
    """
    v = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    one = w.ndim == 1
    if one:
        return _aggregate_1d(v, w, method, hard_missing)
    W = w[None, :] if one else w  # (d, k)
    present = np.isfinite(v)
    all_present = bool(present.all())
    pw = present.astype(np.float64) @ W.T  # (n, d) weight present
    total = W.sum(axis=1)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        if method in ("sum", "mean"):
            vz = np.where(present, v, 0.0)
            s = vz @ W.T
            if method == "sum":
                out = s if all_present else s * (total / pw)
            else:
                out = s / pw
        elif method in ("geometric_mean", "product"):
            lv = np.where(present, np.log(np.where(present, v, 1.0)), 0.0)
            s = lv @ W.T
            out = np.exp(s / pw) if method == "geometric_mean" else np.exp(s)
        else:  # pragma: no cover - validated by the spec
            raise ValueError(f"unknown aggregation {method!r}")
    out = np.where(pw > 0, out, np.nan)
    if hard_missing is not None:
        out[np.asarray(hard_missing, bool)] = np.nan
    return out[:, 0] if one else out


def _aggregate_1d(v: np.ndarray, w: np.ndarray, method: str, hard_missing: np.ndarray | None) -> np.ndarray:
    """:func:`aggregate` for one weighting, column by column (k passes over contiguous columns
    when ``v`` is the transpose of a (k, n) array). Members are added left to right, as a
    spreadsheet does, so sums of rounded values equal SVI's."""
    n, k = v.shape
    logs = method in ("geometric_mean", "product")
    acc = np.zeros(n)
    wp = None  # weight present, only when something is missing
    total = float(w.sum())
    err = np.errstate(divide="ignore", invalid="ignore")
    err.__enter__()
    for j in range(k):
        col = v[:, j]
        fin = np.isfinite(col)
        allfin = bool(fin.all())
        term = np.log(col) if logs else col
        if w[j] != 1.0:
            term = term * w[j]
        if allfin:
            acc += term
        else:
            acc += np.where(fin, term, 0.0)
            if wp is None:
                wp = np.full(n, float(w[:j].sum()))
        if wp is not None:
            wp += np.where(fin, w[j], 0.0) if not allfin else w[j]
    try:
        if wp is None:
            if method == "mean":
                acc /= total
            elif method == "geometric_mean":
                acc = np.exp(acc / total)
            elif method == "product":
                acc = np.exp(acc)
        else:
            if method == "sum":
                acc = acc * (total / wp)
            elif method == "mean":
                acc = acc / wp
            elif method == "geometric_mean":
                acc = np.exp(acc / wp)
            else:
                acc = np.exp(acc)
            acc[wp <= 0] = np.nan
    finally:
        err.__exit__(None, None, None)
    if hard_missing is not None:
        acc[np.asarray(hard_missing, bool)] = np.nan
    return acc


def rescale_max(x: np.ndarray, reference: np.ndarray | None = None, *, to: float = 10.0) -> tuple[np.ndarray, float]:
    """``x / max(reference) * to`` (CalEnviroScreen 4.0 "Scoring": scaled to 10 by the maximum)."""
    r = x if reference is None else reference
    rv = r[np.isfinite(r)]
    mx = float(rv.max()) if rv.size else np.nan
    if not (mx > 0):
        return np.full(x.shape, np.nan), mx
    return x / mx * to, mx


def need_rank(score: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Rank 1 = highest score (most need); tied units share the lowest rank number; NaN stays NaN.
    With a reference: 1 + the number of reference units with a strictly higher score."""
    out = np.full(score.shape, np.nan)
    ok = np.isfinite(score)
    idx = np.flatnonzero(ok)
    neg = -score[idx]
    ref = None if reference is None else -reference[np.isfinite(reference)]
    less, _, _ = count_below(neg, ref)
    out[idx] = less + 1
    return out


def tiers_by_quantile(rank: np.ndarray, n_ranked: int, n_tiers: int) -> np.ndarray:
    """Tier number (1 = highest need) of need rank ``rank`` among ``n_ranked`` units:
    ``floor((rank - 1) * n_tiers / n_ranked) + 1``; NaN stays NaN."""
    out = np.full(rank.shape, np.nan)
    ok = np.isfinite(rank)
    if n_ranked > 0:
        out[ok] = np.floor((rank[ok] - 1) * n_tiers / n_ranked) + 1
        out[ok] = np.clip(out[ok], 1, n_tiers)
    return out


def tiers_by_cuts(x: np.ndarray, cuts: Sequence[float]) -> np.ndarray:
    """Tier number for fixed ascending cut points: the interval of the highest values is tier 1;
    a value equal to a cut point belongs to the interval above it. NaN stays NaN."""
    out = np.full(x.shape, np.nan)
    ok = np.isfinite(x)
    k = np.searchsorted(np.asarray(cuts, dtype=np.float64), x[ok], side="right")
    out[ok] = len(cuts) + 1 - k
    return out
