"""Issue 14, "nothing silent": a school with a sign-flipped latitude was placed in the tract of
the nearest centroid 6,133 km away with only a caveat. A school more than 50 km
(``MAX_CENTROID_KM``) from every tract centroid is now an error naming the school, its directory
row and the coordinate columns."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon

from equitable.data import read_school_directory
from equitable.errors import InputError
from equitable.geo import PLACED_BY_CENTROID, place_schools
from equitable.geo._place import MAX_CENTROID_KM
from equitable.pipeline._run import _directory_rows

DIRECTORY = ("CDSCode,StatusType,County,District,School,Latitude,Longitude\n"
             "19647330100001,Active,Los Angeles,Los Angeles Unified,Alpha,34.005,-118.295\n"
             "19647330100002,Active,Los Angeles,Los Angeles Unified,Beta,34.05,-118.25\n"
             "19647330100003,Active,Los Angeles,Los Angeles Unified,Gamma,{lat},-118.25\n")


@pytest.fixture()
def tracts():
    square = Polygon([(-118.30, 34.00), (-118.29, 34.00), (-118.29, 34.01), (-118.30, 34.01)])
    return gpd.GeoDataFrame({"geoid": ["06037000100"]}, geometry=[square], crs="EPSG:4326")


@pytest.fixture()
def centroids():
    # the polygon's centroid and a second tract's centroid near Beta and Gamma
    return pd.DataFrame({"geoid": ["06037000100", "06037000300"],
                         "latitude": [34.005, 34.055], "longitude": [-118.295, -118.25]})


def test_school_far_from_every_tract_is_an_error_naming_its_row(tmp_path, tracts, centroids):
    p = tmp_path / "pubschls.csv"
    p.write_text(DIRECTORY.format(lat="-34.05"))  # Gamma's latitude with its sign flipped
    directory = read_school_directory(p)
    with pytest.raises(InputError) as exc:
        place_schools(directory, tracts, tract_centroids=centroids,
                      where=_directory_rows(directory))
    # 34.05 N to 34.05 S along the meridian: about 7,540 km in California Albers (a projection
    # for California, stretched that far south)
    msg = str(exc.value)
    assert msg.startswith(
        f"{p}, row 4, columns 'Latitude', 'Longitude': school 19647330100003 at latitude -34.05, "
        "longitude -118.25 is ")
    assert msg.endswith(
        " km from the nearest census tract centroid (more than 50 km): its coordinates are wrong "
        "(a sign flipped, or latitude and longitude swapped?); fix them")
    km = float(msg.split(" is ")[1].split(" km")[0].replace(",", ""))
    assert km > 6000
    # without the file's rows: the school is still named
    with pytest.raises(InputError, match=r"^schools table: school 19647330100003 at latitude"):
        place_schools(directory, tracts, tract_centroids=centroids)


def test_schools_near_a_tract_are_placed_as_before(tmp_path, tracts, centroids):
    p = tmp_path / "pubschls.csv"
    p.write_text(DIRECTORY.format(lat="34.06"))
    directory = read_school_directory(p)
    placed = place_schools(directory, tracts, tract_centroids=centroids,
                           where=_directory_rows(directory))
    assert placed["geoid"].tolist() == ["06037000100", "06037000300", "06037000300"]
    assert placed["placement"].tolist()[1:] == [PLACED_BY_CENTROID] * 2
    # Beta sits on the second centroid's latitude 0.005 deg south: about 555 m
    assert 500 < placed["distance_m"].iloc[1] < 600
    assert MAX_CENTROID_KM == 50.0
