"""The ``[health]`` section of ``equitable run`` (docs/run.md, docs/health.md).

With ``[health] hpi = ...`` in the config, ``run`` writes ``health.csv`` beside the allocation:
one row per ranked school (the order of ``schools.csv``) with its census tract's community
health vulnerability, from the same tract placement as the need index (so the school's
CalEnviroScreen values are the ones in ``schools.csv``):

* CalEnviroScreen 4.0 score and percentile (OEHHA, October 2021);
* SVI 2018 overall percentile rank (CDC/ATSDR; 0-1 within California), when ``svi`` is given;
* Healthy Places Index 2.0 score, percentile (higher = healthier) and published statewide
  quartile (1 = healthiest), through the ``hpi-2.0`` index preset (Public Health Alliance of
  Southern California, 2018);
* the Vaccine Equity Metric quartile (CDPH, March 2021; 1 = least healthy = 5 - HPI quartile)
  and the need weight of ``equitable sites`` (1 + HPI need percentile / 100), so ``health.csv``
  is a valid schools file for ``equitable sites``;
* with ``sites = "<folder>"`` (a site plan written by ``equitable sites``): each school's
  nearest planned site, its name and the travel to it (km by road estimate, or minutes), and
  whether a planned site is within the plan's reach.

Nothing is dropped: a school without a tract or a tract without a value keeps its row with
empty cells, and the counts go to the terminal and run.json (``extra.health``); schools whose
values are those of the nearest tract (outside every tract polygon) are a caveat
(``health_placed_by_nearest_tract``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equitable.errors import InputError, location

__all__ = ["HEALTH_FILE", "SITE_COLUMNS", "health_table", "read_site_plan"]

#: The file ``equitable run`` writes with ``[health]``.
HEALTH_FILE = "health.csv"

#: Columns added from a site plan (``[health] sites``).
SITE_COLUMNS = ["nearest_site_id", "nearest_site_name", "nearest_site_travel",
                "nearest_site_unit", "site_within_reach"]

_BASE = ["cds_code", "school_name", "tier", "enrollment", "latitude", "longitude", "geoid",
         "placement", "distance_m"]
_VALUES = ["ces_score", "ces_pctl", "svi_rpl_themes", "hpi2score", "hpi_pctile_pos",
           "hpi_need_pctl", "hpi_quartile", "vem_quartile", "need_weight", "need_weight_source"]


def _csv_strings(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None


def read_site_plan(folder: Path) -> tuple[pd.DataFrame, dict[str, Path]]:
    """Read a site plan written by ``equitable sites`` (docs/health.md, section 2).

    Parameters
    ----------
    folder : the plan's output folder, with ``sites.csv`` (``site_id``, ``name``) and
        ``schools.csv`` (``school_id``, ``reached``, ``nearest_site_id`` and
        ``nearest_travel_km`` or ``nearest_travel_min``).

    Returns
    -------
    (plan, files): ``plan`` has one row per school of the plan: ``school_id``,
    ``nearest_site_id``, ``nearest_site_name``, ``nearest_site_travel`` (float, NaN when no
    site), ``nearest_site_unit`` (``km`` or ``min``), ``site_within_reach`` (``true``/``false``);
    ``files`` the two files read (for run.json).

    Raises
    ------
    InputError
        A file or column missing, a duplicate school, a nearest site that is not in
        ``sites.csv``, a travel that is not a number >= 0 (naming file, row and column).
    """
    files = {"health_sites": folder / "sites.csv", "health_site_schools": folder / "schools.csv"}
    for p in files.values():
        if not p.is_file():
            raise InputError(f"{p}: site plan file not found ([health] sites names the output "
                             "folder of 'equitable sites')")
    sites = _csv_strings(files["health_sites"])
    sch = _csv_strings(files["health_site_schools"])
    for df, p, cols in ((sites, files["health_sites"], ("site_id",)),
                        (sch, files["health_site_schools"],
                         ("school_id", "reached", "nearest_site_id"))):
        for c in cols:
            if c not in df.columns:
                raise InputError(f"{location(p, 1, c)}: missing column (a file written by "
                                 "'equitable sites' has it)")
    unit = "km" if "nearest_travel_km" in sch.columns else "min"
    tcol = f"nearest_travel_{unit}"
    p = files["health_site_schools"]
    if tcol not in sch.columns:
        raise InputError(f"{location(p, 1, 'nearest_travel_km')}: missing column (or "
                         "'nearest_travel_min')")
    dup = sch["school_id"].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(f"{location(p, i + 2, 'school_id')}: duplicate school id")
    names = dict(zip(sites["site_id"], sites["name"] if "name" in sites.columns
                     else sites["site_id"]))
    travel = pd.to_numeric(sch[tcol].replace("", np.nan), errors="coerce")
    for i, (site, raw, t) in enumerate(zip(sch["nearest_site_id"], sch[tcol], travel)):
        if site and site not in names:
            raise InputError(f"{location(p, i + 2, 'nearest_site_id')}: site '{site}' is not in "
                             f"{files['health_sites'].name}")
        if raw and not (np.isfinite(t) and t >= 0):
            raise InputError(f"{location(p, i + 2, tcol)}: '{raw}' is not a travel >= 0")
    reached = sch["reached"].str.strip().str.lower()
    bad = ~reached.isin(["true", "false"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{location(p, i + 2, 'reached')}: '{sch['reached'].iloc[i]}' is not "
                         "true or false")
    plan = pd.DataFrame({
        "school_id": sch["school_id"].str.strip(),
        "nearest_site_id": sch["nearest_site_id"].replace("", pd.NA),
        "nearest_site_name": sch["nearest_site_id"].map(names).replace("", pd.NA),
        "nearest_site_travel": travel.to_numpy(dtype=float),
        "nearest_site_unit": unit,
        "site_within_reach": reached.to_numpy(),
    })
    plan.attrs["sites"] = len(sites)
    return plan, files


def health_table(
    schools: pd.DataFrame,
    ces: pd.DataFrame,
    *,
    hpi_path: Path,
    svi_path: Path | None = None,
    sites_dir: Path | None = None,
) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Path]]:
    """Each ranked school's community health vulnerability, for ``health.csv``.

    Parameters
    ----------
    schools : the run's ``schools.csv`` table (``cds_code``, ``geoid``, ``placement``, ...).
    ces : the CalEnviroScreen 4.0 file of the run (:func:`equitable.data.read_calenviroscreen`).
    hpi_path, svi_path : the HPI 2.0 master file and the SVI 2018 tract file.
    sites_dir : a site plan folder (:func:`read_site_plan`), optional.

    Returns
    -------
    (table, summary, files): ``table`` one row per school, columns ``cds_code``,
    ``school_name``, ``tier``, ``enrollment``, ``latitude``, ``longitude``, ``geoid``,
    ``placement``, ``distance_m``, the values of
    :data:`equitable.health._vulnerability.HEALTH_COLUMNS` and, with a site plan,
    :data:`SITE_COLUMNS`; ``summary`` for run.json (schools by VEM quartile, placement counts,
    notes); ``files`` the extra input files read (label -> path).
    """
    from equitable.data import read_svi_tracts
    from equitable.geo import PLACED_BY_CENTROID
    from equitable.health._vulnerability import tract_health
    from equitable.index import read_table

    files: dict[str, Path] = {"health_hpi": hpi_path}
    hpi = read_table(hpi_path, id_column="CensusTract")
    svi = None
    if svi_path is not None:
        svi = read_svi_tracts(svi_path)
        files["health_svi"] = svi_path
    base = schools[_BASE].copy()
    base["geoid"] = base["geoid"].astype("string")
    table, notes = tract_health(base, ces=ces, svi=svi, hpi=hpi)
    table = table[_BASE + _VALUES].copy()
    for c in ("hpi_quartile", "vem_quartile"):  # whole numbers in the CSV, empty when unknown
        table[c] = pd.array(pd.to_numeric(table[c], errors="coerce"), dtype="Int64")
    by_centroid = table["placement"] == PLACED_BY_CENTROID
    summary: dict[str, Any] = {
        "schools": len(table),
        "vem_quartile": {str(q): int((table["vem_quartile"] == q).sum()) for q in (1, 2, 3, 4)}
        | {"none": int(table["vem_quartile"].isna().sum())},
        "placed_by_nearest_tract": int(by_centroid.sum()),
        "without_hpi": int(table["hpi2score"].isna().sum()),
    }
    if by_centroid.any():
        notes.append(f"{int(by_centroid.sum())} school(s) outside the tract polygons have the "
                     "health values of the tract with the nearest centroid (placement column "
                     f"of {HEALTH_FILE})")
    if sites_dir is not None:
        plan, plan_files = read_site_plan(sites_dir)
        files.update(plan_files)
        joined = table[["cds_code"]].merge(plan, left_on="cds_code", right_on="school_id",
                                           how="left", validate="one_to_one")
        for c in SITE_COLUMNS:
            table[c] = joined[c].to_numpy()
        table["nearest_site_unit"] = table["nearest_site_unit"].where(
            table["nearest_site_id"].notna(), None)
        missing = int((~table["cds_code"].isin(set(plan["school_id"]))).sum())
        extra = int((~plan["school_id"].isin(set(table["cds_code"]))).sum())
        summary["site_plan"] = {
            "sites": int(plan.attrs["sites"]),
            "schools_within_reach": int((table["site_within_reach"] == "true").sum()),
            "schools_not_in_plan": missing, "plan_schools_not_ranked": extra}
        if missing:
            notes.append(f"{missing} ranked school(s) are not in the site plan "
                         f"({sites_dir.name}): no nearest site")
        if extra:
            notes.append(f"{extra} school(s) of the site plan are not ranked in this run "
                         "(left out)")
    summary["notes"] = notes
    return table.reset_index(drop=True), summary, files
