"""Education Code 48985's 15% rule, notices in the family's language; users and throttling."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from equitable.auth._users import MAX_FAILURES, authenticate, login_throttled
from equitable.errors import EquitableError
from equitable.outreach import (
    create_user,
    ec48985_languages,
    import_queue,
    import_roster,
    render_notice,
)
from equitable.outreach._db import read_session, write_session
from equitable.outreach._models import Case, User
from equitable.outreach._testing import school_id

PW = "correct horse battery"


def _roster(engine, tmp_path, langs_by_school):
    lines, i = ["student_id,school_id,home_language"], 0
    for k, langs in langs_by_school.items():
        for lang, n in langs.items():
            for _ in range(n):
                lines.append(f"S{i:05d},{school_id(k)},{lang}")
                i += 1
    (tmp_path / "students.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_roster(engine, tmp_path / "students.csv")


def test_fifteen_percent_rule_at_its_boundary(sqlite_engine, tmp_path):
    # school 0: 3 of 20 speak Spanish = 15.0% (required); 2 of 20 Armenian = 10% (not)
    # school 1: 29 of 200 speak Spanish = 14.5% (not required)
    _roster(sqlite_engine, tmp_path, {
        0: {"english": 15, "spanish": 3, "armenian": 2},
        1: {"english": 171, "spanish": 29},
    })
    assert ec48985_languages(sqlite_engine, school_id(0)) == [("spanish", 3, 20)]
    assert ec48985_languages(sqlite_engine, school_id(1)) == []


def test_notice_in_the_family_language_plus_english(sqlite_engine, tmp_path):
    _roster(sqlite_engine, tmp_path, {0: {"english": 10, "spanish": 6, "korean": 4}})
    (tmp_path / "q.csv").write_text(
        "student_id,school_id,priority_rank,reasons,home_language,grade\n"
        f"S00010,{school_id(0)},1,x,spanish,7\nS00016,{school_id(0)},2,x,korean,8\n",
        encoding="utf-8")
    import_queue(sqlite_engine, tmp_path / "q.csv")
    admin_id = create_user(sqlite_engine, "admin", PW, "admin", display_name="Ms. Rivera")
    with read_session(sqlite_engine) as s:
        admin = s.get(User, admin_id)
        ids = {c.student_id: c.id for c in s.scalars(select(Case))}
    n = render_notice(sqlite_engine, admin, ids["S00010"], purpose="letter",
                      today=dt.date(2021, 2, 1))
    assert [lang for lang, _ in n.texts] == ["english", "spanish"]
    assert "grado 7" in n.texts[1][1] and "Ms. Rivera" in n.texts[1][1]
    # issue 21.6: the date written out in each notice's language, never ISO digits
    assert "This letter is dated February 1, 2021." in n.texts[0][1]
    assert "Esta carta tiene fecha del 1 de febrero de 2021." in n.texts[1][1]
    assert "2021-02-01" not in n.texts[0][1] + n.texts[1][1]
    # 6/20 Spanish = 30% and 4/20 Korean = 20%: both required; no Korean template exists
    assert n.required_languages == ["spanish", "korean"]
    assert n.missing_required == ["korean"]
    k = render_notice(sqlite_engine, admin, ids["S00016"], purpose="letter")
    assert [lang for lang, _ in k.texts] == ["english"] and k.family_language_without_template
    assert k.missing_languages == ["korean"]


def test_notice_names_the_school_and_how_to_reach_the_worker(sqlite_engine, tmp_path, data_dir):
    """Issue 21.6: school name, address and telephone from CDE's directory (Belmont Senior
    High as CDE publishes it), the worker's contact; families with no notice in their language
    are counted (suppressed when 10 or fewer)."""
    from equitable.outreach import import_schools
    from equitable.outreach._notices import families_without_notice

    belmont = "19647331930924"
    (tmp_path / "r.csv").write_text("student_id,school_id,home_language\n" + "".join(
        f"K{i:02d},{belmont},korean\n" for i in range(11)) + f"E1,{belmont},spanish\n")
    import_roster(sqlite_engine, tmp_path / "r.csv")
    (tmp_path / "q.csv").write_text("student_id,school_id,priority_rank,reasons,grade,"
                                    "reason_codes\n" + f'E1,{belmont},1,x,9,"absent_streak'
                                    '{days=24}; sb98_weeks{weeks=1}"\n' + "".join(
                                        f"K{i:02d},{belmont},{i + 2},x,9,\n" for i in range(11)))
    import_queue(sqlite_engine, tmp_path / "q.csv")
    import_schools(sqlite_engine, data_dir / "cde" / "pubschls_2018_los_angeles_county.csv")
    wid = create_user(sqlite_engine, "ana", PW, "admin", display_name="Ana Ruiz",
                      contact=" (213) 555-0142 ")
    with read_session(sqlite_engine) as s:
        ana = s.get(User, wid)
        cid = s.scalar(select(Case.id).where(Case.student_id == "E1"))
    n = render_notice(sqlite_engine, ana, cid, purpose="letter", today=dt.date(2021, 2, 1))
    en, es = n.texts[0][1], n.texts[1][1]
    assert "grade 9 at Belmont Senior High" in en
    assert "Belmont Senior High: 1575 West 2nd Street, Los Angeles, CA 90026-5701." in en
    assert "School telephone: (213) 241-4300." in en
    assert "Please call or write to Ana Ruiz at the school: (213) 555-0142." in en
    assert "Teléfono de la escuela: (213) 241-4300." in es
    # the reasons, from the one catalogue, in each notice's language
    assert "What our attendance records show: Absent 24 days in a row; SB 98: 1 week." in en
    assert ("Lo que muestran nuestros registros de asistencia: Ausente 24 días seguidos; "
            "SB 98: 1 semana.") in es
    assert "19647331930924" not in en + es  # never the bare CDS code
    # 11 Korean-speaking families (no Korean template): counted; the summary shows 11
    df = families_without_notice(sqlite_engine, ana)
    assert df.to_dict("records") == [{"language": "korean", "families": 11}]
    with write_session(sqlite_engine) as s:
        s.execute(update(Case).where(Case.student_id == "K00").values(status="closed"))
    df = families_without_notice(sqlite_engine, ana)
    assert df.to_dict("records") == [{"language": "korean", "families": "*"}]  # 10: suppressed


def test_passwords_are_argon2_and_bad_users_are_refused(sqlite_engine):
    uid = create_user(sqlite_engine, "Ana", PW, "outreach_worker")
    with read_session(sqlite_engine) as s:
        u = s.get(User, uid)
    assert u.username == "ana" and u.password_hash.startswith("$argon2id$")
    assert PW not in u.password_hash
    for kwargs, message in [
        ({"username": "x y", "password": PW, "role": "admin"}, "the user name must be"),
        ({"username": "bb1", "password": "short", "role": "admin"}, "at least 12 characters"),
        ({"username": "bb", "password": PW, "role": "boss"}, "unknown role 'boss'"),
        ({"username": "cc", "password": PW, "role": "school_staff"}, "need --school"),
        ({"username": "dd", "password": PW, "role": "partner"}, "needs --organization"),
        ({"username": "ana", "password": PW, "role": "admin"}, "the user name 'ana' is taken"),
    ]:
        with pytest.raises(EquitableError, match=message):
            create_user(sqlite_engine, **kwargs)


def test_login_throttling_after_five_failures(sqlite_engine):
    create_user(sqlite_engine, "ana", PW, "admin")
    assert authenticate(sqlite_engine, "ana", PW, "10.0.0.1").username == "ana"
    for _ in range(MAX_FAILURES - 1):
        assert authenticate(sqlite_engine, "ana", "wrong password!", "10.0.0.1") is None
    assert not login_throttled(sqlite_engine, "ana", "10.0.0.1")
    authenticate(sqlite_engine, "ana", "wrong password!", "10.0.0.1")
    assert login_throttled(sqlite_engine, "ana", "10.0.0.1")  # this user name from this address
    assert not login_throttled(sqlite_engine, "ana", "10.0.0.2")  # the real user elsewhere
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    assert not login_throttled(sqlite_engine, "ana", "10.0.0.1", now=later)
