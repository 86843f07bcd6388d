"""Worked examples of the allocation engine, each right answer computed by hand in the test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitable.allocate import allocate, parse_rule
from equitable.errors import InputError, SpecError


def schools(**cols):
    n = len(next(iter(cols.values())))
    data = {"cds_code": [f"1964733000000{i}" for i in range(n)]}
    data.update(cols)
    return pd.DataFrame(data)


def cents(result):
    return result.table["amount_cents"].tolist()


def test_tier_rates_solved_by_hand():
    # weights 1.5 / 1.0 / 0.5; enrollments 200 / 300 / 500; budget $10,000 = 1,000,000 cents.
    # weighted pupils: 1.5*200 + 1*300 + 0.5*500 = 850; lambda = 1,000,000 / 850 = 1176.470588..
    # quotas: 352941.176, 352941.176, 294117.647 -> floors 352941, 352941, 294117 (999,999);
    # the one cent left goes to the largest remainder (.647, school 3).
    df = schools(enrollment=[200, 300, 500], tier=["1 Highest", "2 High", "3 Low"])
    rule = parse_rule({"kind": "tier_rates", "budget": 10_000,
                       "weights": {"1 Highest": 1.5, "2 High": 1.0, "3 Low": 0.5}})
    r = allocate(df, rule)
    assert cents(r) == [352941, 352941, 294118]
    assert r.total_cents == 1_000_000
    assert r.rates["1 Highest"] == pytest.approx(1.5 * 10_000 / 850)
    assert r.rates["3 Low"] == pytest.approx(0.5 * 10_000 / 850)
    assert r.table["bound"].tolist() == ["none"] * 3
    assert r.table["amount_cents"].dtype == "int64"


def test_budget_in_dollars_and_cents_is_exact():
    rule = parse_rule({"kind": "tier_rates", "budget": 0.3, "weights": {"a": 1}})
    assert rule.budget_cents == 30  # 0.1 + 0.2 style float noise never leaks in
    rule = parse_rule({"kind": "tier_rates", "budget": "700,000,000", "weights": {"a": 1}})
    assert rule.budget_cents == 70_000_000_000


def test_fixed_rates_cost_the_budget():
    df = schools(enrollment=[10, 20], tier=["1", "2"])
    r = allocate(df, parse_rule({"kind": "tier_rates", "solve": False,
                                 "rates": {"1": 100, "2": 50.25}}))
    assert cents(r) == [100_000, 100_500]  # 10 x $100; 20 x $50.25
    assert r.total_cents == 200_500
    with pytest.raises(SpecError) as e:
        allocate(df, parse_rule({"kind": "tier_rates", "budget": 2500,
                                 "rates": {"1": 100, "2": 50}}), source="s.csv")
    assert str(e.value) == (
        "rule key 'budget': the fixed [rates] cost $2,000.00 for these schools but the budget "
        "is $2,500.00; drop 'budget' or give relative [weights] with solve = true")


def test_proportional_lcff_style_supplemental_weight():
    # per-pupil weight 1 + 0.2 x unduplicated share: 100 x 1.1 = 110, 200 x 1.2 = 240,
    # 100 x 1.0 = 100; total 450 weighted pupils; $4,500 -> $10 each -> $1,100 / $2,400 / $1,000
    df = schools(enrollment=[100, 200, 100], unduplicated_pupil_pct=[50, 100, 0])
    rule = parse_rule({"kind": "proportional", "budget": 4500,
                       "need_column": "unduplicated_pupil_pct", "need_scale": "percent",
                       "base_weight": 1, "need_weight": 0.2})
    assert cents(allocate(df, rule)) == [110_000, 240_000, 100_000]


def test_floors_and_caps_respread_until_the_total_is_met():
    # scores 1,2,3,14 x 100 pupils; $1,000 -> ideal $50, $100, $150, $700.
    # cap $400 holds school 4; $600 left over scores 1,2,3 -> $100, $200, $300.
    # floor $120 lifts school 1; $480 left over scores 2,3 -> $192, $288 (both within bounds).
    df = schools(enrollment=[100] * 4, score=[1, 2, 3, 14])
    rule = parse_rule({"kind": "proportional", "budget": 1000, "need_column": "score",
                       "bounds": {"floor": 120, "cap": 400}})
    r = allocate(df, rule)
    assert cents(r) == [12_000, 19_200, 28_800, 40_000]
    assert r.table["bound"].tolist() == ["floor", "none", "none", "cap"]


def test_hold_harmless_against_prior_year():
    # prior $600, $300, $100; hold-harmless 90% -> lower bounds $540, $270, $90.
    # budget $1,000 by enrollment 100/100/800: ideal $100, $100, $800.
    # schools 1 and 2 are held ($540 + $270 = $810); $190 left to school 3 ($190 >= $90).
    df = schools(enrollment=[100, 100, 800], prior_dollars=[600, 300, 100])
    rule = parse_rule({"kind": "proportional", "budget": 1000, "base_weight": 1,
                       "bounds": {"hold_harmless": {"column": "prior_dollars", "pct": 90}}})
    r = allocate(df, rule)
    assert cents(r) == [54_000, 27_000, 19_000]
    assert r.table["bound"].tolist() == ["hold_harmless", "hold_harmless", "none"]


def test_per_pupil_floor_and_cap():
    # $30 per pupil floor, $60 per pupil cap; 10 pupils each; scores 1, 1, 8; budget $1,200
    # ideal $120, $120, $960 -> cap $600 on 3; $600 left over 1,2 -> $300 each (= $30/pupil ok)
    df = schools(enrollment=[10, 10, 10], score=[1, 1, 8])
    rule = parse_rule({"kind": "proportional", "budget": 1200, "need_column": "score",
                       "bounds": {"floor_per_pupil": 30, "cap_per_pupil": 60}})
    r = allocate(df, rule)
    assert cents(r) == [30_000, 30_000, 60_000]


def test_ineligible_schools_get_nothing_and_tiers_filter():
    df = schools(enrollment=[100, 100, 100], tier=["1", "2", "3"])
    rule = parse_rule({"kind": "tier_rates", "budget": 300, "weights": {"1": 2, "2": 1, "3": 1},
                       "eligibility": {"tiers": ["1", "2"]}})
    r = allocate(df, rule)
    # 2:1 between the two eligible schools: $200, $100
    assert cents(r) == [20_000, 10_000, 0]
    assert r.table["eligible"].tolist() == [True, True, False]


def test_lcff_equity_multiplier_thresholds():
    # EC 42238.024: prior-year non-stability rate > 25% AND prior-year SED rate > 70%.
    df = schools(enrollment=[100] * 5,
                 prior_year_nonstability_rate_pct=[30, 25, 30, 26, 40],
                 prior_year_sed_pct=[80, 80, 70, 70.1, 95])
    rule = parse_rule({"kind": "proportional", "budget": 300, "base_weight": 1,
                       "eligibility": {"equity_multiplier": True}})
    r = allocate(df, rule)
    assert r.table["eligible"].tolist() == [True, False, False, True, True]
    assert cents(r) == [10_000, 0, 0, 10_000, 10_000]


def test_include_exclude_and_thresholds():
    df = schools(enrollment=[10, 10, 10, 10], school_type=["ES", "MS", "HS", "ES"],
                 charter=["N", "N", "N", "Y"], frpm_pct=[90, 50, 80, 95])
    rule = parse_rule({"kind": "proportional", "budget": 100, "base_weight": 1,
                       "eligibility": {"include": {"school_type": ["ES", "HS"]},
                                       "exclude": {"charter": ["Y"]},
                                       "thresholds": [{"column": "frpm_pct", "op": ">=",
                                                       "value": 80}]}})
    r = allocate(df, rule)
    assert r.table["eligible"].tolist() == [True, False, True, False]
    assert cents(r) == [5000, 0, 5000, 0]


def test_positions_hamilton_whole_units():
    # 10 counselors by enrollment 5,310 / 3,290 / 1,400 (total 10,000): quotas 5.31, 3.29, 1.40;
    # floors 5, 3, 1 (9); the last position goes to the largest remainder (.40) -> 5, 3, 2.
    df = schools(enrollment=[5310, 3290, 1400])
    rule = parse_rule({"kind": "proportional", "positions": 10, "base_weight": 1})
    r = allocate(df, rule)
    assert r.table["fte_units"].tolist() == [5, 3, 2]
    assert r.total_fte == 10


def test_positions_hamilton_half_units():
    # 10 FTE in halves = 20 units: quotas 10.62, 6.58, 2.80 -> floors 10, 6, 2 (18);
    # 2 units left: remainders .80 (school 3) and .62 (school 1) -> 11, 6, 3 = 5.5, 3.0, 1.5 FTE
    df = schools(enrollment=[5310, 3290, 1400])
    rule = parse_rule({"kind": "proportional", "positions": 10, "fte_unit": 0.5,
                       "base_weight": 1})
    r = allocate(df, rule)
    assert r.table["fte"].tolist() == [5.5, 3.0, 1.5]


def test_positions_with_floor_of_one_counselor():
    # 6 FTE, floor 1 FTE per school; enrollment 800/100/100: quotas 4.8/0.6/0.6 ->
    # schools 2, 3 held at 1; 4 left to school 1.
    df = schools(enrollment=[800, 100, 100])
    rule = parse_rule({"kind": "proportional", "positions": 6, "base_weight": 1,
                       "bounds": {"floor": 1}})
    assert allocate(df, rule).table["fte_units"].tolist() == [4, 1, 1]


def test_ties_are_broken_by_id_not_row_order():
    df = schools(enrollment=[1, 1, 1])
    rule = parse_rule({"kind": "proportional", "budget": 0.02, "base_weight": 1})
    a = allocate(df, rule).table.set_index("cds_code")["amount_cents"]
    b = allocate(df.iloc[::-1], rule).table.set_index("cds_code")["amount_cents"]
    assert a.tolist() == [1, 1, 0]
    assert a.to_dict() == b.to_dict()


def test_numeric_tier_labels_match_weights():
    df = schools(enrollment=[100, 100], tier=[1.0, 2.0])
    r = allocate(df, parse_rule({"kind": "tier_rates", "budget": 3, "weights": {"1": 2, "2": 1}}))
    assert cents(r) == [200, 100]


# ---- errors ----------------------------------------------------------------------------------

def err(exc_type, df, data, source="schools.csv", rule_source="rule.toml"):
    with pytest.raises(exc_type) as e:
        allocate(df, parse_rule(data, source=rule_source), source=source)
    return str(e.value)


def test_error_negative_budget():
    with pytest.raises(SpecError) as e:
        parse_rule({"kind": "tier_rates", "budget": -5, "weights": {"1": 1}}, source="rule.toml")
    assert str(e.value) == ("rule.toml: key 'budget': budget must be a positive number of "
                            "dollars, got -5")


def test_error_budget_not_a_number_and_unknown_key():
    with pytest.raises(SpecError) as e:
        parse_rule({"kind": "tier_rates", "budget": "lots", "weights": {"1": 1}, "bugdet": 1},
                   source="rule.toml")
    assert str(e.value) == ("rule.toml: key 'budget': budget must be a number, got 'lots'; "
                            "key 'bugdet': unknown key")


def test_error_fraction_of_a_cent():
    with pytest.raises(SpecError, match="fraction of a cent"):
        parse_rule({"kind": "tier_rates", "budget": 10.005, "weights": {"1": 1}})


def test_error_missing_or_unknown_kind():
    with pytest.raises(SpecError) as e:
        parse_rule({"budget": 5}, source="r.toml")
    assert str(e.value) == ("r.toml: key 'kind': is missing; expected one of 'tier_rates', "
                            "'proportional'")
    with pytest.raises(SpecError) as e:
        parse_rule({"kind": "lottery", "budget": 5}, source="r.toml")
    assert str(e.value) == ("r.toml: key 'kind': 'lottery' is not a rule kind; expected one of "
                            "'tier_rates', 'proportional'")


def test_error_tier_with_no_schools():
    df = schools(enrollment=[1, 1], tier=["1", "2"])
    msg = err(SpecError, df, {"kind": "tier_rates", "budget": 9,
                              "weights": {"1": 1, "2": 1, "3": 1}})
    assert msg == ("rule key 'weights': tier '3' has no schools in schools.csv "
                   "(tiers present: '1', '2')")


def test_error_missing_weight_for_a_tier():
    df = schools(enrollment=[1, 1], tier=["1", "2"])
    msg = err(SpecError, df, {"kind": "tier_rates", "budget": 9, "weights": {"1": 1}})
    assert msg == ("rule key 'weights': no weight for tier '2' (found in column 'tier' of "
                   "schools.csv)")


def test_error_unknown_column():
    df = schools(enrollment=[1, 1], tier=["1", "2"])
    msg = err(SpecError, df, {"kind": "proportional", "budget": 9, "need_column": "scroe"})
    assert msg == ("rule key 'need_column': column 'scroe' not found in schools.csv "
                   "(columns: cds_code, enrollment, tier)")


def test_error_infeasible_floors():
    df = schools(enrollment=[1, 1, 1])
    msg = err(SpecError, df, {"kind": "proportional", "budget": 100, "base_weight": 1,
                              "bounds": {"floor": 40}})
    assert msg == ("rule key 'bounds': infeasible: the floors and hold-harmless amounts of the "
                   "eligible schools add up to $120.00, more than the budget of $100.00")


def test_error_infeasible_caps():
    df = schools(enrollment=[1, 1, 1])
    msg = err(SpecError, df, {"kind": "proportional", "budget": 100, "base_weight": 1,
                              "bounds": {"cap": 30}})
    assert msg == ("rule key 'bounds': infeasible: the caps allow at most $90.00 for the "
                   "eligible schools, less than the budget of $100.00")


def test_error_floor_above_cap():
    df = schools(enrollment=[1, 1], prior=[1000, 0])
    msg = err(SpecError, df, {"kind": "proportional", "budget": 100, "base_weight": 1,
                              "bounds": {"cap": 60, "hold_harmless": {"column": "prior",
                                                                      "pct": 50}}})
    assert msg == ("schools.csv, row 2: the school's lower bound (hold_harmless) $500.00 is above "
                   "its cap $60.00 (1 schools); the bounds are infeasible")


def test_error_bad_enrollment_names_row_and_column():
    df = schools(enrollment=["10", "ten", "5"])
    msg = err(InputError, df, {"kind": "proportional", "budget": 9, "base_weight": 1})
    assert msg == "schools.csv, row 3, column 'enrollment': 'ten' is not a number"
    df = schools(enrollment=[10, None, 5])
    msg = err(InputError, df, {"kind": "proportional", "budget": 9, "base_weight": 1})
    assert msg == "schools.csv, row 3, column 'enrollment': value is missing"
    df = schools(enrollment=[10, -1, 5])
    msg = err(InputError, df, {"kind": "proportional", "budget": 9, "base_weight": 1})
    assert msg == "schools.csv, row 3, column 'enrollment': enrollment is negative (-1)"


def test_error_duplicate_id():
    df = pd.DataFrame({"cds_code": ["1", "2", "1"], "enrollment": [1, 1, 1]})
    msg = err(InputError, df, {"kind": "proportional", "budget": 9, "base_weight": 1})
    assert msg == ("schools.csv, row 4, column 'cds_code': duplicate school id "
                   "(1 ids appear more than once)")


def test_error_missing_need_value_or_opt_out():
    df = schools(enrollment=[1, 1, 1], score=[1, None, 2])
    msg = err(InputError, df, {"kind": "proportional", "budget": 9, "need_column": "score"})
    assert msg == ("schools.csv, row 3, column 'score': need value is missing (1 eligible "
                   "schools); set missing_need = \"ineligible\" to leave such schools out")
    r = allocate(df, parse_rule({"kind": "proportional", "budget": 9, "need_column": "score",
                                 "missing_need": "ineligible"}))
    assert cents(r) == [300, 0, 600]
    assert r.notes == ["1 schools lack 'score' and are not eligible"]


def test_error_weights_and_rates_together():
    with pytest.raises(SpecError, match="either \\[weights\\]"):
        parse_rule({"kind": "tier_rates", "budget": 1, "weights": {"1": 1}, "rates": {"1": 1}})
    with pytest.raises(SpecError, match="every tier weight is 0"):
        parse_rule({"kind": "tier_rates", "budget": 1, "weights": {"1": 0}})


def test_zero_weight_schools_hold_their_floor_and_the_rest_is_respread():
    # 14 schools with no pupils get only the 1-cent floor (14 cents); the 8 cents left go to
    # enrollments 3 and 4 in proportion: quotas 24/7 = 3.43 and 32/7 = 4.57 -> 3 and 4 (7), the
    # last cent to the larger remainder (.57) -> 3 and 5.
    df = schools(enrollment=[0] * 14 + [3, 4], tier=["1"] * 16)
    r = allocate(df, parse_rule({"kind": "tier_rates", "budget": 0.22, "weights": {"1": 1},
                                 "bounds": {"floor": 0.01}}))
    assert cents(r) == [1] * 14 + [3, 5]


def _three_tied(**rule):
    # $1.00 over three schools of 1 pupil each in one tier: quotas 33 1/3 cents each, so one cent
    # is left over and the three remainders (1/3) tie exactly
    df = pd.DataFrame({"cds_code": ["c", "a", "b"], "enrollment": [1, 1, 1], "tier": ["1"] * 3,
                       "score": [1.0, 2.0, 3.0]})
    return allocate(df, parse_rule({"kind": "tier_rates", "budget": 1.00, "weights": {"1": 1},
                                    **rule}))


def test_an_exact_remainder_tie_is_reported_with_the_rule_used():
    res = _three_tied()
    assert res.table["amount_cents"].tolist() == [33, 34, 33]  # 'a' first by id
    (tie,) = res.remainder_ties
    assert tie["schools"] == ["c", "a", "b"] and tie["given"] == ["a"] and tie["rule"] == "id"
    assert tie["remainder"] == pytest.approx(1 / 3)
    assert res.notes == [("largest remainder: 3 schools had exactly equal remainders (0.333333 of "
                          "a cent); 1 of them got the extra cent by the tie-break rule 'id' "
                          "(ascending id): a")]


def test_tie_break_by_need_score_is_a_rule_option():
    res = _three_tied(tie_break="need", tie_break_column="score")
    assert res.table["amount_cents"].tolist() == [33, 33, 34]  # 'b' has the highest score, 3
    assert res.remainder_ties[0]["given"] == ["b"] and res.remainder_ties[0]["rule"] == "need"
    assert "tie-break rule 'need' (higher need score first, then ascending id, 'score'): b" \
        in res.notes[0]
    with pytest.raises(SpecError, match="tie_break_column"):
        parse_rule({"kind": "tier_rates", "budget": 1, "weights": {"1": 1}, "tie_break": "need"})


def test_no_note_when_no_tie_decides_a_unit():
    # quotas 25, 25, 50 cents: exact, nothing left over
    df = pd.DataFrame({"cds_code": ["a", "b", "c"], "enrollment": [1, 1, 2], "tier": ["1"] * 3})
    res = allocate(df, parse_rule({"kind": "tier_rates", "budget": 1.00, "weights": {"1": 1}}))
    assert res.table["amount_cents"].tolist() == [25, 25, 50]
    assert res.remainder_ties == [] and res.notes == []
    # remainders 0.5, 0.5, 0.2, 0.2 with 2 units left: both 0.5s get one, the tie decides nothing
    from equitable.allocate._solve import largest_remainder

    ties: list[dict] = []
    q = np.array([10.5, 10.5, 10.2, 10.2])
    inf = np.full(4, np.inf)
    got = largest_remainder(q, 42, np.zeros(4), inf, np.arange(4), ties)
    assert got.tolist() == [11, 11, 10, 10] and ties == []
    got = largest_remainder(q, 43, np.zeros(4), inf, np.arange(4), ties)  # 3 units: one 0.2 of two
    assert got.tolist() == [11, 11, 11, 10]
    assert ties == [{"remainder": pytest.approx(0.2), "tied": [2, 3], "given": [2]}]
