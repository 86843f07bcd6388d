"""`equitable run` keeps every reader's notes: a CDS code padded with a lost leading zero is said
on the terminal and in run.json (``input_notes``), also when the math file is joined to the
school table (a pandas merge drops a frame's ``attrs``, where the readers keep their notes)."""

from __future__ import annotations

import json

import pandas as pd

from equitable.pipeline import run
from equitable.pipeline._synthetic import write_synthetic_inputs


def test_a_padded_cds_code_in_the_school_table_is_noted(tmp_path, capsys):
    cfg = write_synthetic_inputs(tmp_path, 30, seed=3)
    assert 'math = "math.csv"' in cfg.read_text()  # the join that used to lose the note
    schools = pd.read_csv(tmp_path / "schools.csv", dtype=str, keep_default_na=False)
    code = schools.loc[4, "cds"]
    assert len(code) == 14
    schools.loc[4, "cds"] = code[1:]  # 13 digits: read back as a code that lost a leading zero
    schools.to_csv(tmp_path / "schools.csv", index=False)

    run(cfg, out_dir=tmp_path / "out", data_dir=tmp_path)

    note = ("schools.csv, column 'cds': 1 CDS code had lost its leading zero (fewer than 14 "
            "digits) and was padded with zeros")
    record = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert note in record["extra"]["input_notes"]
    out = pd.read_csv(tmp_path / "out" / "schools.csv", dtype=str)
    assert "0" + code[1:] not in set(out["cds_code"])  # the padded code matched no FRPM row
    assert len(out) == 29
