"""Staffing inputs: each bad file gets one clear line naming file, row and column."""

from __future__ import annotations

import pandas as pd
import pytest

from equitable.errors import InputError
from equitable.staffing import read_cde_staff_fte, read_positions, read_staff_schools

HEADER = ("position_id,cds_code,job_class,subject,fte,status,date_opened,date_filled,"
          "credential,in_field,years_experience\n")
GOOD = [
    "P1,19647330000001,teacher,mathematics,1,filled,2024-08-01,2024-08-20,clear,yes,5",
    "P2,19647330000001,counselor,,1,vacant,2024-07-15,,,,",
    "P3,19647330000001,teacher,english,0.5,filled,,,intern,no,1",
]


def _write(tmp_path, rows, header=HEADER, name="positions.csv"):
    p = tmp_path / name
    p.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def test_good_file_reads_with_types(tmp_path):
    df = read_positions(_write(tmp_path, GOOD))
    assert df["position_id"].tolist() == ["P1", "P2", "P3"]
    assert df["fte"].tolist() == [1.0, 1.0, 0.5]
    assert df["status"].tolist() == ["filled", "vacant", "filled"]
    assert str(df["date_opened"].iloc[1].date()) == "2024-07-15"
    assert df["date_filled"].isna().tolist() == [False, True, True]
    assert df["in_field"].tolist() == ["yes", None, "no"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        # unknown job class
        ("P9,19647330000001,janitor,,1,filled,,,,,",
         "row 5, column 'job_class': 'janitor' is not a job class (one of: counselor, nurse, "
         "other, psa_counselor, psychologist, social_worker, teacher)"),
        # FTE out of range
        ("P9,19647330000001,counselor,,1.5,filled,,,,,",
         "row 5, column 'fte': FTE 1.5 is out of range (a position is more than 0 and at most "
         "1.0 FTE)"),
        ("P9,19647330000001,counselor,,0,filled,,,,,",
         "row 5, column 'fte': FTE 0 is out of range (a position is more than 0 and at most "
         "1.0 FTE)"),
        # date filled before date opened
        ("P9,19647330000001,counselor,,1,filled,2024-09-01,2024-08-01,,,",
         "row 5, column 'date_filled': date filled 2024-08-01 is before date opened 2024-09-01"),
        # duplicate position id
        ("P2,19647330000001,nurse,,0.5,filled,,,,,",
         "row 5, column 'position_id': duplicate value 'P2' (same as row 3)"),
        # a filled teaching position without its credential
        ("P9,19647330000001,teacher,arts,1,filled,,,,yes,4",
         "row 5, column 'credential': a filled teaching position needs a value here"),
        ("P9,19647330000001,teacher,arts,1,filled,,,emergency,yes,4",
         "row 5, column 'credential': 'emergency' is not a credential status (one of: clear, "
         "intern, none, permit, waiver)"),
        ("P9,19647330000001,teacher,arts,1,vacant,2024-09-01,,clear,,",
         "row 5, column 'credential': a vacant position has no incumbent: leave this blank"),
        ("P9,19647330000001,teacher,arts,1,vacant,,,,,",
         "row 5, column 'date_opened': a vacant position needs the date it opened"),
        ("P9,19647330000001,teacher,arts,1,filled,2024-13-01,,clear,yes,4",
         "row 5, column 'date_opened': '2024-13-01' is not a date (YYYY-MM-DD or M/D/YYYY)"),
        ("P9,1964733000000X,teacher,arts,1,filled,,,clear,yes,4",
         "row 5, column 'cds_code': '1964733000000X' is not a CDS code (14 digits: county 2 + "
         "district 5 + school 7)"),
        ("P9,19647330000001,teacher,arts,1,filled,,,clear,yes,-1",
         "row 5, column 'years_experience': -1 years of experience is out of range (0 to 60)"),
        # a career of 150 years (issue 14: accepted before)
        ("P9,19647330000001,teacher,english,1,filled,,,clear,yes,150",
         "row 5, column 'years_experience': 150 years of experience is out of range (0 to 60)"),
    ],
)
def test_bad_rows_get_one_clear_line(tmp_path, row, message):
    p = _write(tmp_path, [*GOOD, row])
    with pytest.raises(InputError) as exc:
        read_positions(p)
    assert str(exc.value) == f"{p}, {message}"


def test_many_bad_values_are_counted(tmp_path):
    rows = [*GOOD, "P8,19647330000001,cook,,1,filled,,,,,", "P9,19647330000001,driver,,1,"
            "filled,,,,,"]
    p = _write(tmp_path, rows)
    with pytest.raises(InputError, match=r"row 5, .* \(1 more in this column\)$"):
        read_positions(p)


