"""Issue 19, item 2: each allocation rule kind owns its behaviour (the RuleKind protocol), and a
positions rule's per-pupil column says what it holds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from equitable.allocate import allocate, parse_rule
from equitable.allocate._io import result_frame
from equitable.allocate._rules import ProportionalRule, PupilWeights, RuleKind, TierRatesRule


def _schools(enrollment):
    return pd.DataFrame({"cds_code": [f"1964733000000{i}" for i in range(len(enrollment))],
                         "enrollment": enrollment, "tier": ["1", "2", "2"][: len(enrollment)]})


def test_every_rule_kind_implements_the_protocol():
    for kind in (TierRatesRule, ProportionalRule):
        for name in ("pupil_weights", "units_to_distribute", "rates_per_pupil"):
            assert callable(getattr(kind, name)), (kind, name)
            assert name in RuleKind.__dict__


def test_the_engine_asks_the_rule_kind_not_its_type():
    """A kind that gives every eligible school the same amount whatever its enrollment: the
    engine must use the kind's own weights (the old engine chose the formula by isinstance and
    would pay $600 / $300 / $100 by enrollment)."""

    class EqualShares(ProportionalRule):
        def pupil_weights(self, table, eligible, notes):
            enr = table.numeric(self.enrollment_column)
            return PupilWeights(per_pupil=np.where(eligible, 1.0 / enr, 0.0), eligible=eligible)

    rule = EqualShares(kind="proportional", budget=1000, base_weight=1)
    r = allocate(_schools([600, 300, 100]), rule)
    assert r.table["amount_cents"].tolist() == [33334, 33333, 33333]  # $1,000 / 3, largest remainder
    assert r.table["amount_cents"].sum() == 100000


def test_tier_rates_are_the_kinds_own():
    # weights 2 and 1, 100 + 200 + 100 pupils: lambda x (2 x 100 + 1 x 300) = $5,000 -> $10 / $5
    rule = parse_rule({"kind": "tier_rates", "budget": 5000, "weights": {"1": 2, "2": 1}})
    r = allocate(_schools([100, 200, 100]), rule)
    assert r.rates == {"1": 20.0, "2": 10.0}
    assert r.table["amount_cents"].tolist() == [200000, 200000, 100000]
    assert rule.rates_per_pupil(r.scale) == r.rates
    assert parse_rule({"kind": "proportional", "budget": 5000, "base_weight": 1}).rates_per_pupil(1.0) == {}


def test_positions_rule_names_its_per_pupil_column_for_fte():
    # 3 counselors by enrollment 600 / 300 / 100: 2 FTE / 600 pupils, 1 / 300, 0 / 100
    rule = parse_rule({"kind": "proportional", "positions": 3, "base_weight": 1})
    r = allocate(_schools([600, 300, 100]), rule)
    assert r.table["fte_units"].tolist() == [2, 1, 0]
    assert "per_pupil_dollars" not in r.table.columns
    assert r.table["fte_per_pupil"].tolist() == [2 / 600, 1 / 300, 0.0]
    # written unrounded: rounded to cents, 0.0033 FTE per pupil would read 0.0
    out = result_frame(r)
    assert out["fte_per_pupil"].tolist() == [2 / 600, 1 / 300, 0.0]
    assert "amount_dollars" not in out.columns


def test_money_rule_keeps_dollars_per_pupil_rounded_to_cents():
    rule = parse_rule({"kind": "proportional", "budget": 1000, "base_weight": 1})
    out = result_frame(allocate(_schools([600, 300, 100]), rule))
    # $1,000 x 600 / 1,000 = $600 for 600 pupils = $1.00; 300 -> $1.00; 100 -> $1.00
    assert out["per_pupil_dollars"].tolist() == [1.0, 1.0, 1.0]
    assert "fte_per_pupil" not in out.columns
