"""Synthetic inputs in the real files' layouts, for tests and the benchmark (no real students).

:func:`write_synthetic_inputs` writes a data folder with a school table, its math companion, a
CDE-layout FRPM file and directory, a CalEnviroScreen-layout tract file, square tract polygons and
neighbourhood polygons (with the Mapping L.A. swapped latitude/longitude properties), and a config.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

FRPM_HEADER = [
    "Academic Year", "County Code", "District Code", "School Code", "County Name",
    "District Name", "School Name", "District Type", "School Type", "Educational Option Type",
    "Charter School (Y/N)", "Charter School Number", "Charter Funding Type", "IRC", "Low Grade",
    "High Grade", "Enrollment (K-12)", "Free Meal Count (K-12)",
    "Percent (%) Eligible Free (K-12)", "FRPM Count (K-12)", "Percent (%) Eligible FRPM (K-12)",
    "Enrollment (Ages 5-17)", "Free Meal Count (Ages 5-17)",
    "Percent (%) Eligible Free (Ages 5-17)", "FRPM Count (Ages 5-17)",
    "Percent (%) Eligible FRPM (Ages 5-17)", "CALPADS Fall 1 Certification Status",
]


def synthetic_config(name: str = "synthetic", district_code: str | None = None,
                     budget: int = 100_000_000) -> str:
    """A config (TOML text) for the files :func:`write_synthetic_inputs` writes."""
    district = f'district_code = "{district_code}"\n' if district_code else ""
    return f"""name = "{name}"
title = "Synthetic run"

[inputs]
schools = "schools.csv"
math = "math.csv"
frpm = "frpm.csv"
directory = "directory.csv"
calenviroscreen = "ces.csv"
tracts = "tracts.geojson"
neighbourhoods = "neighbourhoods.geojson"
allow_subset = true   # the synthetic CalEnviroScreen file has a few hundred of the 8,035 tracts

[selection]
{district}
[index]
spec = "seni-style"

[allocation]
kind = "tier_rates"
budget = {budget}
solve = true

