"""Issue 14, "nothing silent": docs/data.md says impossible values are errors, but `equitable
index` checked only the columns a spec ranks, so an SVI file with E_TOTPOP -5 or a
CalEnviroScreen file with a Latitude of 200 was accepted. Every column of a published file whose
meaning is known is now checked, used or not."""

from __future__ import annotations

import pandas as pd
import pytest

from equitable.cli import main


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def head(path, n: int = 6) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, nrows=n, encoding="utf-8-sig")


@pytest.mark.parametrize(("preset", "file", "column", "value", "message"), [
    ("svi-2022", "community/svi2022_us_county.csv", "E_TOTPOP", "-5",
     "-5 is impossible for a value of 'E_*' (must be at least 0)"),
    ("svi-2022", "community/svi2022_us_county.csv", "RPL_THEME1", "1.7",
     "1.7 is impossible for a value of 'RPL_*' (must be between 0 and 1)"),
    ("svi-2018", "community/svi2018_los_angeles_county_tracts.csv", "M_POV", "-12",
     "-12 is impossible for a value of 'M_*' (must be at least 0)"),
    ("calenviroscreen-4.0", "community/calenviroscreen40_results_tract.csv", "Latitude", "200",
     "200 is impossible for a value of 'Latitude' (must be between 32 and 43)"),
    ("calenviroscreen-4.0-pctl", "community/calenviroscreen40_results_tract.csv",
     "Total Population", "-40",
     "-40 is impossible for a value of 'Total Population' (must be at least 0)"),
])
def test_impossible_value_in_a_column_the_spec_does_not_use(data_dir, tmp_path, capsys, preset,
                                                            file, column, value, message):
    df = head(data_dir / file)
    df.loc[3, column] = value  # line 5 of the file (header = line 1)
    p = tmp_path / "in.csv"
    df.to_csv(p, index=False)
    code, _, err = run(capsys, "index", preset, p, "-o", tmp_path / "out.csv", "--allow-subset")
    assert (code, err) == (1, f"Error: {p}, row 5, column '{column}': {message}\n")


def test_documented_codes_still_pass(data_dir, tmp_path, capsys):
    # -999 (SVI's missing) in an estimate and the ACS annotation -555555555 in a margin
    df = head(data_dir / "community/svi2022_us_county.csv")
    df.loc[2, "E_NOHSDP"] = "-999"
    df.loc[3, "M_NOHSDP"] = "-555555555"
    p = tmp_path / "in.csv"
    df.to_csv(p, index=False)
    code, out, _ = run(capsys, "index", "svi-2022", p, "-o", tmp_path / "out.csv",
                       "--allow-subset")
    assert code == 0
    assert out.startswith("Wrote ")
