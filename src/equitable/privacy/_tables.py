"""Tables as a system of cells and additive equations (the attacker's knowledge).

A published table is a set of cells, each identified by its non-total coordinates
(``(("grade", "3"), ("school", "Adams"))``), plus the equations its margins state: a ``Total``
row or column is the sum of the cells it covers. Cells of different tables with the same
coordinates are the same cell, so a margin shared by tables published together links them
(FCSM Statistical Policy Working Paper 22, 1994 / 2005, ch. 4, "linked tables").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from equitable.errors import InputError

__all__ = [
    "CellSystem", "LongTable", "Place", "Subset", "TablePart", "build_system", "crosstab_part",
    "long_part", "subset_links",
]

Key = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Place:
    """Where a cell shows: table name, row label (or 1-based line) and column label."""

    table: str
    row: object
    column: str


@dataclass
class TablePart:
    """One table in long form: coordinates, value, suppressed flag and place of each cell."""

    name: str
    dims: tuple[str, ...]
    coords: list[dict[str, str]]  # dim -> label (total label included)
    values: np.ndarray  # float; NaN where suppressed and unknown
    suppressed: np.ndarray  # bool
    places: list[Place]
    additive: tuple[str, ...]  # dims whose Total rows are sums over that dim
    total_label: str = "Total"


@dataclass
class LongTable:
    """One long table of a linked set for ``protect_linked`` and ``audit_linked`` (the
    arguments of ``protect_long``, one table each)."""

    df: pd.DataFrame
    count_col: str
    group_cols: Sequence[str] = ()
    value_cols: Sequence[str] | None = None
    rate_cols: Sequence[str] = ()
    rate_scale: float = 100
    additive: Sequence[str] | None = None
    total_label: str = "Total"
    name: str = "table"
    also_suppress: Sequence[bool] | None = None
    #: already published (by an earlier release, or another table of the run protected
    #: first): its cells are never suppressed here; those it withheld are ``hidden`` (checked
    #: as complementary cells: never pinned down) or ``also_suppress`` (small groups:
    #: protected to the protection level); the others are known to the reader
    fixed: bool = False
    hidden: Sequence[bool] | None = None


@dataclass(frozen=True)
class Subset:
    """A link between two tables published together: the group counted by cell ``sub`` is
    part of the group counted by cell ``sup`` (e.g. the respondents of a school who answered
    one item, and all the respondents of that school), so ``sub <= sup``.

    ``sub`` and ``sup`` are ``(part index, cell index within the part)``. The difference
    ``sup - sub`` is itself a group (those who skipped the item, who left, ...):
    :func:`build_system` adds it as an *unpublished* cell, never shown, that the attacker can
    bound from the published cells like any other (FCSM Statistical Policy Working Paper 22,
    ch. 4, linked tables). With ``sensitive`` the difference is a group of students to
    protect like a published one: when it is 1 to ``threshold``, its interval must reach the
    protection level (e.g. the students of a group who left the school). Without, the link
    only tells the attacker ``sub <= sup`` (e.g. the respondents who left one survey item
    blank: a count each estimate table already shows beside its respondent total).
    """

    sub: tuple[int, int]
    sup: tuple[int, int]
    sensitive: bool = False


@dataclass
class CellSystem:
    """Cells, their values and the equations ``sum(members) - total = 0`` between them."""

    keys: list[Key]
    values: np.ndarray  # float, NaN = unknown (suppressed everywhere it shows)
    suppressed: np.ndarray  # bool: suppressed in every place it shows
    places: list[list[Place]]
    equations: list[tuple[np.ndarray, int]] = field(default_factory=list)
    hidden_somewhere: np.ndarray | None = None  # bool: suppressed in at least one place
    unpublished: np.ndarray | None = None  # bool: a difference cell of a Subset link
    sensitive: np.ndarray | None = None  # bool: ... whose difference is a group to protect

    def sensitive_differences(self) -> np.ndarray:
        """Bool over cells: the difference cells of ``sensitive`` links."""
        if self.sensitive is None:
            return np.zeros(self.n_cells, dtype=bool)
        return self.sensitive

    def never_shown(self) -> np.ndarray:
        """Bool over cells: the unpublished difference cells (all False without links)."""
        if self.unpublished is None:
            return np.zeros(self.n_cells, dtype=bool)
        return self.unpublished

    @property
    def n_cells(self) -> int:
        return len(self.keys)

    def matrix(self) -> sparse.csr_matrix:
        """The equations as a sparse matrix (equations x cells): +1 members, -1 total."""
        rows, cols, vals = [], [], []
        for i, (members, total) in enumerate(self.equations):
            rows += [i] * (len(members) + 1)
            cols += list(members) + [total]
            vals += [1.0] * len(members) + [-1.0]
        return sparse.csr_matrix(
            (vals, (rows, cols)), shape=(len(self.equations), self.n_cells), dtype=float
        )

    def describe(self, j: int) -> str:
        """A short name of cell ``j`` for messages: its first place."""
        p = self.places[j][0]
        return f"{p.table}: row '{p.row}', column '{p.column}'"


def _is_total(label: object, total_label: str) -> bool:
    return str(label).strip() == total_label


def _key(coord: dict[str, str], total_label: str) -> Key:
    return tuple(sorted((d, str(v)) for d, v in coord.items() if not _is_total(v, total_label)))


def _parse_cell(value: Any, marker: str) -> tuple[float, bool] | None:
    """(value, suppressed) of a published cell; None when it is not a count. ``value`` is the
    cell as pandas holds it: a text, a number, or any object ``float`` may or may not take."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        s = value.strip()
        if s == marker:
            return (np.nan, True)
        # the one number rule (equitable.checks): "1,234" is a count, "1,23" is not
        from equitable.checks import number_or_none

        x = number_or_none(s)
        if x is None:
            return None
    else:
        try:
            x = float(value)
        except (TypeError, ValueError):
            return None
    # a count is a whole number of people: 30.5 or -3 is a damaged cell, never a count
    if not np.isfinite(x) or x < 0 or x != np.floor(x):
        return None
    return (x, False)


