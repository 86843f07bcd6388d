"""`equitable run` with `[inputs] staffing = ...`: the staffing sheets, CSV and bilingual page
beside the allocation, with the run's own tiers; positions at schools the run does not rank are
left out and counted (never silently)."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from equitable.pipeline import run
from equitable.pipeline._synthetic import write_synthetic_inputs
from equitable.staffing._synth import synth_staff


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runstaff")
    cfg = write_synthetic_inputs(folder, 30, seed=3)
    synth_staff(folder / "staff", schools_file=folder / "schools.csv", seed=4)
    pos = pd.read_csv(folder / "staff" / "positions.csv", dtype=str, keep_default_na=False)
    extra = pos.iloc[[0]].copy()
    extra["position_id"] = "EXTRA1"
    extra["cds_code"] = "19999999999999"  # a school the run does not rank
    pd.concat([pos, extra]).to_csv(folder / "staff" / "positions.csv", index=False,
                                   lineterminator="\n")
    text = cfg.read_text().replace("[inputs]\n", '[inputs]\nstaffing = "staff/positions.csv"\n')
    staff_cfg = folder / "staff.toml"
    staff_cfg.write_text(text)
    return folder, cfg, staff_cfg, pos


def test_run_writes_the_staffing_section(setup, tmp_path):
    folder, _, staff_cfg, pos = setup
    r = run(staff_cfg, out_dir=tmp_path / "out", data_dir=folder)
    for name in ("staffing.xlsx", "staffing_schools.csv", "staffing.html", "staffing.es.html"):
        assert (tmp_path / "out" / name).is_file(), name
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    st = record["extra"]["staffing"]
    # every vacancy of the file, counted by hand, except the one at the unranked school
    vacant = int((pos["status"] == "vacant").sum())
    assert st["vacancies"]["All"] == vacant
    assert (st["positions"], st["positions_left_out"]) == (len(pos) + 1, 1)
    assert st["notes"][0] == ("1 position(s) at 1 school(s) not ranked in this run left out of "
                              "the staffing section")
    # tiers are the run's own
    schools = pd.read_csv(tmp_path / "out" / "schools.csv", dtype={"cds_code": str})
    assert set(st["vacancies"]) == set(schools["tier"]) | {"All"}
    wb = openpyxl.load_workbook(tmp_path / "out" / "staffing.xlsx", read_only=True)
    assert wb.sheetnames == ["Educator Equity", "Tiers", "Schools"]
    es = (tmp_path / "out" / "staffing.es.html").read_text(encoding="utf-8")
    assert "Vacantes y apoyos estudiantiles por nivel de necesidad" in es
    assert r.computation.staffing == st


def test_run_without_staffing_is_unchanged(setup, tmp_path):
    folder, cfg, _, _ = setup
    r = run(cfg, out_dir=tmp_path / "plain", data_dir=folder)
    assert not any(n.startswith("staffing") for n in r.files)
    assert "staffing" not in json.loads((tmp_path / "plain" / "run.json").read_text())["extra"]
