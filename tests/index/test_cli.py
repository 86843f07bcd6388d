"""`equitable index`: output, --list, --explain, and the exact text of every bad-input error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from equitable.cli import main
from equitable.index import load_spec

SVI_COLUMNS = [ind.column for ind in load_spec("svi-2022").indicators]


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def write_svi(path: Path, rows: list[tuple[str, list[str]]], header: list[str] | None = None) -> Path:
    header = header or ["FIPS", *SVI_COLUMNS]
    lines = [",".join(header)] + [",".join([fips, *vals]) for fips, vals in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def three_counties() -> list[tuple[str, list[str]]]:
    return [
        ("01001", [str(10 + i) for i in range(16)]),
        ("01003", [str(20 + i) for i in range(16)]),
        ("01005", [str(30 + i) for i in range(16)]),
    ]


def test_index_writes_published_columns_and_a_run_record(tmp_path, capsys):
    src = write_svi(tmp_path / "in.csv", three_counties())
    out = tmp_path / "out" / "svi.csv"
    code, stdout, err = run(capsys, "index", "svi-2022", str(src), "-o", str(out),
                            "--allow-subset")
    # three counties of the 3,144 in the published file: allowed on purpose, and said so
    assert code == 0
    assert err == ("Note: in.csv: a subset of 3 of the 3,144 counties in the CDC/ATSDR SVI 2022 "
                   "county file, allowed on purpose (--allow-subset): units not in it get no "
                   "values from it, and ranks and percentiles computed on it are relative to this "
                   "subset, not the published ones\n")
    assert stdout == f"Wrote {out}: 3 units, 3 scored\n"
    lines = out.read_text().splitlines()
    header = lines[0].split(",")
    assert header[:3] == ["FIPS", "EPL_POV150", "EPL_UNEMP"]
    assert "RPL_THEMES" in header and header[-2] == "F_TOTAL"
    # by hand: three counties, every variable ranks 0, 0.5, 1; theme 1 sums 0, 2.5, 5
    row = dict(zip(header, lines[2].split(",")))
    assert row["FIPS"] == "01003" and row["EPL_POV150"] == "0.5" and row["SPL_THEME1"] == "2.5"
    assert row["RPL_THEMES"] == "0.5" and row["SPL_THEMES"] == "8"
    top = dict(zip(header, lines[3].split(",")))
    assert top["F_TOTAL"] == "16" and top["F_THEME1"] == "5"
    record = json.loads((out.parent / "svi.csv.run.json").read_text())
    assert record["command"] == "index" and record["spec"]["name"] == "svi-2022"
    assert record["inputs"]["input"]["file"] == "in.csv"
    assert record["extra"]["input_notes"] == [err[len("Note: "):-1]]
    first = out.read_bytes()
    run(capsys, "index", "svi-2022", str(src), "-o", str(out), "--allow-subset")
    assert out.read_bytes() == first  # same inputs, same bytes


def test_list_and_explain(capsys):
    code, out, _ = run(capsys, "index", "--list")
    assert code == 0
    names = [line.split("\t")[0] for line in out.splitlines()]
    assert {"svi-2018", "svi-2020", "svi-2022", "calenviroscreen-4.0",
            "calenviroscreen-4.0-pctl"} <= set(names)
    code, out, _ = run(capsys, "index", "calenviroscreen-4.0", "--explain")
    assert code == 0
    assert out.startswith("CalEnviroScreen 4.0 (OEHHA)\n")
    assert "at least 5 of its 8 indicators to be scored" in out


# ---- bad input: one line, naming file, row and column, exit 1 -------------------------------


def test_missing_or_misspelt_column(tmp_path, capsys):
    header = ["FIPS", "EP_POV15", *SVI_COLUMNS[1:]]
    src = write_svi(tmp_path / "in.csv", three_counties(), header)
    code, _, err = run(capsys, "index", "svi-2022", str(src), "-o", str(tmp_path / "o.csv"))
    assert code == 1
    assert err == f"Error: {src}, column 'EP_POV150': not found in the file (did you mean 'EP_POV15'?)\n"


def test_non_numeric_text(tmp_path, capsys):
    rows = three_counties()
    rows[1][1][1] = "n/a"  # EP_UNEMP of the second county: line 3 of the file
    src = write_svi(tmp_path / "in.csv", rows)
    code, _, err = run(capsys, "index", "svi-2022", str(src), "-o", str(tmp_path / "o.csv"))
    assert code == 1
    assert err == f"Error: {src}, row 3, column 'EP_UNEMP': 'n/a' is not a number\n"


def test_duplicate_ids(tmp_path, capsys):
    rows = three_counties() + [("01001", [str(5 + i) for i in range(16)])]
    src = write_svi(tmp_path / "in.csv", rows)
    code, _, err = run(capsys, "index", "svi-2022", str(src), "-o", str(tmp_path / "o.csv"))
    assert code == 1
    assert err == f"Error: {src}, row 5, column 'FIPS': duplicate id (same as row 2)\n"


SPEC = """name = "mini"
id_column = "id"

