"""School names and coordinates from CDE's real "Public Schools and Districts" file."""

from __future__ import annotations

import csv

import pytest

from equitable.outreach import import_schools
from equitable.outreach._db import read_session
from equitable.outreach._models import School

pytestmark = pytest.mark.data


def test_cde_directory_loads_with_published_coordinates(sqlite_engine, data_dir):
    path = data_dir / "cde" / "pubschls_2018_los_angeles_county.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with_coords = sum(1 for r in rows if r["Latitude"].strip() and r["Longitude"].strip())
    assert len(rows) == 3667  # data/README.md
    assert import_schools(sqlite_engine, path) == 3667
    with read_session(sqlite_engine) as s:
        belmont = s.get(School, "19647331930924")
        stored = s.query(School).filter(School.latitude.is_not(None)).count()
    # Belmont Senior High, 1575 West 2nd Street, Los Angeles, as CDE publishes it
    assert (belmont.name, belmont.latitude, belmont.longitude) == (
        "Belmont Senior High", 34.061222, -118.26301)
    assert stored == with_coords
