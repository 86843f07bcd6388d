"""`equitable survey ...` on malformed files and bad output paths: one exact line, exit 1, no
traceback (regressions found by trying the commands as a new user)."""

from __future__ import annotations

from pathlib import Path

import pytest

from equitable.cli import main

from .conftest import EXAMPLES


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def fails(capsys, message: str, *args: str) -> None:
    code, _, err = run(capsys, *args)
    assert code == 1
    assert "Traceback" not in err
    assert err.strip() == f"Error: {message}"


@pytest.fixture()
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "dir.csv").mkdir()
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    # "Códigos" in Windows-1252, as Excel's "CSV (Comma delimited)" saves it
    (tmp_path / "cp1252.csv").write_bytes(b"document,code,coder\nnotes,c\xf3digo,ana\n")
    return tmp_path


def test_margins_and_excerpts_files(folder, capsys):
    inst = str(EXAMPLES / "family_survey.toml")
    code, _, err = run(capsys, "survey", "synth", inst, "--n", "40", "--out", "q.csv")
    assert code == 0, err
    code, _, err = run(capsys, "survey", "read", inst, "q.csv", "--out", "survey")
    assert code == 0, err
    for bad, message in (("dir.csv", "dir.csv: is a folder, not a file"),
                         ("empty.csv", "empty.csv: the file is empty"),
                         ("cp1252.csv", ("cp1252.csv, row 2: not UTF-8 text (byte 0xf3); save "
                                         "it as UTF-8 CSV"))):
        fails(capsys, message, "survey", "weight", inst, "survey", "--margins", bad,
              "--by", "race_ethnicity")
        fails(capsys, message, "survey", "code", "agreement", bad)
    fails(capsys, "dir.csv: is a folder, not a file", "survey", "read", inst, "dir.csv",
          "--out", "s2")


def test_output_paths(folder, capsys):
    inst = str(EXAMPLES / "family_survey.toml")
    run(capsys, "survey", "synth", inst, "--n", "40", "--out", "q.csv")
    fails(capsys, "afile: is a file, not a folder; give an output folder",
          "survey", "read", inst, "q.csv", "--out", "afile")
    run(capsys, "survey", "read", inst, "q.csv", "--out", "survey")
    fails(capsys, "afile: is a file, not a folder; give an output folder",
          "survey", "estimate", inst, "survey", "--out", "afile")
    fails(capsys, "dir.csv: is a folder; give the report's file name, e.g. dir.csv/report.html",
          "survey", "report", inst, "survey", "--out", "dir.csv")
    fails(capsys, "afile: is a file, not a folder; give an output folder",
          "survey", "code", "export", str(EXAMPLES / "excerpts.csv"), "--codebook",
          str(EXAMPLES / "codebook.toml"), "--documents", str(EXAMPLES / "focus_groups"),
          "--out", "afile/p.qdpx")
