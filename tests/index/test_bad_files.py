"""Malformed real-world files on `equitable index`, `sensitivity` and `audit`: one exact line,
exit 1, no traceback (regressions found by trying the commands as a new user)."""

from __future__ import annotations

from pathlib import Path

import pytest

from equitable.cli import main

SPEC = """
name = "t"
id_column = "geoid"
id_width = 11
keep_columns = ["name"]
[[indicator]]
code = "pov"
column = "pov_pct"
[[indicator]]
code = "inc"
column = "income"
direction = "lower_is_more_need"
[overall]
code = "score"
aggregation = "mean"
[overall.tiers]
n = 2
labels = ["1 High", "2 Low"]
"""
GOOD = "geoid,name,pov_pct,income\n06037000100,A,12.5,50000\n06037000200,B,30,40000\n"


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture()
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.toml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    return tmp_path


def fails(capsys, message: str, *args: str) -> None:
    code, _, err = run(capsys, *args)
    assert code == 1
    assert "Traceback" not in err
    assert err.strip() == f"Error: {message}"


@pytest.mark.parametrize("command", ["index", "sensitivity"])
def test_bad_input_files(folder, capsys, command):
    def call(name: str) -> list[str]:
        if command == "index":
            return ["index", "spec.toml", name, "-o", "out.csv"]
        return ["sensitivity", "spec.toml", name, "--draws", "20", "--no-sobol", "-o", "sens"]

    (folder / "empty.csv").write_bytes(b"")
    fails(capsys, "empty.csv: the file is empty", *call("empty.csv"))
    (folder / "header.csv").write_text("geoid,name,pov_pct,income\n", encoding="utf-8")
    fails(capsys, "header.csv: no data rows (only a header)", *call("header.csv"))
    # "Espa\xf1ol" as Excel's "CSV (Comma delimited)" writes it (Windows-1252)
    (folder / "latin1.csv").write_bytes(
        b"geoid,name,pov_pct,income\n06037000100,Espa\xf1ol,12.5,50000\n")
    fails(capsys, "latin1.csv, row 2: not UTF-8 text (byte 0xf1); save the file as 'CSV UTF-8' "
                  "(Excel) or convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8", *call("latin1.csv"))
    (folder / "folder.csv").mkdir()
    fails(capsys, "folder.csv: is a folder, not a file", *call("folder.csv"))


def test_output_path_problems(folder, capsys):
    (folder / "taken").mkdir()
    fails(capsys, "taken: is a folder; give a file name, e.g. taken/index.csv",
          "index", "spec.toml", "good.csv", "-o", "taken")
    (folder / "afile").write_text("x", encoding="utf-8")
    fails(capsys, "afile: is a file, not a folder; give an output folder",
          "index", "spec.toml", "good.csv", "-o", "afile/out.csv")
    fails(capsys, "afile: is a file, not a folder; give an output folder",
          "sensitivity", "spec.toml", "good.csv", "--draws", "20", "--no-sobol", "-o", "afile")
    fails(capsys, "afile: is a file, not a folder; give an output folder",
          "audit", "good.csv", "--spec", "spec.toml", "-o", "afile")
    # a folder that does not exist yet is made
    code, _, _ = run(capsys, "index", "spec.toml", "good.csv", "-o", "new/sub/out.csv")
    assert code == 0 and (folder / "new" / "sub" / "out.csv").is_file()


def test_typo_in_spec_key_is_named_with_a_suggestion(folder, capsys):
    (folder / "typo.toml").write_text(SPEC.replace('id_column = "geoid"', 'id_colum = "geoid"'),
                                      encoding="utf-8")
    fails(capsys, "typo.toml: key 'id_colum': unknown key (did you mean 'id_column'?)",
          "index", "typo.toml", "good.csv", "-o", "out.csv")


def test_xlsx_parquet_crlf_bom_inputs_give_the_same_result(folder, capsys):
    import pandas as pd

    df = pd.read_csv(folder / "good.csv", dtype={"geoid": str})
    df.to_excel(folder / "good.xlsx", index=False)
    df.to_parquet(folder / "good.parquet", index=False)
    (folder / "crlf.csv").write_bytes(GOOD.replace("\n", "\r\n").encode())
    (folder / "bom.csv").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    outs = []
    for name in ("good.csv", "good.xlsx", "good.parquet", "crlf.csv", "bom.csv"):
        code, _, err = run(capsys, "index", "spec.toml", name, "-o", f"{name}.out.csv")
        assert code == 0, err
        outs.append((folder / f"{name}.out.csv").read_text(encoding="utf-8"))
    assert all(o == outs[0] for o in outs)
    # hand check: B has the higher poverty and the lower income, so it is the higher need
    assert outs[0].splitlines()[1:] == ["06037000100,A,0,0,0,2 Low,", "06037000200,B,1,1,1,1 High,"]
