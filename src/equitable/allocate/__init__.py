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

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
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

# The submodules load on first use (PEP 562), so `equitable --help` does not pay for the
# heavy libraries they import.

from equitable._lazy import lazy_exports

_LAZY = {
    "Comparison": "equitable.allocate._compare",
    "compare": "equitable.allocate._compare",
    "compare_files": "equitable.allocate._compare",
    "load_scenario": "equitable.allocate._compare",
    "AllocationResult": "equitable.allocate._engine",
    "allocate": "equitable.allocate._engine",
    "LcffEntitlement": "equitable.allocate._lcff",
    "LcffRates": "equitable.allocate._lcff",
    "lcff_entitlement": "equitable.allocate._lcff",
    "lcff_rates": "equitable.allocate._lcff",
    "lcff_years": "equitable.allocate._lcff",
    "EquityMetrics": "equitable.allocate._metrics",
    "concentration_curve": "equitable.allocate._metrics",
    "concentration_index": "equitable.allocate._metrics",
    "equity_metrics": "equitable.allocate._metrics",
    "spending_gap": "equitable.allocate._metrics",
    "AllocationRule": "equitable.allocate._rules",
    "Bounds": "equitable.allocate._rules",
    "Eligibility": "equitable.allocate._rules",
    "EquityMultiplier": "equitable.allocate._rules",
    "HoldHarmless": "equitable.allocate._rules",
    "ProportionalRule": "equitable.allocate._rules",
    "Threshold": "equitable.allocate._rules",
    "TierRatesRule": "equitable.allocate._rules",
    "dollars_to_cents": "equitable.allocate._rules",
    "load_rule": "equitable.allocate._rules",
    "parse_rule": "equitable.allocate._rules",
}

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


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