def test_missing_and_unknown_columns(tmp_path):
    p = _write(tmp_path, ["P1,19647330000001,teacher,1"],
               header="position_id,cds_code,job_class,fte\n")
    with pytest.raises(InputError) as exc:
        read_positions(p)
    assert str(exc.value) == f"{p}: missing column 'status'"
    p = _write(tmp_path, ["P1,19647330000001,counselor,1,filled,x"],
               header="position_id,cds_code,job_class,fte,status,salary\n")
    with pytest.raises(InputError) as exc:
        read_positions(p)
    assert str(exc.value) == (f"{p}: unknown column 'salary' (docs/staffing.md lists the "
                              "positions layout)")


def test_schools_table_aliases_and_levels(tmp_path):
    p = tmp_path / "schools.csv"
    p.write_text("cds,school_name,span,enrollment,pct_frpm\n"
                 "19647331935121,A,high,913,89.3757\n"
                 "19647330126615,B,k12,474,77.8\n", encoding="utf-8")
    s = read_staff_schools(p)
    assert s["cds_code"].tolist() == ["19647331935121", "19647330126615"]
    assert s["level"].tolist() == ["high", "other"]
    assert s["enrollment"].tolist() == [913.0, 474.0]
    assert s["pct_minority"].isna().all()
    p.write_text("cds,span,enrollment,pct_frpm\n19647331935121,college,913,89\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_staff_schools(p)
    assert str(exc.value) == (f"{p}, row 2, column 'span': 'college' is not a school level "
                              "(elementary, middle, high, k12 or other)")
    p.write_text("cds,enrollment,pct_frpm\n19647331935121,913,189\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column 'pct_frpm': 189.0 is out of range"):
        read_staff_schools(p)


def test_real_lausd_schools_table(data_dir):
    s = read_staff_schools(data_dir / "lausd" / "schools_2024_25.csv")
    # data README: 651 schools, one row each
    assert len(s) == 651
    assert set(s["level"].dropna()) <= {"elementary", "middle", "high", "other"}
    assert s.loc[s["cds_code"] == "19647331935121", "enrollment"].item() == 913


def test_cde_staff_school_fte_layout(tmp_path):
    # CDE "File Structure: Staff School FTE": FTE 100 = one full-time equivalent
    p = tmp_path / "StaffSchoolFTE.txt"
    p.write_text(
        "AcademicYear\tRecID\tDistrictCode\tSchoolCode\tCountyName\tDistrictName\tSchoolName\t"
        "JobClassification\tStaffType\tFTE\tFileCreated\n"
        "1819\t0000001\t1964733\t1935121\tLos Angeles\tLAUSD\tA\t12\tT\t100\t2019-05-01\n"
        "1819\t0000002\t1964733\t1935121\tLos Angeles\tLAUSD\tA\t12\tT\t50\t2019-05-01\n"
        "1819\t0000003\t1964733\t1935121\tLos Angeles\tLAUSD\tA\t11\tP\t80\t2019-05-01\n",
        encoding="utf-8")
    df = read_cde_staff_fte(p)
    assert df.to_dict(orient="records") == [
        {"cds_code": "19647331935121", "academic_year": "1819", "staff_type": "pupil_services",
         "fte": 0.8, "staff": 1},
        {"cds_code": "19647331935121", "academic_year": "1819", "staff_type": "teacher",
         "fte": 1.5, "staff": 2},
    ]
    p.write_text(p.read_text().replace("\t12\tT\t50", "\t12\tX\t50"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_cde_staff_fte(p)
    assert str(exc.value) == (f"{p}, row 3, column 'StaffType': 'X' is not a CDE staff type "
                              "(A, P or T)")


def test_report_joins_cde_staff_fte(tmp_path):
    from equitable.staffing import report_files

    pos = _write(tmp_path, GOOD)
    sch = tmp_path / "schools.csv"
    sch.write_text("cds_code,enrollment,pct_frpm\n19647330000001,400,80\n"
                   "19647330000002,300,20\n", encoding="utf-8")
    cde = tmp_path / "StaffSchoolFTE.txt"
    cde.write_text(
        "AcademicYear\tRecID\tDistrictCode\tSchoolCode\tJobClassification\tStaffType\tFTE\n"
        "2324\t1\t1964733\t0000001\t12\tT\t100\n"
        "2324\t2\t1964733\t0000001\t11\tP\t50\n"
        "2324\t3\t1964733\t0000001\t11\tP\t30\n", encoding="utf-8")
    r = report_files(pos, sch, tmp_path / "out", cde_fte=cde)
    out = pd.read_csv(tmp_path / "out" / "staffing_schools.csv", dtype={"cds_code": str})
    first = out.iloc[0]
    # 0.5 + 0.3 = 0.8 pupil services FTE for 400 students -> 500.0 per FTE
    assert (first["cde_teacher_fte"], first["cde_pupil_services_fte"],
            first["students_per_pupil_services_cde"]) == (1.0, 0.8, 500.0)
    assert pd.isna(out.iloc[1]["cde_teacher_fte"])
    assert "CDE Staff School FTE 2324: 1 school(s) without a row" in r.notes
