"""The allocation workbook budget staff hand to a board (``allocation.xlsx``, and
``allocation.es.xlsx`` in Spanish), written by the project's one XLSX writer
(:class:`equitable._workbook.Book`).

Sheets (names in the workbook's language):

* **Summary**: the budget; per tier the cut score and score range, schools, students, solved
  rate, dollars, dollars per pupil and the shares of students and dollars, with a total row of
  ``SUM`` formulas and a check that the Schools sheet adds up to the budget; with a prior-year
  allocation (``[prior]``), schools gaining, losing and unchanged per tier; the index's weight
  tree as its spec defines it; the rule and settings as readable rows; the data sources with
  their year, size and SHA-256.
* **Schools**: one row per ranked school with its rank, tier, need score, allocation, dollars
  per pupil (and prior amount, change and change per pupil), each indicator's value and
  percentile rank, tract and placement; a total row below the table.
* **Caveats**: every caveat of run.json (same codes and counts) in words, and the schools
  concerned (placed by the nearest tract centre with the distance, not placed, scored on fewer
  indicators).

Every text comes from :mod:`equitable.report._messages` (the one catalogue of the reports).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from equitable._workbook import Book, Col, cell, is_blank
from equitable.report._messages import MESSAGES, caveat_text, label_of, money, t, tier_label
from equitable.report._model import TIER_COLOURS, TIER_TEXT, ReportData, tier_colour_at

#: Columns of the Summary sheet's tier table (A-J).
_TIER_KEYS = ("tier", "schools", "students", "min_score", "max_score", "rate_dollars",
              "amount_dollars", "per_pupil", "share_students", "share_dollars")
_SUMMARY_WIDTHS = (46, 16, 16, 18, 18, 18, 20, 18, 16, 16)


def _msg(lang: str, key: str | None, value: Any = None, **args: Any) -> Any:
    """A message when the catalogue has ``key``; else ``value`` as given."""
    if key and key in MESSAGES["en"]:
        return t(lang, key, **args) if args else t(lang, key)
    return value


def write_xlsx(data: ReportData, path: str | Path, lang: str = "en") -> Path:
    """Write the allocation workbook in ``lang`` (``en`` or ``es``): Summary, Schools, Caveats.

    Money cells are numbers in dollars with a currency format (``$#,##0.00``) so they sum in
    a spreadsheet; fractions are percents; every table has a frozen header row and sized
    columns, the school list an autofilter. Totals are ``SUM`` formulas written with their
    cached values, so Excel and LibreOffice, which recalculate, and viewers that do not show the
    same figures. The same data gives the same bytes (fixed document date).

    Parameters
    ----------
    data : the report's content (:func:`equitable.pipeline.report_data`).
    path : the ``.xlsx`` file to write.
    lang : the language of headers, sheet names, tier labels and rule rows.

    Returns
    -------
    Path
        ``path``.
    """
    title = (data.title_es if lang == "es" and data.title_es else data.title)
    book = Book(path, title=title, comments=f"equitable {data.version}")
    schools_name = t(lang, "xl_schools")
    n_schools = len(data.schools)
    _summary(book, data, lang, title, schools_name, n_schools)
    _schools(book, data, lang, schools_name)
    _caveats(book, data, lang)
    return book.close()


# ---- Summary -----------------------------------------------------------------------------------

def _tier_frame(data: ReportData) -> pd.DataFrame:
    tiers = data.tiers.copy().reset_index(drop=True)
    ranges = {}
    if data.tier_summary:
        ranges = {r["tier"]: r for r in data.tier_summary.get("tiers", [])}
    tiers["min_score"] = [ranges.get(x, {}).get("min_score") for x in tiers["tier"]]
    tiers["max_score"] = [ranges.get(x, {}).get("max_score") for x in tiers["tier"]]
    tiers["amount_dollars"] = tiers["amount_cents"].astype("int64") / 100
    per = []
    for a, s in zip(tiers["amount_cents"], tiers["students"], strict=True):
        per.append(round(int(a) / 100 / float(s), 2) if not isinstance(s, str) and float(s) > 0
                   else None)
    tiers["per_pupil"] = per
    return tiers


def _summary(book: Book, data: ReportData, lang: str, title: str, schools_name: str,
             n_schools: int) -> None:
    ws = book.sheet(t(lang, "xl_summary"))
    for c, w in enumerate(_SUMMARY_WIDTHS):
        ws.set_column(c, c, w)
    ws.write_string(0, 0, title, book.title_fmt)
    ws.write_string(1, 0, t(lang, "xl_budget_line", budget=money(lang, data.budget_cents / 100,
                                                                  2)))
    # ---- tiers
    ws.write_string(3, 0, t(lang, "xl_tiers"), book.section_fmt)
    tiers = _tier_frame(data)
    tiers["tier"] = [tier_label(lang, x, data.tier_labels_es) for x in tiers["tier"]]
    cols = [Col("tier", t(lang, "tier")), Col("schools", t(lang, "xl_schools_count"), "int"),
            Col("students", t(lang, "xl_students"), "int"),
            Col("min_score", t(lang, "xl_min_score"), "dec"),
            Col("max_score", t(lang, "xl_max_score"), "dec"),
            Col("rate_dollars", t(lang, "xl_rate"), "money"),
            Col("amount_dollars", t(lang, "xl_amount"), "money"),
            Col("per_pupil", t(lang, "xl_per_pupil"), "money"),
            Col("share_students", t(lang, "xl_share_students"), "pct"),
            Col("share_dollars", t(lang, "xl_share_dollars"), "pct")]
    fills = [tier_colour_at(i, len(tiers)) for i in range(len(tiers))]  # the dashboard's scale
    colours = [book.add_format({"bg_color": f, "bold": True,
                                "font_color": TIER_TEXT[TIER_COLOURS.index(f)]})
               for f in fills]
    head_row = 4
    ws.set_row(head_row, 45)  # the headers wrap over up to three lines
    first, last = book.table(ws, tiers, cols, row=head_row, row_formats=colours)
    total_row = last + 1
    shown_students = [int(s) for s in tiers["students"] if not isinstance(s, str)]
    cached = {"schools": int(tiers["schools"].sum()), "students": sum(shown_students),
              "amount_dollars": int(tiers["amount_cents"].sum()) / 100,
              "share_students": float(sum(float(x) for x in tiers["share_students"])),
              "share_dollars": float(sum(float(x) for x in tiers["share_dollars"]))}
    formulas = {}
    if cached["students"] > 0 and len(shown_students) == len(tiers):
        formulas["per_pupil"] = (
            f"=ROUND({cell(total_row, 6)}/{cell(total_row, 2)},2)",
            round(cached["amount_dollars"] / cached["students"], 2))
    book.totals(ws, total_row, cols, first, last, t(lang, "total"), cached, formulas=formulas)
    # the school amounts add up to the budget: the Schools sheet's own sum, beside the total
    check_row = total_row + 1
    ws.write_string(check_row, 0, t(lang, "xl_check"), book.bold)
    alloc_col = _schools_columns(data, lang)[1]
    rng = f"'{schools_name}'!{cell(1, alloc_col, absolute=True)}:" \
          f"{cell(n_schools, alloc_col, absolute=True)}"
    ws.write_formula(check_row, 6, f"=SUM({rng})", book.fmt("money", total=True),
                     int(data.schools["amount_cents"].sum()) / 100)
    ws.freeze_panes(head_row + 1, 1)
    book.for_print(ws)
    row = check_row + 1
    if data.tier_summary and data.tier_summary.get("method") == "quantile":
        cuts = ", ".join("" if c is None else f"{c:.6g}" for c in data.tier_summary["cut_scores"])
        ws.write_string(row, 0, t(lang, "cut_scores", cuts=cuts))
        row += 1
    elif data.tier_summary:
        cuts = ", ".join(f"{c:.6g}" for c in data.tier_summary["cut_scores"])
        ws.write_string(row, 0, t(lang, "cut_scores_fixed", basis=data.tier_summary["basis"],
                                  cuts=cuts))
        row += 1
    if any(isinstance(s, str) for s in data.tiers["students"]):
        ws.write_string(row, 0, t(lang, "suppressed_note"))
        row += 1
    row += 1
    if data.prior:
        row = _prior_section(book, ws, data, lang, row) + 1
    row = _weights_section(book, ws, data, lang, row) + 1
    row = _rules_section(book, ws, data, lang, row) + 1
    _sources_section(book, ws, data, lang, row)


def _prior_section(book: Book, ws: Any, data: ReportData, lang: str, row: int) -> int:
    ws.write_string(row, 0, t(lang, "xl_prior_section", column=data.prior["column"]),
                    book.section_fmt)
    df = pd.DataFrame(data.prior["by_tier"])
    df["tier"] = [tier_label(lang, x, data.tier_labels_es) for x in df["tier"]]
    df["prior_dollars"] = df["prior_cents"] / 100
    df["change_dollars"] = df["change_cents"] / 100
    cols = [Col("tier", t(lang, "tier")), Col("schools_gaining", t(lang, "xl_gaining"), "int"),
            Col("schools_losing", t(lang, "xl_losing"), "int"),
            Col("schools_same", t(lang, "xl_same"), "int"),
            Col("schools_without_prior", t(lang, "xl_no_prior"), "int"),
            Col("prior_dollars", t(lang, "xl_prior"), "money"),
            Col("change_dollars", t(lang, "xl_change"), "money")]
    first, last = book.table(ws, df, cols, row=row + 1)
    cached: dict[str, float | int] = {c: int(df[c].sum()) for c in ("schools_gaining", "schools_losing", "schools_same",
                                            "schools_without_prior")}
    cached["prior_dollars"] = int(df["prior_cents"].sum()) / 100
    cached["change_dollars"] = int(df["change_cents"].sum()) / 100
    book.totals(ws, last + 1, cols, first, last, t(lang, "total"), cached)
    return last + 2


def _weights_section(book: Book, ws: Any, data: ReportData, lang: str, row: int) -> int:
    ws.write_string(row, 0, t(lang, "xl_weights"), book.section_fmt)
    cols = [Col("name", t(lang, "xl_name")), Col("code", t(lang, "xl_code")),
            Col("kind", t(lang, "xl_level")), Col("family", t(lang, "xl_family")),
            Col("weight", t(lang, "xl_weight_in_family"), "weight"),
            Col("share", t(lang, "xl_share_of_score"), "pct"),
            Col("column", t(lang, "xl_column")), Col("direction", t(lang, "direction"))]
    for j, c in enumerate(cols):
        ws.write_string(row + 1, j, c.header, book.head)
    indent = {d: book.add_format({"indent": d}) for d in
              {n["depth"] for n in data.weight_tree}}
    r = row + 1
    for node in data.weight_tree:
        r += 1
        name = label_of(lang, node["code"], node.get("label"), node.get("label_es"))
        ws.write_string(r, 0, name, indent[node["depth"]])
        ws.write_string(r, 1, node["code"])
        ws.write_string(r, 2, t(lang, f"xl_kind_{node['kind']}"))
        book.write(ws, r, 3, node["family"] or None)
        book.write(ws, r, 4, node["weight"], "weight")
        book.write(ws, r, 5, node["share"], "pct")
        book.write(ws, r, 6, node["column"] or None)
        direction = node["direction"]
        if direction:
            ws.write_string(r, 7, t(lang, direction) if direction in MESSAGES["en"]
                            else direction)
    return r + 1


def _rules_section(book: Book, ws: Any, data: ReportData, lang: str, row: int) -> int:
    ws.write_string(row, 0, t(lang, "xl_rules"), book.section_fmt)
    ws.write_string(row + 1, 0, t(lang, "xl_rule"), book.head)
    ws.write_string(row + 1, 1, t(lang, "xl_value"), book.head)
    r = row + 1
    for rule in data.rules:
        r += 1
        args = dict(rule.get("args") or {})
        if "tier" in args:
            args["tier"] = tier_label(lang, args["tier"], data.tier_labels_es)
        if "placement" in args:
            args["placement"] = _msg(lang, args["placement"], args["placement"])
        ws.write_string(r, 0, str(_msg(lang, rule["key"], rule["key"], **args)), book.bold)
        value = _msg(lang, rule.get("value_key"), rule.get(f"value_{lang}", rule["value"]),
                     **args)
        if isinstance(value, bool):
            value = t(lang, "xl_yes" if value else "xl_no")
        book.write(ws, r, 1, value, rule.get("kind", "text"))
    for label, value in data.parameters:  # any further rows, as given
        r += 1
        ws.write_string(r, 0, str(label), book.bold)
        book.write(ws, r, 1, value, "num")
    return r + 1


def _sources_section(book: Book, ws: Any, data: ReportData, lang: str, row: int) -> int:
    ws.write_string(row, 0, t(lang, "xl_sources"), book.section_fmt)
    df = pd.DataFrame(data.sources, columns=["label", "file", "year", "bytes", "sha256"])
    cols = [Col("file", t(lang, "file")), Col("label", t(lang, "xl_input")),
            Col("year", t(lang, "xl_year")), Col("bytes", t(lang, "xl_bytes"), "int"),
            Col("sha256", t(lang, "sha256"))]
    _, last = book.table(ws, df, cols, row=row + 1)
    return last + 1


# ---- Schools -----------------------------------------------------------------------------------

def _schools_columns(data: ReportData, lang: str) -> tuple[list[Col], int]:
    """The Schools sheet's columns and the 0-based index of its allocation column."""
    s = data.schools
    cols = [Col("rank", t(lang, "rank"), "int", 7), Col("tier", t(lang, "tier")),
            Col("cds_code", t(lang, "cds_code"), "text", 16),
            Col("school_name", t(lang, "school"), "text", 42)]
    if "span" in s.columns:
        cols.append(Col("span", t(lang, "xl_span")))
    cols += [Col("enrollment", t(lang, "xl_enrollment"), "int"),
             Col("score", t(lang, "xl_score"), "dec")]
    if "percentile" in s.columns:
        cols.append(Col("percentile", t(lang, "xl_percentile"), "pctl"))
    alloc = len(cols)
    cols += [Col("allocation", t(lang, "xl_amount"), "money"),
             Col("per_pupil_dollars", t(lang, "xl_per_pupil"), "money")]
    if data.prior and "prior_cents" in s.columns:
        cols += [Col("prior", t(lang, "xl_prior"), "money"),
                 Col("change", t(lang, "xl_change"), "money"),
                 Col("change_per_pupil", t(lang, "xl_change_pp"), "money")]
    for ind in data.indicators:
        label = label_of(lang, ind["code"], ind.get("label"), ind.get("label_es"))
        if ind["code"] in s.columns:
            cols.append(Col(ind["code"], label, "num"))
        out = ind.get("output")
        if out and out in s.columns:
            cols.append(Col(out, t(lang, "xl_pctl_of", label=label), "pctl"))
    for theme in data.themes:
        sc = theme.get("score_column")
        if sc and sc in s.columns:
            label = label_of(lang, theme["code"], theme.get("label"), theme.get("label_es"))
            cols.append(Col(sc, t(lang, "xl_score_of", label=label), "dec"))
    for key, head, kind in (("geoid", "xl_geoid", "text"), ("placement", "placement", "text"),
                            ("distance_m", "xl_distance", "num"),
                            ("neighbourhood", "neighbourhood", "text"),
                            ("missing_indicators", "xl_missing", "text")):
        if key in s.columns:
            cols.append(Col(key, t(lang, head), kind))
    return cols, alloc


def _schools_frame(data: ReportData, lang: str) -> pd.DataFrame:
    s = data.schools.copy()
    s["allocation"] = s["amount_cents"].astype("int64") / 100
    if "prior_cents" in s.columns:
        s["prior"] = [None if is_blank(v) else int(v) / 100 for v in s["prior_cents"]]
        s["change"] = [None if is_blank(v) else int(v) / 100 for v in s["change_cents"]]
    s["tier"] = [tier_label(lang, str(x), data.tier_labels_es) for x in s["tier"]]
    if "placement" in s.columns:
        s["placement"] = [_msg(lang, str(x), x) if not is_blank(x) else x
                          for x in s["placement"]]
    return s


def _schools(book: Book, data: ReportData, lang: str, name: str) -> None:
    ws = book.sheet(name)
    cols, _ = _schools_columns(data, lang)
    s = _schools_frame(data, lang)
    first, last = book.table(ws, s, cols)
    book.widths(ws, s, cols)
    ws.freeze_panes(1, 4)
    ws.autofilter(0, 0, max(last, 0), len(cols) - 1)
    book.for_print(ws, repeat_row=0)
    cached: dict[str, float | int] = {
        "enrollment": int(pd.to_numeric(s["enrollment"], errors="coerce").fillna(0).sum()),
        "allocation": int(s["amount_cents"].sum()) / 100}
    if "prior" in s.columns:
        cached["prior"] = int(s["prior_cents"].dropna().astype("int64").sum()) / 100
        cached["change"] = int(s["change_cents"].dropna().astype("int64").sum()) / 100
    book.totals(ws, last + 2, cols, first, last, t(lang, "total"), cached)


# ---- Caveats -----------------------------------------------------------------------------------

def _caveats(book: Book, data: ReportData, lang: str) -> None:
    ws = book.sheet(t(lang, "xl_caveats"))
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 90)
    ws.set_column(3, 5, 18)
    ws.write_string(0, 0, t(lang, "caveats"), book.title_fmt)
    book.for_print(ws)
    ws.write_string(1, 0, t(lang, "caveats_text"))
    if not data.caveats:
        ws.write_string(3, 0, t(lang, "xl_no_caveats"))
        return
    df = pd.DataFrame({"code": [c["code"] for c in data.caveats],
                       "count": [int(c["count"]) for c in data.caveats],
                       "text": [caveat_text(lang, c) for c in data.caveats]})
    cols = [Col("code", t(lang, "xl_code")), Col("count", t(lang, "xl_count"), "int"),
            Col("text", t(lang, "xl_caveat"), "wrap")]
    _, last = book.table(ws, df, cols, row=3)
    ws.freeze_panes(4, 0)
    s = data.schools
    concerned = pd.Series(False, index=s.index)
    if "placement" in s.columns:
        concerned |= s["placement"].astype(str) != "tract polygon"
    if "missing_indicators" in s.columns:
        concerned |= s["missing_indicators"].fillna("").astype(str) != ""
    if not concerned.any():
        return
    row = last + 2
    ws.write_string(row, 0, t(lang, "xl_concerned"), book.section_fmt)
    sub = _schools_frame(data, lang)[concerned.to_numpy()]
    cols = [Col("cds_code", t(lang, "cds_code")), Col("school_name", t(lang, "school")),
            Col("placement", t(lang, "placement"))]
    if "distance_m" in sub.columns:
        cols.append(Col("distance_m", t(lang, "xl_distance"), "num"))
    if "missing_indicators" in sub.columns:
        cols.append(Col("missing_indicators", t(lang, "xl_missing")))
    cols.append(Col("tier", t(lang, "tier")))
    book.table(ws, sub, cols, row=row + 1)
