"""Primary small-cell suppression (CDE: any figure about a group of 10 or fewer students) and
NCES caps on extreme rates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from equitable.privacy._config import PrivacyConfig

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


def _fmt_cap(x: float, scale: float) -> str:
    v = x * scale / 100.0
    return f"{v:g}"


def cap_rates(
    df: pd.DataFrame,
    rate_cols: Sequence[str],
    count_col: str,
    *,
    scale: float = 100,
    config: PrivacyConfig | None = None,
) -> pd.DataFrame:
    """Return a copy of ``df`` whose extreme rates are shown as ``"<=low"`` / ``">=high"``.

    Parameters
    ----------
    df : one row per group.
    rate_cols : rate columns (counts per group, e.g. chronic absence rate).
    count_col : the group's size n (its denominator).
    scale : the rates' scale: 100 for percent (``_pct``, default), 1 for fractions.
    config : the caps table (default: NCES SLDS Technical Brief 3, NCES 2011-603, recommended
        reporting rules): n >= 300 shows rates <= 1% as ``"<=1"`` and >= 99% as ``">=99"``;
        100-299: 2% / 98%; 40-99: 5% / 95%. Groups below the smallest ``min_n`` and groups of
        ``n <= threshold`` (left to :func:`suppress_table`) are not changed.

    Capped columns become object dtype. A rate that is missing or not a number is left alone.
    """
    from equitable.privacy._config import PrivacyConfig

    cfg = config or PrivacyConfig()
    missing = [c for c in [*rate_cols, count_col] if c not in df.columns]
    if missing:
        from equitable.errors import InputError

        raise InputError("missing column(s) " + ", ".join(f"'{c}'" for c in missing))
    out = df.copy()
    n = pd.to_numeric(out[count_col], errors="coerce")
    for col in rate_cols:
        r = pd.to_numeric(out[col], errors="coerce")
        new = out[col].astype(object)
        above = np.inf
        for cap in cfg.caps:  # largest min_n first
            band = (n >= cap.min_n) & (n < above) & (n > cfg.threshold)
            above = cap.min_n
            low = band & (r <= cap.low * scale / 100.0)
            high = band & (r >= cap.high * scale / 100.0)
            new[low] = "<=" + _fmt_cap(cap.low, scale)
            new[high] = ">=" + _fmt_cap(cap.high, scale)
        out[col] = new
    return out
