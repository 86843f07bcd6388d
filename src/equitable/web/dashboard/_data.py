"""The dashboard's data: one run's output folder (``equitable run``) loaded into memory once.

A results folder holds ``schools.csv`` and ``run.json`` (docs/run.md). The tract polygons and the
CalEnviroScreen file are the inputs named in ``run.json``'s config (relative to the data folder);
the SVI 2018 tract file and the LAUSD school crosswalk (Board District) are optional extras read
from the data folder when present. Everything is read at startup; pages only look things up.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equitable.errors import InputError, location
from equitable.ids import CDS_CODE, normalize, valid_mask
from equitable.index import parse_spec
from equitable.pipeline import RunConfig, RunJson
from equitable.provenance import read_run_record

__all__ = ["RESULTS_ENV", "DashboardData", "load_results", "results_for"]

log = logging.getLogger("equitable.web.dashboard")

#: Environment variable naming the results folder (default ``out/lausd``).
RESULTS_ENV = "EQUITABLE_DASHBOARD_RESULTS"
DEFAULT_RESULTS = "out/lausd"
#: Optional extras, relative to the data folder.
SVI_FILE = "community/svi2018_los_angeles_county_tracts.csv"
CROSSWALK_FILE = "lausd/school_crosswalk_2018_19.csv"

#: The size bands of "similar schools" (enrollment, lower bound inclusive).
ENROLLMENT_BANDS = ((0, 300), (300, 600), (600, 1000), (1000, 2000), (2000, None))

_TEXT_COLUMNS = {"cds_code": str, "geoid": str, "school_name": str, "span": str, "tier": str,
                 "placement": str, "neighbourhood": str, "missing_indicators": str}
_REQUIRED = ("cds_code", "school_name", "span", "enrollment", "score", "percentile", "rank",
             "tier", "amount_cents", "per_pupil_dollars")


def fold(text: str) -> str:
    """Lower case without accents (``"Niños"`` -> ``"ninos"``), for search."""
    norm = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in norm if not unicodedata.combining(c))


def enrollment_band(n: float) -> tuple[int, int | None]:
    for lo, hi in ENROLLMENT_BANDS:
        if n >= lo and (hi is None or n < hi):
            return (lo, hi)
    return ENROLLMENT_BANDS[0]


@dataclass
class DashboardData:
    """Everything the public pages show, in memory.

    Attributes
    ----------
    folder : the results folder.
    schools : one row per ranked school (``schools.csv``, sorted by rank) plus
        ``board_district`` (str or None), ``band`` (enrollment band label) and the tract's
        community indicators (``ces_score``, ``ces_pctl``, ``svi_overall_pctl``, ...; NaN when
        unknown).
    run : the parsed ``run.json`` (:class:`equitable.pipeline.RunJson`).
    spec : the index spec of the run (:class:`equitable.index.IndexSpec`).
    indicators : ``[{"code", "pctl", "label", "weight"}]`` in spec order.
    tiers : tier labels, highest need first.
    tracts : GeoDataFrame of tract polygons (``geoid``, ``geometry``) or None.
    neighbourhoods : the run's ``inputs.neighbourhoods`` polygons (Mapping L.A.,
        :func:`equitable.data.read_neighbourhoods`) for the map, or None when the run has none
        or the file is not the one the run read (``neighbourhoods_problem`` says why).
    """

    folder: Path
    schools: pd.DataFrame
    run: RunJson
    spec: Any
    indicators: list[dict]
    tiers: list[str]
    tracts: Any = None
    neighbourhoods: Any = None
    neighbourhoods_problem: str | None = None
    by_cds: dict[str, dict] = field(default_factory=dict)
    search_keys: list[tuple[str, str]] = field(default_factory=list)
    community_sources: dict[str, str] = field(default_factory=dict)
    cache: dict = field(default_factory=dict)
    #: with a ``[health]`` run: CDS code -> the school's row of ``health.csv`` (HPI, VEM
    #: quartile, placement, nearest planned site); empty otherwise
    health: dict[str, dict] = field(default_factory=dict)
    #: with a staffing run: CDS code -> the school's row of ``staffing_schools.csv`` as
    #: published (through ``equitable.privacy``: a suppressed figure is the privacy marker)
    staffing: dict[str, dict] = field(default_factory=dict)
    #: the privacy marker of suppressed staffing figures (``equitable.privacy`` config)
    marker: str = "*"
    #: with a staffing run: ``staffing_tiers.csv`` as published (one row per need tier and
    #: ``All``; numbers as floats, the privacy marker kept as a string), else None
    staffing_tiers: pd.DataFrame | None = None
    #: with ``[health] sites``: the site plan of ``equitable sites`` the run read
    #: (:func:`read_site_plan_outputs`), else None; ``site_plan_problem`` says why it is left
    #: out when the plan's files are not the ones the run read
    site_plan: dict | None = None
    site_plan_problem: str | None = None

    @property
    def title(self) -> str:
        return self.run.spec.config.title or ""

    def search(self, query: str, limit: int | None = None) -> pd.DataFrame:
        """Schools matching every word of ``query`` in their name, CDS code, ZIP code (CDE
        directory), neighbourhood or level ("primaria"/"elementary", "secundaria"/"middle",
        "preparatoria"/"high", in either language), accents and case ignored.

        A word matches when it is part of the school's key or, for words of 4 letters or more,
        when a word of the key is close to it (difflib ratio >= 0.8: "garfeld" finds
        "Garfield"). Schools matching every word exactly come first, then the close matches,
        each in rank order."""
        words = fold(query).replace(",", " ").split()
        if not words:
            return self.schools.iloc[:0]
        exact, close = [], []
        for cds, key in self.search_keys:
            if all(w in key for w in words):
                exact.append(cds)
            elif all(w in key or _close(w, key) for w in words):
                close.append(cds)
        out = self.schools.loc[exact + close]
        return out if limit is None else out.iloc[:limit]

    def similar(self, cds: str) -> pd.DataFrame:
        """Schools of the same span and enrollment band (the school itself included)."""
        row = self.schools.loc[cds]
        s = self.schools
        return s[(s["span"] == row["span"]) & (s["band"] == row["band"])]


#: Words for a school's level in both languages (the CDE Dashboard's Spanish names), searched
#: along with its name.
LEVEL_WORDS = {"elementary": "elementary primaria elemental",
               "middle": "middle secundaria intermedia",
               "high": "high preparatoria prepa",
               "k12": "k12 k-12"}


def _close(word: str, key: str) -> bool:
    """``word`` (4 letters or more, no digits: codes must match exactly) is within a typo of a
    word of ``key``."""
    if len(word) < 4 or any(c.isdigit() for c in word):
        return False
    from difflib import SequenceMatcher

    m = SequenceMatcher(a=word, autojunk=False)
    for token in set(key.split()):
        if abs(len(token) - len(word)) > 2:
            continue
        m.set_seq2(token)
        if m.real_quick_ratio() >= 0.8 and m.quick_ratio() >= 0.8 and m.ratio() >= 0.8:
            return True
    return False


def _zip_codes(data_folder: Path | None, config: RunConfig) -> dict[str, str]:
    """Each school's 5-digit ZIP code from the CDE directory named by the run's
    ``inputs.directory`` (empty when the file is absent or has no ``Zip`` column)."""
    path = _resolve(data_folder, config.inputs.directory)
    if path is None:
        return {}
    head = pd.read_csv(path, dtype=str, nrows=0, sep=None if path.suffix == ".txt" else ",",
                       engine="python" if path.suffix == ".txt" else "c")
    if "CDSCode" not in head.columns or "Zip" not in head.columns:
        log.warning("dashboard: %s has no CDSCode/Zip columns; search by ZIP code is off",
                    path.name)
        return {}
    d = pd.read_csv(path, dtype=str, usecols=["CDSCode", "Zip"],
                    sep="\t" if path.suffix == ".txt" else ",")
    d = d.dropna()
    return dict(zip(d["CDSCode"].str.strip(), d["Zip"].str.strip().str[:5]))


def _read_schools(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path}: results file not found (run 'equitable run CONFIG' first)")
    df = pd.read_csv(path, dtype=_TEXT_COLUMNS, keep_default_na=True)
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise InputError(f"{location(path, 1, missing[0])}: missing column (a schools.csv "
                         "written by 'equitable run' has it)")
    bad = pd.Series(~valid_mask(df["cds_code"], CDS_CODE), index=df.index)  # equitable.ids
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise InputError(f"{location(path, row, 'cds_code')}: a CDS code is 14 digits")
    df["cds_code"] = df["cds_code"].str.strip()
    if df["cds_code"].duplicated().any():
        row = int(np.flatnonzero(df["cds_code"].duplicated().to_numpy())[0]) + 2
        raise InputError(f"{location(path, row, 'cds_code')}: duplicate CDS code")
    for c in ("geoid", "neighbourhood", "missing_indicators"):
        if c in df:
            df[c] = df[c].where(df[c].notna(), None)
    return df


def _resolve(data_folder: Path | None, name: str | None) -> Path | None:
    if not name:
        return None
    p = Path(name)
    if p.is_absolute():
        return p if p.exists() else None
    if data_folder is None:
        return None
    q = data_folder / p
    return q if q.exists() else None


def _community(data_folder: Path | None, config: RunConfig, geoids: set[str]) -> tuple[pd.DataFrame,
                                                                                 dict]:
    """CalEnviroScreen 4.0 and SVI 2018 values of the schools' tracts."""
    from equitable.data import read_calenviroscreen, read_svi_tracts

    frames, sources = [], {}
    ces_path = _resolve(data_folder, config.inputs.calenviroscreen)
    if ces_path is not None:
        ces = read_calenviroscreen(ces_path)
        keep = ["geoid", "ces_score", "ces_pctl", "pollution_burden_pctl", "pop_char_pctl"]
        frames.append(ces.loc[ces["geoid"].isin(geoids), [c for c in keep if c in ces]]
                      .set_index("geoid"))
        sources["ces"] = ces_path.name
    svi_path = _resolve(data_folder, SVI_FILE)
    if svi_path is not None:
        svi = read_svi_tracts(svi_path)
        cols = {"RPL_THEMES": "svi_overall_pctl", "RPL_THEME1": "svi_socioeconomic_pctl",
                "RPL_THEME2": "svi_household_pctl", "RPL_THEME3": "svi_minority_language_pctl",
                "RPL_THEME4": "svi_housing_transport_pctl"}
        svi = svi.loc[svi["geoid"].isin(geoids), ["geoid", *[c for c in cols if c in svi]]]
        svi = svi.rename(columns=cols).set_index("geoid")
        frames.append(svi * 100.0)  # SVI ranks are 0-1; shown as percentiles 0-100
        sources["svi"] = svi_path.name
    if not frames:
        return pd.DataFrame(index=pd.Index([], name="geoid")), sources
    return pd.concat(frames, axis=1), sources