[allocation.weights]
"1 Highest" = 1.5
"2 High" = 1.25
"3 Moderate" = 1.0
"4 Low" = 0.75
"5 Lowest" = 0.5
"""


def write_synthetic_inputs(
    folder: str | Path,
    n_schools: int = 200,
    *,
    n_districts: int = 1,
    grid: int = 20,
    seed: int = 0,
    n_charters: int = 0,
    n_unplaced: int = 0,
    n_outside: int = 0,
) -> Path:
    """Write synthetic input files and ``config.toml`` into ``folder``; return the config path.

    Parameters
    ----------
    n_schools : rows of the school table (all active, district-run unless ``n_charters``).
    n_districts : districts the schools are spread over (district codes ``10001``...).
    grid : tracts form a ``grid x grid`` square grid (0.02 degrees a side) near Los Angeles.
    n_charters : the first ``n_charters`` schools are directly funded charters (not ranked).
    n_unplaced : the last ``n_unplaced`` schools are missing from the directory (not placed).
    n_outside : schools placed just outside the grid (placed by the nearest tract centroid).
    """
    rng = np.random.default_rng(seed)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    lon0, lat0, side = -118.6, 33.7, 0.02
    # ---- tracts ---------------------------------------------------------------------------
    feats = []
    ces_rows = []
    k = 0
    for i in range(grid):
        for j in range(grid):
            k += 1
            geoid = f"06037{k:06d}"
            x0, y0 = lon0 + i * side, lat0 + j * side
            ring = [[x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side], [x0, y0]]
            feats.append({"type": "Feature", "properties": {"GEOID": geoid, "NAME": f"{k}"},
                          "geometry": {"type": "Polygon", "coordinates": [ring]}})
            ces_rows.append({
                "tract": geoid.lstrip("0"), "Total Population": int(rng.integers(1000, 8000)),
                "county": "Los Angeles ", "ZIP": "90000", "Approximate Location": "Synthetic",
                "Longitude": round(x0 + side / 2, 6), "Latitude": round(y0 + side / 2, 6),
                "CES 4.0 Score": round(float(rng.uniform(5, 80)), 2),
                "CES 4.0 Percentile": round(float(rng.uniform(0, 100)), 2),
                "Asthma": round(float(rng.uniform(10, 150)), 2),
                "Asthma Pctl": round(float(rng.uniform(0, 100)), 2),
                "Linguistic Isolation": round(float(rng.uniform(0, 50)), 1),
                "Linguistic Isolation Pctl": round(float(rng.uniform(0, 100)), 2),
                "Poverty": round(float(rng.uniform(5, 80)), 1),
                "Poverty Pctl": round(float(rng.uniform(0, 100)), 2),
            })
    (out / "tracts.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    pd.DataFrame(ces_rows).to_csv(out / "ces.csv", index=False)
    # ---- neighbourhoods: four quadrants, latitude/longitude properties swapped ------------
    half = grid * side / 2
    hood_feats = []
    for q, (dx, dy) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)]):
        x0, y0 = lon0 + dx * half, lat0 + dy * half
        ring = [[x0, y0], [x0 + half, y0], [x0 + half, y0 + half], [x0, y0 + half], [x0, y0]]
        hood_feats.append({"type": "Feature", "properties": {
            "name": f"Hood {q + 1}", "slug": f"hood-{q + 1}", "type": "segment-of-a-city",
            "latitude": str(x0 + half / 2), "longitude": str(y0 + half / 2)},
            "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]}})
    (out / "neighbourhoods.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": hood_feats}), encoding="utf-8")
    # ---- schools ----------------------------------------------------------------------------
    n = n_schools
    district = np.array([f"{10001 + (i % n_districts):05d}" for i in range(n)])
    cds = np.array([f"19{d}{1000000 + i:07d}" for i, d in enumerate(district)])
    enrollment = rng.integers(80, 2500, n)
    frpm = np.round(rng.uniform(10, 100, n), 4)
    el = np.round(rng.uniform(0, 60, n), 4)
    swd = np.round(rng.uniform(5, 30, n), 4)
    ela = np.round(rng.uniform(5, 95, n), 2)
    mth = np.round(rng.uniform(5, 95, n), 2)
    span = rng.choice(["elementary", "middle", "high", "k12"], n, p=[0.7, 0.12, 0.15, 0.03])
    names = [f"School {i + 1}" for i in range(n)]
    pd.DataFrame({
        "cds": cds, "school_name": names, "span": span, "enrollment": enrollment,
        "pct_frpm": frpm, "pct_el": el, "pct_swd": swd, "fed_ppe": 2000, "sl_ppe": 20000,
        "total_ppe": 22000, "ela_prior_pct_met": ela, "ela_pct_met": ela,
    }).to_csv(out / "schools.csv", index=False)
    pd.DataFrame({"cds": cds, "math_prior_pct_met": mth, "math_pct_met": mth}).to_csv(
        out / "math.csv", index=False)
    charter = np.array(["No "] * n, dtype=object)
    funding = np.array([""] * n, dtype=object)
    charter[:n_charters] = "Yes"
    funding[:n_charters] = "Directly funded"
    frpm_count = np.round(enrollment * frpm / 100).astype(int)
    pd.DataFrame(dict(zip(FRPM_HEADER, [
        "2023-2024", "19", district, [c[7:] for c in cds], "Los Angeles",
        [f"District {d}" for d in district], names, "Unified School District",
        "Elementary Schools (Public)", "Traditional", charter, "", funding, "Y", "K", "5",
        enrollment, frpm_count, frpm_count / enrollment, frpm_count, frpm_count / enrollment,
        enrollment, frpm_count, frpm_count / enrollment, frpm_count, frpm_count / enrollment,
        "Y",
    ]))).to_csv(out / "frpm.csv", index=False)
    lon = lon0 + rng.uniform(0.001, grid * side - 0.001, n)
    lat = lat0 + rng.uniform(0.001, grid * side - 0.001, n)
    if n_outside:
        lon[-(n_unplaced + n_outside):n - n_unplaced] = lon0 - 0.005
    keep = n - n_unplaced
    pd.DataFrame({
        "CDSCode": cds[:keep], "StatusType": "Active", "County": "Los Angeles",
        "District": [f"District {d}" for d in district[:keep]], "School": names[:keep],
        "Charter": np.where(charter[:keep] == "Yes", "Y", "N"), "Latitude": np.round(lat[:keep], 6),
        "Longitude": np.round(lon[:keep], 6),
    }).to_csv(out / "directory.csv", index=False)
    cfg = out / "config.toml"
    cfg.write_text(synthetic_config(), encoding="utf-8")
    return cfg


def write_synthetic_hpi(folder: str | Path, *, blank: int = 1, seed: int = 0) -> Path:
    """Write ``hpi.csv`` in the layout of the HPI 2.0 master file (``CensusTract`` without the
    leading 0, ``hpi2score``, ``hpi2_pctile_pos``, ``hpi2_pctile_neg``, ``quartiles``) for the
    tracts of ``folder/ces.csv`` (written by :func:`write_synthetic_inputs`). SYNTHETIC values:
    the percentiles are random; the quartile follows the percentile as in the published file
    (1 = healthiest: percentile above 75.01, ..., 4 = below 25.01). The last ``blank`` tracts
    have no score (all score fields empty, as 85 Los Angeles County tracts of the real file).
    """
    out = Path(folder)
    rng = np.random.default_rng(seed)
    tracts = pd.read_csv(out / "ces.csv", dtype={"tract": str})["tract"]
    pos = np.round(rng.uniform(0.5, 99.5, len(tracts)), 6)
    quart = np.where(pos > 75.01, 1, np.where(pos > 50.01, 2, np.where(pos > 25.01, 3, 4)))
    df = pd.DataFrame({"CensusTract": tracts, "pop2010": 4000, "City": "Synthetic",
                       "hpi2score": np.round((pos - 50) / 50, 6), "hpi2_pctile_pos": pos,
                       "hpi2_pctile_neg": np.round(100 - pos, 6), "quartiles": quart})
    df = df.astype(object)
    if blank:
        df.loc[df.index[-blank:], ["hpi2score", "hpi2_pctile_pos", "hpi2_pctile_neg",
                                   "quartiles"]] = None
    path = out / "hpi.csv"
    df.to_csv(path, index=False)
    return path
