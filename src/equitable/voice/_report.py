"""The survey report (``equitable survey report``): one self-contained offline HTML page per
language (``report.html`` and ``report.es.html``), each linking to the other.

The pages are written by the reports' shared writer (:mod:`equitable.report._page`, template
``voice.html.j2`` on ``base.html.j2``) with their words in :mod:`equitable.report._messages`
(keys ``voice_*``). Plotly's JavaScript is inlined once (no CDN, no network). Every number shown
comes from the privacy-checked tables (:func:`estimate`, :func:`representation`,
:func:`response_rates`), so groups of 10 or fewer respondents show as "*" and are left out of the
charts with a note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from equitable import __version__
from equitable.privacy import MARKER
from equitable.report._messages import number, t
from equitable.report._page import column, figure_html, render_page
from equitable.voice._instrument import Instrument

__all__ = ["build_report", "spanish_path"]

#: Breakdowns with a name of their own in the messages (``voice_bd_<breakdown>``).
BREAKDOWNS = ("school", "language", "student_group", "race_ethnicity", "grade_span")


def spanish_path(path: str | Path) -> Path:
    """The Spanish page beside the English one: ``report.html`` -> ``report.es.html``."""
    p = Path(path)
    return p.with_name(f"{p.stem}.es{p.suffix or '.html'}")


def _breakdown(name: str, lang: str) -> str:
    return t(lang, f"voice_bd_{name}") if name in BREAKDOWNS else name


def _fmt(lang: str, v: object, digits: int = 1) -> str:
    """A number of the weighting summary in ``lang`` (empty when missing)."""
    if isinstance(v, str):
        return v
    if v is None:
        return ""
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(v)
    return "" if np.isnan(x) else number(lang, x, digits)


def _count(v: object) -> object:
    """A count from a privacy-checked table: the mark ``*`` as it is, else a number (the tables
    hold counts as text beside the mark)."""
    if isinstance(v, str) and v != MARKER:
        try:
            return float(v)
        except ValueError:
            return v
    return v


def _chart(fig: go.Figure, div_id: str) -> str:
    # no plotly title: the chart's caption says what it shows (and wraps on a phone)
    fig.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 20, "b": 60},
                      height=380, font={"size": 13},
                      legend={"orientation": "h", "x": 0, "y": -0.25, "yanchor": "top"})
    return figure_html(fig, div_id)


def build_report(
    instrument: Instrument,
    estimates: pd.DataFrame,
    *,
    representation: pd.DataFrame | None = None,
    rates: pd.DataFrame | None = None,
    themes: Mapping[str, pd.DataFrame] | None = None,
    weighting: Mapping[str, Any] | None = None,
    breakdowns: Sequence[str] = (),
    lang: str = "en",
    other_href: str | None = None,
    sources: Sequence[Mapping[str, str]] = (),
) -> str:
    """Return the report's page in ``lang`` (a self-contained HTML document).

    Parameters
    ----------
    instrument : the :class:`~equitable.voice.Instrument` (wording of items and constructs).
    estimates : the privacy-checked table of :func:`~equitable.voice.estimate`.
    representation : :func:`~equitable.voice.representation` (who answered vs enrolled).
    rates : :func:`~equitable.voice.response_rates`.
    themes : language -> :func:`~equitable.voice.suggest_themes` table (this page shows
        ``lang``'s).
    weighting : :meth:`RakeResult.summary` plus ``variables`` (list of raking variables).
    breakdowns : which ``estimates`` breakdowns to chart (default: all but the overall).
    lang : ``"en"`` or ``"es"``.
    other_href : the page in the other language (the header's switch link), if written.
    sources : the input files (``label`` and ``file``) listed at the end of the page.

    Percent favorable is shown with its 95% Korn-Graubard interval (Korn & Graubard, "Confidence
    intervals for proportions with small expected number of positive counts estimated from
    survey data", Survey Methodology 24(2), 1998), as :func:`~equitable.voice.estimate` gives it.
    """
    has_weights = bool(estimates["weighted"].any())
    est = estimates[estimates["weighted"] == has_weights]
    bds = list(breakdowns) or [str(b) for b in est["breakdown"].unique() if b != "all"]
    L = lang
    title = instrument.instrument.title.get(L) or t(L, "voice_title")
    if weighting:
        weighting_text = t(
            L, "voice_weighting_text",
            vars=", ".join(_breakdown(str(v), L) for v in weighting.get("variables", [])),
            deff=_fmt(L, weighting.get("design_effect"), 2),
            neff=_fmt(L, weighting.get("effective_n"), 0), n=weighting.get("respondents"),
            trimmed=weighting.get("trimmed", 0))
    else:
        weighting_text = t(L, "voice_not_weighted")

    # who answered vs enrolled: one chart per variable
    who: list[dict[str, str]] = []
    if representation is not None and len(representation):
        for k, (var, g) in enumerate(representation.groupby("variable", sort=False)):
            name = str(var)
            fig = go.Figure()
            ok = g[(g["respondents"] != MARKER) & (g["category"] != "all")]
            cats = [_group_label(instrument, name, str(c), L) for c in ok["category"]]
            fig.add_bar(name=t(L, "voice_population"), x=cats,
                        y=ok["population_pct"].astype(float))
            fig.add_bar(name=t(L, "voice_respondents"), x=cats,
                        y=ok["respondents_pct"].astype(float))
            if "weighted_pct" in ok.columns:
                fig.add_bar(name=t(L, "voice_weighted"), x=cats,
                            y=ok["weighted_pct"].astype(float))
            fig.update_layout(barmode="group", yaxis_title="%")
            hidden = [_group_label(instrument, name, str(c), L)
                      for c in g.loc[g["respondents"] == MARKER, "category"]]
            who.append({"chart": _chart(fig, f"who-{k}"), "title": _breakdown(name, L),
                        "suppressed": (t(L, "voice_suppressed", groups=", ".join(hidden))
                                       if hidden else "")})

    # results by group, one chart per breakdown: constructs x groups
    results: list[dict[str, str]] = []
    cons = est[est["measure_type"] == "construct"]
    for k, b in enumerate(bds):
        sub = cons[cons["breakdown"] == b]
        if sub.empty:
            continue
        fig = go.Figure()
        hidden_groups: set[str] = set()
        for cid in instrument.constructs:
            s = sub[sub["measure"] == cid]
            ok = s[s["pct_favorable"] != MARKER]
            hidden_groups |= set(s.loc[s["pct_favorable"] == MARKER, "group"].astype(str))
            if ok.empty:
                continue
            y = ok["pct_favorable"].astype(float).to_numpy()
            lo = ok["kg_low_pct"].astype(float).to_numpy()
            hi = ok["kg_high_pct"].astype(float).to_numpy()
            x = [t(L, f"voice_lang_{v}") if b == "language" and v in ("en", "es") else
                 _group_label(instrument, b, v, L) for v in ok["group"].astype(str)]
            fig.add_bar(name=instrument.construct_label(cid, L), x=x, y=y,
                        error_y={"type": "data", "symmetric": False, "array": hi - y,
                                 "arrayminus": y - lo})
        fig.update_layout(barmode="group", yaxis={"title": t(L, "voice_pct_fav"),
                                                  "range": [0, 100]})
        note = (t(L, "voice_suppressed", groups=", ".join(
            _group_label(instrument, b, h, L) for h in sorted(hidden_groups)))
            if hidden_groups else "")
        results.append({"chart": _chart(fig, f"res-{k}"), "title": _breakdown(b, L),
                        "suppressed": note})

    # every question, overall
    item_cols = [column(t(L, "voice_question")), column(t(L, "voice_n"), "int"),
                 column(t(L, "voice_unweighted"), num=True)]
    if has_weights:
        item_cols.append(column(t(L, "voice_weighted_col"), num=True))
    item_rows: list[list[object]] = []
    allrows = estimates[estimates["breakdown"] == "all"]
    for m in instrument.scored_items():
        mine = allrows[(allrows["measure"] == m) & (allrows["measure_type"] == "item")]
        u = mine[~mine["weighted"].astype(bool)]
        w = mine[mine["weighted"].astype(bool)]
        if u.empty:
            continue
        ur = u.iloc[0]
        row: list[object] = [instrument.text(m, L), _count(ur["respondents"]), _ci(ur, L)]
        if has_weights:
            row.append(_ci(w.iloc[0], L) if len(w) else "")
        item_rows.append(row)

    rate_rows: list[list[object]] = []
    if rates is not None:
        for _, r in rates.iterrows():
            group = str(r["group"])
            rate_rows.append([t(L, "voice_all") if group == "all" else group,
                              _count(r["enrolled"]), _count(r["respondents"]),
                              _count(r["response_rate_pct"])])
    rate_cols = [column(t(L, "voice_group")), column(t(L, "voice_enrolled"), "int"),
                 column(t(L, "voice_respondents"), "int"), column(t(L, "voice_rate"), "pct100")]

    th = (themes or {}).get(L)
    theme_rows = [] if th is None else [
        {"terms": r["terms"], "answers": _count(r["answers"]),
         "quotes": [r[c] for c in th.columns if str(c).startswith("quote_") and r[c]]}
        for _, r in th.iterrows()
    ]
    return render_page(
        "voice.html.j2", L, title=title, other_href=other_href, plotly_js=True,
        weighting=weighting_text, who=who, results=results,
        items={"columns": item_cols, "rows": item_rows},
        rates={"columns": rate_cols, "rows": rate_rows} if rate_rows else None,
        themes=theme_rows, sources=list(sources),
        footer_text=t(L, "voice_footer", version=__version__))


def _ci(r: pd.Series, lang: str = "en") -> str:
    """Percent favorable with its interval: ``75.0% (60.1–85.2)``, or the privacy mark."""
    if r["pct_favorable"] == MARKER:
        return MARKER
    return (f"{number(lang, float(r['pct_favorable']), 1)}% "
            f"({number(lang, float(r['kg_low_pct']), 1)}–{number(lang, float(r['kg_high_pct']), 1)})")


def _group_label(instrument: Instrument, breakdown: str, value: str, lang: str) -> str:
    attr = instrument.attribute_map.get(breakdown)
    if attr is not None and attr.scale is not None:
        sc = instrument.scales[attr.scale]
        if value in sc.options:
            return instrument.label(attr.scale, value, lang)
    return value
