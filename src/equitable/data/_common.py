"""Shared machinery of the readers: reading text/Excel tables as strings, parsing numbers with
CDE's suppression marks, checking identifiers (:mod:`equitable.ids`) and turning pandera failures into one-line
:class:`~equitable.errors.InputError` messages that name the file, row and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from equitable.checks import (
    check_field_counts,
    closest,
    parse_numbers,
)
from equitable.errors import InputError, location
from equitable.files import check_utf8
from equitable.ids import KINDS, IdKind, normalize, restore_note

#: Cell values read as missing. ``*`` is CDE's small-cell suppression mark (a group of 10 or
#: fewer students): it is missing, never 0. ``No Data`` is the CDE directory's blank, ``NA`` is
#: OEHHA's, ``-999`` is CDC/ATSDR SVI's (only for numeric columns of SVI, see ``missing_numbers``).
MISSING_MARKS = frozenset({"", "*", "NA", "N/A", "No Data", "--"})

_WS = re.compile(r"\s+")


def clean_header(name: object) -> str:
    """Collapse runs of whitespace (CDE's Excel headers hold line breaks) and strip BOMs."""
    return _WS.sub(" ", str(name).replace("\ufeff", "")).strip()


class Table:
    """A table read as strings, with the file name and the line number of each row."""

    def __init__(self, frame: pd.DataFrame, path: Path, first_line: int, sheet: str | None = None):
        self.frame = frame
        self.path = path
        # file line (or spreadsheet row) of the frame's first data row
        self.first_line = first_line
        self.sheet = sheet
        # output column name -> the column as the file spells it (for messages)
        self.source_names: dict[str, str] = {}
        # what the reader changed (padded codes, ...): printed and kept in run.json
        self.notes: list[str] = []

    @property
    def label(self) -> str:
        return f"{self.path} [sheet '{self.sheet}']" if self.sheet else str(self.path)

    def line(self, position: int) -> int:
        return self.first_line + int(position)


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")


def read_delimited(path: str | Path, sep: str | None = None) -> Table:
    """Read a CSV or tab-delimited text file, every cell as a string (no type guessing).

    ``sep`` defaults to a tab for ``.txt``/``.tsv`` files and a comma otherwise. The header is
    line 1, so the first data row is line 2.
    """
    p = Path(path)
    _check_exists(p)
    if p.stat().st_size == 0:
        raise InputError(f"{p}: the file is empty")
    if p.suffix.lower() in {".xlsx", ".xlsm", ".parquet", ".pq"}:
        return _read_binary_table(p)
    # a Windows-1252 file ("Espa\xf1ol" from Excel's "CSV (Comma delimited)") is reported with
    # its line, never decoded with replacement characters (that would change school names)
    check_utf8(p)
    if sep is None:
        sep = "\t" if p.suffix.lower() in {".txt", ".tsv", ".tab"} else ","
    # a row with more fields than the header, or a last row cut short, is an error (pandas
    # would shift values or fill blanks silently)
    check_field_counts(p, sep)
    try:
        frame = pd.read_csv(
            p, sep=sep, dtype=str, keep_default_na=False, na_filter=False,
            encoding="utf-8-sig", quotechar='"',
        )
    except pd.errors.EmptyDataError:
        raise InputError(f"{p}: the file is empty") from None
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = location(p, int(m.group(1)) if m else None)
        raise InputError(f"{where}: not a well-formed delimited file ({_first_line(exc)})") from None
    except UnicodeDecodeError as exc:  # pragma: no cover - checked by check_utf8 above
        raise InputError(f"{p}: cannot be decoded as text ({exc.reason})") from None
    frame.columns = [clean_header(c) for c in frame.columns]
    if len(frame) == 0:
        raise InputError(f"{p}: no data rows (only a header)")
    return Table(frame, p, first_line=2)


def _read_binary_table(p: Path) -> Table:
    """An XLSX workbook's first sheet or a Parquet file, every cell as text (as a CSV would be).

    Whole numbers stored as floats (``913.0``, Excel's and Parquet's way) are written without
    the ``.0``; row numbers in messages are spreadsheet rows (header = row 1).
    """
    try:
        if p.suffix.lower() in {".xlsx", ".xlsm"}:
            frame = pd.read_excel(p, sheet_name=0, dtype=str, engine="openpyxl")
        else:
            frame = pd.read_parquet(p)
    except Exception as exc:  # noqa: BLE001 - openpyxl/pyarrow raise many types for a bad file
        kind = "Excel workbook" if p.suffix.lower() in {".xlsx", ".xlsm"} else "Parquet file"
        raise InputError(f"{p}: not a readable {kind} ({_first_line(exc)})") from None
    for c in frame.columns:
        col = frame[c]
        if pd.api.types.is_float_dtype(col):
            col = col.map(lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer()
                                                          else repr(float(v))))
        frame[c] = col.astype(object).where(col.notna(), "").astype(str)
    frame.columns = [clean_header(c) for c in frame.columns]
    frame = frame.loc[:, [not c.startswith("Unnamed:") for c in frame.columns]]
    if len(frame) == 0:
        raise InputError(f"{p}: no data rows (only a header)")
    return Table(frame.reset_index(drop=True), p, first_line=2)


