"""Primary + complementary suppression of tables with margins, and the one-call ``publish``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from equitable.checks import did_you_mean
from equitable.errors import InputError
from equitable.privacy._audit import AuditReport, DisclosureError, report_from
from equitable.privacy._complementary import complementary_suppression
from equitable.privacy._config import PrivacyConfig
from equitable.privacy._suppress import cap_rates
from equitable.privacy._tables import (
    CellSystem,
    LongTable,
    Subset,
    TablePart,
    build_system,
    crosstab_part,
    long_part,
)

__all__ = [
    "LongTable", "Protected", "Subset", "protect_crosstab", "protect_linked", "protect_long",
    "protect_tables", "publish",
]


@dataclass
class Protected:
    """A table made safe to publish.

    Attributes
    ----------
    table : the table to publish: suppressed cells hold the marker (``"*"``), others their value.
    suppressed : bool, same shape as ``table`` (crosstab) or one per row (long table): True
        where the figure is withheld.
    primary : bool, same shape: True where withheld because the group has ``n <= threshold``;
        ``suppressed & ~primary`` are the complementary cells.
    audit : the attacker's interval for every suppressed cell (``audit.ok`` is True).
    rounds : integer programs solved (0 when primary suppression alone was safe).
    """

    table: pd.DataFrame
    suppressed: pd.DataFrame | pd.Series
    primary: pd.DataFrame | pd.Series
    audit: AuditReport
    rounds: int


def _primary(values: np.ndarray, cfg: PrivacyConfig, unpublished: np.ndarray | None = None,
             sensitive: np.ndarray | None = None) -> np.ndarray:
    small = values <= cfg.threshold
    if not cfg.suppress_zeros:
        small &= values > 0
    if unpublished is not None:  # a difference of linked cells: a group of 1 to threshold
        assert sensitive is not None, "given with unpublished (CellSystem.sensitive_differences)"
        small &= ~unpublished | ((values >= 1) & sensitive)
    return small


def _check_margins(system: CellSystem) -> None:
    v = system.values
    for members, total in system.equations:
        s = v[members].sum()
        if abs(s - v[total]) > 1e-6:
            raise InputError(
                f"{system.describe(total)} is {v[total]:g} but the cells it totals add up to "
                f"{s:g}"
            )


def _solve(parts: Sequence[TablePart], cfg: PrivacyConfig, extra: Sequence | None = None,
           links: Sequence[Subset] = (), fixed: Sequence[bool] = (),
           hidden: Sequence | None = None):
    system, part_cells = build_system(parts, links)
    if np.isnan(system.values).any():
        j = int(np.flatnonzero(np.isnan(system.values))[0])
        raise InputError(f"{system.describe(j)}: a table to protect must hold every count")
    _check_margins(system)
    primary = _primary(system.values, cfg, system.unpublished,
                       system.sensitive_differences())
    for cells, mask in zip(part_cells, extra or []):
        if mask is not None:
            primary[cells[np.asarray(mask, dtype=bool)]] = True
    frozen = np.zeros(system.n_cells, dtype=bool)
    forced = np.zeros(system.n_cells, dtype=bool)
    for k, (cells, f) in enumerate(zip(part_cells, fixed)):
        if not f:
            continue
        frozen[cells] = True
        primary[cells] = False  # a fixed table's small groups are only those it withheld
        mask = (extra or [None] * len(parts))[k]
        if mask is not None:
            primary[cells[np.asarray(mask, dtype=bool)]] = True
        h = (hidden or [None] * len(parts))[k]
        if h is not None:
            forced[cells[np.asarray(h, dtype=bool)]] = True
    pattern = complementary_suppression(system, primary, cfg, frozen=frozen, forced=forced)
    report = report_from(system, pattern.suppressed, pattern.lower, pattern.upper, config=cfg,
                         true_values=system.values, primary=pattern.primary)
    if not report.ok:  # pragma: no cover - complementary_suppression guarantees this
        raise DisclosureError("\n".join(report.problems))
    return system, part_cells, pattern, report


def _numeric_crosstab(df: pd.DataFrame, name: str) -> pd.DataFrame:
    out = df.apply(pd.to_numeric, errors="coerce")
    bad = out.isna() | (out < 0) | (out != np.floor(out))
    if bad.to_numpy().any():
        i, j = np.argwhere(bad.to_numpy())[0]
        raise InputError(
            f"{name}: row '{df.index[i]}', column '{df.columns[j]}': expected a count "
            "(a whole number >= 0)"
        )
    return out


def _with_margins(df: pd.DataFrame, total_label: str) -> pd.DataFrame:
    out = df.copy()
    out[total_label] = out.sum(axis=1)
    out.loc[total_label] = out.sum(axis=0)
    return out


def protect_tables(
    tables: Sequence[pd.DataFrame],
    *,
    names: Sequence[str] | None = None,
    total_label: str = "Total",
    add_margins: bool = False,
    config: PrivacyConfig | None = None,
) -> list[Protected]:
    """Primary and complementary suppression of crosstabs published together.

    Parameters
    ----------
    tables : crosstabs of counts (rows x columns), each with a row and/or a column labelled
        ``total_label`` holding the margins. Name ``df.index`` and ``df.columns`` to link tables:
        cells with the same labels on the same dimension names are the same cell (so the
        ``Total`` column of ``school x grade`` and of ``school x race`` is one margin, and a cell
        suppressed in one cannot be recovered from the other).
    names : names in messages (default ``table 1``, ...).
    add_margins : compute and append the ``Total`` row and column first.
    config : threshold (10), protection level (3), cost, ...

    Returns
    -------
    list of Protected, one per table, in order.

    Raises
    ------
    InputError
        A cell that is not a non-negative count, or a margin that does not add up.
    EquitableError
        When no pattern can protect the small cells (e.g. ``protection`` larger than the
        table allows).

    Notes
    -----
    Primary cells are every cell (margins included) of ``n <= threshold`` (CDE's rule).
    Complementary cells are chosen by an integer program that minimises the suppressed total,
    with attacker-LP cutting planes (Fischetti & Salazar-Gonzalez 2000, JASA 95(451),
    pp. 916-928), until every suppressed cell's attacker interval reaches ``v + p`` above and
    ``max(v - p, 0)`` below.
    """
    cfg = config or PrivacyConfig()
    names = list(names) if names is not None else [f"table {i + 1}" for i in range(len(tables))]
    if len(names) != len(tables):
        raise InputError(f"{len(names)} names for {len(tables)} tables")
    clean = []
    parts = []
    for _i, (df, name) in enumerate(zip(tables, names)):
        if not isinstance(df, pd.DataFrame):
            raise InputError(f"{name}: expected a DataFrame, got {type(df).__name__}")
        num = _numeric_crosstab(df, name)
        if add_margins:
            num = _with_margins(num, total_label)
        num.index.name, num.columns.name = df.index.name, df.columns.name
        clean.append(num)
        parts.append(crosstab_part(num, name=name, total_label=total_label, marker=cfg.marker))
    _system, part_cells, pattern, report = _solve(parts, cfg)
    out = []
    for num, cells in zip(clean, part_cells):
        shape = num.shape
        supp = pattern.suppressed[cells].reshape(shape)
        prim = pattern.primary[cells].reshape(shape)
        table = num.astype(object)
        vals = num.to_numpy()
        as_int = np.all(np.mod(vals, 1) == 0)
        if as_int:
            table = num.astype("int64").astype(object)
        table = table.mask(supp, cfg.marker) if supp.any() else table
        out.append(Protected(
            table=table,
            suppressed=pd.DataFrame(supp, index=num.index, columns=num.columns),
            primary=pd.DataFrame(prim, index=num.index, columns=num.columns),
            audit=report,
            rounds=pattern.rounds,
        ))
    return out


def protect_crosstab(
    counts: pd.DataFrame,
    *,
    total_label: str = "Total",
    add_margins: bool = False,
    config: PrivacyConfig | None = None,
    name: str = "table",
) -> Protected:
    """Primary and complementary suppression of one crosstab of counts (see
    :func:`protect_tables`).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"Girls": [40, 3], "Boys": [35, 30]}, index=["Grade 3", "Grade 4"])
    >>> p = protect_crosstab(t, add_margins=True)
    >>> p.table.loc["Grade 4", "Girls"], int(p.suppressed.to_numpy().sum())
    ('*', 4)
    """
    return protect_tables([counts], names=[name], total_label=total_label,
                          add_margins=add_margins, config=config)[0]


def _validate_long(df: pd.DataFrame, count_col: str, group_cols: Sequence[str], name: str):
    missing = [c for c in [*group_cols, count_col] if c not in df.columns]
    if missing:
        raise InputError(f"{name}: missing column(s) " + ", ".join(f"'{c}'" for c in missing)
                         + did_you_mean(missing[0], df.columns))
    n = pd.to_numeric(df[count_col], errors="coerce")
    bad = n.isna() | (n < 0) | (n != np.floor(n))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{name}: row {i + 1}, column '{count_col}': expected a count (a whole number >= 0)"
        )
    return n


def protect_long(
    df: pd.DataFrame,
    *,
    count_col: str,
    value_cols: Sequence[str] | None = None,
    group_cols: Sequence[str] = (),
    rate_cols: Sequence[str] = (),
    rate_scale: float = 100,
    additive: Sequence[str] | None = None,
    total_label: str = "Total",
    config: PrivacyConfig | None = None,
    name: str = "table",
    also_suppress: Sequence[bool] | np.ndarray | None = None,
) -> Protected:
    """Protect a long table of groups (one row per group): caps, primary and complementary
    suppression.

    Parameters
    ----------
    df : one row per group: the ``group_cols`` (labels), ``count_col`` (the group's size n)
        and figures about the group.
    count_col : the group's size n; a group of ``n <= threshold`` is suppressed.
    value_cols : the figures withheld with a suppressed group (default: every column but the
        group columns). ``count_col`` is always among them.
    group_cols : the grouping columns. A row holding ``total_label`` in group column ``g`` is
        the total of the rows that agree with it on the other group columns (a margin), which
        also expresses hierarchies (``district``/``school``: the row ``(D, Total)`` totals D's
        schools, ``(Total, Total)`` totals the districts).
    rate_cols : rates capped by group size (NCES), on ``rate_scale`` (100 = percent).
    additive : the group columns whose ``Total`` rows are true sums (default: all). Leave out a
        column whose categories overlap (e.g. student groups EL, SED, SWD) or do not cover
        the total.
    also_suppress : one bool per row: rows withheld whatever their count (e.g. the rows hidden
        when another count of the same groups was protected). They are protected like the small
        groups: their interval must reach ``v + protection`` and ``max(v - protection, 0)``.

    Returns
    -------
    Protected
        ``table`` is ``df`` with suppressed figures as the marker and capped rates as
        ``"<=1"`` / ``">=99"``; ``suppressed``/``primary`` are boolean Series by row.

    Raises
    ------
    InputError
        A missing column, a count that is not a non-negative number, two rows for the same
        group, or a total row that does not add up.
    """
    cfg = config or PrivacyConfig()
    _validate_long(df, count_col, group_cols, name)
    missing = [c for c in [*(value_cols or []), *rate_cols] if c not in df.columns]
    if missing:
        raise InputError(f"{name}: missing column(s) " + ", ".join(f"'{c}'" for c in missing)
                         + did_you_mean(missing[0], df.columns))
    num = df.copy()
    num[count_col] = pd.to_numeric(num[count_col])
    part = long_part(num, name=name, count_col=count_col, group_cols=list(group_cols),
                     additive=additive, total_label=total_label, marker=cfg.marker)
    if also_suppress is not None and len(also_suppress) != len(df):
        raise InputError(f"{name}: also_suppress has {len(also_suppress)} values for {len(df)} rows")
    _system, part_cells, pattern, report = _solve([part], cfg, [also_suppress])
    supp = pd.Series(pattern.suppressed[part_cells[0]], index=df.index)
    prim = pd.Series(pattern.primary[part_cells[0]], index=df.index)
    out = cap_rates(df, list(rate_cols), count_col, scale=rate_scale, config=cfg) \
        if rate_cols else df.copy()
    cols = list(value_cols) if value_cols is not None else [
        c for c in df.columns if c not in group_cols
    ]
    if count_col not in cols:
        cols.append(count_col)
    for c in list(rate_cols):
        if c not in cols:
            cols.append(c)
    for c in cols:
        out[c] = out[c].astype(object)
        out.loc[supp.to_numpy(), c] = cfg.marker
    return Protected(table=out, suppressed=supp, primary=prim, audit=report,
                     rounds=pattern.rounds)


def protect_linked(
    tables: Sequence[LongTable],
    links: Sequence[Subset] = (),
    *,
    config: PrivacyConfig | None = None,
) -> list[Protected]:
    """Protect the long tables one run publishes as one linked set.

    Every table's cells and margins, the cells that are the same group in two tables (same
    group columns and labels: one cell of the system, as in :func:`protect_tables`) and the
    ``links`` (:class:`~equitable.privacy._tables.Subset`: the group of one cell is part of the
    group of another, e.g. the respondents of school A who answered an item and all of school
    A's respondents) form one system of equations. Complementary suppression runs over the
    whole system, so no suppressed count, and no difference of linked counts that is a group of
    1 to ``threshold`` (``sup - sub`` of a ``sensitive`` link: the students of a group who left
    the school), can be narrowed by adding or subtracting cells across the set to within the
    protection level.

    Parameters
    ----------
    tables : the tables (:class:`LongTable`); ``links`` refer to them by position and to
        their rows by position (0-based, in ``df`` order). A table with ``fixed=True`` is
        already published (another release): its cells bound the others but are never
        suppressed, and are not checked.
    links : ``Subset(sub=(table, row), sup=(table, row))``.
    config : threshold (10), protection level (3), cost, ...

    Returns
    -------
    list of Protected, one per table, in order (``audit`` is the joint audit of the set).

    Raises
    ------
    InputError
        As :func:`protect_long`; also when a linked subset is larger than its superset.

    Notes
    -----
    Linked tables and their audit by linear programming: FCSM Statistical Policy Working
    Paper 22 (rev. 2005), ch. 4; the integer program with attacker cuts: Fischetti &
    Salazar-Gonzalez (2000), JASA 95(451), pp. 916-928. A difference cell turns an inequality
    (``sub <= sup``) into an equation with a non-negative unknown, so the attacker LP is the
    same LP over more cells. With links the constraint matrix need not be totally unimodular:
    the LP interval can be wider than the integer one (an attacker reasoning on integers may
    do slightly better); FCSM's audits use the LP, as here.
    """
    cfg = config or PrivacyConfig()
    parts, extra = [], []
    for t in tables:
        _validate_long(t.df, t.count_col, t.group_cols, t.name)
        missing = [c for c in [*(t.value_cols or []), *t.rate_cols] if c not in t.df.columns]
        if missing:
            raise InputError(f"{t.name}: missing column(s) "
                             + ", ".join(f"'{c}'" for c in missing)
                             + did_you_mean(missing[0], t.df.columns))
        if t.also_suppress is not None and len(t.also_suppress) != len(t.df):
            raise InputError(f"{t.name}: also_suppress has {len(t.also_suppress)} values for "
                             f"{len(t.df)} rows")
        num = t.df.copy()
        num[t.count_col] = pd.to_numeric(num[t.count_col])
        parts.append(long_part(num, name=t.name, count_col=t.count_col,
                               group_cols=list(t.group_cols), additive=t.additive,
                               total_label=t.total_label, marker=cfg.marker))
        extra.append(t.also_suppress)
    _system, part_cells, pattern, report = _solve(parts, cfg, extra, links,
                                                  [t.fixed for t in tables],
                                                  [t.hidden for t in tables])
    return [_long_result(t, cells, pattern, report, cfg) for t, cells in zip(tables, part_cells)]


def _long_result(t: LongTable, cells: np.ndarray, pattern, report: AuditReport,
                 cfg: PrivacyConfig) -> Protected:
    df = t.df
    supp = pd.Series(pattern.suppressed[cells], index=df.index)
    prim = pd.Series(pattern.primary[cells], index=df.index)
    out = cap_rates(df, list(t.rate_cols), t.count_col, scale=t.rate_scale, config=cfg) \
        if t.rate_cols else df.copy()
    cols = list(t.value_cols) if t.value_cols is not None else [
        c for c in df.columns if c not in t.group_cols
    ]
    if t.count_col not in cols:
        cols.append(t.count_col)
    for c in list(t.rate_cols):
        if c not in cols:
            cols.append(c)
    for c in cols:
        out[c] = out[c].astype(object)
        out.loc[supp.to_numpy(), c] = cfg.marker
    return Protected(table=out, suppressed=supp, primary=prim, audit=report,
                     rounds=pattern.rounds)


def publish(
    df: pd.DataFrame,
    *,
    count_col: str,
    value_cols: Sequence[str] | None = None,
    group_cols: Sequence[str] = (),
    rate_cols: Sequence[str] = (),
    rate_scale: float = 100,
    additive: Sequence[str] | None = None,
    total_label: str = "Total",
    config: PrivacyConfig | None = None,
    name: str = "table",
) -> pd.DataFrame:
    """The one-call path for a long table of groups: ``protect_long(...).table``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"school": ["A", "B", "C", "Total"], "n": [120, 8, 40, 168],
    ...                    "chronic_absence_pct": [12.5, 50.0, 97.5, 25.0]})
    >>> publish(df, count_col="n", group_cols=["school"],
    ...         rate_cols=["chronic_absence_pct"])["n"].tolist()
    [120, '*', '*', 168]
    """
    return protect_long(df, count_col=count_col, value_cols=value_cols, group_cols=group_cols,
                        rate_cols=rate_cols, rate_scale=rate_scale, additive=additive,
                        total_label=total_label, config=config, name=name).table
