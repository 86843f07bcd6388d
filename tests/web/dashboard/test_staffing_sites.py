"""The district staffing page (/staffing, issue 17.3) and the health sites page (/sites, issue
18.4): the figures are those of the run's published ``staffing_tiers.csv`` and of the site
plan's own files, read with pandas in the test; suppressed cells say "not shown"; the menu links
appear only when the run has the outputs; CSV downloads in the page's language."""

from __future__ import annotations

import io
import re
import shutil
from html import unescape

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from equitable.web import create_app, load_settings
from equitable.web.dashboard import load_results

NEED = {"1 Highest": "Highest need", "2 High": "High need", "3 Moderate": "Moderate need",
        "4 Low": "Low need", "5 Lowest": "Lowest need", "All": "All schools"}


def _rows(html: str, attr: str) -> dict[str, list[str]]:
    """Each table row with ``attr="key"``: its cells' text, by key (the first table only)."""
    out: dict[str, list[str]] = {}
    for key, body in re.findall(rf'<tr {attr}="([^"]*)">(.*?)</tr>', html, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)
        out.setdefault(key, [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", c))).strip()
                             for c in cells])
    return out


def _tables(html: str, attr: str) -> list[dict[str, list[str]]]:
    return [_rows(t, attr) for t in re.findall(r"<table.*?</table>", html, re.S)]


@pytest.fixture(scope="module")
def tiers(results) -> pd.DataFrame:
    return pd.read_csv(results["out"] / "staffing_tiers.csv").set_index("tier")


def _n(x: float, digits: int = 0, sep: str = ",") -> str:
    return f"{x:,.{digits}f}".replace(",", sep) if digits else f"{round(x):,}".replace(",", sep)


def test_staffing_page_shows_the_published_tier_table(client, tiers):
    html = client.get("/staffing?lang=en").text
    vac, ratios = _tables(html, "data-tier")[:2]
    assert list(vac) == list(NEED)  # highest need first, then the district
    for tier, row in tiers.iterrows():
        cells = vac[tier]
        assert cells[0].endswith(NEED[tier])
        assert cells[1] == _n(row["schools"]) and cells[2] == _n(row["enrollment"])
        assert cells[3] == _n(row["positions"]) and cells[4] == _n(row["vacancies"])
        assert cells[5] == ("—" if pd.isna(row["vacancy_rate_pct"])
                            else f"{row['vacancy_rate_pct']:.1f}%")
        assert cells[6] == ("—" if pd.isna(row["median_days_open"])
                            else _n(row["median_days_open"]))
        for k, cls in enumerate(("counselor", "social_worker", "psychologist", "nurse")):
            ratio, fte = row[f"students_per_{cls}"], row[f"{cls}_fte"]
            want = "no one on staff" if pd.isna(ratio) and fte == 0 else _n(ratio)
            assert ratios[tier][k + 1] == want, (tier, cls)
    # the hand-made export (conftest.STAFF_ROWS): 1.5 counselor FTE and 0.5 nurse FTE filled,
    # 2 of 7 positions vacant, median 20 days open (30 and 10)
    assert tiers.loc["All", "vacancies"] == 2 and vac["All"][4] == "2"
    assert vac["All"][6] == "20"
    assert ratios["All"][1] == _n(tiers.loc["All", "enrollment"] / 1.5)
    assert ratios["All"][4] == _n(tiers.loc["All", "enrollment"] / 0.5)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    for src in ("(ASCA): 250", "(SSWAA): 250", "(NASP): 500", "(NASN): 750"):
        assert src in text


def test_staffing_page_in_spanish_and_its_csv(client, tiers):
    html = client.get("/staffing?lang=es").text
    vac = _tables(html, "data-tier")[0]
    assert vac["All"][0] == "Todas las escuelas" and vac["1 Highest"][0].endswith(
        "Necesidad más alta")
    r = client.get("/staffing.csv?lang=es")
    assert r.content.startswith("\ufeff".encode())
    got = pd.read_csv(io.StringIO(r.content.decode("utf-8-sig")))
    assert list(got.columns[:8]) == ["Nivel", "Nivel de necesidad", "Escuelas", "Estudiantes",
                                     "Puestos", "Vacantes", "Tasa de vacantes (%)",
                                     "Mediana de días vacante"]
    got = got.set_index("Nivel")
    for tier, row in tiers.iterrows():
        assert got.loc[tier, "Vacantes"] == row["vacancies"]
        assert got.loc[tier, "Estudiantes por consejero"] == pytest.approx(
            row["students_per_counselor"], nan_ok=True)
    en = pd.read_csv(io.StringIO(client.get("/staffing.csv?lang=en").content
                                 .decode("utf-8-sig")))
    assert "students_per_nurse" in en.columns and en["need_level"].iloc[-1] == "All schools"


