"""Scenarios: several allocations side by side (``equitable compare``).

Each scenario is a TOML file: either an allocation rule (applied to one ``--schools`` table) or a
full ``equitable run`` config (its schools, tiers and allocation are computed by
``equitable.pipeline.compute``, nothing written; the pipeline, a layer above this one, passes
that step in as ``run_config_loader``: :func:`equitable.pipeline.compare_files`). The first scenario is the baseline: every
other is compared with it school by school (winners, losers, change in dollars per pupil) and
tier by tier; equity metrics are computed for each. Results go to ``compare.xlsx``,
``compare.html`` and ``compare.es.html`` (English and Spanish, self-contained, offline: plotly's
JavaScript is inlined), ``schools.csv`` and ``compare.run.json``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equitable.allocate._engine import AllocationResult, allocate
from equitable.allocate._io import read_table, write_csv
from equitable.allocate._metrics import QUARTILE_LABELS, EquityMetrics, equity_metrics
from equitable.allocate._rules import load_rule
from equitable.errors import InputError, SpecError
from equitable.privacy import suppress_table
from equitable.provenance import write_run_record
from equitable.specfile import load_toml

__all__ = ["Comparison", "RunConfigLoader", "Scenario", "compare", "compare_files",
           "html_name", "load_scenario", "write_html", "write_xlsx"]

NEED_CANDIDATES = ("pct_frpm", "frpm_pct", "low_income_pct", "unduplicated_pupil_pct",
                   "pct_low_income")
SPENDING_CANDIDATES = ("total_ppe",)
NAME_CANDIDATES = ("school_name", "name", "school")


@dataclass
class Scenario:
    """One allocation to compare: its name, result and the school table it was computed on."""

    name: str
    result: AllocationResult
    schools: pd.DataFrame
    source: str
    context_path: Path | None = None


@dataclass
class Comparison:
    """Scenarios side by side.

    Attributes
    ----------
    schools : one row per school (union of the scenarios' ids, sorted by id): id, name, tier
        (baseline), enrollment, need, then per scenario ``<name>_cents`` and
        ``<name>_per_pupil``, and per non-baseline scenario ``<name>_change_cents``,
        ``<name>_change_per_pupil`` and ``<name>_result`` (gains / loses / same).
    tiers : one row per baseline tier: students, and per scenario dollars, dollars per pupil,
        share of dollars and the change in dollars per pupil from the baseline.
    winners : per non-baseline scenario: schools gaining, losing, unchanged; dollars moved.
    metrics : scenario name -> :class:`EquityMetrics`.
    """

    scenarios: list[Scenario]
    id_column: str
    schools: pd.DataFrame
    tiers: pd.DataFrame
    winners: pd.DataFrame
    metrics: dict[str, EquityMetrics]
    need_column: str | None
    spending_column: str | None
    notes: list[str] = field(default_factory=list)


#: Computes the scenario of a full ``equitable run`` config: called with the config's path, its
#: parsed TOML and the data folder (``None``: the default one). The pipeline supplies it
#: (:func:`equitable.pipeline.scenario_from_run_config`), so this layer never imports the pipeline.
RunConfigLoader = Callable[[Path, dict[str, Any], "str | Path | None"], Scenario]


def _is_run_config(data: dict[str, Any]) -> bool:
    return isinstance(data.get("allocation"), dict) and ("inputs" in data or "index" in data)


def load_scenario(path: str | Path, *, schools: pd.DataFrame | None = None,
                  schools_path: str | Path | None = None,
                  data_dir: str | Path | None = None,
                  run_config_loader: RunConfigLoader | None = None) -> Scenario:
    """Read one scenario TOML: an ``equitable run`` config or an allocation rule.

    ``run_config_loader`` computes a full ``equitable run`` config's scenario (the pipeline's
    :func:`equitable.pipeline.scenario_from_run_config`); without it only allocation rules are
    read.

    Raises
    ------
    SpecError
        Not valid TOML, an invalid rule, a rule without a ``--schools`` table, or a run config
        without a ``run_config_loader``.
    """
    p = Path(path)
    data = load_toml(p)
    if _is_run_config(data):
        if run_config_loader is None:
            raise SpecError(f"{p}: a full `equitable run` config is compared by `equitable "
                            "compare` (equitable.pipeline.compare_files); "
                            "equitable.allocate.compare_files reads allocation rules only")
        return run_config_loader(p, data, data_dir)
    rule = load_rule(p)
    if schools is None:
        raise SpecError(f"{p}: an allocation rule needs a schools table: pass --schools "
                        "SCHOOLS.csv (or give a full `equitable run` config)")
    result = allocate(schools, rule, source=str(schools_path) if schools_path else None)
    return Scenario(name=rule.label or p.stem, result=result, schools=schools, source=str(p))


def _unique_names(scenarios: list[Scenario]) -> None:
    seen: dict[str, int] = {}
    for s in scenarios:
        base = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in s.name) or "scenario"
        k = seen.get(base, 0)
        seen[base] = k + 1
        s.name = base if k == 0 else f"{base}_{k + 1}"


def _first_present(cols: Any, candidates: tuple[str, ...]) -> str | None:
    return next((c for c in candidates if c in cols), None)


def _context_frame(context: pd.DataFrame | None, id_column: str) -> pd.DataFrame | None:
    if context is None:
        return None
    ctx = context.copy()
    if id_column not in ctx.columns:
        alt = _first_present(ctx.columns, ("cds_code", "cds", "CDSCode", "cds_code_14"))
        if alt is None:
            raise InputError(f"context table: no id column '{id_column}' (or 'cds')")
        ctx = ctx.rename(columns={alt: id_column})
    ctx[id_column] = ctx[id_column].astype(str).str.strip()
    return ctx.drop_duplicates(id_column)


def compare(
    scenarios: list[Scenario],
    *,
    context: pd.DataFrame | None = None,
    need_column: str | None = None,
    spending_column: str | None = None,
) -> Comparison:
    """Lay the scenarios side by side and compute equity metrics for each.

    Parameters
    ----------
    scenarios : at least two; the first is the baseline.
    context : optional school table joined on the id (e.g. ``lausd/schools_2024_25.csv``, its
        ``cds`` read as the id) for the need column and actual per-pupil spending.
    need_column : higher = more need (default: the first of ``pct_frpm``, ``frpm_pct``,
        ``low_income_pct``, ``unduplicated_pupil_pct`` found).
    spending_column : actual per-pupil spending (default ``total_ppe`` if found).

    Raises
    ------
    SpecError
        Fewer than two scenarios, or scenarios that key schools by different id columns.
    """
    if len(scenarios) < 2:
        raise SpecError("compare needs at least two scenarios (CONFIG_A CONFIG_B ...)")
    _unique_names(scenarios)
    id_col = scenarios[0].result.rule.id_column
    for s in scenarios:
        if s.result.rule.id_column != id_col:
            raise SpecError(f"{s.source}: id_column '{s.result.rule.id_column}' differs from "
                            f"the baseline's '{id_col}'")
        if s.result.rule.is_positions != scenarios[0].result.rule.is_positions:
            raise SpecError(f"{s.source}: cannot compare dollars with positions")
    notes: list[str] = []
    base = scenarios[0]
    # school attributes: the baseline's table, then the others' for schools it lacks
    attrs = []
    for s in scenarios:
        t = s.schools.copy().reset_index(drop=True)
        t[id_col] = t[id_col].astype(str).str.strip()
        attrs.append(t)
    info = pd.concat(attrs, ignore_index=True).drop_duplicates(id_col, keep="first")
    ctx = _context_frame(context, id_col)
    if ctx is not None:
        extra = [c for c in ctx.columns if c not in info.columns or c == id_col]
        info = info.merge(ctx[extra], on=id_col, how="left")
        unmatched = int((~info[id_col].isin(ctx[id_col])).sum())
        if unmatched:
            notes.append(f"{unmatched} schools are not in the context table")
    need_column = need_column or _first_present(info.columns, NEED_CANDIDATES)
    if need_column and need_column not in info.columns:
        raise InputError(f"need column '{need_column}' not found in the schools or context table")
    spending_column = spending_column or _first_present(info.columns, SPENDING_CANDIDATES)
    if spending_column and spending_column not in info.columns:
        raise InputError(f"spending column '{spending_column}' not found in the schools or "
                         "context table")
    if need_column is None:
        notes.append("no need column (e.g. pct_frpm): quartile metrics, slope and "
                     "concentration index are left out")

    amount = "fte_units" if base.result.rule.is_positions else "amount_cents"
    ids = sorted(set().union(*[set(s.result.table[id_col]) for s in scenarios]))
    out = pd.DataFrame({id_col: ids})
    name_col = _first_present(info.columns, NAME_CANDIDATES)
    keep = [id_col] + ([name_col] if name_col else [])
    out = out.merge(info[keep], on=id_col, how="left")
    bt = base.result.table[[id_col, "enrollment"] + (["tier"] if "tier" in
                                                    base.result.table else [])]
    out = out.merge(bt, on=id_col, how="left")
    if "tier" not in out.columns:  # a baseline without tiers: take them from the school table
        tier_src = next((s.result.table.set_index(id_col)["tier"] for s in scenarios
                         if "tier" in s.result.table), None)
        if tier_src is None and "tier" in info.columns:
            tier_src = info.set_index(id_col)["tier"]
        if tier_src is not None:
            out["tier"] = out[id_col].map(tier_src)
    for s in scenarios[1:]:  # enrollment of schools the baseline lacks
        st = s.result.table.set_index(id_col)["enrollment"]
        out["enrollment"] = out["enrollment"].fillna(out[id_col].map(st))
    if need_column:
        out = out.merge(info[[id_col, need_column]], on=id_col, how="left")
    if spending_column:
        out = out.merge(info[[id_col, spending_column]], on=id_col, how="left")
    enr = out["enrollment"].to_numpy(dtype=float)
    for s in scenarios:
        a = out[id_col].map(s.result.table.set_index(id_col)[amount])
        missing = int(a.isna().sum())
        if missing:
            notes.append(f"scenario '{s.name}': {missing} schools not in its table (counted as 0)")
        a = a.fillna(0).astype("int64")
        out[f"{s.name}_cents"] = a
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"{s.name}_per_pupil"] = np.round(
                np.where(enr > 0, a.to_numpy() / 100.0 / enr, np.nan), 4)
    b = f"{base.name}_cents"
    win_rows = []
    for s in scenarios[1:]:
        ch = out[f"{s.name}_cents"] - out[b]
        out[f"{s.name}_change_cents"] = ch
        out[f"{s.name}_change_per_pupil"] = (out[f"{s.name}_per_pupil"]
                                             - out[f"{base.name}_per_pupil"]).round(4)
        out[f"{s.name}_result"] = np.where(ch > 0, "gains", np.where(ch < 0, "loses", "same"))
        win_rows.append({
            "scenario": s.name, "vs": base.name,
            "schools_gaining": int((ch > 0).sum()), "schools_losing": int((ch < 0).sum()),
            "schools_same": int((ch == 0).sum()),
            "dollars_moved": int(ch[ch > 0].sum()) / 100.0,
            "largest_gain": int(ch.max()) / 100.0, "largest_loss": int(ch.min()) / 100.0,
        })
    winners = pd.DataFrame(win_rows)

    # tiers (baseline's tier labels)
    tier_col = "tier" if "tier" in out.columns else None
    tiers = pd.DataFrame()
    if tier_col:
        labels = out[tier_col].fillna("(none)").astype(str)
        g = pd.DataFrame({"tier": labels, "students": enr})
        tiers = g.groupby("tier", sort=True)["students"].sum().reset_index()
        for s in scenarios:
            d = out[f"{s.name}_cents"].to_numpy() / 100.0
            dd = pd.Series(d).groupby(labels.to_numpy()).sum()
            tiers[f"{s.name}_dollars"] = tiers["tier"].map(dd).to_numpy()
            tiers[f"{s.name}_per_pupil"] = tiers[f"{s.name}_dollars"] / tiers["students"]
            tot = tiers[f"{s.name}_dollars"].sum()
            tiers[f"{s.name}_share_dollars"] = tiers[f"{s.name}_dollars"] / tot if tot else np.nan
        tiers["share_students"] = tiers["students"] / tiers["students"].sum()
        for s in scenarios[1:]:
            tiers[f"{s.name}_change_per_pupil"] = (tiers[f"{s.name}_per_pupil"]
                                                   - tiers[f"{base.name}_per_pupil"])

    metrics = {}
    for s in scenarios:
        tbl = s.result.table.merge(info[[id_col] + [c for c in (need_column, spending_column)
                                                    if c and c not in s.result.table]],
                                   on=id_col, how="left")
        metrics[s.name] = equity_metrics(
            tbl, amount_column=amount, tier_column="tier" if "tier" in tbl else None,
            need_column=need_column, spending_column=spending_column,
            cents=not s.result.rule.is_positions)
    return Comparison(scenarios=scenarios, id_column=id_col, schools=out, tiers=tiers,
                      winners=winners, metrics=metrics, need_column=need_column,
                      spending_column=spending_column, notes=notes)


# ---- outputs ----------------------------------------------------------------------------------

def _summary_frame(c: Comparison) -> pd.DataFrame:
    rows = []
    for s in c.scenarios:
        row = {"scenario": s.name, "source": Path(s.source).name, "kind": s.result.rule.kind}
        row.update(c.metrics[s.name].summary())
        rows.append(row)
    return pd.DataFrame(rows)


def _quartile_frame(c: Comparison) -> pd.DataFrame:
    frames = []
    for s in c.scenarios:
        q = c.metrics[s.name].by_quartile
        if q is not None:
            q = q.copy()
            q.insert(0, "scenario", s.name)
            frames.append(q)
    if not frames:
        return pd.DataFrame()
    return suppress_table(pd.concat(frames, ignore_index=True), "students",
                          ["students", "share_students"])


def _header(col: str, names: list[str], lang: str = "en") -> tuple[str, str]:
    """A comparison column's header in words with its unit, and its number format kind
    (:data:`equitable._workbook.FORMATS`): ``<name>_per_pupil`` -> ``"<name>: dollars per pupil
    ($)"``, money; ``share_students`` -> ``"Share of students (%)"``, a percent."""
    from equitable.report._messages import MESSAGES, t

    def kind_of(header: str, key: str) -> str:
        if header.endswith("($)"):
            return "money"
        if header.endswith("(%)"):
            return "pct"
        if header.endswith("(0-100)"):
            return "pct100"
        if key in ("students", "schools", "enrollment") or key.startswith("schools_"):
            return "int"
        return "text"

    for name in sorted(names, key=len, reverse=True):
        if col.startswith(name + "_"):
            suffix = col[len(name) + 1:]
            key = f"cmp_s_{suffix}"
            if key in MESSAGES["en"]:
                what = t(lang, key)
                return t(lang, "xl_scenario_col", scenario=name, what=what), kind_of(what, suffix)
    key = f"cmp_{col}"
    if key in MESSAGES["en"]:
        head = t(lang, key)
        return head, kind_of(head, col)
    return col, "text"


