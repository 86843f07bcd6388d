"""End to end in Debian's chromium (Playwright): sign in, open the queue, log a contact, refer,
close. The app runs under uvicorn in a thread on 127.0.0.1 and a free port."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from equitable.outreach._db import read_session
from equitable.outreach._models import Case, ContactAttempt, DisclosureLog, Referral
from equitable.web import create_app, load_settings

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, request):
    seed = request.getfixturevalue("seed_fn")
    settings = load_settings(dev=True, database_url=f"sqlite:///{tmp_path / 'e2e.db'}")
    app = create_app(settings)
    ids = seed(app.state.engine, tmp_path)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(base + "/healthz").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield base, app, ids
    srv.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


def test_sign_in_queue_contact_refer_close(chromium_browser, server):
    base, app, ids = server
    page = chromium_browser.new_page()
    try:
        page.goto(base + "/staff/")
        assert page.url.startswith(base + "/login")
        # the worker's interface language is Spanish: it is chosen at sign-in
        page.get_by_label("User name").fill("worker1")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/staff/day")  # a worker lands on their day (issue 21.2)
        page.goto(base + "/staff/")
        assert page.locator("html").get_attribute("lang") == "es"
        assert page.get_by_role("heading", level=1).inner_text() == "Cola de contacto"
        # the worker's caseload is the one assigned case
        rows = page.locator("#queue tbody tr")
        assert rows.count() == 1
        rows.first.get_by_role("link", name="S0000000").click()
        page.wait_for_url(f"{base}/staff/cases/{ids['case_all']}")

        # server-side validation, in Spanish: no mode and no outcome chosen
        page.get_by_role("button", name="Guardar el intento de contacto").click()
        page.wait_for_selector("#err-mode")
        assert page.locator("#err-mode").inner_text() == "Elija cómo se contactó a la familia."
        assert page.locator("#mode").get_attribute("aria-invalid") == "true"

        # log a contact (htmx swaps the case panel)
        page.select_option("#mode", "phone")
        page.select_option("#outcome", "reached")
        page.fill("#language", "spanish")
        page.fill("#note", "Mother says the hotspot broke")
        page.get_by_role("button", name="Guardar el intento de contacto").click()
        page.wait_for_selector("text=Intento de contacto guardado.")
        assert page.locator("#contacts tbody tr").count() == 1
        assert "Teléfono" in page.locator("#contacts tbody tr").first.inner_text()

        # refer: device or hotspot; the case becomes "referred"
        page.select_option("#kind", "device_hotspot")
        page.get_by_role("button", name="Guardar la derivación").click()
        page.wait_for_selector("text=Derivación guardada.")
        assert page.locator("#case-status").inner_text() == "Derivado"

        # close without a reason: refused; with a reason: closed
        page.select_option("#status", "closed")
        page.get_by_role("button", name="Guardar el estado").click()
        page.wait_for_selector("#err-close_reason")
        page.select_option("#status", "closed")
        page.select_option("#close_reason", "re_engaged")
        page.get_by_role("button", name="Guardar el estado").click()
        page.wait_for_selector("text=Estado guardado.")
        assert page.locator("#case-status").inner_text() == "Cerrado: Reincorporado"

        # keyboard: the skip link is the first stop and moves focus to <main>
        page.goto(base + "/staff/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        page.close()

    with read_session(app.state.engine) as s:
        case = s.get(Case, ids["case_all"])
        contacts = list(s.scalars(select(ContactAttempt)))
        refs = list(s.scalars(select(Referral)))
        views = list(s.scalars(select(DisclosureLog)))
    assert (case.status, case.close_reason) == ("closed", "re_engaged")
    assert [(c.mode, c.language, c.outcome, c.note) for c in contacts] == [
        ("phone", "spanish", "reached", "Mother says the hotspot broke")]
    assert [r.kind for r in refs] == ["device_hotspot"]
    # every response that showed the student: "My day" after sign-in, the queue, the case
    # page, and the five case panels htmx swapped in (two with form errors); the last queue
    # (the case is closed) shows nobody
    assert [(v.username, v.action, v.student_id, v.detail) for v in views][:2] == [
        ("worker1", "view", "S0000000", "queue: /staff/day"),
        ("worker1", "view", "S0000000", "queue: /staff/")]
    assert [(v.username, v.action, v.student_id, v.detail.split(":")[0]) for v in views] == [
        ("worker1", "view", "S0000000", "queue")] * 2 + [
        ("worker1", "view", "S0000000", "case")] * 6
