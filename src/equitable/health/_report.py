"""``sites.html`` / ``sites.es.html``: a self-contained page (no CDN, no tile server) with the map
of the chosen sites, their catchments and the schools out of reach, and the coverage tables.

Written by the reports' shared page writer (:mod:`equitable.report._page`, template
``sites.html.j2``), its words in :mod:`equitable.report._messages` (keys ``sites_*``)."""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["write_sites_html"]

_VEM_COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#67a9cf", 4: "#2166ac"}


class _Words:
    """``T["key"]`` -> the message ``sites_<key>`` in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        from equitable.report._messages import t

        return t(self.lang, f"sites_{key}")


def _map(result: Any, schools: pd.DataFrame, lang: str) -> Any:
    import plotly.graph_objects as go

    T = _Words(lang)
    s = result.schools.merge(schools[["school_id", "latitude", "longitude"]], on="school_id")
    sites = result.sites
    fig = go.Figure()
    pos = sites.set_index("site_id")[["latitude", "longitude"]]
    xs: list[float | None] = []
    ys: list[float | None] = []
    for _, r in s[s["site_id"].notna()].iterrows():
        p = pos.loc[r["site_id"]]
        xs += [round(float(r["longitude"]), 6), round(float(p["longitude"]), 6), None]
        ys += [round(float(r["latitude"]), 6), round(float(p["latitude"]), 6), None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=T["catchment"], hoverinfo="skip",
                             line={"color": "rgba(90,90,90,0.45)", "width": 0.8}))
    reached = s[s["reached"]]
    for q, colour in _VEM_COLOURS.items():
        sub = reached[(reached["vem_quartile"] == q).fillna(False)]
        fig.add_trace(go.Scatter(
            x=sub["longitude"].round(6).tolist(), y=sub["latitude"].round(6).tolist(),
            mode="markers", name=f"{T['reached']}, {T['vem']} {q}",
            marker={"color": colour, "size": 6, "line": {"color": "#333", "width": 0.4}},
            text=[html.escape(str(x)) for x in sub["school_id"]],
            hovertemplate="%{text}<extra></extra>"))
    far = s[~s["reached"]]
    fig.add_trace(go.Scatter(
        x=far["longitude"].round(6).tolist(), y=far["latitude"].round(6).tolist(),
        mode="markers", name=T["desert"],
        marker={"symbol": "x", "color": "#000", "size": 7},
        text=[html.escape(str(x)) for x in far["school_id"]],
        hovertemplate="%{text}<extra></extra>"))
    for existing, label, colour in ((False, T["site"], "#1b7837"), (True, T["existing"], "#762a83")):
        sub = sites[sites["existing"] == existing]
        fig.add_trace(go.Scatter(
            x=sub["longitude"].round(6).tolist(), y=sub["latitude"].round(6).tolist(),
            mode="markers", name=label,
            marker={"symbol": "star", "color": colour, "size": 14,
                    "line": {"color": "#fff", "width": 1}},
            text=[html.escape(str(n if isinstance(n, str) else i))
                  for n, i in zip(sub["name"], sub["site_id"])],
            hovertemplate="%{text}<extra></extra>"))
    lat0 = float(s["latitude"].mean()) if len(s) else 34.0
    fig.update_layout(
        height=680, margin={"l": 10, "r": 10, "t": 40, "b": 10}, plot_bgcolor="white",
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x",
               "scaleratio": 1.0 / math.cos(math.radians(lat0))},
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
    )
    return fig


def _choice(lang: str, choice: str) -> str:
    """A row of the comparison (``optimal``, ``3 largest schools``, ...) in ``lang``."""
    from equitable.report._messages import t

    fixed = {"optimal": "sites_optimal", "optimal without the minimum share": "sites_optimal_free"}
    if choice in fixed:
        return t(lang, fixed[choice])
    k, _, rest = choice.partition(" ")
    if k.isdigit() and rest in ("largest schools", "highest-need schools"):
        key = "sites_largest" if rest == "largest schools" else "sites_highest_need"
        return t(lang, key, k=k)
    return choice


def _rows(df: pd.DataFrame) -> list[list[object]]:
    return [[None if v is pd.NA else v for v in r] for r in df.itertuples(index=False)]


def write_sites_html(result: Any, schools: pd.DataFrame, coverage: pd.DataFrame, out_dir: Path,
                     reach: str) -> list[Path]:
    """Write ``sites.html`` (English) and ``sites.es.html`` (Spanish) into ``out_dir``, each
    linking to the other.

    ``coverage`` is the suppressed table of :func:`equitable.health._io.coverage_tables` (its
    suppressed cells shown as ``*``). The map is a plotly figure on plain longitude/latitude
    axes (no tiles); plotly.js is inlined once per page.
    """
    from equitable.report._page import column, figure_html, write_page

    paths = []
    names = {"en": "sites.html", "es": "sites.es.html"}
    unit = str(getattr(result, "unit", "km"))
    for lang, name in names.items():
        T = _Words(lang)
        fig = _map(result, schools, lang)
        cov = coverage.copy()
        cov["group_type"] = cov["group_type"].map(
            {"all": T["all"], "vem_quartile": T["vem"], "tier": T["tier"]})
        cov["group"] = cov["group"].replace({"all": T["all"], "none": T["none"]})
        comp = result.comparisons.copy()
        comp["choice"] = [_choice(lang, str(c)) for c in comp["choice"]]
        st = result.sites[["order", "site_id", "name", "schools_served", "students_served",
                           "marginal_weighted_gain"]]
        comp_cols = [column(T["choice"]), column(T["sites"], "int"), column(T["weighted"], "num"),
                     column(T["served"], "num"), column(T["served_pct"], "num"),
                     column(T["q1"], "num")]
        if "weighted_mean_travel" in comp.columns:
            from equitable.report._messages import t

            comp_cols.append(column(t(lang, "sites_travel", unit=unit), "num"))
        tables = [
            {"id": "coverage", "title": T["coverage"], "rows": _rows(cov), "columns": [
                column(T["by"]), column(T["group"]), column(T["schools"], "int"),
                column(T["students"], "int"), column(T["served"], "num"),
                column(T["served_pct"], "num"), column(T["unserved"], "int")]},
            {"id": "comparison", "title": T["comparison"], "columns": comp_cols,
             "rows": _rows(comp[comp.columns[:len(comp_cols)]])},
            {"id": "sites", "title": T["table"], "rows": _rows(st), "columns": [
                column(T["order"], "int"), column(T["id"]), column(T["name"]),
                column(T["schools"], "int"), column(T["served"], "num"),
                column(T["gain"], "num")]},
        ]
        other = names["es" if lang == "en" else "en"]
        paths.append(write_page(
            out_dir / name, "sites.html.j2", lang, title=T["title"], other_href=other,
            plotly_js=True, note=T["note"].format(reach=reach),
            map_html=figure_html(fig, "sites-map"), tables=tables))
    return paths
