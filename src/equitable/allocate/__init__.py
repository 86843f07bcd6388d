"""Need-based allocation of money and staff positions, exact to the cent (see docs/allocate.md).

Public API
----------
parse_rule(data, *, source="<rule>") -> AllocationRule
load_rule(path) -> AllocationRule          (the file's [allocation] table, else the whole file)
allocate(schools, rule, *, source=None) -> AllocationResult
lcff_entitlement(ada, upp_pct, year) -> LcffEntitlement   (rates: lcff_rates/<year>.toml)
equity_metrics(table, need_column=..., spending_column=...) -> EquityMetrics
compare(scenarios, ...) -> Comparison; compare_files(configs, out_dir, ...)   (equitable compare)
"""

from equitable.allocate._compare import Comparison, compare, compare_files, load_scenario
from equitable.allocate._engine import AllocationResult, allocate
from equitable.allocate._lcff import (
    LcffEntitlement,
    LcffRates,
    lcff_entitlement,
    lcff_rates,
    lcff_years,
)
from equitable.allocate._metrics import (
    EquityMetrics,
    concentration_curve,
    concentration_index,
    equity_metrics,
    spending_gap,
)
from equitable.allocate._rules import (
    AllocationRule,
    Bounds,
    Eligibility,
    EquityMultiplier,
    HoldHarmless,
    ProportionalRule,
    Threshold,
    TierRatesRule,
    dollars_to_cents,
    load_rule,
    parse_rule,
)

__all__ = [
    "AllocationResult",
    "AllocationRule",
    "Bounds",
    "Comparison",
    "Eligibility",
    "EquityMetrics",
    "EquityMultiplier",
    "HoldHarmless",
    "LcffEntitlement",
    "LcffRates",
    "ProportionalRule",
    "Threshold",
    "TierRatesRule",
    "allocate",
    "compare",
    "compare_files",
    "concentration_curve",
    "concentration_index",
    "dollars_to_cents",
    "equity_metrics",
    "lcff_entitlement",
    "lcff_rates",
    "lcff_years",
    "load_rule",
    "load_scenario",
    "parse_rule",
    "spending_gap",
]