def _sheet(book: Any, name: str, df: pd.DataFrame, names: list[str], *,
           totals: tuple[str, ...] = ()) -> None:
    """One comparison table on its own sheet, with words for headers and, for the columns in
    ``totals``, a total row of SUM formulas (cached values written)."""
    from equitable._workbook import Col

    cols = []
    for col in df.columns:
        head, kind = _header(str(col), names)
        if kind == "text" and pd.api.types.is_numeric_dtype(df[col]):
            kind = "int" if pd.api.types.is_integer_dtype(df[col]) else "num"
        cols.append(Col(str(col), head, kind))
    ws = book.frame_sheet(name, df, cols)
    if totals and len(df):
        cached = {}
        for c in cols:
            if c.key in totals:
                v = pd.to_numeric(df[c.key], errors="coerce").dropna()
                cached[c.key] = (round(float(v.sum()) * 100) / 100 if c.kind == "money"
                                 else int(v.sum()) if c.kind == "int" else float(v.sum()))
        from equitable.report._messages import t

        book.totals(ws, len(df) + 2, cols, 1, len(df), t("en", "total"), cached)


def write_xlsx(c: Comparison, path: str | Path) -> Path:
    """Write the comparison workbook: Summary, By tier, Quartiles, Winners and losers, Schools,
    Concentration, Rules.

    Headers are words with units (``"<scenario>: dollars per pupil ($)"``), money and percents
    carry number formats, every sheet has a frozen header and an autofilter; By tier and Schools
    end with a total row of ``SUM`` formulas (their cached values written, so every viewer shows
    the same totals); Rules lists each scenario's rule as readable rows, one setting a row.
    Deterministic bytes (fixed document date), through :class:`equitable._workbook.Book`.
    """
    from equitable._workbook import Book, Col, flatten

    path = Path(path)
    names = [s.name for s in c.scenarios]
    book = Book(path, title="equitable compare")
    _sheet(book, "Summary", _summary_frame(c), names)
    if len(c.tiers):
        tiers = suppress_table(c.tiers, "students", ["students", "share_students"])
        _sheet(book, "By tier", tiers, names,
               totals=("students", *[f"{n}_dollars" for n in names]))
    q = _quartile_frame(c)
    if len(q):
        _sheet(book, "Quartiles", q, names)
    if len(c.winners):
        _sheet(book, "Winners and losers", c.winners, names)
    schools = c.schools.copy()
    cents = [x for x in schools.columns if x.endswith("_cents")]
    for col in cents:  # dollars in the cents column's place
        schools[col] = schools[col] / 100.0
    schools = schools.rename(columns={x: x.removesuffix("_cents") + "_dollars" for x in cents})
    _sheet(book, "Schools", schools, names,
           totals=("enrollment", *[x for x in schools.columns if x.endswith("_dollars")]))
    curves = []
    for s in c.scenarios:
        cv = c.metrics[s.name].curve
        if cv is not None:
            cv = cv.copy()
            cv.insert(0, "scenario", s.name)
            curves.append(cv)
    if curves:
        _sheet(book, "Concentration", pd.concat(curves, ignore_index=True), names)
    rows = []
    for s in c.scenarios:
        for key, value in flatten(s.result.rule.model_dump(mode="json", exclude_none=True)):
            if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
                value = float(value)  # a budget kept exact as text by the rule: a number here
            rows.append({"scenario": s.name, "source": Path(s.source).name, "setting": key,
                         "value": value})
    rules = pd.DataFrame(rows, columns=["scenario", "source", "setting", "value"])
    from equitable.report._messages import t

    book.frame_sheet("Rules", rules, [
        Col("scenario", t("en", "cmp_scenario")), Col("source", t("en", "cmp_source")),
        Col("setting", t("en", "xl_rule")), Col("value", t("en", "xl_value"), "num")])
    book.close()
    return path


