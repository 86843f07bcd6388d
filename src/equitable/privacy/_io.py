"""Reading published tables from CSV files (crosstab or long form)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from equitable.errors import InputError, location

__all__ = ["read_crosstab_csv", "read_csv_text"]


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
    from equitable.index._io import check_utf8

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
