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


@pytest.fixture(scope="module")
def svi2020(data_dir):
    return read_table(data_dir / "community" / "svi2020_us_county.csv", id_column="FIPS")


def _mismatches(res, df: pd.DataFrame) -> dict[str, int]:
    out = {}
    for c in _published_columns(df):
        n = int((res.table[c].to_numpy(dtype=float) != df[c].to_numpy(dtype=float)).sum())
        if n:
            out[c] = n
    return out


def test_svi_2020_every_published_column_matches_for_every_county(svi2020):
    df = svi2020
    res = compute_index(load_spec("svi-2020"), df)
    cols = _published_columns(df)
    assert len(cols) == 47 and len(df) == 3143
    assert res.table["FIPS"].tolist() == df["FIPS"].tolist()
    assert _mismatches(res, df) == {}
    # the two departures from the documentation, as published (docs/index.md)
    t = res.table.set_index("FIPS")
    assert (t.loc["11001", [c for c in cols if c.startswith("F_")]] == -999).all()
    assert t.loc["11001", "EPL_HBURD"] == 0.972 and t.loc["11001", "RPL_THEMES"] == 0.6728
    assert any(s.get("step") == "flags_missing" and s["ids"] == ["11001"] for s in res.log)


def test_svi_2020_documented_form_departs_from_the_published_file_where_docs_say(svi2020):
    # CDC's 2020 documentation ranks the percentage EP_HBURD and flags every county; the published
    # file ranks the count E_HBURD and gives DC no flags. Counts of counties that differ:
    df = svi2020
    res = compute_index(load_spec("svi-2020-documented"), df)
    assert _mismatches(res, df) == {
        "EPL_HBURD": 3137, "SPL_THEME1": 3137, "RPL_THEME1": 3131, "SPL_THEMES": 3137,
        "RPL_THEMES": 3121, "F_HBURD": 387, "F_THEME1": 387, "F_TOTAL": 387,
        # DC (11001) alone in every other flag column
        **{c: 1 for c in _published_columns(df) if c.startswith("F_")
           and c not in ("F_HBURD", "F_THEME1", "F_TOTAL")},
    }
    dc = res.table.set_index("FIPS").loc["11001"]
    # EPL_MINRTY 0.9405, EPL_MUNIT 0.9987, EPL_NOVEH 0.9962 are >= 0.90 (published values)
    assert (dc["F_MINRTY"], dc["F_MUNIT"], dc["F_NOVEH"], dc["F_TOTAL"]) == (1, 1, 1, 3)
    # documented EPL_HBURD of Autauga, AL by hand: counties with a lower EP_HBURD / (N - 1)
    x = df["EP_HBURD"].astype(float)
    x = x[x != -999]
    a = float(df.loc[df["FIPS"] == "01001", "EP_HBURD"].iloc[0])
    assert res.table.loc[0, "EPL_HBURD"] == round(int((x < a).sum()) / (len(x) - 1), 4)


