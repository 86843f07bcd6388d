"""Reading published tables from CSV files (crosstab or long form)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from equitable.errors import InputError, location

__all__ = ["check_figure_columns", "figure_role", "read_crosstab_csv", "read_csv_text"]

# What a published column holds, by its name (words split at "_", " " and "-"):
#: percents and percentiles, on 0-100 (``frpm_pct``, ``rate_pct``, ``ces_pctl``, ``percent``)
_PERCENT_WORDS = {"pct", "percent", "%"}
_PERCENTILE_WORDS = {"pctl", "pctile", "percentile"}
#: scores: the tool's published scores (index scores, survey scale scores) are on 0-100
_SCORE_WORDS = {"score"}
#: counts of people: whole numbers >= 0 (``n``, ``count``, ``enrollment``, ``students``)
_COUNT_WORDS = {"n", "count", "counts", "enrollment", "enrolled", "students", "respondents",
                "headcount"}
#: cells that are not a figure: blanks, suppression and missing marks (NCES caps such as
#: ``<=5`` are checked on their number)
_NOT_SHOWN = {"", "*", "NA", "N/A", "--", "No Data"}
_CAP = re.compile(r"^\s*(<=|>=|<|>|≤|≥)\s*")


def figure_role(column: str) -> str | None:
    """``"percentile"``, ``"percent"``, ``"score"``, ``"count"`` or None: what a column's name
    says it holds."""
    words = {w for w in re.split(r"[_\s\-()]+", column.lower()) if w}
    if column.strip().endswith("%"):
        words.add("%")
    if words & _PERCENTILE_WORDS:
        return "percentile"
    if words & _PERCENT_WORDS:
        return "percent"
    if words & _SCORE_WORDS:
        return "score"
    if words & _COUNT_WORDS:
        return "count"
    return None


def check_figure_columns(df: pd.DataFrame, path: str | Path, *, skip: Sequence[str] = (),
                         first_line: int = 2) -> None:
    """Refuse impossible figures in a published long table, by what each column's name says.

    Percents (``pct``, ``percent``, a trailing ``%``), percentiles (``pctl``, ``percentile``)
    and scores (``score``) must be within 0-100; counts (``n``, ``count``, ``enrollment``,
    ``students``, ``respondents``) whole numbers >= 0 (docs/privacy.md, "Input formats"). Blank
    cells, ``*`` and the missing marks are not figures; a capped rate (``<=5``, ``>=95``, the
    NCES notation) is checked on its number. Columns in ``skip`` (the group columns and the count
    column, checked by the audit itself) and columns whose name says nothing are left alone.

    Raises
    ------
    InputError
        ``file, row N, column 'c': 150 is not a percent between 0 and 100`` for the first bad
        cell (a cell that is not a number is not echoed: it may be text about a student).
    """
    from equitable.checks import number_or_none

    for c in df.columns:
        role = figure_role(str(c))
        if role is None or c in skip:
            continue
        for i, cell in enumerate(df[c].tolist()):
            text = "" if cell is None or (isinstance(cell, float) and np.isnan(cell)) else str(cell)
            text = text.strip()
            if text in _NOT_SHOWN:
                continue
            x = number_or_none(_CAP.sub("", text))
            where = location(path, first_line + i, str(c))
            if x is None:
                raise InputError(f"{where}: not a number (a {role} column)")
            if role != "count" and not 0 <= x <= 100:
                raise InputError(f"{where}: {x:g} is not a {role} between 0 and 100")
            if role == "count" and (x < 0 or x != np.floor(x)):
                raise InputError(f"{where}: {x:g} is not a count (a whole number >= 0)")


def read_csv_text(path: Path, *, skip_initial_space: bool = True) -> pd.DataFrame:
    """A CSV as text cells (leading zeros and markers kept); :class:`InputError` if unreadable.

    A UTF-8 byte-order mark (Excel's "CSV UTF-8") is dropped; other encodings are refused with
    the line of the first bad byte. ``skip_initial_space=False`` keeps every cell exactly.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a CSV file")
    if not path.exists():
        raise InputError(f"{path}: file not found")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path}: the file is empty (no header row)")
    # "file, row L: not UTF-8 text (byte 0xNN); ... iconv ..." (the shared rule, docs/data.md)
    from equitable.files import check_utf8

    check_utf8(path)
    # a row with more fields than the header, or a last row cut short (equitable.checks)
    from equitable.checks import check_field_counts

    check_field_counts(path, ",")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False,
                           skipinitialspace=skip_initial_space, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: not a readable CSV file ({detail})") from None


def read_crosstab_csv(path: Path, *, columns_name: str | None = None,
                      marker: str = "*") -> pd.DataFrame:
    """Read a crosstab CSV: row labels in the first column, whose header names the row
    dimension; the other headers are the column labels, of the dimension ``columns_name``
    (default: the file's stem). Cells stay text. Empty cells and repeated labels are errors."""
    df = read_csv_text(path)
    if df.shape[1] < 2:
        raise InputError(f"{path}: a crosstab needs a label column and at least one column")
    first = df.columns[0]
    labels = df[first].astype(str).str.strip()
    dup = labels[labels.duplicated()]
    if len(dup):
        i = int(dup.index[0])
        raise InputError(f"{location(path, i + 2, first)}: row label '{dup.iloc[0]}' repeats")
    table = df.drop(columns=[first])
    table.index = pd.Index(labels.tolist(), name=str(first).strip() or "row")
    table.columns = pd.Index([str(c).strip() for c in table.columns],
                             name=columns_name or path.stem)
    for c in table.columns:
        empty = table[c].astype(str).str.strip() == ""
        if empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            raise InputError(
                f"{location(path, i + 2, c)}: empty cell (write a count or '{marker}')"
            )
    return table


def line_message(msg: str, table: pd.DataFrame) -> str:
    """Add the file line (header = 1) to a message naming a crosstab row by its label."""
    for i, label in enumerate(table.index):
        tag = f"row '{label}', column"
        if tag in msg:
            return msg.replace(f"row '{label}'", f"row {i + 2} ('{label}')", 1)
    return msg
