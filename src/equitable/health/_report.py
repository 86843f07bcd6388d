"""``sites.html`` / ``sites.es.html``: a self-contained page (no CDN, no tile server) with the map
of the chosen sites, their catchments and the schools out of reach, and the coverage tables."""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["write_sites_html"]

_T = {
    "en": {
        "title": "Clinic and information sites", "map": "Map of the chosen sites",
        "site": "chosen site", "existing": "existing site", "reached": "school within reach",
        "desert": "school out of reach", "catchment": "catchment",
        "vem": "VEM quartile", "coverage": "Students served by Vaccine Equity Metric quartile",
        "comparison": "The chosen sites against naive choices", "group": "group",
        "schools": "schools", "students": "students", "served": "students served",
        "served_pct": "% served", "unserved": "schools not served", "choice": "choice",
        "weighted": "need-weighted students served", "q1": "% of served in VEM quartile 1",
        "sites": "sites", "all": "all", "none": "none", "tier": "tier",
        "note": ("VEM quartile 1 = the least healthy community conditions (Healthy Places Index "
                 "2.0). Reach: {reach}. Groups of 10 or fewer students are shown as *."),
        "sites_table": "Sites in the order of their marginal gain", "order": "order",
        "gain": "added need-weighted students", "name": "name", "by": "by",
    },
    "es": {
        "title": "Sitios de clínicas e información", "map": "Mapa de los sitios elegidos",
        "site": "sitio elegido", "existing": "sitio existente", "reached": "escuela al alcance",
        "desert": "escuela fuera de alcance", "catchment": "área de servicio",
        "vem": "cuartil VEM", "coverage": "Estudiantes atendidos por cuartil de la Métrica de "
        "Equidad de Vacunas", "comparison": "Los sitios elegidos frente a elecciones simples",
        "group": "grupo", "schools": "escuelas", "students": "estudiantes",
        "served": "estudiantes atendidos", "served_pct": "% atendido",
        "unserved": "escuelas no atendidas", "choice": "elección",
        "weighted": "estudiantes atendidos ponderados por necesidad",
        "q1": "% de atendidos en el cuartil VEM 1", "sites": "sitios", "all": "todos",
        "none": "ninguno", "tier": "nivel",
        "note": ("Cuartil VEM 1 = las condiciones comunitarias menos saludables (Índice de "
                 "Lugares Saludables 2.0). Alcance: {reach}. Los grupos de 10 estudiantes o "
                 "menos se muestran como *."),
        "sites_table": "Sitios en el orden de su ganancia marginal", "order": "orden",
        "gain": "estudiantes ponderados añadidos", "name": "nombre", "by": "por",
    },
}

_VEM_COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#67a9cf", 4: "#2166ac"}


def _map(result: Any, schools: pd.DataFrame, lang: str):
    import plotly.graph_objects as go

    T = _T[lang]
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


def _table(df: pd.DataFrame, headers: list[str], caption: str) -> str:
    head = "".join(f"<th scope=\"col\">{html.escape(h)}</th>" for h in headers)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if pd.isna(v) else str(v))}</td>" for v in r) + "</tr>"
        for r in df.itertuples(index=False))
    return (f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def write_sites_html(result: Any, schools: pd.DataFrame, coverage: pd.DataFrame, out_dir: Path,
                     reach: str) -> list[Path]:
    """Write ``sites.html`` (English) and ``sites.es.html`` (Spanish) into ``out_dir``.

    ``coverage`` is the suppressed table of :func:`equitable.health._io.coverage_tables`.
    """
    from plotly.offline import get_plotlyjs

    js = get_plotlyjs()
    paths = []
    for lang, name in (("en", "sites.html"), ("es", "sites.es.html")):
        T = _T[lang]
        fig = _map(result, schools, lang)
        cov = coverage.copy()
        cov["group_type"] = cov["group_type"].map(
            {"all": T["all"], "vem_quartile": T["vem"], "tier": T["tier"]})
        cov["group"] = cov["group"].replace({"all": T["all"], "none": T["none"]})
        comp = result.comparisons.round({"weighted_served": 1, "students_served": 0,
                                          "served_pct": 2, "q1_share_pct": 2})
        st = result.sites[["order", "site_id", "name", "schools_served", "students_served",
                           "marginal_weighted_gain"]].round({"students_served": 0,
                                                             "marginal_weighted_gain": 1})
        body = "".join([
            f"<h1>{html.escape(T['title'])}</h1>",
            f"<p>{html.escape(T['note'].format(reach=reach))}</p>",
            f"<h2>{html.escape(T['map'])}</h2>",
            fig.to_html(full_html=False, include_plotlyjs=False, div_id="sites-map",
                        config={"displaylogo": False, "responsive": True}),
            _table(cov, [T["by"], T["group"], T["schools"], T["students"], T["served"],
                         T["served_pct"], T["unserved"]], T["coverage"]),
            _table(comp, [T["choice"], T["sites"], T["weighted"], T["served"], T["served_pct"],
                          T["q1"]], T["comparison"]),
            _table(st, [T["order"], "id", T["name"], T["schools"], T["served"], T["gain"]],
                   T["sites_table"]),
        ])
        page = (f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
                f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                f"<title>{html.escape(T['title'])}</title>"
                "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
                "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;"
                "padding:2px 6px;text-align:right}caption{font-weight:bold;text-align:left}"
                f"</style><script>{js}</script></head><body><main>{body}</main></body></html>\n")
        p = out_dir / name
        p.write_text(page, encoding="utf-8")
        paths.append(p)
    return paths
