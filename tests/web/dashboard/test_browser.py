"""The dashboard in Debian's chromium (Playwright): WCAG 2.1 AA with axe-core on every public
page in both languages, keyboard-only use, and a 360-pixel-wide phone screen."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def public_pages(results) -> list[str]:
    s = results["schools"]
    placed = s[s["geoid"].notna()]["cds_code"].iloc[0]
    unplaced = s[s["geoid"].isna()]["cds_code"].iloc[0]
    from tests.web.dashboard.conftest import SCHOOL_A

    # SCHOOL_A has every section: community health, its nearest planned site and staffing
    return ["/", "/?q=school", "/?q=zzzz", f"/schools/{placed}", f"/schools/{unplaced}",
            f"/schools/{SCHOOL_A}",
            "/map", "/map?tier=1+Highest&span=middle", "/explorer",
            "/explorer?rule=score&need_weight=0.05", "/explorer?budget=lots", "/methods",
            "/staffing", "/sites"]


@pytest.fixture(scope="module")
def page(chromium_browser):
    # bypass_csp: the app's CSP (script-src 'self') would block axe's injected script; the page's
    # own scripts are unaffected
    context = chromium_browser.new_context(bypass_csp=True)
    p = context.new_page()
    yield p
    context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_axe_finds_no_wcag_21_aa_violation(page, live_url, results, axe_source, lang):
    failures = {}
    for path in public_pages(results):
        sep = "&" if "?" in path else "?"
        page.goto(f"{live_url}{path}{sep}lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        page.add_script_tag(path=axe_source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in result["violations"]]
        if bad:
            failures[path] = bad
        assert result["passes"], path  # axe really ran its rules
    assert failures == {}


def test_keyboard_only_from_the_finder_to_a_school_page(page, live_url, results):
    s = results["schools"]
    target = s[s["school_name"] == "School 47"].iloc[0]
    page.goto(live_url + "/?lang=en")
    # the first Tab reaches the skip link; Enter moves focus to the main content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    else:
        pytest.fail("the search box cannot be reached with Tab")
    page.keyboard.type("School 47")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=School+47*")
    for _ in range(60):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href')")
        if href and href.startswith("/schools/"):
            break
    else:
        pytest.fail("no school link can be reached with Tab")
    assert href == f"/schools/{target.cds_code}"
    # the focused element shows a visible focus indicator
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/schools/{target.cds_code}")
    assert page.locator("h1").inner_text() == "School 47"


def test_every_page_fits_a_360_pixel_phone(chromium_browser, live_url, results, tmp_path):
    context = chromium_browser.new_context(viewport={"width": 360, "height": 740},
                                           device_scale_factor=1)
    p = context.new_page()
    widths = {}
    try:
        for i, path in enumerate(public_pages(results)):
            for lang in ("en", "es"):
                sep = "&" if "?" in path else "?"
                p.goto(f"{live_url}{path}{sep}lang={lang}")
                widths[(path, lang)] = p.evaluate("document.documentElement.scrollWidth")
                shot = tmp_path / f"page{i:02d}-{lang}.png"
                p.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 1000
    finally:
        context.close()
    too_wide = {k: w for k, w in widths.items() if w > 360}
    assert too_wide == {}


SCREENSHOTS = Path(__file__).resolve().parents[3] / "out" / "screenshots"
OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right < 0) continue;  // hidden or off-screen left
    // the map's panes: clipped by the map (overflow: hidden), which is itself checked
    if (el.parentElement && el.parentElement.closest('.leaflet-container')) continue;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || st.display === 'none') continue;
    if (r.right > vw + 0.5) bad.push(el.tagName + (el.id ? '#' + el.id : '') + '.' +
                                     el.className + ' ' + Math.round(r.right));
  }
  return {vw, scroll: document.documentElement.scrollWidth, bad: bad.slice(0, 5)};
}"""


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)])
def test_phone_and_desktop_nothing_overflows_and_axe_is_clean(chromium_browser, live_url, results,
                                                             axe_source, width, height):
    """At 390x844 (a phone) and 1366x900, in English and Spanish: no element reaches past the
    right edge of the viewport, the page never scrolls sideways, axe-core finds 0 violations;
    screenshots of every page kept in out/screenshots/."""
    context = chromium_browser.new_context(viewport={"width": width, "height": height},
                                           device_scale_factor=1, bypass_csp=True)
    p = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    overflow, violations = {}, {}
    try:
        for i, path in enumerate(public_pages(results)):
            for lang in ("en", "es"):
                sep = "&" if "?" in path else "?"
                p.goto(f"{live_url}{path}{sep}lang={lang}")
                got = p.evaluate(OVERFLOW_JS)
                if got["bad"] or got["scroll"] > got["vw"]:
                    overflow[(path, lang)] = got
                p.screenshot(path=str(SCREENSHOTS / f"{width}-{lang}-page{i:02d}.png"),
                             full_page=True)
                p.add_script_tag(path=axe_source)
                result = p.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', "
                                    "values: tags}})", AXE_TAGS)
                bad = [(v["id"], [n["target"] for n in v["nodes"]][:3])
                       for v in result["violations"]]
                if bad:
                    violations[(path, lang)] = bad
                assert result["passes"]
    finally:
        context.close()
    assert overflow == {}
    assert violations == {}


def test_public_menu_has_no_staff_link_and_the_staff_header_fits_a_phone(chromium_browser,
                                                                         live_url):
    context = chromium_browser.new_context(viewport={"width": 390, "height": 844})
    p = context.new_page()
    try:
        for lang in ("en", "es"):
            p.goto(f"{live_url}/?lang={lang}")
            hrefs = p.eval_on_selector_all("header a", "els => els.map(e => e.getAttribute('href'))")
            # the staff console is under /staff/; /staffing is the public district staffing page
            assert not any(h == "/staff" or h.startswith("/staff/") for h in hrefs), hrefs
            assert "/map" in hrefs and "/methods" in hrefs and "/staffing" in hrefs
            p.goto(f"{live_url}/login?lang={lang}")
            assert p.locator("header.staff-header").count() == 1
            staff_hrefs = p.eval_on_selector_all(
                "header a", "els => els.map(e => e.getAttribute('href'))")
            assert "/map" not in staff_hrefs and "/staffing" not in staff_hrefs
            got = p.evaluate(OVERFLOW_JS)
            assert got["bad"] == [] and got["scroll"] <= got["vw"]
            p.screenshot(path=str(SCREENSHOTS / f"390-{lang}-staff-login.png"))
    finally:
        context.close()
