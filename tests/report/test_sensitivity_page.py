"""The page of `equitable sensitivity` (report.html) on the shared page writer: the base frame,
the tier-stability table equal to tier_stability.csv, and the page at 390 px in Chromium."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.index.test_sensitivity import nested_data, nested_spec
from tests.report.pages import as_records, check_in_chromium, check_page_frame, read_tables


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    from equitable.index._sensitivity import sensitivity

    out = tmp_path_factory.mktemp("sens")
    res = sensitivity(nested_spec(), nested_data(150), draws=100, sobol_n=16, seed=4)
    res.write(out)
    return out


def test_sensitivity_page_frame_and_tables_equal_the_csv(written):
    html = (written / "report.html").read_text(encoding="utf-8")
    check_page_frame(html, "en", None)  # English only: no switch link
    assert "<h1>How much do the choices decide?" in html
    tables = read_tables(html)
    rows = as_records(tables["tier-stability-table"])
    csv = pd.read_csv(written / "tier_stability.csv", dtype={"tier": str})
    assert [r["tier"] for r in rows] == csv["tier"].tolist()
    # 150 units, of which the 5 missing an "exclude" indicator are never ranked: 145 in tiers
    assert sum(int(r["units"]) for r in rows) == 145
    for r, (_, c) in zip(rows, csv.iterrows()):
        assert r["units"] == str(c["units"])
        assert r["mean_p_same_tier"] == f"{c['mean_p_same_tier']:.3f}"
    assert len(tables["widest-table"]) == 1 + 20
    assert '<td class="num" data-label="units">' in html  # numbers right-aligned, carded


@pytest.mark.browser
def test_sensitivity_page_on_a_phone_has_no_sideways_scroll_and_no_axe_violation(
        written, chromium_browser):
    check_in_chromium(chromium_browser, written / "report.html", 390, 844)
