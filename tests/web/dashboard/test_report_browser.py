"""The offline report (issue 16, item 9): report.html / report.es.html written by `equitable run`
(the dashboard tests' synthetic run), opened from disk in Debian's chromium at 390x844 and
1366x900: nothing past the right edge, no plotly toolbar over a legend, the wide tables as cards
on a phone, need levels in words and the scenario sentence; screenshots in out/screenshots/."""

from __future__ import annotations

import re
from html import unescape

import pytest

from .test_browser import AXE_TAGS, OVERFLOW_JS, SCREENSHOTS

REPORTS = {"en": "report.html", "es": "report.es.html"}
WORDS = {"en": ("Highest need", "This is a scenario, not the district's budget."),
         "es": ("Necesidad más alta", "Esto es un escenario, no el presupuesto del distrito.")}

#: The overflow check of the dashboard, except inside plotly's data layer (the tract outlines reach
#: past the axes' range and plotly clips them to the plot area); the legends are checked.
REPORT_OVERFLOW_JS = OVERFLOW_JS.replace(
    "    const st = getComputedStyle(el);",
    "    if (el.closest('svg .cartesianlayer')) continue;\n    const st = getComputedStyle(el);")
assert REPORT_OVERFLOW_JS != OVERFLOW_JS

LAYOUT_JS = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const shown = e => { const s = getComputedStyle(e); const r = e.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
  const bars = [...document.querySelectorAll('.modebar, .modebar-container')].filter(shown).map(box);
  const legends = [...document.querySelectorAll('.plotly-graph-div .legend')].map(box);
  const hit = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  const overlaps = [];
  for (const b of bars) for (const l of legends) if (hit(b, l)) overlaps.push([b, l]);
  const rows = [...document.querySelectorAll('#school-table tbody tr')];
  return {bars: bars.length, legends: legends.length, overlaps,
          rowDisplay: rows.length ? getComputedStyle(rows[0]).display : null,
          headVisible: shown(document.querySelector('#school-table thead')) &&
                       document.querySelector('#school-table thead').getBoundingClientRect().width > 2};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)])
def test_offline_report_in_chromium(chromium_browser, results, axe_source, lang, width, height):
    path = results["out"] / REPORTS[lang]
    html = unescape(path.read_text(encoding="utf-8"))
    level, scenario = WORDS[lang]
    assert scenario in html and level in html
    # need levels in words: no bare tier label ("1 Highest" / "1 Más alta") in a table cell
    assert not re.search(r"<td[^>]*>(<span[^>]*></span>)?\s*\d (Highest|High|Moderate|Low|"
                         r"Lowest|Más alta|Alta|Moderada|Baja|Más baja)\s*</td>", html)
    context = chromium_browser.new_context(viewport={"width": width, "height": height},
                                           device_scale_factor=1)
    p = context.new_page()
    requests: list[str] = []
    p.on("request", lambda r: requests.append(r.url))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        p.goto(path.as_uri())
        p.wait_for_selector("#map .legend")
        p.click("#school-list summary")  # open the list of schools
        p.hover("#map .plotly")  # a toolbar would show on hover
        got = p.evaluate(REPORT_OVERFLOW_JS)
        assert got["bad"] == [] and got["scroll"] <= got["vw"], got
        layout = p.evaluate(LAYOUT_JS)
        assert layout["legends"] >= 3  # map, shares, distribution
        assert layout["bars"] == 0 and layout["overlaps"] == []
        if width == 390:  # cards: each school a block, the column names on every card
            assert layout["rowDisplay"] == "block" and not layout["headVisible"]
        else:
            assert layout["rowDisplay"] == "table-row" and layout["headVisible"]
        p.screenshot(path=str(SCREENSHOTS / f"{width}-{lang}-report.png"), full_page=True)
        p.add_script_tag(path=axe_source)
        result = p.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                            AXE_TAGS)
        assert [(v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"]] == []
        assert result["passes"]
    finally:
        context.close()
    assert all(u.startswith("file://") for u in requests), requests  # offline: nothing fetched
