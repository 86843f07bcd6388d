"""Report helpers: translations in one place, offline HTML, the workbook."""

from __future__ import annotations

import html
import re
import string

import openpyxl
import pandas as pd
import pytest

from equitable.report import MESSAGES, ReportData, render_html, write_xlsx
from equitable.report._messages import money, number, percent, t, tier_label

TIERS = ["1 Highest", "2 High", "3 Moderate", "4 Low", "5 Lowest"]


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_message_exists_in_both_languages_with_the_same_placeholders():
    from babel.messages.pofile import read_po

    from equitable.i18n import catalogue_file

    with open(catalogue_file("es"), "rb") as fh:
        es = {m.context: m for m in read_po(fh) if m.context}
    for key, en in MESSAGES["en"].items():
        assert key in es and es[key].id == en and es[key].string and not es[key].fuzzy, key
        assert _fields(en) == _fields(t("es", key)), key


def test_spanish_labels_and_numbers():
    assert tier_label("es", "1 Highest") == "1 Más alta"
    assert tier_label("es", "5 Lowest") == "5 Más baja"
    assert tier_label("en", "3 Moderate") == "3 Moderate"
    assert money("en", 700_000_000) == "$700,000,000"
    assert money("es", 2970.96, 2) == "$2,970.96"  # es_US groups and decimals as en_US
    assert number("es", 366_433) == "366,433"
    assert percent("en", 0.2845) == "28.4%" or percent("en", 0.2845) == "28.5%"
    assert t("es", "subtitle", n_schools="3", n_students="10", budget="$1") == \
        "3 escuelas, 10 estudiantes, presupuesto $1"


def _data(students=(500, 400, 300, 200, 8)) -> ReportData:
    rows = []
    for i, tier in enumerate(TIERS):
        rows.append({"cds_code": f"1964733000000{i}", "school_name": f"School <{i}>",
                     "enrollment": students[i], "tier": tier, "rank": i + 1, "score": 90 - i,
                     "amount_cents": 100_00 * (5 - i), "allocation_dollars": f"{100 * (5 - i)}.00",
                     "per_pupil_dollars": round(100 * (5 - i) / students[i], 2),
                     "geoid": "06037199202", "placement": "tract polygon",
                     "neighbourhood": "Lincoln Heights", "latitude": 34.07 + i / 100,
                     "longitude": -118.2 - i / 100, "missing_indicators": "",
                     "frpm_pct": 90.0 - i, "frpm_pctl": 100.0 - 25 * i})
    schools = pd.DataFrame(rows)
    from equitable.privacy import suppress_table

    total = sum(students)
    tiers = suppress_table(pd.DataFrame({
        "tier": TIERS, "schools": [1] * 5, "students": list(students),
        "amount_cents": [100_00 * (5 - i) for i in range(5)],
        "rate_dollars": [1.0, 0.9, 0.8, 0.7, 0.6],
        "share_students": [s / total for s in students],
        "share_dollars": [(5 - i) / 15 for i in range(5)],
    }), "students", ["students"])
    return ReportData(
        title="Test run", schools=schools, tiers=tiers, tier_labels=TIERS, budget_cents=1500_00,
        indicators=[{"code": "frpm_pct", "label": "Student groups: % FRPM", "column": "frpm_pct",
                     "theme": "", "direction": "higher_is_more_need", "weight": 1.0}],
        themes=[], index_title="Test index", normalise_form="svi", aggregation="mean",
        missing_rule="reweight", tier_weights=dict(zip(TIERS, [1.5, 1.25, 1, 0.75, 0.5])),
        placement_counts={"tract polygon": 5, "nearest tract centroid": 0, "not placed": 0},
        n_flagged=0, inputs={"schools": ("schools.csv", "ab" * 32)},
        parameters=[("Budget (dollars)", 1500.0), ("Rule", "tier_rates"), ("Flag", True)],
        tract_shapes=[([-118.3, -118.1, -118.1, -118.3], [34.0, 34.0, 34.2, 34.0])],
        version="0.1.0",
    )


def test_html_is_self_contained_and_translated():
    en = render_html(_data(), "en")
    es = render_html(_data(), "es")
    for doc in (en, es):
        assert not re.search(r"<script[^>]+src=", doc)
        assert not re.search(r"<link[^>]+href=", doc)
        assert "School &lt;0&gt;" in doc  # names are escaped in the map's hover text
    assert '<html lang="es">' in es and "Métodos" in es and "Necesidad más alta" in es
    assert '<html lang="en">' in en and "Methods" in en
    assert 'href="report.es.html"' in en and 'href="report.html"' in es
    # a tier of 8 students (10 or fewer) is suppressed through equitable.privacy: "*"
    row5 = re.findall(r"<tr>\s*<td class=\"lead\"><span class=\"swatch\"[^>]*></span>Lowest need"
                      r"</td>(.*?)</tr>", en, re.DOTALL)[0]
    assert "<td class=\"num\" data-label=\"Students\">*</td>" in row5
    assert "$1,500" in en


