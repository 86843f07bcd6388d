"""Bad configs get one clear line on the CLI (exact text), never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from equitable.errors import SpecError
from equitable.pipeline import load_config
from equitable.pipeline._synthetic import write_synthetic_inputs


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synth")
    write_synthetic_inputs(folder, 30, seed=1)
    return folder


@pytest.fixture()
def _cli(synth, capsys, monkeypatch):
    """Run ``equitable run`` in this process (the console script's own ``main``), in ``synth``."""
    from equitable.cli import main

    monkeypatch.chdir(synth)

    def call(folder: Path, config_text: str, name: str = "bad.toml") -> subprocess.CompletedProcess:
        (folder / name).write_text(config_text, encoding="utf-8")
        capsys.readouterr()
        try:
            main(["run", name, "--data-dir", ".", "--out", "out-bad", "-q"])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out = capsys.readouterr()
        return subprocess.CompletedProcess([name], code, out.out, out.err)

    return call


def test_console_script_prints_one_line_without_traceback(synth):
    (synth / "bad_sub.toml").write_text(
        _base(synth).replace("budget = 100000000", 'budget = "lots"'), encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "equitable.cli", "run", "bad_sub.toml", "--data-dir", ".", "-q"],
        capture_output=True, text=True, cwd=synth, check=False,
    )
    _fails_with(r, "bad_sub.toml [allocation]: key 'budget': budget must be a number, got "
                   "'lots'")


def _base(folder: Path) -> str:
    return (folder / "config.toml").read_text(encoding="utf-8")


def _fails_with(r: subprocess.CompletedProcess, message: str) -> None:
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert r.stderr.strip() == f"Error: {message}"


def test_budget_not_a_number(synth, _cli):
    r = _cli(synth, _base(synth).replace("budget = 100000000", 'budget = "lots"'))
    _fails_with(r, "bad.toml [allocation]: key 'budget': budget must be a number, got 'lots'")


def test_tier_weight_missing(synth, _cli):
    r = _cli(synth, _base(synth).replace('"3 Moderate" = 1.0\n', ""))
    _fails_with(r, "bad.toml: key 'allocation.weights': no weight for tier '3 Moderate' (the "
                   "index spec 'seni-style' makes tiers '1 Highest', '2 High', '3 Moderate', "
                   "'4 Low', '5 Lowest')")


def test_tier_weights_table_missing(synth, _cli):
    text = _base(synth)
    text = text[: text.index("[allocation.weights]")]
    r = _cli(synth, text)
    _fails_with(r, "bad.toml: key 'allocation.weights': missing required key (give each tier's "
                   "relative per-pupil weight in [allocation.weights], or fixed dollars in "
                   "[allocation.rates] with solve = false)")


def test_weight_for_a_tier_the_spec_does_not_make(synth, _cli):
    r = _cli(synth, _base(synth).replace('"5 Lowest" = 0.5', '"5 Lowest" = 0.5\n"6 Extra" = 0.1'))
    _fails_with(r, "bad.toml: key 'allocation.weights': tier '6 Extra' is not a tier of the "
                   "index spec 'seni-style' ('1 Highest', '2 High', '3 Moderate', '4 Low', "
                   "'5 Lowest')")


def test_unknown_school(synth, _cli):
    r = _cli(synth, _base(synth).replace("[selection]\n",
                                         '[selection]\nexclude = ["19100019999999"]\n'))
    _fails_with(r, "bad.toml: key 'selection.exclude[0]': unknown school '19100019999999' (no "
                   "such CDS code in the school table)")


def test_cds_code_not_14_digits(synth, _cli):
    r = _cli(synth, _base(synth).replace("[selection]\n", '[selection]\nonly = ["1964733"]\n'))
    _fails_with(r, "bad.toml: key 'selection.only[0]': a CDS code is a string of 14 digits. "
                   "Got '1964733'")


def test_unknown_key_and_missing_key(synth, _cli):
    r = _cli(synth, _base(synth).replace("[index]", "colour = 'red'\n[index]"))
    _fails_with(r, "bad.toml: key 'selection.colour': unknown key")
    r = _cli(synth, _base(synth).replace('name = "synthetic"\n', ""))
    _fails_with(r, "bad.toml: key 'name': missing required key")