[[indicator]]
code = "a"
column = "a"
{extra}

[[indicator]]
code = "b"
column = "b"
weight = 0.5

[overall]
code = "total"
aggregation = "mean"
weights_sum = 1
"""


def test_unknown_spec_key(tmp_path, capsys):
    spec = tmp_path / "mini.toml"
    spec.write_text(SPEC.format(extra="wieght = 0.5"))
    code, _, err = run(capsys, "index", str(spec), str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv"))
    assert code == 1
    assert err == f"Error: {spec}: key 'indicator[1] (a).wieght': unknown key\n"


def test_weights_that_do_not_add_up(tmp_path, capsys):
    spec = tmp_path / "mini.toml"
    spec.write_text(SPEC.format(extra="weight = 0.4"))
    code, _, err = run(capsys, "index", str(spec), "--explain")
    assert code == 1
    assert err == f"Error: {spec}: overall 'total': weights add up to 0.9, not the declared 1\n"


def test_fewer_than_two_rankable_units(tmp_path, capsys):
    rows = [("01001", ["-999"] + [str(10 + i) for i in range(15)]),
            ("01003", [str(20 + i) for i in range(16)])]
    src = write_svi(tmp_path / "in.csv", rows)
    code, _, err = run(capsys, "index", "svi-2022", str(src), "-o", str(tmp_path / "o.csv"))
    assert code == 1
    assert err == f"Error: {src}, column 'EP_POV150': fewer than two units have a value to rank (1 of 2)\n"


def test_unknown_preset(capsys, tmp_path):
    code, _, err = run(capsys, "index", "svi-2021", "--explain")
    assert code == 1
    assert err.startswith("Error: svi-2021: not a preset (calenviroscreen-4.0, ")


def test_errors_reach_the_shell_as_one_line_without_traceback(tmp_path):
    rows = three_counties()
    rows[0][1][4] = "twelve"
    src = write_svi(tmp_path / "in.csv", rows)
    r = subprocess.run([sys.executable, "-m", "equitable.cli", "index", "svi-2022", str(src), "-o",
                        str(tmp_path / "o.csv")], capture_output=True, text=True, check=False)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr == f"Error: {src}, row 2, column 'EP_UNINSUR': 'twelve' is not a number\n"


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_xlsx_and_parquet_inputs_keep_leading_zeros(tmp_path, capsys, suffix):
    import pandas as pd

    csv = write_svi(tmp_path / "in.csv", three_counties())
    df = pd.read_csv(csv, dtype={"FIPS": str})
    path = tmp_path / f"in{suffix}"
    if suffix == ".xlsx":
        df.to_excel(path, index=False)
    else:
        df.to_parquet(path, index=False)
    out = tmp_path / "o.csv"
    code, _, err = run(capsys, "index", "svi-2022", str(path), "-o", str(out), "--allow-subset")
    assert code == 0 and err.startswith("Note: ") and "a subset of 3 of the 3,144" in err
    assert out.read_text().splitlines()[1].startswith("01001,0,")


def test_tier_counts_cut_scores_and_tie_warning_on_the_terminal_and_in_run_json(capsys, tmp_path):
    spec = tmp_path / "t.toml"
    spec.write_text('name = "t"\nid_column = "id"\n[[indicator]]\ncode = "x"\ncolumn = "x"\n'
                    'normalise = { method = "identity" }\n[overall]\ncode = "o"\n'
                    'aggregation = "mean"\ntiers = { method = "quantile", n = 3 }\n', encoding="utf-8")
    data = tmp_path / "in.csv"
    # scores 5, 4, 4, 3, 2, 1: ties put 3 units in tier 1 (ranks 1, 2, 2), 1 in tier 2, 2 in tier 3
    data.write_text("id,x\na,5\nb,4\nc,4\nd,3\ne,2\nf,1\n", encoding="utf-8")
    code, out, err = run(capsys, "index", str(spec), str(data), "-o", str(tmp_path / "out.csv"))
    assert code == 0
    assert "Tiers (units, score range): 1: 3 (4 to 5); 2: 1 (3 to 3); 3: 2 (1 to 2)" in out
    assert "Cut scores (lowest score of each tier but the last): 4, 3" in out
    assert ("Warning: tied scores make the quantile tiers unequal: '1' 3, '2' 1, '3' 2 units "
            "(without ties: 2, 2, 2)") in err
    rec = json.loads((tmp_path / "out.csv.run.json").read_text(encoding="utf-8"))["extra"]["tiers"]
    assert [t["units"] for t in rec["tiers"]] == [3, 1, 2]
    assert rec["cut_scores"] == [4.0, 3.0] and rec["untied_counts"] == [2, 2, 2]
    assert len(rec["warnings"]) == 1
