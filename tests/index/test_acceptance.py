"""Acceptance on the real published files in ../shared/data/community (issue 2, item 4).

Expected values are the published columns of the same files: CDC/ATSDR SVI 2022 (county) and
OEHHA CalEnviroScreen 4.0 (tract).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitable.index import compute_index, load_spec, read_table

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def svi2022(data_dir):
    df = read_table(data_dir / "community" / "svi2022_us_county.csv", id_column="FIPS")
    return df, compute_index(load_spec("svi-2022"), df)


def _published_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith(("EPL_", "SPL_", "RPL_", "F_"))]


def test_svi_2022_every_published_column_matches_for_every_county(svi2022):
    df, res = svi2022
    cols = _published_columns(df)
    # 16 EPL, 4 SPL_THEMEn + SPL_THEMES, 4 RPL_THEMEn + RPL_THEMES, 16 F_, 4 F_THEMEn, F_TOTAL
    assert len(cols) == 16 + 5 + 5 + 16 + 4 + 1
    assert len(df) == 3144
    assert res.table["FIPS"].tolist() == df["FIPS"].tolist()
    for c in cols:
        got = res.table[c].to_numpy(dtype=float)
        want = df[c].to_numpy(dtype=float)
        mismatches = int((got != want).sum())
        assert mismatches == 0, f"{c}: {mismatches} of 3144 counties differ"


def test_svi_2022_flag_columns_are_integers_and_ranks_are_4_decimals(svi2022):
    _, res = svi2022
    t = res.table
    assert t["F_TOTAL"].dtype == np.int64
    # Autauga County, Alabama (first row of the published file)
    row = t.iloc[0]
    assert row["FIPS"] == "1001"
    assert row["EPL_POV150"] == 0.3621
    assert row["SPL_THEMES"] == 6.5524
    assert row["RPL_THEMES"] == 0.2663


def test_svi_2022_sum_of_rounded_values_is_rerounded_before_ranking(svi2022):
    # Without re-rounding, float noise makes equal sums unequal and moves ranks (NOTES.md).
    df, res = svi2022
    epl = [c for c in df.columns if c.startswith("EPL_")]
    themes = load_spec("svi-2022").themes
    raw_sum = sum(df[f"SPL_{t.code}"] for t in themes)
    rounded = raw_sum.round(4)
    assert (raw_sum != rounded).any()  # the noise exists in this data
    assert (res.table["SPL_THEMES"] == rounded).all()
    assert len(epl) == 16


@pytest.fixture(scope="module")
def ces(data_dir):
    return read_table(data_dir / "community" / "calenviroscreen40_results_tract.csv", id_column="tract")


RECOMPUTABLE = [
    "PM2.5 Pctl", "Cleanup Sites Pctl", "Groundwater Threats Pctl", "Haz. Waste Pctl",
    "Imp. Water Bodies Pctl", "Solid Waste Pctl", "Asthma Pctl", "Low Birth Weight Pctl",
    "Cardiovascular Disease Pctl", "Education Pctl", "Linguistic Isolation Pctl", "Poverty Pctl",
    "Unemployment Pctl", "Housing Burden Pctl",
]
ROUNDED_RAW = ["Ozone Pctl", "Diesel PM Pctl", "Drinking Water Pctl", "Lead Pctl", "Pesticides Pctl",
               "Tox. Release Pctl", "Traffic Pctl"]


def _num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s.replace("NA", np.nan)).to_numpy(dtype=float)


def test_calenviroscreen_14_indicator_percentiles_from_raw_values_equal_published(ces):
    res = compute_index(load_spec("calenviroscreen-4.0"), ces)
    assert len(RECOMPUTABLE) == 14
    for c in RECOMPUTABLE:
        got, want = _num(res.table[c]), _num(ces[c])
        assert np.array_equal(np.isnan(got), np.isnan(want)), c
        ok = ~np.isnan(want)
        assert np.array_equal(got[ok], want[ok]), f"{c}: {(got[ok] != want[ok]).sum()} tracts differ"
    # the other seven cannot be: their published raw values are rounded (docs/index.md)
    differing = [c for c in ROUNDED_RAW if not np.array_equal(_num(res.table[c]), _num(ces[c]), equal_nan=True)]
    assert differing == ROUNDED_RAW


def test_calenviroscreen_pctl_preset_reproduces_score_and_percentile(ces):
    res = compute_index(load_spec("calenviroscreen-4.0-pctl"), ces)
    want_score = _num(ces["CES 4.0 Score"])
    want_pct = _num(ces["CES 4.0 Percentile"])
    scored = ~np.isnan(want_score)
    assert scored.sum() == 7932 and (~scored).sum() == 103
    got_score = res.aggregated["CES 4.0 Score"].to_numpy()  # unrounded
    got_pct = res.table["CES 4.0 Percentile"].to_numpy(dtype=float)
    assert np.array_equal(np.isnan(got_score), ~scored)  # the 103 stay unscored
    assert np.isnan(got_pct[~scored]).all()
    assert np.abs(got_score[scored] - want_score[scored]).max() <= 0.01
    assert np.abs(got_pct[scored] - want_pct[scored]).max() <= 0.05
    # the written score is rounded to 2 decimals as published
    assert np.abs(res.table["CES 4.0 Score"].to_numpy(float)[scored] - want_score[scored]).max() <= 0.0100001
    # every unscored tract says why
    notes = res.table["missing_indicators"].to_numpy()[~scored]
    assert all(n.startswith("not scored (too few indicators in POP_CHAR)") for n in notes)
    # Fresno tract 06019001100, the highest score in the state: 93.18, percentile 100
    top = res.table.set_index("tract").loc["06019001100"]
    assert top["CES 4.0 Score"] == 93.18 and top["CES 4.0 Percentile"] == 100.0


def test_svi_2018_runs_with_inverse_income_and_missing_county(data_dir):
    df = read_table(data_dir / "community" / "svi2018_us_county_inputs.csv", id_column="FIPS")
    res = compute_index(load_spec("svi-2018"), df)
    t = res.table.set_index("FIPS")
    assert len(t) == 3142
    # Rio Arriba County, NM (35039): EP_POV, EP_UNEMP and EP_PCI are -999
    ra = t.loc["35039"]
    assert ra["EPL_POV"] == ra["EPL_UNEMP"] == ra["EPL_PCI"] == -999
    assert ra["SPL_THEME1"] == ra["RPL_THEME1"] == ra["F_THEME1"] == -999
    assert ra["SPL_THEMES"] == ra["RPL_THEMES"] == ra["F_TOTAL"] == -999
    assert ra["RPL_THEME2"] != -999 and 0 <= ra["RPL_THEME2"] <= 1
    # per-capita income is ranked in reverse: the lowest income is the most vulnerable
    pci = df["EP_PCI"].astype(float).where(df["EP_PCI"] != -999)
    valid = pci.dropna().to_numpy()
    n = valid.size
    assert n == 3141
    lowest, highest = df.loc[pci.idxmin(), "FIPS"], df.loc[pci.idxmax(), "FIPS"]
    assert t.loc[lowest, "EPL_PCI"] == 1.0 and t.loc[highest, "EPL_PCI"] == 0.0
    # hand computation for Autauga County (01001): (number of counties with a HIGHER income) / (N - 1)
    x = float(df.set_index("FIPS").loc["01001", "EP_PCI"])
    assert t.loc["01001", "EPL_PCI"] == round(int((valid > x).sum()) / (n - 1), 4)
    y = float(df.set_index("FIPS").loc["01001", "EP_POV"])
    pov = df["EP_POV"].astype(float)
    pov = pov[pov != -999].to_numpy()
    assert t.loc["01001", "EPL_POV"] == round(int((pov < y).sum()) / (pov.size - 1), 4)
    assert res.missing_summary()["excluded"] == 1
