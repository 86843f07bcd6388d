"""The bilingual (English/Spanish) survey report: one self-contained offline HTML file.

Plotly's JavaScript is inlined once (no CDN, no network); every chart exists in both languages
and a button switches the page between them. Every number shown comes from the privacy-checked
tables (:func:`estimate`, :func:`representation`, :func:`response_rates`), so groups of 10 or
fewer respondents show as "*" and are left out of the charts with a note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment, select_autoescape
from plotly.offline import get_plotlyjs

from equitable import __version__
from equitable.privacy import MARKER

__all__ = ["build_report"]

T = {
    "title": {"en": "Community voice survey", "es": "Encuesta de la voz de la comunidad"},
    "switch": {"en": "Ver en español", "es": "View in English"},
    "who": {"en": "Who answered, and who is enrolled",
            "es": "Quién respondió y quién está inscrito"},
    "who_note": {"en": "Share of respondents, of respondents after weighting, and of enrolled "
                       "students in each group.",
                 "es": "Porcentaje de las personas que respondieron, después de ponderar, y de "
                       "los estudiantes inscritos en cada grupo."},
    "population": {"en": "Enrolled", "es": "Inscritos"},
    "respondents": {"en": "Respondents", "es": "Respondieron"},
    "weighted": {"en": "Respondents, weighted", "es": "Respondieron, ponderado"},
    "results": {"en": "Results by group", "es": "Resultados por grupo"},
    "results_note": {
        "en": "Percent favorable (weighted when weights are given) with 95% Korn-Graubard "
              "confidence intervals. Groups of 10 or fewer respondents are not shown.",
        "es": "Porcentaje favorable (ponderado si hay pesos) con intervalos de confianza de "
              "95% de Korn-Graubard. No se muestran los grupos de 10 personas o menos."},
    "pct_fav": {"en": "% favorable", "es": "% favorable"},
    "questions": {"en": "Every question", "es": "Todas las preguntas"},
    "question": {"en": "Question", "es": "Pregunta"},
    "unweighted": {"en": "Unweighted", "es": "Sin ponderar"},
    "weighted_col": {"en": "Weighted", "es": "Ponderado"},
    "n": {"en": "Respondents", "es": "Personas"},
    "themes": {"en": "What people wrote: suggested themes",
               "es": "Lo que escribieron: temas sugeridos"},
    "themes_note": {"en": "Themes suggested by a computer (TF-IDF and NMF) for people to "
                          "review; names, phone numbers and e-mail addresses are removed "
                          "from quotes.",
                    "es": "Temas sugeridos por computadora (TF-IDF y NMF) para que personas "
                          "los revisen; se quitaron nombres, teléfonos y correos de las citas."},
    "terms": {"en": "Key words", "es": "Palabras clave"},
    "answers": {"en": "Answers", "es": "Respuestas"},
    "quotes": {"en": "Example quotes", "es": "Citas de ejemplo"},
    "rates": {"en": "Response rates", "es": "Tasas de respuesta"},
    "group": {"en": "Group", "es": "Grupo"},
    "enrolled": {"en": "Enrolled", "es": "Inscritos"},
    "rate": {"en": "Response rate", "es": "Tasa de respuesta"},
    "weighting": {"en": "How the results were weighted", "es": "Cómo se ponderaron los resultados"},
    "weighting_text": {
        "en": "Answers were weighted by raking to enrollment by {vars}. Design effect "
              "{deff}; effective sample size {neff} of {n} respondents; {trimmed} weights "
              "trimmed.",
        "es": "Las respuestas se ponderaron por rastrillado (raking) según la inscripción "
              "por {vars}. Efecto de diseño {deff}; tamaño de muestra efectivo {neff} de {n} "
              "personas; {trimmed} pesos recortados."},
    "not_weighted": {"en": "Results are not weighted.", "es": "Los resultados no están "
                     "ponderados."},
    "suppressed": {"en": "Not shown (10 or fewer respondents): {groups}",
                   "es": "No se muestran (10 personas o menos): {groups}"},
    "all": {"en": "All respondents", "es": "Todas las personas"},
    "footer": {"en": "Made with equitable {v}. Privacy: every group of 10 or fewer "
                     "respondents is suppressed (*).",
               "es": "Hecho con equitable {v}. Privacidad: se suprime (*) todo grupo de 10 "
                     "personas o menos."},
}
BREAKDOWN = {
    "school": {"en": "School", "es": "Escuela"},
    "language": {"en": "Language", "es": "Idioma"},
    "student_group": {"en": "Student group", "es": "Grupo estudiantil"},
    "race_ethnicity": {"en": "Race/ethnicity", "es": "Raza/etnia"},
    "grade_span": {"en": "Grade span", "es": "Nivel escolar"},
}
LANG_NAMES = {"en": {"en": "English", "es": "Inglés"}, "es": {"en": "Spanish", "es": "Español"}}

_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="equitable {{ version }}">
<title>{{ t.title.en }} / {{ t.title.es }}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1000px;padding:1rem 1.5rem;color:#1a1a1a;line-height:1.5}
h1{font-size:1.7rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ddd;
padding:.3rem .5rem;text-align:left;vertical-align:top}td.num{text-align:right}
th{background:#f3f3f3}.note{color:#555;font-size:.9rem}
button#lang{float:right;padding:.4rem .8rem;font-size:1rem}
body.es [lang=en]{display:none}body:not(.es) [lang=es]{display:none}
blockquote{margin:.3rem 0;padding-left:.7rem;border-left:3px solid #1b9e77}
</style>
<script>{{ plotly_js | safe }}</script>
</head>
<body>
<button id="lang" type="button" onclick="switchLang()"><span lang="en">{{ t.switch.en }}</span><span lang="es">{{ t.switch.es }}</span></button>
{% for L in langs %}<div lang="{{ L }}">
<h1>{{ title[L] }}</h1>
<p class="note">{{ weighting[L] }}</p>
{% if who[L] %}<h2>{{ t.who[L] }}</h2><p class="note">{{ t.who_note[L] }}</p>
{% for chart in who[L] %}{{ chart | safe }}{% endfor %}{% endif %}
<h2>{{ t.results[L] }}</h2><p class="note">{{ t.results_note[L] }}</p>
{% for block in results[L] %}{{ block.chart | safe }}{% if block.suppressed %}<p class="note">{{ block.suppressed }}</p>{% endif %}{% endfor %}
<h2>{{ t.questions[L] }}</h2>
<table><thead><tr><th>{{ t.question[L] }}</th><th>{{ t.n[L] }}</th><th>{{ t.unweighted[L] }}</th>{% if has_weights %}<th>{{ t.weighted_col[L] }}</th>{% endif %}</tr></thead><tbody>
{% for r in items[L] %}<tr><td>{{ r.text }}</td><td class="num">{{ r.n }}</td><td class="num">{{ r.unw }}</td>{% if has_weights %}<td class="num">{{ r.w }}</td>{% endif %}</tr>
{% endfor %}</tbody></table>
{% if rates %}<h2>{{ t.rates[L] }}</h2>
<table><thead><tr><th>{{ t.group[L] }}</th><th>{{ t.enrolled[L] }}</th><th>{{ t.respondents[L] }}</th><th>{{ t.rate[L] }}</th></tr></thead><tbody>
{% for r in rates %}<tr><td>{{ t.all[L] if r.group == 'all' else r.group }}</td><td class="num">{{ r.enrolled }}</td><td class="num">{{ r.respondents }}</td><td class="num">{{ r.rate }}</td></tr>
{% endfor %}</tbody></table>{% endif %}
{% if themes[L] %}<h2>{{ t.themes[L] }}</h2><p class="note">{{ t.themes_note[L] }}</p>
<table><thead><tr><th>{{ t.terms[L] }}</th><th>{{ t.answers[L] }}</th><th>{{ t.quotes[L] }}</th></tr></thead><tbody>
{% for th in themes[L] %}<tr><td>{{ th.terms }}</td><td class="num">{{ th.answers }}</td><td>{% for q in th.quotes %}<blockquote>{{ q }}</blockquote>{% endfor %}</td></tr>
{% endfor %}</tbody></table>{% endif %}
<p class="note">{{ footer[L] }}</p>
</div>{% endfor %}
<script>
function switchLang(){document.body.classList.toggle('es');
document.documentElement.lang=document.body.classList.contains('es')?'es':'en';
window.dispatchEvent(new Event('resize'));}
if((navigator.language||'').slice(0,2)==='es'&&location.hash!=='#en'){switchLang();}
</script>
</body></html>
"""


