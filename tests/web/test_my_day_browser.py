"""Issue 21.2, 21.5, 21.7: a worker's day in Debian's chromium (Playwright), on a phone (390 px)
and a laptop (1366 px), in English and Spanish: the cases as cards with reason badges in the
page's language, no horizontal page scrolling on any staff page, a contact logged in two taps
from "My day" with the focus moved to the result (saved or error), and axe-core finding no
WCAG 2.1 AA violation."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from tests.web.test_e2e_browser import server  # noqa: F401  (the live app fixture)

from equitable.outreach._db import read_session, write_session
from equitable.outreach._models import Case, ContactAttempt

pytestmark = pytest.mark.browser
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BADGES = {
    "en": ["Absent 24 days in a row", "Chronically absent: 15 of 60 days (25.0%)"],
    "es": ["Ausente 24 días seguidos", "Ausentismo crónico: 15 de 60 días (25.0%)"],
}
TEXT = {"en": {"h1": "My day", "log": "Log a contact", "save": "Save contact attempt",
               "saved": "Contact attempt saved.", "reached": "Reached",
               "count": "Showing 1–1 of 1 case"},
        "es": {"h1": "Mi día", "log": "Registrar un contacto",
               "save": "Guardar el intento de contacto", "saved": "Intento de contacto guardado.",
               "reached": "Se le localizó", "count": "Se muestran 1–1 de 1 caso"}}


def _axe(page, axe_source) -> list:
    page.add_script_tag(path=axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    assert result["passes"]  # axe really ran
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def _no_page_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _sign_in(page, base, username):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", "correct horse battery")
    page.locator("form button[type=submit]").last.click()
    # a worker's home page is their day; everyone else lands on the queue
    page.wait_for_url(base + ("/staff/day" if username.startswith("worker") else "/staff/"))


@pytest.fixture
def axe_source():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run 'npm ci' at the repository root")
    return str(path)


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_workers_day(chromium_browser, server, axe_source, width, lang):  # noqa: F811
    base, app, ids = server
    with write_session(app.state.engine) as s:
        s.execute(update(Case).where(Case.id == ids["case_all"]).values(
            reason_codes="absent_streak{days=24}; chronic{absent=15, enrolled=60}"))
    ctx = chromium_browser.new_context(viewport={"width": width, "height": 844},
                                       bypass_csp=True)  # axe is injected as a script
    page = ctx.new_page()
    t = TEXT[lang]
    try:
        _sign_in(page, base, "worker1")
        page.goto(f"{base}/staff/day?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.get_by_role("heading", level=1).inner_text() == t["h1"]
        cards = page.locator("#day > li.card")
        assert cards.count() == 1  # the worker's caseload: one case
        assert page.locator("#day-count").inner_text() == t["count"]
        assert cards.first.locator(".badge").all_inner_texts() == BADGES[lang]
        assert _no_page_scroll(page)
        assert _axe(page, axe_source) == []

        # filters live in the URL: a reason the case does not have empties the list
        page.goto(f"{base}/staff/day?reason=never_engaged")
        assert page.locator("#day > li.card").count() == 0
        assert page.locator("#day-count").count() == 0  # no count over an empty list
        assert page.locator("#f-reason").input_value() == "never_engaged"

        # tap 1: "Log a contact"; an empty outcome is refused and the focus is on the error
        page.goto(f"{base}/staff/day")
        page.locator("#day > li.card").first.get_by_role("link", name=t["log"]).click()
        page.wait_for_url(f"{base}/staff/cases/{ids['case_all']}/contact")
        assert _no_page_scroll(page)
        assert _axe(page, axe_source) == []
        page.get_by_role("button", name=t["save"]).click()
        page.wait_for_selector("#form-errors")
        page.wait_for_function("document.activeElement && document.activeElement.id === "
                               "'form-errors'")
        assert page.locator("#outcome").get_attribute("aria-invalid") == "true"
        assert _axe(page, axe_source) == []

        # tap 2: choose the outcome and save; back on "My day" with the result focused
        page.select_option("#outcome", "reached")
        page.get_by_role("button", name=t["save"]).click()
        page.wait_for_url(f"{base}/staff/day?saved=contact#saved")
        page.wait_for_function("document.activeElement && document.activeElement.id === 'saved'")
        assert page.locator("#saved").inner_text() == t["saved"]
        last = page.locator("#day > li.card").first.inner_text()
        assert t["reached"] in last and "Worker One" in last
        assert _no_page_scroll(page)

        # every staff page a worker opens fits the screen
        for path in ("/staff/", f"/staff/cases/{ids['case_all']}",
                     f"/staff/cases/{ids['case_all']}/notice", "/staff/summary", "/account"):
            page.goto(base + path)
            assert _no_page_scroll(page), path
            assert _axe(page, axe_source) == [], path
    finally:
        ctx.close()
    with read_session(app.state.engine) as s:
        assert [(c.mode, c.outcome) for c in s.scalars(select(ContactAttempt))] == [
            ("phone", "reached")]


def test_admin_pages_fit_a_phone(chromium_browser, server, axe_source):  # noqa: F811
    base, _, ids = server
    ctx = chromium_browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = ctx.new_page()
    try:
        _sign_in(page, base, "admin1")
        for path in ("/staff/", "/staff/day", f"/staff/cases/{ids['case_all']}",
                     "/staff/summary", "/staff/workload", "/staff/audit", "/staff/export",
                     "/staff/sessions"):
            page.goto(base + path)
            assert _no_page_scroll(page), path
    finally:
        ctx.close()
