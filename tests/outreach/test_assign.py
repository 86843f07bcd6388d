"""Caseload assignment: language, capacity, priority, continuity, proximity, reasons (hand-worked)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from equitable.errors import EquitableError
from equitable.outreach import assign_caseloads, create_user, import_roster
from equitable.outreach._db import read_session, write_session
from equitable.outreach._models import Case, ContactAttempt, School
from equitable.outreach._testing import school_id

PW = "correct horse battery"


def _setup(engine, tmp_path, cases):
    """cases: list of (student, school index, language, rank)."""
    lines = ["student_id,school_id,home_language"]
    lines += [f"{sid},{school_id(k)},{lang}" for sid, k, lang, _ in cases]
    (tmp_path / "students.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_roster(engine, tmp_path / "students.csv")
    q = ["student_id,school_id,priority_rank,reasons,home_language"]
    q += [f"{sid},{school_id(k)},{rank},x,{lang}" for sid, k, lang, rank in cases]
    (tmp_path / "q.csv").write_text("\n".join(q) + "\n", encoding="utf-8")
    from equitable.outreach import import_queue

    import_queue(engine, tmp_path / "q.csv")
    with read_session(engine) as s:
        return {c.student_id: c.id for c in s.scalars(select(Case))}


def _names(engine, result):
    with read_session(engine) as s:
        sid = {c.id: c.student_id for c in s.scalars(select(Case))}
    loads = {w.worker_id: w.username for w in result.workload}
    return ({sid[c]: loads[w] for c, w in result.assignments.items()},
            {sid[c]: r for c, r in result.unassigned.items()})


def test_language_capacity_and_priority(engine, tmp_path):
    _setup(engine, tmp_path, [
        ("A", 0, "spanish", 1), ("B", 0, "spanish", 2), ("C", 0, "spanish", 3),
        ("D", 0, "english", 4), ("E", 0, "vietnamese", 5),
    ])
    create_user(engine, "ana", PW, "outreach_worker", languages="english,spanish", capacity=2)
    create_user(engine, "bob", PW, "outreach_worker", languages="english", capacity=5)
    res = assign_caseloads(engine)
    assigned, unassigned = _names(engine, res)
    # ana can take only 2 of the 3 Spanish-speaking families: the two of highest priority
    assert assigned == {"A": "ana", "B": "ana", "D": "bob"}
    assert unassigned == {"C": "every worker who speaks spanish is at capacity",
                          "E": "no worker speaks vietnamese"}
    assert {(w.username, w.assigned, w.capacity) for w in res.workload} == {
        ("ana", 2, 2), ("bob", 1, 5)}
    with read_session(engine) as s:
        saved = dict(s.execute(select(Case.student_id, Case.assigned_worker_id)).all())
    assert saved["C"] is None and saved["A"] == saved["B"] is not None


def test_continuity_beats_a_shorter_trip_and_proximity_breaks_ties(engine, tmp_path):
    ids = _setup(engine, tmp_path, [("A", 0, "english", 1), ("B", 1, "english", 2)])
    # school 0 at the origin; school 1 about 11.1 km north (0.1 degree of latitude)
    with write_session(engine) as s:
        s.execute(update(School).where(School.school_id == school_id(0))
                  .values(latitude=34.0, longitude=-118.0))
        s.execute(update(School).where(School.school_id == school_id(1))
                  .values(latitude=34.1, longitude=-118.0))
    near0 = create_user(engine, "near0", PW, "outreach_worker", capacity=5,
                        base_school_id=school_id(0))
    near1 = create_user(engine, "near1", PW, "outreach_worker", capacity=5,
                        base_school_id=school_id(1))
    res = assign_caseloads(engine)
    assert _names(engine, res)[0] == {"A": "near0", "B": "near1"}
    km = {w.username: w.mean_km for w in res.workload}
    assert km == {"near0": 0.0, "near1": 0.0}
    # B's worker leaves B's case (unassigned) after near0 had called B's family: continuity
    # (worth 50 km) outweighs near0's 11.1 km trip
    with write_session(engine) as s:
        s.execute(update(Case).where(Case.id == ids["B"]).values(assigned_worker_id=None))
        s.add(ContactAttempt(case_id=ids["B"], user_id=near0, contacted_on=dt.date(2021, 1, 4),
                             mode="phone", language="english", outcome="no_answer"))
    res = assign_caseloads(engine)
    assert _names(engine, res)[0] == {"A": "near0", "B": "near0"}
    assert res.changed == 1
    near0_load = next(w for w in res.workload if w.username == "near0")
    assert near0_load.kept == 2  # A (held) and B (contacted)
    assert near0_load.mean_km == pytest.approx((0 + 11.119) / 2, abs=0.01)
    assert near1 != near0


def test_dry_run_saves_nothing_and_no_workers_is_an_error(engine, tmp_path):
    _setup(engine, tmp_path, [("A", 0, "english", 1)])
    with pytest.raises(EquitableError, match="no active outreach workers"):
        assign_caseloads(engine)
    create_user(engine, "w1", PW, "outreach_worker", capacity=1)
    res = assign_caseloads(engine, apply=False)
    assert len(res.assignments) == 1 and res.changed == 1
    with read_session(engine) as s:
        assert s.scalar(select(Case.assigned_worker_id)) is None
