"""CDE's chronic absenteeism download (fsabd.asp layout): both header spellings, '*' as missing,
one aggregate level, codes with their zeros, and one-line errors for impossible or damaged rows.
Files are built here in the official tab-delimited layout; the numbers are computed by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from equitable.data import read_chronic_absenteeism
from equitable.errors import InputError

NEW = ["Academic Year", "Aggregate Level", "County Code", "District Code", "School Code",
       "County Name", "District Name", "School Name", "Charter School", "DASS",
       "Reporting Category", "ChronicAbsenteeismEligibleCumulativeEnrollment",
       "ChronicAbsenteeismCount", "ChronicAbsenteeismRate"]
OLD = ["AcademicYear", "AggregateLevel", "CountyCode", "DistrictCode", "SchoolCode", "CountyName",
       "DistrictName", "SchoolName", "CharterSchool", "DASS", "ReportingCategory",
       "CumulativeEnrollment", "ChronicAbsenteeismEligibleCumulativeEnrollment",
       "ChronicAbsenteeismCount", "ChronicAbsenteeismRate"]

# (level, county, district, school, school name, charter, dass, category, eligible, count, rate)
ROWS = [
    ("T", "00", "", "", "", "All", "All", "TA", "5900000", "1475000", "25.0"),
    ("C", "19", "", "", "", "All", "All", "TA", "1400000", "350000", "25.0"),
    ("D", "19", "64733", "", "", "All", "All", "TA", "410000", "123000", "30.0"),
    ("D", "19", "64733", "", "", "Yes", "All", "TA", "60000", "12000", "20.0"),
    ("D", "19", "64733", "", "", "No", "All", "TA", "350000", "111000", "31.7"),
    # a school with an All row and its own No row: the All row is kept
    ("S", "19", "64733", "0100016", "Escuela Uno", "All", "All", "TA", "400", "100", "25.0"),
    ("S", "19", "64733", "0100016", "Escuela Uno", "No", "No", "TA", "400", "100", "25.0"),
    ("S", "19", "64733", "0100016", "Escuela Uno", "All", "All", "SE", "120", "40", "33.3"),
    # a small school: CDE suppresses all three cells
    ("S", "19", "64733", "0111005", "Small School", "All", "All", "TA", "*", "*", "*"),
    # a school with only its own row (no All row)
    ("S", "19", "64733", "6015556", "Escuela Tres", "No", "No", "TA", "250", "33", "13.2"),
    # another district's school: county 01 keeps its zero
    ("S", "01", "61119", "0130229", "Alameda School", "All", "All", "TA", "90", "9", "10.0"),
]


def write(path: Path, header: list[str], rows: list[tuple], year: str = "2023-24",
          newline: str = "\n") -> Path:
    lines = ["\t".join(header)]
    for r in rows:
        lvl, county, district, school, name, charter, dass, cat, elig, count, rate = r
        cells = [year, lvl, county, district, school, "Los Angeles", "Los Angeles Unified", name,
                 charter, dass, cat]
        if "CumulativeEnrollment" in header:
            cells.append("*" if elig == "*" else str(int(elig) + 5) if elig.isdigit() else elig)
        cells += [elig, count, rate]
        lines.append("\t".join(cells))
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
    return path


def message(path: Path, **kw) -> str:
    with pytest.raises(InputError) as e:
        read_chronic_absenteeism(path, **kw)
    return str(e.value)


def test_the_two_header_spellings_are_the_official_layout(data_dir):
    """The headers used here are the two columns of CDE's layout file (fsabd.asp)."""
    with open(data_dir / "attendance" / "cde_chronic_absenteeism_file_columns.csv",
              encoding="utf-8") as f:
        layout = list(csv.DictReader(f))
    old = [r["older_header_2016_17_to_c2022_23"].replace("CharterYN (early) / ", "")
           for r in layout]
    new = [r["newer_header_2023_24_on"] for r in layout if not r["newer_header_2023_24_on"]
           .startswith("(not in")]
    assert old == OLD
    assert new == NEW


