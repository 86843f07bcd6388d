"""The one XLSX writer of the project (XlsxWriter): ``allocation.xlsx``, ``compare.xlsx`` and the
staffing workbooks are all written through :class:`Book`.

What every workbook gets from here:

* the same bytes for the same content: the document's created date is fixed (XlsxWriter
  otherwise stamps the clock time into ``docProps/core.xml``) and XlsxWriter's zip entries carry
  a fixed date;
* number formats by kind of column (:data:`FORMATS`): money in dollars and cents
  (``$#,##0.00``), counts (``#,##0``), fractions as percents (``0.0%``), percentile ranks and
  percents on 0-100 (``0.0``);
* a bold header row, frozen, an autofilter over the table, columns sized to their content;
* totals as ``SUM`` formulas written with their cached value, so Excel (which recalculates)
  and viewers that do not (openpyxl, previews) show the same total;
* text is always written as text: a school name starting with ``=`` is not a formula and a
  web address is not a link (XlsxWriter's ``strings_to_formulas`` and ``strings_to_urls`` off).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FIXED_CREATED", "FORMATS", "Book", "Col", "cell", "flatten", "is_blank"]

#: The created date written into every workbook (``docProps/core.xml``): fixed, so the same
#: content gives the same bytes run after run.
FIXED_CREATED = _dt.datetime(2000, 1, 1)

#: Number format of each kind of column. ``pct`` is a fraction 0-1 shown as a percent;
#: ``pct100`` and ``pctl`` are numbers on 0-100 (a percent as CDE publishes it, a percentile
#: rank) shown with one decimal.
FORMATS: dict[str, str | None] = {
    "text": None,
    "int": "#,##0",
    "money": "$#,##0.00",
    "money0": "$#,##0",
    "pct": "0.0%",
    "pct100": "0.0",
    "pctl": "0.0",
    "dec": "0.0000",
    "num": "#,##0.0##",
    "weight": "0.000",
    "bool": None,
    "wrap": None,
}

#: Kinds whose column is summed in a totals row.
SUMMABLE = ("int", "money", "money0")


def is_blank(v: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA (an empty cell)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(isinstance(v, float | np.floating) and math.isnan(v))
    except TypeError:
        return False


def cell(row: int, col: int, *, absolute: bool = False) -> str:
    """A1-style reference of a 0-based (row, col)."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    return xl_rowcol_to_cell(row, col, row_abs=absolute, col_abs=absolute)


@dataclass(frozen=True)
class Col:
    """One column of a table: ``key`` (the DataFrame column), ``header`` (what the reader sees,
    with its unit), ``kind`` (a key of :data:`FORMATS`) and an optional fixed ``width``."""

    key: str
    header: str
    kind: str = "text"
    width: float | None = None


