"""Catalyst California's equity-index method (JENI, LA City Equity Index) as an index spec: the
worked example in examples/health, every value computed by hand below."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from equitable.errors import SpecError
from equitable.index import compute_index, load_spec, parse_spec, read_table

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "health"


def _run():
    df = read_table(EXAMPLE / "equity_index_example.csv", id_column="place")
    return compute_index(load_spec(EXAMPLE / "equity_index_example.toml"), df).table.set_index("place")


def test_worked_example_by_hand():
    t = _run()
    # percentile (r - 1) / (N - 1) x 100 among the places that have the indicator, ties min
    # asthma 10,20,30,40 -> 0, 33.3, 66.7, 100; low birth weight A 8, B 6, D 4 -> 100, 50, 0
    # HEALTH: C has 1 of 2 indicators (half: scored). means A 50, B 41.67, C 66.67, D 50
    assert t["health_mean"].tolist() == pytest.approx([50, 125 / 3, 200 / 3, 50])
    # re-ranked: B lowest 0; A and D tie at rank 2 -> 33.3; C rank 4 -> 100
    assert t["health_pctl"].tolist() == pytest.approx([100 / 3, 0, 100, 100 / 3])
    # ECONOMY: B has 1 of 3 (< half): not scored. poverty A100 C33.3 D0; unemployment A0 D100;
    # rent A0 C50 D100 -> means A 33.3, C 41.7, D 66.7 -> re-ranked among 3: 0, 50, 100
    assert np.isnan(t.loc["B", "economy_mean"])
    assert t.loc[["A", "C", "D"], "economy_pctl"].tolist() == pytest.approx([0, 50, 100])
    # index = mean of the two domain percentiles: A 16.67, C 75, D 66.67; B has no index
    assert t.loc[["A", "C", "D"], "equity_index"].tolist() == pytest.approx([50 / 3, 75, 200 / 3])
    assert np.isnan(t.loc["B", "equity_index"])
    assert "not scored (too few indicators in ECONOMY)" in t.loc["B", "missing_indicators"]
    assert t.loc[["C", "D", "A"], "need_rank"].tolist() == [1, 2, 3]


def test_without_pass_percentile_the_index_averages_the_means():
    # the same spec with pass_percentile off gives the other (non-Catalyst) answer, so the
    # option is what makes the re-ranking count: A = (50 + 33.3) / 2
    spec = load_spec(EXAMPLE / "equity_index_example.toml")
    data = spec.model_dump(by_alias=True, exclude_none=True)
    for th in data["theme"]:
        th["pass_percentile"] = False
    df = read_table(EXAMPLE / "equity_index_example.csv", id_column="place")
    t = compute_index(parse_spec(data), df).table.set_index("place")
    assert t.loc["A", "equity_index"] == pytest.approx((50 + 100 / 3) / 2)


def test_pass_percentile_needs_a_percentile():
    data = load_spec(EXAMPLE / "equity_index_example.toml").model_dump(by_alias=True, exclude_none=True)
    del data["theme"][0]["percentile"]
    with pytest.raises(SpecError, match="pass_percentile = true needs 'percentile'"):
        parse_spec(data)


def test_sensitivity_refuses_pass_percentile_rather_than_differ():
    from equitable.index import sensitivity

    df = read_table(EXAMPLE / "equity_index_example.csv", id_column="place")
    with pytest.raises(SpecError) as e:
        sensitivity(load_spec(EXAMPLE / "equity_index_example.toml"), df, draws=10, sobol=False)
    assert str(e.value) == ("sensitivity: spec equity-index-example, theme 'HEALTH': "
                            "pass_percentile is not supported by the sensitivity analysis")


def test_sensitivity_applies_min_present_share():
    # without pass_percentile the sensitivity analysis runs; B (1 of 3 ECONOMY indicators) stays
    # unranked (0) in every draw, as compute_index leaves it unscored
    from equitable.index._sensitivity import draw_ranks

    data = load_spec(EXAMPLE / "equity_index_example.toml").model_dump(by_alias=True, exclude_none=True)
    for th in data["theme"]:
        th["pass_percentile"] = False
    df = read_table(EXAMPLE / "equity_index_example.csv", id_column="place")
    _, ranks = draw_ranks(parse_spec(data), df, 20)
    assert ranks.shape == (20, 4)
    assert (ranks[:, 1] == 0).all()
    assert (ranks[:, [0, 2, 3]] > 0).all()
