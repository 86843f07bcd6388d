"""Issue 21.2-21.3: "My day" orders a worker's cases by what is due, with the last contact, on
both databases; a contact can set the next follow-up date; reason codes are imported."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from equitable.errors import InputError
from equitable.outreach import (
    add_agreement,
    create_organization,
    create_user,
    import_queue,
    import_roster,
)
from equitable.outreach._cases import FormError, add_contact, add_referral, assign_case
from equitable.outreach._day import DayFilters, clean_filters, my_day
from equitable.outreach._db import read_session, write_session
from equitable.outreach._models import Case, Organization, School, User
from equitable.outreach._testing import school_id

PASSWORD = "correct horse battery"
TODAY = dt.date(2021, 3, 15)
# student: (school index, home language, reason codes)
STUDENTS = {
    "A": (0, "es", "absent_streak{days=24}"),
    "B": (0, "en", "chronic{absent=15, enrolled=60}"),
    "C": (1, "es", "never_engaged; absent_streak{days=40}"),
    "D": (1, "en", "missing{days=10}; chronic{absent=12, enrolled=40}"),
    "E": (0, "es", "sb98_weeks{weeks=3}"),
    "F": (0, "en", "login_only"),
    "G": (1, "en", "chronic{absent=9, enrolled=50}"),
    "X": (0, "en", "never_engaged"),  # another worker's case
}


@pytest.fixture
def world(engine, tmp_path):
    (tmp_path / "r.csv").write_text("student_id,school_id,home_language,grade\n" + "".join(
        f"{sid},{school_id(k)},{lang},7\n" for sid, (k, lang, _) in STUDENTS.items()))
    import_roster(engine, tmp_path / "r.csv")
    (tmp_path / "q.csv").write_text("priority_rank,student_id,school_id,reasons,reason_codes\n"
                                    + "".join(f'{i},{sid},{school_id(k)},x,"{codes}"\n'
                                              for i, (sid, (k, _, codes))
                                              in enumerate(STUDENTS.items(), 1)))
    import_queue(engine, tmp_path / "q.csv")
    with write_session(engine) as s:  # the roster made the schools; the directory names them
        for k, name in ((0, "Roosevelt High"), (1, "Hollenbeck Middle")):
            s.execute(update(School).where(School.school_id == school_id(k)).values(name=name))
    create_organization(engine, "Family Aid")
    add_agreement(engine, "Family Aid", signed_on=dt.date.today() - dt.timedelta(days=10),
                  expires_on=dt.date.today() + dt.timedelta(days=100), purpose="referrals")
    admin_id = create_user(engine, "admin1", PASSWORD, "admin")
    wid = create_user(engine, "ana", PASSWORD, "outreach_worker", languages="english,spanish",
                      capacity=20, display_name="Ana Ruiz")
    other = create_user(engine, "bo", PASSWORD, "outreach_worker", languages="english",
                        capacity=20)
    with read_session(engine) as s:
        admin, ana = s.get(User, admin_id), s.get(User, wid)
        ids = {c.student_id: c.id for c in s.scalars(select(Case))}
        org = s.scalar(select(Organization.id))
    for sid, cid in ids.items():
        assign_case(engine, admin, cid, worker_id=other if sid == "X" else wid,
                    organization_id=org if sid == "G" else None)

    def contact(sid, days_ago, outcome="no_answer", mode="phone"):
        add_contact(engine, ana, ids[sid], contacted_on=TODAY - dt.timedelta(days=days_ago),
                    mode=mode, language="english", outcome=outcome, today=TODAY)

    contact("A", 5)
    contact("E", 12)
    contact("E", 10, outcome="reached", mode="home_visit")  # the LAST attempt counts
    contact("F", 3)
    contact("G", 1)
    add_referral(engine, ana, ids["G"], kind="food")  # G: referred, held by Family Aid
    with write_session(engine) as s:  # follow-up dates in the past cannot be typed: set them
        for sid, day in (("A", TODAY - dt.timedelta(days=2)), ("B", TODAY - dt.timedelta(days=1)),
                         ("F", TODAY + dt.timedelta(days=5))):
            s.execute(update(Case).where(Case.id == ids[sid]).values(follow_up_date=day))
    return engine, ana, ids


def test_order_is_what_is_due(world):
    engine, ana, _ = world
    d = my_day(engine, ana, today=TODAY)
    # follow-up reached (longest overdue first): A, B; never contacted by priority: C, D;
    # contacted, no follow-up, longest since the last attempt: E (10 days), G (1 day);
    # follow-up still ahead: F. X is another worker's.
    assert [r.student_id for r in d.rows] == ["A", "B", "C", "D", "E", "G", "F"]
    assert [r.due for r in d.rows] == ["follow_up_due", "follow_up_due", "never_contacted",
                                       "never_contacted", "since", "since", "later"]
    e = d.rows[4]
    assert (e.last_contact_on, e.last_contact_mode, e.last_contact_outcome, e.last_contact_by,
            e.days_since) == (TODAY - dt.timedelta(days=10), "home_visit", "reached",
                              "Ana Ruiz", 10)
    assert (e.school_name, e.grade, e.home_language) == ("Roosevelt High", "7", "spanish")
    assert e.reason_codes == "sb98_weeks{weeks=3}"
    g = d.rows[5]
    assert (g.status, g.partner_name) == ("referred", "Family Aid")
    assert d.rows[2].last_contact_on is None and d.rows[2].days_since is None
    assert d.schools == [(school_id(1), "Hollenbeck Middle"), (school_id(0), "Roosevelt High")]
    assert d.languages == ["english", "spanish"]


def test_filters(world):
    engine, ana, _ = world

    def ids(**kw):
        return [r.student_id for r in my_day(engine, ana, filters=DayFilters(**kw),
                                              today=TODAY).rows]

    assert ids(reason="chronic") == ["B", "D", "G"]
    assert ids(reason="never_engaged") == ["C"]
    assert ids(reason="absent_streak") == ["A", "C"]
    assert ids(language="spanish") == ["A", "C", "E"]
    assert ids(school_id=school_id(1)) == ["C", "D", "G"]
    assert ids(status="referred") == ["G"]
    assert ids(school_id=school_id(1), reason="chronic", language="english") == ["D", "G"]
    # URL values that are not choices are dropped, never an error
    f = clean_filters("123", "'; drop table", "es", "nonsense")
    assert (f.school_id, f.reason, f.language, f.status) == (None, None, "spanish", "active")
    assert DayFilters(reason="chronic").query(page=2) == {"reason": "chronic",
                                                          "status": "active", "page": "2"}


def test_pages(world):
    engine, ana, _ = world
    p1 = my_day(engine, ana, per_page=4, today=TODAY)
    p2 = my_day(engine, ana, per_page=4, page=2, today=TODAY)
    assert p1.has_next and not p2.has_next
    assert [r.student_id for r in p1.rows + p2.rows] == ["A", "B", "C", "D", "E", "G", "F"]


def test_pages_count_the_cases(world):
    # issue 21.8: the page says how many cases match (7 of ana's, 3 with "chronic"), counted
    # in the page's own query (a scalar subquery, computed once)
    engine, ana, _ = world

    def page(n, **kw):
        d = my_day(engine, ana, per_page=3, page=n, filters=DayFilters(**kw), today=TODAY)
        return d.total, d.first, d.last, [r.student_id for r in d.rows]

    assert page(1) == (7, 1, 3, ["A", "B", "C"])
    assert page(2) == (7, 4, 6, ["D", "E", "G"])
    assert page(3) == (7, 7, 7, ["F"])
    assert page(4) == (7, 0, 0, [])  # past the last page: still counted, nothing shown
    assert page(1, reason="chronic") == (3, 1, 3, ["B", "D", "G"])
    assert page(2, reason="chronic") == (3, 0, 0, [])
    assert page(1, reason="login_only", language="spanish") == (0, 0, 0, [])
    assert page(1, status="all") == (7, 1, 3, ["A", "B", "C"])


def test_a_page_costs_two_statements_whatever_the_caseload(world):
    # issue 21.8 (guard): no query per row; the order, the last attempt, the count and the
    # school and partner names come with the page's one query, plus one for the filter choices
    from sqlalchemy import event

    engine, ana, _ = world
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for per_page in (1, 3, 50):
            seen.clear()
            d = my_day(engine, ana, per_page=per_page, today=TODAY)
            assert len(d.rows) == min(per_page, 7) and d.total == 7
            assert len(seen) == 2, seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # the statements are built once per user scope, filters, page and day, then reused: never
    # another user's (bo holds X only; ana's day, built first, is not his)
    with read_session(engine) as s:
        bo = s.scalar(select(User).where(User.username == "bo"))
    assert [r.student_id for r in my_day(engine, bo, today=TODAY).rows] == ["X"]
    assert [r.student_id for r in my_day(engine, ana, today=TODAY).rows] == [
        "A", "B", "C", "D", "E", "G", "F"]
    # five days on, F's follow-up date is reached too: it joins A and B at the top
    later = my_day(engine, ana, today=TODAY + dt.timedelta(days=5)).rows
    assert [(r.student_id, r.due) for r in later][:4] == [
        ("A", "follow_up_due"), ("B", "follow_up_due"), ("F", "follow_up_due"),
        ("C", "never_contacted")]


def test_a_contact_sets_the_next_follow_up(world):
    engine, ana, ids = world
    add_contact(engine, ana, ids["C"], contacted_on=TODAY, mode="phone", language="es",
                outcome="reached", next_follow_up="2021-03-22", today=TODAY)
    with read_session(engine) as s:
        assert s.get(Case, ids["C"]).follow_up_date == dt.date(2021, 3, 22)
    with pytest.raises(FormError) as exc:
        add_contact(engine, ana, ids["C"], contacted_on=TODAY, mode="phone", language="es",
                    outcome="reached", next_follow_up="2021-03-14", today=TODAY)
    assert exc.value.errors == {"next_follow_up": "The follow-up date cannot be in the past."}
    # an empty follow-up leaves the date as it was
    add_contact(engine, ana, ids["C"], contacted_on=TODAY, mode="phone", language="es",
                outcome="no_answer", next_follow_up="", today=TODAY)
    with read_session(engine) as s:
        assert s.get(Case, ids["C"]).follow_up_date == dt.date(2021, 3, 22)


def test_bad_reason_codes_reject_the_queue(engine, tmp_path):
    (tmp_path / "r.csv").write_text(f"student_id,school_id\nA,{school_id(0)}\nB,{school_id(0)}\n")
    import_roster(engine, tmp_path / "r.csv")
    (tmp_path / "q.csv").write_text(
        "priority_rank,student_id,school_id,reasons,reason_codes\n"
        f"1,A,{school_id(0)},x,absent_streak{{days=3}}\n"
        f"2,B,{school_id(0)},x,absent the last 3 instructional days in a row\n")
    with pytest.raises(InputError) as exc:
        import_queue(engine, tmp_path / "q.csv")
    msg = str(exc.value)
    assert "1 value of column 'reason_codes' that is not a list of reason codes (row 3" in msg
    assert "q.csv" in msg
    with read_session(engine) as s:
        assert s.scalar(select(Case.id)) is None  # nothing of the file was written


def test_case_export_carries_the_codes_and_their_spanish_labels(world):
    import csv
    import io

    from equitable.outreach import create_user as _cu
    from equitable.outreach._cases import export_cases

    engine, _, _ = world
    aid = _cu(engine, "admin2", PASSWORD, "admin")
    with read_session(engine) as s:
        admin = s.get(User, aid)
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO(
        export_cases(engine, admin, purpose="monthly board report")))}
    assert rows["D"]["reason_codes"] == "missing{days=10}; chronic{absent=12, enrolled=40}"
    assert rows["D"]["reasons_es"] == ("Sin asistencia ni actividad 10 días; "
                                       "Ausentismo crónico: 12 de 40 días (30.0%)")