def read_excel_sheet(
    path: str | Path, sheet_hint: str | None, header_marker: str, max_header_row: int = 10
) -> Table:
    """Read one sheet of an ``.xlsx`` workbook whose header row holds ``header_marker``.

    CDE's official workbooks put a title on row 1 and the header on row 2; the header row is
    found by looking for the cell ``header_marker`` in the first ``max_header_row`` rows.
    ``sheet_hint`` picks the sheet whose name contains it (case-insensitive); default: the first
    sheet holding the marker.
    """
    p = Path(path)
    _check_exists(p)
    try:
        sheets = pd.read_excel(p, sheet_name=None, header=None, dtype=str, nrows=max_header_row,
                               engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken workbook
        raise InputError(f"{p}: not a readable Excel workbook ({_first_line(exc)})") from None
    names = list(sheets)
    if sheet_hint:
        chosen = [n for n in names if sheet_hint.lower() in n.lower()] or names
    else:
        chosen = names
    for name in chosen:
        head = sheets[name]
        for i in range(len(head)):
            cells = [clean_header(v) for v in head.iloc[i].tolist() if isinstance(v, str)]
            if header_marker in cells:
                frame = pd.read_excel(p, sheet_name=name, header=i, dtype=str, engine="openpyxl")
                frame = frame.fillna("")
                frame.columns = [clean_header(c) for c in frame.columns]
                frame = frame.loc[:, [not c.startswith("Unnamed:") for c in frame.columns]]
                # spreadsheet row numbers: header on row i + 1, data from row i + 2
                return Table(frame, p, first_line=i + 2, sheet=name)
    raise InputError(
        f"{p}: no sheet has a header row with '{header_marker}' in its first {max_header_row} rows"
        f" (sheets: {', '.join(names)})"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def require_columns(table: Table, columns: Iterable[str]) -> None:
    """Raise :class:`InputError` naming the file and every missing column."""
    missing = [c for c in columns if c not in table.frame.columns]
    if missing:
        cols = ", ".join(f"'{c}'" for c in missing)
        # a misspelt header ("pct_sdw") is named, as the column the user must rename
        # (equitable.checks.closest: the one "did you mean" rule of every reader)
        have = [str(c) for c in table.frame.columns if str(c) not in columns]
        hints = [(c, hit) for c in missing if (hit := closest(c, have)) is not None]
        if len(missing) == 1 and hints:
            hint = f" (did you mean '{hints[0][1]}'?)"
        elif hints:
            hint = " (did you mean " + ", ".join(f"'{h}' for '{c}'" for c, h in hints) + "?)"
        else:
            hint = ""
        raise InputError(
            f"{table.label}: missing column{'s' if len(missing) > 1 else ''} {cols}{hint}")


def parse_number(
    table: Table,
    column: str,
    *,
    integer: bool = False,
    missing: Iterable[str] = (),
) -> pd.Series:
    """Parse a string column as numbers; ``*``, blanks and the other missing marks become NaN.

    The one number rule of :func:`equitable.checks.parse_numbers`: thousands separators in exact
    groups of three (``1,234``) and a trailing ``%`` are accepted; any other text, ``inf``, and
    magnitudes of 1e15 or more are errors naming the file, the row of the first bad cell and
    the column.
    """
    raw = table.frame[column].astype(str).str.strip()
    marks = set(MISSING_MARKS) | set(missing)
    is_missing = raw.isin(marks)
    values = pd.Series(
        parse_numbers(raw, is_missing.to_numpy(),
                      lambda pos: location(table.label, table.line(pos), column)),
        index=raw.index,
    )
    if integer:
        frac = values.notna() & (values != np.floor(values.fillna(0)))
        if frac.any():
            pos = int(np.flatnonzero(frac.to_numpy())[0])
            raise InputError(
                f"{location(table.label, table.line(pos), column)}: "
                f"'{raw.iloc[pos]}' is not a whole number"
            )
        return values.astype("Int64")
    return values.astype("float64")


def parse_text(table: Table, column: str) -> pd.Series:
    """A text column with surrounding spaces removed and blanks/``*`` as missing."""
    s = table.frame[column].astype(str).str.strip()
    return s.where(~s.isin(MISSING_MARKS), None).astype("string")


def pad_code(
    table: Table, column: str, kind: IdKind | str, *, allow_missing: bool = False
) -> pd.Series:
    """A column of identifiers (CDS code, GEOID, FIPS code) by the one rule of
    :mod:`equitable.ids`, as a ``string`` Series (``<NA>`` for a blank cell when
    ``allow_missing``).

    Spreadsheet programs drop leading zeros (``6037101110`` for GEOID ``06037101110``): a value
    that lost them is restored with zeros and the reader's notes say how many
    (:func:`equitable.ids.restore_note`). Scientific notation, other characters and the wrong
    number of digits are errors naming the file, row and column.
    """
    k = KINDS[kind] if isinstance(kind, str) else kind
    out, restored = normalize(table.frame[column], k, label=table.label, column=column,
                              first_line=table.first_line, restore=True,
                              allow_missing=allow_missing, missing=MISSING_MARKS)
    table.notes.append(restore_note(table.path.name, column, restored, k))
    return out


def fraction_to_pct(table: Table, column: str) -> pd.Series:
    """Parse a 0-1 fraction column (CDE's FRPM percents) and return it on the 0-100 scale."""
    v = parse_number(table, column)
    out_of_range = v.notna() & ((v < 0) | (v > 1))
    if out_of_range.any():
        pos = int(np.flatnonzero(out_of_range.to_numpy())[0])
        raise InputError(
            f"{location(table.label, table.line(pos), column)}: {v.iloc[pos]:g} is not a "
            "fraction between 0 and 1 (CDE's percent columns are fractions)"
        )
    return v * 100.0


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, table: Table) -> pd.DataFrame:
    """Validate ``df`` (same row order as ``table``) with ``schema``, collecting every failure.

    Raises
    ------
    InputError
        One line: the first failure's file, row and column, what failed, and how many more
        failures there are.
    """
    _check_duplicates(df, schema, table)
    try:
        out = schema.validate(df, lazy=True)
        out.attrs["notes"] = [n for n in table.notes if n]
        return out
    except SchemaErrors as exc:
        cases = exc.failure_cases
        raise InputError(_describe_failures(cases, table, df)) from None
    except SchemaError as exc:  # pragma: no cover - lazy=True collects into SchemaErrors
        raise InputError(f"{table.label}: {_first_line(exc)}") from None


def _check_duplicates(df: pd.DataFrame, schema: pa.DataFrameSchema, table: Table) -> None:
    """Name the first repeated key as ``file, row N, column 'x': duplicate value 'v' (same as
    row M)`` (pandera would list every copy)."""
    keys: list[list[str]] = []
    if schema.unique:
        keys.append(list(schema.unique) if not isinstance(schema.unique, str) else [schema.unique])
    keys += [[name] for name, col in schema.columns.items() if col.unique]
    for key in keys:
        if not all(k in df.columns for k in key):
            continue
        sub = df[key]
        dup = sub.duplicated(keep="first") & sub.notna().all(axis=1)
        if dup.any():
            label = dup.index[dup.to_numpy()][0]
            same = sub.eq(sub.loc[label]).all(axis=1)
            first = same.index[same.to_numpy()][0]
            col = table.source_names.get(key[0], key[0])
            value = " / ".join(str(v) for v in sub.loc[label].tolist())
            raise InputError(
                f"{location(table.label, table.line(int(label)), col)}: duplicate value "
                f"'{value}' (same as row {table.line(int(first))})"
            )


def _describe_failures(cases: pd.DataFrame, table: Table, df: pd.DataFrame) -> str:
    cases = cases.copy()
    n = len(cases)
    first = cases.iloc[0]
    column = first.get("column")
    index = first.get("index")
    check = str(first.get("check"))
    value = first.get("failure_case")
    row = None
    if index is not None and not (isinstance(index, float) and np.isnan(index)):
        try:
            # readers keep the source table's 0-based row positions as the index
            row = table.line(int(index))
        except (ValueError, TypeError):
            row = None
    col = None if column is None or (isinstance(column, float) and np.isnan(column)) else str(column)
    src = table.source_names.get(col, col) if col else None
    where = location(table.label, row, src)
    msg = f"{where}: {_explain_check(check, value)}"
    if n > 1:
        msg += f" ({n - 1} more problem{'s' if n > 2 else ''})"
    return msg


def register_source_names(table: Table, mapping: Mapping[str, str]) -> None:
    """Remember ``output name -> file column name`` so error messages use the file's spelling."""
    table.source_names.update(mapping)


def _explain_check(check: str, value: object) -> str:
    shown = "(missing)" if value is None or (isinstance(value, float) and np.isnan(value)) else value
    if check.startswith("field_uniqueness") or check == "unique" or "unique" in check:
        return f"duplicate value '{shown}'"
    if check.startswith("not_nullable"):
        return "a value is required here"
    if check.startswith(("in_range", "greater", "less")):
        return f"{shown} is out of range ({check})"
    if check.startswith("str_matches"):
        return f"'{shown}' has the wrong form ({check})"
    if check.startswith("isin"):
        return f"'{shown}' is not an allowed value ({check})"
    if check.startswith("column_in_dataframe"):
        return f"missing column '{shown}'"
    return f"'{shown}' fails {check}"


def pct_check() -> pa.Check:
    """Percent columns (``*_pct``) hold values on the 0-100 scale."""
    return pa.Check.in_range(0, 100)
