"""The prior-year allocation beside this year's (``[prior]`` in an ``equitable run`` config).

Budget staff hand a board each school's amount next to last year's: this module reads the
prior-year amounts (a column of a table keyed by CDS code), joins them to the ranked schools and
counts the schools gaining and losing per tier. Amounts are dollars in the file and whole cents
here (exact sums); a change per pupil is the change in dollars over this year's enrollment.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equitable.errors import InputError
from equitable.ids import CDS_CODE, normalize

__all__ = ["join_prior", "read_prior", "winners_by_tier"]

_ID_CANDIDATES = ("cds_code", "cds", "CDSCode")


def read_prior(path: str | Path, column: str, id_column: str | None = None) -> pd.DataFrame:
    """Read the prior-year amounts: ``column`` (dollars, at most 2 decimals, >= 0) of ``path``.

    Parameters
    ----------
    path : a CSV (or tab-delimited ``.txt``) table with one row per school.
    column : the prior-year allocation column, in dollars.
    id_column : the CDS code column (default: the first of ``cds_code``, ``cds``, ``CDSCode``).

    Returns
    -------
    DataFrame with ``cds_code`` (14-digit text) and ``prior_cents`` (int64), one row per school
    with an amount (an empty cell is a school without a prior-year amount and is left out).

    Raises
    ------
    InputError
        A missing id or amount column (with the closest name), an amount that is not a number,
        is negative or has fractions of a cent, or a school listed twice; naming the file, the
        line (header = line 1) and the column.
    """
    from equitable.allocate._io import read_table

    p = Path(path)
    probe = read_table(p, None, all_text=True)
    have = [str(c) for c in probe.columns]
    idc = id_column or next((c for c in _ID_CANDIDATES if c in have), None)
    for want, role in ((idc, "id"), (column, "prior-year allocation")):
        if want is None or want not in have:
            close = difflib.get_close_matches(str(want or "cds_code"), have, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise InputError(f"{p}: no {role} column '{want or 'cds_code'}'{hint} "
                             f"(columns: {', '.join(have[:12])})")
    assert idc is not None  # the loop above raised otherwise
    # one rule for every id (equitable.ids): 14 ASCII digits; blank, scientific notation or
    # anything else is an error naming the row
    ids = normalize(probe[idc], CDS_CODE, label=str(p), column=idc)[0]
    raw = probe[column].astype("string").str.strip()
    out_ids: list[str] = []
    cents: list[int] = []
    seen: dict[str, int] = {}
    for i, (cid, txt) in enumerate(zip(ids.tolist(), raw.tolist(), strict=True)):
        line = i + 2
        if cid in seen:
            raise InputError(f"{p}: line {line}, column '{idc}': school {cid} is listed twice "
                             f"(first on line {seen[cid]})")
        seen[cid] = line
        if txt is pd.NA or txt is None or txt == "":
            continue
        clean = txt.replace(",", "").removeprefix("$")
        try:
            dollars = float(clean)
        except ValueError:
            raise InputError(f"{p}: line {line}, column '{column}': '{txt}' is not an amount "
                             "in dollars") from None
        if not np.isfinite(dollars) or dollars < 0:
            raise InputError(f"{p}: line {line}, column '{column}': {txt} is not an amount of "
                             "0 dollars or more")
        c = round(dollars * 100)
        if abs(dollars * 100 - c) > 1e-6:
            raise InputError(f"{p}: line {line}, column '{column}': {txt} has fractions of a "
                             "cent")
        out_ids.append(cid)
        cents.append(int(c))
    return pd.DataFrame({"cds_code": pd.array(out_ids, dtype="string").astype(object),
                         "prior_cents": np.asarray(cents, dtype="int64")})


def join_prior(schools: pd.DataFrame, prior: pd.DataFrame, *, label: str) -> tuple[
        pd.DataFrame, dict[str, Any], list[str]]:
    """Add ``prior_cents`` (Int64, empty for a school without a prior-year amount),
    ``change_cents`` and ``change_per_pupil`` (dollars, 2 decimals) to the ranked schools.

    Returns the table, a summary for run.json (``file``-independent counts: ``matched``,
    ``without_prior``, ``not_ranked`` (prior-year schools not ranked this year) and their
    ``not_ranked_cents``) and the notes printed on the terminal.
    """
    m = prior.set_index("cds_code")["prior_cents"]
    out = schools.copy()
    pc = out["cds_code"].astype(str).map(m)
    out["prior_cents"] = pd.array(pc, dtype="Int64")
    out["change_cents"] = pd.array(out["amount_cents"].astype("int64") - out["prior_cents"],
                                   dtype="Int64")
    enr = pd.to_numeric(out["enrollment"], errors="coerce").astype("float64").to_numpy()
    ch = out["change_cents"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change_per_pupil"] = np.round(np.where(enr > 0, ch / 100.0 / enr, np.nan), 2)
    ranked = set(out["cds_code"].astype(str))
    gone = prior[~prior["cds_code"].isin(ranked)]
    without = int(out["prior_cents"].isna().sum())
    summary = {"matched": int(out["prior_cents"].notna().sum()), "without_prior": without,
               "not_ranked": len(gone), "not_ranked_cents": int(gone["prior_cents"].sum())}
    notes = []
    if without:
        notes.append(f"{label}: {without} ranked schools have no prior-year amount (their "
                     "change is left blank)")
    if len(gone):
        notes.append(f"{label}: {len(gone)} schools with a prior-year amount are not ranked "
                     f"this year (${int(gone['prior_cents'].sum()) / 100:,.2f}; not compared)")
    return out, summary, notes


def winners_by_tier(schools: pd.DataFrame, tier_labels: list[str]) -> pd.DataFrame:
    """Per tier (highest need first): ``schools_gaining``, ``schools_losing``, ``schools_same``,
    ``schools_without_prior``, ``prior_cents`` (schools with a prior amount), ``amount_cents``
    and ``change_cents`` (of the schools with a prior amount)."""
    rows = []
    for label in tier_labels:
        t = schools[schools["tier"] == label]
        has = t["prior_cents"].notna()
        ch = t.loc[has, "change_cents"].astype("int64")
        rows.append({"tier": label, "schools_gaining": int((ch > 0).sum()),
                     "schools_losing": int((ch < 0).sum()), "schools_same": int((ch == 0).sum()),
                     "schools_without_prior": int((~has).sum()),
                     "prior_cents": int(t.loc[has, "prior_cents"].astype("int64").sum()),
                     "change_cents": int(ch.sum())})
    return pd.DataFrame(rows)
