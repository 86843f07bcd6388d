"""The auditor: what an attacker can derive about every suppressed cell of published tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from equitable.errors import EquitableError, InputError
from equitable.privacy._complementary import cell_ok, published_ok
from equitable.privacy._config import PrivacyConfig
from equitable.privacy._io import (
    check_figure_columns,
    line_message,
    read_crosstab_csv,
    read_csv_text,
)
from equitable.privacy._lp import attacker_intervals
from equitable.privacy._tables import (
    CellSystem,
    LongTable,
    Subset,
    TablePart,
    build_system,
    crosstab_part,
    long_part,
    subset_links,
)

__all__ = [
    "AuditReport",
    "DisclosureError",
    "assert_no_disclosure",
    "audit_files",
    "audit_linked",
    "audit_tables",
    "report_from",
]


class DisclosureError(EquitableError, AssertionError):
    """A table would disclose a small group (raised by :func:`assert_no_disclosure` and
    ``publish``). It is an :class:`AssertionError` too, so a test fails with its message."""


@dataclass
class AuditReport:
    """The result of an audit.

    Attributes
    ----------
    cells : one row per suppressed cell: ``table``, ``row``, ``column``, ``lower``, ``upper``
        (the attacker's tightest interval; ``inf`` when unbounded), ``value`` (the true value
        when known, else NaN) and ``ok``.
    problems : one line per failure (an under-protected cell, a small group published, an
        uncapped extreme rate), each naming the table, row and column.
    protection, threshold : the rules audited against.
    """

    cells: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    protection: float = 3
    threshold: int = 10

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def summary(self) -> str:
        """A few lines for a terminal: counts, the narrowest interval and the problems."""
        n = len(self.cells)
        lines = [
            f"{n} suppressed cell{'s' if n != 1 else ''} audited (protection level "
            f"{self.protection:g}, threshold {self.threshold}): "
            + ("OK" if self.ok else f"{len(self.problems)} problem(s)")
        ]
        lines += [f"  {p}" for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more")
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.summary()


_TOL = 1e-6


def _fmt(x: float) -> str:
    return "inf" if np.isinf(x) else f"{x:g}"


def report_from(
    system: CellSystem,
    suppressed: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    config: PrivacyConfig,
    true_values: np.ndarray | None = None,
    primary: np.ndarray | None = None,
) -> AuditReport:
    """Build an :class:`AuditReport` from attacker intervals over a system's cells.

    With ``true_values``, primary cells (``primary``, default: true value <= threshold) must
    satisfy :func:`protection_ok` and the others :func:`published_ok`; without, every suppressed
    cell must satisfy :func:`published_ok`.
    """
    p = float(config.protection)
    idx = np.flatnonzero(suppressed)
    unpub = system.never_shown()
    if true_values is not None:
        if primary is None:
            primary = true_values <= config.threshold
            if not config.suppress_zeros:
                primary &= true_values > 0
            primary = primary & ~(unpub & ((true_values < 1)
                                           | ~system.sensitive_differences()))
        ok = cell_ok(true_values, lower, upper, p, primary)
        ok |= unpub & ~primary
        shown = ~unpub | primary
    else:
        ok = published_ok(lower, upper, p)
        # a difference of linked cells is never shown: it only matters when it may be a
        # group of 1 to threshold that the attacker can narrow down
        with np.errstate(invalid="ignore"):
            big_or_none = (lower > config.threshold + _TOL) | (upper < 1 - _TOL)
        ok |= unpub & (big_or_none | ~system.sensitive_differences())
        shown = ~unpub | ~ok
    idx = idx[shown[idx]]
    rows = []
    problems = []
    for j in idx:
        for place in system.places[j]:
            rows.append({
                "table": place.table, "row": str(place.row), "column": place.column,
                "lower": float(lower[j]), "upper": float(upper[j]),
                "value": float(true_values[j]) if true_values is not None else np.nan,
                "ok": bool(ok[j]),
            })
        if not ok[j]:
            width = upper[j] - lower[j]
            how = ("can be derived exactly" if width <= 1e-6 else
                   f"can be narrowed to [{_fmt(lower[j])}, {_fmt(upper[j])}]")
            if unpub[j]:
                problems.append(
                    f"{system.describe(int(j))}: the difference of these linked cells (a group "
                    f"of students) {how}; the protection level is +-{p:g}"
                )
            else:
                problems.append(
                    f"{system.describe(int(j))}: suppressed cell {how}; the protection level "
                    f"is +-{p:g}"
                )
    cells = pd.DataFrame(
        rows, columns=["table", "row", "column", "lower", "upper", "value", "ok"]
    )
    return AuditReport(cells=cells, problems=problems, protection=p, threshold=config.threshold)


def _audit_parts(
    parts: Sequence[TablePart], config: PrivacyConfig, true_parts: Sequence[TablePart] | None,
    links: Sequence[Subset] = (),
) -> AuditReport:
    system, part_cells = build_system(parts, links)
    true_values = None
    if true_parts is not None:
        tsys, tcells = build_system(true_parts, links)
        true_values = np.full(system.n_cells, np.nan)
        for pc, tc in zip(part_cells, tcells):
            true_values[pc] = tsys.values[tc]
        true_values[system.never_shown()] = tsys.values[tsys.never_shown()]
    exempt = system.never_shown() & ~system.sensitive_differences()
    lower, upper = attacker_intervals(system, system.suppressed, system.values,
                                      only=~exempt if exempt.any() else None)
    report = report_from(
        system, system.suppressed, lower, upper, config=config, true_values=true_values
    )
    # a published small group is a primary disclosure
    small = _published_small(system, config)
    leaked = []
    if system.hidden_somewhere is not None:
        for j in np.flatnonzero(system.hidden_somewhere & ~system.suppressed):
            pl = system.places[j]
            leaked.append(
                f"{system.describe(int(j))}: the same cell is suppressed in one table and "
                "published in another (" + ", ".join(sorted({q.table for q in pl})) + ")"
            )
    report.problems[:0] = small + leaked
    return report


def _published_small(system: CellSystem, config: PrivacyConfig) -> list[str]:
    out = []
    v = system.values
    pub = ~system.suppressed
    low = pub & (v <= config.threshold)
    if not config.suppress_zeros:
        low &= v > 0
    for j in np.flatnonzero(low):
        out.append(
            f"{system.describe(int(j))}: a group of {v[j]:g} (<= {config.threshold}) is "
            "published; it must be suppressed"
        )
    return out


def _as_list(tables: pd.DataFrame | Sequence[pd.DataFrame]) -> list[pd.DataFrame]:
    return [tables] if isinstance(tables, pd.DataFrame) else list(tables)


def _parts(
    tables: Sequence[pd.DataFrame],
    *,
    names: Sequence[str] | None,
    count_col: str | None,
    group_cols: Sequence[str],
    total_label: str,
    marker: str,
) -> list[TablePart]:
    names = list(names) if names is not None else [f"table {i + 1}" for i in range(len(tables))]
    if len(names) != len(tables):
        raise InputError(f"{len(names)} names for {len(tables)} tables")
    parts = []
    for df, name in zip(tables, names):
        if count_col is not None:
            parts.append(long_part(df, name=name, count_col=count_col, group_cols=group_cols,
                                   total_label=total_label, marker=marker))
        else:
            parts.append(crosstab_part(df, name=name, total_label=total_label, marker=marker))
    return parts


def audit_tables(
    tables: pd.DataFrame | Sequence[pd.DataFrame],
    *,
    names: Sequence[str] | None = None,
    count_col: str | None = None,
    group_cols: Sequence[str] = (),
    total_label: str = "Total",
    config: PrivacyConfig | None = None,
    true: pd.DataFrame | Sequence[pd.DataFrame] | None = None,
) -> AuditReport:
    """Audit published tables: the attacker's tightest interval for every suppressed cell.

    Parameters
    ----------
    tables : published tables, suppressed cells holding the marker (``"*"``). Crosstabs (rows
        x columns of counts with ``total_label`` margins; name ``index``/``columns`` to link
        tables), or long tables when ``count_col`` is given (group columns + a count column;
        a ``total_label`` in a group column marks a margin row).
    names : the tables' names in messages (default ``table 1``, ``table 2``...).
    config : threshold and protection level (default: 10 and 3).
    true : the unsuppressed tables, same shapes, when known; then a cell passes when the
        attacker's interval reaches ``v + p`` above and ``max(v - p, 0)`` below. Without them
        the rule knowable from the published cells alone is used: the interval is at least
        ``2 p`` wide, or starts at 0 and reaches ``p``.

    Returns
    -------
    AuditReport
        ``.ok`` is False when a suppressed cell is under-protected or a published count is a
        group of ``n <= threshold``.

    Raises
    ------
    InputError
        A cell that is neither a count nor the marker, a margin that does not add up, or two
        tables disagreeing about the same cell.

    Notes
    -----
    The attacker model and the LP are those of FCSM Statistical Policy Working Paper 22 (rev.
    2005), ch. 4 ("auditing a suppression pattern"): published cells are known exactly, counts
    are non-negative, and every stated margin holds.
    """
    cfg = config or PrivacyConfig()
    tl = _as_list(tables)
    parts = _parts(tl, names=names, count_col=count_col, group_cols=group_cols,
                   total_label=total_label, marker=cfg.marker)
    true_parts = None
    if true is not None:
        true_parts = _parts(_as_list(true), names=names, count_col=count_col,
                            group_cols=group_cols, total_label=total_label, marker=cfg.marker)
    return _audit_parts(parts, cfg, true_parts)


def audit_linked(
    tables: Sequence[LongTable],
    subsets: Sequence[tuple[int, int]] = (),
    *,
    links: Sequence[Subset] = (),
    sensitive: bool = False,
    config: PrivacyConfig | None = None,
    true: Sequence[pd.DataFrame] | None = None,
) -> AuditReport:
    """Audit long tables published together as one linked set.

    Parameters
    ----------
    tables : the published tables (:class:`~equitable.privacy.LongTable`; suppressed counts
        hold the marker). Cells with the same group labels on the same group columns are one
        cell wherever they show.
    subsets : ``(i, j)``: every group of table ``i`` is part of the group of table ``j`` with
        the same labels on ``j``'s group columns (``j`` breaks down by fewer columns), e.g. the
        respondents of a school who answered an item and the school's respondents
        (:func:`~equitable.privacy._tables.subset_links`).
    links : further :class:`~equitable.privacy.Subset` links, cell by cell.
    sensitive : the differences of the ``subsets`` are groups of students to protect (see
        :class:`~equitable.privacy.Subset`).
    true : the unsuppressed tables (same rows), when known: then a small group's interval
        must reach ``v + p`` and ``max(v - p, 0)`` (as in :func:`audit_tables`).

    Returns
    -------
    AuditReport
        Also failing, for a sensitive link, when the difference of the two cells (the students
        of a group who left) may be 1 to ``threshold`` and the published cells narrow it to
        less than the protection level.

    Notes
    -----
    FCSM Statistical Policy Working Paper 22 (rev. 2005), ch. 4: auditing linked tables by
    linear programming over their joint system of equations.
    """
    cfg = config or PrivacyConfig()
    parts = [long_part(t.df, name=t.name, count_col=t.count_col, group_cols=list(t.group_cols),
                       additive=t.additive, total_label=t.total_label, marker=cfg.marker)
             for t in tables]
    all_links = list(links)
    for i, j in subsets:
        all_links += subset_links(parts, i, j, sensitive=sensitive)
    true_parts = None
    if true is not None:
        if len(true) != len(tables):
            raise InputError(f"{len(true)} true tables for {len(tables)} published ones")
        true_parts = [long_part(df, name=t.name, count_col=t.count_col,
                                group_cols=list(t.group_cols), additive=t.additive,
                                total_label=t.total_label, marker=cfg.marker)
                      for t, df in zip(tables, true)]
    return _audit_parts(parts, cfg, true_parts, all_links)


def audit_files(
    paths: Sequence[str | Path],
    *,
    count_col: str | None = None,
    group_cols: Sequence[str] = (),
    columns_name: str | None = None,
    total_label: str = "Total",
    config: PrivacyConfig | None = None,
    subsets: Sequence[tuple[int, int]] = (),
    sensitive: bool = False,
) -> AuditReport:
    """Audit published CSV files together (the ``equitable privacy audit`` command).

    A **crosstab** file has the row labels in its first column; the first header cell names the
    row dimension (``school``), the other header cells are the columns; the row and column
    labelled ``total_label`` are the margins. The column dimension is named ``columns_name``
    (default: the file's stem), so files that share a row dimension name share their ``Total``
    column and grand total. A **long** file (``count_col`` given) has the ``group_cols`` and a
    count column. Empty cells are not allowed; suppressed cells hold ``*``.

    **A linked set** of long files: with several files, a file may leave out some of the
    ``group_cols`` (it does not break down by them: they are ``total_label`` in each of its
    rows), and ``subsets`` ``(i, j)`` (0-based positions in ``paths``) states that every group
    of file ``i`` is part of the group of file ``j`` with the same labels on ``j``'s columns
    (see :func:`audit_linked`; ``sensitive``: their differences are groups to protect).
    """
    cfg = config or PrivacyConfig()
    parts = []
    linked = count_col is not None and len(paths) > 1
    for raw in paths:
        path = Path(raw)
        if count_col is not None:
            df = read_csv_text(path)
            # a percent of 150, a negative enrollment, a count of 30.5: refused, not audited
            check_figure_columns(df, path, skip=[*group_cols, count_col])
            cols = list(group_cols)
            if linked:
                cols = [c for c in group_cols if c in df.columns]
            parts.append(long_part(df, name=str(path), count_col=count_col,
                                   group_cols=cols, total_label=total_label,
                                   marker=cfg.marker, first_line=2))
            continue
        table = read_crosstab_csv(path, columns_name=columns_name, marker=cfg.marker)
        try:
            parts.append(crosstab_part(table, name=str(path), total_label=total_label,
                                       marker=cfg.marker))
        except InputError as exc:
            raise InputError(line_message(str(exc), table)) from None
    links: list[Subset] = []
    for i, j in subsets:
        if count_col is None:
            raise InputError("subset links are for long files (give --count-col)")
        for k in (i, j):
            if not 0 <= k < len(parts):
                raise InputError(f"a subset link names file {k + 1}, but {len(parts)} files "
                                 "were given")
        links += subset_links(parts, i, j, sensitive=sensitive)
    return _audit_parts(parts, cfg, None, links)


def assert_no_disclosure(
    published: pd.DataFrame | Sequence[pd.DataFrame],
    *,
    count_col: str | None = None,
    group_cols: Sequence[str] = (),
    rate_cols: Sequence[str] = (),
    rate_scale: float = 100,
    total_label: str = "Total",
    names: Sequence[str] | None = None,
    config: PrivacyConfig | None = None,
) -> AuditReport:
    """Check that published aggregate tables disclose no small group; for every part's tests.

    Checks (1) no published count of a group of ``n <= threshold``; (2) when ``count_col`` is
    given (long tables), no other figure of a suppressed group is shown, and every rate in
    ``rate_cols`` respects the NCES caps for its group size; (3) the audit of the suppressed
    cells against the margins (``total_label`` rows/columns) passes.

    Returns
    -------
    AuditReport
        When every check passes.

    Raises
    ------
    DisclosureError
        Listing every problem, each naming the table, row and column (never a student).
    """
    cfg = config or PrivacyConfig()
    tl = _as_list(published)
    report = audit_tables(tl, names=names, count_col=count_col, group_cols=group_cols,
                          total_label=total_label, config=cfg)
    problems = list(report.problems)
    if count_col is not None:
        nm = list(names) if names is not None else [f"table {i + 1}" for i in range(len(tl))]
        for df, name in zip(tl, nm):
            problems += _check_long_figures(df, name, count_col, group_cols, rate_cols,
                                            rate_scale, cfg)
    report.problems = problems
    if problems:
        raise DisclosureError(
            f"{len(problems)} disclosure problem(s):\n" + "\n".join(f"  {p}" for p in problems)
        )
    return report


def _check_long_figures(
    df: pd.DataFrame,
    name: str,
    count_col: str,
    group_cols: Sequence[str],
    rate_cols: Sequence[str],
    rate_scale: float,
    cfg: PrivacyConfig,
) -> list[str]:
    problems = []
    n_raw = df[count_col]
    suppressed = n_raw.astype(str).str.strip() == cfg.marker
    n = pd.to_numeric(n_raw.where(~suppressed), errors="coerce")
    figures = [c for c in df.columns if c not in (*group_cols, count_col)]
    for i in np.flatnonzero(suppressed.to_numpy()):
        shown = []
        for c in figures:
            x = df[c].iloc[i]
            if isinstance(x, str) and x.strip() in (cfg.marker, ""):
                continue
            if x is None or (isinstance(x, float) and np.isnan(x)):
                continue
            if pd.api.types.is_number(x) or isinstance(x, str):
                shown.append(c)
        if shown:
            label = " / ".join(str(df[g].iloc[i]) for g in group_cols) or str(i + 1)
            problems.append(
                f"{name}: row '{label}': the group is suppressed but column(s) "
                + ", ".join(f"'{c}'" for c in shown) + " are shown"
            )
    for c in rate_cols:
        r = pd.to_numeric(df[c], errors="coerce")
        above = np.inf
        for cap in cfg.caps:
            band = (n >= cap.min_n) & (n < above) & (n > cfg.threshold)
            above = cap.min_n
            bad = band & ((r <= cap.low * rate_scale / 100) | (r >= cap.high * rate_scale / 100))
            for i in np.flatnonzero(bad.to_numpy()):
                label = " / ".join(str(df[g].iloc[i]) for g in group_cols) or str(i + 1)
                problems.append(
                    f"{name}: row '{label}', column '{c}': rate {r.iloc[i]:g} for a group of "
                    f"{n.iloc[i]:g} must be shown as '<={cap.low * rate_scale / 100:g}' or "
                    f"'>={cap.high * rate_scale / 100:g}' "
                    "(NCES caps)"
                )
    return problems