def test_sites_page_lists_the_plans_sites_coverage_and_deserts(client, results):
    plan = results["plan"]
    sites = pd.read_csv(plan / "sites.csv", dtype={"site_id": str})
    cov = pd.read_csv(plan / "coverage.csv", dtype={"group": str})
    deserts = pd.read_csv(plan / "deserts.csv", dtype={"school_id": str})
    html = client.get("/sites?lang=en").text
    t_sites = _tables(html, "data-site")[0]
    assert list(t_sites) == sites["site_id"].tolist()
    for _, s in sites.iterrows():
        cells = t_sites[s["site_id"]]
        assert cells[0] == s["name"]
        assert cells[1] == str(s["schools_served"]) and cells[2] == _n(s["students_served"])
    t_cov = _tables(html, "data-group")[1]
    q = cov[cov["group_type"].isin(["all", "vem_quartile"])]
    assert list(t_cov) == q["group"].tolist()
    for _, c in q.iterrows():
        cells = t_cov[c["group"]]
        assert cells[1:] == [_n(float(c["schools"])), _n(float(c["students"])),
                             _n(float(c["students_served"])),
                             f"{float(c['served_pct']):.1f}%", _n(float(c["schools_unserved"]))]
    assert "Quartile 1" in t_cov["1"][0]
    # the uncovered schools, each linked to its page
    for cds in deserts["school_id"]:
        assert f'href="/schools/{cds}"' in html
    assert f"{len(deserts)} schools no site reaches" in html
    # the map's points are the plan's sites
    cfg = re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html,
                    re.S).group(1)
    import json

    pts = json.loads(cfg)["points"]
    assert [(p["name"], p["lat"], p["lon"]) for p in pts] == list(zip(
        sites["name"], sites["latitude"].round(6), sites["longitude"].round(6)))
    es = client.get("/sites?lang=es").text
    assert "Cuartil 1" in _tables(es, "data-group")[1]["1"][0]
    r = client.get("/sites/coverage.csv?lang=es")
    got = pd.read_csv(io.StringIO(r.content.decode("utf-8-sig")), dtype={
        "Cuartil de la Métrica de Equidad de Vacunas": str})
    assert r.content.startswith("\ufeff".encode())
    assert got["Estudiantes atendidos"].tolist() == q["students_served"].tolist()


