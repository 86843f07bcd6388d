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

from __future__ import annotations

#: Public name -> the module defining it. Imported on first use, so ``import equitable.index``
#: (and ``equitable --help``) does not load pandas, scipy or SALib.
from equitable._lazy import lazy_exports

_WHERE = {
    "BuildLog": "equitable.index._engine",
    "IndexResult": "equitable.index._engine",
    "compute_index": "equitable.index._engine",
    "replay": "equitable.index._engine",
    "NORMALISERS": "equitable.index._parts",
    "AGGREGATORS": "equitable.index._parts",
    "explain": "equitable.index._explain",
    "read_table": "equitable.files",
    "write_table": "equitable.files",
    "aggregate": "equitable.index._methods",
    "percentile_rank": "equitable.index._methods",
    "IndexSpec": "equitable.index._spec",
    "Indicator": "equitable.index._spec",
    "Node": "equitable.index._spec",
    "Normalise": "equitable.index._spec",
    "Tiers": "equitable.index._spec",
    "list_presets": "equitable.index._spec",
    "load_spec": "equitable.index._spec",
    "parse_spec": "equitable.index._spec",
    "sensitivity": "equitable.index._sensitivity",
    "SensitivityResult": "equitable.index._sensitivity",
    "audit_published": "equitable.index._audit",
    "AuditReport": "equitable.index._audit",
    "audit_seni_file": "equitable.index._seni_file",
    "read_lausd_seni": "equitable.index._seni_file",
    "SeniAudit": "equitable.index._seni_file",
}

__all__ = [
    "AGGREGATORS",
    "NORMALISERS",
    "AuditReport",
    "BuildLog",
    "IndexResult",
    "IndexSpec",
    "Indicator",
    "Node",
    "Normalise",
    "SeniAudit",
    "SensitivityResult",
    "Tiers",
    "aggregate",
    "audit_published",
    "audit_seni_file",
    "compute_index",
    "explain",
    "list_presets",
    "load_spec",
    "parse_spec",
    "percentile_rank",
    "read_lausd_seni",
    "read_table",
    "replay",
    "sensitivity",
    "write_table",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
