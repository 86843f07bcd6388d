"""Primary small-cell suppression (CDE: any figure about a group of 10 or fewer students)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

MARKER = "*"
DEFAULT_THRESHOLD = 10


def suppress_table(
    df: pd.DataFrame,
    count_col: str,
    value_cols: Sequence[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Return a copy of ``df`` in which every figure about a group of ``n <= threshold`` is ``*``.

    Parameters
    ----------
    df : one row per group.
    count_col : the column holding the group's size n (students, respondents, ...).
    value_cols : the columns describing the group (counts, rates, means); default: every numeric
        column. ``count_col`` itself is suppressed too.
    threshold : groups of this size or smaller are suppressed (CDE's rule: 10).

    The result's suppressed columns are of object dtype; suppressed cells hold ``"*"``, never 0.
    """
    out = df.copy()
    cols = list(value_cols) if value_cols is not None else list(
        out.select_dtypes("number").columns
    )
    if count_col not in cols:
        cols.append(count_col)
    small = pd.to_numeric(out[count_col], errors="coerce").fillna(0) <= threshold
    for c in cols:
        out[c] = out[c].astype(object)
        out.loc[small, c] = MARKER
    return out
