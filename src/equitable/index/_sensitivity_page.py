"""The page of ``equitable sensitivity`` (``report.html``), on the reports' shared page writer
(:mod:`equitable.report._page`, template ``sensitivity.html.j2``): the settings, tier stability,
the rank-interval plot (units sorted by median rank, bars from the 5th to the 95th percentile
rank), the Sobol indices and the units with the widest rank intervals. English only (the
analysis is for the analysts who choose an index, not a public page)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from equitable.index._sensitivity import SensitivityResult

__all__ = ["render_sensitivity_page", "write_sensitivity_page"]


def _text(val: object) -> str:
    """A cell as the page has always shown it: floats with 3 decimals, the rest as they are."""
    if isinstance(val, float):
        return "" if not math.isfinite(val) else f"{val:.3f}"
    return "" if val is None or val is pd.NA else str(val)


def _table(df: pd.DataFrame) -> dict[str, list[Any]]:
    from equitable.report._page import column

    cols = [column(str(c), num=bool(pd.api.types.is_numeric_dtype(df[c]))) for c in df.columns]
    rows = [[_text(v) for v in r] for r in df.itertuples(index=False)]
    return {"columns": cols, "rows": rows}


def render_sensitivity_page(res: SensitivityResult) -> str:
    """The page as one self-contained HTML document (plotly.js inlined once, nothing loaded
    from the network)."""
    import plotly.graph_objects as go

    from equitable.report._page import figure_html, render_page

    spec = res.spec
    u = res.units
    ok = u["median_rank"].notna()
    v = u[ok].sort_values(["median_rank", "nominal_rank"], kind="mergesort")
    idc = spec.id_column
    label = v[idc].astype(str)
    if "school_name" in v:
        label = v["school_name"].astype(str) + " (" + label + ")"
    x = np.arange(1, len(v) + 1)
    fig = go.Figure()
    fig.add_trace(go.Scattergl(
        x=x, y=v["median_rank"], mode="markers", marker={"size": 4, "color": "#1f4e79"},
        error_y={"type": "data", "symmetric": False,
                 "array": (v["rank_p95"] - v["median_rank"]).to_numpy(),
                 "arrayminus": (v["median_rank"] - v["rank_p05"]).to_numpy(),
                 "thickness": 1, "width": 0, "color": "#7f9fbf"},
        text=label, name="median rank (5th-95th percentile)",
        hovertemplate="%{text}<br>median rank %{y}<extra></extra>"))
    fig.add_trace(go.Scattergl(x=x, y=v["nominal_rank"].astype(float), mode="markers",
                               marker={"size": 3, "color": "#c0504d", "symbol": "x"},
                               name="nominal rank", text=label,
                               hovertemplate="%{text}<br>nominal rank %{y}<extra></extra>"))
    fig.update_layout(xaxis_title="units, by median rank", yaxis_title="rank",
                      yaxis_autorange="reversed", template="plotly_white", height=520,
                      margin={"l": 60, "r": 20, "t": 20, "b": 50},
                      legend={"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top"})
    sobol_html = None
    if len(res.sobol):
        s = res.sobol
        f2 = go.Figure()
        f2.add_trace(go.Bar(x=s["factor"], y=s["S1"], name="first order (S1)",
                            marker_color="#1f4e79"))
        f2.add_trace(go.Bar(x=s["factor"], y=s["ST"], name="total (ST)", marker_color="#7f9fbf"))
        f2.update_layout(barmode="group", template="plotly_white", height=420, yaxis_range=[0, 1],
                         margin={"l": 60, "r": 20, "t": 20, "b": 50},
                         legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"})
        sobol_html = figure_html(f2, "sobol")

    st = res.settings
    wdesc = {"dirichlet": ("Dirichlet around the declared weights (concentration "
                           f"{st['concentration']:g} per member)"),
             "uniform": f"each weight uniform within +-{st['spread'] * 100:g}% of its declared value",
             "none": "fixed at the declared values"}[st["weights"]]
    settings = [f"Draws: {res.draws:,}; units: {res.summary['units']:,}", f"Weights: {wdesc}"]
    for k in ("normalisations", "ties", "missing"):
        if st[k]:
            settings.append(f"{k}: {', '.join(st[k])}")
    settings.append(f"Seed: {st['seed']}")
    summ = res.summary
    lead = (f"Median width of the 90% rank interval: {summ['median_rank_interval']:.1f} ranks; "
            f"mean absolute rank shift from the declared index: {summ['mean_abs_rank_shift']:.2f}.")
    if "units_same_tier_p_ge_0.9" in summ:
        lead += (f" {summ['units_same_tier_p_ge_0.9']:,} units keep their declared tier in at "
                 f"least 90% of draws; {summ['units_same_tier_p_lt_0.5']:,} keep it in fewer "
                 "than half.")
    unstable = u.sort_values(["rank_interval", "nominal_rank"], ascending=[False, True],
                             kind="mergesort").head(20)
    cols = [c for c in [idc, "school_name", "nominal_rank", "nominal_tier", "median_rank",
                        "rank_p05", "rank_p95", "p_nominal_tier", "modal_tier"] if c in u.columns]
    name = spec.title or spec.name
    return render_page(
        "sensitivity.html.j2", "en", title=f"How much do the choices decide? {name}",
        plotly_js=True, settings=settings, lead=lead,
        tier_stability=_table(res.tier_stability) if len(res.tier_stability) else None,
        rank_html=figure_html(fig, "rank-intervals"), sobol_html=sobol_html,
        sobol=_table(res.sobol) if len(res.sobol) else None, widest=_table(unstable[cols]))


def write_sensitivity_page(res: SensitivityResult, path: str | Path) -> Path:
    """Write :func:`render_sensitivity_page` to ``path`` (UTF-8, whole or not at all)."""
    from equitable._atomic import write_file

    return write_file(path, render_sensitivity_page(res))
