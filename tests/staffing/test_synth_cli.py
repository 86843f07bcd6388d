"""``equitable synth staff`` calibration and the staffing commands end to end."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from equitable.cli import main as _main
from equitable.staffing import classify_teachers, read_positions, read_staff_schools
from equitable.staffing._synth import synth_staff


def main(args):
    """Run the CLI; return its exit code (0 on success)."""
    try:
        _main(args)
    except SystemExit as exc:
        return exc.code or 0
    return 0


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    synth_staff(out, 600, seed=3)
    return out


def test_synthetic_district_matches_published_figures(district):
    pos = read_positions(district / "positions.csv")
    sch = read_staff_schools(district / "schools.csv")
    t = classify_teachers(pos)
    clear = t[(t["credential"] == "clear") & (t["in_field"] == "yes")]
    # CDE TAMO: 83-84% of teaching FTE clear in 2020-21 and 2021-22
    assert 82.0 <= 100 * clear["fte"].sum() / t["fte"].sum() <= 85.0
    # PLAS 2022: twice as many teacher vacancies at the highest-need schools
    teach = pos[pos["job_class"] == "teacher"].join(sch.set_index("cds_code")["tier"],
                                                   on="cds_code")
    rate = teach.groupby("tier").apply(
        lambda d: (d["fte"] * (d["status"] == "vacant")).sum() / d["fte"].sum(),
        include_groups=False)
    assert 1.7 <= rate["1 Highest"] / rate["5 Lowest"] <= 2.3


def test_same_seed_same_bytes(tmp_path):
    a = synth_staff(tmp_path / "a", 20, seed=5)
    b = synth_staff(tmp_path / "b", 20, seed=5)
    assert a.positions_path.read_bytes() == b.positions_path.read_bytes()
    assert a.schools_path.read_bytes() == b.schools_path.read_bytes()


def test_commands_write_their_outputs_deterministically(district, tmp_path, capsys):
    p, s = str(district / "positions.csv"), str(district / "schools.csv")
    for run in ("one", "two"):
        assert main(["staffing", "gaps", p, s, "--out", str(tmp_path / run / "gaps")]) == 0
        assert main(["staffing", "report", p, s, "--out", str(tmp_path / run / "rep")]) == 0
        assert main(["staffing", "plan", p, s, "--out", str(tmp_path / run / "plan"),
                     "--job-class", "counselor", "--fte", "25"]) == 0
    text = capsys.readouterr().out
    assert "Placed 25 of 25 FTE of counselor (target 250:1)" in text
    for f in ("gaps/educator_equity.xlsx", "gaps/educator_equity_gaps.csv",
              "rep/staffing.xlsx", "rep/staffing_schools.csv", "plan/plan_schools.csv"):
        assert (tmp_path / "one" / f).read_bytes() == (tmp_path / "two" / f).read_bytes(), f
    gaps = pd.read_csv(tmp_path / "one" / "gaps" / "educator_equity_gaps.csv")
    assert set(gaps["basis"]) == {"poverty", "minority", "tier"}
    record = json.loads((tmp_path / "one" / "plan" / "plan.run.json").read_text())
    assert record["spec"]["job_class"] == "counselor"
    placed = pd.read_csv(tmp_path / "one" / "plan" / "plan_schools.csv")
    assert placed["fte_added"].sum() == 25.0


def test_cli_errors_are_one_line(tmp_path, capsys):
    p = tmp_path / "positions.csv"
    p.write_text("position_id,cds_code,job_class,fte,status\nP1,19647330000001,coach,1,"
                 "filled\n", encoding="utf-8")
    s = tmp_path / "schools.csv"
    s.write_text("cds_code,enrollment,pct_frpm\n19647330000001,100,50\n", encoding="utf-8")
    assert main(["staffing", "report", str(p), str(s), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err == (f"Error: {p}, row 2, column 'job_class': 'coach' is not a job class (one "
                   "of: counselor, nurse, other, psa_counselor, psychologist, social_worker, "
                   "teacher)\n")
    assert main(["staffing", "plan", str(p), str(s), "--out", str(tmp_path / "o")]) == 1
    assert capsys.readouterr().err == ("Error: give either --fte (with --job-class) for a "
                                       "positions plan or --budget for an incentives plan\n")