@pytest.mark.parametrize("header", [NEW, OLD], ids=["2023-24 on", "2016-17 to 2022-23"])
def test_school_level_rows_with_star_as_missing(tmp_path, header):
    df = read_chronic_absenteeism(write(tmp_path / "chronicabsenteeism24.txt", header, ROWS))
    assert list(df["cds_code"]) == ["19647330100016", "19647330111005", "19647336015556",
                                    "01611190130229"]
    by = df.set_index("cds_code")
    assert by.loc["19647330100016", "chronic_absence_pct"] == 25.0
    assert by.loc["19647330100016", "eligible_enrollment"] == 400
    assert by.loc["19647330100016", "chronic_absent_count"] == 100
    assert by.loc["19647330100016", "charter_school"] == "All"
    # '*' is missing, never 0
    small = by.loc["19647330111005"]
    assert pd.isna(small["chronic_absence_pct"]) and pd.isna(small["eligible_enrollment"])
    assert pd.isna(small["chronic_absent_count"])
    assert by.loc["19647336015556", "chronic_absence_pct"] == 13.2
    assert by.loc["01611190130229", "county_code"] == "01"
    assert df.attrs["suppressed"] == 1 and df.attrs["academic_year"] == "2023-24"
    assert df.attrs["rows_read"] == len(ROWS)
    if "CumulativeEnrollment" in header:
        assert by.loc["19647330100016", "cumulative_enrollment"] == 405
    else:
        assert df["cumulative_enrollment"].isna().all()


def test_each_aggregate_level_and_reporting_category(tmp_path):
    p = write(tmp_path / "ca.txt", NEW, ROWS)
    d = read_chronic_absenteeism(p, level="district")
    # the All row of the charter filter, not Yes + No (which would count students twice)
    assert list(d["cds_code"]) == ["19647330000000"]
    assert d["eligible_enrollment"].tolist() == [410000] and d["chronic_absence_pct"].tolist() == [30.0]
    c = read_chronic_absenteeism(p, level="county")
    assert list(c["cds_code"]) == ["19000000000000"] and c["chronic_absent_count"].tolist() == [350000]
    t = read_chronic_absenteeism(p, level="state")
    assert list(t["cds_code"]) == ["00000000000000"] and t["chronic_absence_pct"].tolist() == [25.0]
    el = read_chronic_absenteeism(p, reporting_category="SE")
    assert list(el["cds_code"]) == ["19647330100016"] and el["chronic_absence_pct"].tolist() == [33.3]


def test_crlf_bom_and_excel_dropped_zeros_read_the_same(tmp_path):
    base = read_chronic_absenteeism(write(tmp_path / "a.txt", NEW, ROWS))
    crlf = write(tmp_path / "b.txt", NEW, ROWS, newline="\r\n")
    bom = tmp_path / "c.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + crlf.read_bytes())
    unpadded = [tuple(c.lstrip("0") if i in (1, 3) and c else c for i, c in enumerate(r))
                for r in ROWS]
    for p in (crlf, bom, write(tmp_path / "d.txt", NEW, unpadded)):
        pd.testing.assert_frame_equal(read_chronic_absenteeism(p), base)


def test_several_years_need_a_choice(tmp_path):
    p = tmp_path / "two.txt"
    write(p, NEW, ROWS[5:6], year="2022-23")
    later = write(tmp_path / "later.txt", NEW, ROWS[5:6], year="2023-24")
    p.write_text(p.read_text() + later.read_text().split("\n", 1)[1])
    msg = message(p)
    assert msg == f"{p}: holds 2 academic years (2022-23, 2023-24); choose one (academic_year)"
    df = read_chronic_absenteeism(p, academic_year="2022-23")
    assert df["academic_year"].tolist() == ["2022-23"]


def _with(rows, i, **change):
    names = ["level", "county", "district", "school", "name", "charter", "dass", "category",
             "eligible", "count", "rate"]
    r = dict(zip(names, rows[i]))
    r.update(change)
    out = list(rows)
    out[i] = tuple(r[n] for n in names)
    return out


