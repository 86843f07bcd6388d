"""The map: tract outlines and school points as server-rendered SVG (no tiles, no script).

Longitude/latitude are drawn on an equirectangular projection scaled by cos(mean latitude), which
keeps shapes true at city scale. The tract layer is one SVG built once; the school points are
drawn per request from the filtered table.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd

WIDTH = 800.0
#: Fill of each tier, highest need first (viridis end points; every marker has a dark outline,
#: so it keeps 3:1 non-text contrast against the light map whatever the fill).
TIER_COLOURS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")  # = report's


class Projection:
    def __init__(self, west: float, south: float, east: float, north: float) -> None:
        self.west, self.south, self.east, self.north = west, south, east, north
        self.kx = math.cos(math.radians((south + north) / 2))
        self.scale = WIDTH / max((east - west) * self.kx, 1e-9)
        self.height = (north - south) * self.scale

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.west) * self.kx * self.scale, (self.north - lat) * self.scale)


def projection_for(schools: pd.DataFrame, tracts) -> Projection | None:
    """The frame of the map: the placed schools with a 4% margin (tracts far from every school,
    such as the City of Los Angeles' distant parcels, are left out); the tracts' extent when no
    school has coordinates."""
    lon = schools["longitude"].dropna() if "longitude" in schools else pd.Series(dtype=float)
    lat = schools["latitude"].dropna() if "latitude" in schools else pd.Series(dtype=float)
    if len(lon):
        w, s, e, n = lon.min(), lat.min(), lon.max(), lat.max()
    elif tracts is not None and len(tracts):
        w, s, e, n = tracts.to_crs(4326).total_bounds if tracts.crs else tracts.total_bounds
    else:
        return None
    pad_x, pad_y = (e - w) * 0.04 + 1e-3, (n - s) * 0.04 + 1e-3
    return Projection(w - pad_x, s - pad_y, e + pad_x, n + pad_y)


def _ring(coords, proj: Projection) -> str:
    pts = [proj.xy(x, y) for x, y in coords]
    if len(pts) < 3:
        return ""
    return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + "Z"


def tract_layer(tracts, proj: Projection | None) -> str:
    """A standalone SVG document of the tract outlines (built once at startup; no outlines
    without tracts or a projection)."""
    parts: list[str] = []
    if tracts is not None and proj is not None:
        g = tracts.to_crs(4326) if tracts.crs else tracts
        g = g.cx[proj.west:proj.east, proj.south:proj.north]
        g = g.geometry.simplify(0.0004, preserve_topology=True)
        for geom in g:
            if geom is None or geom.is_empty:
                continue
            polys = getattr(geom, "geoms", [geom])
            d = "".join(_ring(p.exterior.coords, proj) for p in polys)
            if d:
                parts.append(f'<path d="{d}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" overflow="hidden" viewBox="0 0 {WIDTH:.0f} '
            f'{proj.height if proj else WIDTH:.0f}" width="{WIDTH:.0f}" '
            f'height="{proj.height if proj else WIDTH:.0f}">'
            '<g fill="#f4f1ea" stroke="#8a8a8a" stroke-width="0.6">' + "".join(parts)
            + "</g></svg>")


def school_points(rows: pd.DataFrame, proj: Projection, tiers: list[str],
                  label=None, colour=None) -> str:
    """SVG ``<circle>`` elements, one per placed school, each titled "name (need level)".

    ``label(tier)`` gives the need level in the page's language and ``colour(tier)`` the tier's
    colour (default: the tier label and :data:`TIER_COLOURS` by position)."""
    default = {t: TIER_COLOURS[min(i, len(TIER_COLOURS) - 1)] for i, t in enumerate(tiers)}
    label = label or (lambda t: t)
    colour = colour or (lambda t: default.get(t, "#777"))
    out = []
    for _cds, name, tier, lon, lat in zip(rows["cds_code"], rows["school_name"], rows["tier"],
                                         rows["longitude"], rows["latitude"]):
        if pd.isna(lon) or pd.isna(lat):
            continue
        x, y = proj.xy(float(lon), float(lat))
        title = escape(f"{name} ({label(tier)})")
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour(tier)}">'
                   f"<title>{title}</title></circle>")
    return "".join(out)


# --- the interactive map (Leaflet, served from the app) ------------------------------------

#: Douglas-Peucker tolerance of the neighbourhood outlines, in degrees (about 30 m at 34 °N:
#: below what a phone screen shows at street zoom, and it cuts the Mapping L.A. file from
#: 1.1 MB to a few hundred kB).
HOOD_TOLERANCE = 0.0003
#: Decimal places kept of each coordinate (5 places = about 1 m).
HOOD_DIGITS = 5


def _round_coords(coords, digits: int):
    if isinstance(coords[0], (int, float)):
        return [round(float(coords[0]), digits), round(float(coords[1]), digits)]
    return [_round_coords(c, digits) for c in coords]


def neighbourhood_layer(hoods) -> tuple[str, list[dict]]:
    """The neighbourhood outlines as a compact GeoJSON text and the list of neighbourhoods.

    ``hoods`` is :func:`equitable.data.read_neighbourhoods`'s GeoDataFrame (EPSG:4326). Each
    polygon is simplified with shapely's Douglas-Peucker ``simplify`` (:data:`HOOD_TOLERANCE`,
    topology preserved), its coordinates rounded to :data:`HOOD_DIGITS` places; features keep
    ``name`` and the label point (``lat``, ``lon``), sorted by name. Same input, same bytes.

    Returns
    -------
    (geojson, options): ``options`` is ``[{"name", "bounds": (west, south, east, north)}]``
    in name order, for the "zoom to a neighbourhood" list.
    """
    import json

    from shapely.geometry import mapping

    g = hoods.to_crs(4326) if hoods.crs is not None and hoods.crs.to_epsg() != 4326 else hoods
    simple = g.geometry.simplify(HOOD_TOLERANCE, preserve_topology=True)
    rows = sorted(zip(g["neighbourhood"].astype(str), simple, g["latitude"], g["longitude"],
                      g.geometry), key=lambda r: r[0])
    features, options = [], []
    for name, geom, lat, lon, full in rows:
        if geom is None or geom.is_empty:
            continue
        w, s, e, n = (round(float(v), HOOD_DIGITS) for v in full.bounds)
        if pd.isna(lat) or pd.isna(lon):
            pt = full.representative_point()
            lat, lon = pt.y, pt.x
        geo = mapping(geom)
        features.append({"type": "Feature",
                         "properties": {"name": name, "lat": round(float(lat), HOOD_DIGITS),
                                        "lon": round(float(lon), HOOD_DIGITS)},
                         "geometry": {"type": geo["type"],
                                      "coordinates": _round_coords(geo["coordinates"],
                                                                   HOOD_DIGITS)}})
        options.append({"name": name, "bounds": (w, s, e, n)})
    text = json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":"), ensure_ascii=False)
    return text, options


def zip_options(schools: pd.DataFrame) -> list[dict]:
    """``[{"zip", "n", "bounds": (west, south, east, north)}]``: each ZIP code of the placed
    schools (the CDE directory's ``Zip``) with the frame of its schools, in ZIP order."""
    if "zip" not in schools or "latitude" not in schools:
        return []
    s = schools[schools["zip"].notna() & schools["latitude"].notna()
                & schools["longitude"].notna()]
    out = []
    for z, grp in s.groupby("zip", sort=True):
        w, e = float(grp["longitude"].min()), float(grp["longitude"].max())
        so, n = float(grp["latitude"].min()), float(grp["latitude"].max())
        out.append({"zip": str(z), "n": len(grp),
                    "bounds": tuple(round(v, HOOD_DIGITS) for v in (w, so, e, n))})
    return out
