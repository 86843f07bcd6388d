"""Issue 14, "nothing silent": a queue flag that is not Y/N ("maybe") was read as "no" and the
case opened without it; a rank column was named by its database name; the scientific-notation
message named the file twice. Now the file is rejected whole, naming rows and columns."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from equitable.errors import InputError
from equitable.outreach import import_queue, import_roster, import_schools
from equitable.outreach._db import read_session
from equitable.outreach._models import Case
from equitable.outreach._testing import school_id, write_roster

HEADER = "priority_rank,student_id,school_id,foster,homeless,reasons\n"


@pytest.fixture
def roster(engine, tmp_path):
    write_roster(tmp_path / "students.csv", 20, n_schools=2)
    assert import_roster(engine, tmp_path / "students.csv").opened == 20


def _cases(engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(Case))


def test_queue_flag_that_is_not_y_or_n_rejects_the_file(engine, roster, tmp_path):
    p = tmp_path / "q.csv"
    p.write_text(HEADER
                 + f"1,S0000003,{school_id(1)},Y,N,never engaged\n"
                 + f"2,S0000000,{school_id(0)},maybe,N,absent\n"
                 + f"3,S0000002,{school_id(0)},N,sometimes,absent\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_queue(engine, p)
    assert str(err.value) == (
        f"{p}: rejected, nothing was imported: 1 value of column 'foster' that is not Y or N "
        "(row 3; accepted: Y or N (also Yes/No, true/false, 1/0; blank or NA when not known)); "
        "1 value of column 'homeless' that is not Y or N (row 4; accepted: Y or N (also Yes/No, "
        "true/false, 1/0; blank or NA when not known))")
    assert "maybe" not in str(err.value)  # no flag value of a student in a message
    assert _cases(engine) == 0
    # the accepted spellings still import: Yes/true/1 set the flag, No/false/0/blank do not
    p.write_text(HEADER
                 + f"1,S0000003,{school_id(1)},Yes,0,never engaged\n"
                 + f"2,S0000000,{school_id(0)},false,TRUE,absent\n"
                 + f"3,S0000002,{school_id(0)},,NA,absent\n", encoding="utf-8")
    assert import_queue(engine, p).opened == 3
    with read_session(engine) as s:
        flags = {c.student_id: c.flags for c in s.scalars(select(Case))}
    assert flags == {"S0000003": "foster", "S0000000": "homeless", "S0000002": ""}


def test_priority_errors_name_the_files_column(engine, roster, tmp_path):
    p = tmp_path / "q.csv"
    p.write_text("priority,student_id,school_id,reasons\n"
                 f"1,S0000003,{school_id(1)},x\n"
                 f"99999999999,S0000000,{school_id(0)},x\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_queue(engine, p)
    assert str(err.value) == (
        f"{p}: rejected, nothing was imported: 1 value of column 'priority' outside the "
        "database's whole-number range (-2,147,483,648 to 2,147,483,647) (row 3)")


def test_school_file_problems_name_the_file_once(engine, tmp_path):
    p = tmp_path / "schools.csv"
    p.write_text("CDSCode,School,Latitude,Longitude\n19647331935121,Alpha,134.05,-118.2\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_schools(engine, p)
    assert str(err.value) == (
        f"{p}: rejected, nothing was imported: row 2, column 'Latitude': not a latitude between "
        "-90 and 90 degrees")
