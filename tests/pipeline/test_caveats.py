"""The terminal says what changed the result (issue 14, item 8): ``equitable run`` prints, and
run.json and both reports show, every caveat that moves schools, with counts computed here by
hand from the input files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from equitable.pipeline import run
from equitable.pipeline._synthetic import write_synthetic_inputs

N, CHARTERS, UNPLACED, OUTSIDE = 60, 4, 2, 3
EL_MISSING = [10, 11, 12]  # rows of the school table whose % English learners is blank
CES_INDICATORS = ["asthma_ed_rate", "poverty_pct", "linguistic_isolation_pct"]


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("caveats")
    write_synthetic_inputs(folder, N, n_charters=CHARTERS, n_unplaced=UNPLACED,
                           n_outside=OUTSIDE, seed=7)
    schools = pd.read_csv(folder / "schools.csv", dtype=str)
    schools.loc[EL_MISSING, "pct_el"] = ""
    schools.to_csv(folder / "schools.csv", index=False)
    return folder


def _cli(config: Path, out: Path, data: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "equitable.cli", "run", str(config), "--out", str(out),
         "--data-dir", str(data), "-q"], capture_output=True, text=True, timeout=300,
        check=False)


def _nearest_centroid_m(folder: Path) -> float:
    """Largest distance from a school outside the grid to its nearest CalEnviroScreen tract
    centroid, in metres in California Albers (EPSG:3310), computed from the input files."""
    d = pd.read_csv(folder / "directory.csv", dtype={"CDSCode": str})
    ces = pd.read_csv(folder / "ces.csv")
    outside = d[d["Longitude"] < -118.6]
    assert len(outside) == OUTSIDE
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:3310", always_xy=True)
    sx, sy = to_m.transform(outside["Longitude"].to_numpy(), outside["Latitude"].to_numpy())
    cx, cy = to_m.transform(ces["Longitude"].to_numpy(), ces["Latitude"].to_numpy())
    dist = np.hypot(np.subtract.outer(sx, cx), np.subtract.outer(sy, cy)).min(axis=1)
    return round(float(dist.max()), 1)


def test_caveats_on_the_terminal_in_run_json_and_both_reports(synth, tmp_path):
    out = tmp_path / "out"
    r = _cli(synth / "config.toml", out, synth)
    assert r.returncode == 0, r.stderr
    distance = _nearest_centroid_m(synth)
    assert 460 < distance < 1_600
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["caveats"] == [
        {"code": "placed_by_nearest_tract", "count": OUTSIDE, "max_distance_m": distance},
        {"code": "not_placed", "count": UNPLACED},
        # the 2 schools not placed miss the 3 tract indicators; 3 schools miss % EL
        {"code": "fewer_indicators", "count": UNPLACED + len(EL_MISSING),
         "indicators": {"asthma_ed_rate": 2, "el_pct": 3, "linguistic_isolation_pct": 2,
                        "poverty_pct": 2}},
    ]
    shown = f"{distance:,.1f}"
    caveat_lines = [line for line in r.stdout.splitlines() if line.startswith("Caveat: ")]
    assert caveat_lines == [
        ("Caveat: Schools outside every tract polygon, given the tract with the nearest "
         f"centroid instead: 3 (largest distance {shown} m; see the placement column of "
         "schools.csv)."),
        ("Caveat: Schools not placed in any census tract (no coordinates in the school "
         "directory), so without community indicators: 2."),
        ("Caveat: Schools scored on fewer indicators than the index has: 5 (schools missing "
         "each: el_pct 3, asthma_ed_rate 2, poverty_pct 2, linguistic_isolation_pct 2; see the "
         "missing_indicators column of schools.csv)."),
    ]
    en = (out / "report.html").read_text(encoding="utf-8")
    es = (out / "report.es.html").read_text(encoding="utf-8")
    assert '<section id="caveats">' in en and '<section id="caveats">' in es
    for line in caveat_lines:
        assert line.removeprefix("Caveat: ") in en
    assert ("Escuelas fuera de todo polígono de sector, a las que se asignó el sector con el "
            f"centro más cercano: 3 (distancia máxima {shown} m;") in es
    assert "Escuelas no ubicadas en ningún sector censal" in es and "comunitarios: 2." in es
    assert "(escuelas a las que les falta cada uno: el_pct 3, asthma_ed_rate 2," in es
    # and in the workbook's Caveats sheet, for budget staff: code, count and the same words
    sheet = pd.read_excel(out / "allocation.xlsx", sheet_name="Caveats", header=None)
    rows = {str(r[0]): (r[1], str(r[2])) for r in sheet.iloc[4:7, :3].itertuples(index=False)}
    assert rows["not_placed"] == (UNPLACED, caveat_lines[1].removeprefix("Caveat: "))
    assert rows["fewer_indicators"] == (UNPLACED + len(EL_MISSING),
                                        caveat_lines[2].removeprefix("Caveat: "))


def test_tracts_missing_from_the_community_file_are_reported(synth, tmp_path):
    """A CalEnviroScreen file missing tracts: the schools in them lose their community
    indicators (and move), and the run says how many tracts and schools."""
    full = run(synth / "config.toml", out_dir=tmp_path / "full", data_dir=synth)
    schools = pd.read_csv(full.out_dir / "schools.csv", dtype={"geoid": str})
    inside = schools[schools["placement"] == "tract polygon"]
    dropped = sorted(inside["geoid"].value_counts().index[:4])  # 4 tracts holding schools
    n_in_dropped = int(inside["geoid"].isin(dropped).sum())
    assert n_in_dropped >= 4
    ces = pd.read_csv(synth / "ces.csv", dtype={"tract": str})
    keep = ~("0" + ces["tract"]).isin(dropped)
    assert int((~keep).sum()) == 4
    ces[keep].to_csv(synth / "ces_short.csv", index=False)
    cfg = synth / "short.toml"
    cfg.write_text((synth / "config.toml").read_text().replace('"ces.csv"', '"ces_short.csv"'))
    r = _cli(cfg, tmp_path / "short", synth)
    assert r.returncode == 0, r.stderr
    record = json.loads((tmp_path / "short" / "run.json").read_text(encoding="utf-8"))
    by_code = {c["code"]: c for c in record["caveats"]}
    assert by_code["tracts_missing_from_community_file"] == {
        "code": "tracts_missing_from_community_file", "count": 4, "file": "ces_short.csv",
        "tracts_file": "tracts.geojson", "schools": n_in_dropped}
    # those schools now miss the 3 tract indicators, like the 2 schools not placed
    assert by_code["fewer_indicators"]["count"] == UNPLACED + len(EL_MISSING) + n_in_dropped
    assert by_code["fewer_indicators"]["indicators"]["poverty_pct"] == UNPLACED + n_in_dropped
    assert (f"Caveat: Census tracts of tracts.geojson missing from ces_short.csv: 4 (ranked "
            f"schools in them, without community indicators: {n_in_dropped}).") in r.stdout
    es = (tmp_path / "short" / "report.es.html").read_text(encoding="utf-8")
    assert ("Sectores censales de tracts.geojson que no figuran en ces_short.csv: 4 (escuelas "
            f"ordenadas en ellos, sin indicadores comunitarios: {n_in_dropped}).") in es


def test_a_clean_run_has_no_caveats(tmp_path):
    folder = tmp_path / "clean"
    cfg = write_synthetic_inputs(folder, 30, grid=6, seed=1)
    res = run(cfg, out_dir=tmp_path / "out", data_dir=folder)
    record = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert record["caveats"] == [] == res.caveats
    assert '<section id="caveats">' not in (tmp_path / "out" / "report.html").read_text()


def test_lausd_with_300_tracts_missing_from_calenviroscreen(data_dir, tmp_path):
    """The issue's case on the real files: a CalEnviroScreen file missing 300 of the City of
    Los Angeles tracts. The run says so: 300 tracts, and the schools placed in them (counted
    here from the complete run's schools.csv)."""
    import tomllib

    from equitable.data import read_tracts

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "examples" / "lausd.toml").read_text(encoding="utf-8"))
    full = run(root / "examples" / "lausd.toml", out_dir=tmp_path / "full", data_dir=data_dir)
    assert not [c for c in full.caveats if c["code"] == "tracts_missing_from_community_file"]
    tracts = sorted(read_tracts(data_dir / config["inputs"]["tracts"])["geoid"])
    dropped = set(tracts[:300])
    ces_path = data_dir / config["inputs"]["calenviroscreen"]
    ces = pd.read_csv(ces_path, dtype=str, keep_default_na=False)
    tract_col = ces.columns[0]
    keep = ~ces[tract_col].str.zfill(11).isin(dropped)
    assert int((~keep).sum()) == 300
    ces[keep].to_csv(tmp_path / "ces_short.csv", index=False)
    schools = pd.read_csv(full.out_dir / "schools.csv", dtype={"geoid": str})
    in_dropped = int(((schools["placement"] == "tract polygon")
                      & schools["geoid"].isin(dropped)).sum())
    assert in_dropped > 0
    text = (root / "examples" / "lausd.toml").read_text(encoding="utf-8")
    text = text.replace(f'"{config["inputs"]["calenviroscreen"]}"',
                        f'"{(tmp_path / "ces_short.csv").as_posix()}"')
    # the subset is on purpose here (equitable.checks refuses a partial published file otherwise)
    text = text.replace("[inputs]\n", "[inputs]\nallow_subset = true\n", 1)
    cfg = tmp_path / "lausd_short.toml"
    cfg.write_text(text, encoding="utf-8")
    short = run(cfg, out_dir=tmp_path / "short", data_dir=data_dir)
    caveat = [c for c in short.caveats if c["code"] == "tracts_missing_from_community_file"]
    assert caveat == [{"code": "tracts_missing_from_community_file", "count": 300,
                       "file": "ces_short.csv",
                       "tracts_file": Path(config["inputs"]["tracts"]).name,
                       "schools": in_dropped}]
    record = json.loads((tmp_path / "short" / "run.json").read_text(encoding="utf-8"))
    assert caveat[0] in record["caveats"]
