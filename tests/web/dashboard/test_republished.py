"""Figures republished from public source files (issue 15, item 6; PRIVACY.md, "Figures
republished from public sources"): CDE's shares of a school's enrollment (FRPM, English
learners, students with disabilities) are shown as the source publishes them, never more
precisely, with the source named, on the page and in its CSV download."""

from __future__ import annotations

import io

import pandas as pd

from .test_pages import text_of

CDE = {"frpm_pct": "CDE, Free or Reduced-Price Meal data", "el_pct": "CDE, English learner enrollment",
       "swd_pct": "CDE, students with disabilities enrollment"}


def test_cde_shares_name_their_source_on_the_page_and_in_the_csv(client, results):
    s = results["schools"]
    row = s.iloc[3]
    got = pd.read_csv(io.StringIO(client.get(f"/schools/{row.cds_code}/indicators.csv").text))
    got = got.set_index("code")
    for code in CDE:
        src = got.loc[code, "source"]
        assert src.startswith(CDE[code])  # publisher and dataset, never a file name
        assert ".csv" not in src
        # the value as in the results file (the source's figure), not a count
        assert got.loc[code, "value"] == row[code]
    # other indicators keep their own source
    assert not any(got.loc["ela_not_met_pct", "source"].startswith(v) for v in CDE.values())
    t = text_of(client.get(f"/schools/{row.cds_code}").text)
    for name in CDE.values():
        assert name in t
