"""Field lists: how each file's columns are parsed and renamed (one place, read by the readers)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from equitable.data._common import (
    Table,
    fraction_to_pct,
    pad_code,
    parse_number,
    parse_text,
    register_source_names,
    require_columns,
)
from equitable.errors import InputError, location


@dataclass(frozen=True)
class Field:
    """One column: its name in the file, its name in the table, how to parse it."""

    source: str
    name: str
    kind: str = "text"  # text | int | float | fraction_pct | yn | date | id:<equitable.ids kind key>
    required: bool = True
    aliases: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


def _find(table: Table, field: Field) -> str | None:
    for c in (field.source, *field.aliases):
        if c in table.frame.columns:
            return c
    return None


def parse_fields(table: Table, fields: list[Field]) -> pd.DataFrame:
    """Parse ``table`` by ``fields``; missing required columns are reported all at once."""
    missing = [f.source for f in fields if f.required and _find(table, f) is None]
    if missing:
        require_columns(table, missing)
    register_source_names(table, {f.name: c for f in fields if (c := _find(table, f))})
    out: dict[str, pd.Series] = {}
    for f in fields:
        col = _find(table, f)
        if col is None:
            out[f.name] = _empty(f, len(table.frame))
            continue
        if f.kind == "text":
            out[f.name] = parse_text(table, col)
        elif f.kind == "int":
            out[f.name] = parse_number(table, col, integer=True, missing=f.missing)
        elif f.kind == "float":
            out[f.name] = parse_number(table, col, missing=f.missing)
        elif f.kind == "fraction_pct":
            out[f.name] = fraction_to_pct(table, col)
        elif f.kind == "yn":
            out[f.name] = _parse_yn(table, col)
        elif f.kind == "date":
            out[f.name] = _parse_date(table, col)
        elif f.kind.startswith("id:"):
            out[f.name] = pad_code(table, col, f.kind[3:], allow_missing=not f.required)
        else:  # pragma: no cover - programming error
            raise ValueError(f"unknown field kind {f.kind!r}")
    return pd.DataFrame(out, index=table.frame.index)


def _empty(f: Field, n: int) -> pd.Series:
    if f.kind == "int":
        return pd.Series([pd.NA] * n, dtype="Int64")
    if f.kind in {"float", "fraction_pct"}:
        return pd.Series([float("nan")] * n, dtype="float64")
    if f.kind == "date":
        return pd.Series([pd.NaT] * n, dtype="datetime64[ns]")
    return pd.Series([pd.NA] * n, dtype="string")


_YES = {"Y", "YES", "TRUE", "1"}
_NO = {"N", "NO", "FALSE", "0"}


def _parse_yn(table: Table, column: str) -> pd.Series:
    """``Yes``/``No``/``Y``/``N`` (CDE writes ``No `` with a trailing space) -> ``Y``/``N``."""
    s = parse_text(table, column).str.upper()
    out = pd.Series(pd.NA, index=s.index, dtype="string")
    out[s.isin(_YES).fillna(False)] = "Y"
    out[s.isin(_NO).fillna(False)] = "N"
    bad = s.notna() & out.isna()
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{location(table.label, table.line(pos), column)}: "
            f"'{table.frame[column].iloc[pos]}' is not Y/N (Yes/No)"
        )
    return out


def _parse_date(table: Table, column: str) -> pd.Series:
    s = parse_text(table, column)
    d = pd.to_datetime(s, errors="coerce", format="mixed")
    bad = s.notna() & d.isna()
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{location(table.label, table.line(pos), column)}: '{s.iloc[pos]}' is not a date"
        )
    return d.dt.normalize().astype("datetime64[ns]")
