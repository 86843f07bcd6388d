"""The map (issue 16, item 3): Leaflet served by the app, neighbourhood outlines and names from the
run's Mapping L.A. input (simplified, checked against run.json's SHA-256), every ranked school as a
keyboard-focusable dot with a popup, zoom to a neighbourhood or ZIP code, and the list alternative.

Browser tests drive Debian's chromium (Playwright) at 390x844 and 1366x900 in English and Spanish;
screenshots of the map go to out/screenshots/ (not committed)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from equitable.web.dashboard import _map, load_results
from equitable.web.dashboard._present import tier_colour

from .test_browser import AXE_TAGS, OVERFLOW_JS, SCREENSHOTS

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "src" / "equitable" / "web" / "dashboard" / "static"


def _per_pupil(row) -> str:
    """Dollars per pupil from the run's own amount in cents and enrollment, by hand."""
    return f"${row.amount_cents / 100 / row.enrollment:,.2f}"


# --- without a browser ------------------------------------------------------------------------

def test_leaflet_is_the_npm_package_served_by_the_app(client):
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/leaflet"]["version"] == "1.9.4"
    js = (STATIC / "leaflet" / "leaflet.js").read_bytes()
    assert b'version="1.9.4"' in js
    assert "BSD 2-Clause" in (STATIC / "leaflet" / "LICENSE").read_text() or \
        "Redistribution and use" in (STATIC / "leaflet" / "LICENSE").read_text()
    npm = ROOT / "node_modules" / "leaflet" / "dist" / "leaflet.js"
    if npm.is_file():  # the committed copy is the npm package's file, byte for byte
        assert npm.read_bytes() == js
    r = client.get("/static/dashboard/leaflet/leaflet.js")
    assert r.status_code == 200 and r.content == js
    assert client.get("/static/dashboard/leaflet/leaflet.css").status_code == 200
    assert client.get("/static/dashboard/map.js").status_code == 200
    page = client.get("/map").text
    # nothing from another site: every script and stylesheet is the app's own
    for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page):
        assert src.startswith("/"), src


def test_neighbourhood_outlines_are_the_runs_file_simplified_and_deterministic(client, results):
    r = client.get("/map/neighbourhoods.geojson")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    gj = json.loads(r.content)
    # the synthetic file: four quadrants "Hood 1".."Hood 4"; label points un-swapped
    assert [f["properties"]["name"] for f in gj["features"]] == [f"Hood {i}" for i in (1, 2, 3, 4)]
    raw = json.loads((results["data"] / "neighbourhoods.geojson").read_text())
    first = raw["features"][0]
    ring = first["geometry"]["coordinates"][0][0]
    props = gj["features"][0]["properties"]
    # the file's "latitude" holds the longitude (Mapping L.A.'s swap): the label point is right
    assert props["lon"] == round(float(first["properties"]["latitude"]), 5)
    assert props["lat"] == round(float(first["properties"]["longitude"]), 5)
    geom = gj["features"][0]["geometry"]
    got = geom["coordinates"][0] if geom["type"] == "Polygon" else geom["coordinates"][0][0]
    # a square stays a square (nothing to simplify), rounded to 5 decimals
    assert sorted(set(map(tuple, got))) == sorted({(round(x, 5), round(y, 5)) for x, y in ring})
    # same input, same bytes
    again = load_results(results["out"], data_folder=results["data"])
    text, options = _map.neighbourhood_layer(again.neighbourhoods)
    assert text.encode("utf-8") == r.content
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    assert options[0] == {"name": "Hood 1", "bounds": (round(min(xs), 5), round(min(ys), 5),
                                                       round(max(xs), 5), round(max(ys), 5))}


def test_a_changed_neighbourhood_file_is_left_off_and_said(results, tmp_path, caplog):
    data = tmp_path / "data"
    shutil.copytree(results["data"], data)
    hood = data / "neighbourhoods.geojson"
    hood.write_text(hood.read_text().replace("Hood 1", "Hood X"))
    with caplog.at_level("WARNING"):
        loaded = load_results(results["out"], data_folder=data)
    assert loaded.neighbourhoods is None
    assert "neighbourhoods.geojson: does not match run.json (SHA-256 differs)" in \
        loaded.neighbourhoods_problem
    assert "SHA-256 differs" in caplog.text


def test_the_map_page_carries_every_placed_school_with_its_dollars(client, results):
    s = results["schools"]
    page = client.get("/map?lang=en").text
    cfg = json.loads(re.search(r'<script type="application/json" id="map-config">(.*?)</script>',
                               page, re.DOTALL).group(1))
    placed = s[s["latitude"].notna()]
    assert [p["cds"] for p in cfg["points"]] == list(placed["cds_code"])  # rank order
    for p, row in zip(cfg["points"], placed.itertuples()):
        assert p["name"] == row.school_name
        assert p["per_pupil"] == _per_pupil(row)
    # zoom lists: the four neighbourhoods and every ZIP code of the placed schools
    assert re.findall(r'<option value="[-0-9.,]+">(Hood \d)</option>', page) == \
        ["Hood 1", "Hood 2", "Hood 3", "Hood 4"]
    # the list alternative: every ranked school, linked, with its dollars per pupil
    table = page.split('id="map-list"')[1]
    links = re.findall(r'<a href="/schools/(\d{14})">', table)
    assert links == list(s["cds_code"])
    assert _per_pupil(next(s.itertuples())) in table


