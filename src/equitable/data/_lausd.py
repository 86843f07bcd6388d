"""Los Angeles Unified school tables (2024-25 school list and its mathematics companion)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from equitable.data._common import pct_check, read_delimited, validate
from equitable.data._fields import Field, parse_fields
from equitable.ids import CDS_CODE

_CDS = CDS_CODE.pattern

LAUSD_SCHOOL_FIELDS = [
    Field("cds", "cds_code", "id:cds_code"),
    Field("school_name", "school_name"),
    Field("span", "span"),
    Field("enrollment", "enrollment", "int"),
    Field("pct_frpm", "frpm_pct", "float"),
    Field("pct_el", "el_pct", "float"),
    Field("pct_swd", "swd_pct", "float"),
    Field("fed_ppe", "federal_ppe_dollars", "float", required=False),
    Field("sl_ppe", "state_local_ppe_dollars", "float", required=False),
    Field("total_ppe", "total_ppe_dollars", "float", required=False),
    Field("ela_prior_pct_met", "ela_prior_met_pct", "float", required=False),
    Field("ela_pct_met", "ela_met_pct", "float"),
]

_PCT = pa.Column("float64", pct_check(), nullable=True)

LAUSD_SCHOOL_SCHEMA = pa.DataFrameSchema(
    {
        "cds_code": pa.Column("string", pa.Check.str_matches(_CDS), unique=True),
        "school_name": pa.Column("string", nullable=False),
        "span": pa.Column("string", pa.Check.isin(["elementary", "middle", "high", "k12"])),
        "enrollment": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "frpm_pct": _PCT,
        "el_pct": _PCT,
        "swd_pct": _PCT,
        "ela_prior_met_pct": _PCT,
        "ela_met_pct": _PCT,
        "federal_ppe_dollars": pa.Column("float64", pa.Check.ge(0), nullable=True),
        "state_local_ppe_dollars": pa.Column("float64", pa.Check.ge(0), nullable=True),
        "total_ppe_dollars": pa.Column("float64", pa.Check.ge(0), nullable=True),
    },
    strict=False,
)

LAUSD_MATH_FIELDS = [
    Field("cds", "cds_code", "id:cds_code"),
    Field("math_prior_pct_met", "math_prior_met_pct", "float", required=False),
    Field("math_pct_met", "math_met_pct", "float"),
]

LAUSD_MATH_SCHEMA = pa.DataFrameSchema(
    {
        "cds_code": pa.Column("string", pa.Check.str_matches(_CDS), unique=True),
        "math_prior_met_pct": _PCT,
        "math_met_pct": _PCT,
    },
    strict=False,
)


def read_lausd_schools(path: str | Path) -> pd.DataFrame:
    """Read the LAUSD 2024-25 school table (``lausd/schools_2024_25.csv``).

    Returns
    -------
    DataFrame, one row per school: ``cds_code`` (14 digits), ``school_name``, ``span``
    (elementary, middle, high, k12), ``enrollment`` (students), ``frpm_pct``, ``el_pct``,
    ``swd_pct`` (percent of enrolled students eligible for free or reduced-price meals, English
    learners, students with disabilities; 0-100), ``federal_ppe_dollars``,
    ``state_local_ppe_dollars``, ``total_ppe_dollars`` (actual per-pupil expenditure, dollars),
    ``ela_prior_met_pct``, ``ela_met_pct`` (CAASPP ELA percent meeting or exceeding the standard,
    prior and current year, 0-100). ``*`` or a blank is missing.

    Raises
    ------
    InputError
        Missing column, a CDS code that is not 14 digits, a duplicate school, a percent outside
        0-100: the message names the file, row and column.
    """
    table = read_delimited(path)
    df = parse_fields(table, LAUSD_SCHOOL_FIELDS)
    df["span"] = df["span"].str.lower()
    return validate(df, LAUSD_SCHOOL_SCHEMA, table).reset_index(drop=True)


def read_lausd_math(path: str | Path) -> pd.DataFrame:
    """Read the mathematics companion (``lausd/schools_2024_25_math.csv``); join on ``cds_code``.

    Returns
    -------
    DataFrame: ``cds_code``, ``math_prior_met_pct``, ``math_met_pct`` (CAASPP mathematics percent
    meeting or exceeding the standard, 0-100).
    """
    table = read_delimited(path)
    df = parse_fields(table, LAUSD_MATH_FIELDS)
    return validate(df, LAUSD_MATH_SCHEMA, table).reset_index(drop=True)
