"""The map and the offline report on the real LAUSD run (examples/lausd.toml on ../shared/data) in
Debian's chromium: all 272 Mapping L.A. neighbourhoods of LA County, the 651 ranked schools, a
school's popup against schools.csv, zoom to a ZIP code and a neighbourhood, and report.html at
390 px. Screenshots in out/screenshots/ (lausd-*)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pandas as pd
import pytest
import uvicorn

from equitable.pipeline import run
from equitable.web import create_app, load_settings
from equitable.web.dashboard import load_results

from .test_browser import AXE_TAGS, OVERFLOW_JS, SCREENSHOTS
from .test_map import _open_map, _per_pupil, _wait_bounds_change
from .test_report_browser import LAYOUT_JS, REPORT_OVERFLOW_JS

pytestmark = [pytest.mark.data, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[3]
NINTH_STREET = "19647336104814"  # Ninth Street Elementary, rank 1 (docs/dashboard.md)


@pytest.fixture(scope="module")
def lausd(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("lausd-map") / "out"
    run(ROOT / "examples" / "lausd.toml", out_dir=out, data_dir=data_dir)
    app = create_app(load_settings(
        dev=True, database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'w.db'}"))
    data = load_results(out, data_folder=data_dir)
    app.state.dashboard_data = data
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    schools = pd.read_csv(out / "schools.csv", dtype={"cds_code": str, "geoid": str})
    yield {"url": base, "out": out, "data": data,
           "schools": schools.set_index("cds_code", drop=False)}
    srv.should_exit = True
    thread.join(timeout=5)
    app.state.engine.dispose()


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)])
def test_lausd_map(chromium_browser, lausd, axe_source, width, height):
    s = lausd["schools"]
    assert len(s) == 651
    placed = int(s["latitude"].notna().sum())
    ctx = chromium_browser.new_context(viewport={"width": width, "height": height},
                                       device_scale_factor=1)
    p = ctx.new_page()
    try:
        _open_map(p, f"{lausd['url']}/map?lang=en")
        assert p.get_attribute("#school-map", "data-hoods") == "272"  # all of LA County
        assert p.locator(".school-dot").count() == placed
        assert p.locator(".school-dot svg circle").count() == placed  # every dot drawn
        assert p.locator(".school-dot circle[fill='#440154']").count() == \
            int((s["tier"] == "1 Highest").sum() - s.loc[s["latitude"].isna(), "tier"].eq(
                "1 Highest").sum())
        assert p.locator("#map-list tbody tr").count() == 651
        got = p.evaluate(OVERFLOW_JS)
        assert got["bad"] == [] and got["scroll"] <= got["vw"], got
        p.screenshot(path=str(SCREENSHOTS / f"lausd-{width}-en-map.png"), full_page=True)
        # Ninth Street Elementary (rank 1) opens from the keyboard with its dollars
        dot = p.locator(f".school-dot[data-cds='{NINTH_STREET}']")
        dot.focus()
        p.keyboard.press("Enter")
        popup = p.wait_for_selector(".leaflet-popup .school-popup")
        row = s.loc[NINTH_STREET]
        assert popup.query_selector(".popup-name").inner_text() == "Ninth Street Elementary"
        dd = [e.inner_text() for e in popup.query_selector_all("dd")]
        assert dd == ["Highest need", _per_pupil(row)]
        p.keyboard.press("Escape")
        # zoom to its ZIP code: the school is in the new, smaller frame
        zip_code = lausd["data"].by_cds[NINTH_STREET]["zip"]
        before = p.get_attribute("#school-map", "data-bounds")
        label = p.locator("#zoom-zip option", has_text=zip_code).inner_text()
        p.select_option("#zoom-zip", label=label)
        w, so, e, n = map(float, _wait_bounds_change(p, before).split(","))
        assert w <= row.longitude <= e and so <= row.latitude <= n
        assert e - w < 0.2
        # zoom to a neighbourhood: names shown once zoomed in
        before = p.get_attribute("#school-map", "data-bounds")
        p.select_option("#zoom-hood", label="Boyle Heights")
        w, so, e, n = map(float, _wait_bounds_change(p, before).split(","))
        assert w < -118.2 < e and so < 34.04 < n
        assert p.locator(".hood-label", has_text="Boyle Heights").is_visible()
        p.screenshot(path=str(SCREENSHOTS / f"lausd-{width}-en-map-boyle-heights.png"))
    finally:
        ctx.close()
    ctx = chromium_browser.new_context(viewport={"width": width, "height": height},
                                       device_scale_factor=1, bypass_csp=True)
    p = ctx.new_page()
    try:
        _open_map(p, f"{lausd['url']}/map?lang=es")
        p.add_script_tag(path=axe_source)
        result = p.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                            AXE_TAGS)
        assert [(v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"]] == []
        p.screenshot(path=str(SCREENSHOTS / f"lausd-{width}-es-map.png"), full_page=True)
    finally:
        ctx.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_lausd_report_on_a_phone(chromium_browser, lausd, lang):
    path = lausd["out"] / ("report.html" if lang == "en" else "report.es.html")
    ctx = chromium_browser.new_context(viewport={"width": 390, "height": 844},
                                       device_scale_factor=1)
    p = ctx.new_page()
    try:
        p.goto(path.as_uri())
        p.wait_for_selector("#map .legend")
        p.click("#school-list summary")
        p.hover("#map .plotly")
        got = p.evaluate(REPORT_OVERFLOW_JS)
        assert got["bad"] == [] and got["scroll"] <= got["vw"], got
        layout = p.evaluate(LAYOUT_JS)
        assert layout["bars"] == 0 and layout["overlaps"] == []
        assert layout["rowDisplay"] == "block"
        p.screenshot(path=str(SCREENSHOTS / f"lausd-390-{lang}-report.png"), full_page=True)
    finally:
        ctx.close()
