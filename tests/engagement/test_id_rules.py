"""Engagement students file: ids a spreadsheet saved in scientific notation are their own problem
(rows named), never read as a repeated enrollment of one student (equitable.checks rules)."""

from __future__ import annotations

import shutil
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "engagement-sample"


def test_student_ids_in_scientific_notation_are_not_a_repeated_enrollment(tmp_path, capsys):
    from equitable.cli import main

    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    lines = (folder / "students.csv").read_text(encoding="utf-8").splitlines()
    for i in (1, 2):  # two students of one school, both saved as 1.23457E+09
        cells = lines[i].split(",")
        assert cells[1] == lines[1].split(",")[1]
        cells[0] = "1.23457E+09"
        lines[i] = ",".join(cells)
    (folder / "students.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        main(["engagement", str(folder), "-o", str(tmp_path / "out")])
        code = 0
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 1
    assert err == (
        "Error: students.csv: 2 rows with a student_id or school_id in scientific notation (e.g. "
        "1.23457E+09: a spreadsheet saved the id as a number and lost its last digits; re-export "
        "the column formatted as Text) (rows 2, 3). Fix the file(s), or run with --lenient to "
        "drop these rows.\n")
