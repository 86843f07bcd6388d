"""The three FRPM forms (official Excel with the header on row 2, tab-delimited text, CSV),
CDE's `*` suppression, and the one-line errors naming file, row and column."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import xlsxwriter

from equitable.data import (
    read_calenviroscreen,
    read_frpm,
    read_lausd_schools,
    read_neighbourhoods,
    read_school_directory,
    read_tracts,
)
from equitable.errors import InputError

# The official workbook's headers hold line breaks (e.g. "Enrollment \n(K-12)").
OFFICIAL_HEADER = [
    "Academic\nYear", "County\nCode", "District\nCode", "School\nCode", "County Name",
    "District Name", "School Name", "District Type", "School Type", "Educational \nOption Type",
    "Charter \nSchool (Y/N)", "Charter \nSchool \nNumber", "Charter \nFunding \nType", "IRC",
    "Low \nGrade", "High \nGrade", "Enrollment \n(K-12)", "Free Meal \nCount \n(K-12)",
    "Percent (%) \nEligible Free \n(K-12)", "FRPM Count \n(K-12)",
    "Percent (%) \nEligible FRPM \n(K-12)", "Enrollment \n(Ages 5-17)",
    "Free Meal \nCount \n(Ages 5-17)", "Percent (%) \nEligible Free \n(Ages 5-17)",
    "FRPM Count \n(Ages 5-17)", "Percent (%) \nEligible FRPM \n(Ages 5-17)",
    "CALPADS Fall 1 \nCertification Status",
]

ROWS = [
    # county, district, school, name, charter, funding, enrollment, free, frpm, e517, f517, p517
    ["2023-2024", "19", "64733", "1935121", "Los Angeles", "Los Angeles Unified",
     "Abraham Lincoln Senior High", "Unified School District", "High Schools (Public)",
     "Traditional", "No", "", "", "Y", "9", "12", 942, 800, 800 / 942, 806, 806 / 942, 900,
     760, 760 / 900, 770, 770 / 900, "Y"],
    ["2023-2024", "19", "64733", "0100289", "Los Angeles", "Los Angeles Unified",
     "Tiny School", "Unified School District", "Elementary Schools (Public)", "Traditional",
     "Yes", "0521", "Locally funded", "Y", "K", "5", 8, "*", "*", "*", "*", 8, "*", "*", "*",
     "*", "Y"],
]


def _write_official_xlsx(path: Path, rows=ROWS) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    title = wb.add_worksheet("Title Page")
    title.write(0, 0, "Free or Reduced-Price Meal (Student Poverty) Data 2023-24")
    ws = wb.add_worksheet("FRPM School-Level Data ")
    ws.write(0, 0, "Free or Reduced-Price Meal (Student Poverty) Data, 2023-24 (School-Level)")
    for c, h in enumerate(OFFICIAL_HEADER):
        ws.write_string(1, c, h)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, str):
                ws.write_string(r + 2, c, v)
            else:
                ws.write_number(r + 2, c, v)
    wb.close()
    return path


def _write_text(path: Path, sep: str, rows=ROWS) -> Path:
    lines = [sep.join(h.replace("\n", " ") for h in OFFICIAL_HEADER)]  # doubled spaces stay
    for row in rows:
        lines.append(sep.join(str(v) for v in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("form", ["xlsx", "txt", "csv"])
def test_frpm_three_forms_read_the_same(tmp_path, form):
    if form == "xlsx":
        p = _write_official_xlsx(tmp_path / "frpm2324.xlsx")
    elif form == "txt":
        p = _write_text(tmp_path / "frpm2324.txt", "\t")
    else:
        p = _write_text(tmp_path / "frpm2324.csv", ",")
    f = read_frpm(p).set_index("cds_code")
    assert list(f.index) == ["19647331935121", "19647330100289"]
    lincoln = f.loc["19647331935121"]
    assert lincoln["enrollment_k12"] == 942
    assert lincoln["frpm_pct_k12"] == pytest.approx(806 / 942 * 100)
    assert lincoln["charter"] == "N"
    tiny = f.loc["19647330100289"]
    # `*` is missing, never 0
    assert tiny["frpm_count_k12"] is not None and str(tiny["frpm_count_k12"]) == "<NA>"
    assert math.isnan(tiny["frpm_pct_k12"])
    assert tiny["charter"] == "Y" and tiny["charter_funding_type"] == "Locally funded"
    assert tiny["enrollment_k12"] == 8


def test_excel_error_names_the_spreadsheet_row(tmp_path):
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[1][16] = "eight"  # Enrollment (K-12) of the second school, spreadsheet row 4
    p = _write_official_xlsx(tmp_path / "frpm.xlsx", rows)
    with pytest.raises(InputError) as exc:
        read_frpm(p)
    assert str(exc.value) == (
        f"{p} [sheet 'FRPM School-Level Data '], row 4, column 'Enrollment (K-12)': "
        "'eight' is not a number"
    )


def test_frpm_percent_outside_0_1_is_an_error(tmp_path):
    rows = [list(ROWS[0])]
    rows[0][20] = 85.6  # someone typed a percent into a fraction column
    p = _write_text(tmp_path / "frpm.csv", ",", rows)
    with pytest.raises(InputError) as exc:
        read_frpm(p)
    assert str(exc.value) == (
        f"{p}, row 2, column 'Percent (%) Eligible FRPM (K-12)': 85.6 is not a fraction between "
        "0 and 1 (CDE's percent columns are fractions)"
    )


def test_frpm_missing_column(tmp_path):
    p = tmp_path / "frpm.csv"
    p.write_text("Academic Year,County Code\n2023-2024,19\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_frpm(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}: missing columns 'District Code', 'School Code', ")


def test_frpm_duplicate_school_year(tmp_path):
    p = _write_text(tmp_path / "frpm.csv", ",", [ROWS[0], ROWS[1], ROWS[0]])
    with pytest.raises(InputError) as exc:
        read_frpm(p)
    assert str(exc.value) == (
        f"{p}, row 4, column 'School Code': duplicate value '19647331935121 / 2023-2024' (same as row 2)"
    )


SCHOOLS_HEADER = ("cds,school_name,span,enrollment,pct_frpm,pct_el,pct_swd,fed_ppe,sl_ppe,"
                  "total_ppe,ela_prior_pct_met,ela_pct_met\n")


def test_lausd_table_pads_cds_lost_by_a_spreadsheet(tmp_path):
    # a CDS code that starts with 0 (county 01) loses its zero when a spreadsheet saves it
    p = tmp_path / "schools.csv"
    p.write_text(SCHOOLS_HEADER
                 + "1611190130229,Alameda High,high,1700,30.5,10.2,12.0,1,2,3,50,51.5\n"
                 + "19647331935121,Lincoln,high,913,89.3757,6.7961,14.0777,1,2,3,65.3,*\n",
                 encoding="utf-8")
    s = read_lausd_schools(p)
    assert list(s["cds_code"]) == ["01611190130229", "19647331935121"]
    assert math.isnan(s.loc[1, "ela_met_pct"])  # `*` suppressed -> missing, not 0


def test_lausd_table_bad_cds_code(tmp_path):
    p = tmp_path / "schools.csv"
    p.write_text(SCHOOLS_HEADER
                 + "19647331935121,Lincoln,high,913,89.3,6.7,14.0,1,2,3,65.3,64.1\n"
                 + "1964733-1935,Other,high,913,89.3,6.7,14.0,1,2,3,65.3,64.1\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_lausd_schools(p)
    assert str(exc.value) == (
        f"{p}, row 3, column 'cds': '1964733-1935' is not a CDS code (14 digits: county 2 + "
        "district 5 + school 7)"
    )


def test_lausd_table_percent_out_of_range(tmp_path):
    p = tmp_path / "schools.csv"
    p.write_text(SCHOOLS_HEADER
                 + "19647331935121,Lincoln,high,913,89.3,6.7,14.0,1,2,3,65.3,64.1\n"
                 + "19647330126615,Carson,high,474,778.481,3.3,17.5,1,2,3,68.1,59.2\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_lausd_schools(p)
    assert str(exc.value) == (
        f"{p}, row 3, column 'pct_frpm': 778.481 is out of range (in_range(0, 100))"
    )


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: file not found$"):
        read_lausd_schools(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty$"):
        read_lausd_schools(empty)


def test_directory_official_text_layout_no_data_is_missing(tmp_path):
    p = tmp_path / "pubschls.txt"
    p.write_text(
        "CDSCode\tStatusType\tCounty\tDistrict\tSchool\tCharter\tLatitude\tLongitude\n"
        "19647331935121\tActive\tLos Angeles\tLos Angeles Unified\tLincoln\tN\t34.073873\t"
        "-118.20386\n"
        "19647330000000\tActive\tLos Angeles\tLos Angeles Unified\tNo Data\tNo Data\tNo Data\t"
        "No Data\n", encoding="utf-8")
    d = read_school_directory(p)
    assert d.loc[0, "latitude"] == pytest.approx(34.073873)
    assert math.isnan(d.loc[1, "latitude"]) and d["school_name"].isna().iloc[1]


def test_directory_bad_status(tmp_path):
    p = tmp_path / "pubschls.csv"
    p.write_text("CDSCode,StatusType,County,District,Latitude,Longitude\n"
                 "19647331935121,Open,Los Angeles,LAUSD,34.07,-118.2\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_school_directory(p)
    assert str(exc.value).startswith(
        f"{p}, row 2, column 'StatusType': 'Open' is not an allowed value")


def test_ces_na_is_missing(tmp_path):
    p = tmp_path / "ces.csv"
    head = ("\ufefftract,Total Population,county,Longitude,Latitude,CES 4.0 Score,"
            "CES 4.0 Percentile,Asthma,Asthma Pctl,Linguistic Isolation,"
            "Linguistic Isolation Pctl,Poverty,Poverty Pctl\n")
    p.write_text(head + "6037226002,1820,Los Angeles ,-118.24,34.03,75.55,99.72,134.16,97.66,"
                 "24.4,91.81,44.5,75.4\n6037980001,0,Los Angeles ,-118.3,34.1,NA,NA,NA,NA,NA,NA,"
                 "NA,NA\n", encoding="utf-8")
    c = read_calenviroscreen(p)
    assert list(c["geoid"]) == ["06037226002", "06037980001"]
    assert c["county"].iloc[0] == "Los Angeles"
    assert c["asthma_ed_rate"].isna().iloc[1]


def test_geojson_errors(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.geojson: not a readable GeoJSON file"):
        read_tracts(bad)
    nogeoid = tmp_path / "nogeoid.geojson"
    nogeoid.write_text('{"type":"FeatureCollection","features":[{"type":"Feature",'
                       '"properties":{"NAME":"1"},"geometry":{"type":"Point",'
                       '"coordinates":[-118,34]}}]}', encoding="utf-8")
    with pytest.raises(InputError, match=r"missing property 'GEOID'"):
        read_tracts(nogeoid)


def test_neighbourhoods_not_swapped_are_left_alone(tmp_path):
    p = tmp_path / "n.geojson"
    p.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
                 '{"name":"A","latitude":"34.1","longitude":"-118.2"},"geometry":{"type":'
                 '"Polygon","coordinates":[[[-118.3,34],[-118.1,34],[-118.1,34.2],[-118.3,34]]]}}]}',
                 encoding="utf-8")
    n = read_neighbourhoods(p)
    assert n.loc[0, "latitude"] == pytest.approx(34.1)
    assert n.loc[0, "longitude"] == pytest.approx(-118.2)


def test_lausd_table_duplicate_school_names_the_files_column(tmp_path):
    p = tmp_path / "schools.csv"
    p.write_text(SCHOOLS_HEADER
                 + "19647331935121,Lincoln,high,913,89.3,6.7,14.0,1,2,3,65.3,64.1\n"
                 + "19647330126615,Carson,high,474,77.8,3.3,17.5,1,2,3,68.1,59.2\n"
                 + "19647331935121,Lincoln again,high,913,89.3,6.7,14.0,1,2,3,65.3,64.1\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_lausd_schools(p)
    assert str(exc.value) == (
        f"{p}, row 4, column 'cds': duplicate value '19647331935121' (same as row 2)"
    )


def test_directory_excel_export(tmp_path):
    p = tmp_path / "pubschls.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("pubschls")
    header = ["CDSCode", "StatusType", "County", "District", "School", "Latitude", "Longitude"]
    for c, h in enumerate(header):
        ws.write_string(0, c, h)
    # Excel stores the code as a number, so a county-01 code loses its leading zero
    ws.write_number(1, 0, 1611190130229)
    for c, v in enumerate(["Active", "Alameda", "Alameda Unified", "Alameda High"], start=1):
        ws.write_string(1, c, v)
    ws.write_number(1, 5, 37.764)
    ws.write_number(1, 6, -122.247)
    wb.close()
    d = read_school_directory(p)
    assert d.loc[0, "cds_code"] == "01611190130229"
    assert d.loc[0, "latitude"] == pytest.approx(37.764)
