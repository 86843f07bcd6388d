"""California Department of Education files: the school directory and the FRPM files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from equitable.data._common import (
    Table,
    pct_check,
    read_delimited,
    read_excel_sheet,
    validate,
)
from equitable.data._fields import Field, parse_fields
from equitable.errors import InputError
from equitable.ids import CDS_CODE

CDS = CDS_CODE.pattern

# --------------------------------------------------------------------------------------------
# Public Schools and Districts directory (pubschls.txt / .xlsx / CSV)
# --------------------------------------------------------------------------------------------

DIRECTORY_FIELDS = [
    Field("CDSCode", "cds_code", "id:cds_code"),
    Field("StatusType", "status_type"),
    Field("County", "county"),
    Field("District", "district"),
    Field("School", "school_name", required=False),
    Field("City", "city", required=False),
    Field("Zip", "zip", required=False),
    Field("OpenDate", "open_date", "date", required=False),
    Field("ClosedDate", "closed_date", "date", required=False),
    Field("Charter", "charter", "yn", required=False),
    Field("CharterNum", "charter_number", required=False),
    Field("FundingType", "funding_type", required=False),
    Field("DOC", "doc", required=False),
    Field("DOCType", "doc_type", required=False),
    Field("SOC", "soc", required=False),
    Field("SOCType", "soc_type", required=False),
    Field("EdOpsCode", "ed_ops_code", required=False),
    Field("EILCode", "eil_code", required=False),
    Field("GSoffered", "grades_offered", required=False),
    Field("GSserved", "grades_served", required=False),
    Field("Virtual", "virtual", required=False),
    Field("Magnet", "magnet", "yn", required=False),
    Field("Latitude", "latitude", "float"),
    Field("Longitude", "longitude", "float"),
]

DIRECTORY_SCHEMA = pa.DataFrameSchema(
    {
        "cds_code": pa.Column("string", pa.Check.str_matches(CDS), unique=True),
        "status_type": pa.Column(
            "string", pa.Check.isin(["Active", "Closed", "Merged", "Pending"]), nullable=False
        ),
        "latitude": pa.Column("float64", pa.Check.in_range(-90, 90), nullable=True),
        "longitude": pa.Column("float64", pa.Check.in_range(-180, 180), nullable=True),
        "charter": pa.Column("string", pa.Check.isin(["Y", "N"]), nullable=True),
    },
    strict=False,
    coerce=False,
)


def read_school_directory(path: str | Path) -> pd.DataFrame:
    """Read CDE's "Public Schools and Districts" directory.

    Accepts the official tab-delimited ``pubschls.txt``, the ``.xlsx`` export and CSV forms.

    Parameters
    ----------
    path : the file.

    Returns
    -------
    DataFrame, one row per CDS code: ``cds_code`` (14-digit string), ``status_type`` (Active,
    Closed, Merged, Pending), ``school_name``, ``charter`` (``Y``/``N``), ``funding_type``,
    ``soc``/``soc_type`` (school ownership code), ``ed_ops_code``, ``eil_code``,
    ``grades_offered``, ``open_date``/``closed_date``, ``latitude``/``longitude`` (WGS 84 degrees,
    NaN when the directory has none; ``No Data`` is read as missing) and the other fields of
    ``DIRECTORY_FIELDS``.

    Raises
    ------
    InputError
        Missing column, a CDS code that is not 14 digits, a duplicate CDS code, a coordinate out of
        range: the message names the file, row and column.

    Notes
    -----
    Source: CDE, "Public Schools and Districts Data Files",
    https://www.cde.ca.gov/ds/si/ds/pubschls.asp (file layout: fspubschls.asp).
    """
    table = _open(path, "CDSCode", sheet_hint=None)
    df = parse_fields(table, DIRECTORY_FIELDS)
    out = validate(df, DIRECTORY_SCHEMA, table)
    # where each school is in the file, for the placement check (equitable.geo.place_schools:
    # a school far from every tract is an error naming its row): the index holds the rows'
    # 0-based positions, so row = index + first_line
    out.attrs["source"] = table.label
    out.attrs["first_line"] = table.first_line
    out.attrs["columns"] = (table.source_names.get("latitude", "Latitude"),
                            table.source_names.get("longitude", "Longitude"))
    return out


# --------------------------------------------------------------------------------------------
# Free or Reduced-Price Meal (FRPM) school-level data
# --------------------------------------------------------------------------------------------

FRPM_FIELDS = [
    Field("CDSCode", "cds_code", "id:cds_code", required=False),
    Field("Academic Year", "academic_year"),
    Field("County Code", "county_code", "id:county_code"),
    Field("District Code", "district_code", "id:district_code"),
    Field("School Code", "school_code", "id:school_code"),
    Field("County Name", "county_name"),
    Field("District Name", "district_name"),
    Field("School Name", "school_name"),
    Field("District Type", "district_type", required=False),
    Field("School Type", "school_type", required=False),
    Field("Educational Option Type", "educational_option_type", required=False),
    Field("NSLP Provision Status", "nslp_provision_status", required=False),
    Field("Charter School (Y/N)", "charter", "yn"),
    Field("Charter School Number", "charter_school_number", required=False),
    # required: `equitable run` tells affiliated (locally funded) charters, which are
    # district-run, from independent ones by it; without it every charter would be dropped
    Field("Charter Funding Type", "charter_funding_type"),
    Field("IRC", "irc", "yn", required=False),
    Field("Low Grade", "low_grade", required=False),
    Field("High Grade", "high_grade", required=False),
    Field("Enrollment (K-12)", "enrollment_k12", "int"),
    Field("Free Meal Count (K-12)", "free_meal_count_k12", "int"),
    Field("Percent (%) Eligible Free (K-12)", "free_meal_pct_k12", "fraction_pct"),
    Field("FRPM Count (K-12)", "frpm_count_k12", "int"),
    Field("Percent (%) Eligible FRPM (K-12)", "frpm_pct_k12", "fraction_pct"),
    Field("Enrollment (Ages 5-17)", "enrollment_5_17", "int"),
    Field("Free Meal Count (Ages 5-17)", "free_meal_count_5_17", "int"),
    Field("Percent (%) Eligible Free (Ages 5-17)", "free_meal_pct_5_17", "fraction_pct"),
    Field("FRPM Count (Ages 5-17)", "frpm_count_5_17", "int"),
    Field("Percent (%) Eligible FRPM (Ages 5-17)", "frpm_pct_5_17", "fraction_pct"),
    Field("CALPADS Fall 1 Certification Status", "calpads_certified", "yn", required=False),
    Field("source_file", "source_file", required=False),
]

_COUNT = pa.Column("Int64", pa.Check.ge(0), nullable=True)
_PCT = pa.Column("float64", pct_check(), nullable=True)

FRPM_SCHEMA = pa.DataFrameSchema(
    {
        "cds_code": pa.Column("string", pa.Check.str_matches(CDS)),
        "academic_year": pa.Column("string", pa.Check.str_matches(r"^\d{4}-\d{2}(\d{2})?$")),
        "charter": pa.Column("string", pa.Check.isin(["Y", "N"]), nullable=True),
        "enrollment_k12": _COUNT,
        "free_meal_count_k12": _COUNT,
        "frpm_count_k12": _COUNT,
        "enrollment_5_17": _COUNT,
        "free_meal_count_5_17": _COUNT,
        "frpm_count_5_17": _COUNT,
        "free_meal_pct_k12": _PCT,
        "frpm_pct_k12": _PCT,
        "free_meal_pct_5_17": _PCT,
        "frpm_pct_5_17": _PCT,
    },
    unique=["cds_code", "academic_year"],
    strict=False,
)

#: School codes of rows that are not schools: district totals and nonpublic-school lines.
NON_SCHOOL_CODES = ("0000000", "0000001")


def read_frpm(path: str | Path, *, schools_only: bool = True) -> pd.DataFrame:
    """Read a CDE Free or Reduced-Price Meal (FRPM) school-level file.

    Accepts the three forms CDE's FRPM data comes in: the official Excel workbook (sheet
    "FRPM School-Level Data", a title on row 1 and the header on row 2), a tab-delimited text
    file, and CSV (header on line 1; a stacked multi-year file with ``CDSCode`` and
    ``source_file`` columns is accepted). Header spellings differ by year and form (line breaks,
    doubled spaces); whitespace is collapsed before matching.

    Parameters
    ----------
    path : ``.xlsx``, ``.txt``/``.tsv`` (tab-delimited) or ``.csv``.
    schools_only : drop the rows that are not schools (School Code ``0000000``, district totals,
        and ``0000001``, nonpublic nonsectarian schools). Default True.

    Returns
    -------
    DataFrame, one row per school and academic year: ``cds_code`` (14 digits: county 2 +
    district 5 + school 7), ``academic_year`` (``2023-2024``), names and types, ``charter``
    (``Y``/``N``), ``charter_funding_type``, counts as nullable integers (``enrollment_k12``,
    ``frpm_count_k12``, ...) and the percents on the 0-100 scale (``frpm_pct_k12`` is
    ``Percent (%) Eligible FRPM (K-12)`` x 100). CDE's ``*`` (suppressed) is read as missing,
    never as 0.

    Raises
    ------
    InputError
        Missing column, a code with the wrong number of digits, a count that is not a whole
        number, a percent outside 0-1, a duplicate school-year: the message names the file, the
        row (spreadsheet row for Excel) and the column.

    Notes
    -----
    Source: CDE, "Free or Reduced-Price Meal (Student Poverty) Data",
    https://www.cde.ca.gov/ds/ad/filessp.asp; column definitions in
    https://www.cde.ca.gov/ds/ad/fsspfrpm.asp (kept as ``cde/frpm_field_descriptions.csv``).
    """
    table = _open(path, "Academic Year", sheet_hint="School-Level")
    df = parse_fields(table, FRPM_FIELDS)
    built = df["county_code"] + df["district_code"] + df["school_code"]
    if df["cds_code"].isna().all():
        df["cds_code"] = built
        table.source_names["cds_code"] = "School Code"
    else:
        differs = df["cds_code"].notna() & (df["cds_code"] != built)
        if differs.any():
            pos = int(differs.to_numpy().nonzero()[0][0])
            from equitable.errors import location

            raise InputError(
                f"{location(table.label, table.line(pos), 'CDSCode')}: "
                f"'{df['cds_code'].iloc[pos]}' differs from County Code + District Code + "
                f"School Code ('{built.iloc[pos]}')"
            )
        blank = df["cds_code"].isna()
        if blank.any():
            first = table.line(int(blank.to_numpy().nonzero()[0][0]))
            table.notes.append(
                f"{table.path.name}, column 'CDSCode': {int(blank.sum())} blank cell(s) (first on "
                f"row {first}) filled from County Code + District Code + School Code")
        df["cds_code"] = df["cds_code"].fillna(built)
    if schools_only:
        df = df[~df["school_code"].isin(NON_SCHOOL_CODES)]
    df = validate(df, FRPM_SCHEMA, table)
    _check_counts_within_totals(df, table)
    cols = ["cds_code"] + [c for c in df.columns if c != "cds_code"]
    return df[cols].reset_index(drop=True)


#: (count, the total it is part of): a free-meal count is part of the FRPM count, which is part
#: of the enrollment (CDE, FRPM field descriptions, fsspfrpm.asp).
_WITHIN = [
    ("free_meal_count_k12", "frpm_count_k12"), ("frpm_count_k12", "enrollment_k12"),
    ("free_meal_count_k12", "enrollment_k12"),
    ("free_meal_count_5_17", "frpm_count_5_17"), ("frpm_count_5_17", "enrollment_5_17"),
    ("free_meal_count_5_17", "enrollment_5_17"),
]


def _check_counts_within_totals(df: pd.DataFrame, table: Table) -> None:
    """A count larger than its total (FRPM count above enrollment) is impossible."""
    from equitable.checks import check_not_above
    from equitable.errors import location

    positions = df.index.to_numpy()
    for part, total in _WITHIN:
        src = table.source_names.get(part, part)

        def where(i: int, src: str = src) -> str:
            return location(table.label, table.line(int(positions[i])), src)

        check_not_above(
            df[part].astype("float64"), df[total].astype("float64"), where,
            f"'{src}'", f"'{table.source_names.get(total, total)}'",
        )


def _open(path: str | Path, marker: str, sheet_hint: str | None) -> Table:
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return read_excel_sheet(p, sheet_hint, marker)
    if suffix == ".xls":
        raise InputError(f"{p}: old .xls workbooks are not read; save it as .xlsx or CSV")
    return read_delimited(p)
