"""The console's aggregate (cases by school and status) goes through equitable.privacy."""

from __future__ import annotations

from equitable.outreach import case_counts, create_user, import_queue, import_roster
from equitable.outreach._db import read_session
from equitable.outreach._models import User
from equitable.outreach._testing import school_id, write_queue, write_roster
from equitable.privacy import assert_no_disclosure


def test_case_counts_suppress_small_schools_and_pass_the_audit(sqlite_engine, tmp_path):
    engine = sqlite_engine
    # 25 students over 2 schools: even-numbered students -> school 0 (13), odd -> school 1 (12);
    # then 7 more students in a third school, which must be suppressed (7 <= 10).
    roster = write_roster(tmp_path / "students.csv", 25, n_schools=2)
    extra = [(f"X{i:07d}", school_id(2), "english") for i in range(7)]
    lines = (tmp_path / "students.csv").read_text(encoding="utf-8").splitlines()
    template = lines[1].split(",")
    for sid, sch, lang in extra:
        row = list(template)
        row[0], row[1], row[-1] = sid, sch, lang
        lines.append(",".join(row))
    (tmp_path / "students.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_roster(engine, tmp_path / "students.csv")
    write_queue(tmp_path / "q.csv", roster + extra)
    import_queue(engine, tmp_path / "q.csv")
    create_user(engine, "admin", "correct horse battery", "admin")
    with read_session(engine) as s:
        admin = s.query(User).filter_by(username="admin").one()
        s.expunge(admin)

    df = case_counts(engine, admin)
    by_school = dict(zip(df["school_id"], df["cases"]))
    assert by_school[school_id(0)] == 13  # hand count: students 0, 2, ..., 24
    assert by_school[school_id(1)] == 12
    assert by_school[school_id(2)] == "*"  # 7 students: suppressed, never shown as 0
    # no total row is published beside it, so the audit finds nothing derivable
    assert_no_disclosure(df, count_col="cases", group_cols=["school_id", "status"])