def _html_table(df: pd.DataFrame, names: list[str], lang: str) -> tuple[list[dict], list[list]]:
    """A comparison table for the page's ``table`` macro: headers in words with their units
    (:func:`_header`, as in the workbook) and raw values, formatted by the page (money through
    :mod:`equitable.money`, counts as counts, suppressed cells as the privacy mark)."""
    from equitable.report._messages import MESSAGES, t, tier_label
    from equitable.report._page import column

    cols = []
    for col in df.columns:
        head, kind = _header(str(col), names, lang)
        if kind == "text" and pd.api.types.is_numeric_dtype(df[col]):
            kind = "int" if pd.api.types.is_integer_dtype(df[col]) else "num"
        if kind == "text" and (_is_count(str(col)) or str(col) == "enrollment"):
            kind = "int"
        cols.append(column(head, kind))
    rows = []
    for rec in df.itertuples(index=False):
        row = []
        for col, v in zip(df.columns, rec):
            if v is pd.NA:
                v = None
            if col == "kind" and isinstance(v, str) and f"kind_{v}" in MESSAGES["en"]:
                v = t(lang, f"kind_{v}")
            elif col == "tier" and isinstance(v, str):
                v = tier_label(lang, v)
            elif col == "group" and v in QUARTILE_LABELS:
                v = t(lang, f"cmp_quartile_{QUARTILE_LABELS.index(v) + 1}")
            row.append(v)
        rows.append(row)
    return cols, rows


