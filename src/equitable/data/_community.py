"""Tract-level community files: CalEnviroScreen 4.0 and CDC/ATSDR SVI."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from equitable.data._common import pct_check, read_delimited, require_columns, validate
from equitable.data._fields import Field, parse_fields
from equitable.ids import COUNTY_FIPS, TRACT_GEOID

_GEOID = TRACT_GEOID.pattern
_PCTL = pa.Column("float64", pa.Check.in_range(0, 100), nullable=True)

#: CalEnviroScreen 4.0 results: (column in OEHHA's file, name in the table, kind).
CES_FIELDS = [
    Field("tract", "geoid", "id:tract_geoid", aliases=("Census Tract",)),
    Field("Total Population", "total_population", "int"),
    Field("county", "county", aliases=("California County",)),
    Field("ZIP", "zip", required=False),
    Field("Approximate Location", "approximate_location", required=False),
    Field("Longitude", "longitude", "float"),
    Field("Latitude", "latitude", "float"),
    Field("CES 4.0 Score", "ces_score", "float"),
    Field("CES 4.0 Percentile", "ces_pctl", "float"),
    Field("Pollution Burden Score", "pollution_burden_score", "float", required=False),
    Field("Pollution Burden Pctl", "pollution_burden_pctl", "float", required=False),
    Field("Pop. Char. Score", "pop_char_score", "float", required=False),
    Field("Pop. Char. Pctl", "pop_char_pctl", "float", required=False),
    Field("Asthma", "asthma_ed_rate", "float"),
    Field("Asthma Pctl", "asthma_pctl", "float"),
    Field("Low_Birth_Weight", "low_birth_weight_pct", "float", required=False),
    Field("Low Birth Weight Pctl", "low_birth_weight_pctl", "float", required=False),
    Field("Cardiovascular_Disease", "cardiovascular_ed_rate", "float", required=False),
    Field("Cardiovascular Disease Pctl", "cardiovascular_pctl", "float", required=False),
    Field("Education", "education_pct", "float", required=False),
    Field("Education Pctl", "education_pctl", "float", required=False),
    Field("Linguistic Isolation", "linguistic_isolation_pct", "float"),
    Field("Linguistic Isolation Pctl", "linguistic_isolation_pctl", "float"),
    Field("Poverty", "poverty_pct", "float"),
    Field("Poverty Pctl", "poverty_pctl", "float"),
    Field("Unemployment", "unemployment_pct", "float", required=False),
    Field("Unemployment Pctl", "unemployment_pctl", "float", required=False),
    Field("Housing Burden", "housing_burden_pct", "float", required=False),
    Field("Housing Burden Pctl", "housing_burden_pctl", "float", required=False),
]

CES_SCHEMA = pa.DataFrameSchema(
    {
        "geoid": pa.Column("string", pa.Check.str_matches(_GEOID), unique=True),
        "latitude": pa.Column("float64", pa.Check.in_range(32, 43)),
        "longitude": pa.Column("float64", pa.Check.in_range(-125, -114)),
        "ces_pctl": _PCTL,
        "total_population": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "ces_score": pa.Column("float64", pa.Check.ge(0), nullable=True),
        "pollution_burden_score": pa.Column("float64", pa.Check.ge(0), nullable=True),
        "pop_char_score": pa.Column("float64", pa.Check.ge(0), nullable=True),
        "asthma_ed_rate": pa.Column("float64", pa.Check.ge(0), nullable=True),
        "cardiovascular_ed_rate": pa.Column("float64", pa.Check.ge(0), nullable=True),
        "low_birth_weight_pct": pa.Column("float64", pct_check(), nullable=True),
        "asthma_pctl": _PCTL,
        "linguistic_isolation_pct": pa.Column("float64", pct_check(), nullable=True),
        "linguistic_isolation_pctl": _PCTL,
        "poverty_pct": pa.Column("float64", pct_check(), nullable=True),
        "poverty_pctl": _PCTL,
        "education_pct": pa.Column("float64", pct_check(), nullable=True),
        "unemployment_pct": pa.Column("float64", pct_check(), nullable=True),
        "housing_burden_pct": pa.Column("float64", pct_check(), nullable=True),
    }
    # every statewide percentile is 0-100
    | {f.name: _PCTL for f in CES_FIELDS if f.name.endswith("_pctl")},
    strict=False,
)


def read_calenviroscreen(path: str | Path) -> pd.DataFrame:
    """Read OEHHA's CalEnviroScreen 4.0 results by census tract (2010 tracts).

    Returns
    -------
    DataFrame, one row per tract: ``geoid`` (11 digits; OEHHA's ``tract`` drops the leading 0,
    e.g. ``6037101110`` -> ``06037101110``), ``total_population``, ``county`` (trailing spaces
    removed), ``longitude``/``latitude`` (tract centroid, degrees), ``ces_score``, ``ces_pctl``
    and, for each indicator, the value and its statewide percentile (``*_pctl``, 0-100).
    Indicator units, as OEHHA publishes them: ``asthma_ed_rate`` = age-adjusted asthma
    emergency-department visits per 10,000; ``poverty_pct`` = percent of the population below
    twice the federal poverty level (0-100); ``linguistic_isolation_pct`` = percent of
    limited-English-speaking households (0-100); ``education_pct``, ``unemployment_pct``,
    ``housing_burden_pct``, ``low_birth_weight_pct`` are percents (0-100). OEHHA's ``NA`` is read
    as missing.

    Notes
    -----
    Source: OEHHA, "CalEnviroScreen 4.0" (October 2021), results workbook
    https://oehha.ca.gov/calenviroscreen/report/calenviroscreen-40 ; method in the CalEnviroScreen
    4.0 report, pp. 17-22 (scoring) and the indicator chapters.
    """
    table = read_delimited(path)
    df = parse_fields(table, CES_FIELDS)
    df["county"] = df["county"].str.strip()
    return validate(df, CES_SCHEMA, table).reset_index(drop=True)


#: Census Bureau ACS annotation values that SVI carries over in margin columns (ACS "Notes on
#: Data Releases": -222222222 margin not computable, -333333333 median in open interval,
#: -555555555 estimate controlled so no margin, -666666666 estimate not computable, ...).
ACS_ANNOTATION_CODES = (-222222222.0, -333333333.0, -555555555.0, -666666666.0, -888888888.0,
                        -999999999.0)

_SVI_ID_COLUMNS = {"ST", "STATE", "ST_ABBR", "STCNTY", "COUNTY", "FIPS", "LOCATION"}
_SVI_NUMERIC = re.compile(r"^(E|M|EP|MP|EPL|SPL|RPL|F)_[A-Z0-9]+$|^AREA_SQMI$")


def read_svi_tracts(path: str | Path) -> pd.DataFrame:
    """Read a CDC/ATSDR Social Vulnerability Index tract (or county) file.

    Returns
    -------
    DataFrame with ``geoid`` (FIPS zero-padded: 11 digits for a tract, 5 for a county) first and
    SVI's own column names (``E_`` estimates, ``M_`` margins, ``EP_`` percents on 0-100, ``EPL_``
    and ``RPL_`` percentile ranks on 0-1, ``SPL_`` theme sums, ``F_`` flags). SVI's ``-999``
    (missing) is read as missing.

    Notes
    -----
    Source: CDC/ATSDR Social Vulnerability Index, https://www.atsdr.cdc.gov/placeandhealth/svi/ ;
    SVI 2018 documentation, pp. 3-6 (variables, percentile ranking, -999).
    """
    table = read_delimited(path)
    cols = table.frame.columns
    require_columns(table, ["FIPS"])
    # a tract file (11-digit FIPS) or a county file (5 digits); a county file read as numbers
    # has 4- and 5-digit codes, a tract file 10 and 11
    kind = (TRACT_GEOID if table.frame["FIPS"].astype(str).str.strip().str.len().max() > 5
            else COUNTY_FIPS)
    fields = [Field("FIPS", "geoid", f"id:{kind.key}")]
    fields += [Field(c, c, "text") for c in cols if c in _SVI_ID_COLUMNS - {"FIPS"}]
    fields += [Field(c, c, "float", missing=("-999", "-999.0")) for c in cols
               if _SVI_NUMERIC.match(c)]
    df = parse_fields(table, fields)
    schema = pa.DataFrameSchema(
        {"geoid": pa.Column("string", pa.Check.str_matches(kind.pattern), unique=True)}
        | {c: pa.Column("float64", pa.Check.in_range(0, 1), nullable=True)
           for c in df.columns if c.startswith(("EPL_", "RPL_"))}
        | {c: pa.Column("float64", pct_check(), nullable=True)
           for c in df.columns if c.startswith("EP_") and c != "EP_PCI"}
        # estimates, margins, theme sums, flags, per capita income and area are never negative
        # (-999, SVI's missing code, is already read as missing)
        | {c: pa.Column("float64", pa.Check.ge(0), nullable=True)
           for c in df.columns if c.startswith(("E_", "SPL_", "F_"))
           or c in ("EP_PCI", "AREA_SQMI")}
        # margins may hold the ACS annotation codes (-555555555: margin not appropriate, ...)
        | {c: pa.Column("float64", pa.Check(
               lambda s: (s >= 0) | s.isin(ACS_ANNOTATION_CODES), name="greater_than_or_equal_to(0)"),
               nullable=True)
           for c in df.columns if c.startswith(("M_", "MP_"))},
        strict=False,
    )
    return validate(df, schema, table).reset_index(drop=True)
