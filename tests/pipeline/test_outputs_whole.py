"""Outputs are whole or absent (issue 14, item 7): ``equitable run`` killed with SIGKILL at any
moment leaves the previous complete outputs (every file matching the SHA-256 in run.json) or
none, never a mix; ``equitable serve --results`` and the dashboard refuse a folder whose files do
not match its run.json."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from equitable.errors import InputError
from equitable.pipeline import run
from equitable.pipeline._synthetic import write_synthetic_inputs

BUDGET_A = 100_000_000  # dollars, the synthetic config's budget
BUDGET_B = 250_000_000


def _config(folder: Path, budget: int) -> Path:
    cfg = folder / f"budget_{budget}.toml"
    text = (folder / "config.toml").read_text(encoding="utf-8")
    cfg.write_text(text.replace(f"budget = {BUDGET_A}", f"budget = {budget}"), encoding="utf-8")
    return cfg


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whole")
    write_synthetic_inputs(folder, 40, grid=6, seed=3)
    return folder


def whole_budget(out: Path) -> int | None:
    """None when the folder is absent; else the budget (dollars) of the complete run it holds.
    Fails when a file is missing, extra or does not match run.json."""
    if not out.exists():
        return None
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert sorted(os.listdir(out)) == sorted([*record["outputs"], "run.json"])
    for name, digest in record["outputs"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    schools = pd.read_csv(out / "schools.csv", dtype={"cds_code": str})
    assert int(schools["amount_cents"].sum()) == record["extra"]["budget_cents"]
    return record["extra"]["budget_cents"] // 100


# The run is killed from inside (deterministic moments): at a progress step, or just before
# the finished folder is put in place.
_KILLER = textwrap.dedent("""
    import os, signal, sys
    from equitable.pipeline import run
    cfg, out, data, moment = sys.argv[1:5]
    def kill(*_):
        os.kill(os.getpid(), signal.SIGKILL)
    if moment == "publish":
        import equitable._atomic as a
        a._publish = kill
        step = None
    else:
        def step(name):
            if name == moment:
                kill()
    run(cfg, out_dir=out, data_dir=data, progress=step)
