"""Readers on the real public files in ../shared/data: published figures and known rows."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from equitable.data import (
    read_calenviroscreen,
    read_frpm,
    read_lausd_math,
    read_lausd_schools,
    read_neighbourhoods,
    read_school_directory,
    read_svi_tracts,
    read_tracts,
)

pytestmark = pytest.mark.data


def test_frpm_lausd_2023_24_matches_published_district_totals(data_dir):
    # data README: "LAUSD 2023-24 check: sum of Enrollment (K-12) = 529,902, sum of FRPM Count
    # (K-12) = 427,850" (all rows of the year, including the nonpublic-schools line 0000001).
    f = read_frpm(data_dir / "cde/frpm_lausd_2017_18_to_2023_24.csv", schools_only=False)
    y = f[f["academic_year"] == "2023-2024"]
    assert int(y["enrollment_k12"].sum()) == 529_902
    assert int(y["frpm_count_k12"].sum()) == 427_850
    # seven years stacked, each CDS code once per year
    assert min(f["academic_year"].unique()) == "2017-2018"
    assert f.duplicated(["cds_code", "academic_year"]).sum() == 0


def test_frpm_schools_only_drops_nonschool_lines(data_dir):
    f = read_frpm(data_dir / "cde/frpm_lausd_2017_18_to_2023_24.csv")
    assert not f["school_code"].isin(["0000000", "0000001"]).any()
    y = f[f["academic_year"] == "2023-2024"]
    # 529,902 minus the nonpublic line's 1,426 students
    assert int(y["enrollment_k12"].sum()) == 528_476


def test_frpm_county_file_codes_and_percent_scale(data_dir):
    f = read_frpm(data_dir / "cde/frpm_2023_24_los_angeles_county.csv")
    assert f["cds_code"].str.fullmatch(r"\d{14}").all()
    row = f.set_index("cds_code").loc["19101990106880"]  # Jardin de la Infancia, line 2
    assert row["school_code"] == "0106880"
    assert row["enrollment_k12"] == 18
    assert row["frpm_pct_k12"] == pytest.approx(100.0)  # fraction 1 -> 100 percent
    assert row["charter"] == "Y"
    lincoln = f.set_index("cds_code").loc["19647331935121"]
    # CDE writes "No " with a trailing space: read as N
    assert lincoln["charter"] == "N"
    assert f["frpm_pct_k12"].max() <= 100 and f["frpm_pct_k12"].min() >= 0


def test_frpm_2019_20_has_the_nslp_column(data_dir):
    f = read_frpm(data_dir / "cde/frpm_2019_20_los_angeles_county.csv")
    assert (f["academic_year"] == "2019-2020").all()
    assert "nslp_provision_status" in f.columns


def test_directory_codes_status_and_coordinates(data_dir):
    d = read_school_directory(data_dir / "cde/pubschls_2018_los_angeles_county.csv")
    assert len(d) == 3_667
    assert d["cds_code"].is_unique
    assert d["cds_code"].str.fullmatch(r"\d{14}").all()
    lincoln = d.set_index("cds_code").loc["19647331935121"]
    # the file's row for Abraham Lincoln Senior High: Active, 34.073873, -118.20386
    assert lincoln["status_type"] == "Active"
    assert lincoln["latitude"] == pytest.approx(34.073873)
    assert lincoln["longitude"] == pytest.approx(-118.20386)
    # blank coordinates are missing, never 0
    assert (d["latitude"] == 0).sum() == 0
    assert d["latitude"].isna().sum() == 1_012
    assert set(d["status_type"]) == {"Active", "Closed", "Merged", "Pending"}


def test_lausd_school_table_and_math_join(data_dir):
    s = read_lausd_schools(data_dir / "lausd/schools_2024_25.csv")
    m = read_lausd_math(data_dir / "lausd/schools_2024_25_math.csv")
    assert len(s) == 651 and len(m) == 651
    assert s["cds_code"].str.startswith("1964733").all()
    assert (s["cds_code"] == m["cds_code"]).all()
    first = s.iloc[0]
    assert first["cds_code"] == "19647331935121"
    assert first["frpm_pct"] == pytest.approx(89.3757)
    assert m.iloc[0]["math_met_pct"] == pytest.approx(47.32)
    # data README: fed + sl = total on every row
    assert ((s["federal_ppe_dollars"] + s["state_local_ppe_dollars"])
            == s["total_ppe_dollars"]).all()


def test_calenviroscreen_geoids_padded_and_values_match_file(data_dir):
    path = data_dir / "community/calenviroscreen40_results_tract.csv"
    c = read_calenviroscreen(path).set_index("geoid")
    assert len(c) == 8_035
    assert c.index.str.fullmatch(r"\d{11}").all()
    # the file's line for tract 6037226002 (Downtown LA), read here with the csv module
    with open(path, encoding="utf-8-sig", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["tract"] == "6037226002")
    t = c.loc["06037226002"]
    assert t["asthma_ed_rate"] == pytest.approx(float(row["Asthma"])) == pytest.approx(134.16)
    assert t["poverty_pct"] == pytest.approx(float(row["Poverty"]))
    assert t["linguistic_isolation_pct"] == pytest.approx(float(row["Linguistic Isolation"]))
    assert t["ces_score"] == pytest.approx(75.55)
    assert t["county"] == "Los Angeles"
    # OEHHA's "NA" is missing: 103 tracts have no CES score, 320 no linguistic isolation
    assert c["ces_score"].isna().sum() == 103
    assert c["linguistic_isolation_pct"].isna().sum() == 320


def test_svi_tract_file_minus_999_is_missing(data_dir):
    s = read_svi_tracts(data_dir / "community/svi2018_los_angeles_county_tracts.csv")
    assert len(s) == 2_344
    assert s["geoid"].iloc[0] == "06037101110"
    assert s["E_PCI"].isna().sum() == 21
    assert not (s.select_dtypes("number") == -999).any().any()
    assert s["RPL_THEMES"].dropna().between(0, 1).all()


def test_svi_county_file_pads_five_digit_fips(data_dir):
    s = read_svi_tracts(data_dir / "community/svi2022_us_county.csv")
    assert len(s) == 3_144
    assert s["geoid"].iloc[0] == "01001"  # the file writes 1001


def test_tracts_geojson(data_dir):
    t = read_tracts(data_dir / "community/tiger_tracts_2010_la_city.geojson")
    assert len(t) == 1_195
    assert t.crs.to_epsg() == 4269
    assert t["geoid"].str.fullmatch(r"06037\d{6}").all()


def test_neighbourhoods_swapped_lat_lon_are_fixed(data_dir):
    n = read_neighbourhoods(data_dir / "community/la_times_neighborhoods_la_county.geojson")
    assert len(n) == 272
    acton = n.set_index("neighbourhood").loc["Acton"]
    # the file says latitude "-118.16981019229348", longitude "34.497355239240846"
    assert acton["latitude"] == pytest.approx(34.497355239240846)
    assert acton["longitude"] == pytest.approx(-118.16981019229348)
    assert n["latitude"].between(33, 35.5).all()
    assert isinstance(n, pd.DataFrame)
