"""The bilingual staffing page (``staffing.html`` / ``staffing.es.html``): vacancies and
support ratios by need tier, and the educator equity gaps; offline, no CDN.

Written by the reports' shared page writer (:mod:`equitable.report._page`, template
``staffing.html.j2``), its words in :mod:`equitable.report._messages` (keys ``staff_*``)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from equitable.staffing._layout import RATIOS
from equitable.staffing._report import SUPPORT_CLASSES

__all__ = ["write_staffing_html"]

#: Spanish headers and labels of the Educator Equity table (equitable.staffing._io.equity_table).
ES_EQUITY = {
    "School level": "Nivel escolar", "Teacher measure": "Medida docente",
    "Highest poverty quartile %": "Cuartil de mayor pobreza %",
    "Highest poverty quartile n of N": "Cuartil de mayor pobreza, n de N",
    "Lowest poverty quartile %": "Cuartil de menor pobreza %",
    "Lowest poverty quartile n of N": "Cuartil de menor pobreza, n de N",
    "Difference, poverty (percentage points)": "Diferencia, pobreza (puntos porcentuales)",
    "Highest minority quartile %": "Cuartil de más estudiantes de minorías %",
    "Highest minority quartile n of N": "Cuartil de más estudiantes de minorías, n de N",
    "Lowest minority quartile %": "Cuartil de menos estudiantes de minorías %",
    "Lowest minority quartile n of N": "Cuartil de menos estudiantes de minorías, n de N",
    "Difference, minority (percentage points)": "Diferencia, minorías (puntos porcentuales)",
    "Elementary": "Primaria", "Middle": "Secundaria", "High": "Preparatoria",
    "Other spans": "Otros niveles", "Ineffective": "Ineficaces",
    "Out-of-field": "Fuera de su área", "Inexperienced": "Sin experiencia",
}


def _num(v) -> str:
    if isinstance(v, str):  # the privacy marker, whatever equitable.privacy is set to write
        return v
    if v is None or v == "*" or (isinstance(v, float) and math.isnan(v)):
        return "*" if v == "*" else "—"
    return f"{float(v):,.0f}"


def _pct(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return "*" if v == "*" else f"{float(v):.1f}%"


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def write_staffing_html(path: str | Path, tiers: pd.DataFrame, equity: pd.DataFrame | None,
                        *, as_of, year_start, notes: list[str], lang: str = "en",
                        tier_labels_es: dict[str, str] | None = None) -> Path:
    """Write the staffing page in ``lang`` (``en`` or ``es``); same inputs, same bytes."""
    from equitable.report._messages import t
    from equitable.report._page import write_page

    labels = tier_labels_es if lang == "es" and tier_labels_es else {}

    def tier_label(x: str) -> str:
        return t(lang, "staff_all") if x == "All" else labels.get(x, x)

    if equity is not None and lang == "es":
        equity = equity.rename(columns=ES_EQUITY)
        for c in equity.columns[:2]:
            equity[c] = equity[c].map(lambda v: ES_EQUITY.get(v, v))
        for c in [c for c in equity.columns if c.endswith("n de N")]:
            equity[c] = equity[c].map(lambda v: str(v).replace(" of ", " de "))
    names = {"en": "staffing.html", "es": "staffing.es.html"}
    p = Path(path)
    other = names["es" if lang == "en" else "en"] if p.name in names.values() else None
    return write_page(
        p, "staffing.html.j2", lang, title=t(lang, "staff_title"), other_href=other,
        as_of=str(as_of), year_start=str(year_start),
        tiers=tiers.to_dict(orient="records"), classes=SUPPORT_CLASSES,
        ratios={c: RATIOS[c][0] for c in SUPPORT_CLASSES},
        equity=None if equity is None or equity.empty else equity.to_dict(orient="records"),
        equity_columns=[] if equity is None else [str(c) for c in equity.columns],
        notes=notes, tier_label=tier_label, num=_num, pct=_pct, ecell=_cell)