def _board_districts(data_folder: Path | None) -> tuple[dict[str, str], str | None]:
    path = _resolve(data_folder, CROSSWALK_FILE)
    if path is None:
        return {}, None
    cw = pd.read_csv(path, dtype=str)
    for col in ("ApplyCDSCode", "ApplyBoardDistrict"):
        if col not in cw:
            raise InputError(f"{location(path, 1, col)}: missing column")
    # a code that is not a CDS code is an error naming its row (equitable.ids), never a school
    # silently left without its Board District; rows without a code or district are skipped
    codes, _ = normalize(cw["ApplyCDSCode"], CDS_CODE, label=str(path), column="ApplyCDSCode",
                         allow_missing=True)
    cw = cw.assign(ApplyCDSCode=codes.astype(object).where(codes.notna(), None))
    cw = cw.dropna(subset=["ApplyCDSCode", "ApplyBoardDistrict"])
    out: dict[str, str] = {}
    for cds, bd in zip(cw["ApplyCDSCode"], cw["ApplyBoardDistrict"].str.strip()):
        out.setdefault(cds, bd)
    return out, path.name


def load_results(folder: str | Path, *, data_folder: str | Path | None = None,
                 with_geometry: bool = True) -> DashboardData:
    """Load a results folder written by ``equitable run`` (``schools.csv`` + ``run.json``).

    Parameters
    ----------
    folder : the run's output folder, e.g. ``out/lausd``.
    data_folder : where the run's relative input paths live (default:
        :func:`equitable.paths.data_dir`; when there is none, the community indicators, Board
        Districts and the tract map are left out).
    with_geometry : read the tract polygons for the map.

    Raises
    ------
    InputError
        The folder, ``schools.csv`` or ``run.json`` is missing or malformed (the message names
        the file, row and column).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: results folder not found (run 'equitable run CONFIG' and "
                         f"point {RESULTS_ENV} at its output folder)")
    run_path = folder / "run.json"
    if not run_path.is_file():
        raise InputError(f"{run_path}: run record not found (run 'equitable run CONFIG' first)")
    run = read_run_record(run_path, RunJson)
    spec = parse_spec(run.spec.index, source=str(run_path))
    config = run.spec.config
    schools = _read_schools(folder / "schools.csv")

    if data_folder is None:
        try:
            from equitable.paths import data_dir

            data_folder = data_dir()
        except InputError:
            data_folder = None
    data_folder = Path(data_folder) if data_folder is not None else None

    geoids = set(schools["geoid"].dropna())
    community, sources = _community(data_folder, config, geoids)
    if len(community.columns):
        joined = community.reindex(schools["geoid"].fillna("").to_numpy())
        for c in community.columns:
            schools[c] = joined[c].to_numpy(dtype=float)
    districts, cw_name = _board_districts(data_folder)
    if cw_name:
        sources["board_district"] = cw_name
    schools["board_district"] = [districts.get(c) for c in schools["cds_code"]]
    zips = _zip_codes(data_folder, config)
    if zips:
        schools["zip"] = [zips.get(c) for c in schools["cds_code"]]
    schools["band"] = [enrollment_band(float(e)) for e in schools["enrollment"].fillna(0)]
    schools.index = pd.Index(schools["cds_code"].to_numpy(), name=None)

    indicators = [{"code": ind.code, "pctl": ind.output or f"{ind.code}_pctl",
                   "label": ind.label or ind.code, "label_es": ind.label_es,
                   "weight": float(ind.weight or 0)}
                  for ind in spec.indicators]
    tiers = list(spec.overall.tiers.labels) if spec.overall.tiers and \
        spec.overall.tiers.labels else sorted(schools["tier"].dropna().unique())

    tracts = None
    if with_geometry:
        tracts_path = _resolve(data_folder, config.inputs.tracts)
        if tracts_path is not None:
            from equitable.data import read_tracts

            tracts = read_tracts(tracts_path)
            sources["tracts"] = tracts_path.name

    hoods, hoods_problem = None, None
    if with_geometry:
        hoods, hoods_problem = _neighbourhoods(data_folder, config, run)
        if hoods is not None:
            sources["neighbourhoods"] = hoods.attrs["file"]

    data = DashboardData(folder=folder, schools=schools, run=run, spec=spec,
                         indicators=indicators, tiers=tiers, tracts=tracts,
                         neighbourhoods=hoods, neighbourhoods_problem=hoods_problem,
                         community_sources=sources)
    outputs = run.outputs
    if "health.csv" in outputs:
        data.health = _by_cds(folder / "health.csv", _HEALTH_TEXT)
    if "staffing_schools.csv" in outputs:
        from equitable.privacy import load_config as privacy_config

        data.marker = privacy_config().marker
        data.staffing = _staffing_rows(folder / "staffing_schools.csv", data.marker)
    if "staffing_tiers.csv" in outputs:
        data.staffing_tiers = _published_table(folder / "staffing_tiers.csv", data.marker,
                                               {"tier": str})
    if config.health is not None and config.health.sites:
        data.site_plan, data.site_plan_problem = _site_plan(data_folder, config, run,
                                                            data.marker)
    data.by_cds = {cds: _clean(rec) for cds, rec in
                   zip(schools["cds_code"], schools.to_dict(orient="records"))}
    data.search_keys = [(cds, fold(" ".join(str(x) for x in (
        cds, rec["school_name"], rec.get("neighbourhood") or "", rec.get("zip") or "",
        LEVEL_WORDS.get(rec.get("span") or "", rec.get("span") or "")))))
        for cds, rec in data.by_cds.items()]
    return data


_HEALTH_TEXT = {"cds_code": str, "geoid": str, "placement": str, "nearest_site_id": str,
                "nearest_site_name": str, "nearest_site_unit": str, "site_within_reach": str,
                "need_weight_source": str, "school_name": str, "tier": str}


def _by_cds(path: Path, dtypes: dict) -> dict[str, dict]:
    """A per-school output of the run (listed in run.json) keyed by CDS code."""
    if not path.is_file():
        raise InputError(f"{path}: listed in run.json but missing; the outputs are incomplete "
                         "(run the command again)")
    df = pd.read_csv(path, dtype=dtypes)
    if "cds_code" not in df.columns:
        raise InputError(f"{location(path, 1, 'cds_code')}: missing column")
    return {c: _clean(r) for c, r in zip(df["cds_code"], df.to_dict(orient="records"))}


def _staffing_rows(path: Path, marker: str) -> dict[str, dict]:
    """``staffing_schools.csv`` as published: numbers as floats, the privacy marker kept as
    the string it is (the page says the figure is not shown), never turned into a number."""
    rows = _by_cds(path, {"cds_code": str})
    for rec in rows.values():
        for k, v in rec.items():
            if isinstance(v, str) and k != "cds_code" and v != marker:
                try:
                    rec[k] = float(v)
                except ValueError:
                    pass
    return rows


def _published_table(path: Path, marker: str, text: dict[str, Any]) -> pd.DataFrame:
    """A published table of the run (or of a site plan) as written: numbers as floats, the
    privacy marker kept as the string it is (never turned into a number), blanks as None."""
    if not path.is_file():
        raise InputError(f"{path}: listed in run.json but missing; the outputs are incomplete "
                         "(run the command again)")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in df.columns:
        if c in text:
            df[c] = df[c].where(df[c] != "", None)
            continue
        col = df[c]
        nums = pd.to_numeric(col.where(~col.isin(["", marker])), errors="coerce")
        if (nums.notna() | col.isin(["", marker])).all():
            # a whole number written without a decimal point stays an int, so a download
            # repeats the published text ("12", "17098.0")
            df[c] = pd.Series([marker if v == marker else None if v == "" else
                               int(v) if v.lstrip("-").isdigit() else float(n)
                               for v, n in zip(col, nums)], index=df.index, dtype=object)
        else:
            df[c] = col.where(col != "", None)
    return df


#: The files of a site plan (``equitable sites`` output, docs/health.md) the sites page reads.
SITE_PLAN_FILES = ("sites.csv", "schools.csv", "coverage.csv", "deserts.csv")


def _site_plan(data_folder: Path | None, config: RunConfig, run: RunJson,
               marker: str) -> tuple[dict | None, str | None]:
    """The site plan named by ``[health] sites``, read only when it is the plan the run read:
    ``sites.csv`` and ``schools.csv`` must have the SHA-256 of run.json's inputs
    ``health_sites`` and ``health_site_schools``, and every output of the plan must match the
    plan's own ``run.json`` (:func:`equitable._atomic.verify_outputs`). Otherwise the sites page
    is left out and the reason is logged.

    Returns ({"sites", "schools", "coverage", "deserts": DataFrame, "folder": Path} or None,
    problem or None)."""
    from equitable._atomic import verify_outputs
    from equitable.provenance import sha256_file

    folder = _resolve(data_folder, config.health.sites)
    if folder is None or not folder.is_dir():
        problem = f"{config.health.sites}: site plan folder not found"
        log.warning("dashboard: %s; the sites page is left out", problem)
        return None, problem
    for key, name in (("health_sites", "sites.csv"), ("health_site_schools", "schools.csv")):
        entry = run.inputs.get(key)
        path = folder / name
        if entry is None or not path.is_file() or sha256_file(path) != entry.sha256:
            problem = (f"{path}: does not match run.json (SHA-256 differs); the sites page is "
                       "left out")
            log.warning("dashboard: %s", problem)
            return None, problem
    try:
        verify_outputs(folder)
    except InputError as exc:
        log.warning("dashboard: %s; the sites page is left out", exc)
        return None, str(exc)
    ids = {"site_id": str, "name": str, "school_id": str, "school_name": str, "group": str,
           "group_type": str, "nearest_site_id": str, "reached": str, "existing": str,
           "cds_code": str}
    plan: dict[str, Any] = {"folder": folder}
    for name in SITE_PLAN_FILES:
        plan[name.removesuffix(".csv")] = _published_table(folder / name, marker, ids)
    return plan, None


def _neighbourhoods(data_folder: Path | None, config: RunConfig, run: RunJson):
    """The run's neighbourhood polygons (``inputs.neighbourhoods``), read only when the file is
    the one the run read: its SHA-256 must equal the one in ``run.json`` (otherwise the map is
    drawn without outlines and the reason is logged and shown on the map page).

    Returns (GeoDataFrame or None, problem or None)."""
    name = config.inputs.neighbourhoods
    if not name:
        return None, None
    path = _resolve(data_folder, name)
    if path is None:
        problem = f"{name}: neighbourhood file not found in the data folder"
        log.warning("dashboard: %s; the map has no neighbourhood outlines", problem)
        return None, problem
    from equitable.provenance import sha256_file

    entry = run.inputs.get("neighbourhoods")
    recorded = entry.sha256 if entry is not None else None
    digest = sha256_file(path)
    if recorded != digest:
        problem = (f"{path}: does not match run.json (SHA-256 differs); the neighbourhood "
                   "outlines are left off the map")
        log.warning("dashboard: %s", problem)
        return None, problem
    from equitable.data import read_neighbourhoods

    hoods = read_neighbourhoods(path)
    hoods.attrs["file"] = path.name
    hoods.attrs["sha256"] = digest
    return hoods, None


def _clean(rec: dict) -> dict:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()}


_lock = threading.Lock()


def results_for(app_state) -> DashboardData | None:
    """The app's loaded results (``app.state.dashboard_data``), loading them on first use from
    ``$EQUITABLE_DASHBOARD_RESULTS`` (default ``out/lausd``); None (pages answer 503) when that
    folder is absent or its files do not match the SHA-256 in its run.json (logged)."""
    data = getattr(app_state, "dashboard_data", None)
    if data is not None or getattr(app_state, "dashboard_missing", False):
        return data
    with _lock:
        data = getattr(app_state, "dashboard_data", None)
        if data is not None:
            return data
        folder = Path(os.environ.get(RESULTS_ENV, DEFAULT_RESULTS))
        if not (folder / "schools.csv").is_file():
            log.warning("dashboard: no results in %s (set %s)", folder, RESULTS_ENV)
            app_state.dashboard_missing = True
            return None
        from equitable._atomic import verify_outputs

        try:
            verify_outputs(folder)  # never serve a half-written or edited folder
        except InputError as exc:
            log.error("dashboard: %s", exc)
            app_state.dashboard_missing = True
            return None
        data = load_results(folder)
        app_state.dashboard_data = data
        return data