def crosstab_part(
    df: pd.DataFrame,
    *,
    name: str,
    total_label: str = "Total",
    marker: str = "*",
    row_dim: str | None = None,
    col_dim: str | None = None,
    first_line: int | None = None,
    suppressed: pd.DataFrame | None = None,
) -> TablePart:
    """A wide table of counts (rows x columns, margins labelled ``total_label``) as a part.

    Cells hold numbers or the ``marker``. ``first_line`` is the file line of the first data row
    (for messages; 2 for a CSV with one header line). ``suppressed`` (bool, same shape) marks
    cells to treat as suppressed although they hold their true value (used by the protector).
    """
    rdim = row_dim or (str(df.index.name) if df.index.name is not None else f"{name}:rows")
    cdim = col_dim or (str(df.columns.name) if df.columns.name is not None else f"{name}:columns")
    coords, values, supp, places = [], [], [], []
    bad = []
    for i, r in enumerate(df.index):
        for c in df.columns:
            parsed = _parse_cell(df.at[r, c], marker)
            row_ref = first_line + i if first_line is not None else r
            if parsed is None:
                bad.append((row_ref, c, df.at[r, c]))
                continue
            v, s = parsed
            if suppressed is not None and bool(suppressed.at[r, c]):
                s = True
            coords.append({rdim: str(r), cdim: str(c)})
            values.append(v)
            supp.append(s)
            places.append(Place(name, r, str(c)))
    if bad:
        row_ref, c, v = bad[0]
        where = f"line {row_ref}" if first_line is not None else f"row '{row_ref}'"
        raise InputError(
            f"{name}: {where}, column '{c}': expected a count (a whole number >= 0) or '{marker}'"
            + (f" ({len(bad) - 1} more such cells)" if len(bad) > 1 else "")
        )
    return TablePart(
        name=name, dims=(rdim, cdim), coords=coords, values=np.asarray(values, float),
        suppressed=np.asarray(supp, bool), places=places, additive=(rdim, cdim),
        total_label=total_label,
    )


