"""The school page's community health (issue 18) and staff and student supports (issue 17)
sections: figures read from the HPI file and the site plan in the test, a counselor ratio
computed by hand from the small staffing file of conftest.py, both languages, privacy."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd
import pytest
from tests.web.dashboard.conftest import SCHOOL_A, SCHOOL_B

QUARTER_EN = {1: "least healthy quarter", 2: "second least healthy quarter",
              3: "second healthiest quarter", 4: "healthiest quarter"}
QUARTER_ES = {1: "cuarta parte menos saludable", 2: "segunda cuarta parte menos saludable",
              3: "segunda cuarta parte más saludable", 4: "cuarta parte más saludable"}


def _text(html: str, start: str, end: str = 'id="similar"') -> str:
    i, j = html.index(start), html.index(end)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html[i:j])))


@pytest.fixture(scope="module")
def hpi(results) -> pd.DataFrame:
    h = pd.read_csv(results["data"] / "hpi.csv", dtype={"CensusTract": str})
    return h.set_index(h["CensusTract"].str.zfill(11))


def test_each_schools_hpi_percentile_and_quarter_as_in_the_hpi_file(client, results, hpi):
    s = results["schools"]
    seen = set()
    for _, row in s[s["geoid"].notna()].iterrows():
        tract = hpi.loc[row["geoid"]]
        if pd.isna(tract["quartiles"]):
            continue
        vem = 5 - int(tract["quartiles"])  # the file's quartile 4 (least healthy) is VEM 1
        if vem in seen:
            continue
        seen.add(vem)
        en = _text(client.get(f"/schools/{row['cds_code']}?lang=en").text, 'id="health"')
        assert f"is in the {QUARTER_EN[vem]} of California (Healthy Places Index)" in en
        assert f"Healthy Places Index percentile {tract['hpi2_pctile_pos']:.1f}" in en
        assert f"Vaccine Equity Metric quartile {vem} of 4" in en
        es = _text(client.get(f"/schools/{row['cds_code']}?lang=es").text, 'id="health"')
        assert f"está en la {QUARTER_ES[vem]} de California" in es
        assert f"Cuartil de la Métrica de Equidad de Vacunas {vem} de 4" in es
    assert seen == {1, 2, 3, 4}


def test_a_school_given_the_nearest_tract_says_so(client, results):
    s = results["schools"]
    row = s[s["placement"] == "nearest tract centroid"].iloc[0]
    en = _text(client.get(f"/schools/{row['cds_code']}?lang=en").text, 'id="health"')
    assert ("these are the figures of the nearest tract "
            f"({round(float(row['distance_m'])):,} metres away)") in en
    unplaced = s[s["geoid"].isna()].iloc[0]
    en = _text(client.get(f"/schools/{unplaced['cds_code']}?lang=en").text, 'id="health"')
    assert "could not be placed in a census tract, so its community health figures" in en


def test_the_nearest_planned_site_from_the_site_plan(client, results):
    plan = pd.read_csv(results["plan"] / "schools.csv", dtype={"school_id": str,
                                                             "nearest_site_id": str})
    names = pd.read_csv(results["plan"] / "sites.csv", dtype={"site_id": str}).set_index(
        "site_id")["name"]
    row = plan[plan["school_id"] == SCHOOL_A].iloc[0]
    en = _text(client.get(f"/schools/{SCHOOL_A}?lang=en").text, 'id="health"')
    reach = "within the plan's reach" if row["reached"] else "beyond the plan's reach"
    assert (f"Nearest planned health or vaccine site: {names[row['nearest_site_id']]}, about "
            f"{row['nearest_travel_km']:.1f} km by road ({reach}).") in en
    es = _text(client.get(f"/schools/{SCHOOL_A}?lang=es").text, 'id="health"')
    assert f"a unos {row['nearest_travel_km']:.1f} km por carretera" in es


def test_staffing_figures_computed_by_hand(client, results):
    s = results["schools"].set_index("cds_code")
    enrollment = int(s.loc[SCHOOL_A, "enrollment"])
    # filled counselor FTE at School 1: 1.0 + 0.5 (C3 is vacant); nurse 0.5
    per_counselor = round(enrollment / 1.5)
    per_nurse = round(enrollment / 0.5)
    en = _text(client.get(f"/schools/{SCHOOL_A}?lang=en").text, 'id="staff"')
    assert "counted on September 1, 2024" in en  # the latest date of the file
    assert "Positions 6 " in en and "Vacancies 2 " in en and "of which teachers: 1." in en
    # vacant FTE 2.0 of 5.0; vacancies 30 and 10 days open -> median 20
    assert "Vacancy rate 40.0%" in en and "Median days open 20 " in en
    assert f"Students per counselor {per_counselor:,} 1.5 250 " in en
    assert f"Students per nurse {per_nurse:,} 0.5 750 " in en
    assert "Students per psychologist no one on staff 0.0 500 " in en
    es = _text(client.get(f"/schools/{SCHOOL_A}?lang=es").text, 'id="staff"')
    assert f"Estudiantes por consejero {per_counselor:,} 1.5 250 " in es
    assert "contados el 1 de septiembre de 2024" in es
    b = _text(client.get(f"/schools/{SCHOOL_B}?lang=en").text, 'id="staff"')
    assert "Positions 1 " in b and "Vacancies 0 " in b


def test_a_suppressed_staffing_figure_is_never_shown(dashboard_data):
    """A figure the staffing report suppressed (the privacy marker in staffing_schools.csv)
    is shown as "not shown", never as a number."""
    from equitable.web.dashboard._routes import Fmt, _staffing_context

    marker = dashboard_data.marker
    saved = dashboard_data.staffing[SCHOOL_A]
    dashboard_data.staffing[SCHOOL_A] = {**saved, "students_per_counselor": marker,
                                         "vacancy_rate_pct": marker}
    try:
        ctx = _staffing_context(dashboard_data, SCHOOL_A, lambda m: m, Fmt("en"))
    finally:
        dashboard_data.staffing[SCHOOL_A] = saved
    assert ctx["vacancy_rate"] == "not shown (10 or fewer students or teachers)"
    assert ctx["supports"][0]["value"] == "not shown (10 or fewer students or teachers)"


def test_without_health_or_staffing_the_page_has_no_such_section(dashboard_data, client):
    saved = dashboard_data.health, dashboard_data.staffing
    dashboard_data.health, dashboard_data.staffing = {}, {}
    dashboard_data.cache.pop("pages", None)
    try:
        html = client.get(f"/schools/{SCHOOL_A}?lang=en").text
    finally:
        dashboard_data.health, dashboard_data.staffing = saved
        dashboard_data.cache.pop("pages", None)
    assert 'id="health"' not in html and 'id="staff"' not in html


def test_the_staffing_table_downloads_as_csv(client, results):
    import io

    enrollment = int(results["schools"].set_index("cds_code").loc[SCHOOL_A, "enrollment"])
    r = client.get(f"/schools/{SCHOOL_A}/staffing.csv?lang=en")
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    t = pd.read_csv(io.StringIO(r.content.decode("utf-8-sig"))).set_index("support")
    assert t.loc["Students per counselor", "students_per_professional"] == pytest.approx(
        enrollment / 1.5, abs=0.05)
    assert t.loc["Students per counselor", "fte"] == 1.5
    assert t.loc["Students per nurse", "recommended_max"] == 750
    es = client.get(f"/schools/{SCHOOL_A}/staffing.csv?lang=es").content.decode("utf-8-sig")
    assert es.splitlines()[0] == ("Apoyo,Estudiantes por profesional,Personal (equivalentes de "
                                  "tiempo completo),Máximo recomendado,Fuente")