def test_unknown_spec_and_missing_input(synth, _cli):
    r = _cli(synth, _base(synth).replace('spec = "seni-style"', 'spec = "seni-styel"'))
    assert r.returncode == 1
    assert r.stderr.startswith("Error: bad.toml: key 'index.spec': 'seni-styel' is neither a "
                               "preset (")
    r = _cli(synth, _base(synth).replace('math = "math.csv"', 'math = "maths.csv"'))
    _fails_with(r, f"{(synth / 'maths.csv').resolve()}: input file not found (inputs.math in "
                   "the config)")


def test_not_toml_and_not_found(synth, _cli, tmp_path):
    r = _cli(synth, "name = \n")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: bad.toml: not valid TOML: ")
    with pytest.raises(SpecError, match=r"nope\.toml: config file not found"):
        load_config(tmp_path / "nope.toml")


# ---- regressions found by trying `equitable run` as a new user ---------------------------------


def test_typo_in_a_required_key_names_the_typo(synth, _cli):
    r = _cli(synth, _base(synth).replace('name = "synthetic"', 'nmae = "synthetic"'))
    _fails_with(r, "bad.toml: key 'nmae': unknown key (did you mean 'name'?)")


def test_misspelt_preset_gets_a_suggestion(synth, _cli):
    r = _cli(synth, _base(synth).replace('spec = "seni-style"', 'spec = "seni-styel"'))
    assert r.returncode == 1
    assert r.stderr.strip().endswith("nor a spec file; did you mean 'seni-style'?")


def test_district_code_as_a_number(synth, _cli):
    r = _cli(synth, _base(synth).replace("[selection]", "[selection]\ndistrict_code = 1611"))
    _fails_with(r, "bad.toml: key 'selection.district_code': write the district code as text in "
                   'quotes, e.g. "01611" (a number loses leading zeros)')


def test_budget_in_words_and_negative(synth, _cli):
    r = _cli(synth, _base(synth).replace("budget = 100000000", 'budget = "seven hundred million"'))
    _fails_with(r, "bad.toml [allocation]: key 'budget': budget must be a number, got "
                   "'seven hundred million'")
    r = _cli(synth, _base(synth).replace("budget = 100000000", "budget = -5"))
    _fails_with(r, "bad.toml [allocation]: key 'budget': budget must be a positive number of "
                   "dollars, got -5")


def test_input_is_a_folder_and_header_only(synth, _cli):
    (synth / "a_folder.csv").mkdir(exist_ok=True)
    r = _cli(synth, _base(synth).replace('math = "math.csv"', 'math = "a_folder.csv"'))
    _fails_with(r, f"{(synth / 'a_folder.csv').resolve()}: is a folder, not a file (inputs.math "
                   "in the config)")
    header = (synth / "schools.csv").read_text(encoding="utf-8").splitlines()[0]
    (synth / "header_only.csv").write_text(header + "\n", encoding="utf-8")
    r = _cli(synth, _base(synth).replace('schools = "schools.csv"',
                                         'schools = "header_only.csv"'))
    _fails_with(r, f"{(synth / 'header_only.csv').resolve()}: no data rows (only a header)")


def test_config_is_a_folder(synth, _cli, capsys):
    from equitable.cli import main

    (synth / "cfgdir").mkdir(exist_ok=True)
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["run", "cfgdir", "-q"])
    assert capsys.readouterr().err.strip() == (
        "Error: cfgdir: is a folder; give the config file, e.g. examples/lausd.toml")


def test_output_folder_is_a_file_fails_before_the_work(synth, capsys, monkeypatch):
    from equitable.cli import main

    monkeypatch.chdir(synth)
    (synth / "taken.txt").write_text("x", encoding="utf-8")
    steps: list[str] = []
    capsys.readouterr()
    with pytest.raises(SystemExit) as e:
        main(["run", "config.toml", "--data-dir", ".", "--out", "taken.txt"])
    assert e.value.code == 1
    err = capsys.readouterr().err
    assert err.strip() == "Error: taken.txt: is a file, not a folder; give an output folder"
    assert "Reading inputs" not in err and not steps
