"""Place school points in census tracts and neighbourhoods."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from equitable.errors import InputError

#: Values of the ``placement`` column.
PLACED_IN_POLYGON = "tract polygon"
PLACED_BY_CENTROID = "nearest tract centroid"
NOT_PLACED = "not placed"

PLACEMENTS = (PLACED_IN_POLYGON, PLACED_BY_CENTROID, NOT_PLACED)

#: California Albers (NAD83), metres: the CRS used for distances.
METRIC_CRS = "EPSG:3310"
WGS84 = "EPSG:4326"

#: A school placed by the nearest tract centroid must be within this many km of it. Measured:
#: the LAUSD schools outside the City of Los Angeles's tract polygons are at most 1.8 km from a
#: CalEnviroScreen 4.0 tract centroid, every school of the 2018 LA County directory at most
#: 19.0 km. A school farther away has wrong coordinates (with its latitude's sign flipped an LA
#: County school is 6,071-6,184 km from the nearest centroid), which would give it a far-away
#: tract's indicators. Large desert tracts may need more: ``place_schools(max_centroid_km=...)``.
MAX_CENTROID_KM = 50.0


def place_schools(
    schools: pd.DataFrame,
    tracts: gpd.GeoDataFrame,
    *,
    tract_centroids: pd.DataFrame | None = None,
    neighbourhoods: gpd.GeoDataFrame | None = None,
    id_column: str = "cds_code",
    max_centroid_km: float | None = MAX_CENTROID_KM,
    where: Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """Give each school its census tract (and neighbourhood) from its latitude and longitude.

    Method, in order:

    1. **Point in polygon.** A school whose point lies in (or on the boundary of) a tract polygon
       gets that tract (``placement = "tract polygon"``); on a shared boundary the smallest GEOID
       is taken so the result does not depend on file order.
    2. **Nearest tract centroid.** A school outside every polygon (the polygon file covers the
       City of Los Angeles, not all of LAUSD) gets the tract whose centroid is nearest, measured
       in metres in California Albers (EPSG:3310) (``placement = "nearest tract centroid"``;
       ``distance_m`` gives the distance). A school more than ``max_centroid_km`` (default
       :data:`MAX_CENTROID_KM`, 50 km) from the nearest centroid is an error: its coordinates
       are wrong (a sign flipped, latitude and longitude swapped), not a school to place.
    3. A school without coordinates (e.g. opened after the directory was published) is
       ``"not placed"``: ``geoid`` is missing and its community indicators follow the index
       spec's missing-value rule.

    The neighbourhood is the Mapping L.A. polygon containing the point (missing when none does).

    Parameters
    ----------
    schools : DataFrame with ``id_column``, ``latitude``, ``longitude`` (WGS 84 degrees; NaN when
        unknown). One row per school.
    tracts : tract polygons with ``geoid`` (from :func:`equitable.data.read_tracts`).
    tract_centroids : DataFrame with ``geoid``, ``latitude``, ``longitude`` of candidate tracts for
        the fallback (CalEnviroScreen's tract centroids). ``None``: no fallback.
    neighbourhoods : polygons with ``neighbourhood`` (from
        :func:`equitable.data.read_neighbourhoods`), or ``None``.
    max_centroid_km : the plausibility limit of step 2 (``None``: no limit).
    where : school id -> where its coordinates come from (``file, row N, columns 'Latitude',
        'Longitude'``), for the message; default ``schools table``.

    Returns
    -------
    DataFrame in the order of ``schools``: ``id_column``, ``geoid`` (11-digit string or missing),
    ``placement`` (one of :data:`PLACEMENTS`), ``distance_m`` (metres to the centroid for the
    fallback, 0 inside a polygon, NaN when not placed), ``neighbourhood``.

    Raises
    ------
    InputError
        A needed column is missing; a school is more than ``max_centroid_km`` from every tract
        centroid (the message names the school's id, its row and columns when ``where`` is
        given, and the distance).
    """
    for col in (id_column, "latitude", "longitude"):
        if col not in schools.columns:
            raise InputError(f"schools table: missing column '{col}'")
    if "geoid" not in tracts.columns:
        raise InputError("tracts: missing column 'geoid'")
    n = len(schools)
    lat = pd.to_numeric(schools["latitude"], errors="coerce").to_numpy(dtype="float64")
    lon = pd.to_numeric(schools["longitude"], errors="coerce").to_numpy(dtype="float64")
    has_point = np.isfinite(lat) & np.isfinite(lon)

    geoid = np.full(n, None, dtype=object)
    placement = np.full(n, NOT_PLACED, dtype=object)
    distance = np.full(n, np.nan)
    hood = np.full(n, None, dtype=object)

    idx = np.flatnonzero(has_point)
    if len(idx):
        pts = gpd.GeoDataFrame(
            {"_pos": idx}, geometry=gpd.points_from_xy(lon[idx], lat[idx]), crs=WGS84
        )
        # 1. point in polygon
        t = tracts[["geoid", "geometry"]]
        pts_t = pts.to_crs(t.crs) if t.crs is not None else pts
        hit = gpd.sjoin(pts_t, t, how="inner", predicate="intersects")
        if len(hit):
            first = hit.sort_values(["_pos", "geoid"]).drop_duplicates("_pos")
            pos = first["_pos"].to_numpy()
            geoid[pos] = first["geoid"].astype(str).to_numpy()
            placement[pos] = PLACED_IN_POLYGON
            distance[pos] = 0.0
        # 2. nearest centroid
        rest = idx[placement[idx] == NOT_PLACED]
        if len(rest) and tract_centroids is not None and len(tract_centroids):
            c = tract_centroids.dropna(subset=["latitude", "longitude"])
            c = c.sort_values("geoid", kind="stable")
            cxy = _albers(c["longitude"].to_numpy(float), c["latitude"].to_numpy(float))
            sxy = _albers(lon[rest], lat[rest])
            d, j = cKDTree(cxy).query(sxy, k=1)
            if max_centroid_km is not None:
                _check_far(d, rest, schools[id_column], lat, lon, max_centroid_km, where)
            geoid[rest] = c["geoid"].astype(str).to_numpy()[j]
            placement[rest] = PLACED_BY_CENTROID
            distance[rest] = np.round(d, 1)
        # neighbourhood
        if neighbourhoods is not None and len(neighbourhoods):
            nb = neighbourhoods[["neighbourhood", "geometry"]]
            pts_n = pts.to_crs(nb.crs) if nb.crs is not None else pts
            hit = gpd.sjoin(pts_n, nb, how="inner", predicate="intersects")
            if len(hit):
                first = hit.sort_values(["_pos", "neighbourhood"]).drop_duplicates("_pos")
                hood[first["_pos"].to_numpy()] = first["neighbourhood"].astype(str).to_numpy()

    out = pd.DataFrame({
        id_column: schools[id_column].to_numpy(),
        "geoid": pd.array(geoid, dtype="string"),
        "placement": pd.array(placement, dtype="string"),
        "distance_m": distance,
        "neighbourhood": pd.array(hood, dtype="string"),
    })
    out.index = schools.index
    return out


def _check_far(d: np.ndarray, rest: np.ndarray, ids: pd.Series, lat: np.ndarray,
               lon: np.ndarray, limit_km: float, where: Callable[[str], str] | None) -> None:
    far = np.flatnonzero(d > limit_km * 1000)
    if not len(far):
        return
    k = int(far[np.argmax(d[far])])  # the farthest: the likeliest sign flip
    pos = int(rest[k])
    school = str(ids.iloc[pos])
    place = where(school) if where is not None else "schools table"
    more = f" ({len(far) - 1} more school(s) too)" if len(far) > 1 else ""
    raise InputError(
        f"{place}: school {school} at latitude {lat[pos]:g}, longitude {lon[pos]:g} is "
        f"{d[k] / 1000:,.0f} km from the nearest census tract centroid (more than "
        f"{limit_km:g} km): its coordinates are wrong (a sign flipped, or latitude and longitude "
        f"swapped?); fix them{more}"
    )


def _albers(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    from pyproj import Transformer

    tr = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
    x, y = tr.transform(lon, lat)
    return np.column_stack([x, y])
