"""Placing schools in tracts: point in polygon, nearest-centroid fallback, not placed."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Polygon

from equitable.data import (
    read_calenviroscreen,
    read_lausd_schools,
    read_neighbourhoods,
    read_school_directory,
    read_tracts,
)
from equitable.errors import InputError
from equitable.geo import NOT_PLACED, PLACED_BY_CENTROID, PLACED_IN_POLYGON, place_schools


def _square(x0, y0, side=0.01):
    return Polygon([(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side)])


@pytest.fixture()
def tracts():
    return gpd.GeoDataFrame(
        {"geoid": ["06037000200", "06037000100"]},
        geometry=[_square(-118.30, 34.00), _square(-118.29, 34.00)],  # share the edge x=-118.29
        crs="EPSG:4326",
    )


def test_point_in_polygon_boundary_and_not_placed(tracts):
    schools = pd.DataFrame({
        "cds_code": ["a", "b", "c", "d"],
        "latitude": [34.005, 34.005, 34.005, np.nan],
        "longitude": [-118.295, -118.285, -118.29, np.nan],
    })
    out = place_schools(schools, tracts)
    assert list(out["geoid"].astype(object).where(out["geoid"].notna(), None)) == [
        "06037000200", "06037000100", "06037000100", None]
    # c lies on the shared edge: the smaller GEOID wins, whatever the file order
    assert list(out["placement"]) == [PLACED_IN_POLYGON] * 3 + [NOT_PLACED]
    assert out.loc[3, "distance_m"] != out.loc[3, "distance_m"]  # NaN


def test_nearest_centroid_fallback_distance_in_metres(tracts):
    centroids = pd.DataFrame({
        "geoid": ["06037000100", "06037000200", "06037999900"],
        "latitude": [34.005, 34.005, 34.100],
        "longitude": [-118.285, -118.295, -118.200],
    })
    schools = pd.DataFrame({"cds_code": ["x"], "latitude": [34.02], "longitude": [-118.281]})
    out = place_schools(schools, tracts, tract_centroids=centroids)
    assert out.loc[0, "placement"] == PLACED_BY_CENTROID
    assert out.loc[0, "geoid"] == "06037000100"
    # the distance, by hand, in California Albers (EPSG:3310)
    tr = Transformer.from_crs("EPSG:4326", "EPSG:3310", always_xy=True)
    x1, y1 = tr.transform(-118.281, 34.02)
    x2, y2 = tr.transform(-118.285, 34.005)
    assert out.loc[0, "distance_m"] == pytest.approx(math.hypot(x1 - x2, y1 - y2), abs=0.06)
    # and about 1.7 km on the ground (0.015 deg of latitude ~ 1,666 m; 0.004 deg lon ~ 369 m)
    assert 1_650 < out.loc[0, "distance_m"] < 1_760


def test_neighbourhood_and_missing_columns(tracts):
    hoods = gpd.GeoDataFrame({"neighbourhood": ["West", "East"]},
                             geometry=[_square(-118.30, 34.00), _square(-118.29, 34.00)],
                             crs="EPSG:4326")
    schools = pd.DataFrame({"cds_code": ["a", "b"], "latitude": [34.005, 35.0],
                            "longitude": [-118.295, -118.0]})
    out = place_schools(schools, tracts, neighbourhoods=hoods)
    assert out.loc[0, "neighbourhood"] == "West"
    assert pd.isna(out.loc[1, "neighbourhood"])
    # no centroid fallback given: outside every polygon means not placed
    assert out.loc[1, "placement"] == NOT_PLACED
    with pytest.raises(InputError, match="missing column 'latitude'"):
        place_schools(schools.drop(columns="latitude"), tracts)


def test_tracts_in_another_crs_are_reprojected(tracts):
    t3310 = tracts.to_crs("EPSG:3310")
    schools = pd.DataFrame({"cds_code": ["a"], "latitude": [34.005], "longitude": [-118.295]})
    assert place_schools(schools, t3310).loc[0, "geoid"] == "06037000200"


@pytest.mark.data
def test_lausd_schools_placed_on_real_files(data_dir):
    s = read_lausd_schools(data_dir / "lausd/schools_2024_25.csv")
    d = read_school_directory(data_dir / "cde/pubschls_2018_los_angeles_county.csv")
    x = s.merge(d[["cds_code", "latitude", "longitude"]], on="cds_code", how="left")
    out = place_schools(
        x, read_tracts(data_dir / "community/tiger_tracts_2010_la_city.geojson"),
        tract_centroids=read_calenviroscreen(
            data_dir / "community/calenviroscreen40_results_tract.csv"),
        neighbourhoods=read_neighbourhoods(
            data_dir / "community/la_times_neighborhoods_la_county.geojson"),
    ).set_index("cds_code")
    counts = out["placement"].value_counts()
    # one school (University Pathways Public Service Academy) opened after January 2018
    assert counts[NOT_PLACED] == 1
    assert out.loc["19647330137091", "placement"] == NOT_PLACED
    assert counts[PLACED_IN_POLYGON] + counts[PLACED_BY_CENTROID] == 650
    # the tract file covers the City of LA only: LAUSD schools in other cities (Carson,
    # Gardena, ...) fall back to the nearest centroid, all within 2 km
    assert counts[PLACED_BY_CENTROID] > 100
    assert out.loc[out["placement"] == PLACED_BY_CENTROID, "distance_m"].max() < 2_000
    # Abraham Lincoln Senior High, 3501 North Broadway: Lincoln Heights, tract 1992.02
    assert out.loc["19647331935121", "neighbourhood"] == "Lincoln Heights"
    assert out.loc["19647331935121", "geoid"] == "06037199202"