def _fmt(v, digits: int = 1, suffix: str = "") -> str:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return f"{float(v):.{digits}f}{suffix}"


def _fig_html(fig: go.Figure, div_id: str) -> str:
    fig.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 50, "b": 60},
                      height=380, font={"size": 13})
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def build_report(
    instrument,
    estimates: pd.DataFrame,
    *,
    representation: pd.DataFrame | None = None,
    rates: pd.DataFrame | None = None,
    themes: Mapping[str, pd.DataFrame] | None = None,
    weighting: Mapping[str, object] | None = None,
    breakdowns: Sequence[str] = (),
    langs: Sequence[str] = ("en", "es"),
) -> str:
    """Return the report's HTML (a self-contained page, English and Spanish).

    Parameters
    ----------
    instrument : the :class:`~equitable.voice.Instrument` (wording of items and constructs).
    estimates : the privacy-checked table of :func:`~equitable.voice.estimate`.
    representation : :func:`~equitable.voice.representation` (who answered vs enrolled).
    rates : :func:`~equitable.voice.response_rates`.
    themes : language -> :func:`~equitable.voice.suggest_themes` table.
    weighting : :meth:`RakeResult.summary` plus ``variables`` (list of raking variables).
    breakdowns : which ``estimates`` breakdowns to chart (default: all but the overall).
    """
    has_weights = bool(estimates["weighted"].any())
    use_w = has_weights
    est = estimates[estimates["weighted"] == use_w]
    bds = list(breakdowns) or [b for b in est["breakdown"].unique() if b != "all"]
    out: dict[str, dict] = {k: {} for k in ("who", "results", "items", "themes", "weighting",
                                            "title", "footer")}
    for L in langs:
        out["title"][L] = instrument.instrument.title.get(L) or T["title"][L]
        out["footer"][L] = T["footer"][L].format(v=__version__)
        if weighting:
            out["weighting"][L] = T["weighting_text"][L].format(
                vars=", ".join(BREAKDOWN.get(v, {}).get(L, v)
                               for v in weighting.get("variables", [])),
                deff=_fmt(weighting.get("design_effect"), 2),
                neff=_fmt(weighting.get("effective_n"), 0), n=weighting.get("respondents"),
                trimmed=weighting.get("trimmed", 0))
        else:
            out["weighting"][L] = T["not_weighted"][L]
        # who answered vs enrolled
        charts = []
        if representation is not None and len(representation):
            for k, (var, g) in enumerate(representation.groupby("variable", sort=False)):
                fig = go.Figure()
                ok = g[(g["respondents"] != MARKER) & (g["category"] != "all")]
                cats = [_group_label(instrument, var, str(c), L) for c in ok["category"]]
                fig.add_bar(name=T["population"][L], x=cats, y=ok["population_pct"].astype(float))
                fig.add_bar(name=T["respondents"][L], x=cats,
                            y=ok["respondents_pct"].astype(float))
                if "weighted_pct" in ok.columns:
                    fig.add_bar(name=T["weighted"][L], x=cats, y=ok["weighted_pct"].astype(float))
                fig.update_layout(barmode="group", title=BREAKDOWN.get(var, {}).get(L, var),
                                  yaxis_title="%")
                charts.append(_fig_html(fig, f"who-{L}-{k}"))
                hidden = [_group_label(instrument, var, str(c), L)
                          for c in g.loc[g["respondents"] == MARKER, "category"]]
                if hidden:
                    charts.append(f'<p class="note">{T["suppressed"][L].format(groups=", ".join(hidden))}</p>')
        out["who"][L] = charts
        # results by group, one chart per breakdown: constructs x groups
        blocks = []
        cons = est[est["measure_type"] == "construct"]
        for k, b in enumerate(bds):
            sub = cons[cons["breakdown"] == b]
            if sub.empty:
                continue
            fig = go.Figure()
            hidden: set[str] = set()
            for cid in instrument.constructs:
                s = sub[sub["measure"] == cid]
                ok = s[s["pct_favorable"] != MARKER]
                hidden |= set(s.loc[s["pct_favorable"] == MARKER, "group"].astype(str))
                if ok.empty:
                    continue
                y = ok["pct_favorable"].astype(float).to_numpy()
                lo = ok["kg_low_pct"].astype(float).to_numpy()
                hi = ok["kg_high_pct"].astype(float).to_numpy()
                x = [LANG_NAMES.get(v, {}).get(L, v) if b == "language" else
                     _group_label(instrument, b, v, L) for v in ok["group"].astype(str)]
                fig.add_bar(name=instrument.construct_label(cid, L), x=x, y=y,
                            error_y={"type": "data", "symmetric": False, "array": hi - y,
                                         "arrayminus": y - lo})
            fig.update_layout(barmode="group", title=BREAKDOWN.get(b, {}).get(L, b),
                              yaxis={"title": T["pct_fav"][L], "range": [0, 100]})
            note = (T["suppressed"][L].format(groups=", ".join(
                _group_label(instrument, b, h, L) for h in sorted(hidden))) if hidden else "")
            blocks.append({"chart": _fig_html(fig, f"res-{L}-{k}"), "suppressed": note})
        out["results"][L] = blocks
        # item table (overall)
        rows = []
        allrows = estimates[(estimates["breakdown"] == "all")]
        for m in [*instrument.scored_items()]:
            u = allrows[(allrows["measure"] == m) & (allrows["measure_type"] == "item")
                        & (~allrows["weighted"])]
            w = allrows[(allrows["measure"] == m) & (allrows["measure_type"] == "item")
                        & (allrows["weighted"])]
            if u.empty:
                continue
            ur = u.iloc[0]
            rows.append({
                "text": instrument.text(m, L), "n": _fmt(ur["respondents"], 0),
                "unw": _ci(ur), "w": _ci(w.iloc[0]) if len(w) else "",
            })
        out["items"][L] = rows
        th = (themes or {}).get(L)
        out["themes"][L] = [] if th is None else [
            {"terms": r["terms"], "answers": r["answers"],
             "quotes": [r[c] for c in th.columns if c.startswith("quote_") and r[c]]}
            for _, r in th.iterrows()
        ]
    rate_rows = []
    if rates is not None:
        for _, r in rates.iterrows():
            rate_rows.append({"group": r["group"], "enrolled": _fmt(r["enrolled"], 0),
                              "respondents": _fmt(r["respondents"], 0),
                              "rate": _fmt(r["response_rate_pct"], 1, "%")})
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    html = env.from_string(_TEMPLATE).render(
        t=T, langs=list(langs), version=__version__, has_weights=has_weights, rates=rate_rows,
        plotly_js=get_plotlyjs(), **out,
    )
    return html


def _ci(r) -> str:
    if r["pct_favorable"] == MARKER:
        return MARKER
    return (f"{float(r['pct_favorable']):.1f}% ({float(r['kg_low_pct']):.1f}–"
            f"{float(r['kg_high_pct']):.1f})")


def _group_label(instrument, breakdown: str, value: str, lang: str) -> str:
    attr = instrument.attribute_map.get(breakdown)
    if attr is not None and attr.scale is not None:
        sc = instrument.scales[attr.scale]
        if value in sc.options:
            return instrument.label(attr.scale, value, lang)
    return value

