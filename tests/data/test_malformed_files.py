"""Malformed real-world files on the readers: exact one-line errors, and the spreadsheet forms a
user actually has (XLSX, Parquet, BOM, CRLF, Excel's "1,234" and "45.2%") read to the same data.
Regressions found by trying `equitable run` as a new user."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from equitable.data import read_lausd_schools, read_tracts
from equitable.errors import InputError

HEADER = "cds,school_name,span,enrollment,pct_frpm,pct_el,pct_swd,ela_pct_met"
ROWS = [
    "19647331935121,Escuela Española,high,1234,89.3757,6.7961,14.0777,64.08",
    "19647330126615,Academies at Carson High,high,474,77.8481,3.3333,17.5,59.17",
]


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def message(fn, path: Path) -> str:
    with pytest.raises(InputError) as e:
        fn(path)
    return str(e.value)


def test_excel_forms_read_to_the_same_table(tmp_path):
    base = read_lausd_schools(write(tmp_path / "a.csv", "\n".join([HEADER, *ROWS]) + "\n"))
    excel_rows = [r.replace(",1234,", ',"1,234",').replace(",89.3757,", ",89.3757%,")
                  for r in ROWS]
    forms = {
        "bom.csv": "\ufeff" + "\n".join([HEADER, *ROWS]) + "\n",
        "crlf.csv": "\r\n".join([HEADER, *ROWS]) + "\r\n",
        "excel.csv": "\n".join([HEADER, *excel_rows]) + "\n",
    }
    for name, text in forms.items():
        pd.testing.assert_frame_equal(read_lausd_schools(write(tmp_path / name, text)), base)
    raw = pd.read_csv(tmp_path / "a.csv", dtype=str)
    raw.to_excel(tmp_path / "a.xlsx", index=False)
    pd.testing.assert_frame_equal(read_lausd_schools(tmp_path / "a.xlsx"), base)
    # a Parquet file with numeric columns (ids as integers, enrollment as float 1234.0)
    typed = pd.read_csv(tmp_path / "a.csv")
    typed["enrollment"] = typed["enrollment"].astype(float)
    typed.to_parquet(tmp_path / "a.parquet", index=False)
    pd.testing.assert_frame_equal(read_lausd_schools(tmp_path / "a.parquet"), base)
    assert base["school_name"].iloc[0] == "Escuela Española"
    assert int(base["enrollment"].iloc[0]) == 1234


def test_latin1_is_reported_not_garbled(tmp_path):
    p = tmp_path / "cp1252.csv"
    p.write_bytes("\n".join([HEADER, *ROWS]).encode("cp1252") + b"\n")
    assert message(read_lausd_schools, p) == (
        f"{p}, row 2: not UTF-8 text (byte 0xf1); save the file as 'CSV UTF-8' (Excel) or "
        "convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8")


def test_empty_header_only_folder_and_misspelt_column(tmp_path):
    assert message(read_lausd_schools, write(tmp_path / "e.csv", "")) == (
        f"{tmp_path / 'e.csv'}: the file is empty")
    assert message(read_lausd_schools, write(tmp_path / "h.csv", HEADER + "\n")) == (
        f"{tmp_path / 'h.csv'}: no data rows (only a header)")
    (tmp_path / "d.csv").mkdir()
    assert message(read_lausd_schools, tmp_path / "d.csv") == (
        f"{tmp_path / 'd.csv'}: is a folder, not a file")
    bad = write(tmp_path / "m.csv", "\n".join([HEADER.replace("pct_swd", "pct_sdw"), *ROWS]))
    assert message(read_lausd_schools, bad) == (
        f"{bad}: missing column 'pct_swd' (did you mean 'pct_sdw'?)")


def test_geojson_empty_and_not_json(tmp_path):
    assert message(read_tracts, write(tmp_path / "e.geojson", "")) == (
        f"{tmp_path / 'e.geojson'}: the file is empty")
    assert message(read_tracts, write(tmp_path / "n.geojson", "GEOID,x\n1,2\n")) == (
        f"{tmp_path / 'n.geojson'}: not a GeoJSON file (it does not start with '{{')")
