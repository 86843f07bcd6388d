"""Polygon files: Census TIGER tracts and the LA Times "Mapping L.A." neighbourhoods."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pandera.pandas as pa

from equitable.data._common import Table, pad_code, parse_text, validate
from equitable.errors import InputError
from equitable.ids import TRACT_GEOID


def _read_geojson(path: str | Path) -> gpd.GeoDataFrame:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    if p.is_dir():
        raise InputError(f"{p}: is a folder, not a file")
    if p.stat().st_size == 0:
        raise InputError(f"{p}: the file is empty")
    with open(p, "rb") as fh:
        start = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"{"):
        raise InputError(f"{p}: not a GeoJSON file (it does not start with '{{')")
    try:
        gdf = gpd.read_file(p, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 - pyogrio raises DataSourceError and others
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{p}: not a readable GeoJSON file ({first})") from None
    if gdf.empty:
        raise InputError(f"{p}: the file has no features")
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        pos = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError(f"{p}, feature {pos + 1}: the feature has no geometry")
    return gdf


def _as_table(gdf: gpd.GeoDataFrame, path: Path) -> Table:
    props = pd.DataFrame(gdf.drop(columns="geometry")).astype("string").fillna("")
    # "row" in messages is the 1-based feature number
    return Table(props.reset_index(drop=True), path, first_line=1)


_TRACT_SCHEMA = pa.DataFrameSchema(
    {"geoid": pa.Column("string", pa.Check.str_matches(TRACT_GEOID.pattern), unique=True)}, strict=False
)


def read_tracts(path: str | Path) -> gpd.GeoDataFrame:
    """Read Census TIGER/Line tract polygons (GeoJSON; 2010 or 2020 vintage).

    Returns
    -------
    GeoDataFrame: ``geoid`` (11-digit string), ``name`` (tract number, e.g. ``2051.10``),
    ``geometry`` (polygons in the file's CRS, EPSG:4269 NAD83 for TIGER).

    Raises
    ------
    InputError
        Not a GeoJSON file, no ``GEOID`` (or ``GEOID10``/``GEOID20``) property, a GEOID that is
        not 11 digits, a duplicate GEOID, a feature without geometry ("row" = feature number).

    Notes
    -----
    Source: U.S. Census Bureau, TIGER/Line Shapefiles, census tracts,
    https://www.census.gov/geographies/mapping-files/time-series/geo/tiger-line-file.html
    """
    p = Path(path)
    gdf = _read_geojson(p)
    table = _as_table(gdf, p)
    column = next((c for c in ("GEOID", "GEOID10", "GEOID20") if c in table.frame.columns), None)
    if column is None:
        raise InputError(f"{p}: missing property 'GEOID' (also looked for GEOID10, GEOID20)")
    geoid = pad_code(table, column, TRACT_GEOID)
    name_col = next((c for c in ("NAME", "NAME10", "NAME20") if c in table.frame.columns), None)
    df = pd.DataFrame({"geoid": geoid})
    df["name"] = parse_text(table, name_col) if name_col else pd.Series(pd.NA, dtype="string")
    df = validate(df, _TRACT_SCHEMA, table)
    return gpd.GeoDataFrame(df, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)


def read_neighbourhoods(path: str | Path) -> gpd.GeoDataFrame:
    """Read the LA Times "Mapping L.A." neighbourhood polygons.

    The published file's ``latitude`` and ``longitude`` properties are swapped (``latitude``
    holds about -118, ``longitude`` about 34); the reader detects the swap (a latitude outside
    -90..90) and puts each value in its right column. The polygons themselves are in the right
    (longitude, latitude) order.

    Returns
    -------
    GeoDataFrame: ``neighbourhood`` (display name, e.g. ``Boyle Heights``), ``slug``, ``kind``
    (``segment-of-a-city``, ``unincorporated-area``, ``standalone-city``), ``latitude`` and
    ``longitude`` (label point, degrees), ``geometry`` (EPSG:4326).

    Notes
    -----
    Source: Los Angeles Times Data Desk, "Mapping L.A." neighbourhood boundaries,
    https://maps.latimes.com/neighborhoods/ (L.A. County Neighborhoods, current set).
    """
    p = Path(path)
    gdf = _read_geojson(p)
    table = _as_table(gdf, p)
    if "name" not in table.frame.columns:
        raise InputError(f"{p}: missing property 'name'")
    lat = pd.to_numeric(table.frame.get("latitude", pd.Series(dtype=str)), errors="coerce")
    lon = pd.to_numeric(table.frame.get("longitude", pd.Series(dtype=str)), errors="coerce")
    swapped = bool((lat.abs() > 90).any())
    if swapped:
        lat, lon = lon, lat
    df = pd.DataFrame({
        "neighbourhood": parse_text(table, "name"),
        "slug": parse_text(table, "slug") if "slug" in table.frame.columns else pd.NA,
        "kind": parse_text(table, "type") if "type" in table.frame.columns else pd.NA,
        "latitude": lat.astype("float64").to_numpy(),
        "longitude": lon.astype("float64").to_numpy(),
    })
    schema = pa.DataFrameSchema(
        {
            "neighbourhood": pa.Column("string", nullable=False),
            "latitude": pa.Column("float64", pa.Check.in_range(-90, 90), nullable=True),
            "longitude": pa.Column("float64", pa.Check.in_range(-180, 180), nullable=True),
        },
        strict=False,
    )
    df = validate(df, schema, table)
    crs = gdf.crs if gdf.crs is not None else "EPSG:4326"
    return gpd.GeoDataFrame(df, geometry=gdf.geometry.to_numpy(), crs=crs)


def geojson_feature_count(path: str | Path) -> int:
    """Number of features in a GeoJSON file (cheap check used by tests and the report)."""
    with open(path, encoding="utf-8") as fh:
        return len(json.load(fh).get("features", []))
