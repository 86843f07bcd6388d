"""The bilingual staffing page (``staffing.html`` / ``staffing.es.html``): vacancies and
support ratios by need tier, and the educator equity gaps; offline, no script, no CDN."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from equitable.staffing._layout import RATIOS
from equitable.staffing._report import SUPPORT_CLASSES

__all__ = ["write_staffing_html"]

_ENV = Environment(loader=PackageLoader("equitable.staffing", "templates"),
                   autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)

TEXT = {
    "en": {
        "title": "Staff and student supports where need is greatest",
        "as_of": "Vacancies counted on", "year_start": "Fill rate counted from",
        "supports": "Vacancies and student supports by need tier",
        "by_tier": "By need tier (highest need first)", "tier": "Tier", "schools": "Schools",
        "vacancies": "Vacancies", "teacher_vacancy_rate": "Teacher vacancy rate",
        "median_days": "Median days open", "long_open": "Open over 60 days",
        "fill_rate": "Filled this year",
        "per_counselor": "Students per counselor",
        "per_social_worker": "Students per social worker",
        "per_psychologist": "Students per psychologist", "per_nurse": "Students per nurse",
        "ratio_sources": "Recommended ratios: ASCA 250 students per school counselor; SSWAA 250 "
                         "per school social worker; NASP 500 per school psychologist; NASN one "
                         "nurse per 750 students in general populations.",
        "equity": "Educator equity gaps",
        "equity_caption": "Share of teacher FTE, highest minus lowest quartile of schools",
        "definitions": "Ineffective, out-of-field and inexperienced as defined by the California "
                       "State Board of Education on 6 November 2019; interns count as "
                       "effective. Quartiles of schools by percent of students eligible for "
                       "free or reduced-price meals (poverty) and percent minority students, "
                       "within each school level.",
        "notes": "Notes",
        "privacy": "* = a figure about 10 or fewer teachers or students, not shown.",
        "all": "All schools",
    },
    "es": {
        "title": "Personal y apoyos estudiantiles donde la necesidad es mayor",
        "as_of": "Vacantes contadas el", "year_start": "Tasa de cobertura contada desde",
        "supports": "Vacantes y apoyos estudiantiles por nivel de necesidad",
        "by_tier": "Por nivel de necesidad (mayor necesidad primero)", "tier": "Nivel",
        "schools": "Escuelas", "vacancies": "Vacantes",
        "teacher_vacancy_rate": "Tasa de vacantes docentes",
        "median_days": "Mediana de días abierta", "long_open": "Abiertas más de 60 días",
        "fill_rate": "Cubiertas este año",
        "per_counselor": "Estudiantes por consejero",
        "per_social_worker": "Estudiantes por trabajador social",
        "per_psychologist": "Estudiantes por psicólogo",
        "per_nurse": "Estudiantes por enfermero",
        "ratio_sources": "Proporciones recomendadas: ASCA 250 estudiantes por consejero "
                         "escolar; SSWAA 250 por trabajador social escolar; NASP 500 por "
                         "psicólogo escolar; NASN un enfermero por 750 estudiantes en "
                         "poblaciones generales.",
        "equity": "Brechas de equidad docente",
        "equity_caption": "Porcentaje del FTE docente, cuartil más alto menos el más bajo",
        "definitions": "Docentes ineficaces, fuera de su área y sin experiencia según las "
                       "definiciones de la Junta Estatal de Educación de California del 6 de "
                       "noviembre de 2019; los docentes internos cuentan como eficaces. "
                       "Cuartiles de escuelas por porcentaje de estudiantes con derecho a "
                       "comidas gratuitas o a precio reducido (pobreza) y por porcentaje de "
                       "estudiantes de minorías, dentro de cada nivel escolar.",
        "notes": "Notas",
        "privacy": "* = una cifra sobre 10 o menos docentes o estudiantes, no se muestra.",
        "all": "Todas las escuelas",
    },
}


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
    t = TEXT[lang]
    labels = tier_labels_es if lang == "es" and tier_labels_es else {}

    def tier_label(x: str) -> str:
        return t["all"] if x == "All" else labels.get(x, x)

    if equity is not None and lang == "es":
        equity = equity.rename(columns=ES_EQUITY)
        for c in equity.columns[:2]:
            equity[c] = equity[c].map(lambda v: ES_EQUITY.get(v, v))
        for c in [c for c in equity.columns if c.endswith("n de N")]:
            equity[c] = equity[c].map(lambda v: str(v).replace(" of ", " de "))
    html = _ENV.get_template("staffing.html.j2").render(
        lang=lang, t=t, as_of=str(as_of), year_start=str(year_start),
        tiers=tiers.to_dict(orient="records"), classes=SUPPORT_CLASSES,
        ratios={c: RATIOS[c][0] for c in SUPPORT_CLASSES},
        equity=None if equity is None or equity.empty else equity.to_dict(orient="records"),
        equity_columns=[] if equity is None else [str(c) for c in equity.columns],
        notes=notes, tier_label=tier_label, num=_num, pct=_pct, cell=_cell)
    p = Path(path)
    p.write_text(html, encoding="utf-8")
    return p
