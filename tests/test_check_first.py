"""Commands check every input before heavy work, and their errors teach (issue 20, items 4-5).

Each test builds a small malformed file and asserts the exact one-line message, or that the
command stopped before the expensive step (which is replaced by one that fails the test).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from equitable.allocate import allocate, parse_rule
from equitable.checks import check_input_file, closest, did_you_mean
from equitable.cli import main
from equitable.errors import InputError, SpecError

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "engagement-sample"


def _cli_error(argv, capsys) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: "), err
    return err[0]


def _boom(*_a, **_k):
    raise AssertionError("the expensive step ran before every input was checked")


# --- did you mean -------------------------------------------------------------------------------


def test_closest_finds_shortened_and_misspelt_columns():
    assert closest("cds_code", ["school_name", "cds", "enrollment"]) == "cds"
    assert closest("cds", ["cds_code", "name"]) == "cds_code"
    assert closest("pct_swd", ["pct_sdw"]) == "pct_sdw"
    assert closest("Enrollment", ["enrollment "]) == "enrollment "
    assert closest("budget", ["school", "tier"]) is None
    assert did_you_mean("tier", ["tier"]) == ""


def test_data_reader_missing_column_says_did_you_mean(tmp_path):
    from equitable.data._common import read_delimited, require_columns

    f = tmp_path / "schools.csv"
    f.write_text("cds,school_name\n19647331935121,Adams\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        require_columns(read_delimited(f), ["cds_code", "school_name"])
    assert str(exc.value) == f"{f}: missing column 'cds_code' (did you mean 'cds'?)"


def test_index_reader_missing_id_column_says_did_you_mean(tmp_path):
    from equitable.index._io import check_columns

    df = pd.DataFrame({"cds": ["19647331935121"], "score": [1.0]})
    with pytest.raises(InputError) as exc:
        check_columns(df, ["cds_code"], "schools.csv")
    assert str(exc.value) == ("schools.csv, column 'cds_code': not found in the file "
                              "(did you mean 'cds'?)")


def test_allocation_rule_column_and_tier_label_typos_name_the_key_and_the_valid_ones():
    df = pd.DataFrame({"cds_code": ["1", "2", "3"], "enrollment": [100, 200, 300],
                       "tier": ["1 Highest", "2 High", "2 High"], "pct_frpm": [90, 50, 20]})
    rule = parse_rule({"kind": "tier_rates", "budget": 1000,
                       "weights": {"1 Higest": 1.5, "2 High": 1.0}}, source="r.toml")
    with pytest.raises(SpecError) as exc:
        allocate(df, rule, source="s.csv")
    assert str(exc.value) == ("rule key 'weights': tier '1 Higest' has no schools in s.csv "
                              "(did you mean '1 Highest'?) (tiers present: '1 Highest', '2 High')")
    rule = parse_rule({"kind": "proportional", "budget": 1000, "need_column": "frpm_pct"},
                      source="r.toml")
    with pytest.raises(SpecError) as exc:
        allocate(df, rule, source="s.csv")
    assert str(exc.value) == ("rule key 'need_column': column 'frpm_pct' not found in s.csv "
                              "(did you mean 'pct_frpm'?) (columns: cds_code, enrollment, tier, "
                              "pct_frpm)")


def _sample(tmp_path: Path) -> Path:
    folder = tmp_path / "district"
    shutil.copytree(SAMPLE, folder)
    return folder


def test_engagement_missing_column_says_did_you_mean(tmp_path, capsys):
    folder = _sample(tmp_path)
    cal = folder / "calendar.csv"
    cal.write_text(cal.read_text(encoding="utf-8").replace("school_id,", "school,", 1),
                   encoding="utf-8")
    err = _cli_error(["engagement", str(folder), "-o", str(tmp_path / "out")], capsys)
    assert err == ("Error: calendar.csv: missing column 'school_id' (did you mean 'school'?) "
                   "(found: 'school', 'date', 'instructional')")


def test_health_reader_missing_column_says_did_you_mean(tmp_path):
    from equitable.health import read_site_schools

    f = tmp_path / "schools.csv"
    f.write_text("cds_code,students,latitud,longitude\n19647331935121,500,34.05,-118.25\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_site_schools(f)
    assert str(exc.value) == f"{f}: missing column 'latitude' (did you mean 'latitud'?)"


def test_privacy_missing_count_column_says_did_you_mean():
    from equitable.privacy import protect_long

    df = pd.DataFrame({"school": ["Adams", "Baker"], "N": [40, 30]})
    with pytest.raises(InputError) as exc:
        protect_long(df, count_col="n", group_cols=["school"], name="summary.csv")
    assert str(exc.value) == "summary.csv: missing column(s) 'n' (did you mean 'N'?)"


# --- M/D/YYYY dates and folders ------------------------------------------------------------------


def test_engagement_us_date_names_the_row_and_the_iso_format(tmp_path, capsys):
    folder = _sample(tmp_path)
    students = folder / "students.csv"
    lines = students.read_text(encoding="utf-8").splitlines()
    assert lines[2].split(",")[3] == "2021-08-16"
    lines[2] = lines[2].replace("2021-08-16", "8/16/2021", 1)
    students.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = _cli_error(["engagement", str(folder), "-o", str(tmp_path / "out")], capsys)
    assert err == ("Error: students.csv: 1 row with an enroll_date that is not an ISO date "
                   "YYYY-MM-DD (a spreadsheet's M/D/YYYY, e.g. 8/19/2021, must be written "
                   "2021-08-19) (row 3). Fix the file(s), or run with --lenient to drop these "
                   "rows.")


def test_engagement_folder_where_a_file_is_expected(tmp_path, capsys):
    folder = _sample(tmp_path)
    (folder / "calendar.csv").unlink()
    (folder / "calendar.csv").mkdir()
    err = _cli_error(["engagement", str(folder), "-o", str(tmp_path / "out")], capsys)
    assert err == f"Error: {folder / 'calendar.csv'}: is a folder, not a file"


def test_check_input_file(tmp_path):
    with pytest.raises(InputError, match=r"^missing.csv: file not found$"):
        check_input_file(tmp_path / "missing.csv", label="missing.csv")
    with pytest.raises(InputError, match=r": is a folder, not a file$"):
        check_input_file(tmp_path)
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(b"cds_code,name\n1,Espa\xf1ol\n")
    with pytest.raises(InputError, match=r"latin1.csv, row 2: not UTF-8 text \(byte 0xf1\)"):
        check_input_file(bad)
    assert check_input_file(bad, columns=["cds_code"], require_utf8=False) == bad
    with pytest.raises(InputError) as exc:
        check_input_file(bad, columns=["cds"], require_utf8=False)
    assert str(exc.value) == f"{bad}, row 1, column 'cds': missing column (did you mean 'cds_code'?)"


# --- check before compute ------------------------------------------------------------------------


def test_compare_checks_the_second_scenario_before_computing_the_first(tmp_path, capsys,
                                                                      monkeypatch, data_dir):
    import equitable.pipeline
    import equitable.pipeline._run

    monkeypatch.setattr(equitable.pipeline._run, "compute", _boom)
    monkeypatch.setattr(equitable.pipeline, "compute", _boom, raising=False)
    missing = tmp_path / "lausd_steeper.toml"
    err = _cli_error(["compare", str(REPO / "examples" / "lausd.toml"), str(missing),
                      "-o", str(tmp_path / "cmp")], capsys)
    assert err == f"Error: {missing}: file not found"
    # a run config whose input is missing is found out before any scenario is computed too
    cfg = tmp_path / "b.toml"
    text = (REPO / "examples" / "lausd.toml").read_text(encoding="utf-8")
    cfg.write_text(text.replace('"cde/frpm_2023_24_los_angeles_county.csv"',
                                '"cde/frpm_2099.csv"'), encoding="utf-8")
    err = _cli_error(["compare", str(REPO / "examples" / "lausd.toml"), str(cfg),
                      "-o", str(tmp_path / "cmp")], capsys)
    assert err == (f"Error: {data_dir / 'cde' / 'frpm_2099.csv'}: input file not found "
                   "(inputs.frpm in the config)")
    assert not (tmp_path / "cmp").exists()


def test_run_checks_every_input_before_reading_any(tmp_path, capsys, monkeypatch, data_dir):
    import equitable.pipeline._run as run_mod

    monkeypatch.setattr(run_mod, "read_lausd_schools", _boom)
    cfg = tmp_path / "lausd.toml"
    text = (REPO / "examples" / "lausd.toml").read_text(encoding="utf-8")
    cfg.write_text(text.replace('"community/la_times_neighborhoods_la_county.geojson"',
                                '"community"'), encoding="utf-8")
    err = _cli_error(["run", str(cfg), "--out", str(tmp_path / "out")], capsys)
    assert err == (f"Error: {data_dir / 'community'}: is a folder, not a file "
                   "(inputs.neighbourhoods in the config)")


def test_allocate_checks_every_input_before_reading_any(tmp_path, capsys, monkeypatch):
    import equitable.allocate._io as io_mod

    monkeypatch.setattr(io_mod, "read_table", _boom)
    rule = tmp_path / "rule.toml"
    rule.write_text('kind = "proportional"\nbudget = 1000\nneed_column = "pct_frpm"\n',
                    encoding="utf-8")
    schools = tmp_path / "schools.csv"
    schools.write_text("cds_code,enrollment,pct_frpm\n19647331935121,100,50\n", encoding="utf-8")
    missing = tmp_path / "index.csv"
    err = _cli_error(["allocate", str(schools), str(missing), "--rule", str(rule),
                      "-o", str(tmp_path / "a.csv")], capsys)
    assert err == f"Error: {missing}: file not found"
    short = tmp_path / "short.csv"
    short.write_text("cds,enrollment,pct_frpm\n19647331935121,100,50\n", encoding="utf-8")
    err = _cli_error(["allocate", str(short), "--rule", str(rule), "-o", str(tmp_path / "a.csv")],
                     capsys)
    assert err == f"Error: {short}, row 1, column 'cds_code': missing column (did you mean 'cds'?)"
