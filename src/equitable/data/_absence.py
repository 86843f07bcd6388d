"""CDE's chronic absenteeism download (the tab-delimited file of the Chronic Absenteeism data page).

File structure: CDE, "File Structure: Chronic Absenteeism Data", https://www.cde.ca.gov/ds/ad/fsabd.asp
(kept as ``attendance/cde_chronic_absenteeism_file_columns.csv`` and
``attendance/cde_absenteeism_reporting_categories.csv`` in the data folder).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from equitable.data._common import Table, parse_number, read_delimited, validate
from equitable.data._fields import Field, parse_fields
from equitable.errors import InputError, location
from equitable.ids import CDS_CODE

__all__ = ["AGGREGATE_LEVELS", "REPORTING_CATEGORIES", "read_chronic_absenteeism"]

#: ``level`` argument -> CDE's ``Aggregate Level`` code.
AGGREGATE_LEVELS = {"school": "S", "district": "D", "county": "C", "state": "T"}

#: Every ``Aggregate Level`` code CDE has used (the 2016-17 layout also had D1 = district, all
#: schools, and D2 = district, non-charter schools).
_LEVEL_CODES = frozenset({"S", "D", "C", "T", "D1", "D2"})

#: CDE's reporting categories (fsabd.asp; GX, GRTKKN and GRTK8 are in the newer files).
REPORTING_CATEGORIES = frozenset({
    "TA", "RB", "RI", "RA", "RF", "RH", "RD", "RP", "RT", "RW", "GM", "GF", "GX", "SE", "SD",
    "SS", "SM", "SF", "SH", "GRK", "GR13", "GR46", "GR78", "GRK8", "GR912", "GRUG", "GRTKKN",
    "GRTK8",
})

# the two header spellings: 2016-17 to 2022-23 ("AcademicYear") and 2023-24 on ("Academic Year")
_FIELDS = [
    Field("Academic Year", "academic_year", aliases=("AcademicYear",)),
    Field("Aggregate Level", "aggregate_level", aliases=("AggregateLevel",)),
    Field("County Code", "county_code", "id:county_code", required=False,
          aliases=("CountyCode",)),
    Field("District Code", "district_code", "id:district_code", required=False,
          aliases=("DistrictCode",)),
    Field("School Code", "school_code", "id:school_code", required=False,
          aliases=("SchoolCode",)),
    Field("County Name", "county_name", required=False, aliases=("CountyName",)),
    Field("District Name", "district_name", required=False, aliases=("DistrictName",)),
    Field("School Name", "school_name", required=False, aliases=("SchoolName",)),
    Field("Charter School", "charter_school", required=False,
          aliases=("CharterSchool", "CharterYN")),
    Field("DASS", "dass", required=False),
    Field("Reporting Category", "reporting_category", aliases=("ReportingCategory",)),
]
_ELIGIBLE = "ChronicAbsenteeismEligibleCumulativeEnrollment"
_COUNT = "ChronicAbsenteeismCount"
_RATE = "ChronicAbsenteeismRate"
_CUMULATIVE = ("CumulativeEnrollment", "Cumulative Enrollment")

_SCHEMA = pa.DataFrameSchema(
    {
        "cds_code": pa.Column("string", pa.Check.str_matches(CDS_CODE.pattern)),
        "academic_year": pa.Column("string", pa.Check.str_matches(r"^\d{4}-\d{2}(\d{2})?$")),
        "eligible_enrollment": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "chronic_absent_count": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "chronic_absence_pct": pa.Column("float64", pa.Check.in_range(0, 100), nullable=True),
        "cumulative_enrollment": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    },
    unique=["cds_code"],
    strict=False,
)

# CDE publishes the rate with one decimal (count / eligible x 100); a rate further than this
# from the recomputed one is not a rounding difference
_RATE_TOLERANCE = 0.05 + 1e-9


def read_chronic_absenteeism(
    path: str | Path,
    *,
    level: str = "school",
    reporting_category: str = "TA",
    academic_year: str | None = None,
) -> pd.DataFrame:
    """Read CDE's chronic absenteeism download and keep one row per entity of one level.

    The file is the tab-delimited text file of CDE's Chronic Absenteeism data page (one row per
    academic year, aggregate level, entity, charter and DASS filter and reporting category).
    Both header spellings are read: ``AcademicYear``/``AggregateLevel``/... (2016-17 to 2022-23)
    and ``Academic Year``/``Aggregate Level``/... (2023-24 on). CSV and XLSX copies are read too.

    Parameters
    ----------
    path : the file (``.txt`` tab-delimited, ``.csv`` or ``.xlsx``).
    level : ``"school"`` (default), ``"district"``, ``"county"`` or ``"state"``: the aggregate
        level kept (CDE's ``S``, ``D``, ``C``, ``T``). Only one level is kept, so no student is
        counted twice.
    reporting_category : CDE's student-group code (default ``"TA"``, all students; see
        ``REPORTING_CATEGORIES``).
    academic_year : the year to keep (``"2023-24"``) when the file holds several; a file with
        more than one year and no ``academic_year`` is an error.

    Returns
    -------
    DataFrame, one row per entity: ``cds_code`` (14 digits: county 2 + district 5 + school 7;
    a district is ``CCDDDDD0000000``, a county ``CC000000000000``, the state ``00000000000000``),
    ``academic_year``, ``aggregate_level``, ``county_code``, ``district_code``, ``school_code``
    (strings with their leading zeros), the names, ``charter_school``, ``dass``,
    ``reporting_category``, ``cumulative_enrollment`` (older files only), ``eligible_enrollment``
    (students enrolled 31 days or more, not exempt), ``chronic_absent_count`` (eligible students
    absent on 10% or more of the days they were expected to attend) and ``chronic_absence_pct``
    (count / eligible x 100, 0-100). CDE's ``*`` (a group of 10 or fewer students) is missing,
    never 0. Where CDE gives an entity an ``All`` row for the charter or DASS filter, that row is
    kept (the unduplicated total); otherwise the entity's only row. ``df.attrs`` holds
    ``rows_read``, ``suppressed`` (entities whose rate is ``*``) and the ``academic_year``.

    Raises
    ------
    InputError
        A missing column; an unknown aggregate level; a code with too many digits or that is not
        digits; a blank count or rate (CDE writes ``*`` for a suppressed cell, so a blank is a
        damaged or truncated row); a count that is not a whole number, is negative or exceeds the
        eligible enrollment; a rate outside 0-100 or that differs from count / eligible x 100 by
        more than rounding; two rows for one entity; several years with no ``academic_year``; no
        row of the chosen level and category. Each names the file, the row (header = line 1) and
        the column.

    Notes
    -----
    Source: CDE, "File Structure: Chronic Absenteeism Data" (fsabd.asp) and "Chronic Absenteeism
    Data" (filesabd.asp). Definition: California Education Code 60901(c)(1); a student is
    chronically absent when absent on 10% or more of the days expected to attend, counting only
    students enrolled 31 days or more.
    """
    code = AGGREGATE_LEVELS.get(str(level).lower(), str(level).upper())
    if code not in AGGREGATE_LEVELS.values():
        raise InputError(f"{path}: unknown aggregate level '{level}' (choose school, district, "
                         "county or state)")
    category = str(reporting_category).strip().upper()
    if category not in REPORTING_CATEGORIES:
        raise InputError(f"{path}: unknown reporting category '{reporting_category}' (CDE's codes: "
                         f"{', '.join(sorted(REPORTING_CATEGORIES))})")
    table = read_delimited(path) if Path(path).suffix.lower() not in {".xls"} else None
    if table is None:
        raise InputError(f"{path}: old .xls workbooks are not read; save it as .xlsx or text")
    _require_measures(table)
    df = parse_fields(table, _FIELDS)
    levels = df["aggregate_level"].str.upper()
    bad = levels.isna() | ~levels.isin(_LEVEL_CODES)
    if bad.any():
        _raise_at(table, bad, "aggregate_level",
                  lambda v: f"'{v or '(blank)'}' is not an aggregate level (T, C, D or S)")
    df["aggregate_level"] = levels
    rows_read = len(df)
    # every row's counts and rate are checked, not only the rows kept: an impossible or blank
    # cell anywhere means a damaged file
    cum_col = next((c for c in _CUMULATIVE if c in table.frame.columns), None)
    df["cumulative_enrollment"] = (_measure(table, table, cum_col, integer=True) if cum_col
                                   else pd.Series(pd.NA, index=df.index, dtype="Int64"))
    df["eligible_enrollment"] = _measure(table, table, _ELIGIBLE, integer=True)
    df["chronic_absent_count"] = _measure(table, table, _COUNT, integer=True)
    df["chronic_absence_pct"] = _measure(table, table, _RATE, integer=False)
    table.source_names.update({"eligible_enrollment": _ELIGIBLE, "chronic_absent_count": _COUNT,
                               "chronic_absence_pct": _RATE, "cumulative_enrollment": cum_col or ""})
    _check_consistency(table, df)

    years = sorted(df["academic_year"].dropna().unique())
    if academic_year is not None:
        keep_year = df["academic_year"] == str(academic_year)
        if not keep_year.any():
            raise InputError(f"{table.label}: no row for academic year {academic_year} "
                             f"(the file has {', '.join(years) or 'none'})")
    else:
        if len(years) > 1:
            raise InputError(f"{table.label}: holds {len(years)} academic years "
                             f"({', '.join(years)}); choose one (academic_year)")
        keep_year = pd.Series(True, index=df.index)
    keep = keep_year & (df["aggregate_level"] == code) & (
        df["reporting_category"].str.upper() == category)
    if not keep.any():
        raise InputError(f"{table.label}: no row with aggregate level {code} and reporting "
                         f"category {category}")
    keep &= _totals_only(df, keep)
    sub = df[keep].copy()
    sub["reporting_category"] = sub["reporting_category"].str.upper()
    sub["cds_code"] = _cds_codes(table, sub, code)
    lowest = {"S": "school_code", "D": "district_code", "C": "county_code"}.get(code)
    table.source_names["cds_code"] = (table.source_names.get(lowest, "Aggregate Level")
                                      if lowest else "Aggregate Level")
    out = validate(sub, _SCHEMA, table)
    cols = ["cds_code", "academic_year", "aggregate_level", "county_code", "district_code",
            "school_code", "county_name", "district_name", "school_name", "charter_school", "dass",
            "reporting_category", "cumulative_enrollment", "eligible_enrollment",
            "chronic_absent_count", "chronic_absence_pct"]
    out = out[cols].reset_index(drop=True)
    out.attrs.update({"source": str(table.path), "rows_read": rows_read,
                      "suppressed": int(out["chronic_absence_pct"].isna().sum()),
                      "academic_year": str(out["academic_year"].iloc[0]),
                      "aggregate_level": code, "reporting_category": category})
    return out


def _require_measures(table: Table) -> None:
    from equitable.data._common import require_columns

    require_columns(table, [_ELIGIBLE, _COUNT, _RATE])


def _raise_at(table: Table, mask: pd.Series, name: str, what) -> None:
    pos = int(np.flatnonzero(mask.to_numpy())[0])
    label = mask.index[pos]
    col = table.source_names.get(name, name)
    raw = str(table.frame[col].loc[label]).strip() if col in table.frame.columns else ""
    more = int(mask.sum()) - 1
    extra = f" ({more} more in this column)" if more else ""
    raise InputError(f"{location(table.label, table.line(int(label)), col)}: {what(raw)}{extra}")


def _totals_only(df: pd.DataFrame, keep: pd.Series) -> pd.Series:
    """Per entity, the ``All`` row of the charter and DASS filters when the entity has one."""
    out = pd.Series(True, index=df.index)
    key = df["county_code"].fillna("") + "|" + df["district_code"].fillna("") + "|" + \
        df["school_code"].fillna("")
    for col in ("charter_school", "dass"):
        v = df[col].str.strip().str.lower()
        is_all = (v == "all").fillna(False) & keep
        has_all = key.map(key[is_all].value_counts()).fillna(0) > 0
        out &= ~has_all | is_all
    return out


def _cds_codes(table: Table, sub: pd.DataFrame, code: str) -> pd.Series:
    """County + district + school code; the codes a level does not use must be blank or zeros."""
    need = {"S": ("county_code", "district_code", "school_code"),
            "D": ("county_code", "district_code"), "C": ("county_code",), "T": ()}[code]
    width = {"county_code": 2, "district_code": 5, "school_code": 7}
    parts = []
    for name, w in width.items():
        v = sub[name]
        if name in need:
            if name not in table.source_names:
                raise InputError(f"{table.label}: missing column '{_FIELDS_BY_NAME[name]}' "
                                 f"(needed for aggregate level {code})")
            blank = v.isna()
            what = name.replace("_", " ")
            if blank.any():
                _raise_at(table, blank, name,
                          lambda raw, what=what: f"'{raw or '(blank)'}' is not a {what} "
                          f"(aggregate level {code} rows need one)")
            parts.append(v)
        else:
            nonzero = v.notna() & (v.str.strip("0") != "")
            if nonzero.any():
                what = name.replace("_", " ")
                _raise_at(table, nonzero, name,
                          lambda raw, what=what: f"'{raw}' on an aggregate level {code} row (a "
                          f"{what} belongs to a lower level)")
            parts.append(pd.Series("0" * w, index=sub.index, dtype="string"))
    return (parts[0] + parts[1] + parts[2]).astype("string")


_FIELDS_BY_NAME = {f.name: f.source for f in _FIELDS}


def _measure(table: Table, part: Table, column: str, *, integer: bool) -> pd.Series:
    """A count or rate: ``*`` is missing; a blank is an error (CDE never leaves these blank)."""
    raw = part.frame[column].astype(str).str.strip()
    blank = raw == ""
    if blank.any():
        pos = int(np.flatnonzero(blank.to_numpy())[0])
        label = part.frame.index[pos]
        raise InputError(
            f"{location(table.label, table.line(int(label)), column)}: blank cell (CDE writes '*' "
            "for a suppressed value; a blank means a damaged or truncated row)")
    tmp = Table(part.frame.reset_index(drop=True), table.path, table.first_line, table.sheet)
    # line numbers: parse on the positional copy, then restore the original labels
    values = parse_number(_Lines(tmp, part.frame.index), column, integer=integer)
    values.index = part.frame.index
    return values


class _Lines(Table):
    """A table whose row positions map to the original file's lines."""

    def __init__(self, table: Table, labels: pd.Index):
        super().__init__(table.frame, table.path, table.first_line, table.sheet)
        self._labels = labels

    def line(self, position: int) -> int:
        return self.first_line + int(self._labels[int(position)])