def _summary_table(c: Comparison, names: list[str], lang: str) -> dict[str, list]:
    """The summary on the page: one row per measure, one column per scenario (a table one
    scenario a row would be many screens wide)."""
    from equitable.report._messages import MESSAGES, t
    from equitable.report._page import column, format_cell

    def word(value: Any) -> Any:  # spending_direction / spending_size: a word per language
        key = f"cmp_v_{str(value).replace(' ', '_')}"
        return t(lang, key) if isinstance(value, str) and key in MESSAGES["en"] else value

    summary = _summary_frame(c)
    cols, rows = _html_table(summary, names, lang)
    measures = [column(t(lang, "cmp_measure"))] + [column(n, num=True) for n in names]
    out = []
    for j, col in enumerate(cols):
        if summary.columns[j] == "scenario":
            continue
        out.append([col["label"]] + [format_cell(lang, word(r[j]), str(col["kind"]))
                                     for r in rows])
    return {"columns": measures, "rows": out}


def _is_count(col: str) -> bool:
    """Counts of schools or students and ratios: never money (even ``schools_gaining``)."""
    return col in ("schools", "students") or col.startswith("schools_") or col.endswith(
        ("_schools", "_ratio"))


def html_name(lang: str) -> str:
    """The comparison page's file name in ``lang``: ``compare.html``, ``compare.es.html``."""
    return "compare.html" if lang == "en" else f"compare.{lang}.html"


