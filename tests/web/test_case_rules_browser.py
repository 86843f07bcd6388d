"""Issue 15.7 in Debian's chromium (Playwright): a partner records a referral but cannot close or
reassign the case; an administrator's assignment in the browser applies the checks of
``equitable outreach assign`` and names the rule a manual override breaks."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from equitable.outreach import create_organization, create_user
from equitable.outreach._db import read_session
from equitable.outreach._models import Case, Organization, Referral
from equitable.web import create_app, load_settings

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, seed_fn):
    settings = load_settings(dev=True, database_url=f"sqlite:///{tmp_path / 'rules.db'}")
    app = create_app(settings)
    ids = seed_fn(app.state.engine, tmp_path)
    engine = app.state.engine
    # an English-only worker with room for one case, and a partner without an agreement
    ids["worker2"] = create_user(engine, "worker2", PASSWORD, "outreach_worker",
                                 languages="english", capacity=1, display_name="Worker Two")
    create_organization(engine, "No Paper Aid")
    with read_session(engine) as s:
        free = s.execute(select(Case.id, Case.home_language).where(
            Case.assigned_worker_id.is_(None)).order_by(Case.id)).all()
        ids["no_paper"] = s.scalar(select(Organization.id).where(
            Organization.name == "No Paper Aid"))
    ids["spanish_case"] = next(c for c, lang in free if lang == "spanish")
    ids["english_case"] = next(c for c, lang in free if lang == "english")
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
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


def _sign_in(page, base, username):
    page.goto(base + "/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # a worker's home page is their day (issue 21.2); everyone else lands on the queue
    page.wait_for_url(base + ("/staff/day" if username.startswith("worker") else "/staff/"))


def _case(app, case_id):
    with read_session(app.state.engine) as s:
        return s.get(Case, case_id)


def test_a_partner_refers_but_cannot_close_or_reassign(chromium_browser, server):
    base, app, ids = server
    cid = ids["case_all"]
    before = _case(app, cid)
    page = chromium_browser.new_page()
    try:
        _sign_in(page, base, "partner1")
        page.get_by_role("link", name="S0000000").click()
        page.wait_for_url(f"{base}/staff/cases/{cid}")
        # a referral outcome: the case becomes "referred"
        page.select_option("#kind", "food")
        page.fill("#referral_note", "family enrolled at the food bank")
        page.get_by_role("button", name="Save referral").click()
        page.wait_for_selector("text=Referral saved.")
        assert page.locator("#case-status").inner_text() == "Referred"
        # no status form and no assignment form for a partner
        assert page.get_by_role("button", name="Save status").count() == 0
        assert page.get_by_role("button", name="Save assignment").count() == 0
        # and the server refuses them anyway (a hand-made request with the session's token)
        token = json.loads(page.locator("body").get_attribute("hx-headers"))["X-CSRF-Token"]
        codes = page.evaluate(
            """async ([cid, token, wid]) => {
                 const post = (path, body) => fetch(path, {method: "POST", headers:
                   {"X-CSRF-Token": token, "Content-Type": "application/x-www-form-urlencoded"},
                   body: new URLSearchParams(body), redirect: "manual"}).then(r => r.status);
                 return [await post(`/staff/cases/${cid}/status`,
                                    {status: "closed", close_reason: "re_engaged"}),
                         await post(`/staff/cases/${cid}/assign`,
                                    {worker_id: String(wid), organization_id: ""})];
               }""", [cid, token, ids["worker2"]])
        assert codes == [403, 403]
        # the referred case stays in the partner's default queue
        page.goto(base + "/staff/")
        rows = page.locator("#queue tbody tr")
        assert rows.count() == 1 and "S0000000" in rows.first.inner_text()
        assert "Referred" in rows.first.inner_text()
    finally:
        page.close()
    after = _case(app, cid)
    assert (after.status, after.close_reason, after.assigned_worker_id,
            after.partner_organization_id) == ("referred", None, before.assigned_worker_id,
                                               before.partner_organization_id)
    with read_session(app.state.engine) as s:
        assert [(r.kind, r.note) for r in s.scalars(select(Referral))] == [
            ("food", "family enrolled at the food bank")]

    # the worker holding the case sees it in their default queue too
    page = chromium_browser.new_page()
    try:
        _sign_in(page, base, "worker1")
        # on their day (status "active" by default) and in their default queue
        assert page.locator("#day > li.card").count() == 1
        page.goto(base + "/staff/")
        rows = page.locator("#queue tbody tr")
        assert rows.count() == 1 and "S0000000" in rows.first.inner_text()
    finally:
        page.close()


def test_a_browser_assignment_applies_the_command_line_rules_and_names_the_override(
        chromium_browser, server):
    base, app, ids = server
    es, en = ids["spanish_case"], ids["english_case"]
    page = chromium_browser.new_page()
    try:
        _sign_in(page, base, "admin1")
        # language: the English-only worker for a Spanish-speaking family is refused
        page.goto(f"{base}/staff/cases/{es}")
        page.select_option("#worker_id", str(ids["worker2"]))
        page.get_by_role("button", name="Save assignment").click()
        page.wait_for_selector("#err-worker_id")
        assert page.locator("#err-worker_id").inner_text() == (
            "The worker does not speak the family's home language.")
        assert page.locator("#worker_id").get_attribute("aria-invalid") == "true"
        assert _case(app, es).assigned_worker_id is None
        # the administrator overrides: saved, and the message names the rule broken
        page.check("#override")
        page.get_by_role("button", name="Save assignment").click()
        page.wait_for_selector("text=Assignment saved with a manual override of:")
        assert page.locator("p.notice").inner_text() == (
            "Assignment saved with a manual override of: The worker does not speak the "
            "family's home language.")
        assert _case(app, es).assigned_worker_id == ids["worker2"]

        # capacity: worker2 (capacity 1) now carries one active case
        page.goto(f"{base}/staff/cases/{en}")
        page.select_option("#worker_id", str(ids["worker2"]))
        page.get_by_role("button", name="Save assignment").click()
        page.wait_for_selector("#err-capacity")
        assert page.locator("#err-capacity").inner_text() == (
            "The worker already carries as many active cases as their capacity.")
        assert _case(app, en).assigned_worker_id is None

        # a partner without a data-sharing agreement in force: refused even with the override
        page.select_option("#worker_id", "")
        page.select_option("#organization_id", str(ids["no_paper"]))
        page.check("#override")
        page.get_by_role("button", name="Save assignment").click()
        page.wait_for_selector("#err-organization_id")
        assert page.locator("#err-organization_id").inner_text() == (
            "No data-sharing agreement with this partner is in force.")
        assert _case(app, en).partner_organization_id is None

        # a worker who speaks the language and has room: saved without any override
        page.goto(f"{base}/staff/cases/{en}")
        page.select_option("#worker_id", str(ids["worker_id"]))
        page.get_by_role("button", name="Save assignment").click()
        page.wait_for_selector("text=Assignment saved.")
        assert _case(app, en).assigned_worker_id == ids["worker_id"]
    finally:
        page.close()