# --- in chromium ------------------------------------------------------------------------------

def tiers_of(results) -> list[str]:
    """The tier labels, highest need first (schools.csv is in rank order)."""
    return list(dict.fromkeys(results["schools"]["tier"]))


def _wait_bounds_change(p, before: str) -> str:
    """The map's frame once it differs from ``before`` (polled: the CSP forbids eval)."""
    for _ in range(100):
        now = p.get_attribute("#school-map", "data-bounds")
        if now != before:
            return now
        p.wait_for_timeout(50)
    pytest.fail("the map's frame did not change")


def _open_map(p, url: str) -> None:
    p.goto(url)
    p.wait_for_selector("#school-map[data-ready='1']")
    p.wait_for_selector("#school-map[data-hoods]")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)])
def test_map_in_chromium(chromium_browser, live_url, results, axe_source, lang, width, height):
    s = results["schools"].set_index("cds_code", drop=False)
    n_placed = int(s["latitude"].notna().sum())
    context = chromium_browser.new_context(viewport={"width": width, "height": height},
                                           device_scale_factor=1, bypass_csp=False)
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        _open_map(p, f"{live_url}/map?lang={lang}")
        assert errors == []  # the app's CSP lets Leaflet and map.js run
        assert p.locator(".school-dot").count() == n_placed
        # every dot is drawn, in its need level's colour
        fills = p.eval_on_selector_all(".school-dot circle", "cs => cs.map(c => c.getAttribute('fill'))")
        placed = s[s["latitude"].notna()]
        assert fills == [tier_colour(tiers_of(results), t) for t in placed["tier"]]
        assert p.get_attribute("#school-map", "data-hoods") == "4"
        assert p.locator("path.leaflet-interactive, .leaflet-overlay-pane path").count() == 4
        # the list alternative lists every ranked school
        assert p.locator("#map-list tbody tr").count() == len(s)
        got = p.evaluate(OVERFLOW_JS)
        assert got["bad"] == [] and got["scroll"] <= got["vw"], got
        p.screenshot(path=str(SCREENSHOTS / f"{width}-{lang}-map.png"), full_page=True)

        # Tab reaches a school dot; Enter opens its popup with its name and dollars
        p.locator("body").focus()
        for _ in range(60):
            p.keyboard.press("Tab")
            if p.evaluate("document.activeElement.classList.contains('school-dot')"):
                break
        else:
            pytest.fail("no school dot can be reached with Tab")
        cds = p.evaluate("document.activeElement.getAttribute('data-cds')")
        assert p.evaluate("document.activeElement.getAttribute('role')") == "button"
        row = s.loc[cds]
        p.keyboard.press("Enter")
        popup = p.wait_for_selector(".leaflet-popup .school-popup")
        assert popup.query_selector(".popup-name").inner_text() == row.school_name
        dd = [e.inner_text() for e in popup.query_selector_all("dd")]
        assert dd[1] == _per_pupil(row)
        level = {"en": "Highest need", "es": "Necesidad más alta"}[lang]
        tiers = list(dict.fromkeys(results["schools"]["tier"]))
        if row.tier == tiers[0]:
            assert dd[0] == level
        assert re.fullmatch(r"(Necesidad|Highest|High|Moderate|Low|Lowest).*", dd[0])
        # focus moved into the popup, onto the link to the school's page
        assert p.evaluate("document.activeElement.getAttribute('href')") == f"/schools/{cds}"
        p.screenshot(path=str(SCREENSHOTS / f"{width}-{lang}-map-popup.png"))
        p.keyboard.press("Escape")
        p.wait_for_selector(".leaflet-popup", state="detached")
        assert p.evaluate("document.activeElement.getAttribute('data-cds')") == cds

        # zoom to a neighbourhood: the frame changes to the neighbourhood's
        before = p.get_attribute("#school-map", "data-bounds")
        value = p.locator("#zoom-hood option", has_text="Hood 4").get_attribute("value")
        p.select_option("#zoom-hood", label="Hood 4")
        w, so, e, n = map(float, _wait_bounds_change(p, before).split(","))
        hw, hs, he, hn = map(float, value.split(","))
        assert w <= hw and so <= hs and e >= he and n >= hn  # the neighbourhood is in view
        assert (e - w) < (float(before.split(",")[2]) - float(before.split(",")[0]))  # zoomed in
        # a ZIP code zooms too
        if p.locator("#zoom-zip").count():
            before = p.get_attribute("#school-map", "data-bounds")
            p.select_option("#zoom-zip", index=1)
            _wait_bounds_change(p, before)
    finally:
        context.close()
    # axe-core: 0 violations, with a popup open too (axe is injected, so without the CSP)
    context = chromium_browser.new_context(viewport={"width": width, "height": height},
                                           device_scale_factor=1, bypass_csp=True)
    p = context.new_page()
    try:
        _open_map(p, f"{live_url}/map?lang={lang}")
        p.locator(".school-dot").first.click()
        p.wait_for_selector(".leaflet-popup")
        # Leaflet fades a popup in (opacity 0 -> 1): axe measures contrast on what is painted, so
        # it runs once the popup is fully shown (a half-faded popup failed color-contrast once)
        p.wait_for_function(
            "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
        p.add_script_tag(path=axe_source)
        result = p.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                            AXE_TAGS)
        assert [(v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"]] == []
        assert result["passes"]
    finally:
        context.close()


def test_one_tier_colour_scale_for_the_dashboard_and_the_offline_report(client, results):
    """The legend of /map, the finder's swatches and report.html / report.es.html use the same
    hex value for each tier: viridis, dark = highest need."""
    from equitable.report import TIER_COLOURS

    assert TIER_COLOURS == ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
    page = client.get("/map").text
    legend = page.split('class="legend"')[1].split("</ul>")[0]
    dashboard = re.findall(r'fill="(#[0-9a-f]{6})"[^>]*/></svg> ([^(]+) \(', legend)
    for name in ("report.html", "report.es.html"):
        html = (results["out"] / name).read_text(encoding="utf-8")
        tier_table = html.split('id="tier-table"')[1].split("</tbody>")[0]
        report = re.findall(r'<span class="swatch" style="background: (#[0-9a-f]{6})"></span>'
                            r"([^<]+)</td>", tier_table)
        assert [c for c, _ in report] == [c for c, _ in dashboard] == TIER_COLOURS
        if name == "report.html":  # the same need levels in words, in the same order
            assert [n for _, n in report] == [n.strip() for _, n in dashboard]
        # the map and the histogram of the report draw the tiers in the same colours
        for colour in TIER_COLOURS:
            assert f'"color":"{colour}"' in html.replace(" ", "")


def test_three_tiers_get_the_same_colours_in_both():
    from equitable.report._html import _colour
    from equitable.web.dashboard._present import tier_colour

    tiers = ["1 High", "2 Middle", "3 Low"]
    assert [tier_colour(tiers, t) for t in tiers] == [_colour(i, 3) for i in range(3)] == \
        ["#440154", "#21918c", "#fde725"]


@pytest.fixture(scope="module")
def lausd_hoods(data_dir):
    from equitable.data import read_neighbourhoods

    return read_neighbourhoods(data_dir / "community" / "la_times_neighborhoods_la_county.geojson")


def test_all_of_la_county_real_file(lausd_hoods, data_dir):
    text, options = _map.neighbourhood_layer(lausd_hoods)
    gj = json.loads(text)
    # data/README.md: 272 Mapping L.A. neighbourhoods, the whole county
    assert len(gj["features"]) == len(options) == 272
    names = [o["name"] for o in options]
    assert names == sorted(names) and "Boyle Heights" in names and "Acton" in names
    size = (data_dir / "community" / "la_times_neighborhoods_la_county.geojson").stat().st_size
    assert len(text.encode()) < size / 2  # simplified
    again, _ = _map.neighbourhood_layer(lausd_hoods)
    assert again == text
    boyle = next(o for o in options if o["name"] == "Boyle Heights")
    w, s, e, n = boyle["bounds"]
    assert -118.24 < w < e < -118.16 and 34.01 < s < n < 34.07  # east of downtown LA
    frame = pd.DataFrame([o["bounds"] for o in options], columns=["w", "s", "e", "n"])
    # LA County: about -118.95..-117.65 W, 33.70..34.82 N (Catalina and San Clemente included)
    assert frame["w"].min() < -118.9 and frame["e"].max() > -117.7
    assert frame["n"].max() > 34.8


def test_the_maps_script_gets_spanish_text_on_a_spanish_page(client, results):
    """The popup, zoom buttons and need levels the script shows come from the catalog (the
    Spanish walk of test_spanish.py leaves scripts out, so this checks the map's JSON block)."""
    page = client.get("/map?lang=es").text
    cfg = json.loads(re.search(r'id="map-config">(.*?)</script>', page, re.DOTALL).group(1))
    assert cfg["text"] == {"need": "Nivel de necesidad", "per_pupil": "Dólares por alumno",
                           "page": "Abrir la página de la escuela", "zoom_in": "Acercar",
                           "zoom_out": "Alejar", "close": "Cerrar"}
    levels = {p["level"] for p in cfg["points"]}
    assert levels <= {"Necesidad más alta", "Necesidad alta", "Necesidad moderada",
                      "Necesidad baja", "Necesidad más baja"} and len(levels) == 5
    s = results["schools"]
    first = s[s["latitude"].notna()].iloc[0]
    # es_US: the same digits and separators as en_US ("$1,864.44")
    assert cfg["points"][0]["per_pupil"] == _per_pupil(first)