def long_part(
    df: pd.DataFrame,
    *,
    name: str,
    count_col: str,
    group_cols: Sequence[str],
    additive: Sequence[str] | None = None,
    total_label: str = "Total",
    marker: str = "*",
    first_line: int | None = None,
    suppressed: np.ndarray | None = None,
) -> TablePart:
    """A long table (one row per group; group columns and a count column) as a part.

    A row whose group column ``g`` (in ``additive``, default every group column) holds
    ``total_label`` is the sum of the rows that agree with it on every other group column and
    hold a category in ``g``.
    """
    missing = [c for c in [*group_cols, count_col] if c not in df.columns]
    if missing:
        raise InputError(f"{name}: missing column(s) " + ", ".join(f"'{c}'" for c in missing))
    add = tuple(group_cols) if additive is None else tuple(additive)
    unknown = [c for c in add if c not in group_cols]
    if unknown:
        raise InputError(f"{name}: additive column(s) {unknown} are not group columns")
    coords, values, supp, places = [], [], [], []
    col = df[count_col].tolist()
    groups = df[list(group_cols)].astype(str).to_numpy()
    for i in range(len(df)):
        line = (first_line + i) if first_line is not None else i
        parsed = _parse_cell(col[i], marker)
        if parsed is None:
            raise InputError(
                f"{name}: " + (f"row {line}" if first_line is not None else f"row {i}")
                + f", column '{count_col}': expected a count (a whole number >= 0) or '{marker}'"
            )
        v, s = parsed
        if suppressed is not None and bool(suppressed[i]):
            s = True
        coords.append(dict(zip(group_cols, groups[i])) if len(group_cols) else {"_row": str(i)})
        values.append(v)
        supp.append(s)
        label = " / ".join(groups[i]) if len(group_cols) else str(
            line if first_line is not None else i + 1)
        places.append(Place(name, label, count_col))
    return TablePart(
        name=name, dims=tuple(group_cols), coords=coords, values=np.asarray(values, float),
        suppressed=np.asarray(supp, bool), places=places, additive=add, total_label=total_label,
    )


