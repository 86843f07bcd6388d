"""The pipeline on small synthetic files in the real layouts: selection, placement, totals."""

from __future__ import annotations

import pandas as pd
import pytest

from equitable.errors import SpecError
from equitable.pipeline import compute, compute_schools, load_config, run, select_schools
from equitable.pipeline._synthetic import write_synthetic_inputs


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    cfg = write_synthetic_inputs(folder, 60, n_charters=4, n_unplaced=2, n_outside=3, seed=7)
    return folder, cfg


@pytest.fixture(scope="module")
def result(synth):
    folder, cfg = synth
    return run(cfg, out_dir=folder / "out", data_dir=folder)


def test_ranks_district_run_schools_and_adds_up(result):
    s = pd.read_csv(result.out_dir / "schools.csv", dtype={"cds_code": str})
    # 60 schools, 4 directly funded charters are not district-run
    assert len(s) == 56 == result.n_schools
    assert result.excluded == {"independent (directly funded) charter, not district-run": 4}
    assert int(s["amount_cents"].sum()) == 100_000_000 * 100
    # 56 ranked: floor((r - 1) * 5 / 56) + 1 gives 12, 11, 11, 11, 11
    assert s["tier"].value_counts().sort_index().tolist() == [12, 11, 11, 11, 11]
    assert s["rank"].tolist() == sorted(s["rank"].tolist())


def test_placement_paths(result):
    s = pd.read_csv(result.out_dir / "schools.csv", dtype={"cds_code": str, "geoid": str})
    counts = s["placement"].value_counts().to_dict()
    assert counts == {"tract polygon": 51, "nearest tract centroid": 3, "not placed": 2}
    assert result.placement_counts == {"tract polygon": 51, "nearest tract centroid": 3,
                                       "not placed": 2}
    outside = s[s["placement"] == "nearest tract centroid"]
    # 0.005 degrees west of the grid at about 33.7-34.1 N: 460-470 m from the edge, so at
    # least that far from the nearest centroid (0.01 deg further in), and under 1.6 km
    assert outside["distance_m"].between(460, 1_600).all()
    unplaced = s[s["placement"] == "not placed"]
    assert unplaced["geoid"].isna().all()
    assert unplaced["missing_indicators"].str.startswith("reweighted: asthma_ed_rate").all()
    # neighbourhoods come from the quadrants (lat/lon properties swapped in the file)
    assert set(s["neighbourhood"].dropna()) <= {"Hood 1", "Hood 2", "Hood 3", "Hood 4"}


def test_compute_schools_matches_the_written_table(synth, result):
    folder, cfg = synth
    table = compute_schools(cfg, data_dir=folder)
    written = pd.read_csv(result.out_dir / "schools.csv", dtype={"cds_code": str, "geoid": str})
    assert list(table.columns) == list(written.columns)
    assert table["cds_code"].tolist() == written["cds_code"].tolist()
    assert table["amount_cents"].tolist() == written["amount_cents"].tolist()


def test_exclude_and_only(synth, tmp_path):
    folder, cfg = synth
    text = cfg.read_text()
    codes = pd.read_csv(folder / "schools.csv", dtype={"cds": str})["cds"].tolist()
    c = tmp_path / "only.toml"
    c.write_text(text.replace("[selection]\n", f'[selection]\nonly = {codes[10:20]!r}\n'
                              f'exclude = ["{codes[10]}"]\n'.replace("'", '"')))
    comp = compute(c, data_dir=folder)
    assert sorted(comp.schools["cds_code"]) == sorted(codes[11:20])
    reasons = comp.excluded["reason"].value_counts().to_dict()
    assert reasons["excluded by the config"] == 1
    assert reasons["not in the config's 'only' list"] == 60 - 4 - 10


def test_select_schools_rules(synth):
    _, cfg = synth
    config = load_config(cfg)
    schools = pd.DataFrame({"cds_code": ["19100010000001", "19100010000002", "19100010000003",
                                         "19100010000004", "19100010000005"],
                            "school_name": list("ABCDE")})
    frpm = pd.DataFrame({
        "cds_code": ["19100010000001", "19100010000002", "19100010000003", "19100010000004"],
        "academic_year": "2023-2024", "district_code": "10001",
        "charter": ["N", "Y", "Y", "N"],
        "charter_funding_type": [None, "Locally funded", "Directly funded", None],
        "school_type": "Elementary Schools (Public)",
    })
    directory = pd.DataFrame({"cds_code": ["19100010000001", "19100010000004"],
                              "status_type": ["Active", "Closed"],
                              "latitude": [34.0, 34.1], "longitude": [-118.0, -118.1]})
    ranked, excluded = select_schools(schools, frpm, directory, config)
    # A: traditional, active. B: affiliated charter, opened after the directory. C: independent
    # charter. D: closed in the directory. E: not in the FRPM file.
    assert ranked["cds_code"].tolist() == ["19100010000001", "19100010000002"]
    assert dict(zip(excluded["school_name"], excluded["reason"])) == {
        "C": "independent (directly funded) charter, not district-run",
        "D": "not active in the CDE directory",
        "E": "not in the FRPM file for the district",
    }
    with pytest.raises(SpecError, match="unknown school '19100019999999'"):
        bad = config.model_copy(update={"selection": config.selection.model_copy(
            update={"exclude": ["19100019999999"]})})
        select_schools(schools, frpm, directory, bad)
