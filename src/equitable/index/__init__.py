"""Composite need indices: a declarative spec (TOML) -> normalise -> aggregate -> rank -> tiers.

Reproduces CDC/ATSDR's Social Vulnerability Index (2018, 2020, 2022) and OEHHA's CalEnviroScreen
4.0 to the published figure, and builds any index of the same shape (e.g. a SENI-style school
index). See docs/index.md.

>>> from equitable.index import load_spec, list_presets
>>> "svi-2022" in list_presets()
True
>>> load_spec("svi-2022").overall.score_column
'SPL_THEMES'
"""

from equitable.index._engine import IndexResult, compute_index
from equitable.index._explain import explain
from equitable.index._io import read_table, write_table
from equitable.index._methods import aggregate, percentile_rank
from equitable.index._spec import (
    IndexSpec,
    Indicator,
    Node,
    Normalise,
    Tiers,
    list_presets,
    load_spec,
    parse_spec,
)

__all__ = [
    "AuditReport",
    "IndexResult",
    "SensitivityResult",
    "audit_published",
    "sensitivity",
    "IndexSpec",
    "Indicator",
    "Node",
    "Normalise",
    "Tiers",
    "aggregate",
    "compute_index",
    "explain",
    "list_presets",
    "load_spec",
    "parse_spec",
    "percentile_rank",
    "read_table",
    "write_table",
]

_LAZY = {
    "sensitivity": "equitable.index._sensitivity",
    "SensitivityResult": "equitable.index._sensitivity",
    "audit_published": "equitable.index._audit",
    "AuditReport": "equitable.index._audit",
}


def __getattr__(name: str):
    # sensitivity analysis and the audit load SALib/scipy: import them only when asked for
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'equitable.index' has no attribute {name!r}")
