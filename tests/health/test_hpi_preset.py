"""The ``hpi-2.0`` preset against the published HPI 2.0 master file (Los Angeles County rows).

Expected values are the file's own ``quartiles`` column (statewide, 1 = healthiest); the state's
Vaccine Equity Metric numbers them the other way (VEM quartile 1 = the file's quartile 4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitable.index import compute_index, load_spec, read_table

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def hpi(data_dir):
    df = read_table(data_dir / "community" / "hpi2_los_angeles_county_tracts.csv",
                    id_column="CensusTract")
    return df, compute_index(load_spec("hpi-2.0"), df).table


def test_vem_quartile_is_the_published_quartile_for_every_tract(hpi):
    df, t = hpi
    assert len(df) == 2346  # data README
    published = pd.to_numeric(df["quartiles"], errors="coerce")
    scored = published.notna().to_numpy()
    assert int(scored.sum()) == 2346 - 85  # 85 tracts have no score (data README)
    got = pd.to_numeric(t["vem_quartile"], errors="coerce").to_numpy()
    # VEM quartile 1 (least healthy) is the file's quartile 4
    want = 5 - published.to_numpy()
    assert int((got[scored] != want[scored]).sum()) == 0
    # the 85 unscored tracts get no quartile (never a guessed one)
    assert np.isnan(got[~scored]).all()
    assert t["CensusTract"].str.len().eq(11).all()
    assert t["CensusTract"].iloc[0] == "06037101110"


def test_need_percentile_is_the_published_negative_percentile(hpi):
    df, t = hpi
    want = pd.to_numeric(df["hpi2_pctile_neg"], errors="coerce").to_numpy()
    got = t["hpi_need_pctl"].to_numpy(dtype=float)
    ok = np.isfinite(want)
    assert np.allclose(got[ok], want[ok], rtol=0, atol=1e-9)
    # by hand: first tract, hpi2_pctile_pos 29.61632234 -> neg 70.38367766 -> VEM quartile 2
    assert t.loc[0, "vem_quartile"] == "2"


def test_plain_25_50_75_cuts_would_misplace_boundary_tracts(hpi):
    # why the preset cuts at 25.01/50.01/75.01: the published quartiles are NTILE(4) groups of
    # 7,793 ranks; the tract at rank 3,897 (percentile 50.0064) is in the file's quartile 3
    df, _ = hpi
    pos = pd.to_numeric(df["hpi2_pctile_pos"], errors="coerce")
    q = pd.to_numeric(df["quartiles"], errors="coerce")
    naive = 4 - np.digitize(pos[q.notna()], [25, 50, 75])
    assert int((naive != q[q.notna()]).sum()) > 0
    assert q[pos.between(50.006, 50.007)].tolist() == [3.0]