""")


def _killed_run(cfg: Path, out: Path, data: Path, moment: str) -> int:
    r = subprocess.run([sys.executable, "-c", _KILLER, str(cfg), str(out), str(data), moment],
                       capture_output=True, text=True, timeout=300, check=False)
    return r.returncode


def test_a_killed_run_leaves_the_previous_outputs_or_none(synth, tmp_path):
    out = tmp_path / "out"
    cfg_a, cfg_b = _config(synth, BUDGET_A), _config(synth, BUDGET_B)
    # no previous outputs: a kill after two files were written leaves no folder at all
    assert _killed_run(cfg_b, out, synth, "Writing report.html") == -signal.SIGKILL
    assert whole_budget(out) is None
    run(cfg_a, out_dir=out, data_dir=synth)
    assert whole_budget(out) == BUDGET_A
    # a run with another budget killed after schools.csv (and the workbook, and everything
    # but the swap) were written: still the previous, complete $100M outputs
    for moment in ("Writing allocation.xlsx", "Writing run.json", "publish"):
        assert _killed_run(cfg_b, out, synth, moment) == -signal.SIGKILL, moment
        assert whole_budget(out) == BUDGET_A, moment
    # no temporary folder is left once a run completes
    run(cfg_b, out_dir=out, data_dir=synth)
    assert whole_budget(out) == BUDGET_B
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_equitable_run_killed_from_outside(synth, tmp_path):
    """``equitable run`` in a subprocess, SIGKILLed as it reports writing its files."""
    out = tmp_path / "out"
    run(_config(synth, BUDGET_A), out_dir=out, data_dir=synth)
    cfg_b = _config(synth, BUDGET_B)
    for line in ("[7/10]", "[9/10]"):
        p = subprocess.Popen(
            [sys.executable, "-m", "equitable.cli", "run", str(cfg_b), "--out", str(out),
             "--data-dir", str(synth)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
            text=True)
        assert p.stderr is not None
        for text in p.stderr:
            if text.startswith(line):
                p.send_signal(signal.SIGKILL)
                break
        p.wait(timeout=120)
        assert whole_budget(out) in (BUDGET_A, BUDGET_B), line


def test_an_error_leaves_the_previous_outputs(synth, tmp_path):
    from equitable._atomic import output_folder

    out = tmp_path / "out"
    run(_config(synth, BUDGET_A), out_dir=out, data_dir=synth)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(RuntimeError), output_folder(out) as stage:
        (stage / "schools.csv").write_text("half\n")
        raise RuntimeError("disk full")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_of_other_files_keeps_them(tmp_path):
    """``-o`` pointing at a folder of other files: the outputs are merged in, nothing else
    goes, and the previous run record is replaced last."""
    from equitable._atomic import output_folder

    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "run.json").write_text('{"outputs": {}}\n')
    with output_folder(tmp_path) as stage:
        (stage / "table.csv").write_text("a\n1\n")
        (stage / "run.json").write_text('{"outputs": {"table.csv": "x"}}\n')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "run.json", "table.csv"]
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    assert json.loads((tmp_path / "run.json").read_text()) == {"outputs": {"table.csv": "x"}}


def test_an_output_folder_that_is_a_file_fails_before_the_work(tmp_path):
    from equitable._atomic import output_folder

    f = tmp_path / "out"
    f.write_text("x")
    with pytest.raises(InputError) as e, output_folder(f):
        pass
    assert str(e.value) == f"{f}: is a file, not a folder; give an output folder"


# ------------------------------------------------------------------------------------------
# serving a folder that does not match its run.json
# ------------------------------------------------------------------------------------------

@pytest.fixture()
def edited(synth, tmp_path):
    """A complete run whose schools.csv was then changed (one amount moved between schools:
    still a valid table, the total still equal to the budget)."""
    out = tmp_path / "out"
    run(_config(synth, BUDGET_A), out_dir=out, data_dir=synth)
    lines = (out / "schools.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    k = header.index("amount_cents")
    a, b = lines[1].split(","), lines[2].split(",")
    a[k], b[k] = str(int(a[k]) + 100), str(int(b[k]) - 100)
    lines[1], lines[2] = ",".join(a), ",".join(b)
    (out / "schools.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _serve(folder: Path) -> subprocess.CompletedProcess:
    # on a folder it accepts, serve would run until the timeout (and the test fail)
    return subprocess.run(
        [sys.executable, "-m", "equitable.cli", "serve", "--dev", "--port", "0", "--db",
         "sqlite://", "--results", str(folder)],
        capture_output=True, text=True, timeout=60, check=False)


def test_serve_refuses_a_folder_that_does_not_match_run_json(edited):
    r = _serve(edited)
    assert r.returncode == 1
    assert r.stderr == (
        f"Error: {edited / 'schools.csv'}: does not match run.json (SHA-256 differs); the "
        "outputs are incomplete or were changed after the run (run the command again)\n")


def test_serve_refuses_a_half_written_folder(edited):
    (edited / "report.es.html").unlink()
    r = _serve(edited)
    assert r.returncode == 1
    assert r.stderr == (
        f"Error: {edited / 'report.es.html'}: listed in run.json but missing; the outputs are "
        "incomplete (run the command again)\n")


def test_the_dashboard_does_not_serve_an_edited_folder(edited, tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from equitable.web import create_app, load_settings

    monkeypatch.setenv("EQUITABLE_DASHBOARD_RESULTS", str(edited))
    app = create_app(load_settings(dev=True, database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    with TestClient(app) as c:
        assert c.get("/").status_code == 503


def test_out_is_the_working_folder(tmp_path, monkeypatch):
    """``--out .``: the folder a shell is in is never swapped away; the outputs are moved in."""
    from equitable._atomic import output_folder

    monkeypatch.chdir(tmp_path)
    with output_folder(".") as stage:
        (stage / "a.csv").write_text("x\n")
        (stage / "run.json").write_text('{"outputs": {"a.csv": "0"}}\n')
    assert Path.cwd() == tmp_path and tmp_path.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "run.json"]


def test_swap_without_renameat2(tmp_path, monkeypatch):
    """Where the one-step exchange is not available, the old folder is set aside, the new one
    renamed in, and the old one removed: the result is the new outputs only."""
    import equitable._atomic as atomic

    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    for n, names in ((1, ["a.csv", "b.csv"]), (2, ["a.csv"])):
        with atomic.output_folder(out) as stage:
            for name in names:
                (stage / name).write_text(f"{n}\n")
            (stage / "run.json").write_text(json.dumps({"outputs": dict.fromkeys(names, "")}))
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "run.json"]
    assert (out / "a.csv").read_text() == "2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