def write_html(c: Comparison, path: str | Path, lang: str = "en") -> Path:
    """Write the comparison page in ``lang`` (``"en"`` or ``"es"``): the summary, winners and
    losers, by-tier and by-quartile tables, each scenario's change in actual spending, three
    charts and the method, on the shared page of :mod:`equitable.report._page`
    (``compare.html.j2``), with a link to the page in the other language
    (:func:`html_name`, in the same folder).

    Self-contained: plotly's JavaScript inlined once, nothing loaded from the network. Groups of
    10 or fewer students show as ``*`` (:func:`equitable.privacy.suppress_table`).
    """
    import plotly.graph_objects as go

    from equitable.report._messages import money, number, t, tier_label
    from equitable.report._page import figure_html, write_page

    names = [s.name for s in c.scenarios]
    base = c.scenarios[0].name
    need = str(c.need_column)
    figures: list[dict[str, str]] = []

    def add(fig: Any, div_id: str, title: str) -> None:
        # the title is the figure's caption (it wraps on a phone; a plotly title would not)
        fig.update_layout(template="plotly_white", height=420, margin=dict(l=60, r=20, t=20, b=50),
                          legend=dict(orientation="h", x=0, y=-0.2, yanchor="top"))
        figures.append({"html": figure_html(fig, div_id), "label": title})

    if len(c.tiers):
        fig = go.Figure()
        for s in c.scenarios:
            fig.add_bar(name=s.name, x=[tier_label(lang, str(x)) for x in c.tiers["tier"]],
                        y=c.tiers[f"{s.name}_per_pupil"])
        fig.update_layout(barmode="group", yaxis_title=t(lang, "cmp_axis_per_pupil"),
                          xaxis_title=t(lang, "cmp_axis_tier"))
        add(fig, "per-pupil-by-tier", t(lang, "cmp_fig_per_pupil"))
    curves = [(s.name, curve) for s in c.scenarios
              if (curve := c.metrics[s.name].curve) is not None]
    if curves:
        fig = go.Figure()
        fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name=t(lang, "cmp_equal_line"),
                        line=dict(dash="dash", color="#888"))
        for name, cv in curves:
            fig.add_scatter(x=cv["cum_students_share"], y=cv["cum_dollars_share"],
                            mode="lines", name=name)
        fig.update_layout(xaxis_title=t(lang, "cmp_axis_cum_students"),
                          yaxis_title=t(lang, "cmp_axis_cum_dollars"))
        add(fig, "concentration-curves", t(lang, "cmp_fig_curves", column=need))
    if c.need_column and len(c.scenarios) > 1:
        fig = go.Figure()
        for s in c.scenarios[1:]:
            fig.add_scatter(x=c.schools[c.need_column],
                            y=c.schools[f"{s.name}_change_per_pupil"], mode="markers",
                            name=f"{s.name} - {base}", marker=dict(size=5))
        fig.update_layout(xaxis_title=need, yaxis_title=t(lang, "cmp_axis_change"))
        add(fig, "change-by-need", t(lang, "cmp_fig_change"))

    tables = []

    def table(key: str, title: str, df: pd.DataFrame, suppressed: bool = False) -> None:
        cols, rows = _html_table(df, names, lang)
        tables.append({"id": key, "title": title, "columns": cols, "rows": rows,
                       "suppressed": suppressed})

    tables.append({"id": "summary", "title": t(lang, "cmp_summary"), "suppressed": False,
                   **_summary_table(c, names, lang)})
    if len(c.winners):
        table("winners", t(lang, "cmp_winners"), c.winners)
    if len(c.tiers):
        table("tiers", t(lang, "cmp_by_tier"),
              suppress_table(c.tiers, "students", ["students", "share_students"]), True)
    q = _quartile_frame(c)
    if len(q):
        table("quartiles", t(lang, "cmp_by_quartile"), q, True)
    spending = []
    for s in c.scenarios:
        sp = c.metrics[s.name].spending
        if sp:
            spending.append(t(
                lang, "cmp_spending_text", scenario=s.name, column=str(c.spending_column),
                before=money(lang, sp["gap_before"], 2), after=money(lang, sp["gap_after"], 2),
                size=t(lang, f"cmp_size_{sp['size']}"),
                direction=t(lang, "cmp_direction_" + str(sp["direction"]).replace(" ", "_")),
                ci_before=number(lang, sp["concentration_index_before"], 4),
                ci_after=number(lang, sp["concentration_index_after"], 4)))
    method = [t(lang, "cmp_method_per_pupil"), t(lang, "cmp_method_quartiles", column=need),
              t(lang, "cmp_method_ratio"), t(lang, "cmp_method_slope"), t(lang, "cmp_method_ci"),
              t(lang, "cmp_method_privacy")]
    sources = [{"label": t(lang, "cmp_source_label", name=s.name), "file": Path(s.source).name}
               for s in c.scenarios]
    path = Path(path)
    other = "es" if lang == "en" else "en"
    return write_page(
        path, "compare.html.j2", lang, title=t(lang, "cmp_title"), other_href=html_name(other),
        plotly_js=True, baseline=base,
        scenarios=", ".join(f"{s.name} ({Path(s.source).name})" for s in c.scenarios),
        tables=tables, spending=spending, figures=figures, method=method, caveats=c.notes,
        sources=sources)


