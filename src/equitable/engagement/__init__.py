"""Missing students: daily attendance and platform activity -> chronic absence, SB 98
re-engagement triggers, "missing" and "never engaged" students, an outreach queue.

The rules are Ibis expressions run on DuckDB (default) or PySpark; see docs/engagement.md.
The public names are loaded on first use (``equitable --help`` does not import pandas or Ibis).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "ABSENT_STATUSES",
    "PRESENT_STATUSES",
    "STATUSES",
    "EngagementResult",
    "EngagementRules",
    "compute_engagement",
    "list_rule_presets",
    "load_rules",
    "reasons_text",
    "run_engagement",
]

_WHERE = {
    "ABSENT_STATUSES": "equitable.engagement._io",
    "PRESENT_STATUSES": "equitable.engagement._io",
    "STATUSES": "equitable.engagement._io",
    "EngagementResult": "equitable.engagement._pipeline",
    "EngagementRules": "equitable.engagement._rules_spec",
    "list_rule_presets": "equitable.engagement._rules_spec",
    "load_rules": "equitable.engagement._rules_spec",
    "compute_engagement": "equitable.engagement._pipeline",
    "reasons_text": "equitable.engagement._reasons",
    "run_engagement": "equitable.engagement._pipeline",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from equitable.engagement._io import ABSENT_STATUSES, PRESENT_STATUSES, STATUSES
    from equitable.engagement._pipeline import (
        EngagementResult,
        compute_engagement,
        run_engagement,
    )
    from equitable.engagement._reasons import reasons_text
    from equitable.engagement._rules_spec import EngagementRules, list_rule_presets, load_rules


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'equitable.engagement' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
