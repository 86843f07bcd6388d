"""Reading school tables and writing allocation outputs (deterministic bytes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equitable.allocate._engine import AllocationResult, allocate
from equitable.allocate._rules import load_rule
from equitable.checks import (
    check_field_counts,
    check_magnitude,
    check_scientific_ids,
    text_columns,
)
from equitable.errors import EquitableError, InputError, location
from equitable.ids import check_like_others
from equitable.index._io import check_utf8
from equitable.provenance import write_run_record

__all__ = ["allocate_files", "read_table", "result_frame", "write_csv"]


def read_table(path: str | Path, id_column: str | None = None, *,
               all_text: bool = False) -> pd.DataFrame:
    """Read a CSV (or tab-delimited ``.txt``/``.tsv``) table with the id column kept as text.

    CDS codes keep their leading zeros. The file must be UTF-8 (with or without BOM): a
    Windows-1252 or Latin-1 file (Excel's "CSV (Comma delimited)") is refused naming the line
    and the byte, never decoded with a guess (docs/data.md, "Errors").

    Raises
    ------
    InputError
        The file is missing, empty or not a delimited table.
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a folder, not a file")
    if not p.is_file():
        raise InputError(f"{p}: file not found")
    sep = "\t" if p.suffix.lower() in (".txt", ".tsv", ".tab") else ","
    # not UTF-8: "file, row L: not UTF-8 text (byte 0xNN); ... iconv ..." (the shared rule)
    check_utf8(p)
    # a row with extra fields or a last row cut short is an error (equitable.checks)
    check_field_counts(p, sep)
    try:
        # ids and other codes (GEOID, CDS code, any all-digit column with a leading zero)
        # are read as text, so no output drops a leading zero
        text = pd.read_csv(p, sep=sep, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        keep = text_columns(text.columns, text)
        if id_column:
            keep.append(id_column)
        dtype: Any = str if all_text else dict.fromkeys(keep, str)
        df = pd.read_csv(p, sep=sep, dtype=dtype, encoding="utf-8-sig", keep_default_na=True,
                         na_values=["*", "--", "N/A"])
    except pd.errors.EmptyDataError:
        raise InputError(f"{p}: the file is empty") from None
    except (pd.errors.ParserError, ValueError) as exc:
        msg = str(exc).strip().splitlines()[-1]
        raise InputError(f"{p}: not a readable {('tab' if sep == chr(9) else 'comma')}-"
                         f"delimited table ({msg})") from None
    df.columns = [str(c).strip() for c in df.columns]
    if id_column and id_column in df.columns:
        df[id_column] = df[id_column].str.strip()
        check_scientific_ids(df[id_column], str(p), id_column, what="id")
        # a column of codes (CDS codes, GEOIDs): each id like the others (equitable.ids)
        check_like_others(df[id_column], label=str(p), column=id_column)
    _check_numbers(df, p)
    return df


def _check_numbers(df: pd.DataFrame, p: Path) -> None:
    """Numbers pandas parsed itself ("inf", "1e300") are held to the one number rule."""
    for c in df.columns:
        if pd.api.types.is_float_dtype(df[c]) or pd.api.types.is_integer_dtype(df[c]):
            def where(i: int, c: str = c) -> str:
                return location(p, i + 2, c)

            check_magnitude(df[c].to_numpy(dtype=np.float64, na_value=np.nan), where)


def join_input(schools: pd.DataFrame, index: pd.DataFrame, id_column: str,
               schools_path: str | Path, index_path: str | Path) -> pd.DataFrame:
    """Attach school attributes to the rows of an index output, by id.

    The rows (and their order) are INPUT's; SCHOOLS adds the columns INPUT lacks. An INPUT id
    absent from SCHOOLS is an error.
    """
    for df, p in ((schools, schools_path), (index, index_path)):
        if id_column not in df.columns:
            raise InputError(f"{location(p, None, id_column)}: id column not found "
                             f"(set id_column in the rule)")
    dup = schools[id_column].duplicated()
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"{location(schools_path, pos + 2, id_column)}: duplicate school id")
    known = set(schools[id_column].dropna())
    missing = ~index[id_column].isin(known)
    if missing.any():
        pos = int(np.flatnonzero(missing.to_numpy())[0])
        raise InputError(
            f"{location(index_path, pos + 2, id_column)}: school {index[id_column].iloc[pos]} is "
            f"not in {schools_path} ({int(missing.sum())} unknown schools)"
        )
    extra = [c for c in schools.columns if c not in index.columns or c == id_column]
    return index.merge(schools[extra], on=id_column, how="left", validate="one_to_one")


def result_frame(result: AllocationResult, base: pd.DataFrame | None = None) -> pd.DataFrame:
    """The result table with a dollars column, optionally after the columns of ``base``."""
    t = result.table.copy()
    rule = result.rule
    if not rule.is_positions:
        t.insert(t.columns.get_loc("amount_cents") + 1, "amount_dollars",
                 [f"{c // 100}.{c % 100:02d}" for c in t["amount_cents"].to_numpy()])
        t["per_pupil_dollars"] = t["per_pupil_dollars"].round(2)
    if base is not None:
        keep = [c for c in base.columns if c not in t.columns]
        t = pd.concat([base[keep].reset_index(drop=True), t], axis=1)
        cols = [rule.id_column] + [c for c in t.columns if c != rule.id_column]
        t = t[cols]
    return t


def write_csv(df: pd.DataFrame, path: str | Path) -> None:
    """Write a CSV with fixed float formatting and ``\\n`` line ends (same input, same bytes)."""
    check_output(path)
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_float_dtype(col):
            vals = col.to_numpy(dtype=float)
            fin = vals[np.isfinite(vals)]
            if fin.size and np.all(fin == np.round(fin)) and np.all(np.abs(fin) < 2**53):
                out[c] = col.astype("Int64")
    try:
        out.to_csv(path, index=False, lineterminator="\n")
    except OSError as exc:
        raise EquitableError(f"{path}: cannot write ({exc.strerror or exc})") from None


def check_output(path: str | Path) -> None:
    """Fail early, in one line, when ``path`` cannot be an output file (a folder; no permission).

    Creates the missing parent folders, as every command that writes does.
    """
    p = Path(path)
    if p.is_dir():
        raise EquitableError(f"{p}: is a folder; give the output a file name, e.g. {p / 'out.csv'}")
    for parent in p.parents:
        if parent.exists() and not parent.is_dir():
            raise EquitableError(f"{parent}: is a file, so it cannot hold the output {p}")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EquitableError(f"{p.parent}: cannot create the output folder "
                             f"({exc.strerror or exc})") from None


def allocate_files(
    schools_path: str | Path,
    input_path: str | Path | None,
    rule_path: str | Path,
    out_path: str | Path,
) -> AllocationResult:
    """``equitable allocate``: read the tables and the rule, allocate, write the CSV and run record.

    Parameters
    ----------
    schools_path : CSV of school attributes (id, enrollment, prior-year amounts, ...).
    input_path : optional CSV of the schools to allocate to, typically an index output with the
        id, score, percentile and tier; joined to ``schools_path`` on the rule's ``id_column``.
        Without it every row of ``schools_path`` is allocated.
    rule_path : the rule TOML (its ``[allocation]`` table, or the whole file).
    out_path : the CSV written: the input columns, then ``eligible``, ``need_weight``,
        ``amount_cents``, ``amount_dollars``, ``per_pupil_dollars``, bounds and ``bound``.
        ``<out stem>.run.json`` beside it records the rule, input hashes and version.
    """
    from equitable.checks import check_input_file

    check_output(out_path)
    # every input checked (found, a file, the id column in its header) before any is read
    check_input_file(rule_path)
    rule = load_rule(rule_path)
    for path in (schools_path, input_path):
        if path is not None:
            check_input_file(path, columns=[rule.id_column], require_utf8=False)
    schools = read_table(schools_path, rule.id_column)
    if input_path is not None:
        index = read_table(input_path, rule.id_column)
        table = join_input(schools, index, rule.id_column, schools_path, input_path)
        source = str(input_path)
    else:
        table, source = schools, str(schools_path)
    result = allocate(table, rule, source=source)
    out = Path(out_path)
    frame = result_frame(result, table)
    inputs = {"schools": schools_path, "rule": rule_path}
    if input_path is not None:
        inputs["input"] = input_path
    from equitable._atomic import output_folder

    # the table and its run record appear together or not at all, beside other files
    with output_folder(out.parent, whole=False) as stage:
        write_csv(frame, stage / out.name)
        write_run_record(
            stage,
            command="allocate",
            spec=rule.model_dump(mode="json"),
            inputs=inputs,
            outputs=[out.name],
            extra={"schools": len(frame), "eligible": int(result.table["eligible"].sum()),
                   "total_units": result.total_units, "unit": result.unit,
                   "notes": result.notes,
                   "remainder_ties": [{k: v for k, v in t.items() if k != "note"}
                                      for t in result.remainder_ties]},
            filename=f"{out.stem}.run.json",
        )
    return result