def compare_files(
    configs: Sequence[str | Path],
    out_dir: str | Path,
    *,
    schools: str | Path | None = None,
    context: str | Path | None = None,
    need_column: str | None = None,
    spending_column: str | None = None,
    data_dir: str | Path | None = None,
    run_config_loader: RunConfigLoader | None = None,
    run_config_checker: Callable[..., Any] | None = None,
) -> Comparison:
    """Load the scenarios, compare, write the four outputs (``equitable compare`` calls it
    through :func:`equitable.pipeline.compare_files`, which reads full run configs too).

    Writes ``compare.xlsx``, ``compare.html``, ``compare.es.html``, ``schools.csv`` and
    ``compare.run.json`` in
    ``out_dir``. ``context`` defaults to a run config's ``[inputs].schools`` file (e.g.
    ``lausd/schools_2024_25.csv`` with ``pct_frpm`` and ``total_ppe``). ``run_config_loader``:
    see :func:`load_scenario`.
    """
    if len(configs) < 2:
        raise SpecError("compare needs at least two scenarios (CONFIG_A CONFIG_B ...)")
    check_scenarios(configs, schools=schools, context=context, data_dir=data_dir,
                    run_config_checker=run_config_checker)
    table = None
    if schools is not None:
        first = load_rule_id(configs)
        table = read_table(schools, first)
    scen = [load_scenario(p, schools=table, schools_path=schools, data_dir=data_dir,
                          run_config_loader=run_config_loader)
            for p in configs]
    ctx_path = Path(context) if context is not None else next(
        (s.context_path for s in scen if s.context_path is not None), None)
    ctx = read_table(ctx_path, None) if ctx_path is not None else None
    if ctx_path is not None and ctx is not None:
        for idc in ("cds", "cds_code"):
            if idc in ctx.columns:
                ctx[idc] = read_table(ctx_path, idc)[idc]
    comp = compare(scen, context=ctx, need_column=need_column, spending_column=spending_column)
    from equitable._atomic import output_folder

    inputs: dict[str, Any] = {f"scenario_{i + 1}": p for i, p in enumerate(configs)}
    if schools is not None:
        inputs["schools"] = schools
    if ctx_path is not None:
        inputs["context"] = ctx_path
    with output_folder(out_dir) as out:  # whole or absent, even when killed
        write_xlsx(comp, out / "compare.xlsx")
        for lang in ("en", "es"):
            write_html(comp, out / html_name(lang), lang)
        write_csv(comp.schools, out / "schools.csv")
        write_run_record(out, command="compare",
                         spec={"scenarios": [s.name for s in scen],
                               "rules": {s.name: s.result.rule.model_dump(mode="json")
                                         for s in scen},
                               "need_column": comp.need_column,
                               "spending_column": comp.spending_column},
                         inputs=inputs,
                         outputs=["compare.xlsx", "compare.html", "compare.es.html",
                                  "schools.csv"],
                         extra={"summary": _summary_frame(comp).to_dict(orient="records"),
                                "notes": comp.notes},
                         filename="compare.run.json")
    return comp


