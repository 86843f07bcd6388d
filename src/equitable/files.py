"""Shared file helpers every layer may use: reading input tables (CSV, XLSX, Parquet) with the id
column kept as text, the UTF-8 check, required and numeric columns, result tables and output
folders. Errors name the file, row and column through :func:`equitable.errors.location`.

Row numbers in error messages count the header as row 1, so the first data row is row 2, as a
spreadsheet shows it (for Parquet, the same numbering of records).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from equitable.checks import check_field_counts, check_magnitude, parse_numbers
from equitable.errors import UTF8_ADVICE, InputError, first_non_utf8, location

__all__ = [
    "check_columns", "check_output_file", "check_utf8", "make_output_folder", "numeric_column", "read_table",
    "write_table",
]

_ROW_OFFSET = 2  # header is row 1


def read_table(path: str | Path, *, id_column: str | None = None, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV, XLSX or Parquet file into a DataFrame.

    Every column of a CSV or XLSX file whose name is ``id_column`` is read as text, so leading zeros
    (GEOID ``06037...``, CDS codes) survive; a UTF-8 byte-order mark is dropped. Other columns are
    read as pandas infers them (numbers stay numbers; text in a numeric column is reported later,
    by the engine, with its row and column).

    Parameters
    ----------
    path : ``.csv`` / ``.txt`` / ``.tsv`` (tab-delimited when the suffix is ``.tsv`` or ``.txt``
        and the header has tabs), ``.xlsx`` / ``.xlsm`` (first sheet unless ``sheet``),
        ``.parquet``.
    id_column : column kept as text (optional).

    Returns
    -------
    DataFrame with a RangeIndex; ``df.attrs["source"]`` is the file's path as given.

    Raises
    ------
    InputError
        The file is missing, a folder, empty, only a header, not UTF-8 (CSV, naming the line), has
        an unknown suffix, or cannot be parsed (naming the file and, for CSV, the line).
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a folder, not a file")
    if not p.is_file():
        raise InputError(f"{p}: file not found")
    if p.stat().st_size == 0:
        raise InputError(f"{p}: the file is empty")
    suffix = p.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            check_utf8(p)
            with open(p, encoding="utf-8-sig", errors="replace") as fh:
                head = fh.readline()
            sep = "\t" if ("\t" in head and head.count("\t") >= head.count(",")) else ","
            # extra fields on a row, or a last row cut short: an error, never shifted or blanked
            check_field_counts(p, sep)
            # the id column and known code columns (GEOID, CDS code, ...) stay text, so a
            # kept column never loses its leading zero in the output
            from equitable.checks import text_columns

            names = pd.read_csv(p, sep=sep, nrows=0, encoding="utf-8-sig").columns
            dtype = dict.fromkeys(text_columns([str(c) for c in names]), str)
            if id_column:
                dtype[id_column] = str
            df = pd.read_csv(
                p, sep=sep, dtype=dtype, encoding="utf-8-sig", keep_default_na=False,
                na_values=[""], low_memory=False,
            )
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(p, sheet_name=0 if sheet is None else sheet,
                               dtype={id_column: str} if id_column else None)
        elif suffix in (".parquet", ".pq"):
            df = pd.read_parquet(p)
            if id_column and id_column in df.columns:
                col = df[id_column]
                if pd.api.types.is_float_dtype(col):
                    col = col.map(lambda v: None if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)))
                df[id_column] = col.astype("string").astype(object)
        else:
            raise InputError(f"{p}: unknown file type '{p.suffix}' (use .csv, .xlsx or .parquet)")
    except InputError:
        raise
    except pd.errors.ParserError as exc:
        raise InputError(f"{p}: cannot be read as a table: {str(exc).strip().splitlines()[-1]}") from None
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot be read as a table: {exc}") from None
    df.columns = [str(c) for c in df.columns]
    if len(df) == 0:
        raise InputError(f"{p}: no data rows (only a header)")
    df = df.reset_index(drop=True)
    df.attrs["source"] = str(path)
    return df


def check_utf8(path: str | Path) -> None:
    """Raise :class:`InputError` naming the line of the first byte that is not UTF-8.

    A CSV saved by Excel as "CSV (Comma delimited)" is in Windows-1252 ("Español" as
    ``Espa\xf1ol``); decoding it with a guess could silently change names, so the user is asked
    to save it as "CSV UTF-8" instead.
    """
    bad = first_non_utf8(path)
    if bad is not None:
        line, byte = bad
        raise InputError(
            f"{location(Path(path), line)}: not UTF-8 text (byte 0x{byte:02x}); {UTF8_ADVICE}"
        )


def check_columns(df: pd.DataFrame, columns: list[str], source: str | None) -> None:
    """Raise :class:`InputError` naming the first required column that is absent (with a
    "did you mean" suggestion)."""
    have = list(df.columns)
    for c in columns:
        if c not in df.columns:
            from equitable.checks import did_you_mean

            raise InputError(f"{location(source, None, c)}: not found in the file"
                             f"{did_you_mean(c, have)}")


def numeric_column(
    df: pd.DataFrame, column: str, source: str | None, *, missing_text: list[str] | tuple = ()
) -> np.ndarray:
    """The column as float64 (empty cells and ``missing_text`` -> NaN).

    Raises
    ------
    InputError
        ``<file>, row <n>, column '<c>': '<text>' is not a number`` for the first cell that is
        neither a number (by the rule of :func:`equitable.checks.parse_numbers`), empty, nor a
        declared missing text; a value that is infinite or of absurd magnitude (1e15 or more).
    """
    s = df[column]

    def where(i: int) -> str:
        return location(source, i + _ROW_OFFSET, column)

    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=np.float64)
    if pd.api.types.is_float_dtype(s) and s.dtype == np.float64:
        out = s.to_numpy()  # a view: no copy of a million values
        check_magnitude(out, where)  # "inf" and "1e300" are parsed by pandas, refused here
        return out
    if pd.api.types.is_numeric_dtype(s):
        out = s.to_numpy(dtype=np.float64, na_value=np.nan)
        check_magnitude(out, where)
        return out
    txt = s.astype(object)
    is_na = txt.isna()
    stripped = txt.where(is_na, txt.astype(str).str.strip())
    blank = is_na | (stripped == "")
    if missing_text:
        blank |= stripped.isin(list(missing_text))
    # the one number rule (equitable.checks.parse_numbers, docs/data.md): "1,234" is accepted,
    # "1,23", "inf" and 1e15 or more are errors
    return parse_numbers(stripped, blank.to_numpy(), where)


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a result table as CSV (UTF-8, no index, LF line ends), XLSX or Parquet by suffix."""
    p = check_output_file(path)
    suffix = p.suffix.lower()
    try:
        if p.parent and not p.parent.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
        if suffix in (".csv", ".txt", ""):
            df.to_csv(p, index=False, lineterminator="\n", float_format="%.15g")
        elif suffix == ".xlsx":
            df.to_excel(p, index=False, engine="xlsxwriter")
        else:
            df.to_parquet(p, index=False)
    except OSError as exc:
        raise InputError(f"{p}: cannot write the file: {exc.strerror or exc}") from None
    return p


def check_output_file(path: str | Path) -> Path:
    """Raise :class:`InputError` when ``path`` cannot be a result table of :func:`write_table`
    (unknown suffix; an existing folder); return it as a Path."""
    p = Path(path)
    if p.suffix.lower() not in (".csv", ".txt", "", ".xlsx", ".parquet", ".pq"):
        raise InputError(f"{p}: unknown output type '{p.suffix}' (use .csv, .xlsx or .parquet)")
    if p.is_dir():
        raise InputError(f"{p}: is a folder; give a file name, e.g. {p / 'index.csv'}")
    return p


def make_output_folder(path: str | Path) -> Path:
    """Create the output folder ``path`` (and its parents) if needed and return it.

    Called before any work is done, so a bad ``-o`` fails at once rather than after the analysis.

    Raises
    ------
    InputError
        ``path`` is an existing file, or the folder cannot be created or written to (read-only
        location, a parent that is a file, ...).
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"{p}: is a file, not a folder; give an output folder")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{p}: cannot create the output folder: {exc.strerror or exc}") from None
    import os

    if not os.access(p, os.W_OK | os.X_OK):
        raise InputError(f"{p}: cannot write to the output folder: permission denied")
    return p