def _check_consistency(table: Table, sub: pd.DataFrame) -> None:
    elig = sub["eligible_enrollment"].astype("float64")
    count = sub["chronic_absent_count"].astype("float64")
    rate = sub["chronic_absence_pct"]
    for name, v in (("eligible_enrollment", elig), ("chronic_absent_count", count)):
        neg = (v < 0).fillna(False)
        if neg.any():
            _raise_at(table, neg, name, lambda raw: f"{raw} is negative (a count of students)")
    over = (count > elig).fillna(False)
    if over.any():
        pos = int(np.flatnonzero(over.to_numpy())[0])
        e = int(elig.iloc[pos])
        _raise_at(table, over, "chronic_absent_count",
                  lambda raw: f"{raw} chronically absent students but only {e} eligible students")
    bad = ((rate < 0) | (rate > 100)).fillna(False)
    if bad.any():
        _raise_at(table, bad, "chronic_absence_pct",
                  lambda raw: f"{raw} is not a rate between 0 and 100")
    with np.errstate(divide="ignore", invalid="ignore"):
        expect = np.where(elig > 0, count / elig * 100.0, np.nan)
    expect = pd.Series(expect, index=sub.index)
    off = (rate.notna() & expect.notna() & ((rate - expect).abs() > _RATE_TOLERANCE))
    if off.any():
        pos = int(np.flatnonzero(off.to_numpy())[0])
        c, e, x = int(count.iloc[pos]), int(elig.iloc[pos]), float(expect.iloc[pos])
        _raise_at(table, off, "chronic_absence_pct",
                  lambda raw: f"{raw} differs from {c} / {e} x 100 = {x:.1f} (count / eligible "
                  "enrollment)")
    zero = (rate.notna() & (elig == 0) & (rate != 0)).fillna(False)
    if zero.any():
        _raise_at(table, zero, "chronic_absence_pct",
                  lambda raw: f"{raw} with 0 eligible students")
