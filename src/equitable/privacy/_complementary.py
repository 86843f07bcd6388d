"""Complementary suppression: an integer program with attacker-LP cutting planes.

Model (Fischetti & Salazar-Gonzalez 2000, "Models and algorithms for optimizing cell suppression
in tabular data with linear constraints", JASA 95(451), sec. 2-3; the method behind tau-ARGUS's
"optimal" option, Statistics Netherlands): a binary ``x_j`` per cell (1 = suppressed), primary
cells fixed to 1, minimise the information lost ``sum cost_j x_j`` subject to

* **line constraints**: a suppressed cell is never the only suppressed cell of an equation
  (otherwise the equation gives its value exactly);
* **capacity constraints**: in every equation, the other suppressed cells can absorb a move of
  ``protection`` of a primary cell in each direction (a member moving up needs members that can
  move down, by at most their value, or the total moving up);
* **attacker cuts**: after each solve the attacker LP (``_lp.attacker_intervals``) is run over the
  pattern; for every cell still under-protected, at least one more cell among those sharing an
  equation with its component must be suppressed. Suppressing more cells only widens intervals,
  so each cut is valid, and the loop ends with a pattern the audit accepts.

A primary cell of true value v must have an attacker interval reaching ``v + p`` and
``max(v - p, 0)``; a complementary cell must not be pinned down: its interval is at least ``2 p``
wide or starts at 0 and reaches ``p``. The first implies the second, so the published table
passes the audit that knows only the published cells.

Tables linked by :class:`~equitable.privacy._tables.Subset` carry *unpublished* difference
cells (``sup - sub``): always hidden (fixed to 1 at no cost), protected like a primary cell
when the link is sensitive and the difference a group of 1 to ``threshold``, and otherwise
exempt from every rule (never shown, they only carry the attacker's knowledge
``sub <= sup``).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from equitable.errors import EquitableError
from equitable.privacy._config import PrivacyConfig
from equitable.privacy._lp import attacker_intervals, components, new_highs
from equitable.privacy._tables import CellSystem

__all__ = [
    "Pattern", "cell_ok", "complementary_suppression", "protection_ok", "published_ok",
    "system_ok",
]

_EPS = 1e-6


def protection_ok(values: np.ndarray, lower: np.ndarray, upper: np.ndarray, p: float) -> np.ndarray:
    """The protection rule with true values: ``upper >= v + p`` and ``lower <= max(v - p, 0)``
    and the interval is not a single point."""
    with np.errstate(invalid="ignore"):
        return (
            (upper >= values + p - _EPS)
            & (lower <= np.maximum(values - p, 0.0) + _EPS)
            & (upper - lower > _EPS)
        )


def published_ok(lower: np.ndarray, upper: np.ndarray, p: float) -> np.ndarray:
    """The protection rule knowing only the published table (implied by :func:`protection_ok`):
    the interval is at least ``2 p`` wide, or starts at 0 and reaches at least ``p``; never a
    single point."""
    with np.errstate(invalid="ignore"):
        width = upper - lower
        return ((width >= 2 * p - _EPS) | ((lower <= _EPS) & (upper >= p - _EPS))) & (
            width > _EPS
        )


def cell_ok(
    values: np.ndarray, lower: np.ndarray, upper: np.ndarray, p: float, primary: np.ndarray
) -> np.ndarray:
    """The rule for a pattern: :func:`protection_ok` for primary cells (the small groups),
    :func:`published_ok` for the complementary ones (which only must not be pinned down)."""
    return np.where(primary, protection_ok(values, lower, upper, p), published_ok(lower, upper, p))


def system_ok(
    system: CellSystem, values: np.ndarray, lower: np.ndarray, upper: np.ndarray, p: float,
    primary: np.ndarray,
) -> np.ndarray:
    """:func:`cell_ok`, with the unpublished difference cells of linked tables exempt unless
    primary (a difference of 1 to ``threshold`` students)."""
    ok = cell_ok(values, lower, upper, p, primary)
    return ok | (system.never_shown() & ~primary)


@dataclass
class Pattern:
    """A suppression pattern over the cells of a system."""

    suppressed: np.ndarray  # bool over cells
    primary: np.ndarray  # bool over cells
    lower: np.ndarray  # attacker interval (NaN for published cells)
    upper: np.ndarray
    rounds: int  # integer programs solved (0 when no complementary cell was needed)


def _costs(values: np.ndarray, how: str) -> np.ndarray:
    if how == "cells":
        return np.ones_like(values)
    if how == "log":
        return np.log1p(values) + 1.0
    return values + 1.0  # total suppressed value, plus one per cell so ties go to fewer cells


def complementary_suppression(
    system: CellSystem, primary: np.ndarray, config: PrivacyConfig,
    frozen: np.ndarray | None = None, forced: np.ndarray | None = None,
) -> Pattern:
    """Choose the complementary cells for ``primary`` (bool over ``system``'s cells).

    ``system.values`` must hold the true value of every cell. ``frozen`` (bool over cells):
    cells already published elsewhere, never chosen as complementary cells; ``forced``: cells
    withheld there, always hidden here and checked like complementary cells.

    Raises
    ------
    EquitableError
        When no pattern can protect the primary cells (e.g. a table whose only cells are
        primary and whose margins are all fixed), naming the cell.
    """
    v = np.asarray(system.values, float)
    p = float(config.protection)
    A = system.matrix()
    primary = np.asarray(primary, bool)
    forced = np.zeros(len(v), dtype=bool) if forced is None else np.asarray(forced, bool)
    hidden = primary | system.never_shown() | forced
    if not primary.any() and not forced.any():
        nan = np.full(len(v), np.nan)
        return Pattern(primary.copy(), primary.copy(), nan, nan.copy(), 0)
    exempt = system.never_shown() & ~primary
    # intervals are needed only where a cell is checked (not for components of exempt cells)
    only = ~exempt if exempt.any() else None
    if _lines_ok(A, hidden, exempt):  # otherwise some primary cell is alone in an equation
        lo, hi = attacker_intervals(system, hidden, v, A=A, only=only)
        ok = system_ok(system, v, lo, hi, p, primary)
        if ok[hidden].all():
            return Pattern(hidden.copy(), primary.copy(), lo, hi, 0)

    frozen = np.zeros(len(v), dtype=bool) if frozen is None else np.asarray(frozen, bool)
    h, n = _build_model(system, primary, v, p, config, frozen, forced)
    rounds = 0
    while True:
        rounds += 1
        if rounds > config.max_rounds:
            raise EquitableError(
                f"complementary suppression did not converge in {config.max_rounds} rounds; "
                "raise max_rounds in the [privacy] config"
            )
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise EquitableError(
                "no suppression pattern protects every suppressed cell to the protection level "
                f"{p:g} (the integer program is {h.modelStatusToString(status)}); lower "
                "'protection' or publish fewer margins"
            )
        x = np.asarray(h.getSolution().col_value[:n]) > 0.5
        x |= hidden
        lo, hi = attacker_intervals(system, x, v, A=A, only=only)
        bad = x & ~system_ok(system, v, lo, hi, p, primary)
        if not bad.any():
            return Pattern(x, primary.copy(), lo, hi, rounds)
        _add_cuts(h, system, A, x, bad, primary, v, p, lo, hi, frozen)


def _lines_ok(A: sparse.csr_matrix, suppressed: np.ndarray, exempt: np.ndarray) -> bool:
    """No equation holds exactly one suppressed cell that must be protected (a necessary
    condition, cheap to test); ``exempt`` cells (unpublished, not small) may be alone."""
    counts = np.asarray(A[:, np.flatnonzero(suppressed)].astype(bool).sum(axis=1)).ravel()
    if not exempt.any():
        return not (counts == 1).any()
    free = np.asarray(A[:, np.flatnonzero(exempt)].astype(bool).sum(axis=1)).ravel()
    return not ((counts == 1) & (free == 0)).any()


def _build_model(
    system: CellSystem, primary: np.ndarray, v: np.ndarray, p: float, config: PrivacyConfig,
    frozen: np.ndarray, forced: np.ndarray,
) -> tuple[highspy.Highs, int]:
    n = system.n_cells
    eqs = system.equations
    m = len(eqs)
    unpub = system.never_shown()
    # columns: x_0..x_{n-1} (binary), S_e (count suppressed in e), W_e (downward room of members)
    ncol = n + 2 * m
    cost = np.zeros(ncol)
    cost[:n] = _costs(v, config.cost)
    fixed_on = primary | unpub | forced
    cost[:n][fixed_on] = 0.0
    col_lower = np.zeros(ncol)
    col_upper = np.full(ncol, highspy.kHighsInf)
    col_upper[:n] = 1.0
    col_lower[:n][fixed_on] = 1.0
    col_upper[:n][frozen & ~fixed_on] = 0.0
    # The matrix as coordinate lists of Python numbers (one list append per row would cost
    # an array per row: 68,000 rows for a district of 1,000 schools).
    rows_i: list[int] = []
    rows_j: list[int] = []
    rows_v: list[float] = []
    rlo: list[float] = []
    r = 0

    def add(cols: list[int], vals: list[float], lower: float) -> None:
        nonlocal r
        rows_i.extend([r] * len(cols))
        rows_j.extend(cols)
        rows_v.extend(vals)
        rlo.append(lower)
        r += 1

    room = np.minimum(v, p)
    room_l, v_l = room.tolist(), v.tolist()
    unpub_l, primary_l = unpub.tolist(), primary.tolist()
    eq_rows: list[int] = []
    for e, (members, total) in enumerate(eqs):
        s_col, w_col = n + e, n + m + e
        members_l = np.asarray(members).tolist()
        allc = [*members_l, total]
        # S_e = sum x ; W_e = sum room_j x_j (members)
        add([*allc, s_col], [1.0] * len(allc) + [-1.0], 0.0)
        eq_rows.append(r - 1)
        add([*members_l, w_col], [room_l[c] for c in members_l] + [-1.0], 0.0)
        eq_rows.append(r - 1)
        for c in allc:  # line: S_e - 2 x_c >= 0
            if unpub_l[c] and not primary_l[c]:
                continue  # never shown and not a small group: may be alone
            add([s_col, c], [1.0, -2.0], 0.0)
        if p > 0:  # capacity: a primary cell's interval must reach v + p and max(v - p, 0)
            for c in members_l:  # upper protection of a primary member
                if primary_l[c]:
                    add([w_col, total], [1.0, p], p + room_l[c])
            if primary_l[total] and v_l[total] > 0:  # lower protection of a primary total
                add([w_col], [1.0], min(p, v_l[total]))
    rlo_arr = np.asarray(rlo)
    rup = np.full(r, highspy.kHighsInf)
    rup[eq_rows] = 0.0  # definitions are equalities
    mat = sparse.csc_matrix(
        (np.asarray(rows_v, dtype=float),
         (np.asarray(rows_i, dtype=int), np.asarray(rows_j, dtype=int))),
        shape=(r, ncol),
    )
    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = r
    lp.col_cost_ = cost
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = rlo_arr
    lp.row_upper_ = rup
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
    lp.a_matrix_.index_ = mat.indices.astype(np.int32)
    lp.a_matrix_.value_ = mat.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n + [highspy.HighsVarType.kContinuous] * (
        2 * m
    )
    h = new_highs()
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_rel_gap", 1e-4)
    h.passModel(lp)
    return h, n


def _add_cuts(
    h: highspy.Highs,
    system: CellSystem,
    A: sparse.csr_matrix,
    x: np.ndarray,
    bad: np.ndarray,
    primary: np.ndarray,
    v: np.ndarray,
    p: float,
    lower: np.ndarray,
    upper: np.ndarray,
    frozen: np.ndarray,
) -> None:
    """Add cuts that the current pattern ``x`` violates (never asking for a ``frozen`` cell).

    A primary cell whose interval misses ``v + p`` (or ``max(v - p, 0)``) gets a capacity cut
    from the dual of the attacker LP (Fischetti & Salazar-Gonzalez 2000, sec. 3): for any row
    multipliers g, ``max z_c <= sum_j x_j (max(d_j, 0) * inf + max(-d_j, 0) * v_j)`` with
    ``d = e_c - A^T g``, so ``sum_j min(p, coef_j) x_j >= p`` holds for every protecting pattern.
    Other cells, and any case where that cut would not cut off ``x``, get the cover cut: one
    more cell among those sharing an equation with the component must be suppressed.
    """
    cells, labels, _ = components(system, x, A)
    pos = {int(c): i for i, c in enumerate(cells)}
    A_csc = A.tocsc()
    done: set[int] = set()
    models: dict[int, tuple] = {}
    for c in np.flatnonzero(bad):
        lab = labels[pos[int(c)]]
        comp = cells[labels == lab]
        rows = np.unique(A_csc[:, comp].indices)
        near_all = np.unique(A[rows, :].indices)
        near = near_all[~x[near_all] & ~frozen[near_all]]
        if len(near) == 0:
            raise EquitableError(
                f"{system.describe(int(c))} cannot be protected to the protection level: every "
                "cell of its margins is already suppressed"
            )
        if primary[c] and p > 0:
            if lab not in models:
                models[lab] = _deviation_lp(A, rows, near_all, x, v)
            added = False
            needs = []
            if upper[c] < v[c] + p - _EPS:
                needs.append((1.0, p))
            if lower[c] > max(v[c] - p, 0.0) + _EPS:
                needs.append((-1.0, min(p, v[c])))
            for sign, need in needs:
                cut = _capacity_cut(models[lab], int(c), sign, need, x, v)
                if cut is not None:
                    idx, coef = cut
                    h.addRow(need, highspy.kHighsInf, len(idx), idx.astype(np.int32), coef)
                    added = True
            if added:
                continue
        if primary[c]:
            if lab in done:
                continue
            done.add(lab)
            h.addRow(1.0, highspy.kHighsInf, len(near), near.astype(np.int32),
                     np.ones(len(near)))
        else:
            cols = np.append(near, c).astype(np.int32)
            vals = np.append(np.ones(len(near)), -1.0)
            h.addRow(0.0, highspy.kHighsInf, len(cols), cols, vals)


def _deviation_lp(
    A: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray, x: np.ndarray, v: np.ndarray
) -> tuple:
    """The attacker LP in deviations z = y - v over the cells ``cols`` and equations ``rows``:
    ``A z = 0``, published cells fixed (z = 0), suppressed cells ``z >= -v``."""
    sub = A[rows, :][:, cols].tocsc()
    k = len(cols)
    h = new_highs()
    h.setOptionValue("presolve", "off")
    lp = highspy.HighsLp()
    lp.num_col_ = k
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.zeros(k)
    lp.col_lower_ = np.where(x[cols], -v[cols], 0.0)
    lp.col_upper_ = np.where(x[cols], highspy.kHighsInf, 0.0)
    lp.row_lower_ = np.zeros(len(rows))
    lp.row_upper_ = np.zeros(len(rows))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = sub.indptr.astype(np.int32)
    lp.a_matrix_.index_ = sub.indices.astype(np.int32)
    lp.a_matrix_.value_ = sub.data.astype(float)
    h.passModel(lp)
    return h, sub, cols


def _capacity_cut(
    model: tuple, c: int, sign: float, need: float, x: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    h, sub, cols = model
    j = int(np.searchsorted(cols, c))
    cost = np.zeros(len(cols))
    cost[j] = sign
    h.changeColsCost(len(cols), np.arange(len(cols), dtype=np.int32), cost)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    g = np.asarray(h.getSolution().row_dual)
    best = None
    for gg in (g, -g):
        d = cost - sub.T @ gg
        coef = np.where(d > 1e-9, np.inf, 0.0) + np.where(d < -1e-9, -d * v[cols], 0.0)
        coef = np.minimum(coef, need)
        now = float(coef[x[cols]].sum())
        if now < need - 1e-6 and (best is None or now < best[0]):
            best = (now, coef)
    if best is None:
        return None
    coef = best[1]
    keep = coef > 1e-9
    return cols[keep], coef[keep]
