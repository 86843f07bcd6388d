"""Property-based tests: every rule adds up to the budget to the cent, respects every bound and
never pays an ineligible school (hypothesis)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from equitable.allocate import allocate, parse_rule
from equitable.errors import SpecError

TIERS = ["1 Highest", "2 High", "3 Moderate", "4 Low", "5 Lowest"]


@st.composite
def cases(draw):
    n = draw(st.integers(1, 30))
    enrollment = draw(st.lists(st.integers(0, 3000), min_size=n, max_size=n))
    tier = draw(st.lists(st.sampled_from(TIERS), min_size=n, max_size=n))
    score = draw(st.lists(st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 2)),
                          min_size=n, max_size=n))
    flag = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    budget_cents = draw(st.integers(1, 100_000_000))
    prior_cents = draw(st.lists(st.integers(0, 2 * budget_cents // n + 1), min_size=n,
                                max_size=n))
    df = pd.DataFrame({
        "cds_code": [f"{i:014d}" for i in draw(st.permutations(range(n)))],
        "enrollment": enrollment, "tier": tier, "score": score,
        "flag": ["y" if f else "n" for f in flag],
        "prior": [c / 100 for c in prior_cents],
    })
    kind = draw(st.sampled_from(["tier_rates", "proportional", "positions"]))
    rule: dict = {"kind": "proportional" if kind == "positions" else kind}
    if kind == "positions":
        rule["positions"] = draw(st.integers(1, 200))
        rule["fte_unit"] = draw(st.sampled_from([1, 0.5]))
        rule["base_weight"] = 1.0
    else:
        rule["budget"] = budget_cents / 100
    if kind == "tier_rates":
        rule["weights"] = {t: draw(st.floats(0.01, 5)) for t in sorted(set(tier))}
    elif kind == "proportional":
        rule["need_column"] = "score"
        rule["base_weight"] = draw(st.sampled_from([0.0, 1.0]))
        rule["need_weight"] = draw(st.integers(0, 200)) / 100
        if rule["base_weight"] == 0 and rule["need_weight"] == 0:
            rule["need_weight"] = 1.0
    if draw(st.booleans()):
        rule["eligibility"] = {"include": {"flag": ["y"]}}
    bounds: dict = {}
    scale = 1 if kind == "positions" else 100
    if draw(st.booleans()):
        bounds["floor"] = draw(st.integers(0, 10)) / 2 if kind == "positions" else \
            draw(st.integers(0, budget_cents // n)) / 100
    if draw(st.booleans()):
        bounds["cap"] = draw(st.integers(0, 400)) / 2 if kind == "positions" else \
            draw(st.integers(budget_cents // (2 * n), 4 * budget_cents // n + 1)) / 100
    if kind != "positions" and draw(st.booleans()):
        bounds["hold_harmless"] = {"column": "prior", "pct": draw(st.integers(1, 100))}
    if bounds:
        rule["bounds"] = bounds
    del scale
    return df, rule


def expected_bounds(df, rule, eligible):
    """Each school's bounds in integer units, computed here independently of the engine."""
    unit = 1 / rule.get("fte_unit", 1) if "positions" in rule else 100
    lower, upper = [], []
    b = rule.get("bounds", {})
    for i, row in df.iterrows():
        if not eligible[i]:
            lower.append(0)
            upper.append(0)
            continue
        lo = 0
        if "floor" in b:
            lo = max(lo, -(-round(b["floor"] * unit * 1000) // 1000))
        if "hold_harmless" in b:
            prior_cents = round(row["prior"] * 100)
            lo = max(lo, -(-prior_cents * b["hold_harmless"]["pct"] // 100))
        lower.append(lo)
        upper.append(math.floor(b["cap"] * unit + 1e-9) if "cap" in b else None)
    return lower, upper


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_any_rule_adds_up_respects_bounds_and_eligibility(case):
    df, data = case
    rule = parse_rule(data)
    eligible = [f == "y" for f in df["flag"]] if "eligibility" in data else [True] * len(df)
    lower, upper = expected_bounds(df, data, eligible)
    total = rule.total_units
    try:
        result = allocate(df, rule)
    except SpecError as exc:
        event("refused")
        # only an honest infeasibility (or nothing to pay) may be refused
        msg = str(exc)
        weights = result_weights(df, data, eligible)
        reach = sum(lo for lo, w in zip(lower, weights) if w == 0) + sum(
            (float("inf") if up is None else up) for up, w, e in zip(upper, weights, eligible)
            if w > 0 and e)
        if "floors and hold-harmless" in msg:
            assert sum(lower) > total
        elif "caps allow at most" in msg:
            assert reach < total
        elif "above its cap" in msg:
            assert any(up is not None and lo > up for lo, up in zip(lower, upper))
        else:
            assert "no eligible school has a positive weight" in msg
            assert not any(w > 0 for w in weights)
        return
    event("allocated" + (" with a bound holding" if (result.table["bound"] != "none").any()
                         else ""))
    col = result.amount_column
    amounts = result.table[col].tolist()
    assert sum(amounts) == total
    assert result.total_units == total
    for a, lo, up, e in zip(amounts, lower, upper, eligible):
        if not e:
            assert a == 0
        assert a >= lo
        if up is not None:
            assert a <= up
    assert result.table["eligible"].tolist() == eligible
    check_respread(amounts, result_weights(df, data, eligible), lower, upper)


def check_respread(amounts, weights, lower, upper):
    """The water-filling optimality conditions, up to one unit of rounding per school: every
    school no bound holds gets the same amount per unit of weight r; a school held at its lower
    bound would get less at r (L_i / w_i >= r); a school held at its cap would get more
    (U_i / w_i <= r)."""
    free, at_lo, at_hi = [], [], []
    wmax = max(weights, default=0)
    for a, w, lo, up in zip(amounts, weights, lower, upper):
        if w <= 1e-15 * wmax:  # the engine treats such weights as 0
            continue
        if up is not None and lo >= up:
            continue  # lower == upper: fixed (neither held at a floor nor at a cap)
        if up is not None and a >= up:
            at_hi.append((a, w))
        elif a <= lo and lo > 0:
            at_lo.append((a, w))
        else:
            free.append((a, w))
    if not free:
        return
    rates = [a / w for a, w in free]
    tol = max(2.0 / w for _, w in free)
    r_lo, r_hi = min(rates), max(rates)
    assert r_hi - r_lo <= tol + 1e-9
    for a, w in at_lo:
        assert a / w >= r_lo - tol - 2.0 / w
    for a, w in at_hi:
        assert a / w <= r_hi + tol + 2.0 / w


def result_weights(df, data, eligible):
    out = []
    for i, row in df.iterrows():
        if not eligible[i]:
            out.append(0.0)
        elif data["kind"] == "tier_rates":
            out.append(row["enrollment"] * data["weights"][row["tier"]])
        elif "need_column" in data:
            v = data["base_weight"] + data["need_weight"] * row["score"]
            out.append(row["enrollment"] * v)
        else:
            out.append(row["enrollment"] * data["base_weight"])
    return out


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 5000), min_size=1, max_size=40), st.integers(1, 10**9))
def test_without_bounds_every_amount_is_within_one_cent_of_its_quota(enrollment, budget_cents):
    # Hamilton's method satisfies quota: floor(q_i) <= a_i <= ceil(q_i) (Balinski & Young, ch. 2)
    df = pd.DataFrame({"cds_code": [str(i) for i in range(len(enrollment))],
                       "enrollment": enrollment})
    r = allocate(df, parse_rule({"kind": "proportional", "budget": budget_cents / 100,
                                 "base_weight": 1}))
    tot = sum(enrollment)
    for a, e in zip(r.table["amount_cents"], enrollment):
        lo = budget_cents * e // tot
        assert lo <= a <= lo + 1
    assert r.total_cents == budget_cents


@pytest.mark.parametrize("n", [1, 2, 7])
def test_single_eligible_school_gets_everything(n):
    df = pd.DataFrame({"cds_code": [str(i) for i in range(n)], "enrollment": [10] * n,
                       "flag": ["y"] + ["n"] * (n - 1)})
    r = allocate(df, parse_rule({"kind": "proportional", "budget": 123.45, "base_weight": 1,
                                 "eligibility": {"include": {"flag": ["y"]}}}))
    assert r.table["amount_cents"].tolist() == [12345] + [0] * (n - 1)


def test_a_budget_every_cap_just_meets_is_spread_by_weight():
    """Found by hypothesis: 17 schools with pupils (twelve of 1, then 2, 4, 8, 9, 4), each capped
    at 10 cents, two schools without pupils held harmless at 4 and 10 cents, and four without
    pupils or prior amount, sharing $1.84. The caps of the schools with pupils add up to exactly
    what is left after hold-harmless (184 - 14 = 170), so each gets its cap of 10 cents and the
    schools without pupils get nothing. The float sums of the scale solve left a slope of ~1e-16
    past the last breakpoint and the engine split the money equally (8 and 7 cents to every
    school, pupils or not)."""
    enrollment = [0] * 4 + [1] * 12 + [2, 4, 8, 9, 4, 0, 0]
    prior = [0.0] * 21 + [0.06, 0.17]
    df = pd.DataFrame({"cds_code": [f"{i:014d}" for i in range(23)], "enrollment": enrollment,
                       "tier": "1 Highest", "prior": prior})
    rule = parse_rule({"kind": "tier_rates", "budget": 1.84, "weights": {"1 Highest": 1.0},
                       "bounds": {"cap": 0.1, "hold_harmless": {"column": "prior", "pct": 53}}})
    got = allocate(df, rule).table["amount_cents"].tolist()
    # hold-harmless: ceil(6 x 0.53) = 4 and ceil(17 x 0.53) = 10 cents
    assert got == [0] * 4 + [10] * 17 + [4, 10]
