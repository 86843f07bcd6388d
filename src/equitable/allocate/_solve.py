"""Bounded proportional apportionment in integer units (cents or FTE units).

Given a total ``B`` (integer units), weights ``w_i >= 0`` and integer bounds ``L_i <= U_i``, find
the scale ``lambda`` with ``sum_i clip(lambda * w_i, L_i, U_i) = B`` and round the quotas
``clip(lambda * w_i, L_i, U_i)`` to integers with the largest-remainder (Hamilton) method so that
they add up to ``B`` exactly and stay inside their bounds.

Finding ``lambda`` is the fixed point of the familiar "clamp the bound schools, re-spread the rest
among the unbound, repeat" loop (water-filling). ``g(lambda)`` is continuous, piecewise linear and
non-decreasing, with breakpoints at ``L_i / w_i`` and ``U_i / w_i``; we evaluate it at every
breakpoint at once (sorting plus cumulative sums, O(n log n)) and solve the linear piece that
crosses ``B``, instead of iterating.

Hamilton's method: Balinski & Young, *Fair Representation* (2nd ed., Brookings 2001), ch. 2 and
appendix A ("the method of largest remainders").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Infeasible", "apportion", "largest_remainder"]


@dataclass
class Infeasible(Exception):
    """The bounds cannot meet the total: ``kind`` is ``"lower"`` or ``"upper"``."""

    kind: str
    total: int
    reachable: float

    def __str__(self) -> str:  # pragma: no cover - wrapped by the engine
        return f"{self.kind}: total {self.total}, reachable {self.reachable}"


def _solve_scale(total: float, w: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Return ``lambda`` with ``sum clip(lambda w, lo, hi) = total`` (``w > 0`` entries only)."""
    a = lo / w
    b = hi / w  # may be inf
    order_a = np.argsort(a, kind="stable")
    order_b = np.argsort(b, kind="stable")
    a_s, b_s = a[order_a], b[order_b]
    zero = np.zeros(1)
    cum_lo_a = np.concatenate([zero, np.cumsum(lo[order_a])])
    cum_w_a = np.concatenate([zero, np.cumsum(w[order_a])])
    hi_b = hi[order_b]
    cum_hi_b = np.concatenate([zero, np.cumsum(np.where(np.isfinite(hi_b), hi_b, 0.0))])
    cum_w_b = np.concatenate([zero, np.cumsum(w[order_b])])
    tot_lo = cum_lo_a[-1]

    def parts(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n_a = np.searchsorted(a_s, t, side="right")  # schools with a_i <= t (at or above floor)
        n_b = np.searchsorted(b_s, t, side="left")  # schools with b_i < t (at their cap)
        const = (tot_lo - cum_lo_a[n_a]) + cum_hi_b[n_b]
        slope = cum_w_a[n_a] - cum_w_b[n_b]
        return const, slope

    bps = np.unique(np.concatenate([a_s, b_s]))
    bps = bps[np.isfinite(bps)]
    c_bp, s_bp = parts(bps)
    with np.errstate(over="ignore", invalid="ignore"):
        g_bp = c_bp + s_bp * bps
    k = int(np.searchsorted(g_bp, total, side="left"))  # first breakpoint with g >= total
    if k < len(bps) and g_bp[k] == total:
        return float(bps[k])
    if k == 0:
        # below the first breakpoint g is the sum of floors; total > it here (checked by caller)
        return float(bps[0])
    lo_t = bps[k - 1]
    if k < len(bps):
        mid = np.array([(lo_t + bps[k]) / 2.0])
    else:
        mid = np.array([lo_t + 1.0 + abs(lo_t)])
    c, s = parts(mid)
    # past the last breakpoint with every school at its cap the slope is 0, but the difference of
    # two float cumulative sums can leave ~1e-16 (a total that every cap together just meets,
    # found by tests/allocate/test_properties.py): treat that as 0, never divide by it
    if s[0] <= 1e-12 * cum_w_a[-1]:
        return float(lo_t)
    return float((total - c[0]) / s[0])


def largest_remainder(
    quota: np.ndarray, total: int, lo: np.ndarray, hi: np.ndarray, tiebreak: np.ndarray,
    ties: list[dict] | None = None,
) -> np.ndarray:
    """Round ``quota`` (floats) to integers that add up to ``total`` within ``[lo, hi]``.

    Each entry gets ``floor(quota)``; the units left over go one each to the largest fractional
    parts (ties: ascending ``tiebreak`` rank), skipping entries at their upper bound. If float
    error leaves too many units, they are taken back from the smallest fractional parts.

    ``ties``, when given, receives one dict per exact tie the rule had to break: remainders
    exactly equal across the line between the entries that got a unit and those that did not
    (``remainder``: the tied fractional part; ``tied``: positions of every entry in the tie;
    ``given``: positions of those that got the unit, or ``taken``: lost it).
    """
    base = np.floor(quota)
    base = np.clip(base, lo, hi).astype(np.int64)
    frac = quota - np.floor(quota)
    rest = int(total - int(base.sum()))
    hi_int = np.where(np.isfinite(hi), hi, np.iinfo(np.int64).max // 4).astype(np.int64)
    lo_int = lo.astype(np.int64)
    passes = 0
    while rest != 0:
        passes += 1
        if passes > 1000:  # pragma: no cover - each pass moves min(|rest|, n) units
            raise ArithmeticError("largest-remainder rounding did not converge")
        if rest > 0:
            room = np.flatnonzero(base < hi_int)
            if room.size == 0:  # pragma: no cover - guarded by the feasibility check
                raise Infeasible("upper", total, float(base.sum()))
            order = room[np.lexsort((tiebreak[room], -frac[room]))]
            take = order[: min(rest, order.size)]
            if ties is not None:
                _record_tie(frac, order, take.size, ties, "given")
            base[take] += 1
            frac[take] = -1.0  # one unit each per pass
            rest -= take.size
        else:
            room = np.flatnonzero(base > lo_int)
            if room.size == 0:  # pragma: no cover
                raise Infeasible("lower", total, float(base.sum()))
            order = room[np.lexsort((tiebreak[room], frac[room]))]
            take = order[: min(-rest, order.size)]
            if ties is not None:
                _record_tie(frac, order, take.size, ties, "taken")
            base[take] -= 1
            frac[take] = 2.0
            rest += take.size
    return base


def _record_tie(frac: np.ndarray, order: np.ndarray, k: int, ties: list[dict], kind: str) -> None:
    """Append the exact tie at the cut (the k-th and (k+1)-th of ``order``), if there is one."""
    if k == 0 or k >= order.size:
        return
    v = frac[order[k - 1]]
    if not (0.0 <= v < 1.0) or frac[order[k]] != v:  # -1 / 2 mark entries already moved
        return
    tied = order[frac[order] == v]
    ties.append({"remainder": float(v), "tied": np.sort(tied).tolist(),
                 kind: np.sort(np.intersect1d(tied, order[:k])).tolist()})


def apportion(
    total: int,
    weights: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    tiebreak: np.ndarray,
    ties: list[dict] | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Apportion ``total`` integer units by ``weights`` within integer bounds.

    Parameters
    ----------
    total : units to distribute (cents or FTE units), ``>= 0``.
    weights : shape (n,), ``>= 0``; an entry with weight 0 gets its lower bound.
    lower, upper : shape (n,), integer-valued floats; ``upper`` may be ``inf`` (no cap).
    tiebreak : shape (n,), integer ranks that order exact ties in the remainders (e.g. id order).
    ties : a list that receives each exact remainder tie the tie-break decided
        (:func:`largest_remainder`).

    Returns
    -------
    units : int64 array (n,), ``sum == total``, ``lower <= units <= upper``.
    quota : float array (n,), the unrounded amounts ``clip(lambda * w, lower, upper)``.
    scale : ``lambda`` (units per unit of weight).

    Raises
    ------
    Infeasible
        ``sum(lower) > total`` (kind ``"lower"``) or the most the bounds allow is below ``total``
        (kind ``"upper"``).
    """
    w = np.asarray(weights, dtype=float)
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    sum_lo = float(lo.sum())
    if sum_lo > total:
        raise Infeasible("lower", total, sum_lo)
    # relative weights (largest = 1); a weight below 1e-15 of the largest (worth less than a
    # cent on any real budget, and below float precision) counts as 0
    wmax = float(w.max()) if w.size else 0.0
    wn = w / wmax if wmax > 0 else w
    pos = wn > 1e-15
    reach = float(lo[~pos].sum() + hi[pos].sum())
    if reach < total:
        raise Infeasible("upper", total, reach)
    wn = np.where(pos, wn, 0.0)
    if sum_lo == total or not pos.any():
        scale_n = 0.0
    else:
        # schools with weight 0 stay at their lower bound; the rest share what is left
        scale_n = _solve_scale(total - float(lo[~pos].sum()), wn[pos], lo[pos], hi[pos])
    quota = np.clip(scale_n * wn, lo, hi)
    if not np.isfinite(quota).all():  # pragma: no cover - defensive
        raise ArithmeticError("apportionment produced a non-finite amount")
    scale = scale_n / wmax if wmax > 0 else 0.0
    units = largest_remainder(quota, total, lo, hi, tiebreak, ties)
    return units, quota, scale
