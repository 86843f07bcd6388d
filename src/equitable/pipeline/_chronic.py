"""SENI's "chronic absence" family in ``equitable run``: CDE's school chronic absenteeism rate,
joined to the ranked schools by CDS code (``inputs.chronic_absenteeism``, docs/run.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from equitable.data import read_chronic_absenteeism
from equitable.errors import InputError, SpecError
from equitable.pipeline._config import RunConfig

__all__ = ["CHRONIC_COLUMN", "check_chronic", "join_chronic_absence"]

#: The school table's column for CDE's school chronic absenteeism rate (``inputs.chronic_absenteeism``).
CHRONIC_COLUMN = "chronic_absence_pct"


def check_chronic(config: RunConfig, spec: Any, config_path: Path) -> None:
    """The CDE chronic absenteeism file and an index indicator on ``chronic_absence_pct`` come
    together: one without the other is an error, never silently ignored."""
    uses = any(ind.column == CHRONIC_COLUMN or CHRONIC_COLUMN in (ind.expression or "")
               for ind in spec.indicators)
    given = config.inputs.chronic_absenteeism is not None
    if uses and not given:
        raise SpecError(
            f"{config_path}: key 'inputs.chronic_absenteeism': missing required key (the index "
            f"spec '{spec.name}' has an indicator on {CHRONIC_COLUMN}; give CDE's chronic "
            "absenteeism file, docs/run.md)")
    if given and not uses:
        raise SpecError(
            f"{config_path}: key 'inputs.chronic_absenteeism': the index spec '{spec.name}' has no "
            f"indicator on {CHRONIC_COLUMN}, so the file would not be used (use spec = "
            "\"seni-style-chronic\" or add the indicator)")


def join_chronic_absence(ranked: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Add CDE's school chronic absenteeism rate (``chronic_absence_pct``, 0-100) to the ranked
    schools by CDS code.

    Reads the school-level ``TA`` (all students) rows of ``path`` with
    :func:`equitable.data.read_chronic_absenteeism`. A school whose rate CDE suppressed (``*``)
    or that has no row stays missing (never 0); the counts are returned for run.json and the
    terminal.

    Returns
    -------
    (ranked with ``chronic_absence_pct``, counts) : counts has ``academic_year``,
    ``schools_with_rate``, ``suppressed``, ``no_row`` (ranked schools) and ``file_rows``.

    Raises
    ------
    InputError
        The file is malformed (see the reader), or none of the ranked schools has a row in it.
    """
    ca = read_chronic_absenteeism(path, level="school", reporting_category="TA")
    rate = ca.set_index("cds_code")["chronic_absence_pct"]
    codes = ranked["cds_code"].astype(str)
    has_row = codes.isin(rate.index)
    if not has_row.any():
        raise InputError(
            f"{path}: none of the {len(ranked)} ranked schools has a school-level (S) row for "
            "all students (TA) in this file (a file for another district or year?)")
    out = ranked.copy()
    out[CHRONIC_COLUMN] = codes.map(rate).astype("float64")
    counts = {
        "file": path.name,
        "academic_year": ca.attrs["academic_year"],
        "schools_with_rate": int(out[CHRONIC_COLUMN].notna().sum()),
        "suppressed": int((has_row & out[CHRONIC_COLUMN].isna()).sum()),
        "no_row": int((~has_row).sum()),
        "file_rows": len(ca),
    }
    return out, counts
