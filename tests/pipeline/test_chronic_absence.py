"""`equitable run` with CDE's chronic absenteeism download as SENI's "chronic absence" family:
the school rate joined by CDS code, '*' and absent schools missing (never 0) and counted on the
terminal and in run.json, and a config/spec mismatch refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitable.errors import InputError, SpecError
from equitable.pipeline import compute, run
from equitable.pipeline._synthetic import write_synthetic_inputs

HEADER = ["Academic Year", "Aggregate Level", "County Code", "District Code", "School Code",
          "County Name", "District Name", "School Name", "Charter School", "DASS",
          "Reporting Category", "ChronicAbsenteeismEligibleCumulativeEnrollment",
          "ChronicAbsenteeismCount", "ChronicAbsenteeismRate"]


def cde_file(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """rows: (cds_code, eligible, count) of school rows; the rate is count / eligible x 100,
    one decimal, or '*' when eligible is '*'; a district, state and SE row are added."""
    lines = ["\t".join(HEADER),
             "2023-24\tT\t00\t\t\tState\t\t\tAll\tAll\tTA\t5000000\t1250000\t25.0",
             "2023-24\tD\t19\t10001\t\tLos Angeles\tSynthetic\t\tAll\tAll\tTA\t9000\t2700\t30.0"]
    for cds, elig, count in rows:
        rate = "*" if elig == "*" else f"{int(count) / int(elig) * 100:.1f}"
        for cat in ("TA", "SE"):
            lines.append("\t".join(["2023-24", "S", cds[:2], cds[2:7], cds[7:], "Los Angeles",
                                    "Synthetic", f"School {cds[-3:]}", "All", "All", cat,
                                    elig, count, rate]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chronic")
    cfg = write_synthetic_inputs(folder, 30, seed=3)
    codes = pd.read_csv(folder / "schools.csv", dtype={"cds": str})["cds"].tolist()
    rng = np.random.default_rng(11)
    rows = []
    for i, c in enumerate(codes):
        if i == 0:
            continue                     # no row for the first school
        if i in (1, 2):
            rows.append((c, "*", "*"))   # suppressed by CDE
            continue
        elig = int(rng.integers(100, 900))
        rows.append((c, str(elig), str(int(rng.integers(0, elig)))))
    cde_file(folder / "chronicabsenteeism24.txt", rows)
    text = cfg.read_text().replace('spec = "seni-style"', 'spec = "seni-style-chronic"').replace(
        "[inputs]\n", '[inputs]\nchronic_absenteeism = "chronicabsenteeism24.txt"\n')
    chronic_cfg = folder / "chronic.toml"
    chronic_cfg.write_text(text.replace('name = "synthetic"', 'name = "chronic"'))
    return folder, cfg, chronic_cfg, codes, rows


@pytest.fixture(scope="module")
def result(synth):
    folder, _, chronic_cfg, _, _ = synth
    return run(chronic_cfg, out_dir=folder / "out", data_dir=folder)


def test_school_rates_joined_by_cds_code_and_ranked(synth, result):
    _folder, _, _, _codes, rows = synth
    s = pd.read_csv(result.out_dir / "schools.csv", dtype={"cds_code": str}).set_index("cds_code")
    assert len(s) == 30
    expected = {c: round(int(n) / int(e) * 100, 1) for c, e, n in rows if e != "*"}
    got = s.loc[list(expected), "chronic_absence_pct"]
    assert np.allclose(got.to_numpy(), list(expected.values()))
    # the percentile of the rate among the 27 schools that have one: (rank - 1) / (N - 1) x 100,
    # ties at the lowest rank, computed here by hand
    values = pd.Series(expected)
    rank_min = values.rank(method="min")
    pctl = ((rank_min - 1) / (len(values) - 1) * 100).round(4)
    assert np.allclose(s.loc[list(expected), "chronic_absence_pctl"].to_numpy(), pctl.to_numpy())


def test_suppressed_and_absent_schools_are_missing_and_named(synth, result):
    _folder, _, _, codes, _ = synth
    s = pd.read_csv(result.out_dir / "schools.csv", dtype={"cds_code": str}).set_index("cds_code")
    for c in codes[:3]:  # no row, then two '*' rows: missing, never 0
        assert pd.isna(s.loc[c, "chronic_absence_pct"]) and pd.isna(s.loc[c, "chronic_absence_pctl"])
        assert "chronic_absence_pct" in s.loc[c, "missing_indicators"]
    assert not s.loc[codes[3:], "missing_indicators"].fillna("").str.contains("chronic").any()
    run_json = json.loads((result.out_dir / "run.json").read_text())
    assert run_json["extra"]["chronic_absence"] == {
        "file": "chronicabsenteeism24.txt", "academic_year": "2023-24", "schools_with_rate": 27,
        "suppressed": 2, "no_row": 1, "file_rows": 29}
    assert "chronicabsenteeism24.txt" in json.dumps(run_json["inputs"])


def test_the_terminal_says_how_many_schools_lack_a_rate(synth, capsys, monkeypatch):
    from equitable.cli import main

    folder, _, chronic_cfg, _, _ = synth
    monkeypatch.chdir(folder)
    try:
        main(["run", str(chronic_cfg), "--data-dir", ".", "--out", "out-cli", "-q"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    out = capsys.readouterr().out
    assert ("Chronic absence (chronicabsenteeism24.txt, 2023-24): 27 schools with a rate, 2 "
            "suppressed by CDE (*), 1 without a row (named in the missing_indicators column of "
            "schools.csv).") in out


def test_spec_and_input_must_come_together(synth, tmp_path):
    folder, cfg, chronic_cfg, _, _ = synth
    no_input = tmp_path / "no_input.toml"
    no_input.write_text(cfg.read_text().replace('spec = "seni-style"', 'spec = "seni-style-chronic"'))
    with pytest.raises(SpecError) as e:
        compute(no_input, data_dir=folder)
    assert str(e.value) == (
        f"{no_input}: key 'inputs.chronic_absenteeism': missing required key (the index spec "
        "'seni-style-chronic' has an indicator on chronic_absence_pct; give CDE's chronic "
        "absenteeism file, docs/run.md)")
    unused = tmp_path / "unused.toml"
    unused.write_text(chronic_cfg.read_text().replace('spec = "seni-style-chronic"',
                                                      'spec = "seni-style"'))
    with pytest.raises(SpecError, match="the index spec 'seni-style' has no indicator on "
                                        "chronic_absence_pct, so the file would not be used"):
        compute(unused, data_dir=folder)


def test_a_file_for_another_district_is_refused(synth, tmp_path):
    folder, _, chronic_cfg, _, _ = synth
    other = cde_file(tmp_path / "other.txt", [("01611190130229", "90", "9")])
    cfg = tmp_path / "other.toml"
    cfg.write_text(chronic_cfg.read_text().replace('"chronicabsenteeism24.txt"', f'"{other}"'))
    with pytest.raises(InputError) as e:
        compute(cfg, data_dir=folder)
    assert str(e.value) == (f"{other}: none of the 30 ranked schools has a school-level (S) row "
                            "for all students (TA) in this file (a file for another district or "
                            "year?)")


def test_an_impossible_cell_stops_the_run(synth, tmp_path):
    folder, _, chronic_cfg, _codes, rows = synth
    bad_rows = list(rows)
    c, e, _ = bad_rows[5]
    bad_rows[5] = (c, e, str(int(e) + 1))  # more chronically absent than eligible
    bad = cde_file(tmp_path / "bad.txt", bad_rows)
    cfg = tmp_path / "bad.toml"
    cfg.write_text(chronic_cfg.read_text().replace('"chronicabsenteeism24.txt"', f'"{bad}"'))
    with pytest.raises(InputError, match=rf"^{bad}, row 14, column 'ChronicAbsenteeismCount': "
                                         rf"{int(e) + 1} chronically absent students but only "
                                         rf"{e} eligible students"):
        compute(cfg, data_dir=folder)


def test_the_example_config_on_the_real_lausd_schools(data_dir, tmp_path):
    """examples/lausd_chronic.toml on the real data folder plus a CDE-layout file for the 651
    real LAUSD CDS codes (synthetic rates: the real download is not in the data folder)."""
    root = Path(__file__).resolve().parents[2]
    for sub in ("cde", "lausd", "community"):
        (tmp_path / sub).symlink_to(data_dir / sub)
    (tmp_path / "attendance").mkdir()
    codes = pd.read_csv(data_dir / "lausd" / "schools_2024_25.csv", dtype={"cds": str})["cds"]
    assert len(codes) == 651
    rows = []
    for i, c in enumerate(codes):
        if i < 3:
            continue                      # 3 schools without a row
        if i < 8:
            rows.append((c, "*", "*"))    # 5 suppressed
        else:
            rows.append((c, str(200 + i), str(i % 97)))
    cde_file(tmp_path / "attendance" / "chronicabsenteeism24.txt", rows)
    comp = compute(root / "examples" / "lausd_chronic.toml", data_dir=tmp_path)
    assert len(comp.schools) == 651
    assert comp.chronic_absence == {"file": "chronicabsenteeism24.txt", "academic_year": "2023-24",
                                    "schools_with_rate": 643, "suppressed": 5, "no_row": 3,
                                    "file_rows": 648}
    s = comp.schools.set_index("cds_code")
    c = codes.iloc[100]
    assert s.loc[c, "chronic_absence_pct"] == round(100 % 97 / 300 * 100, 1)
    assert s["tier"].value_counts().sort_index().tolist() == [131, 130, 130, 130, 130]
    assert int(s["amount_cents"].sum()) == 700_000_000 * 100