# CDC/ATSDR SVI 2018, US counties, as published (SVI2018_US_COUNTY.csv, CDC; read from the copy in
# the public repository andrewdtu/CDI-SVI-visualization, the same one that republishes the 2020
# file): FIPS -> (EPL_PCI, RPL_THEME1, RPL_THEME2, RPL_THEME3, RPL_THEME4, RPL_THEMES, F_TOTAL).
# The full file is not in ../shared/data (only its inputs); these are three contiguous runs of its
# rows (its first 11: Rio Arriba NM, then Alabama; 26 rows Lyon NV .. Greene NY; 26 rows Custer OK
# .. Harney OR). 15 of them have a per-capita income tied with another county's, where the two
# inverse rules differ (01013, 01043, 01079, 01095, 01103, 36035, 36037, 40041, 40057, 40069,
# 40077, 40079, 41003, 41013, 41019); ranking -EP_PCI would also move the theme rank of 01017,
# 33007, 34029, 36031, 40043, 40121.
SVI2018_PUBLISHED = {
    "35039": (-999, -999, 0.8758, 0.9268, 0.5409, -999, -999),
    "01001": (0.286, 0.3631, 0.581, 0.5947, 0.3741, 0.4354, 0),
    "01009": (0.7561, 0.6143, 0.3187, 0.5915, 0.1741, 0.4242, 0),
    "01013": (0.8879, 0.8455, 0.9077, 0.6447, 0.6259, 0.8653, 0),
    "01015": (0.6076, 0.7866, 0.8303, 0.6507, 0.6492, 0.8252, 0),
    "01017": (0.7465, 0.6901, 0.6609, 0.4597, 0.7943, 0.7382, 0),
    "01043": (0.7338, 0.6895, 0.4444, 0.3305, 0.3945, 0.5182, 0),
    "01079": (0.6946, 0.7373, 0.5186, 0.3725, 0.2028, 0.4952, 0),
    "01095": (0.6764, 0.7427, 0.7682, 0.7708, 0.3149, 0.7261, 0),
    "01103": (0.5268, 0.5838, 0.6702, 0.7504, 0.5775, 0.6895, 0),
    "01113": (0.7965, 0.8433, 0.88, 0.7937, 0.7768, 0.9115, 0),
    "32019": (0.4561, 0.5618, 0.6087, 0.7361, 0.3419, 0.5783, 0),
    "33001": (0.0834, 0.1159, 0.2219, 0.1016, 0.2356, 0.0841, 0),
    "33005": (0.1092, 0.093, 0.1117, 0.2174, 0.5556, 0.1417, 0),
    "33007": (0.4796, 0.4497, 0.6794, 0.3305, 0.6979, 0.529, 0),
    "33009": (0.0691, 0.0713, 0.0984, 0.3836, 0.6855, 0.1882, 0),
    "33013": (0.0745, 0.042, 0.0745, 0.4288, 0.538, 0.1455, 0),
    "33015": (0.0166, 0.0146, 0.0341, 0.2837, 0.114, 0.0111, 0),
    "33017": (0.1086, 0.1172, 0.0245, 0.3556, 0.8029, 0.1748, 0),
    "33019": (0.186, 0.1662, 0.3464, 0.099, 0.3314, 0.1513, 0),
    "34005": (0.0312, 0.1379, 0.072, 0.7778, 0.3193, 0.2054, 0),
    "34015": (0.0592, 0.1646, 0.0793, 0.6345, 0.2286, 0.1675, 0),
    "34019": (0.0035, 0.0185, 0.0207, 0.5444, 0.141, 0.0264, 0),
    "34029": (0.093, 0.2344, 0.4352, 0.6208, 0.3757, 0.3354, 0),
    "34033": (0.1538, 0.451, 0.5049, 0.7854, 0.5922, 0.5901, 0),
    "34037": (0.0264, 0.0882, 0.021, 0.4992, 0.0465, 0.0191, 0),
    "34041": (0.0557, 0.2076, 0.063, 0.7179, 0.3372, 0.2178, 0),
    "35028": (0.0022, 0.0067, 0.0532, 0.5899, 0.057, 0.0248, 0),
    "36017": (0.4656, 0.4901, 0.7985, 0.2305, 0.7571, 0.5646, 0),
    "36021": (0.0815, 0.2322, 0.383, 0.5727, 0.632, 0.3854, 0),
    "36023": (0.4459, 0.3908, 0.1076, 0.2601, 0.7969, 0.3452, 0),
    "36025": (0.471, 0.5016, 0.4954, 0.4374, 0.8991, 0.6331, 0),
    "36027": (0.057, 0.2245, 0.0506, 0.7771, 0.9293, 0.4207, 0),
    "36031": (0.242, 0.2659, 0.4925, 0.3305, 0.7151, 0.3869, 0),
    "36035": (0.4548, 0.5494, 0.6791, 0.2786, 0.4801, 0.501, 0),
    "36037": (0.2809, 0.2366, 0.2359, 0.3247, 0.2773, 0.1879, 0),
    "36039": (0.4245, 0.4197, 0.0755, 0.517, 0.7727, 0.4159, 0),
    "40039": (0.5519, 0.5143, 0.5721, 0.8354, 0.8427, 0.7503, 1),
    "40041": (0.7347, 0.7994, 0.7873, 0.6679, 0.4117, 0.7697, 1),
    "40043": (0.4105, 0.2758, 0.5543, 0.5708, 0.0675, 0.2248, 1),
    "40057": (0.7615, 0.6799, 0.9723, 0.8574, 0.3553, 0.8108, 1),
    "40063": (0.8873, 0.9041, 0.6963, 0.5495, 0.5514, 0.8115, 1),
    "40069": (0.8618, 0.8347, 0.9707, 0.5078, 0.5342, 0.8468, 1),
    "40073": (0.1707, 0.3287, 0.7418, 0.7768, 0.128, 0.3806, 1),
    "40077": (0.6755, 0.7417, 0.958, 0.6033, 0.8797, 0.8936, 1),
    "40079": (0.8774, 0.8213, 0.965, 0.7791, 0.6428, 0.9032, 1),
    "40097": (0.6726, 0.6338, 0.9484, 0.4947, 0.6135, 0.7519, 1),
    "40099": (0.458, 0.4818, 0.9271, 0.6692, 0.6262, 0.7092, 1),
    "40101": (0.749, 0.7688, 0.9204, 0.7459, 0.9529, 0.9338, 1),
    "40109": (0.2369, 0.4494, 0.5877, 0.9121, 0.6765, 0.6818, 1),
    "40111": (0.7764, 0.8287, 0.9656, 0.419, 0.7434, 0.8659, 1),
    "40115": (0.8981, 0.8255, 0.9866, 0.703, 0.9166, 0.9576, 1),
    "40121": (0.6032, 0.6653, 0.9198, 0.6307, 0.7698, 0.8264, 1),
    "40127": (0.7108, 0.7924, 0.8812, 0.4059, 0.6218, 0.7863, 1),
    "40143": (0.2159, 0.401, 0.6033, 0.8746, 0.5963, 0.6159, 1),
    "40151": (0.4274, 0.3799, 0.2455, 0.4349, 0.3473, 0.314, 1),
    "41001": (0.5076, 0.6041, 0.5836, 0.3235, 0.9191, 0.6854, 1),
    "41003": (0.1643, 0.3736, 0.007, 0.6625, 0.8886, 0.349, 1),
    "41005": (0.043, 0.0889, 0.0828, 0.6632, 0.4148, 0.1895, 1),
    "41013": (0.5796, 0.6529, 0.7443, 0.3989, 0.3792, 0.5729, 1),
    "41015": (0.3529, 0.5369, 0.4807, 0.3894, 0.4776, 0.4879, 1),
    "41019": (0.5494, 0.6382, 0.7364, 0.3664, 0.8682, 0.7277, 1),
    "41025": (0.529, 0.6621, 0.8459, 0.3543, 0.7103, 0.7108, 1),
}


def test_svi_2018_reproduces_published_county_percentiles_and_flags(data_dir):
    df = read_table(data_dir / "community" / "svi2018_us_county_inputs.csv", id_column="FIPS")
    t = compute_index(load_spec("svi-2018"), df).table.set_index("FIPS")
    cols = ["EPL_PCI", "RPL_THEME1", "RPL_THEME2", "RPL_THEME3", "RPL_THEME4", "RPL_THEMES", "F_TOTAL"]
    assert len(SVI2018_PUBLISHED) == 63
    got = {f: tuple(t.loc[f, cols].tolist()) for f in SVI2018_PUBLISHED}
    assert got == SVI2018_PUBLISHED
    # Butler County, AL (01013): EP_PCI 20430 is tied with one other county; 1 - percentile gives
    # the published 0.8879, ranking -EP_PCI gives 0.8876 (1 / 3140 less)
    pci = df["EP_PCI"].astype(float)
    pci = pci[pci != -999].to_numpy()
    assert int((pci == 20430).sum()) == 2
    assert round(1 - int((pci < 20430).sum()) / (pci.size - 1), 4) == 0.8879
    assert round(int((pci > 20430).sum()) / (pci.size - 1), 4) == 0.8876