def build_system(
    parts: Sequence[TablePart], links: Sequence[Subset] = ()
) -> tuple[CellSystem, list[np.ndarray]]:
    """Merge parts into one :class:`CellSystem`; also return, per part, its cells' indices.

    ``links`` (:class:`Subset`) add, after the parts' cells, one unpublished cell per link
    (``sup - sub``; NaN when either side is suppressed) and the equation ``sub + diff = sup``.

    Raises :class:`InputError` when a table lists the same group twice, when two tables
    publish different values for the same cell, or when a linked subset is larger than its
    superset.
    """
    index: dict[Key, int] = {}
    keys: list[Key] = []
    values: list[float] = []
    supp: list[bool] = []
    hidden: list[bool] = []
    places: list[list[Place]] = []
    part_cells: list[np.ndarray] = []
    eqs: set[tuple[tuple[int, ...], int]] = set()
    for part in parts:
        idx = np.empty(len(part.coords), dtype=int)
        seen: dict[Key, int] = {}
        # Each cell's key (:func:`_key`) and its labels that are totals, found once per cell
        # (the equations below look at every cell once per additive dimension).
        tl = part.total_label
        labelled = [sorted((d, str(v)) for d, v in coord.items()) for coord in part.coords]
        cell_keys = [tuple(it for it in items if it[1].strip() != tl) for items in labelled]
        for i, k in enumerate(cell_keys):
            if k in seen:
                raise InputError(
                    f"{part.name}: rows '{part.places[seen[k]].row}' and '{part.places[i].row}' "
                    "are the same group"
                )
            seen[k] = i
            v, s = float(part.values[i]), bool(part.suppressed[i])
            if k in index:
                j = index[k]
                places[j].append(part.places[i])
                hidden[j] = hidden[j] or s
                if not s:
                    if not supp[j] and not np.isnan(values[j]) and abs(values[j] - v) > 1e-9:
                        raise InputError(
                            f"{part.name}: row '{part.places[i].row}', column "
                            f"'{part.places[i].column}' is {v:g} but {places[j][0].table} "
                            f"shows the same cell as {values[j]:g}"
                        )
                    if supp[j] and not np.isnan(v):
                        values[j] = v
                    supp[j] = False
                elif np.isnan(values[j]):
                    values[j] = v
            else:
                j = len(keys)
                index[k] = j
                keys.append(k)
                values.append(v)
                supp.append(s)
                hidden.append(s)
                places.append([part.places[i]])
            idx[i] = j
        part_cells.append(idx)
        # equations: for each additive dim g, a row with g == Total sums the rows with a
        # category in g that agree on every other dim
        for g in part.additive:
            members: dict[Key, list[int]] = {}
            totals: dict[Key, int] = {}
            for i, coord in enumerate(part.coords):
                # the key without dimension g (a total label is in no key)
                rest = tuple(it for it in cell_keys[i] if it[0] != g)
                if _is_total(coord[g], tl):
                    totals[rest] = idx[i]
                else:
                    members.setdefault(rest, []).append(idx[i])
            for rest, t in totals.items():
                m = members.get(rest)
                if m:
                    eqs.add((tuple(sorted(m)), t))
    unpub = [False] * len(keys)
    sens = [False] * len(keys)
    seen_links: set[tuple[int, int]] = set()
    for link in links:
        (pa, ia), (pb, ib) = link.sub, link.sup
        try:
            a, b = int(part_cells[pa][ia]), int(part_cells[pb][ib])
        except IndexError:
            raise InputError(f"a linked cell ({pa}, {ia}) or ({pb}, {ib}) is not in the "
                             "tables") from None
        if a == b or (a, b) in seen_links:
            if a != b and link.sensitive:
                sens[keys.index((("_difference", f"{b}-{a}"),))] = True
            continue
        seen_links.add((a, b))
        va, vb = values[a], values[b]
        diff = np.nan if (supp[a] or supp[b]) else vb - va
        if not np.isnan(diff) and diff < -1e-9:
            pa_, pb_ = places[a][0], places[b][0]
            raise InputError(
                f"{pa_.table}: row '{pa_.row}', column '{pa_.column}' is {va:g}, more than "
                f"{pb_.table}: row '{pb_.row}', column '{pb_.column}' ({vb:g}), which counts a "
                "group it is part of"
            )
        j = len(keys)
        pb_ = places[b][0]
        pa_ = places[a][0]
        keys.append((("_difference", f"{b}-{a}"),))
        values.append(diff)
        supp.append(True)
        hidden.append(True)
        unpub.append(True)
        sens.append(bool(link.sensitive))
        places.append([Place(f"{pb_.table} minus {pa_.table}",
                             f"{pb_.row} minus {pa_.row}", pb_.column)])
        eqs.add((tuple(sorted((a, j))), b))
    system = CellSystem(
        keys=keys, values=np.asarray(values, float), suppressed=np.asarray(supp, bool),
        places=places,
        equations=[(np.asarray(m, int), t) for m, t in sorted(eqs)],
        hidden_somewhere=np.asarray(hidden, bool),
        unpublished=np.asarray(unpub, bool) if any(unpub) else None,
        sensitive=np.asarray(sens, bool) if any(sens) else None,
    )
    return system, part_cells


def subset_links(parts: Sequence[TablePart], sub: int, sup: int, *, sensitive: bool = False
                 ) -> list[Subset]:
    """Links stating that every cell of part ``sub`` is part of a cell of part ``sup``.

    ``sup`` breaks down by fewer dimensions than ``sub`` (its dimensions are among ``sub``'s):
    a cell of ``sub`` is linked to the cell of ``sup`` with the same labels on ``sup``'s
    dimensions (e.g. the respondents of school A who answered item q1, in a table by measure
    and school, and the respondents of school A, in a table by school). Cells without such a
    cell in ``sup`` are not linked. ``sensitive``: see :class:`Subset`.

    Raises :class:`InputError` when ``sup`` has a dimension ``sub`` has not.
    """
    a, b = parts[sub], parts[sup]
    extra = [d for d in b.dims if d not in a.dims]
    if extra:
        raise InputError(f"{b.name} breaks down by '{extra[0]}', which {a.name} does not: "
                         "it cannot hold the groups of " + a.name)
    index = {_key(c, b.total_label): i for i, c in enumerate(b.coords)}
    out = []
    for i, c in enumerate(a.coords):
        k = _key({d: v for d, v in c.items() if d in b.dims}, a.total_label)
        j = index.get(k)
        if j is not None:
            out.append(Subset(sub=(sub, i), sup=(sup, j), sensitive=sensitive))
    return out
