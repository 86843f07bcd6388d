"""`equitable survey ...`: the whole flow on generated exports, and the errors users see."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from equitable.cli import main

from .test_weight import MARGINS

SURVEY_MARGINS = """variable,category,population
race_ethnicity,hispanic,7400
race_ethnicity,black,800
race_ethnicity,white,1000
race_ethnicity,asian,400
race_ethnicity,other,400
grade_span,elementary,4500
grade_span,middle,2500
grade_span,high,3000
school,19647330100289,2500
school,19647330102434,2500
school,19647331931047,2500
school,19647336015954,2500
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def test_survey_flow(capsys, tmp_path, instrument_path):
    inst = str(instrument_path)
    q = tmp_path / "q.csv"
    g = tmp_path / "g_es.csv"
    assert run(capsys, "survey", "synth", inst, "--out", str(q), "--n", "300")[0] == 0
    assert run(capsys, "survey", "synth", inst, "--out", str(g), "--n", "200", "--seed", "1",
               "--platform", "google", "--language", "es")[0] == 0
    code, out, err = run(capsys, "survey", "read", inst, str(q), str(g), "--out",
                         str(tmp_path / "s"), "--language", "en", "--language", "es")
    assert code == 0, err
    n_g = len(pd.read_csv(g))
    assert out.startswith(f"{300 + n_g} respondents, ")
    resp = pd.read_csv(tmp_path / "s" / "respondents.csv", dtype=str)
    assert set(resp["platform"]) == {"qualtrics", "google"}
    (tmp_path / "m.csv").write_text(SURVEY_MARGINS)
    code, out, err = run(capsys, "survey", "weight", inst, str(tmp_path / "s"), "--margins",
                         str(tmp_path / "m.csv"), "--by", "race_ethnicity", "--by",
                         "grade_span")
    assert code == 0, err
    assert out.startswith("design effect ")
    summary = json.loads((tmp_path / "s" / "weighting.json").read_text())
    assert summary["converged"] and summary["population"] == pytest.approx(10000)
    w = pd.read_csv(tmp_path / "s" / "respondents.csv")["weight"]
    assert w.sum() == pytest.approx(10000, rel=1e-9)
    code, out, err = run(capsys, "survey", "estimate", inst, str(tmp_path / "s"), "--out",
                         str(tmp_path / "est"), "--by", "school", "--by", "language",
                         "--enrollment", str(tmp_path / "m.csv"))
    assert code == 0, err
    run(capsys, "survey", "estimate", inst, str(tmp_path / "s"), "--out", str(tmp_path / "e2"),
        "--by", "school", "--by", "language", "--enrollment", str(tmp_path / "m.csv"))
    for f in ("estimates.csv", "response_rates.csv", "run_estimate.json"):  # same bytes
        assert (tmp_path / "est" / f).read_bytes() == (tmp_path / "e2" / f).read_bytes()
    est = pd.read_csv(tmp_path / "est" / "estimates.csv", dtype=str)
    assert set(est["weighted"]) == {"False", "True"}
    rr = pd.read_csv(tmp_path / "est" / "response_rates.csv", dtype=str)
    assert rr.loc[rr["group"] == "all", "respondents"].item() == str(300 + n_g)
    code, out, err = run(capsys, "survey", "report", inst, str(tmp_path / "s"), "--out",
                         str(tmp_path / "r" / "report.html"), "--by", "language",
                         "--margins", str(tmp_path / "m.csv"))
    assert code == 0, err
    assert (tmp_path / "r" / "report.html").stat().st_size > 1_000_000
    code, out, err = run(capsys, "survey", "code", "themes", inst, str(tmp_path / "s"),
                         "--item", "q6", "--language", "es", "--themes", "3")
    assert code == 0, err
    assert len(json.loads(out)) == 3


def test_code_commands(capsys, tmp_path):
    from .conftest import EXAMPLES

    ex = EXAMPLES / "excerpts.csv"
    code, out, err = run(capsys, "survey", "code", "agreement", str(ex))
    assert code == 0, err
    assert out.splitlines()[0].startswith("code,units,coders,coded_units,percent_agreement,")
    qdpx = tmp_path / "p.qdpx"
    code, out, err = run(capsys, "survey", "code", "export", str(ex), "--codebook",
                         str(EXAMPLES / "codebook.toml"), "--documents",
                         str(EXAMPLES / "focus_groups"), "--out", str(qdpx))
    assert code == 0, err
    code, out, err = run(capsys, "survey", "code", "import", str(qdpx), "--out",
                         str(tmp_path / "back.csv"))
    assert code == 0, err
    assert len(pd.read_csv(tmp_path / "back.csv")) == len(pd.read_csv(ex))


def test_errors_are_one_line_without_traceback(tmp_path, instrument_path):
    # through the real entry point: what a user sees on the terminal
    missing = tmp_path / "none.csv"
    r = subprocess.run([sys.executable, "-m", "equitable.cli", "survey", "read",
                        str(instrument_path), str(missing), "--out", str(tmp_path / "s")],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 1
    assert r.stderr == f"Error: {missing}: file not found\n"



def test_weight_errors_name_the_problem(capsys, tmp_path, instrument_path):
    (tmp_path / "m.csv").write_text(MARGINS.to_csv(index=False))
    args = ["survey", "weight", str(instrument_path), str(tmp_path / "s"), "--margins",
            str(tmp_path / "m.csv"), "--by", "a"]
    code, _, err = run(capsys, *args, "--trim", "5")
    assert code == 1
    assert err == ("Error: --trim must be LOWER,UPPER (multiples of the mean weight, e.g. "
                   "0.3,5). Got '5' instead.\n")
    code, _, err = run(capsys, *args)
    assert code == 1
    assert err == (f"Error: {tmp_path / 's' / 'responses.csv'}: file not found (run "
                   "'equitable survey read' first)\n")


def test_every_survey_command_has_help(capsys):
    code, out, _ = run(capsys, "survey", "--help")
    assert code == 0
    for cmd in ("synth", "read", "margins", "weight", "estimate", "report", "code"):
        assert cmd in out
    code, out, _ = run(capsys, "survey", "code", "--help")
    for cmd in ("import", "export", "agreement", "themes"):
        assert cmd in out


@pytest.mark.data
def test_margins_from_public_files(capsys, tmp_path, data_dir):
    out = tmp_path / "m.csv"
    code, _, err = run(capsys, "survey", "margins", "--frpm",
                            str(data_dir / "cde" / "frpm_lausd_2017_18_to_2023_24.csv"),
                            "--year", "2023-2024", "--cds-prefix", "1964733", "--out", str(out))
    assert code == 0, err
    m = pd.read_csv(out, dtype={"category": str})
    # 529,902 enrolled in LAUSD 2023-24 (data/README.md) less the 1,426 of the nonpublic row
    assert m.loc[m["variable"] == "school", "population"].sum() == 529_902 - 1_426
    code, _, err = run(capsys, "survey", "margins", "--out", str(out))
    assert code == 1
    assert err == ("Error: give --frpm or --lausd-schools (or write a margins CSV by hand)\n")