def check_scenarios(configs: Sequence[str | Path], *, schools: str | Path | None = None,
                    context: str | Path | None = None,
                    data_dir: str | Path | None = None,
                    run_config_checker: Callable[..., Any] | None = None) -> None:
    """Check every scenario and input of ``equitable compare`` before computing any of them.

    Each scenario file exists, is a file, UTF-8 TOML, and is either a valid run config whose
    input files are all found (``run_config_checker``: :func:`equitable.pipeline.check_config`,
    handed down by the pipeline, which this layer does not import; without it a run config is
    checked when loaded) or a valid allocation rule with a ``--schools`` table; ``schools`` and ``context`` exist and are readable files.

    Raises
    ------
    SpecError, InputError
        The first problem, one line naming the file (and key).
    """
    from equitable.checks import check_input_file

    for extra in (schools, context):
        if extra is not None:
            check_input_file(extra, require_utf8=False)  # read_table accepts Windows-1252
    for path in configs:
        p = check_input_file(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(f"{p}: not valid TOML ({exc})") from None
        if _is_run_config(data):
            if run_config_checker is not None:
                run_config_checker(p, data_dir=data_dir)
        else:
            load_rule(p)
            if schools is None:
                raise SpecError(f"{p}: an allocation rule needs a schools table: pass --schools "
                                "SCHOOLS.csv (or give a full `equitable run` config)")


def load_rule_id(configs: Sequence[str | Path]) -> str:
    """The id column of the first rule among the configs (default ``cds_code``)."""
    for p in configs:
        try:
            data = tomllib.loads(Path(p).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            continue
        rule = data.get("allocation", data)
        if isinstance(rule, dict) and "id_column" in rule:
            return str(rule["id_column"])
    return "cds_code"

