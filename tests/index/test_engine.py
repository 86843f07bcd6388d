"""The engine on small tables whose right answers are computed by hand in each test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitable.errors import InputError, SpecError
from equitable.index import compute_index, explain, list_presets, load_spec, parse_spec


def school_spec(**over) -> dict:
    """A SENI-style spec: two domains, weights per indicator and per domain, quintile tiers."""
    spec = {
        "name": "test-schools",
        "id_column": "cds_code",
        "id_width": 14,
        "keep_columns": ["school_name"],
        "missing_text": ["*"],
        "defaults": {"normalise": {"method": "percentile", "scale": 100, "decimals": 2},
                     "missing": "reweight"},
        "indicator": [
            {"code": "frpm", "column": "pct_frpm", "theme": "student", "weight": 2},
            {"code": "el", "column": "pct_el", "theme": "student", "weight": 1},
            {"code": "ela_not_met", "expression": "100 - ela_pct_met", "theme": "academic"},
        ],
        "theme": [
            {"code": "student", "aggregation": "mean", "weight": 0.7},
            {"code": "academic", "aggregation": "mean", "weight": 0.3},
        ],
        "overall": {"code": "seni", "aggregation": "mean", "weights_sum": 1.0, "rank_column": "rank",
                    "tiers": {"method": "quantile", "labels": ["1 Highest", "2 High", "3 Moderate",
                                                               "4 Low", "5 Lowest"]}},
    }
    spec.update(over)
    return spec


def schools() -> pd.DataFrame:
    return pd.DataFrame({
        "cds_code": ["19647330000001", "19647330000002", "19647330000003", "19647330000004",
                     "19647330000005"],
        "school_name": ["A", "B", "C", "D", "E"],
        "pct_frpm": [90.0, 80.0, 70.0, 60.0, 50.0],
        "pct_el": [10.0, 40.0, 30.0, 20.0, "*"],
        "ela_pct_met": [20.0, 30.0, 60.0, 50.0, 90.0],
    })


def test_weighted_domains_percentiles_rank_and_tiers_by_hand():
    res = compute_index(parse_spec(school_spec()), schools(), source="schools.csv")
    t = res.table.set_index("cds_code")
    # frpm percentiles (rank - 1) / 4 x 100: A 100, B 75, C 50, D 25, E 0
    assert t["frpm_pctl"].tolist() == [100, 75, 50, 25, 0]
    # el among the 4 with a value: A 0, B 100, C 66.67, D 33.33; E missing ("*")
    assert t["el_pctl"].iloc[:4].tolist() == [0, 100, 66.67, 33.33]
    assert np.isnan(t["el_pctl"].iloc[4])
    # ela not met = 80, 70, 40, 50, 10 -> A 100, B 75, C 25, D 50, E 0
    assert t["ela_not_met_pctl"].tolist() == [100, 75, 25, 50, 0]
    # student = (2 frpm + el) / 3 over present; E re-weighted to frpm alone
    student = [(200 + 0) / 3, (150 + 100) / 3, (100 + 66.67) / 3, (50 + 33.33) / 3, 0.0]
    np.testing.assert_allclose(t["student_score"], student)
    score = [0.7 * s + 0.3 * a for s, a in zip(student, [100, 75, 25, 50, 0])]
    np.testing.assert_allclose(t["score"], score)
    # scores: A 76.67, B 80.83, C 46.39, D 34.44, E 0
    assert t["rank"].tolist() == [2, 1, 3, 4, 5]
    assert t["tier"].tolist() == ["2 High", "1 Highest", "3 Moderate", "4 Low", "5 Lowest"]
    assert t["missing_indicators"].tolist() == ["", "", "", "", "reweighted: el"]
    assert t["school_name"].tolist() == list("ABCDE")
    assert res.missing_summary() == {"complete": 4, "reweighted": 1, "imputed": 0, "excluded": 0,
                                     "not scored": 0}


def test_exclude_rule_leaves_unit_unscored_and_output_missing_code():
    spec = school_spec(defaults={"normalise": {"method": "percentile"}, "missing": "exclude"},
                       output_missing=-999)
    res = compute_index(parse_spec(spec), schools())
    e = res.table.iloc[4]
    assert e["el_pctl"] == -999 and e["student_score"] == -999 and e["score"] == -999
    assert e["rank"] == -999 and e["tier"] is None
    assert e["missing_indicators"] == "excluded: el"
    # the four others are ranked among themselves: tiers by count of 4 ranked units
    assert sorted(res.table["rank"].iloc[:4]) == [1, 2, 3, 4]


def test_impute_mean_happens_on_the_normalised_scale_and_is_flagged():
    spec = school_spec()
    spec["indicator"][1]["missing"] = "impute_mean"
    res = compute_index(parse_spec(spec), schools())
    el = res.table["el_pctl"].tolist()
    assert el[4] == pytest.approx((0 + 100 + 66.67 + 33.33) / 4)
    assert el[:4] == [0, 100, 66.67, 33.33]  # others did not move
    assert res.table["missing_indicators"].iloc[4] == "imputed: el"


def test_reference_population_ranks_reported_units_against_the_state():
    state = pd.DataFrame({"id": [f"{i:02d}" for i in range(11)], "x": np.arange(11.0)})
    county = state.iloc[[2, 7]].reset_index(drop=True)
    spec = parse_spec({"name": "r", "id_column": "id",
                       "indicator": [{"code": "x", "column": "x"}],
                       "overall": {"code": "all", "percentile": {"method": "percentile"},
                                   "rank_column": "rank"}})
    res = compute_index(spec, county, reference=state)
    # against 11 state units: (rank - 1) / 10
    assert res.table["x_pctl"].tolist() == [0.2, 0.7]
    assert res.table["percentile"].tolist() == [0.2, 0.7]
    assert res.table["rank"].tolist() == [9, 4]  # 8 and 3 state units have a higher value
    alone = compute_index(spec, county)
    assert alone.table["x_pctl"].tolist() == [0.0, 1.0]


def test_lower_is_more_need_zscore_minmax_and_cuts():
    df = pd.DataFrame({"id": ["a", "b", "c"], "income": [10.0, 20.0, 30.0], "v": [1.0, 2.0, 6.0]})
    spec = parse_spec({
        "name": "z", "id_column": "id",
        "indicator": [
            {"code": "income", "column": "income", "direction": "lower_is_more_need",
             "normalise": {"method": "zscore"}},
            {"code": "v", "column": "v", "normalise": {"method": "minmax"}},
        ],
        "overall": {"code": "o", "aggregation": "sum",
                    "tiers": {"method": "cuts", "cuts": [0.0, 1.0], "labels": ["high", "mid", "low"]}},
    })
    t = compute_index(spec, df).table
    assert t["income_z"].tolist() == [1.0, 0.0, -1.0]  # mean 20, sd 10, reversed
    assert t["v_minmax"].tolist() == [0.0, 0.2, 1.0]
    assert t["score"].tolist() == [1.0, 0.2, 0.0]
    assert t["tier"].tolist() == ["high", "mid", "mid"]


def test_stage_tables_log_and_replay_from_the_spec():
    spec = parse_spec(school_spec())
    res = compute_index(spec, schools())
    assert list(res.raw.columns) == ["cds_code", "frpm", "el", "ela_not_met"]
    assert np.isnan(res.treated["el"].iloc[4])
    assert "student_score" in res.aggregated.columns
    steps = [e["step"] for e in res.log]
    assert steps[0] == "read" and steps.count("normalise") == 3 and steps.count("aggregate") == 3
    assert steps[-1] == "tiers"
    replayed = compute_index(parse_spec(spec.to_dict()), schools())
    pd.testing.assert_frame_equal(replayed.table, res.table)


def test_id_width_pads_leading_zeros():
    df = pd.DataFrame({"tract": [6019001100, 6077000700], "x": [1.0, 2.0]})
    spec = parse_spec({"name": "t", "id_column": "tract", "id_width": 11,
                       "indicator": [{"code": "x", "column": "x"}], "overall": {"code": "o"}})
    assert compute_index(spec, df).table["tract"].tolist() == ["06019001100", "06077000700"]


def test_geometric_mean_rejects_negative_values():
    df = pd.DataFrame({"id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0]})
    spec = parse_spec({"name": "g", "id_column": "id",
                       "indicator": [{"code": "x", "column": "x", "normalise": {"method": "zscore"}}],
                       "overall": {"code": "o", "aggregation": "geometric_mean"}})
    with pytest.raises(SpecError, match="geometric_mean needs values >= 0"):
        compute_index(spec, df)


def test_every_preset_loads_and_explains():
    names = list_presets()
    for name in ["svi-2018", "svi-2020", "svi-2022", "calenviroscreen-4.0", "calenviroscreen-4.0-pctl"]:
        assert name in names
    for name in names:
        spec = load_spec(name)
        text = explain(spec)
        assert spec.id_column in text and len(text) > 200


def test_explain_describes_the_svi_method():
    text = explain(load_spec("svi-2022"))
    assert "(rank - 1) / (N - 1)" in text
    assert "rounded to 4 decimals" in text
    assert "-999" in text


def test_unknown_key_and_bad_weights_are_spec_errors():
    bad = school_spec()
    bad["indicator"][0]["wieght"] = 2
    with pytest.raises(SpecError, match=r"^s.toml: key 'indicator\[1\] \(frpm\).wieght': unknown key$"):
        parse_spec(bad, source="s.toml")
    bad = school_spec()
    bad["theme"][1]["weight"] = 0.4
    with pytest.raises(SpecError, match=r"weights add up to 1.1, not the declared 1$"):
        parse_spec(bad, source="s.toml")


def test_fewer_than_two_rankable_units():
    df = pd.DataFrame({"id": ["a", "b"], "x": [1.0, -999.0]})
    spec = parse_spec({"name": "f", "id_column": "id", "missing_codes": [-999],
                       "indicator": [{"code": "x", "column": "x"}], "overall": {"code": "o"}})
    with pytest.raises(InputError, match=r"^in.csv, column 'x': fewer than two units have a value to rank \(1 of 2\)$"):
        compute_index(spec, df, source="in.csv")


def test_empty_id_log_transform_and_bad_toml_messages(tmp_path):
    spec = parse_spec({"name": "e", "id_column": "id",
                       "indicator": [{"code": "x", "column": "x", "transform": "log"}],
                       "overall": {"code": "o"}})
    df = pd.DataFrame({"id": ["a", " ", "c"], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(InputError, match=r"^in.csv, row 3, column 'id': empty id$"):
        compute_index(spec, df, source="in.csv")
    df = pd.DataFrame({"id": ["a", "b", "c"], "x": [1.0, 0.0, 3.0]})
    with pytest.raises(InputError, match=r"^in.csv, row 3, column 'x': log transform needs values > 0$"):
        compute_index(spec, df, source="in.csv")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "b"\nid_column = \n')
    with pytest.raises(SpecError, match=r"bad.toml: not valid TOML: .*line 2"):
        load_spec(bad)
    with pytest.raises(SpecError, match=r"^nope.toml: spec file not found$"):
        load_spec("nope.toml")


def test_winsorise_and_rank_by():
    # winsorise at the 0.25 / 0.75 quantiles of 0, 1, 2, 3, 100 (numpy linear: 1 and 3)
    df = pd.DataFrame({"id": list("abcde"), "x": [0.0, 1.0, 2.0, 3.0, 100.0],
                       "shown": [5.0, 4.0, 3.0, 2.0, 1.0]})
    spec = parse_spec({"name": "w", "id_column": "id",
                       "indicator": [
                           {"code": "x", "column": "x", "winsorise": [0.25, 0.75],
                            "normalise": {"method": "minmax"}},
                           {"code": "s", "column": "shown", "rank_by": "x"},
                       ],
                       "overall": {"code": "o"}})
    res = compute_index(spec, df)
    assert res.treated["x"].tolist() == [1.0, 1.0, 2.0, 3.0, 3.0]
    assert res.table["x_minmax"].tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    # 's' reports column 'shown' but ranks 'x'
    assert res.raw["s"].tolist() == [5.0, 4.0, 3.0, 2.0, 1.0]
    assert res.table["s_pctl"].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert {"step": "winsorise", "indicator": "x", "quantiles": [0.25, 0.75], "bounds": [1.0, 3.0]} in res.log


def test_inverse_rule_is_chosen_by_name_in_the_spec_and_logged():
    # incomes 10, 20, 20, 30, 40: complement gives the tied pair 0.75, negate 0.5 (by hand in
    # tests/index/test_methods.py)
    df = pd.DataFrame({"id": list("abcde"), "pci": [10.0, 20.0, 20.0, 30.0, 40.0]})

    def build(inverse):
        nm = {"method": "percentile", "decimals": 4}
        if inverse:
            nm["inverse"] = inverse
        return compute_index(parse_spec({
            "name": "t", "id_column": "id",
            "indicator": [{"code": "pci", "column": "pci", "direction": "lower_is_more_need",
                           "normalise": nm}],
            "overall": {"code": "o"}}), df)

    comp = build("complement")
    assert comp.table["pci_pctl"].tolist() == [1.0, 0.75, 0.75, 0.25, 0.0]
    assert build("negate").table["pci_pctl"].tolist() == [1.0, 0.5, 0.5, 0.25, 0.0]
    assert build(None).table["pci_pctl"].tolist() == [1.0, 0.5, 0.5, 0.25, 0.0]  # default: negate
    step = next(s for s in comp.log if s.get("indicator") == "pci")
    assert step["inverse"] == "complement"
    with pytest.raises(SpecError, match="inverse"):
        build("flip")


def test_flags_missing_for_blanks_the_named_units_flags_and_counts():
    df = pd.DataFrame({"id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0], "y": [3.0, 2.0, 1.0]})
    spec = {"name": "t", "id_column": "id", "output_missing": -999, "flags_missing_for": ["c"],
            "defaults": {"flag": {"threshold": 0.9}},
            "indicator": [{"code": "x", "column": "x"}, {"code": "y", "column": "y"}],
            "overall": {"code": "o", "flag_count_column": "F_TOTAL"}}
    t = compute_index(parse_spec(spec), df).table.set_index("id")
    # percentiles: x = 0, 0.5, 1; y = 1, 0.5, 0 -> a flags y, c would flag x but is blanked
    assert t.loc["a", "x_flag"] == 0 and t.loc["a", "y_flag"] == 1 and t.loc["a", "F_TOTAL"] == 1
    assert t.loc["c", "x_flag"] == t.loc["c", "y_flag"] == t.loc["c", "F_TOTAL"] == -999
    assert t.loc["c", "x_pctl"] == 1.0  # the values stay
    spec["flags_missing_for"] = ["zz"]
    with pytest.raises(SpecError, match="'zz' is not a unit"):
        compute_index(parse_spec(spec), df)


def _geo_spec(normalise: dict, **overall) -> dict:
    return {"name": "g", "id_column": "id", "defaults": {"normalise": normalise},
            "indicator": [{"code": "x", "column": "x"}, {"code": "y", "column": "y"}],
            "overall": {"code": "o", "aggregation": "geometric_mean", **overall}}


GEO = pd.DataFrame({"id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0], "y": [30.0, 10.0, 20.0]})


def test_geometric_mean_of_a_minmax_zero_is_an_error_naming_indicator_and_scale():
    # min-max to [0, 100]: x = 0, 50, 100; y = 100, 0, 50. Unit a's x and unit b's y are 0, so
    # their geometric mean would be 0 whatever the other member is.
    spec = parse_spec(_geo_spec({"method": "minmax", "scale": 100}))
    with pytest.raises(SpecError) as e:
        compute_index(spec, GEO, source="in.csv")
    msg = str(e.value)
    assert "overall 'o': geometric_mean of a 0: member 'x' (min-max to [0, 100])" in msg
    assert "is 0 for 1 unit(s) of in.csv (first at row 2)" in msg
    assert 'range = [1, 100]' in msg and 'zeros = "zero"' in msg
    prod = parse_spec(_geo_spec({"method": "minmax"}, aggregation="product"))
    with pytest.raises(SpecError, match=r"product of a 0: member 'x' \(min-max to \[0, 1\]\)"):
        compute_index(prod, GEO)


def test_minmax_to_a_range_and_the_documented_zero_rule_by_hand():
    # range [1, 100]: 1 + 99 u with u = 0, 0.5, 1 -> x = 1, 50.5, 100; y = 100, 1, 50.5
    t = compute_index(parse_spec(_geo_spec({"method": "minmax", "range": [1, 100]})), GEO).table
    assert t["x_minmax"].tolist() == [1.0, 50.5, 100.0]
    assert t["y_minmax"].tolist() == [100.0, 1.0, 50.5]
    np.testing.assert_allclose(t["score"], [10.0, 50.5 ** 0.5, (100 * 50.5) ** 0.5])
    # zeros = "zero": a and b get 0, c the geometric mean of 100 and 50; the log counts them
    res = compute_index(parse_spec(_geo_spec({"method": "minmax", "scale": 100}, zeros="zero")), GEO)
    np.testing.assert_allclose(res.table["score"], [0.0, 0.0, (100 * 50) ** 0.5])
    step = next(s for s in res.log if s["step"] == "zeros")
    assert step == {"step": "zeros", "node": "o", "rule": "zero", "method": "geometric_mean",
                    "units": 2, "by_member": {"x": 1, "y": 1}}
    with pytest.raises(SpecError, match="'range' is only for method"):
        parse_spec(_geo_spec({"method": "zscore", "range": [1, 100]}))
    with pytest.raises(SpecError, match="low < high"):
        parse_spec(_geo_spec({"method": "minmax", "range": [100, 1]}))
    with pytest.raises(SpecError, match="not both"):
        parse_spec(_geo_spec({"method": "minmax", "range": [1, 100], "scale": 100}))


def _tier_spec(tiers: dict) -> dict:
    return {"name": "t", "id_column": "id",
            "indicator": [{"code": "x", "column": "x", "normalise": {"method": "identity"}}],
            "overall": {"code": "o", "aggregation": "mean", "rank_column": "rank", "tiers": tiers}}


def test_tier_summary_counts_cut_scores_and_a_warning_when_ties_make_tiers_unequal():
    # scores 5, 4, 4, 3, 2, 1 -> need ranks 1, 2, 2, 4, 5, 6; 3 tiers over N = 6:
    # floor((r - 1) * 3 / 6) + 1 = 1, 1, 1, 2, 3, 3 -> counts 3, 1, 2 (untied ranks 1..6: 2, 2, 2)
    df = pd.DataFrame({"id": list("abcdef"), "x": [5.0, 4.0, 4.0, 3.0, 2.0, 1.0]})
    ts = compute_index(parse_spec(_tier_spec({"method": "quantile", "n": 3})), df).tier_summary()
    assert ts["counts"] == [3, 1, 2] and ts["untied_counts"] == [2, 2, 2]
    assert ts["tiers"] == [{"tier": "1", "units": 3, "min_score": 4.0, "max_score": 5.0},
                           {"tier": "2", "units": 1, "min_score": 3.0, "max_score": 3.0},
                           {"tier": "3", "units": 2, "min_score": 1.0, "max_score": 2.0}]
    assert ts["cut_scores"] == [4.0, 3.0]
    assert ts["warnings"] == [("tied scores make the quantile tiers unequal: '1' 3, '2' 1, '3' 2 "
                               "units (without ties: 2, 2, 2); tied units share the higher-need tier")]
    # no ties: no warning
    df2 = pd.DataFrame({"id": list("abcdef"), "x": [6.0, 5.0, 4.0, 3.0, 2.0, 1.0]})
    ts2 = compute_index(parse_spec(_tier_spec({"method": "quantile", "n": 3})), df2).tier_summary()
    assert ts2["counts"] == [2, 2, 2] and ts2["warnings"] == [] and ts2["cut_scores"] == [5.0, 3.0]


def test_tier_summary_warns_of_an_empty_tier_for_quantiles_and_cuts():
    # scores 5, 5, 5, 1 in 4 tiers: ranks 1, 1, 1, 4 -> tiers 1, 1, 1, 4; tiers 2 and 3 empty
    df = pd.DataFrame({"id": list("abcd"), "x": [5.0, 5.0, 5.0, 1.0]})
    ts = compute_index(parse_spec(_tier_spec({"method": "quantile", "n": 4})), df).tier_summary()
    assert ts["counts"] == [3, 0, 0, 1]
    assert ts["cut_scores"] == [5.0, None, None]
    assert ts["warnings"][1:] == [
        "tier '2' is empty: every unit tied at its boundary went to a higher-need tier",
        "tier '3' is empty: every unit tied at its boundary went to a higher-need tier"]
    # fixed cuts 2, 3, 4: 5 -> tier 1, 1 -> tier 4; [3, 4) and [2, 3) hold no one
    ts = compute_index(parse_spec(_tier_spec({"method": "cuts", "cuts": [2, 3, 4]})), df).tier_summary()
    assert ts["counts"] == [3, 0, 0, 1] and ts["cut_scores"] == [2.0, 3.0, 4.0]
    assert ts["warnings"] == ["tier '2' is empty: no unit's score falls between its cuts",
                              "tier '3' is empty: no unit's score falls between its cuts"]


def test_empty_tier_reasons_without_ties_and_against_a_reference():
    # 3 untied units in 5 tiers: ranks 1, 2, 3 -> floor((r - 1) * 5 / 3) + 1 = 1, 2, 4
    df = pd.DataFrame({"id": list("abc"), "x": [3.0, 2.0, 1.0]})
    ts = compute_index(parse_spec(_tier_spec({"method": "quantile", "n": 5})), df).tier_summary()
    assert ts["counts"] == [1, 1, 0, 1, 0]
    assert ts["warnings"] == [(f"tier '{k}' is empty: fewer units are ranked (3) than there are "
                               "tiers (5)") for k in (3, 5)]
    # one unit ranked against a reference of four (scores 4, 3, 2, 1): score 4 is rank 1, tier 1
    ref = pd.DataFrame({"id": list("wxyz"), "x": [4.0, 3.0, 2.0, 1.0]})
    one = pd.DataFrame({"id": ["a"], "x": [4.0]})
    ts = compute_index(parse_spec(_tier_spec({"method": "quantile", "n": 2})), one,
                       reference=ref).tier_summary()
    assert ts["counts"] == [1, 0] and ts["untied_counts"] is None
    assert ts["warnings"] == [("tier '2' is empty: no unit of the input falls in it (tiers come "
                               "from the reference population)")]
