"""Files in and out of ``equitable health`` and ``equitable sites``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equitable.checks import did_you_mean
from equitable.errors import InputError, location

__all__ = ["read_candidate_sites", "read_site_schools", "read_travel_times",
           "school_health_files", "sites_files"]

_ROW = 2  # data row i (0-based) is line i + 2 of the file (header = line 1)

#: Accepted spellings of the school table's columns (first found wins).
_SCHOOL_ID = ("cds_code", "cds", "school_id")
_STUDENTS = ("students", "enrollment")


def _first(df: pd.DataFrame, names: tuple[str, ...], source: str, what: str) -> str:
    for n in names:
        if n in df.columns:
            return n
    raise InputError(f"{source}: missing column '{names[0]}'{did_you_mean(names[0], df.columns)} "
                     f"({what}; also accepted: " + ", ".join(f"'{n}'" for n in names[1:]) + ")")


def _numbers(df: pd.DataFrame, col: str, source: str, *, lo: float | None = None,
             hi: float | None = None, what: str = "a number", integer: bool = False,
             blank_ok: bool = False) -> np.ndarray:
    raw = df[col]
    v = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64")
    blank = raw.isna().to_numpy()
    for i in range(len(v)):
        if blank[i]:
            if blank_ok:
                continue
            raise InputError(f"{location(source, int(df.index[i]) + _ROW, col)}: empty; {what} is needed")
        x = v[i]
        if not np.isfinite(x):
            raise InputError(f"{location(source, int(df.index[i]) + _ROW, col)}: '{raw.iloc[i]}' is not a number")
        if integer and not float(x).is_integer():
            raise InputError(f"{location(source, int(df.index[i]) + _ROW, col)}: {x:g} is not a whole number")
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            raise InputError(f"{location(source, int(df.index[i]) + _ROW, col)}: {x:g} is not {what}")
    return v


def _unique(df: pd.DataFrame, col: str, source: str, what: str) -> None:
    ids = df[col]
    blank = ids.isna() | (ids.astype(str).str.strip() == "")
    if blank.any():
        i = int(np.flatnonzero(blank.to_numpy())[0])
        raise InputError(f"{location(source, int(df.index[i]) + _ROW, col)}: empty {what}")
    dup = ids.duplicated(keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((ids == ids.iloc[i]).to_numpy())[0])
        raise InputError(f"{location(source, int(df.index[i]) + _ROW, col)}: duplicate {what} (first on line "
                         f"{int(df.index[first]) + _ROW})")


def _coordinates(df: pd.DataFrame, source: str, blank_ok: bool = False) -> tuple[np.ndarray, np.ndarray]:
    for c in ("latitude", "longitude"):
        if c not in df.columns:
            raise InputError(f"{source}: missing column '{c}'{did_you_mean(c, df.columns)}")
    lat = _numbers(df, "latitude", source, lo=-90, hi=90, what="a latitude (-90 to 90 degrees)",
                   blank_ok=blank_ok)
    lon = _numbers(df, "longitude", source, lo=-180, hi=180,
                   what="a longitude (-180 to 180 degrees)", blank_ok=blank_ok)
    return lat, lon


def read_site_schools(path: str | Path) -> pd.DataFrame:
    """Read the schools to serve (e.g. the output of ``equitable health schools``).

    Columns: ``cds_code`` (or ``cds``/``school_id``), ``students`` (or ``enrollment``; whole
    number >= 0), ``latitude``, ``longitude`` (degrees), optional ``need_weight`` (> 0; default
    1), ``vem_quartile`` (1-4), ``school_name``, ``tier``. A school without coordinates is an
    error: it cannot be placed within reach of any site.

    Returns
    -------
    DataFrame with ``school_id``, ``students``, ``latitude``, ``longitude``, ``need_weight``,
    ``vem_quartile`` (Int64) and the optional columns present.
    """
    from equitable.files import read_table

    source = str(path)
    head = read_table(path)
    idc = _first(head, _SCHOOL_ID, source, "the school's CDS code")
    df = read_table(path, id_column=idc)
    # a CDS code a spreadsheet saved as 1.9647e+13 lost its last digits: refused, as every
    # reader does (equitable.checks), never taken as an id
    from equitable.checks import check_scientific_ids

    check_scientific_ids(df[idc], source, idc, first_line=_ROW, what="CDS code")
    stc = _first(df, _STUDENTS, source, "students enrolled")
    _unique(df, idc, source, "school id")
    for c in ("latitude", "longitude"):
        if c not in df.columns:
            raise InputError(f"{source}: missing column '{c}'{did_you_mean(c, df.columns)}")
    no_point = (df["latitude"].isna() & df["longitude"].isna()).to_numpy()
    notes = []
    if no_point.any():
        # a school without coordinates cannot be within reach of a site: left out, said so
        lines = ", ".join(str(i + _ROW) for i in np.flatnonzero(no_point)[:10])
        notes.append(f"{int(no_point.sum())} school(s) without coordinates left out "
                     f"({'line' if no_point.sum() == 1 else 'lines'} {lines}{', ...' if no_point.sum() > 10 else ''}; "
                     f"{int(pd.to_numeric(df.loc[no_point, _first(df, _STUDENTS, source, 'students enrolled')], errors='coerce').fillna(0).sum())} students)")
        df = df[~no_point]
    lat, lon = _coordinates(df, source)
    out = pd.DataFrame({
        "school_id": df[idc].astype(str).str.strip().to_numpy(),
        "students": _numbers(df, stc, source, lo=0, what="a student count >= 0", integer=True),
        "latitude": lat, "longitude": lon,
    })
    out["need_weight"] = (_numbers(df, "need_weight", source, lo=1e-12,
                                   what="a need weight > 0")
                          if "need_weight" in df.columns else 1.0)
    if "vem_quartile" in df.columns:
        q = _numbers(df, "vem_quartile", source, lo=1, hi=4, integer=True,
                     what="a VEM quartile (1-4)", blank_ok=True)
        out["vem_quartile"] = pd.array([None if np.isnan(x) else int(x) for x in q], dtype="Int64")
    else:
        out["vem_quartile"] = pd.array([pd.NA] * len(out), dtype="Int64")
    # choose_sites(min_q1_share=...) needs the column: its absence is an error there
    out.attrs["has_vem_quartile"] = "vem_quartile" in df.columns
    out.attrs["columns"] = [str(c) for c in df.columns]
    for c in ("school_name", "tier"):
        if c in df.columns:
            out[c] = df[c].astype("string").to_numpy()
    out.attrs["source"] = source
    out.attrs["notes"] = notes
    return out


def read_candidate_sites(path: str | Path) -> pd.DataFrame:
    """Read candidate sites: ``site_id``, ``latitude``, ``longitude``, optional ``name``,
    ``capacity`` (students, > 0) and ``existing`` (``true``/``false``, ``yes``/``no``, ``1``/``0``:
    already open, counted as covering)."""
    from equitable.files import read_table

    source = str(path)
    df = read_table(path, id_column="site_id")
    if "site_id" not in df.columns:
        raise InputError(f"{source}: missing column 'site_id'{did_you_mean('site_id', df.columns)}")
    _unique(df, "site_id", source, "site id")
    lat, lon = _coordinates(df, source)
    out = pd.DataFrame({"site_id": df["site_id"].astype(str).str.strip().to_numpy(),
                        "latitude": lat, "longitude": lon})
    out["name"] = df["name"].astype("string").to_numpy() if "name" in df.columns else pd.NA
    if "capacity" in df.columns:
        out["capacity"] = _numbers(df, "capacity", source, lo=1e-12, what="a capacity > 0",
                                   blank_ok=True)
    ex = np.zeros(len(df), dtype=bool)
    if "existing" in df.columns:
        truth = {"true": True, "yes": True, "1": True, "y": True,
                 "false": False, "no": False, "0": False, "n": False, "": False}
        for i, v in enumerate(df["existing"].tolist()):
            key = "" if pd.isna(v) else str(v).strip().lower()
            key = key.removesuffix(".0")
            if key not in truth:
                raise InputError(f"{location(source, i + _ROW, 'existing')}: '{v}' is not "
                                 "true/false (yes/no, 1/0)")
            ex[i] = truth[key]
    out["existing"] = ex
    out.attrs["source"] = source
    return out


def read_travel_times(path: str | Path) -> pd.DataFrame:
    """Read a travel-time table: ``from_id`` (school CDS code), ``to_id`` (site id),
    ``minutes`` (>= 0), one row per pair; a pair listed twice is an error."""
    from equitable.files import read_table

    source = str(path)
    df = read_table(path, id_column="from_id")
    for c in ("from_id", "to_id", "minutes"):
        if c not in df.columns:
            raise InputError(f"{source}: missing column '{c}'{did_you_mean(c, df.columns)}")
    df["from_id"] = df["from_id"].astype(str).str.strip()
    df["to_id"] = df["to_id"].astype(str).str.strip()
    mins = _numbers(df, "minutes", source, lo=0, what="a travel time in minutes >= 0")
    dup = df.duplicated(["from_id", "to_id"]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(f"{location(source, i + _ROW, 'to_id')}: this pair is listed twice")
    out = pd.DataFrame({"from_id": df["from_id"], "to_id": df["to_id"], "minutes": mins})
    out.attrs["source"] = source
    return out


def school_health_files(schools: str | Path, out: str | Path, *, data_dir: str | Path | None = None,
                        directory: str | Path | None = None) -> tuple[pd.DataFrame, list[str]]:
    """``equitable health schools``: read the schools, place them in 2010 tracts, join CES 4.0,
    SVI 2018 and HPI 2.0, write ``out`` (CSV) and ``<out>.run.json``.

    ``schools``: the LAUSD school table (``cds``, ``enrollment``, ...) or any CSV with
    ``cds_code``; coordinates come from its ``latitude``/``longitude`` or else from the CDE school
    directory (``directory``, default ``cde/pubschls_2018_los_angeles_county.csv``).
    The community files are read from the data folder (see docs/health.md).
    """
    from equitable.data import (
        read_calenviroscreen,
        read_lausd_schools,
        read_school_directory,
        read_svi_tracts,
        read_tracts,
    )
    from equitable.files import read_table, write_table
    from equitable.health._vulnerability import school_health
    from equitable.paths import data_file
    from equitable.provenance import write_run_record

    inputs: dict[str, Path] = {"schools": Path(schools)}
    head = read_table(schools)
    if "cds" in head.columns and "cds_code" not in head.columns:
        table = read_lausd_schools(schools)
    else:
        if "cds_code" not in head.columns:
            raise InputError(f"{schools}: missing column 'cds_code' (or 'cds')")
        table = read_table(schools, id_column="cds_code")
        _unique(table, "cds_code", str(schools), "school id")
        if {"latitude", "longitude"} <= set(table.columns):
            lat, lon = _coordinates(table, str(schools), blank_ok=True)
            table["latitude"], table["longitude"] = lat, lon
    notes: list[str] = []
    if not {"latitude", "longitude"} <= set(table.columns):
        dpath = Path(directory) if directory else data_file(
            "cde/pubschls_2018_los_angeles_county.csv", data_dir)
        inputs["directory"] = dpath
        d = read_school_directory(dpath)[["cds_code", "latitude", "longitude"]]
        table = table.merge(d, on="cds_code", how="left", validate="one_to_one")
        k = int(table["latitude"].isna().sum())
        if k:
            notes.append(f"{k} school(s) have no coordinates in the CDE directory (opened after it "
                         "was published, or not listed)")
    files = {
        "calenviroscreen": "community/calenviroscreen40_results_tract.csv",
        "svi": "community/svi2018_los_angeles_county_tracts.csv",
        "hpi": "community/hpi2_los_angeles_county_tracts.csv",
        "tracts": "community/tiger_tracts_2010_la_city.geojson",
    }
    for label, rel in files.items():
        inputs[label] = data_file(rel, data_dir)
    result, more = school_health(
        table, tracts=read_tracts(inputs["tracts"]), ces=read_calenviroscreen(inputs["calenviroscreen"]),
        svi=read_svi_tracts(inputs["svi"]),
        hpi=read_table(inputs["hpi"], id_column="CensusTract"))
    notes += more
    out = Path(out)
    write_table(result, out)
    counts = result["vem_quartile"].value_counts(dropna=False)
    write_run_record(out.parent, command="health schools", spec={"need_weight": "1 + HPI need "
                     "percentile / 100, else 1 + CES 4.0 percentile / 100, else 1.5"},
                     inputs=inputs, outputs=[out.name],
                     extra={"schools": len(result), "notes": notes,
                            "schools_by_vem_quartile": {str(k if pd.notna(k) else "none"): int(v)
                                                        for k, v in sorted(counts.items(), key=str)}},
                     filename=f"{out.stem}.run.json")
    return result, notes


def coverage_tables(result: Any, schools: pd.DataFrame) -> pd.DataFrame:
    """Coverage by VEM quartile (and by tier when the schools have one), through
    :func:`equitable.privacy.suppress_table` (a group of 10 or fewer students is ``*``).

    Columns: ``group_type`` (``all``, ``vem_quartile``, ``tier``), ``group``, ``schools``,
    ``students``, ``students_served``, ``served_pct`` (0-100), ``schools_unserved``.
    """
    from equitable.privacy import suppress_table

    s = result.schools.copy()
    s["served"] = s["students"] * s["served_share"]
    s["unserved_school"] = s["served_share"] <= 0
    rows = []

    def add(kind: str, label: str, part: pd.DataFrame) -> None:
        st = int(part["students"].sum())
        sv = float(part["served"].sum())
        rows.append({"group_type": kind, "group": label, "schools": len(part), "students": st,
                     "students_served": round(sv, 3),
                     "served_pct": round(100 * sv / st, 2) if st else np.nan,
                     "schools_unserved": int(part["unserved_school"].sum())})

    add("all", "all", s)
    q = s["vem_quartile"]
    for v in (1, 2, 3, 4):
        add("vem_quartile", str(v), s[(q == v).fillna(False).to_numpy()])
    if q.isna().any():
        add("vem_quartile", "none", s[q.isna().to_numpy()])
    if "tier" in schools.columns:
        tier = schools["tier"].astype("string").fillna("none").to_numpy()
        for t in sorted(set(tier)):
            add("tier", str(t), s[tier == t])
    table = pd.DataFrame(rows)
    return suppress_table(table, "students", ["schools", "students", "students_served",
                                              "served_pct", "schools_unserved"])


def sites_files(schools: str | Path, out_dir: str | Path, k: int, *,
                candidates: str | Path | None = None, max_km: float | None = None,
                detour: float | None = None, travel_times: str | Path | None = None,
                max_minutes: float | None = None, capacity: float | None = None,
                min_q1_share: float | None = None, time_limit_s: float = 60.0,
                event: dict[str, str] | None = None,
                languages: str | Path | None = None,
                model: str = "covering") -> tuple[Any, dict[str, Path]]:
    """``equitable sites``: read the inputs, choose the sites, write the outputs.

    Writes into ``out_dir``: ``sites.csv`` (chosen sites, marginal gains), ``schools.csv`` (each
    school's serving and nearest site), ``deserts.csv`` (schools no chosen site reaches),
    ``coverage.csv`` (by VEM quartile and tier, through privacy), ``comparison.csv`` (optimum vs
    naive choices), ``sites.html`` and ``sites.es.html`` (map of the sites, their catchments and
    the schools out of reach, with the tables), ``notices.csv`` and ``notices_missing_languages.csv`` when ``event`` is given,
    and ``run.json``. ``languages``: students by home language per school
    (:func:`equitable.health._notices.read_home_languages`), for the count of families whose
    language has no notice template.
    """
    from equitable.files import make_output_folder, write_table
    from equitable.health._sites import DETOUR_FACTOR, choose_sites
    from equitable.provenance import write_run_record

    out = make_output_folder(out_dir)
    sch = read_site_schools(schools)
    inputs: dict[str, Path] = {"schools": Path(schools)}
    if candidates is not None:
        sites = read_candidate_sites(candidates)
        inputs["candidates"] = Path(candidates)
        are_schools = False
    else:
        sites = pd.DataFrame({"site_id": sch["school_id"], "latitude": sch["latitude"],
                              "longitude": sch["longitude"],
                              "name": sch.get("school_name", pd.NA),
                              "existing": False})
        are_schools = True
    tt = None
    if travel_times is not None:
        tt = read_travel_times(travel_times)
        inputs["travel_times"] = Path(travel_times)
    det = DETOUR_FACTOR if detour is None else detour
    if detour is not None and not detour >= 1:
        raise InputError(f"--detour must be 1 or more (road km / straight-line km). Got {detour}")
    result = choose_sites(sch.reset_index(drop=True), sites, k, max_km=max_km, detour=det, travel_minutes=tt,
                          max_minutes=max_minutes, capacity=capacity, min_q1_share=min_q1_share,
                          time_limit_s=time_limit_s, candidates_are_schools=are_schools,
                          model=model)
    result.notes[:0] = sch.attrs.get("notes", [])
    st = result.schools.copy()
    if "school_name" in sch:
        st.insert(1, "school_name", sch["school_name"].to_numpy())
    st = st.rename(columns={"travel": f"travel_{result.unit}",
                            "nearest_travel": f"nearest_travel_{result.unit}"})
    files = {
        "sites": write_table(result.sites, out / "sites.csv"),
        "schools": write_table(st, out / "schools.csv"),
        "deserts": write_table(st[~st["reached"]].reset_index(drop=True),
                               out / "deserts.csv"),
        "coverage": write_table(coverage := coverage_tables(result, sch), out / "coverage.csv"),
        "comparison": write_table(result.comparisons, out / "comparison.csv"),
    }
    from equitable.health._report import write_sites_html

    reach = (f"{max_minutes:g} min" if tt is not None else f"{max_km:g} km (x {det:g})")
    for p in write_sites_html(result, sch, coverage, out, reach):
        files[p.stem.replace(".", "_")] = p
    notice_counts: dict[str, Any] = {}
    if languages is not None and event is None:
        raise InputError("--languages needs the event (--event-date, --event-time, --bring, "
                         "--contact) to write the notices")
    if event is not None:
        from equitable.health._notices import read_home_languages, site_notices

        lang = None
        if languages is not None:
            lang = read_home_languages(languages)
            inputs["languages"] = Path(languages)
        notices, missing = site_notices(result, sch, event, languages=lang)
        files["notices"] = write_table(notices, out / "notices.csv")
        files["notices_missing_languages"] = write_table(missing, out / "notices_missing_languages.csv")
        notice_counts = {"notices": len(notices)}
    spec = {"k": k, "max_km": max_km, "detour": det if tt is None else None,
            "max_minutes": max_minutes, "capacity": capacity, "min_q1_share": min_q1_share,
            "time_limit_s": time_limit_s,
            "model": ("maximal covering" if model == "covering"
                      else "p-median, travel truncated at the threshold") + " (SCIP, OR-Tools)",
            "event": event}
    write_run_record(out, command="sites", spec=spec, inputs=inputs,
                     outputs=[p.name for p in files.values()],
                     extra={"schools": len(sch), "candidates": len(sites),
                            "status": result.status, "objective": round(result.objective, 6),
                            "bound": round(result.bound, 6), "gap": round(result.gap, 8),
                            "min_share_binding": result.min_share_binding,
                            "notes": result.notes,
                            **notice_counts})
    files["run"] = out / "run.json"
    return result, files
