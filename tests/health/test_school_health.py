"""`equitable health schools` on the real LAUSD schools: each school carries its tract's published
CalEnviroScreen 4.0, SVI 2018 and HPI 2.0 values (checked against the raw files read with plain
pandas, not through the project's readers)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from equitable.health import school_health_files

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def health(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("health") / "health.csv"
    table, notes = school_health_files(data_dir / "lausd" / "schools_2024_25.csv", out,
                                       data_dir=data_dir)
    return table, notes, out


def _raw(data_dir, rel, idc):
    df = pd.read_csv(data_dir / "community" / rel, dtype={idc: str}, encoding="utf-8-sig",
                     na_values=["NA"])
    df["geoid"] = df[idc].str.zfill(11)
    return df.set_index("geoid")


def test_every_school_has_its_tracts_published_values(health, data_dir):
    table, _, _ = health
    assert len(table) == 651  # data README: one row per LAUSD school
    hpi = _raw(data_dir, "hpi2_los_angeles_county_tracts.csv", "CensusTract")
    ces = _raw(data_dir, "calenviroscreen40_results_tract.csv", "tract")
    svi = _raw(data_dir, "svi2018_los_angeles_county_tracts.csv", "FIPS")
    placed = table[table["geoid"].notna()]
    assert len(placed) == 650  # one school has no coordinates in the Jan 2018 directory
    g = placed["geoid"].astype(str)
    want_q = pd.to_numeric(hpi["quartiles"].reindex(g), errors="coerce").to_numpy()
    got_q = pd.to_numeric(placed["hpi_quartile"], errors="coerce").to_numpy()
    assert np.array_equal(np.isnan(want_q), np.isnan(got_q))
    ok = ~np.isnan(want_q)
    assert (got_q[ok] == want_q[ok]).all()
    # VEM quartile 1 = least healthy = the file's quartile 4
    assert (pd.to_numeric(placed["vem_quartile"]).to_numpy()[ok] == 5 - want_q[ok]).all()
    want_ces = pd.to_numeric(ces["CES 4.0 Percentile"].reindex(g), errors="coerce").to_numpy()
    assert np.allclose(placed["ces_pctl"].to_numpy(float), want_ces, equal_nan=True)
    want_svi = svi["RPL_THEMES"].reindex(g).replace(-999, np.nan).to_numpy(float)
    assert np.allclose(placed["svi_rpl_themes"].to_numpy(float), want_svi, equal_nan=True)


def test_need_weight_is_one_plus_the_hpi_need_percentile(health):
    table, notes, out = health
    h = table[table["need_weight_source"] == "hpi"]
    assert np.allclose(h["need_weight"], (1 + h["hpi_need_pctl"] / 100).round(6))
    assert h["need_weight"].between(1, 2).all()
    none = table[table["need_weight_source"] == "none"]
    assert (none["need_weight"] == 1.5).all()
    # every fallback is said on the terminal and in run.json
    record = json.loads(out.with_name("health.run.json").read_text())
    assert record["extra"]["notes"] == notes
    assert any("without coordinates were not placed" in n for n in notes)
    assert record["extra"]["schools"] == 651


def test_a_school_file_with_its_own_coordinates(tmp_path, data_dir):
    # 1. a point inside tract 06037207400 (CalEnviroScreen centroid), 2. no coordinates
    ces = pd.read_csv(data_dir / "community" / "calenviroscreen40_results_tract.csv",
                      dtype={"tract": str}, encoding="utf-8-sig")
    row = ces[ces["tract"] == "6037207400"].iloc[0]
    src = tmp_path / "schools.csv"
    src.write_text("cds_code,enrollment,latitude,longitude\n"
                   f"19647330000001,500,{row['Latitude']},{row['Longitude']}\n"
                   "19647330000002,300,,\n")
    table, notes = school_health_files(src, tmp_path / "h.csv", data_dir=data_dir)
    assert table.loc[0, "geoid"] == "06037207400"
    assert table.loc[0, "ces_pctl"] == pytest.approx(float(row["CES 4.0 Percentile"]))
    assert pd.isna(table.loc[1, "geoid"]) and table.loc[1, "need_weight"] == 1.5
    assert notes[0].startswith("1 school(s) without coordinates were not placed")


@pytest.mark.parametrize(("body", "message"), [
    ("cds_code,latitude,longitude\n19647330000001,34.0,-118.2\n19647330000002,95,-118.2\n",
     "{src}, row 3, column 'latitude': 95 is not a latitude (-90 to 90 degrees)"),
    ("cds_code,latitude,longitude\n19647330000001,34.0,-118.2\n19647330000001,34.1,-118.2\n",
     "{src}, row 3, column 'cds_code': duplicate school id (first on line 2)"),
])
def test_bad_school_file_one_clear_line(tmp_path, data_dir, body, message):
    from equitable.errors import InputError

    src = tmp_path / "schools.csv"
    src.write_text(body)
    with pytest.raises(InputError) as e:
        school_health_files(src, tmp_path / "h.csv", data_dir=data_dir)
    assert str(e.value) == message.format(src=src)
