"""Issue 21.4 and 21.6 in the console: the caseload solve from the browser (preview, then apply
exactly what was previewed), and a notice warning that is a warning, listing the languages
missing."""

from __future__ import annotations

import re

from sqlalchemy import select, update
from tests.web.conftest import csrf_of

from equitable.outreach._assign import assign_caseloads
from equitable.outreach._db import read_session, write_session
from equitable.outreach._models import Case


def _assigned(engine) -> dict[int, int | None]:
    with read_session(engine) as s:
        return dict(s.execute(select(Case.id, Case.assigned_worker_id)).all())


def test_caseload_preview_then_apply(app_and_ids, client_for):
    app, _ = app_and_ids
    engine = app.state.engine
    admin = client_for("admin")
    before = _assigned(engine)
    expected = assign_caseloads(engine, apply=False)  # the command line's dry run
    assert _assigned(engine) == before
    token = csrf_of(admin.get("/staff/workload").text)
    r = admin.post("/staff/workload/preview", data={"csrf_token": token})
    assert r.status_code == 200
    assert _assigned(engine) == before  # a preview saves nothing
    moved = {int(m) for m in re.findall(r'<td data-label="Case">(\d+)</td>', r.text)}
    assert moved == {cid for cid, wid in expected.assignments.items() if before[cid] != wid}
    assert len(moved) == expected.changed > 0
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', r.text).group(1)

    # a stale preview is refused, nothing changes
    r = admin.post("/staff/workload/apply", data={"csrf_token": token, "digest": "0" * 64})
    assert r.status_code == 409 and 'role="alert"' in r.text
    assert _assigned(engine) == before

    r = admin.post("/staff/workload/apply", data={"csrf_token": token, "digest": digest})
    assert r.status_code == 200 and 'role="status"' in r.text
    after = _assigned(engine)
    assert {cid: after[cid] for cid in expected.assignments} == expected.assignments
    # applying again: the solve now changes nothing
    assert assign_caseloads(engine, apply=False).changed == 0


def test_notice_without_a_template_warns_and_lists_the_languages(app_and_ids, client_for):
    app, ids = app_and_ids
    with write_session(app.state.engine) as s:
        s.execute(update(Case).where(Case.id == ids["case_all"]).values(home_language="korean"))
    admin = client_for("admin")
    html = admin.get(f"/staff/cases/{ids['case_all']}/notice?lang=en").text
    warning = re.search(r'<div class="warning" role="alert" id="notice-warning">(.*?)</div>',
                        html, re.DOTALL)
    assert warning is not None
    assert re.findall(r"<li>(.*?)</li>", warning.group(1)) == [
        "Korean (the family&#39;s language)"]
    assert 'class="notice"' not in html  # never styled as success
    html = admin.get(f"/staff/cases/{ids['case_all']}/notice?lang=es").text
    assert "Coreano (el idioma de la familia)" in html


def test_summary_counts_families_without_a_notice(app_and_ids, client_for):
    app, _ = app_and_ids
    with write_session(app.state.engine) as s:
        s.execute(update(Case).values(home_language="korean"))
    html = client_for("admin").get("/staff/summary?lang=en").text
    table = re.search(r'<table class="data" id="no-notice">(.*?)</table>', html, re.DOTALL).group(1)
    # 6 Korean-speaking families: 10 or fewer, so the count is suppressed
    assert re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", table) == [("Korean", "*")]


def test_a_worker_lands_on_their_day(app_and_ids):
    from fastapi.testclient import TestClient
    from tests.web.conftest import login

    app, _ = app_and_ids
    with TestClient(app) as worker, TestClient(app) as admin:
        assert login(worker, "worker1").headers["location"] == "/staff/day"
        assert login(admin, "admin1").headers["location"] == "/staff/"
        assert worker.get("/staff/").status_code == 200  # the queue stays reachable
