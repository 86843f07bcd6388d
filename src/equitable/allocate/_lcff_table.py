"""LCFF for a table of LEAs or schools (``equitable lcff --input``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from equitable.allocate._io import read_table, write_csv
from equitable.allocate._lcff import GRADE_SPANS, lcff_entitlement
from equitable.errors import InputError, location
from equitable.provenance import write_run_record

__all__ = ["lcff_file", "lcff_table"]

ADA_COLUMNS = {s: f"ada_{s}" for s in GRADE_SPANS}
UPP_COLUMN = "unduplicated_pupil_pct"


def lcff_table(df: pd.DataFrame, year: str, source: str | None = None) -> pd.DataFrame:
    """Add LCFF columns (cents) to a table with ``ada_k_3 ... ada_9_12`` and
    ``unduplicated_pupil_pct``; missing ADA columns count as 0 ADA, a missing UPP is an error."""
    if UPP_COLUMN not in df.columns:
        raise InputError(f"{location(source, None, UPP_COLUMN)}: column not found")
    if not any(c in df.columns for c in ADA_COLUMNS.values()):
        raise InputError(f"{source or 'table'}: no ADA column (expected any of "
                         + ", ".join(ADA_COLUMNS.values()) + ")")
    # a column that looks like ADA but is not one of the four (``ada_4to6``, ``ada_k3``) would
    # silently count as 0 ADA: refuse it
    odd = [c for c in df.columns if str(c).lower().startswith("ada")
           and c not in ADA_COLUMNS.values()]
    if odd:
        raise InputError(f"{location(source, None, odd[0])}: not an ADA column this command "
                         "reads; name the grade-span columns " + ", ".join(ADA_COLUMNS.values()))
    rows = []
    for pos in range(len(df)):
        ada = {}
        for s, col in ADA_COLUMNS.items():
            if col in df.columns:
                v = pd.to_numeric(pd.Series([df[col].iloc[pos]]), errors="coerce").iloc[0]
                if np.isnan(v):
                    raise InputError(f"{location(source, pos + 2, col)}: not a number "
                                     f"({df[col].iloc[pos]!r})")
                ada[s] = float(v)
        upp = pd.to_numeric(pd.Series([df[UPP_COLUMN].iloc[pos]]), errors="coerce").iloc[0]
        if np.isnan(upp):
            raise InputError(f"{location(source, pos + 2, UPP_COLUMN)}: not a number "
                             f"({df[UPP_COLUMN].iloc[pos]!r})")
        try:
            e = lcff_entitlement(ada, float(upp), year)
        except InputError as exc:
            raise InputError(f"{location(source, pos + 2)}: {exc}") from None
        rows.append({"base_cents": e.base_total_cents, "supplemental_cents": e.supplemental_cents,
                     "concentration_cents": e.concentration_cents, "total_cents": e.total_cents})
    out = pd.DataFrame(rows, index=df.index, columns=["base_cents", "supplemental_cents",
                                                      "concentration_cents", "total_cents"])
    return pd.concat([df, out.astype("int64")], axis=1)


def lcff_file(input_path: str | Path, year: str, out_path: str | Path) -> int:
    """Read a CSV, compute LCFF per row, write the CSV and its run record; return the row count."""
    df = read_table(input_path, all_text=True)
    out = lcff_table(df, year, source=str(input_path))
    from equitable._atomic import output_folder
    from equitable.allocate._io import check_output

    check_output(out_path)
    dest = Path(out_path)
    # the table and its run record appear together or not at all, beside other files
    with output_folder(dest.parent, whole=False) as stage:
        write_csv(out, stage / dest.name)
        write_run_record(stage, command="lcff", spec={"fiscal_year": year},
                         inputs={"input": input_path}, outputs=[dest.name],
                         filename=f"{dest.stem}.run.json")
    return len(out)
