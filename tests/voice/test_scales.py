"""Scale scores, Cronbach's alpha and intervals (CHKS-style climate scales), by hand."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitable.errors import SpecError
from equitable.voice import load_instrument
from equitable.voice._readers import SurveyData
from equitable.voice._scales import cronbach_alpha, feldt_interval, scale_scores, scale_table

INSTRUMENT = """
[instrument]
id = "t"
languages = ["en"]
[scales.true4]
options = ["1", "2", "3", "4"]
favorable = ["3", "4"]
[constructs.c]
label = { en = "C" }
[[attributes]]
id = "grp"
[[items]]
id = "a"
construct = "c"
scale = "true4"
[[items]]
id = "b"
construct = "c"
scale = "true4"
"""


def _data(tmp_path):
    p = tmp_path / "inst.toml"
    p.write_text(INSTRUMENT, encoding="utf-8")
    inst = load_instrument(p)
    a = [1, 2, 3, 4] * 3
    rows = []
    for i, v in enumerate(a, 1):          # r1..r12 answer a and b alike
        rows += [(f"r{i}", "a", str(v)), (f"r{i}", "b", str(v))]
    rows.append(("r13", "a", "4"))         # half the items: scored 4
    # r14 answers nothing: no score
    responses = pd.DataFrame(rows, columns=["respondent_id", "item", "response"])
    respondents = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(1, 15)],
                                "grp": ["x"] * 11 + ["y"] * 3})
    return SurveyData(responses, respondents, inst.id, ["test"]), inst


def test_cronbach_alpha_by_hand():
    # items (1,2,3,4) and (2,3,3,5): variances 1.6667 and 1.5833, totals (3,5,6,9) variance
    # 6.25 -> alpha = 2 x (1 - 3.25 / 6.25) = 0.96
    assert cronbach_alpha(np.array([[1, 2], [2, 3], [3, 3], [4, 5]])) == pytest.approx(0.96)
    # identical items: alpha = 1
    assert cronbach_alpha(np.array([[1, 1], [2, 2], [4, 4]])) == pytest.approx(1.0)
    lo, hi = feldt_interval(0.8, 100, 5)
    assert lo < 0.8 < hi


def test_scores_and_group_table_by_hand(tmp_path):
    data, inst = _data(tmp_path)
    s = scale_scores(data, inst, "c").set_index("respondent_id")
    assert s.loc["r13", "score"] == 4.0 and s.loc["r13", "answered"] == 1
    assert math.isnan(s.loc["r14", "score"])
    t = scale_table(data, inst, by=["grp"])
    row = t[t["variable"] == "all"].iloc[0]
    scores = [1, 2, 3, 4] * 3 + [4]
    mean = sum(scores) / 13                      # 34 / 13 = 2.615
    sd = statistics.stdev(scores)
    half = 2.1788 * sd / math.sqrt(13)           # t(0.975, 12) = 2.179 (t table)
    assert row["n"] == 13
    assert row["mean"] == round(mean, 3)
    assert row["ci_low"] == pytest.approx(mean - half, abs=1e-3)
    assert row["ci_high"] == pytest.approx(mean + half, abs=1e-3)
    assert (row["alpha"], row["alpha_n"]) == (1.0, 12)   # r1..r12 answered both items
    # group y has 3 respondents (2 scored): suppressed; group x (11) is shown
    y = t[(t["variable"] == "grp") & (t["group"] == "y")].iloc[0]
    assert y["n"] == "*" and y["mean"] == "*" and y["alpha"] == "*"
    x = t[(t["variable"] == "grp") & (t["group"] == "x")].iloc[0]
    assert x["n"] == 11 and x["mean"] == round(sum(([1, 2, 3, 4] * 3)[:11]) / 11, 3)


def test_tiers_join_and_chks_preset(tmp_path):
    data, inst = _data(tmp_path)
    data.respondents["school"] = ["19647330000001"] * 12 + ["19647330000002"] * 2
    with pytest.raises(SpecError, match=r"^--by 'nope' is not an attribute of the survey "
                       r"\(attributes: grp\)$"):
        scale_table(data, inst, by=["nope"])
    tiers = pd.DataFrame({"cds_code": ["19647330000001"], "tier": ["1 Highest"]})
    t = scale_table(data, inst, tiers=tiers)
    groups = t[t["variable"] == "tier"].set_index("group")
    assert groups.loc["1 Highest", "n"] == 12
    assert groups.loc["(no tier)", "n"] == "*"
    chks = load_instrument(Path(__file__).parents[2] / "examples" / "voice" / "chks_climate.toml")
    items = chks.construct_items()
    assert len(items["school_connectedness"]) == 5
    assert len(items["caring_adults"]) == 3 and len(items["high_expectations"]) == 3
