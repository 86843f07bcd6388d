"""`equitable run` with `[health]`: each school's community health vulnerability (CES, SVI 2018,
HPI 2.0 and the VEM quartile) in health.csv beside the allocation, with the inputs' SHA-256 in
run.json, the nearest-tract caveat, an optional site plan, byte-identical reruns, and a run
without the section unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from equitable.errors import InputError, SpecError
from equitable.pipeline import run
from equitable.pipeline._synthetic import write_synthetic_hpi, write_synthetic_inputs
from equitable.provenance import sha256_file

HEALTH = '\n[health]\nhpi = "hpi.csv"\nsvi = "community/svi.csv"\n'


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runhealth")
    cfg = write_synthetic_inputs(folder, 40, grid=6, seed=5, n_unplaced=1, n_outside=2)
    write_synthetic_hpi(folder, blank=2, seed=6)
    ces = pd.read_csv(folder / "ces.csv", dtype={"tract": str})
    geoids = sorted("0" + t for t in ces["tract"])
    (folder / "community").mkdir()
    # SVI 2018 tract layout (a few columns): RPL_THEMES = i / 100 for the i-th tract, -999 for
    # the first (missing in CDC's file)
    pd.DataFrame({"ST": "06", "STCNTY": "06037", "FIPS": geoids,
                  "RPL_THEMES": [-999] + [round(i / 100, 4) for i in range(1, len(geoids))]}
                 ).to_csv(folder / "community" / "svi.csv", index=False)
    health_cfg = folder / "health.toml"
    health_cfg.write_text(cfg.read_text() + HEALTH)
    return folder, cfg, health_cfg


@pytest.fixture(scope="module")
def with_health(setup, tmp_path_factory):
    folder, _, health_cfg = setup
    out = tmp_path_factory.mktemp("h") / "out"
    return run(health_cfg, out_dir=out, data_dir=folder)


def _hand(folder: Path) -> tuple[pd.DataFrame, pd.Series]:
    hpi = pd.read_csv(folder / "hpi.csv", dtype={"CensusTract": str})
    hpi["geoid"] = hpi["CensusTract"].str.zfill(11)
    svi = pd.read_csv(folder / "community" / "svi.csv", dtype={"FIPS": str})
    return hpi.set_index("geoid"), svi.set_index("FIPS")["RPL_THEMES"]


def test_health_csv_has_each_schools_tract_values(setup, with_health):
    folder = setup[0]
    out = with_health.out_dir
    h = pd.read_csv(out / "health.csv", dtype={"cds_code": str, "geoid": str})
    s = pd.read_csv(out / "schools.csv", dtype={"cds_code": str, "geoid": str})
    # one row per ranked school, in the order of schools.csv, same tract placement
    assert h["cds_code"].tolist() == s["cds_code"].tolist()
    assert h["geoid"].fillna("").tolist() == s["geoid"].fillna("").tolist()
    assert h["enrollment"].tolist() == s["enrollment"].tolist()
    hpi, svi = _hand(folder)
    ces = pd.read_csv(folder / "ces.csv", dtype={"tract": str})
    ces = ces.set_index(ces["tract"].str.zfill(11))
    checked = 0
    for _, row in h.iterrows():
        g = row["geoid"]
        if pd.isna(g):
            assert row["placement"] == "not placed" and pd.isna(row["vem_quartile"])
            continue
        assert row["ces_pctl"] == pytest.approx(ces.loc[g, "CES 4.0 Percentile"])
        want_svi = svi.loc[g]
        assert (pd.isna(row["svi_rpl_themes"]) if want_svi == -999
                else row["svi_rpl_themes"] == pytest.approx(want_svi))
        if pd.isna(hpi.loc[g, "hpi2_pctile_pos"]):
            assert pd.isna(row["hpi_pctile_pos"]) and pd.isna(row["vem_quartile"])
            assert row["need_weight_source"] == "calenviroscreen"
            continue
        assert row["hpi_pctile_pos"] == pytest.approx(hpi.loc[g, "hpi2_pctile_pos"])
        assert row["hpi_quartile"] == hpi.loc[g, "quartiles"]
        assert row["vem_quartile"] == 5 - hpi.loc[g, "quartiles"]  # VEM 1 = least healthy
        assert row["need_weight"] == pytest.approx(1 + hpi.loc[g, "hpi2_pctile_neg"] / 100)
        checked += 1
    assert checked >= 30
    # quartiles are whole numbers in the file, empty when unknown
    text = (out / "health.csv").read_text().splitlines()[1]
    assert ".0," not in ",".join(text.split(",")[15:17])


def test_run_json_records_health_inputs_counts_and_caveat(setup, with_health):
    folder = setup[0]
    out = with_health.out_dir
    rec = json.loads((out / "run.json").read_text())
    assert rec["inputs"]["health_hpi"]["sha256"] == sha256_file(folder / "hpi.csv")
    assert rec["inputs"]["health_svi"]["sha256"] == sha256_file(folder / "community" / "svi.csv")
    assert rec["outputs"]["health.csv"] == sha256_file(out / "health.csv")
    assert rec["spec"]["config"]["health"]["hpi"] == "hpi.csv"
    h = pd.read_csv(out / "health.csv", dtype={"cds_code": str})
    counts = h["vem_quartile"].value_counts()
    st = rec["extra"]["health"]
    assert st["vem_quartile"] == {"1": int(counts.get(1, 0)), "2": int(counts.get(2, 0)),
                                  "3": int(counts.get(3, 0)), "4": int(counts.get(4, 0)),
                                  "none": int(h["vem_quartile"].isna().sum())}
    near = h[h["placement"] == "nearest tract centroid"]
    assert len(near) == 2  # n_outside = 2
    caveat = [c for c in rec["caveats"] if c["code"] == "health_placed_by_nearest_tract"]
    assert caveat == [{"code": "health_placed_by_nearest_tract", "count": 2,
                       "max_distance_m": round(float(near["distance_m"].max()), 1)}]
    assert st["placed_by_nearest_tract"] == 2
    assert any("nearest centroid" in n for n in st["notes"])


def test_cli_says_the_health_counts_and_caveat(setup, tmp_path):
    from typer.testing import CliRunner

    from equitable.cli import app

    folder, _, health_cfg = setup
    r = CliRunner().invoke(app, ["run", str(health_cfg), "--out", str(tmp_path / "o"),
                                 "--data-dir", str(folder), "--quiet"])
    assert r.exit_code == 0, r.output
    assert "Health (40 schools, health.csv): Vaccine Equity Metric quartile 1" in r.output
    assert "Caveat: Schools whose community health values" in r.output


def test_rerun_is_byte_identical(setup, with_health, tmp_path):
    folder, _, health_cfg = setup
    again = run(health_cfg, out_dir=tmp_path / "again", data_dir=folder)
    for name in ("health.csv", "schools.csv", "allocation.xlsx", "run.json"):
        assert (again.out_dir / name).read_bytes() == (with_health.out_dir / name).read_bytes()


def test_without_health_the_run_is_as_before(setup, with_health, tmp_path):
    folder, cfg, _ = setup
    plain = run(cfg, out_dir=tmp_path / "plain", data_dir=folder)
    assert "health.csv" not in plain.files
    rec = json.loads((plain.out_dir / "run.json").read_text())
    # no trace of the section: no "health": null in the recorded config, no extra, no inputs
    assert "health" not in rec["spec"]["config"] and "health" not in rec["extra"]
    assert not [k for k in rec["inputs"] if k.startswith("health")]
    assert not [c for c in rec["caveats"] if c["code"].startswith("health")]
    # the allocation itself does not depend on the section (the workbook's Parameters sheet
    # lists the health inputs and caveat, so only the school table is compared byte for byte)
    assert (plain.out_dir / "schools.csv").read_bytes() == \
        (with_health.out_dir / "schools.csv").read_bytes()


def test_site_plan_gives_each_school_its_nearest_site(setup, with_health, tmp_path):
    from equitable.health import sites_files

    folder, cfg, _ = setup
    # the run's own health.csv is a schools file for `equitable sites`
    plan_dir = folder / "plan"
    sites_files(with_health.out_dir / "health.csv", plan_dir, 3, max_km=3.0)
    plan = pd.read_csv(plan_dir / "schools.csv", dtype={"school_id": str,
                                                        "nearest_site_id": str})
    names = pd.read_csv(plan_dir / "sites.csv", dtype={"site_id": str}).set_index(
        "site_id")["name"]
    cfg2 = tmp_path / "plan.toml"
    cfg2.write_text(cfg.read_text() + HEALTH + 'sites = "plan"\n')
    r = run(cfg2, out_dir=tmp_path / "o", data_dir=folder)
    h = pd.read_csv(r.out_dir / "health.csv", dtype={"cds_code": str, "nearest_site_id": str})
    p = plan.set_index("school_id")
    in_plan = h["cds_code"].isin(p.index)
    # the school without coordinates is not in the plan: no site, and it is said
    assert int((~in_plan).sum()) == 1 and h.loc[~in_plan, "nearest_site_id"].isna().all()
    hp = h[in_plan].set_index("cds_code")
    assert (hp["nearest_site_id"] == p.loc[hp.index, "nearest_site_id"]).all()
    assert (hp["nearest_site_name"] == names.loc[hp["nearest_site_id"]].to_numpy()).all()
    assert hp["nearest_site_travel"].to_numpy() == pytest.approx(
        p.loc[hp.index, "nearest_travel_km"].to_numpy())
    assert (hp["nearest_site_unit"] == "km").all()
    assert (hp["site_within_reach"] == p.loc[hp.index, "reached"]).all()
    rec = json.loads((r.out_dir / "run.json").read_text())
    assert rec["extra"]["health"]["site_plan"]["sites"] == 3
    assert rec["extra"]["health"]["site_plan"]["schools_not_in_plan"] == 1
    assert rec["inputs"]["health_sites"]["sha256"] == sha256_file(plan_dir / "sites.csv")


def test_bad_health_inputs_are_one_line(setup, tmp_path):
    folder, cfg, _ = setup
    bad = tmp_path / "bad.toml"
    bad.write_text(cfg.read_text() + '\n[health]\nhpi = "nope.csv"\n')
    with pytest.raises(InputError, match=r"nope\.csv: input file not found \(health\.hpi in "
                                         r"the config\)"):
        run(bad, out_dir=tmp_path / "o1", data_dir=folder)
    bad.write_text(cfg.read_text() + '\n[health]\nhpi = "hpi.csv"\nhip = "x"\n')
    with pytest.raises(SpecError, match=r"key 'health\.hip': unknown key"):
        run(bad, out_dir=tmp_path / "o2", data_dir=folder)
    # a site plan whose schools.csv names a site that sites.csv does not have (row 3)
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "sites.csv").write_text("site_id,name\nS1,One\n")
    (plan / "schools.csv").write_text("school_id,reached,nearest_site_id,nearest_travel_km\n"
                                      "A,true,S1,1.5\nB,false,S9,4.0\n")
    bad.write_text(cfg.read_text() + f'\n[health]\nhpi = "hpi.csv"\nsites = "{plan}"\n')
    with pytest.raises(InputError, match=r"schools\.csv, row 3, column 'nearest_site_id': site "
                                         r"'S9' is not in sites\.csv"):
        run(bad, out_dir=tmp_path / "o3", data_dir=folder)
