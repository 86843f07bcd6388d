"""Issue 14, "nothing silent": reader gaps a new user found with mutated real files (a FRPM file
without its Charter Funding Type column, a sign-flipped school latitude). Each is one line
naming the file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from equitable.data import read_frpm
from equitable.errors import InputError

FRPM = ("Academic Year,County Code,District Code,School Code,County Name,District Name,School Name,"
        "Charter School (Y/N),Charter Funding Type,Enrollment (K-12),Free Meal Count (K-12),"
        "Percent (%) Eligible Free (K-12),FRPM Count (K-12),Percent (%) Eligible FRPM (K-12),"
        "Enrollment (Ages 5-17),Free Meal Count (Ages 5-17),Percent (%) Eligible Free (Ages 5-17),"
        "FRPM Count (Ages 5-17),Percent (%) Eligible FRPM (Ages 5-17)")
ROWS = [
    ("2023-2024,19,64733,1935121,Los Angeles,Los Angeles Unified,Alpha,No,,500,300,0.6,400,0.8,"
    "500,300,0.6,400,0.8"),
    ("2023-2024,19,64733,0126615,Los Angeles,Los Angeles Unified,Beta,Yes,Locally funded,200,100,"
    "0.5,150,0.75,200,100,0.5,150,0.75"),
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def drop_column(lines: list[str], name: str) -> list[str]:
    i = lines[0].split(",").index(name)
    return [",".join(c for k, c in enumerate(line.split(",")) if k != i) for line in lines]


def test_frpm_without_charter_funding_type_is_a_missing_column(tmp_path):
    # equitable run needs it to keep affiliated (locally funded) charters: without it, LAUSD's
    # 51 affiliated charters were dropped as "not district-run" without a word
    ok = read_frpm(write(tmp_path / "ok.csv", [FRPM, *ROWS]))
    assert ok["charter_funding_type"].tolist()[1] == "Locally funded"
    p = write(tmp_path / "f.csv", drop_column([FRPM, *ROWS], "Charter Funding Type"))
    with pytest.raises(InputError) as exc:
        read_frpm(p)
    assert str(exc.value) == f"{p}: missing column 'Charter Funding Type'"


def test_frpm_misspelt_charter_funding_type_names_the_close_column(tmp_path):
    lines = [FRPM.replace("Charter Funding Type", "Charter Funding Typ"), *ROWS]
    p = write(tmp_path / "f.csv", lines)
    with pytest.raises(InputError) as exc:
        read_frpm(p)
    assert str(exc.value) == (f"{p}: missing column 'Charter Funding Type' (did you mean "
                              "'Charter Funding Typ'?)")


def test_frpm_blank_cds_code_filled_from_its_parts_is_noted(tmp_path):
    # a file with a CDSCode column where one cell is blank: the code is built from County +
    # District + School Code (as when the column is absent), and the reader's notes say so
    header = "CDSCode," + FRPM
    rows = ["19647331935121," + ROWS[0], "," + ROWS[1]]
    df = read_frpm(write(tmp_path / "f.csv", [header, *rows]))
    assert list(df["cds_code"]) == ["19647331935121", "19647330126615"]
    assert df.attrs["notes"] == [
        "f.csv, column 'CDSCode': 1 blank cell(s) (first on row 3) filled from County Code + "
        "District Code + School Code"]
    full = read_frpm(write(tmp_path / "g.csv", [header, "19647331935121," + ROWS[0],
                                                "19647330126615," + ROWS[1]]))
    assert full.attrs["notes"] == []