@pytest.mark.parametrize(("change", "line", "expected"), [
    ({"count": "500"}, 7, ("column 'ChronicAbsenteeismCount': 500 chronically absent students "
                           "but only 400 eligible students")),
    ({"rate": "52.0"}, 7, ("column 'ChronicAbsenteeismRate': 52.0 differs from 100 / 400 x 100 "
                           "= 25.0 (count / eligible enrollment)")),
    ({"rate": "125.0", "count": "*", "eligible": "*"}, 7,
     "column 'ChronicAbsenteeismRate': 125.0 is not a rate between 0 and 100"),
    ({"count": "-3"}, 7, "column 'ChronicAbsenteeismCount': -3 is negative (a count of students)"),
    ({"eligible": "400.5"}, 7,
     "column 'ChronicAbsenteeismEligibleCumulativeEnrollment': '400.5' is not a whole number"),
    ({"rate": ""}, 7, ("column 'ChronicAbsenteeismRate': blank cell (CDE writes '*' for a "
                       "suppressed value; a blank means a damaged or truncated row)")),
    ({"count": "n/a"}, 7, "column 'ChronicAbsenteeismCount': 'n/a' is not a number"),
    ({"level": "X"}, 7, "column 'Aggregate Level': 'X' is not an aggregate level (T, C, D or S)"),
    ({"school": "01000160"}, 7,
     "column 'School Code': '01000160' is not a school code (7 digits: the school part of the "
     "CDS code)"),
    ({"school": ""}, 7, ("column 'School Code': '(blank)' is not a school code (aggregate level S "
                         "rows need one)")),
])
def test_impossible_or_damaged_rows_are_refused(tmp_path, change, line, expected):
    p = write(tmp_path / "bad.txt", NEW, _with(ROWS, 5, **change))
    assert message(p) == f"{p}, row {line}, {expected}"


def test_an_impossible_cell_in_a_row_not_kept_still_refuses_the_file(tmp_path):
    """The English learner (SE) row of a school: not the rows read by default, but a count above
    the eligible students means the file is damaged."""
    p = write(tmp_path / "bad.txt", NEW, _with(ROWS, 7, count="121"))
    assert message(p) == (f"{p}, row 9, column 'ChronicAbsenteeismCount': 121 chronically absent "
                          "students but only 120 eligible students")
    cut = write(tmp_path / "blank.txt", NEW, _with(ROWS, 1, rate=""))
    assert message(cut, level="school").startswith(f"{cut}, row 3, column 'ChronicAbsenteeismRate': blank")


def test_duplicate_school_row_is_refused(tmp_path):
    p = write(tmp_path / "dup.txt", NEW, [*ROWS, ROWS[9]])
    assert message(p) == (f"{p}, row 13, column 'School Code': duplicate value '19647336015556' "
                          "(same as row 11)")


def test_truncated_file_is_refused(tmp_path):
    """A download cut off mid-row: the last row has fewer cells; never read as a short rate."""
    p = write(tmp_path / "cut.txt", NEW, ROWS)
    text = p.read_text()
    p.write_text(text[: text.rindex("\t10.0")] + "\t1")
    msg = message(p)
    assert msg.startswith(f"{p}, row 12, column 'ChronicAbsenteeism")


def test_missing_column_and_bad_arguments(tmp_path):
    p = write(tmp_path / "a.txt", NEW, ROWS)
    p.write_text("\n".join(line.rsplit("\t", 1)[0] for line in p.read_text().splitlines()))
    assert message(p) == f"{p}: missing column 'ChronicAbsenteeismRate'"
    ok = write(tmp_path / "ok.txt", NEW, ROWS)
    assert "unknown aggregate level 'campus'" in message(ok, level="campus")
    assert "unknown reporting category 'ZZ'" in message(ok, reporting_category="ZZ")
    assert message(ok, reporting_category="SF") == (
        f"{ok}: no row with aggregate level S and reporting category SF")


def test_reads_equitable_engagements_own_cde_layout_summary(tmp_path, capsys):
    """`equitable engagement` writes school_summary.csv in CDE's older header spelling; the
    reader takes it back: the district row of the sample is 50 of 185 eligible, 27.0%."""
    from equitable.cli import main

    sample = Path(__file__).resolve().parents[2] / "examples" / "engagement-sample"
    try:
        main(["engagement", str(sample), "-o", str(tmp_path / "out")])
    except SystemExit as exc:
        assert exc.code in (0, None)
    capsys.readouterr()
    summary = tmp_path / "out" / "school_summary.csv"
    d = read_chronic_absenteeism(summary, level="district")
    assert d["cds_code"].tolist() == ["99999990000000"]
    assert (d["eligible_enrollment"].tolist(), d["chronic_absent_count"].tolist()) == ([185], [50])
    assert d["chronic_absence_pct"].tolist() == [27.0]  # 50 / 185 x 100 = 27.03
    s = read_chronic_absenteeism(summary)
    assert s["cds_code"].str.startswith("9999999").all() and len(s) >= 2
    assert (s["chronic_absent_count"] <= s["eligible_enrollment"]).all()