class Book:
    """An XLSX workbook with the project's formats (see the module docstring).

    Parameters
    ----------
    path : the ``.xlsx`` file to write.
    title : the document title (file properties); ``comments`` likewise.
    """

    def __init__(self, path: str | Path, *, title: str, comments: str = "") -> None:
        import xlsxwriter

        self.path = Path(path)
        self.wb = xlsxwriter.Workbook(str(self.path), {
            "nan_inf_to_errors": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False})
        self.wb.set_properties({"title": title, "author": "equitable", "created": FIXED_CREATED,
                                "comments": comments})
        self._fmt: dict[tuple[str, bool, bool], Any] = {}
        self.head = self.wb.add_format({"bold": True, "bg_color": "#e8eef4", "bottom": 1,
                                        "text_wrap": True, "valign": "top"})
        self.title_fmt = self.wb.add_format({"bold": True, "font_size": 14})
        self.section_fmt = self.wb.add_format({"bold": True, "font_size": 12})
        self.bold = self.wb.add_format({"bold": True})
        self.wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})

    # ---- formats ----------------------------------------------------------------------------
    def fmt(self, kind: str, *, total: bool = False, bold: bool = False) -> Any:
        """The cell format of a kind of column (a totals row: bold with a top border)."""
        key = (kind, total, bold)
        if key not in self._fmt:
            props: dict[str, Any] = {}
            nf = FORMATS.get(kind)
            if nf:
                props["num_format"] = nf
            if total:
                props.update({"bold": True, "top": 2})
            if bold:
                props["bold"] = True
            if kind == "wrap":
                props.update({"text_wrap": True, "valign": "top"})
            self._fmt[key] = self.wb.add_format(props) if props else None
        return self._fmt[key]

    def add_format(self, props: dict[str, Any]) -> Any:
        return self.wb.add_format(props)

    def sheet(self, name: str) -> Any:
        """A new worksheet (names longer than Excel's 31 characters are cut)."""
        return self.wb.add_worksheet(name[:31])

    # ---- cells ------------------------------------------------------------------------------
    def write(self, ws: Any, row: int, col: int, value: Any, kind: str = "text",
              fmt: Any = None) -> None:
        """One cell: blank for a missing value; a number for a number (in ``kind``'s format);
        text for anything else (a suppressed ``*`` stays text in a number column)."""
        f = fmt if fmt is not None else self.fmt(kind)
        if is_blank(value):
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
            return
        if isinstance(value, bool | np.bool_):
            ws.write_boolean(row, col, bool(value), f)
        elif isinstance(value, int | float | np.integer | np.floating):
            ws.write_number(row, col, float(value), f)
        elif isinstance(value, _dt.datetime | _dt.date | pd.Timestamp):
            ws.write_string(row, col, value.isoformat(), f)
        else:
            ws.write_string(row, col, str(value), f)

    def table(self, ws: Any, df: pd.DataFrame, cols: Sequence[Col], *, row: int = 0,
              col: int = 0, header_fmt: Any = None, row_formats: Sequence[Any] | None = None,
              ) -> tuple[int, int]:
        """Write a header row at ``row`` and one row per record of ``df`` below it.

        ``row_formats`` (optional): per data row, a format for its first cell (tier colours).
        Returns the 0-based first and last data rows (``last < first`` when ``df`` is empty).
        """
        for j, c in enumerate(cols):
            ws.write_string(row, col + j, c.header, header_fmt or self.head)
        records = df[[c.key for c in cols]].itertuples(index=False, name=None)
        for i, rec in enumerate(records):
            r = row + 1 + i
            for j, (c, v) in enumerate(zip(cols, rec, strict=True)):
                first_fmt = row_formats[i] if (row_formats is not None and j == 0) else None
                self.write(ws, r, col + j, v, c.kind, first_fmt)
        return row + 1, row + len(df)

    def totals(self, ws: Any, row: int, cols: Sequence[Col], first: int, last: int,
               label: str, cached: dict[str, float | int], *, col: int = 0,
               formulas: dict[str, tuple[str, float]] | None = None) -> None:
        """A totals row: ``label`` in the first column, ``=SUM(...)`` over the data rows
        ``first``..``last`` (0-based) for each column named in ``cached`` (its value the
        cached result), and any other ``formulas`` (key -> (formula, cached value))."""
        formulas = formulas or {}
        ws.write_string(row, col, label, self.fmt("text", total=True))
        for j, c in enumerate(cols):
            if j == 0:
                continue
            f = self.fmt(c.kind, total=True)
            if c.key in formulas:
                formula, value = formulas[c.key]
                ws.write_formula(row, col + j, formula, f, value)
            elif c.key in cached:
                rng = f"{cell(first, col + j)}:{cell(last, col + j)}"
                ws.write_formula(row, col + j, f"=SUM({rng})", f, cached[c.key])
            else:
                ws.write_blank(row, col + j, None, f)

    def widths(self, ws: Any, df: pd.DataFrame, cols: Sequence[Col], *, col: int = 0,
               minimum: int = 8, maximum: int = 60, header_row: int = 0) -> None:
        """Size each column to its longest value and its header (wrapped: the header row is
        made tall enough for the longest header's lines)."""
        lines = 1
        for j, c in enumerate(cols):
            if c.width is not None:
                ws.set_column(col + j, col + j, c.width)
                lines = max(lines, math.ceil(len(c.header) / max(c.width - 1, 1)))
                continue
            longest = 0
            if c.key in df.columns and len(df):
                vals = df[c.key]
                if c.kind in ("money", "money0", "int", "num"):
                    longest = max((len(f"{float(v):,.2f}") + 2 for v in vals
                                   if not is_blank(v) and not isinstance(v, str)), default=0)
                    longest = max(longest, max((len(v) for v in vals if isinstance(v, str)),
                                               default=0))
                else:
                    longest = int(vals.map(lambda v: 0 if is_blank(v) else len(str(v))).max())
            head = max(len(w) for w in c.header.split()) if c.header.split() else 0
            width = min(maximum, max(minimum, head + 2, min(len(c.header), 24) + 2, longest + 1))
            ws.set_column(col + j, col + j, width)
            lines = max(lines, math.ceil(len(c.header) / max(width - 1, 1)))
        if lines > 1:
            ws.set_row(header_row, 15 * min(lines, 6))

    def frame_sheet(self, name: str, df: pd.DataFrame, cols: Sequence[Col] | None = None, *,
                    autofilter: bool = True, freeze_cols: int = 0) -> Any:
        """A sheet holding one table: header frozen, autofilter, columns sized. Without
        ``cols`` every column of ``df`` is written as is (numbers as numbers, text as text)."""
        if cols is None:
            cols = [Col(str(c), str(c), _kind_of(df[c])) for c in df.columns]
        ws = self.sheet(name)
        data = df.copy()
        data.columns = [str(c) for c in data.columns]
        _, last = self.table(ws, data, cols)
        self.widths(ws, data, cols)
        ws.freeze_panes(1, freeze_cols)
        if autofilter and len(cols):
            ws.autofilter(0, 0, max(last, 0), len(cols) - 1)
        return ws

    @staticmethod
    def for_print(ws: Any, *, repeat_row: int | None = None) -> None:
        """Print on US Letter, landscape, one page wide; ``repeat_row`` (0-based) heads every
        printed page."""
        ws.set_paper(1)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        if repeat_row is not None:
            ws.repeat_rows(repeat_row)

    def close(self) -> Path:
        self.wb.close()
        return self.path


def flatten(d: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """A nested settings mapping (an allocation rule's ``model_dump``) as readable rows, one
    setting a row: ``{"weights": {"1 Highest": 1.5}, "kind": "tier_rates"}`` ->
    ``[("weights, 1 Highest", 1.5), ("kind", "tier_rates")]``; a list becomes one
    comma-separated text; None values are left out."""
    out: list[tuple[str, Any]] = []
    for k, v in d.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict):
            out += flatten(v, path + ", ")
        elif isinstance(v, list):
            out.append((path, ", ".join(
                "; ".join(f"{a} {b}" for a, b in x.items()) if isinstance(x, dict) else str(x)
                for x in v)))
        elif v is not None:
            out.append((path, v))
    return out


def _kind_of(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_integer_dtype(s):
        return "int"
    return "text"
