"""The allocation workbook for budget staff (xlsxwriter)."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pandas as pd
import xlsxwriter

from equitable.report._model import TIER_COLOURS, TIER_TEXT, ReportData, tier_colour_at

#: Columns of the "Schools" sheet: (column in ReportData.schools, header, kind, width).
_SCHOOL_COLUMNS = [
    ("rank", "Rank", "int", 7),
    ("tier", "Tier", "text", 12),
    ("cds_code", "CDS code", "text", 16),
    ("school_name", "School", "text", 42),
    ("enrollment", "Enrollment", "int", 11),
    ("score", "Need score", "dec", 11),
    ("allocation_dollars", "Allocation", "money", 16),
    ("per_pupil_dollars", "Allocation per pupil", "money2", 12),
    ("geoid", "Census tract (GEOID)", "text", 14),
    ("placement", "Tract placement", "text", 22),
    ("neighbourhood", "Neighbourhood", "text", 22),
    ("missing_indicators", "Missing indicators", "text", 22),
]

# A fixed creation date keeps the workbook's bytes the same run after run.
_FIXED_DATE = _dt.datetime(2000, 1, 1)


def write_xlsx(data: ReportData, path: str | Path) -> Path:
    """Write the allocation workbook: "Summary" (by tier), "Schools", "Parameters".

    Money cells are numbers in dollars with a currency format (``$#,##0.00``) so they sum in
    Excel; every sheet has a frozen header row, the school list has an autofilter, and columns are
    sized to their content. The Summary total row uses SUM formulas (with cached values so
    viewers that do not recalculate show them).

    Parameters
    ----------
    data : the report's content.
    path : the ``.xlsx`` file to write.
    """
    p = Path(path)
    wb = xlsxwriter.Workbook(str(p), {"nan_inf_to_errors": True})
    wb.set_properties({"title": data.title, "author": "equitable", "created": _FIXED_DATE,
                       "comments": f"equitable {data.version}"})
    f_head = wb.add_format({"bold": True, "bg_color": "#e8eef4", "bottom": 1, "text_wrap": True,
                            "valign": "top"})
    f_money = wb.add_format({"num_format": "$#,##0.00"})
    f_money2 = wb.add_format({"num_format": "$#,##0.00"})
    f_int = wb.add_format({"num_format": "#,##0"})
    f_dec = wb.add_format({"num_format": "0.0000"})
    f_pct = wb.add_format({"num_format": "0.00%"})
    f_bold = wb.add_format({"bold": True})
    f_total_money = wb.add_format({"bold": True, "num_format": "$#,##0.00", "top": 2})
    f_total_int = wb.add_format({"bold": True, "num_format": "#,##0", "top": 2})
    f_total_pct = wb.add_format({"bold": True, "num_format": "0.00%", "top": 2})
    f_total_text = wb.add_format({"bold": True, "top": 2})
    f_title = wb.add_format({"bold": True, "font_size": 14})
    f_wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    # ---- Summary -------------------------------------------------------------------------
    ws = wb.add_worksheet("Summary")
    ws.write(0, 0, data.title, f_title)
    ws.write(1, 0, f"Budget: ${data.budget_cents / 100:,.2f}. Amounts in whole cents add up to "
                   "the budget exactly (largest-remainder rounding).")
    head = ["Tier", "Schools", "Students", "Rate per pupil", "Allocation", "Share of students",
            "Share of dollars"]
    hr = 3
    for c, h in enumerate(head):
        ws.write(hr, c, h, f_head)
    for i, row in enumerate(data.tiers.itertuples(index=False)):
        r = hr + 1 + i
        fill = tier_colour_at(i, len(data.tiers))  # the dashboard's and report.html's scale
        colour = wb.add_format({"bg_color": fill, "bold": True,
                                "font_color": TIER_TEXT[TIER_COLOURS.index(fill)]})
        ws.write(r, 0, row.tier, colour)
        ws.write_number(r, 1, int(row.schools), f_int)
        if isinstance(row.students, str):
            ws.write_string(r, 2, row.students)
        else:
            ws.write_number(r, 2, int(row.students), f_int)
        if pd.notna(row.rate_dollars):
            ws.write_number(r, 3, float(row.rate_dollars), f_money2)
        ws.write_number(r, 4, row.amount_cents / 100, f_money)
        ws.write_number(r, 5, float(row.share_students), f_pct)
        ws.write_number(r, 6, float(row.share_dollars), f_pct)
    n = len(data.tiers)
    tr = hr + 1 + n
    first, last = hr + 2, hr + 1 + n  # 1-based Excel rows of the tier lines
    ws.write(tr, 0, "Total", f_total_text)
    ws.write_formula(tr, 1, f"=SUM(B{first}:B{last})", f_total_int, int(data.tiers["schools"].sum()))
    students_total = int(data.schools["enrollment"].fillna(0).sum())
    ws.write_formula(tr, 2, f"=SUM(C{first}:C{last})", f_total_int, students_total)
    ws.write(tr, 3, "", f_total_text)
    ws.write_formula(tr, 4, f"=SUM(E{first}:E{last})", f_total_money,
                     int(data.tiers["amount_cents"].sum()) / 100)
    ws.write_formula(tr, 5, f"=SUM(F{first}:F{last})", f_total_pct, 1.0)
    ws.write_formula(tr, 6, f"=SUM(G{first}:G{last})", f_total_pct, 1.0)
    ws.freeze_panes(hr + 1, 1)
    for c, w in enumerate([14, 10, 12, 15, 18, 16, 16]):
        ws.set_column(c, c, w)
    ws.write(tr + 2, 0, "* = a group of 10 or fewer students, not shown.")

    # ---- Schools -------------------------------------------------------------------------
    ws = wb.add_worksheet("Schools")
    s = data.schools
    cols = [c for c in _SCHOOL_COLUMNS if c[0] in s.columns]
    extra = [c for c in s.columns if c.endswith(("_pct", "_pctl", "_rate")) and c not in
             {x[0] for x in cols}]
    fmt = {"int": f_int, "dec": f_dec, "money": f_money, "money2": f_money2}
    for c, (_, header, _, width) in enumerate(cols):
        ws.write(0, c, header, f_head)
        ws.set_column(c, c, width)
    base = len(cols)
    for j, col in enumerate(extra):
        ws.write(0, base + j, col, f_head)
        ws.set_column(base + j, base + j, max(12, min(len(col) + 2, 30)))
    for i, rec in enumerate(s.itertuples(index=False)):
        rowd = rec._asdict()
        for c, (name, _, kind, _) in enumerate(cols):
            v = rowd[name]
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                continue
            if kind == "text":
                ws.write_string(i + 1, c, str(v))
            else:
                ws.write_number(i + 1, c, float(v), fmt[kind])
        for j, col in enumerate(extra):
            v = rowd[col]
            if v is not None and not pd.isna(v):
                ws.write_number(i + 1, base + j, float(v))
    ws.freeze_panes(1, 4)
    ws.autofilter(0, 0, len(s), base + len(extra) - 1)

    # ---- Parameters ----------------------------------------------------------------------
    ws = wb.add_worksheet("Parameters")
    ws.write(0, 0, "Parameter", f_head)
    ws.write(0, 1, "Value", f_head)
    for i, (k, v) in enumerate(data.parameters):
        ws.write_string(i + 1, 0, str(k), f_bold)
        if isinstance(v, bool) or v is None:
            ws.write_string(i + 1, 1, str(v))
        elif isinstance(v, (int, float)):
            ws.write_number(i + 1, 1, v)
        else:
            ws.write_string(i + 1, 1, str(v), f_wrap)
    ws.set_column(0, 0, 42)
    ws.set_column(1, 1, 90)
    ws.freeze_panes(1, 0)
    wb.close()
    return p
