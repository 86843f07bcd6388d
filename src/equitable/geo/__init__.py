"""School points -> census tracts (point in polygon, nearest-centroid fallback) and
neighbourhoods. See docs/data.md and :func:`place_schools`."""

from equitable.geo._place import (
    METRIC_CRS,
    NOT_PLACED,
    PLACED_BY_CENTROID,
    PLACED_IN_POLYGON,
    PLACEMENTS,
    place_schools,
)

__all__ = [
    "METRIC_CRS",
    "NOT_PLACED",
    "PLACED_BY_CENTROID",
    "PLACED_IN_POLYGON",
    "PLACEMENTS",
    "place_schools",
]