def test_menu_links_only_with_the_outputs(client, results, tmp_path):
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', client.get("/?lang=en").text, re.S)
    assert 'href="/staffing"' in nav.group(1) and 'href="/sites"' in nav.group(1)
    # a run without staffing or a site plan: no links, and the pages answer 404
    data = load_results(results["out"], data_folder=results["data"])
    data.staffing_tiers, data.site_plan = None, None
    app = create_app(load_settings(dev=True, database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    app.state.dashboard_data = data
    with TestClient(app) as c:
        nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', c.get("/?lang=en").text, re.S)
        assert "/staffing" not in nav.group(1) and "/sites" not in nav.group(1)
        assert c.get("/staffing").status_code == 404 and c.get("/sites").status_code == 404
    app.state.engine.dispose()


def test_suppressed_cells_say_not_shown(results, tmp_path):
    """A published figure that is the privacy marker is "not shown" on the page, never a number
    (the marker of a tier of 10 or fewer students, as equitable.privacy writes it)."""
    out = tmp_path / "out"
    shutil.copytree(results["out"], out)
    t = pd.read_csv(out / "staffing_tiers.csv", dtype=str)
    t.loc[t["tier"] == "2 High", "students_per_counselor"] = "*"
    t.to_csv(out / "staffing_tiers.csv", index=False)
    data = load_results(out, data_folder=results["data"])
    app = create_app(load_settings(dev=True, database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    app.state.dashboard_data = data
    with TestClient(app) as c:
        ratios = _tables(c.get("/staffing?lang=en").text, "data-tier")[1]
        assert ratios["2 High"][1] == "not shown"
        es = _tables(c.get("/staffing?lang=es").text, "data-tier")[1]
        assert es["2 High"][1] == "no se muestra"
    app.state.engine.dispose()


def test_a_site_plan_changed_after_the_run_is_left_out(results, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(results["data"], data_dir)
    cov = data_dir / "plan" / "coverage.csv"
    cov.write_text(cov.read_text().replace("33.94", "99.99"))
    data = load_results(results["out"], data_folder=data_dir)
    assert data.site_plan is None and "coverage.csv" in data.site_plan_problem


def test_run_writes_the_tier_table_beside_the_workbook(results):
    """staffing_tiers.csv has one row per tier of the Tiers sheet of staffing.xlsx."""
    import openpyxl

    csv = pd.read_csv(results["out"] / "staffing_tiers.csv")
    wb = openpyxl.load_workbook(results["out"] / "staffing.xlsx", read_only=True)
    rows = list(wb["Tiers"].iter_rows(values_only=True))
    assert len([r for r in rows if r and r[0] in set(csv["tier"])]) == len(csv)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "es"])
def test_sites_map_markers_are_keyboard_stops_in_chromium(chromium_browser, live_url, results,
                                                         lang):
    """Every site of the plan is a marker; Tab reaches one, Enter opens its name and the number
    of schools it serves (from the plan's sites.csv), Escape returns to it."""
    sites = pd.read_csv(results["plan"] / "sites.csv", dtype={"site_id": str}).set_index(
        "site_id")
    context = chromium_browser.new_context(viewport={"width": 390, "height": 844})
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    try:
        p.goto(f"{live_url}/sites?lang={lang}")
        p.wait_for_selector("#school-map[data-ready='1']")
        p.wait_for_selector("#school-map[data-hoods]")
        assert errors == []
        assert p.locator(".school-dot").count() == len(sites)
        assert p.get_attribute("#school-map", "data-hoods") == "4"  # the /map outlines
        p.locator("body").focus()
        for _ in range(40):
            p.keyboard.press("Tab")
            if p.evaluate("document.activeElement.classList.contains('school-dot')"):
                break
        else:
            pytest.fail("no site marker can be reached with Tab")
        sid = p.evaluate("document.activeElement.getAttribute('data-cds')")
        site = sites.loc[sid]
        label = p.evaluate("document.activeElement.getAttribute('aria-label')")
        served = {"en": f"{site['schools_served']} schools served",
                  "es": f"{site['schools_served']} escuelas atendidas"}[lang]
        assert label.startswith(f"{site['name']}, {served}, ")
        p.keyboard.press("Enter")
        popup = p.wait_for_selector(".leaflet-popup .school-popup")
        assert popup.query_selector(".popup-name").inner_text() == site["name"]
        assert [e.inner_text() for e in popup.query_selector_all("dd")][0] == served
        p.keyboard.press("Escape")
        p.wait_for_selector(".leaflet-popup", state="detached")
        assert p.evaluate("document.activeElement.getAttribute('data-cds')") == sid
    finally:
        context.close()


def test_the_runs_tier_table_hides_ratios_of_a_tier_of_10_or_fewer_students():
    """CDE's rule, as for a school: 10 students -> the marker; 11 -> 11 / 0.5 FTE = 22.0."""
    from types import SimpleNamespace

    from equitable.pipeline._staffing import public_tiers
    from equitable.staffing._html import _num

    t = pd.DataFrame({"tier": ["1 Highest", "2 High"], "enrollment": [10.0, 11.0],
                      "vacancies": [1, 2], "students_per_counselor": [20.0, 22.0],
                      "students_per_nurse": [float("nan"), 22.0]})
    out = public_tiers(t, SimpleNamespace(threshold=10, marker="#"))
    assert out["students_per_counselor"].tolist() == ["#", 22.0]
    assert out["students_per_nurse"].tolist() == ["#", 22.0]
    assert out["vacancies"].tolist() == [1, 2]  # counts of positions pass unchanged
    assert _num("#") == "#"  # the bilingual staffing.html shows the marker as written
