"""Issue 21.3: attendance before and after the first successful contact, and the re-engagement
figures per reason and per school, against a small district computed by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from equitable.errors import InputError
from equitable.outreach import create_user, import_queue, import_roster
from equitable.outreach._cases import add_contact
from equitable.outreach._db import read_session, write_session
from equitable.outreach._followup import case_attendance, import_attendance, reengagement_counts
from equitable.outreach._models import Case, User
from equitable.outreach._testing import school_id

PW = "correct horse battery"
D = [dt.date(2021, 3, 1) + dt.timedelta(days=i) for i in range(30)]  # 30 instructional days
A, B = school_id(0), school_id(1)


def _att(present_days: set[int]) -> dict[int, str]:
    return {i: "present" if i in present_days else "absent_unexcused" for i in range(30)}


ALL = set(range(30))
# student -> (school, reason codes, attendance by day index)
STUDENTS = {
    "S00": (A, "absent_streak{days=5}; chronic{absent=8, enrolled=10}", _att({0, 1} | set(range(11, 30)))),
    "S01": (A, "absent_streak{days=5}; chronic{absent=8, enrolled=10}", _att(ALL - {15})),
    "S02": (A, "absent_streak{days=5}; chronic{absent=8, enrolled=10}", _att(ALL - {11, 12})),
    "S03": (A, "absent_streak{days=5}; chronic{absent=8, enrolled=10}", _att(ALL)),
    "S04": (A, "absent_streak{days=5}; chronic{absent=8, enrolled=10}", _att(ALL)),
    "S05": (A, "absent_streak{days=5}; chronic{absent=8, enrolled=10}", _att(ALL)),
    **{f"S{i:02d}": (A, "absent_streak{days=5}", _att(set())) for i in range(6, 12)},
    "S12": (B, "never_engaged", _att(ALL)),
    "S13": (B, "never_engaged", _att(ALL)),
}


@pytest.fixture
def world(engine, tmp_path):
    (tmp_path / "r.csv").write_text("student_id,school_id\n" + "".join(
        f"{sid},{sch}\n" for sid, (sch, _, _) in STUDENTS.items()))
    import_roster(engine, tmp_path / "r.csv")
    (tmp_path / "q.csv").write_text("priority_rank,student_id,school_id,reasons,reason_codes\n"
                                    + "".join(f'{i},{sid},{sch},x,"{codes}"\n' for i, (sid, (
                                        sch, codes, _)) in enumerate(STUDENTS.items(), 1)))
    import_queue(engine, tmp_path / "q.csv")
    lines = ["student_id,school_id,date,status"]
    for sid, (sch, _, att) in STUDENTS.items():
        lines += [f"{sid},{sch},{D[i].isoformat()},{st}" for i, st in att.items()]
    lines += [f"S99,{A},{D[0].isoformat()},present"]  # no case: left out, and counted
    (tmp_path / "attendance.csv").write_text("\n".join(lines) + "\n")
    assert import_attendance(engine, tmp_path / "attendance.csv") == (14 * 30, 1)
    admin_id = create_user(engine, "admin1", PW, "admin")
    with read_session(engine) as s:
        admin = s.get(User, admin_id)
        ids = {c.student_id: c.id for c in s.scalars(select(Case))}

    def contact(sid, day, outcome="reached"):
        add_contact(engine, admin, ids[sid], contacted_on=D[day], mode="phone",
                    language="english", outcome=outcome, today=D[29])

    for sid in ("S00", "S01", "S02", "S05", "S12", "S13"):
        contact(sid, 8, outcome="no_answer")  # attempts before the first success do not count
        contact(sid, 10)
        contact(sid, 12)                      # a later success does not move day 0
    contact("S03", 24)
    contact("S04", 10, outcome="no_answer")
    with write_session(engine) as s:
        s.execute(update(Case).where(Case.id == ids["S05"]).values(status="closed",
                                                                    close_reason="re_engaged"))
    return engine, admin, ids


def test_attendance_window_of_one_case(world):
    engine, admin, ids = world
    w = case_attendance(engine, admin, ids["S00"])
    # day 0 = D[10]; before: D[0..9], present on D[0] and D[1]; after: D[11..20], all present
    assert (w.contact_on, w.before_days, w.before_present, w.after_days, w.after_present) == (
        D[10], 10, 2, 10, 10)
    assert (w.before_pct, w.after_pct, w.re_engaged()) == ("20.0", "100.0", True)
    s03 = case_attendance(engine, admin, ids["S03"])
    assert (s03.after_days, s03.re_engaged()) == (5, None)  # D[25..29]: too soon to tell
    assert case_attendance(engine, admin, ids["S04"]) is None  # never reached


def test_reengagement_figures_equal_the_hand_count(world):
    engine, admin, _ = world
    by_reason, by_school = reengagement_counts(engine, admin)
    cols = ["group", "cases", "reached", "re_engaged", "awaiting", "closed"]
    # school A, 12 cases: reached S00 S01 S02 S03 S05 = 5; re-engaged (>= 9 of the 10 days
    # after): S00 10/10, S01 9/10, S05 10/10 = 3 (S02 8/10 is not); awaiting: S03 (5 days
    # after); closed: S05. School B has 2 cases: suppressed.
    assert by_school[cols].values.tolist() == [
        [A, 12, 5, 3, 1, 1], [B, "*", "*", "*", "*", "*"]]
    # by reason: absent_streak = all 12 of school A; chronic = S00-S05 (6, suppressed);
    # never_engaged = school B's 2 (suppressed)
    assert by_reason[cols].values.tolist() == [
        ["absent_streak", 12, 5, 3, 1, 1],
        ["chronic", "*", "*", "*", "*", "*"],
        ["never_engaged", "*", "*", "*", "*", "*"]]
    # the rate and the window are settings: at 80%, S02 (8/10) counts too; over 5 days
    # (D[11..15]), S00 5/5, S03 5/5 (D[25..29], no longer awaiting) and S05 5/5 count, while
    # S01 (absent D[15]: 4/5) and S02 (absent D[11], D[12]: 3/5) do not
    assert reengagement_counts(engine, admin, rate=80)[1].iloc[0].tolist()[1:] == [
        12, 5, 4, 1, 1]
    assert reengagement_counts(engine, admin, days=5)[1].iloc[0].tolist()[1:] == [
        12, 5, 3, 0, 1]


def test_bad_attendance_file_is_refused_whole(world, tmp_path):
    engine, admin, ids = world
    (tmp_path / "bad.csv").write_text(
        "student_id,date,status\nS00,2021-03-01,present\nS00,2021-02-30,present\n"
        "S01,2021-03-01,here\nS00,2021-03-01,absent_excused\n")
    with pytest.raises(InputError) as exc:
        import_attendance(engine, tmp_path / "bad.csv")
    msg = str(exc.value)
    assert "1 value of column 'date' that is not a date YYYY-MM-DD (row 3)" in msg
    assert "1 unknown status in column 'status' (row 4;" in msg
    assert "1 row repeating a student and date (row 5)" in msg
    assert "S00" not in msg and "S01" not in msg
    # the previous load is untouched
    assert case_attendance(engine, admin, ids["S00"]).before_present == 2
