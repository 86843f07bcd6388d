"""One set of input rules for every reader (equitable.checks, docs/data.md "Rules every reader
applies"): impossible values, cut-short files, extra fields, one number rule, identifiers saved in
scientific notation, padded codes, published unit counts. Each case was accepted silently (or gave
a traceback) before the rules were shared."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from equitable.data import (
    read_calenviroscreen,
    read_frpm,
    read_lausd_math,
    read_lausd_schools,
    read_svi_tracts,
)
from equitable.errors import InputError
from equitable.files import numeric_column, read_table
from equitable.index import compute_index, load_spec

SCHOOLS = "cds,school_name,span,enrollment,pct_frpm,pct_el,pct_swd,ela_pct_met"
ROWS = [
    "19647331935121,Alpha High,high,1234,89.3757,6.7961,14.0777,64.08",
    "19647330126615,Beta High,high,474,77.8481,3.3333,17.5,59.17",
    "19647330100000,Gamma Elementary,elementary,300,50,10,12,40",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli(*args: str) -> int:
    from equitable.cli import main

    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def error(fn, *args, **kw) -> str:
    with pytest.raises(InputError) as e:
        fn(*args, **kw)
    return str(e.value)


# ---- structure: cut short, extra fields ---------------------------------------------------------


@pytest.mark.parametrize("quoted", [False, True])
def test_last_row_cut_short_is_an_error(tmp_path, quoted):
    # an interrupted download: the last row stops after three fields (was read with blanks);
    # a file with quoted fields is checked by the csv module, one without by numpy
    first = ROWS[0].replace("Alpha High", '"Alpha High, Campus A"') if quoted else ROWS[0]
    p = write(tmp_path / "s.csv", [SCHOOLS, first, ROWS[1], "19647330100000,Gamma Elem,elem"])
    assert error(read_lausd_schools, p) == (
        f"{p}, row 4: the file looks cut short (an interrupted download or copy): its last row "
        "has 3 fields, the header has 8; download or export the whole file again")


def test_every_row_with_an_extra_field_is_an_error_in_index_inputs(tmp_path):
    # a trailing comma on every data row: pandas took the first column as the row index and
    # shifted every value one column left, silently
    cols = ["FIPS", *[ind.column for ind in load_spec("svi-2022").indicators]]
    rows = [",".join([f"0100{i}", *[str(10 * i + k) for k in range(16)], ""]) for i in (1, 3, 5)]
    p = write(tmp_path / "svi.csv", [",".join(cols), *rows])
    assert error(read_table, p, id_column="FIPS") == (
        f"{p}, row 2: 18 fields, the header has 17 (a value with an unquoted separator, or a row "
        "shifted right); fix the row and read the file again")
    # a short row in the middle (not the last) is named as broken, blank lines are skipped
    rows = [rows[0], "", rows[1].rsplit(",", 3)[0], rows[2]]
    p = write(tmp_path / "svi2.csv", [",".join(cols), *[r[:-1] if r else r for r in rows]])
    assert error(read_table, p, id_column="FIPS") == (
        f"{p}, row 4: a row cut short or broken: has 15 fields, the header has 17; download or "
        "export the whole file again")


# ---- one number rule --------------------------------------------------------------------------


def test_thousands_separators_read_the_same_by_every_reader(tmp_path):
    # "1,234" is 1234 for the CDE/LAUSD readers AND the index engine (the index refused it);
    # "1,23" is refused by both (the CDE/LAUSD readers read it as 123)
    good = write(tmp_path / "g.csv", [SCHOOLS, ROWS[0].replace(",1234,", ',"1,234",'), *ROWS[1:]])
    assert read_lausd_schools(good)["enrollment"].tolist() == [1234, 474, 300]
    df = pd.DataFrame({"id": ["a", "b"], "x": ["1,234", "1,234,567.5"]})
    assert numeric_column(df, "x", "t.csv").tolist() == [1234.0, 1234567.5]
    bad = write(tmp_path / "b.csv", [SCHOOLS, ROWS[0].replace(",1234,", ',"1,23",'), *ROWS[1:]])
    assert error(read_lausd_schools, bad) == (
        f"{bad}, row 2, column 'enrollment': '1,23' is not a number")
    df = pd.DataFrame({"id": ["a", "b"], "x": ["5", "1,23"]})
    assert error(numeric_column, df, "x", "t.csv") == "t.csv, row 3, column 'x': '1,23' is not a number"


def test_infinity_and_absurd_magnitudes_are_one_line_errors(tmp_path):
    # "inf" in a count column was an OverflowError traceback; "1e300" a TypeError traceback
    p = write(tmp_path / "s.csv", [SCHOOLS, ROWS[0].replace(",1234,", ",inf,"), *ROWS[1:]])
    assert error(read_lausd_schools, p) == (
        f"{p}, row 2, column 'enrollment': 'inf' is not a finite number")
    p = write(tmp_path / "h.csv", [SCHOOLS, *ROWS[:2], ROWS[2].replace(",300,", ",1e300,")])
    assert error(read_lausd_schools, p) == (
        f"{p}, row 4, column 'enrollment': '1e300' is an absurd magnitude (1e15 or more); a "
        "corrupted or misplaced cell?")
    # pandas itself parses "inf" in a numeric column of an index input: still refused
    df = pd.DataFrame({"x": [1.0, float("inf")]})
    assert error(numeric_column, df, "x", "t.csv") == "t.csv, row 3, column 'x': 'inf' is not a finite number"


# ---- impossible values --------------------------------------------------------------------------

FRPM = ("Academic Year,County Code,District Code,School Code,County Name,District Name,School Name,"
        "Charter School (Y/N),Charter Funding Type,Enrollment (K-12),Free Meal Count (K-12),"
        "Percent (%) Eligible Free (K-12),FRPM Count (K-12),Percent (%) Eligible FRPM (K-12),"
        "Enrollment (Ages 5-17),Free Meal Count (Ages 5-17),Percent (%) Eligible Free (Ages 5-17),"
        "FRPM Count (Ages 5-17),Percent (%) Eligible FRPM (Ages 5-17)")


def frpm_row(school: str, enr: int, free: int, frpm: int) -> str:
    return (f"2023-2024,19,64733,{school},Los Angeles,Los Angeles Unified,School {school},No,,"
            f"{enr},{free},{free / enr:.4f},{frpm},{min(frpm / enr, 1):.4f},"
            f"{enr},{free},{free / enr:.4f},{frpm},{min(frpm / enr, 1):.4f}")


def test_frpm_count_larger_than_enrollment_is_an_error(tmp_path):
    p = write(tmp_path / "f.csv", [FRPM, frpm_row("1935121", 500, 300, 400),
                                   frpm_row("0126615", 200, 100, 250)])
    assert error(read_frpm, p) == (
        f"{p}, row 3, column 'FRPM Count (K-12)': 'FRPM Count (K-12)' 250 is larger than "
        "'Enrollment (K-12)' 200, which is impossible")


def test_svi_negative_estimate_is_an_error_but_missing_codes_are_not(tmp_path):
    head = "ST,STATE,FIPS,E_TOTPOP,E_POV150,M_POV150,EP_POV150,EPL_POV150,RPL_THEMES"
    ok = ["6,California,06001,1000,100,-555555555,10,0.5,0.5",
          "6,California,06003,2000,-999,-999,-999,-999,-999"]
    df = read_svi_tracts(write(tmp_path / "ok.csv", [head, *ok]))
    # -999 (SVI's missing) and the ACS annotation -555555555 in a margin are documented codes
    assert df["E_POV150"].isna().tolist() == [False, True]
    p = write(tmp_path / "neg.csv", [head, ok[0], "6,California,06005,1500,-7,12,5,0.1,0.2"])
    assert error(read_svi_tracts, p) == (
        f"{p}, row 3, column 'E_POV150': -7.0 is out of range (greater_than_or_equal_to(0))")


def test_calenviroscreen_negative_population_is_an_error(tmp_path, data_dir):
    src = (data_dir / "community" / "calenviroscreen40_results_tract.csv").read_text(
        encoding="utf-8-sig").splitlines()
    head = src[0].split(",")
    j = head.index("Total Population")
    row = src[1].split(",")
    assert row[j].isdigit()  # the first tract has a plain population cell
    row[j] = "-3"
    p = write(tmp_path / "ces.csv", [src[0], ",".join(row), *src[2:40]])
    assert error(read_calenviroscreen, p) == (
        f"{p}, row 2, column 'Total Population': -3 is out of range "
        "(greater_than_or_equal_to(0))")


def test_index_preset_refuses_a_percent_out_of_0_100(tmp_path):
    spec = load_spec("svi-2022")
    cols = [ind.column for ind in spec.indicators]
    rows = {"FIPS": ["01001", "01003", "01005"]}
    for k, c in enumerate(cols):
        rows[c] = [10.0 + k, 20.0 + k, 30.0 + k]
    rows["EP_UNEMP"] = [5.0, 150.0, -999.0]  # 150% is impossible; -999 is SVI's missing code
    df = pd.DataFrame(rows)
    assert error(compute_index, spec, df, source="svi.csv") == (
        "svi.csv, row 3, column 'EP_UNEMP': 150 is impossible for a value of 'EP_*' (must be "
        "between 0 and 100)")


# ---- identifiers --------------------------------------------------------------------------------


def test_scientific_notation_ids_are_one_error_not_a_duplicate(tmp_path):
    spec = load_spec("svi-2022")
    cols = [ind.column for ind in spec.indicators]
    rows = {"FIPS": ["6.03702E+10", "6.03702E+10", "06037101300"]}
    for k, c in enumerate(cols):
        rows[c] = [10.0 + k, 20.0 + k, 30.0 + k]
    msg = error(compute_index, spec, pd.DataFrame(rows), source="t.csv")
    assert msg.startswith("t.csv, column 'FIPS': 2 ids are in scientific notation (rows 2, 3, "
                          "e.g. '6.03702E+10'): a spreadsheet saved the id as a number")
    assert "re-export the file with this column formatted as Text" in msg
    assert "duplicate" not in msg


def test_scientific_notation_cds_codes_in_a_reader(tmp_path):
    p = write(tmp_path / "m.csv", ["cds,math_pct_met", "1.96473E+13,40", "19647330126615,50",
                                   "1.96473E+13,60"])
    assert error(read_lausd_math, p).startswith(
        f"{p}, column 'cds': 2 CDS codes are in scientific notation (rows 2, 4, e.g. "
        "'1.96473E+13'): a spreadsheet saved the CDS code as a number")


def test_codes_that_lost_their_leading_zero_are_padded_with_a_note(tmp_path):
    p = write(tmp_path / "m.csv", ["cds,math_pct_met", "1611270130450,40", "1611270130451,50",
                                   "19647330126615,60"])
    df = read_lausd_math(p)
    assert df["cds_code"].tolist() == ["01611270130450", "01611270130451", "19647330126615"]
    assert df.attrs["notes"] == [(
        "m.csv, column 'cds': 2 CDS codes had lost their leading zeros (fewer than 14 digits) "
        "and were padded with zeros")]


def test_allocate_writes_geoid_with_its_leading_zero(tmp_path, capsys):
    write(tmp_path / "schools.csv", [
        "cds_code,geoid,county_code,enrollment,pct_frpm",
        "01000000000001,06037101110,01,100,90",
        "01000000000002,06037101120,01,200,70"])
    (tmp_path / "rule.toml").write_text(
        '[allocation]\nkind = "proportional"\nbudget = "1,000.00"\nneed_column = "pct_frpm"\n')
    out = tmp_path / "out.csv"
    assert cli("allocate", tmp_path / "schools.csv", "-r", tmp_path / "rule.toml", "-o", out) == 0
    res = pd.read_csv(out, dtype=str)
    assert res["geoid"].tolist() == ["06037101110", "06037101120"]
    assert res["county_code"].tolist() == ["01", "01"]
    # need x enrollment: 90 x 100 = 9,000 and 70 x 200 = 14,000 of 23,000: $391.30 (391.304...)
    # and $608.70 of $1,000.00, to the cent
    assert res["amount_cents"].tolist() == ["39130", "60870"]


# ---- published unit counts --------------------------------------------------------------------


def test_index_refuses_a_fraction_of_the_published_svi_county_file(tmp_path, capsys):
    cols = [ind.column for ind in load_spec("svi-2022").indicators]
    p = write(tmp_path / "svi.csv", [",".join(["FIPS", *cols])] + [
        ",".join([f"{6000 + 2 * i + 1:05d}", *[str(10 * i + k) for k in range(16)]])
        for i in range(5)])
    assert cli("index", "svi-2022", p, "-o", tmp_path / "o.csv") == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Error: {p}: 5 units, but the published file has 3,144 counties in "
                          "the CDC/ATSDR SVI 2022 county file")
    assert not (tmp_path / "o.csv").exists()
    assert cli("index", "svi-2022", p, "-o", tmp_path / "o.csv", "--allow-subset") == 0
    record = json.loads((tmp_path / "o.csv.run.json").read_text())
    assert record["extra"]["input_notes"][0].startswith(
        "svi.csv: a subset of 5 of the 3,144 counties in the CDC/ATSDR SVI 2022 county file, "
        "allowed on purpose")


def test_real_svi_county_files_are_whole(data_dir):
    from equitable.checks import PUBLISHED_UNITS

    for year in (2020, 2022):
        df = read_table(data_dir / "community" / f"svi{year}_us_county.csv", id_column="FIPS")
        assert len(df) == PUBLISHED_UNITS[f"svi-{year}-county"][0]
    ces = read_table(data_dir / "community" / "calenviroscreen40_results_tract.csv")
    assert len(ces) == PUBLISHED_UNITS["calenviroscreen-4.0"][0] == 8035


def test_run_refuses_a_calenviroscreen_file_missing_tracts(tmp_path, capsys, monkeypatch):
    from equitable.pipeline._synthetic import write_synthetic_inputs

    made = Path(write_synthetic_inputs(tmp_path, 30, seed=1))
    config = tmp_path / "whole.toml"
    text = made.read_text()
    assert "allow_subset = true" in text
    config.write_text(text.replace("allow_subset = true", "allow_subset = false"))
    monkeypatch.chdir(tmp_path)
    assert cli("run", config.name, "--data-dir", ".", "--out", "out", "-q") == 1
    err = capsys.readouterr().err
    n = len(pd.read_csv(tmp_path / "ces.csv"))
    assert err.startswith(f"Error: {tmp_path / 'ces.csv'}: {n:,} units, but the published file has 8,035 census "
                          "tracts in OEHHA's CalEnviroScreen 4.0 results")


# ---- the same rules in the survey, privacy and outreach readers ---------------------------------


def test_survey_margins_read_the_frpm_file_with_the_run_reader(tmp_path):
    from equitable.voice import margins_from_frpm

    rows = [frpm_row("1935121", 500, 300, 400), frpm_row("0126615", 200, 100, 150)]
    csv = write(tmp_path / "f.csv", [FRPM, *rows])
    m = margins_from_frpm(csv, academic_year="2023-2024", cds_prefix="1964733")
    # by hand: schools 500 and 200; FRPM 400 + 150 = 550 eligible, 700 - 550 = 150 not
    assert m.to_dict("list") == {
        "variable": ["school", "school", "frpm", "frpm"],
        "category": ["19647330126615", "19647331935121", "eligible", "not_eligible"],
        "population": [200.0, 500.0, 550.0, 150.0]}
    # the XLSX form (CDE's workbook sheet) gives the same margins (it was read as CSV text)
    xlsx = tmp_path / "f.xlsx"
    pd.read_csv(csv, dtype=str).to_excel(xlsx, index=False, sheet_name="FRPM School-Level Data")
    assert margins_from_frpm(xlsx, academic_year="2023-2024").equals(m)
    # an enrollment that is not a number was read as 0 and the school left out, silently
    bad = write(tmp_path / "b.csv", [FRPM, rows[0], rows[1].replace(",200,", ",2OO,", 1)])
    assert error(margins_from_frpm, bad, academic_year="2023-2024") == (
        f"{bad}, row 3, column 'Enrollment (K-12)': '2OO' is not a number")


def test_privacy_table_refuses_a_misplaced_thousands_separator(tmp_path):
    from equitable.privacy._tables import crosstab_part

    df = pd.DataFrame({"Yes": ["1,200", "40"], "No": ["12", "1,23"]}, index=["A", "B"])
    with pytest.raises(InputError) as e:
        crosstab_part(df, name="t.csv", first_line=2)
    # "1,23" was read as 123
    assert str(e.value) == ("t.csv: line 3, column 'No': expected a count (a whole number >= 0) "
                            "or '*'")
    ok = crosstab_part(df.replace({"1,23": "123"}), name="t.csv", first_line=2)
    assert ok.values.tolist() == [1200.0, 12.0, 40.0, 123.0]


@pytest.mark.parametrize("reader", ["privacy", "survey"])
def test_privacy_and_survey_csvs_refuse_a_cut_short_last_row(tmp_path, reader):
    from equitable.privacy._io import read_csv_text
    from equitable.voice._readers import read_csv_strings

    fn = read_csv_text if reader == "privacy" else read_csv_strings
    p = write(tmp_path / "t.csv", ["group,count,total", "A,12,40", "B,7"])
    assert error(fn, p) == (
        f"{p}, row 3: the file looks cut short (an interrupted download or copy): its last row "
        "has 2 fields, the header has 3; download or export the whole file again")


def test_index_output_keeps_a_kept_geoid_column_as_text(tmp_path, capsys):
    spec = tmp_path / "k.toml"
    spec.write_text('name = "k"\nid_column = "cds_code"\nkeep_columns = ["geoid"]\n'
                    '[[indicator]]\ncode = "a"\ncolumn = "pct_frpm"\n'
                    '[overall]\ncode = "score"\nmembers = ["a"]\n')
    src = write(tmp_path / "in.csv", ["cds_code,geoid,pct_frpm", "01000000000001,06037101110,90",
                                      "01000000000002,06037101120,70"])
    out = tmp_path / "o.csv"
    assert cli("index", spec, src, "-o", out) == 0
    assert out.read_text().splitlines()[1:] == [
        "01000000000001,06037101110,1,1,", "01000000000002,06037101120,0,0,"]


def test_sensitivity_refuses_a_fraction_of_the_published_svi_county_file(tmp_path, capsys):
    cols = [ind.column for ind in load_spec("svi-2022").indicators]
    p = write(tmp_path / "svi.csv", [",".join(["FIPS", *cols])] + [
        ",".join([f"{6000 + 2 * i + 1:05d}", *[str(10 * i + k) for k in range(16)]])
        for i in range(5)])
    assert cli("sensitivity", "svi-2022", p, "--draws", "5", "--no-sobol",
               "-o", tmp_path / "s") == 1
    assert capsys.readouterr().err.startswith(
        f"Error: {p}: 5 units, but the published file has 3,144 counties")
    assert not (tmp_path / "s").exists()


def test_survey_margins_csv_uses_the_one_number_rule(tmp_path):
    from equitable.voice import read_margins

    ok = write(tmp_path / "m.csv", ["variable,category,population", 'school,A,"1,200"',
                                    "school,B,300"])
    assert read_margins(ok)["population"].tolist() == [1200.0, 300.0]
    bad = write(tmp_path / "b.csv", ["variable,category,population", 'school,A,"1,20"',
                                     "school,B,300"])
    # "1,20" was read as 120
    assert error(read_margins, bad) == (
        f"{bad}, row 2, column 'population': '1,20' is not a count of people")