def test_workbook_formats_and_suppressed_cell(tmp_path):
    p = write_xlsx(_data(), tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(p)
    s = wb["Summary"]
    assert s.cell(10, 1).value == "5 Lowest" and s.cell(10, 3).value == "*"
    assert s.cell(6, 7).value == pytest.approx(500.0)
    assert s.cell(11, 7).value == "=SUM(G6:G10)"
    # the suppressed tier is out of the students total: its cached value is the visible sum
    assert s.cell(11, 3).value == "=SUM(C6:C10)"
    cached = openpyxl.load_workbook(p, data_only=True)["Summary"]
    assert cached.cell(11, 3).value == 500 + 400 + 300 + 200  # what SUM gives, as Excel shows
    sch = wb["Schools"]
    assert sch.cell(1, 1).value == "Rank" and sch.cell(2, 3).value == "19647330000000"
    assert sch.cell(2, 7).value == pytest.approx(500.0)
    assert sch.cell(2, 7).number_format == "$#,##0.00"
    assert sch.auto_filter.ref is not None
    assert wb.sheetnames == ["Summary", "Schools", "Caveats"]
    # same data, same bytes
    q = write_xlsx(_data(), tmp_path / "b.xlsx")
    assert p.read_bytes() == q.read_bytes()


def test_spanish_report_uses_the_specs_spanish_labels():
    """Indicator, theme and tier labels and the index title come from the spec's ``label_es``,
    ``labels_es`` and ``title_es`` (regression: the Spanish report showed the English labels)."""
    from dataclasses import replace

    data = replace(
        _data(),
        indicators=[{"code": "frpm_pct", "label": "Student groups: % FRPM",
                     "label_es": "Grupos de estudiantes: % FRPM", "column": "frpm_pct",
                     "theme": "", "direction": "higher_is_more_need", "weight": 1.0}],
        index_title="Test index", index_title_es="Índice de prueba",
        tier_labels_es={"1 Highest": "1 Máxima necesidad"},
    )
    es = render_html(data, "es")
    en = render_html(data, "en")
    assert "Grupos de estudiantes: % FRPM" in es and "Student groups" not in es
    assert "Índice: Índice de prueba." in es and "Test index" not in es
    # tiers are shown as the dashboard's need levels in words, not the spec's tier labels
    assert "Necesidad más alta" in es and "Necesidad alta" in es
    assert "1 Máxima necesidad" not in es and "2 Alta" not in es
    assert "Student groups: % FRPM" in en and "Grupos" not in en
    assert "Index: Test index." in en


def test_seni_preset_is_fully_spanish():
    from equitable.index import explain, load_spec

    spec = load_spec("seni-style")
    assert all(ind.label_es for ind in spec.indicators)
    assert spec.overall.tiers.labels_es == ["1 Más alta", "2 Alta", "3 Moderada", "4 Baja",
                                            "5 Más baja"]
    text = explain(spec, lang="es")
    assert text.splitlines()[0] == "Índice de necesidad escolar al estilo SENI (pesos supuestos)"
    assert "Student groups" not in text and "Community:" not in text and "After LAUSD" not in text
    assert "'1 Más alta'" in text and "1 Highest" not in text
    assert "Student groups: % English learners" in explain(spec)


def test_report_lists_every_school_so_a_family_can_find_theirs():
    es = render_html(_data(), "es")
    rows = re.findall(r"<tbody>(.*?)</tbody>", es.split('id="school-table"')[1], re.DOTALL)[0]
    cells = re.findall(r"<tr>(.*?)</tr>", rows, re.DOTALL)
    assert len(cells) == 5
    # rank 1: School <0>, tier 1 in Spanish, 500 students, $500.00, $1.00 per pupil
    first = re.findall(r"<td[^>]*>(.*?)</td>", cells[0])
    assert first == ["1", "School &lt;0&gt;",
                     '<span class="swatch" style="background: #440154"></span>Necesidad más alta',
                     "500", "$500.00", "$1.00", "Lincoln Heights"]
    assert 'id="school-filter"' in es and "Buscar una escuela" in es


def test_tier_table_shows_score_ranges_cut_scores_and_an_empty_tier_in_both_languages():
    data = _data()
    data.tier_summary = {
        "method": "quantile", "basis": "score", "labels": TIERS, "counts": [2, 0, 1, 1, 1],
        "untied_counts": [1, 1, 1, 1, 1],
        "tiers": [{"tier": TIERS[0], "units": 2, "min_score": 88.5, "max_score": 90.0},
                  {"tier": TIERS[1], "units": 0, "min_score": None, "max_score": None},
                  *[{"tier": TIERS[i], "units": 1, "min_score": 90.0 - i, "max_score": 90.0 - i}
                    for i in (2, 3, 4)]],
        "cut_scores": [88.5, None, 87.0, 86.0], "warnings": ["..."]}
    en = render_html(data, "en")
    es = render_html(data, "es")
    assert "88.5000 – 90.0000" in en and "87.0000</td>" in en
    assert "Cut scores (the lowest score in each tier but the last): 88.5000, –, 87.0000, 86.0000." in en
    assert "Tied scores make the tiers unequal: 2, 0, 1, 1, 1 schools (without ties: 1, 1, 1, 1, 1)" in en
    assert "No school is in the group “High need”." in en
    assert "Ninguna escuela está en el grupo «Necesidad alta»." in es and "Puntuaciones de corte" in es


def test_remainder_tie_note_under_the_tier_table_in_both_languages():
    data = _data()
    data.remainder_ties = [{"schools": 3, "moved": 1, "rule": "id"}]
    assert ("Rounding to whole cents: 3 schools had exactly equal remainders; 1 of them got the "
            "extra cent by the tie-break rule 'id'") in html.unescape(render_html(data, "en"))
    assert "3 escuelas tenían restos exactamente iguales" in render_html(data, "es")
