"""The self-contained HTML report (no CDN, no tile server), in English or Spanish."""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from equitable.report._messages import (
    caveat_text,
    label_of,
    money,
    need_level,
    number,
    percent,
    t,
)
from equitable.report._model import ReportData, tier_colour_at
from equitable.report._page import ENV as _ENV
from equitable.report._page import PLOTLY_CONFIG as _PLOTLY_CONFIG


def _colour(i: int, n: int = 5) -> str:
    """The ``i``-th of ``n`` tiers' colour: the dashboard's scale (:func:`tier_colour_at`)."""
    return tier_colour_at(i, n)


def _level(data: ReportData, lang: str, label: str) -> str:
    """A tier as the dashboard names it: a need level in words ("Highest need")."""
    return need_level(lang, list(data.tier_labels), label)


def _tier_colour(data: ReportData, label: str) -> str:
    labels = list(data.tier_labels)
    return _colour(labels.index(label), len(labels)) if label in labels else "#777777"


def map_figure(data: ReportData, lang: str) -> go.Figure:
    """Schools coloured by tier over tract outlines: plain lon/lat axes, no tiles, no topojson."""
    fig = go.Figure()
    xs: list[float | None] = []
    ys: list[float | None] = []
    for lons, lats in data.tract_shapes:
        xs.extend(lons)
        ys.extend(lats)
        xs.append(None)
        ys.append(None)
    if xs:
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", fillcolor="rgba(200,200,200,0.35)",
            line={"color": "rgba(120,120,120,0.6)", "width": 0.5}, hoverinfo="skip",
            name="tracts", showlegend=False,
        ))
    s = data.schools
    placed = s[s["latitude"].notna() & s["longitude"].notna()]
    for _i, label in enumerate(data.tier_labels):
        sub = placed[placed["tier"] == label]
        name = _level(data, lang, label)
        hover = [
            f"{html.escape(str(n))}<br>{t(lang, 'need_level')}: {name}"
            f"<br>{t(lang, 'per_pupil')}: {money(lang, float(pp), 2)}"
            for n, pp in zip(sub["school_name"], sub["per_pupil_dollars"].fillna(0))
        ]
        fig.add_trace(go.Scatter(
            x=sub["longitude"].round(6).tolist(), y=sub["latitude"].round(6).tolist(),
            mode="markers", name=name,
            marker={"color": _tier_colour(data, label), "size": 7, "line": {"color": "#333", "width": 0.5}},
            text=hover, hovertemplate="%{text}<extra></extra>",
        ))
    lat0 = float(placed["latitude"].mean()) if len(placed) else 34.0
    xaxis: dict = {"visible": False}
    yaxis: dict = {"visible": False, "scaleanchor": "x",
                   "scaleratio": 1.0 / math.cos(math.radians(lat0))}
    if len(placed):
        # frame the schools (the tract file may reach well beyond them)
        lo_x, hi_x = float(placed["longitude"].min()), float(placed["longitude"].max())
        lo_y, hi_y = float(placed["latitude"].min()), float(placed["latitude"].max())
        pad_x, pad_y = max((hi_x - lo_x) * 0.04, 0.01), max((hi_y - lo_y) * 0.04, 0.01)
        xaxis["range"] = [round(lo_x - pad_x, 5), round(hi_x + pad_x, 5)]
        yaxis["range"] = [round(lo_y - pad_y, 5), round(hi_y + pad_y, 5)]
        yaxis["constrain"] = "domain"
    fig.update_layout(
        height=720, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        plot_bgcolor="white", paper_bgcolor="white",
        # a horizontal legend above the map leaves the full width to the map on a phone
        legend={"title": {"text": t(lang, "need_level"), "side": "top"}, "itemsizing": "constant",
                "orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        xaxis=xaxis, yaxis=yaxis,
    )
    return fig


def shares_figure(data: ReportData, lang: str) -> go.Figure:
    labels = [_level(data, lang, x) for x in data.tiers["tier"]]
    fig = go.Figure([
        go.Bar(x=labels, y=(data.tiers["share_students"] * 100).round(2).tolist(),
               name=t(lang, "share_students"), marker_color="#9e9e9e"),
        go.Bar(x=labels, y=(data.tiers["share_dollars"] * 100).round(2).tolist(),
               name=t(lang, "share_dollars"), marker_color="#1b7837"),
    ])
    fig.update_layout(
        barmode="group", height=380, margin={"l": 50, "r": 10, "t": 10, "b": 40},
        yaxis={"title": {"text": "%"}, "rangemode": "tozero"}, plot_bgcolor="white",
        legend={"orientation": "h", "y": 1.1},
    )
    return fig


def distribution_figure(data: ReportData, lang: str) -> go.Figure:
    s = data.schools
    fig = go.Figure()
    values = s["per_pupil_dollars"].dropna()
    if len(values):
        lo, hi = float(values.min()), float(values.max())
        size = max((hi - lo) / 30.0, 1.0)
        for _i, label in enumerate(data.tier_labels):
            sub = s.loc[s["tier"] == label, "per_pupil_dollars"].dropna().round(2)
            fig.add_trace(go.Histogram(
                x=sub.tolist(), name=_level(data, lang, label),
                marker_color=_tier_colour(data, label),
                xbins={"start": math.floor(lo), "end": math.ceil(hi) + size, "size": size},
            ))
    fig.update_layout(
        barmode="stack", height=380, margin={"l": 50, "r": 10, "t": 40, "b": 40},
        xaxis={"title": {"text": t(lang, "per_pupil") + " ($)"}},
        yaxis={"title": {"text": t(lang, "count_of_schools")}}, plot_bgcolor="white",
        legend={"title": {"text": t(lang, "need_level"), "side": "top"}, "orientation": "h", "x": 0, "y": 1.0,
                "yanchor": "bottom"},
    )
    return fig


def _fig_html(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config=_PLOTLY_CONFIG)


def render_html(data: ReportData, lang: str = "en") -> str:
    """Render the report as one HTML document with plotly.js inlined (works offline).

    Parameters
    ----------
    data : the report's content (:class:`ReportData`).
    lang : ``"en"`` or ``"es"``.

    Returns
    -------
    str : the whole document. It loads nothing from the network: plotly.js is embedded and the
    map draws tract outlines from the data on plain axes (no tile server, no topojson).
    """
    budget = money(lang, data.budget_cents / 100)
    n_students = int(data.schools["enrollment"].fillna(0).sum())
    ts = data.tier_summary
    ranges = {r["tier"]: (r["min_score"], r["max_score"]) for r in ts["tiers"]} if ts else {}

    def score(x: float | None) -> str:
        return "" if x is None else number(lang, x, 4)

    tiers = []
    for _i, row in enumerate(data.tiers.itertuples(index=False)):
        lo, hi = ranges.get(row.tier, (None, None))
        tiers.append({
            "scores": "" if lo is None else (score(lo) if lo == hi else f"{score(lo)} – {score(hi)}"),
            "label": _level(data, lang, row.tier),
            "colour": _tier_colour(data, row.tier),
            "schools": number(lang, row.schools),
            "students": row.students if isinstance(row.students, str) else number(lang, row.students),
            "amount": money(lang, row.amount_cents / 100),
            "rate": money(lang, row.rate_dollars, 2) if not _nan(row.rate_dollars) else "",
            "share_students": percent(lang, row.share_students),
            "share_dollars": percent(lang, row.share_dollars),
        })
    tier_notes: list[str] = []
    if ts:
        cuts = ", ".join(score(c) if c is not None else "–" for c in ts["cut_scores"])
        tier_notes.append(t(lang, "cut_scores", cuts=cuts) if ts["method"] == "quantile"
                          else t(lang, "cut_scores_fixed", basis=ts["basis"], cuts=cuts))
        if ts.get("untied_counts") and ts["untied_counts"] != ts["counts"]:
            tier_notes.append(t(lang, "tier_unequal",
                                counts=", ".join(number(lang, c) for c in ts["counts"]),
                                untied=", ".join(number(lang, c) for c in ts["untied_counts"])))
        for lab, c in zip(ts["labels"], ts["counts"]):
            if c == 0:
                tier_notes.append(t(lang, "tier_empty", tier=_level(data, lang, lab)))
    for tie in data.remainder_ties:
        tier_notes.append(t(lang, "remainder_tie", n=number(lang, tie["schools"]),
                            k=number(lang, tie["moved"]), rule=tie["rule"]))
    total = {
        "schools": number(lang, int(data.tiers["schools"].sum())),
        "students": number(lang, n_students),
        "amount": money(lang, int(data.tiers["amount_cents"].sum()) / 100),
    }
    indicators = [
        {
            "label": label_of(lang, ind["code"], ind.get("label"), ind.get("label_es")),
            "theme": label_of(lang, ind.get("theme") or "", ind.get("theme_label"),
                              ind.get("theme_label_es")),
            "column": ind["column"],
            "direction": t(lang, ind["direction"]),
            "weight": _fmt_weight(ind["weight"]),
        }
        for ind in data.indicators
    ]
    themes = [
        {"label": label_of(lang, th["code"], th.get("label"), th.get("label_es")),
         "weight": _fmt_weight(th["weight"])}
        for th in data.themes
    ]
    tier_weights = [
        {"label": _level(data, lang, k), "weight": _fmt_weight(v)}
        for k, v in data.tier_weights.items()
    ]
    pc = data.placement_counts
    methods = [
        t(lang, "methods_index",
          title=(data.index_title_es if lang == "es" and data.index_title_es
                 else data.index_title),
          normalise=t(lang, f"percentile_{data.normalise_form}"),
          aggregation=t(lang, data.aggregation), n_tiers=len(data.tier_labels)),
        t(lang, "methods_missing", rule=t(lang, data.missing_rule), n_flagged=data.n_flagged),
        t(lang, "methods_placement", n_polygon=pc.get("tract polygon", 0),
          n_centroid=pc.get("nearest tract centroid", 0), n_unplaced=pc.get("not placed", 0)),
        t(lang, "methods_allocation", budget=budget),
        t(lang, "methods_assumption"),
    ]
    s = data.schools
    school_rows = [
        {
            "rank": "" if _nan_like(r.rank) else number(lang, int(r.rank)),
            "name": str(r.school_name),
            "tier": _level(data, lang, str(r.tier)),
            "colour": _tier_colour(data, str(r.tier)),
            "enrollment": "" if _nan_like(r.enrollment) else number(lang, int(r.enrollment)),
            "amount": money(lang, int(r.amount_cents) / 100, 2),
            "per_pupil": ("" if _nan_like(r.per_pupil_dollars)
                          else money(lang, float(r.per_pupil_dollars), 2)),
            "neighbourhood": "" if _nan_like(r.neighbourhood) else str(r.neighbourhood),
        }
        for r in s.itertuples(index=False)
    ]
    template = _ENV.get_template("report.html.j2")
    return template.render(
        lang=lang,
        t=lambda key, **kw: t(lang, key, **kw),
        title=(data.title_es if lang == "es" and data.title_es else data.title)
        or t(lang, "title"),
        subtitle=t(lang, "subtitle", n_schools=number(lang, len(data.schools)),
                   n_students=number(lang, n_students), budget=budget),
        summary=t(lang, "summary_text", n_schools=number(lang, len(data.schools)),
                  n_tiers=len(data.tier_labels), budget=budget),
        other_href="report.es.html" if lang == "en" else "report.html",
        plotly_js=get_plotlyjs(),
        map_html=_fig_html(map_figure(data, lang), "map"),
        shares_html=_fig_html(shares_figure(data, lang), "shares"),
        distribution_html=_fig_html(distribution_figure(data, lang), "distribution"),
        tiers=tiers,
        tier_notes=tier_notes,
        total=total,
        school_rows=school_rows,
        methods=methods,
        indicators=indicators,
        themes=themes,
        tier_weights=tier_weights,
        inputs=[{"label": k, "file": v[0], "sha256": v[1]} for k, v in sorted(data.inputs.items())],
        version=data.version,
        method_text=data.method_text.get(lang, ""),
        caveats=[caveat_text(lang, c) for c in data.caveats],
        equity_text=(t(lang, "equity_text",
                       ratio=number(lang, data.equity["progressivity_ratio"], 2),
                       ci=number(lang, data.equity["concentration_index"], 3))
                     if {"progressivity_ratio", "concentration_index"} <= set(data.equity)
                     else ""),
    )


def write_html(data: ReportData, path: str | Path, lang: str = "en") -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8, whole or not at all) and return the path."""
    from equitable._atomic import write_file

    return write_file(path, render_html(data, lang))


def _nan_like(x: object) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _nan(x: object) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x))


def _fmt_weight(w: float) -> str:
    return f"{float(w):g}"
