"""The shared writer of equitable's HTML pages: one base template, one stylesheet, one way to
format a table cell and to embed a chart.

Every page (the run report, the survey report, the scenario comparison) extends
``templates/base.html.j2``: doctype, ``<html lang>``, viewport, the stylesheet
(``_style.css.j2``), a skip link, a header with the title and a link to the page in the other
language, the page's content, its sources and caveats, and a footer naming the version of
equitable. Tables come from the ``table`` macro of ``_macros.html.j2`` (numbers right-aligned,
money through :mod:`equitable.money`, suppressed cells shown as the privacy mark
:data:`equitable.privacy.MARKER`; at 390 px wide each row becomes a card). Charts are plotly
figures with plotly.js inlined once in the head: a page loads nothing from the network.

Autoescape is on for every template: text from data files (school names, survey answers) is
escaped; only the plotly markup made here is marked safe.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from equitable import __version__
from equitable._atomic import write_file
from equitable.money import locale_of
from equitable.privacy import MARKER
from equitable.report._messages import money, number, percent, t

__all__ = ["CELL_KINDS", "column", "figure_html", "format_cell", "other_language_name",
           "render_page", "write_page"]

ENV = Environment(
    loader=PackageLoader("equitable.report", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

#: plotly's options for every chart: no plotly logo, no toolbar (it would cover a legend on a
#: phone), resized with the page.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}

#: How :func:`format_cell` writes a value of each kind of column.
CELL_KINDS = ("text", "int", "num", "money", "money0", "pct", "pct100")


def format_cell(lang: str, value: object, kind: str = "text") -> str:
    """One table cell as text in ``lang``.

    Parameters
    ----------
    lang : ``"en"`` or ``"es"`` (Babel's ``en_US`` / ``es_US``).
    value : a number, a string, ``None`` or NaN (an empty cell), or the privacy mark ``"*"``
        (a suppressed cell, shown as it is).
    kind : ``"text"`` (strings as they are; a number with up to 4 decimals), ``"int"`` (a count,
        grouped: ``1,234``), ``"num"`` (up to 4 decimals), ``"money"`` (dollars with cents:
        ``$1,234.50``, ``-$150.00``; :func:`equitable.money.format_money`), ``"money0"`` (whole
        dollars), ``"pct"`` (a fraction as a percent with one decimal: 0.25 -> ``25.0%``),
        ``"pct100"`` (a percent already on 0-100, one decimal).

    Raises
    ------
    ValueError
        ``kind`` is not one of :data:`CELL_KINDS`.
    """
    if kind not in CELL_KINDS:
        raise ValueError(f"cell kind {kind!r}: expected one of {', '.join(CELL_KINDS)}")
    if value is None:
        return ""
    if isinstance(value, str):
        return value  # text, or the privacy mark of a suppressed cell
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return ""
    if kind == "money":
        return money(lang, x, 2)
    if kind == "money0":
        return money(lang, x, 0)
    if kind == "int":
        return number(lang, x, 0)
    if kind == "pct":
        return percent(lang, x, 1)
    if kind == "pct100":
        return percent(lang, x / 100.0, 1)
    from babel.numbers import format_decimal

    return format_decimal(x, format="#,##0.####", locale=locale_of(lang))


def column(label: str, kind: str = "text", *, num: bool | None = None) -> dict[str, object]:
    """A column of the ``table`` macro: its header, the kind of its cells (:func:`format_cell`)
    and whether they are right-aligned (``num``; default: every kind but ``"text"``, e.g. a
    column of numbers already formatted as text passes ``num=True``)."""
    if kind not in CELL_KINDS:
        raise ValueError(f"cell kind {kind!r}: expected one of {', '.join(CELL_KINDS)}")
    return {"label": label, "kind": kind, "num": kind != "text" if num is None else num}


def figure_html(fig: Any, div_id: str) -> str:
    """A plotly figure as a ``<div>`` for a page (plotly.js is in the page's head, once)."""
    return str(fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                           config=PLOTLY_CONFIG))


def other_language_name(lang: str) -> str:
    """The language a page's switch link leads to (``"es"`` from English, else ``"en"``)."""
    return "es" if lang == "en" else "en"


def render_page(template: str, lang: str, **context: Any) -> str:
    """Render a page template (one extending ``base.html.j2``) in ``lang``.

    Parameters
    ----------
    template : the template's name in ``equitable/report/templates`` (``"compare.html.j2"``).
    lang : ``"en"`` or ``"es"``; ``<html lang>``, the messages (:func:`t`) and the number
        formats follow it.
    context : the template's variables. The base reads ``title``, ``other_href`` (the page in
        the other language, when there is one), ``plotly_js`` (``True``: plotly.js inlined in
        the head; a string: that script), ``caveats`` (sentences), ``sources`` (dicts with
        ``label``, ``file`` and optionally ``sha256``) and ``footer_text``; ``version``
        defaults to this equitable's.

    Returns
    -------
    str : the whole document. Every value is escaped (autoescape); ``t``, ``cell`` (a bound
    :func:`format_cell`) and ``MARKER`` are given to the template.
    """
    try:
        locale_of(lang)
    except KeyError:
        raise ValueError(f"language {lang!r}: not a language CLDR knows") from None
    ctx: dict[str, Any] = {"version": __version__, "other_href": None, "caveats": [],
                           "sources": [], "footer_text": None}
    ctx.update(context)
    if ctx.get("plotly_js") is True:
        from plotly.offline import get_plotlyjs

        ctx["plotly_js"] = get_plotlyjs()
    tr: Callable[..., str] = lambda key, **kw: t(lang, key, **kw)  # noqa: E731
    ctx.update(lang=lang, t=tr, MARKER=MARKER,
               cell=lambda value, kind="text": format_cell(lang, value, kind))
    return ENV.get_template(template).render(**ctx)


def write_page(path: str | Path, template: str, lang: str, **context: Any) -> Path:
    """Render :func:`render_page` and write it to ``path`` (UTF-8) whole or not at all
    (:func:`equitable._atomic.write_file`). Returns the path."""
    return write_file(path, render_page(template, lang, **context))
