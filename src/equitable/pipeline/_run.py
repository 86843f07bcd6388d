"""``equitable run``: inputs -> school table -> index -> tiers -> allocation -> reports."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from equitable import __version__
from equitable.data import (
    read_calenviroscreen,
    read_frpm,
    read_lausd_math,
    read_lausd_schools,
    read_neighbourhoods,
    read_school_directory,
    read_tracts,
)
from equitable.errors import InputError, SpecError
from equitable.geo import NOT_PLACED, PLACED_BY_CENTROID, PLACED_IN_POLYGON, place_schools
from equitable.paths import data_dir as _data_dir
from equitable.pipeline._chronic import check_chronic, join_chronic_absence
from equitable.pipeline._config import RunConfig, load_config
from equitable.pipeline._record import RunJson
from equitable.provenance import write_run_record

if TYPE_CHECKING:  # imported on use at run time (equitable --help stays fast)
    from equitable.allocate import AllocationResult
    from equitable.index import IndexResult, IndexSpec

#: CalEnviroScreen columns joined to each school by its tract GEOID.
CES_COLUMNS = ["asthma_ed_rate", "poverty_pct", "linguistic_isolation_pct", "ces_pctl"]

#: The output files, in the order they are written.
OUTPUT_FILES = ("schools.csv", "allocation.xlsx", "allocation.es.xlsx", "report.html",
                "report.es.html", "run.json")

#: Why a school of the school table is not ranked (values of ``Computation.excluded``).
REASON_NOT_IN_FRPM = "not in the FRPM file for the district"
REASON_CHARTER = "independent (directly funded) charter, not district-run"
REASON_NOT_ACTIVE = "not active in the CDE directory"
REASON_CONFIG = "excluded by the config"
REASON_NOT_ONLY = "not in the config's 'only' list"

Progress = Callable[[str], None]

STEPS = (
    "Reading inputs",
    "Selecting active, district-run schools",
    "Placing schools in census tracts",
    "Computing the need index and tiers",
    "Allocating the budget",
)
WRITE_STEPS = ("Writing schools.csv", "Writing allocation.xlsx", "Writing report.html",
               "Writing report.es.html", "Writing run.json")


@dataclass
class Computation:
    """Everything ``equitable run`` computes before writing files.

    Attributes
    ----------
    config : the validated config; ``config_path`` its file.
    schools : the ``schools.csv`` table (one row per ranked school, sorted by rank then CDS
        code), see :data:`SCHOOL_COLUMNS` in docs/run.md.
    index : the :class:`equitable.index.IndexResult`; ``spec`` the index spec it was built from
        (:class:`equitable.index.IndexSpec`).
    allocation : the :class:`equitable.allocate.AllocationResult`.
    excluded : DataFrame ``cds_code``, ``school_name``, ``reason`` of the school-table rows that
        are not ranked.
    inputs : label -> resolved input file path.
    tracts : the tract polygons (for the map).
    """

    config: RunConfig
    config_path: Path
    schools: pd.DataFrame
    index: IndexResult
    allocation: AllocationResult
    excluded: pd.DataFrame
    inputs: dict[str, Path]
    tracts: gpd.GeoDataFrame
    spec: IndexSpec
    placement_counts: dict[str, int] = field(default_factory=dict)
    chronic_absence: dict[str, Any] = field(default_factory=dict)
    caveats: list[dict[str, Any]] = field(default_factory=list)
    #: what the readers changed or allowed (padded codes, a subset allowed on purpose): printed
    #: by the CLI and kept in run.json as ``input_notes``
    notes: list[str] = field(default_factory=list)
    staffing: dict[str, Any] = field(default_factory=dict)
    #: the prior-year allocation (``[prior]``): ``column``, ``file``, the counts of
    #: :func:`equitable.pipeline._prior.join_prior` and ``by_tier`` (winners and losers per
    #: tier); ``{}`` when the config names none
    prior: dict[str, Any] = field(default_factory=dict)
    #: with ``[health]``: the ``health.csv`` table (:func:`equitable.pipeline._health.health_table`)
    #: and its summary for run.json (``extra.health``)
    health: pd.DataFrame | None = None
    health_summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunResult:
    """What :func:`run` wrote.

    Attributes
    ----------
    out_dir : the output folder; ``files`` maps each output name to its path.
    n_schools : ranked schools; ``tier_counts`` schools per tier (highest need first).
    budget_cents, total_cents : the budget and the sum of the school amounts (equal).
    excluded : reason -> number of school-table rows not ranked.
    placement_counts : placement method -> number of schools.
    tier_summary : the index's tiers (:meth:`equitable.index.IndexResult.tier_summary`): score
        range per tier, cut scores, warnings (an empty tier, tiers made unequal by ties).
    caveats : what changed the result (:func:`caveats`), as in run.json.
    """

    out_dir: Path
    files: dict[str, Path]
    n_schools: int
    budget_cents: int
    total_cents: int
    tier_counts: dict[str, int]
    excluded: dict[str, int]
    placement_counts: dict[str, int]
    computation: Computation
    tier_summary: dict[str, Any] | None = None
    caveats: list[dict[str, Any]] = field(default_factory=list)


def _noop(_: str) -> None:
    pass


def _resolve_inputs(config: RunConfig, base: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for label, rel in config.inputs.model_dump().items():
        if rel is None or isinstance(rel, bool):  # allow_subset is a setting, not a file
            continue
        p = Path(rel)
        p = p if p.is_absolute() else base / p
        if p.is_dir():
            raise InputError(f"{p}: is a folder, not a file (inputs.{label} in the config)")
        if not p.is_file():
            raise InputError(f"{p}: input file not found (inputs.{label} in the config)")
        out[label] = p
    return out


def _load_spec(config: RunConfig, config_path: Path) -> Any:
    from equitable.index import list_presets, load_spec

    name = config.index.spec
    if name in list_presets():
        return load_spec(name)
    p = Path(name)
    if not p.is_absolute():
        p = config_path.parent / p
    if not p.is_file():
        import difflib

        close = difflib.get_close_matches(name, list_presets(), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise SpecError(
            f"{config_path}: key 'index.spec': '{name}' is neither a preset "
            f"({', '.join(list_presets())}) nor a spec file{hint}"
        )
    return load_spec(p)


def _budget_cents(comp: Computation) -> int:
    """The allocation's total in cents. A run allocates money; a positions rule (FTE) has no
    total in cents and is a :class:`SpecError` naming the config, never a traceback."""
    cents = comp.allocation.total_cents
    if cents is None:
        raise SpecError(f"{comp.config_path}: key 'allocation': a positions rule (FTE) cannot be "
                        "the budget of `equitable run`; use `equitable staffing plan`")
    return int(cents)


def _parse_rule(config: RunConfig, config_path: Path) -> Any:
    from equitable.allocate import parse_rule

    data = config.allocation
    if data.get("kind") == "tier_rates" and "weights" not in data and "rates" not in data:
        raise SpecError(
            f"{config_path}: key 'allocation.weights': missing required key (give each tier's "
            "relative per-pupil weight in [allocation.weights], or fixed dollars in "
            "[allocation.rates] with solve = false)"
        )
    return parse_rule(dict(config.allocation), source=f"{config_path} [allocation]")


def _check_tiers(rule: Any, spec: Any, config_path: Path) -> None:
    """Every tier of the index spec needs a weight (or rate), and no weight may name a tier the
    spec does not make: checked before any file is read."""
    if getattr(rule, "kind", None) != "tier_rates" or spec.overall.tiers is None:
        return
    given = getattr(rule, "weights", None)
    key = "weights"
    if given is None:
        given, key = getattr(rule, "rates", None) or {}, "rates"
    labels = list(spec.overall.tiers.tier_labels)
    missing = [t for t in labels if t not in given]
    if missing:
        raise SpecError(
            f"{config_path}: key 'allocation.{key}': no {key[:-1]} for tier "
            + ", ".join(f"'{t}'" for t in missing)
            + f" (the index spec '{spec.name}' makes tiers "
            + ", ".join(f"'{t}'" for t in labels) + ")"
        )
    extra = [t for t in given if t not in labels]
    if extra:
        raise SpecError(
            f"{config_path}: key 'allocation.{key}': tier " + ", ".join(f"'{t}'" for t in extra)
            + f" is not a tier of the index spec '{spec.name}' ("
            + ", ".join(f"'{t}'" for t in labels) + ")"
        )


def select_schools(
    schools: pd.DataFrame,
    frpm: pd.DataFrame,
    directory: pd.DataFrame,
    config: RunConfig,
    *,
    source: str = "config",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the school table into the ranked (active, district-run) schools and the rest.

    A school is ranked when all hold:

    1. it has a row in the FRPM file of the config's district (``district_code``), i.e. it was
       open and reported enrollment in that year;
    2. it is district-run: FRPM ``Charter School (Y/N)`` is ``N``, or it is ``Y`` with
       ``Charter Funding Type`` = ``Locally funded`` (an *affiliated* charter, operated by the
       district with district staff; ``selection.include_affiliated_charters``, default true).
       Directly funded (independent) charters are not district-run;
    3. when it is in the CDE directory, its ``StatusType`` is ``Active`` (schools opened after
       the directory was published are not in it and count as active by rule 1);
    4. the config's ``selection.only`` (if given) lists it and ``selection.exclude`` does not.

    Returns
    -------
    (ranked, excluded) : ``ranked`` is ``schools`` (input order) with the directory's
    ``status_type``, ``latitude``, ``longitude`` and FRPM's ``charter``,
    ``charter_funding_type`` joined; ``excluded`` has ``cds_code``, ``school_name``,
    ``reason``.

    Raises
    ------
    SpecError
        ``selection.only`` or ``selection.exclude`` names a CDS code that is not in the school
        table ("unknown school").
    """
    sel = config.selection
    known = set(schools["cds_code"])
    for key, codes in (("exclude", sel.exclude), ("only", sel.only or [])):
        for i, code in enumerate(codes):
            if code not in known:
                raise SpecError(
                    f"{source}: key 'selection.{key}[{i}]': unknown school '{code}' "
                    f"(no such CDS code in the school table)"
                )
    f = frpm if sel.district_code is None else frpm[frpm["district_code"] == sel.district_code]
    f = f.sort_values(["academic_year", "cds_code"]).drop_duplicates("cds_code", keep="last")
    d = directory.drop_duplicates("cds_code")
    x = schools.merge(
        f[["cds_code", "charter", "charter_funding_type", "school_type"]],
        on="cds_code", how="left", indicator="_frpm",
    ).merge(
        d[["cds_code", "status_type", "latitude", "longitude"]], on="cds_code", how="left",
    )
    x.index = schools.index
    reason = pd.Series(pd.NA, index=x.index, dtype="string")
    in_frpm = x["_frpm"] == "both"
    reason[~in_frpm] = REASON_NOT_IN_FRPM
    funding = x["charter_funding_type"].fillna("").str.strip().str.lower()
    affiliated = (x["charter"] == "Y") & (funding == "locally funded")
    district_run = (x["charter"] == "N") | (affiliated & sel.include_affiliated_charters)
    reason[in_frpm & ~district_run.fillna(False) & reason.isna()] = REASON_CHARTER
    inactive = x["status_type"].notna() & (x["status_type"] != "Active")
    reason[inactive & reason.isna()] = REASON_NOT_ACTIVE
    if sel.only is not None:
        reason[~x["cds_code"].isin(sel.only) & reason.isna()] = REASON_NOT_ONLY
    reason[x["cds_code"].isin(sel.exclude) & reason.isna()] = REASON_CONFIG
    x = x.drop(columns="_frpm")
    ranked = x[reason.isna()].copy()
    excluded = pd.DataFrame({
        "cds_code": x.loc[reason.notna(), "cds_code"],
        "school_name": x.loc[reason.notna(), "school_name"],
        "reason": reason[reason.notna()],
    }).reset_index(drop=True)
    return ranked, excluded


def _directory_rows(directory: pd.DataFrame):
    """school id -> ``file, row N, columns 'Latitude', 'Longitude'`` of its directory row."""
    from equitable.errors import location

    first = int(directory.attrs.get("first_line", 2))
    lines: dict[str, int] = {}
    for pos, code in zip(directory.index, directory["cds_code"]):
        lines.setdefault(str(code), int(pos) + first)
    src = directory.attrs.get("source")
    lat_col, lon_col = directory.attrs.get("columns", ("Latitude", "Longitude"))

    def where(school: str) -> str:
        place = location(src or "school directory", lines.get(school))
        return f"{place}, columns '{lat_col}', '{lon_col}'"

    return where


def _checked(cpath: Path, data_dir: str | Path | None):
    config = load_config(cpath)
    spec = _load_spec(config, cpath)
    rule = _parse_rule(config, cpath)
    _check_tiers(rule, spec, cpath)
    check_chronic(config, spec, cpath)
    inputs = _resolve_inputs(config, _data_dir(data_dir))
    if "prior_allocation" in inputs and config.prior is None:
        raise SpecError(f"{cpath}: key 'prior.column': missing required key (inputs."
                        "prior_allocation needs [prior] column = \"...\", the prior-year "
                        "amount in dollars)")
    return config, spec, rule, inputs


def check_config(config_path: str | Path, *, data_dir: str | Path | None = None) -> dict[str, Path]:
    """Check a config as :func:`compute` does before reading any data; return its input files.

    The config is read and validated, its index spec and allocation rule parsed and matched
    (tier labels), and every input file it names found (a file, not a folder) in the data
    folder. Nothing is computed, so ``equitable compare A.toml B.toml`` checks B before it
    computes A (docs/allocate.md).

    Raises
    ------
    SpecError
        A bad config, index spec or allocation rule (one line naming the file and key).
    InputError
        An input file missing, or a folder (naming the config key ``inputs.<name>``).
    """
    return _checked(Path(config_path), data_dir)[3]


def compute(
    config_path: str | Path,
    *,
    data_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> Computation:
    """Compute a config's ranked-school table, index and allocation without writing files.

    Parameters
    ----------
    config_path : the TOML config (docs/run.md).
    data_dir : the data folder for relative input paths (default: :func:`equitable.paths.data_dir`:
        ``EQUITABLE_DATA_DIR`` or ``../shared/data``).
    progress : called with each step's name (the CLI shows them with rich).

    Returns
    -------
    Computation
        ``.schools`` is the ``schools.csv`` table.

    Raises
    ------
    SpecError
        A bad config, index spec or allocation rule (one line naming the file and key).
    InputError
        A missing or malformed input file (one line naming the file, row and column).
    """
    step = progress or _noop
    cpath = Path(config_path)
    config, spec, rule, inputs = _checked(cpath, data_dir)
    base = _data_dir(data_dir)

    step(STEPS[0])
    prior_table = None
    if config.prior is not None:
        from equitable.pipeline._prior import read_prior

        prior_path = inputs.get("prior_allocation", inputs["schools"])
        prior_table = read_prior(prior_path, config.prior.column, config.prior.id_column)
    from equitable.checks import ReadNotes, check_unit_count

    # each reader's notes (a padded code, a value read as missing) are taken as it returns:
    # a merge does not keep a frame's attrs
    schools = read_lausd_schools(inputs["schools"])
    read_notes = ReadNotes.of(schools)
    if "math" in inputs:
        math_df = read_lausd_math(inputs["math"])
        read_notes += ReadNotes.of(math_df)
        schools = schools.merge(math_df, on="cds_code", how="left", validate="one_to_one")
    frpm = read_frpm(inputs["frpm"])
    directory = read_school_directory(inputs["directory"])
    ces = read_calenviroscreen(inputs["calenviroscreen"])

    # the statewide file ranks every tract: a file missing tracts changes the percentiles
    # joined to the schools, so it must be whole unless a subset is allowed on purpose
    notes = [check_unit_count(len(ces), "calenviroscreen-4.0", str(inputs["calenviroscreen"]),
                              allow_subset=config.inputs.allow_subset)]
    notes += read_notes
    for df in (frpm, directory, ces):
        notes += ReadNotes.of(df)
    tracts = read_tracts(inputs["tracts"])
    hoods = read_neighbourhoods(inputs["neighbourhoods"]) if "neighbourhoods" in inputs else None

    step(STEPS[1])
    ranked, excluded = select_schools(schools, frpm, directory, config, source=str(cpath))
    if len(ranked) < 2:
        raise InputError(
            f"{inputs['schools']}: only {len(ranked)} school(s) are active and district-run"
            + (f" in district {config.selection.district_code}"
               if config.selection.district_code else "")
            + "; at least 2 are needed to rank"
        )
    chronic: dict[str, Any] = {}
    if "chronic_absenteeism" in inputs:
        ranked, chronic = join_chronic_absence(ranked, inputs["chronic_absenteeism"])

    step(STEPS[2])
    placed = place_schools(ranked, tracts, tract_centroids=ces, neighbourhoods=hoods,
                           where=_directory_rows(directory))
    table = ranked.join(placed.drop(columns="cds_code"))
    table = table.merge(ces[["geoid", *CES_COLUMNS]], on="geoid", how="left")
    table.index = ranked.index

    step(STEPS[3])
    from equitable.index import compute_index

    frame = table.reset_index(drop=True)
    frame.attrs["source"] = str(inputs["schools"])
    index = compute_index(spec, frame)
    it = index.table.set_index(spec.id_column)

    step(STEPS[4])
    from equitable.allocate import allocate

    alloc_in = pd.DataFrame({
        "cds_code": frame["cds_code"].astype(str).to_numpy(),
        "enrollment": frame["enrollment"].astype("float64").to_numpy(),
        "tier": it.loc[frame["cds_code"].astype(str), spec.overall.tiers.column].to_numpy(),
        # the need score, for an allocation rule's tie_break = "need", tie_break_column = "score"
        "score": index.aggregated[spec.score_column_of(spec.overall)].to_numpy(),
    })
    allocation = allocate(alloc_in, rule)
    out = _schools_table(frame, index, allocation, spec)
    prior: dict[str, Any] = {}
    if prior_table is not None and config.prior is not None:
        from equitable.pipeline._prior import join_prior, winners_by_tier

        prior_path = inputs.get("prior_allocation", inputs["schools"])
        out, counts_prior, prior_notes = join_prior(out, prior_table, label=prior_path.name)
        notes += prior_notes
        prior = {"column": config.prior.column, "file": prior_path.name, **counts_prior,
                 "by_tier": winners_by_tier(out, list(spec.overall.tiers.tier_labels))
                 .to_dict(orient="records")}
    counts = out["placement"].value_counts()
    placement_counts = {k: int(counts.get(k, 0)) for k in
                        (PLACED_IN_POLYGON, PLACED_BY_CENTROID, NOT_PLACED)}
    comp = Computation(config=config, config_path=cpath, schools=out, index=index,
                       allocation=allocation, excluded=excluded, inputs=inputs, tracts=tracts,
                       spec=spec, placement_counts=placement_counts,
                       chronic_absence=chronic, notes=[n for n in notes if n], prior=prior)
    comp.caveats = caveats(comp, ces)
    if config.health is not None:
        _add_health(comp, ces, base)
    return comp


def _health_path(base: Path, rel: str, key: str, *, folder: bool = False) -> Path:
    p = Path(rel)
    p = p if p.is_absolute() else base / p
    if folder:
        if not p.is_dir():
            raise InputError(f"{p}: site plan folder not found (health.{key} in the config)")
    elif p.is_dir():
        raise InputError(f"{p}: is a folder, not a file (health.{key} in the config)")
    elif not p.is_file():
        raise InputError(f"{p}: input file not found (health.{key} in the config)")
    return p


def _add_health(comp: Computation, ces: pd.DataFrame, base: Path) -> None:
    """The ``[health]`` section: ``comp.health`` (health.csv), its summary, its inputs (for the
    SHA-256 in run.json) and the caveat ``health_placed_by_nearest_tract``."""
    from equitable.pipeline._health import health_table

    h = comp.config.health
    assert h is not None  # called only with a [health] section
    table, summary, files = health_table(
        comp.schools, ces, hpi_path=_health_path(base, h.hpi, "hpi"),
        svi_path=_health_path(base, h.svi, "svi") if h.svi else None,
        sites_dir=_health_path(base, h.sites, "sites", folder=True) if h.sites else None)
    comp.health, comp.health_summary = table, summary
    comp.inputs.update(files)
    near = table["placement"] == PLACED_BY_CENTROID
    if near.any():
        dist = pd.to_numeric(table.loc[near, "distance_m"], errors="coerce").max()
        comp.caveats.append({"code": "health_placed_by_nearest_tract", "count": int(near.sum()),
                             "max_distance_m": round(float(dist), 1) if np.isfinite(dist)
                             else None})


#: Caveat codes (run.json ``caveats[].code``), in the order they are reported.
CAVEAT_CODES = ("placed_by_nearest_tract", "not_placed", "fewer_indicators",
                "tracts_missing_from_community_file", "health_placed_by_nearest_tract")


def caveats(comp: Computation, ces: pd.DataFrame) -> list[dict[str, Any]]:
    """What in the data changed the result, with counts: the caveats ``equitable run`` prints,
    writes to run.json (``caveats``) and shows in both reports.

    Each caveat is a dict with ``code`` (one of :data:`CAVEAT_CODES`), ``count`` and details:

    * ``placed_by_nearest_tract``: ``count`` schools outside every tract polygon, given the
      tract of the nearest CalEnviroScreen centroid (:func:`equitable.geo.place_schools`, step
      2); ``max_distance_m`` the largest distance, metres (EPSG:3310), one decimal.
    * ``not_placed``: ``count`` schools with no coordinates, so no tract and no community
      indicators.
    * ``fewer_indicators``: ``count`` schools missing at least one index indicator (scored on
      the others under the spec's missing-value rule); ``indicators`` maps each indicator code
      (spec order) to the number of schools missing it.
    * ``tracts_missing_from_community_file``: ``count`` tracts of the tract polygon file
      (``tracts_file``) that have no row in the CalEnviroScreen file (``file``); ``schools``
      ranked schools placed in them.
    * ``health_placed_by_nearest_tract`` (only with ``[health]``, added by ``compute``):
      ``count`` schools whose health values in ``health.csv`` (CalEnviroScreen, SVI, HPI, VEM
      quartile) are those of the nearest tract; ``max_distance_m`` as above.

    A caveat with a count of 0 is left out, so a clean run has ``[]``.
    """
    s = comp.schools
    out: list[dict[str, Any]] = []
    by_centroid = s["placement"] == PLACED_BY_CENTROID
    if by_centroid.any():
        dist = pd.to_numeric(s.loc[by_centroid, "distance_m"], errors="coerce").max()
        out.append({"code": "placed_by_nearest_tract", "count": int(by_centroid.sum()),
                    "max_distance_m": round(float(dist), 1) if np.isfinite(dist) else None})
    n_unplaced = int((s["placement"] == NOT_PLACED).sum())
    if n_unplaced:
        out.append({"code": "not_placed", "count": n_unplaced})
    treated = comp.index.treated
    per_ind = {ind.code: int(treated[ind.code].isna().sum()) for ind in comp.spec.indicators
               if ind.code in treated.columns}
    n_fewer = int((s["missing_indicators"] != "").sum())
    if n_fewer:
        out.append({"code": "fewer_indicators", "count": n_fewer,
                    "indicators": {k: v for k, v in per_ind.items() if v}})
    known = set(ces["geoid"].dropna().astype(str))
    tract_ids = comp.tracts["geoid"].dropna().astype(str)
    missing = sorted(set(tract_ids) - known)
    if missing:
        placed_in = s["geoid"].astype("string").isin(missing).fillna(False)
        out.append({"code": "tracts_missing_from_community_file", "count": len(missing),
                    "file": comp.inputs["calenviroscreen"].name,
                    "tracts_file": comp.inputs["tracts"].name,
                    "schools": int(placed_in.sum())})
    return out


def compute_schools(config_path: str | Path, *, data_dir: str | Path | None = None) -> pd.DataFrame:
    """The ``schools.csv`` table of a config, computed without writing any file.

    Same as ``compute(config_path, data_dir=data_dir).schools``; used by ``equitable compare``.
    """
    return compute(config_path, data_dir=data_dir).schools


def _schools_table(frame: pd.DataFrame, index: Any, allocation: Any, spec: Any) -> pd.DataFrame:
    it = index.table.reset_index(drop=True)
    at = allocation.table.reset_index(drop=True)
    cols: dict[str, Any] = {
        "cds_code": frame["cds_code"].astype(str).to_numpy(),
        "school_name": frame["school_name"].astype(str).to_numpy(),
        "span": frame["span"].astype(str).to_numpy(),
        "enrollment": frame["enrollment"].astype("Int64").to_numpy(),
    }
    raw = index.raw.reset_index(drop=True)
    for ind in spec.indicators:
        cols[ind.code] = pd.to_numeric(raw[ind.code], errors="coerce").round(6).to_numpy()
        cols[spec.output_of(ind)] = it[spec.output_of(ind)].to_numpy()
    for node in spec.themes:
        col = spec.score_column_of(node)
        cols[col] = it[col].to_numpy()
    cols["score"] = it[spec.score_column_of(spec.overall)].to_numpy()
    pcol = spec.percentile_column_of(spec.overall)
    if pcol:
        cols["percentile"] = it[pcol].to_numpy()
    rank_col = spec.overall.rank_column or "rank"
    cols["rank"] = it[rank_col].to_numpy() if rank_col in it else pd.NA
    cols["tier"] = it[spec.overall.tiers.column].astype(str).to_numpy()
    cents = at["amount_cents"].astype("int64").to_numpy()
    cols["amount_cents"] = cents
    cols["allocation_dollars"] = [f"{c // 100}.{c % 100:02d}" for c in cents]
    enr = frame["enrollment"].astype("float64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        cols["per_pupil_dollars"] = np.round(np.where(enr > 0, cents / 100.0 / enr, np.nan), 2)
    cols["geoid"] = frame["geoid"].astype("string").to_numpy()
    cols["placement"] = frame["placement"].astype(str).to_numpy()
    cols["distance_m"] = frame["distance_m"].to_numpy()
    cols["neighbourhood"] = frame["neighbourhood"].astype("string").to_numpy()
    cols["latitude"] = frame["latitude"].round(6).to_numpy()
    cols["longitude"] = frame["longitude"].round(6).to_numpy()
    cols["missing_indicators"] = it[spec.missing_column].fillna("").astype(str).to_numpy()
    out = pd.DataFrame(cols)
    out["rank"] = pd.array(out["rank"], dtype="Int64")
    return out.sort_values(["rank", "cds_code"], kind="stable").reset_index(drop=True)


def write_schools_csv(schools: pd.DataFrame, path: str | Path) -> Path:
    """Write ``schools.csv`` with fixed formatting (same table, same bytes): UTF-8, ``\\n`` line
    ends, floats in their shortest round-trip form, missing values as empty cells."""
    p = Path(path)
    schools.to_csv(p, index=False, lineterminator="\n", encoding="utf-8")
    return p


def equity(comp: Computation) -> Any:
    """The allocation's equity metrics (:func:`equitable.allocate.equity_metrics`): shares of
    dollars and students by tier, and, by % low income (``frpm_pct``), the progressivity ratio
    and the concentration index."""
    from equitable.allocate import equity_metrics

    s = comp.schools
    need = "frpm_pct" if "frpm_pct" in s.columns else None
    return equity_metrics(s, tier_order=list(comp.spec.overall.tiers.tier_labels),
                          need_column=need)


def tier_summary(comp: Computation, metrics: Any = None) -> pd.DataFrame:
    """One row per tier (highest need first): ``tier``, ``schools``, ``students``,
    ``amount_cents``, ``rate_dollars`` (solved per-pupil rate), ``share_students`` and
    ``share_dollars`` (fractions 0-1, from :func:`equitable.allocate.equity_metrics`). Student
    counts leave through :func:`equitable.privacy.suppress_table` (a tier of 10 or fewer
    students shows ``*``)."""
    from equitable.privacy import suppress_table

    s = comp.schools
    labels = comp.spec.overall.tiers.tier_labels
    by_tier = (metrics if metrics is not None else equity(comp)).by_tier.set_index("group")
    rows = []
    for label in labels:
        m = s["tier"] == label
        has = label in by_tier.index
        rows.append({
            "tier": label,
            "schools": int(m.sum()),
            "students": int(by_tier.loc[label, "students"]) if has else 0,
            "amount_cents": int(s.loc[m, "amount_cents"].sum()),
            "rate_dollars": float(comp.allocation.rates.get(label, math.nan)),
            "share_students": float(by_tier.loc[label, "share_students"]) if has else 0.0,
            "share_dollars": float(by_tier.loc[label, "share_dollars"]) if has else 0.0,
        })
    df = pd.DataFrame(rows)
    return suppress_table(df, "students", ["students"])


def _tract_shapes(tracts: gpd.GeoDataFrame, tolerance: float = 0.0004) -> list[tuple[list, list]]:
    """Exterior rings of the tract polygons, simplified (~40 m) and rounded, for the map."""
    g = tracts.to_crs("EPSG:4326") if tracts.crs is not None else tracts
    g = g.sort_values("geoid")
    shapes: list[tuple[list, list]] = []
    for geom in g.geometry.simplify(tolerance, preserve_topology=True):
        polys = getattr(geom, "geoms", [geom])
        for poly in polys:
            if poly.is_empty or not hasattr(poly, "exterior"):
                continue
            xy = np.asarray(poly.exterior.coords)
            shapes.append((np.round(xy[:, 0], 5).tolist(), np.round(xy[:, 1], 5).tolist()))
    return shapes


def report_data(comp: Computation) -> Any:
    """Build the :class:`equitable.report.ReportData` of a computation."""
    from equitable.provenance import sha256_file
    from equitable.report import ReportData

    spec = comp.spec
    rule = comp.allocation.rule
    budget_cents = _budget_cents(comp)
    theme_weights = dict(zip([m for m in spec.members_of(spec.overall)],
                             spec.member_weights(spec.overall)))
    indicators = []
    for node in spec.build_order():
        weights = dict(zip(spec.members_of(node), spec.member_weights(node)))
        is_overall = node.code == spec.overall.code
        for code in spec.members_of(node):
            if not spec.is_indicator(code):
                continue
            ind = spec.indicator(code)
            indicators.append({
                "code": ind.code, "label": ind.label, "label_es": ind.label_es,
                "column": ind.column or ind.expression,
                "theme": "" if is_overall else node.code,
                "theme_label": "" if is_overall else node.label,
                "theme_label_es": None if is_overall else node.label_es,
                "direction": ind.direction, "weight": weights[code],
                "output": spec.output_of(ind),
            })
    themes = [{"code": code, "label": spec.node(code).label,
               "label_es": spec.node(code).label_es, "weight": w,
               "score_column": spec.score_column_of(spec.node(code))}
              for code, w in theme_weights.items() if not spec.is_indicator(code)]
    weights = getattr(rule, "weights", None) or {}
    tier_weights = {str(k): float(v) for k, v in dict(weights).items()}
    cfg = comp.config
    inputs = {label: (p.name, sha256_file(p)) for label, p in sorted(comp.inputs.items())}
    n_flagged = int((comp.schools["missing_indicators"] != "").sum())
    metrics = equity(comp)
    method_text: dict[str, str] = {}
    try:
        from equitable.index import explain

        english = explain(spec)
        method_text["en"] = english
        spanish = explain(spec, lang="es")
        if spanish != english:  # only when the index engine has the Spanish phrases
            method_text["es"] = spanish
    except (TypeError, ValueError, KeyError):  # explanation optional; methods text stays
        pass
    return ReportData(
        title=cfg.report.title or cfg.title or spec.title or cfg.name,
        schools=comp.schools,
        tiers=tier_summary(comp, metrics),
        equity={k: v for k, v in (("progressivity_ratio", metrics.progressivity_ratio),
                                  ("concentration_index", metrics.concentration_index))
                if v is not None and np.isfinite(v)},
        tier_labels=list(spec.overall.tiers.tier_labels),
        budget_cents=budget_cents,
        indicators=indicators,
        themes=themes,
        index_title=spec.title or spec.name,
        normalise_form=spec.defaults.normalise.form,
        aggregation=spec.overall.aggregation,
        missing_rule=spec.defaults.missing,
        tier_weights=tier_weights,
        placement_counts=comp.placement_counts,
        n_flagged=n_flagged,
        inputs=inputs,
        tract_shapes=_tract_shapes(comp.tracts) if cfg.report.map else [],
        version=__version__,
        method_text=method_text,
        title_es=cfg.report.title_es,
        index_title_es=spec.title_es,
        tier_labels_es=(dict(zip(spec.overall.tiers.tier_labels, spec.overall.tiers.labels_es))
                        if spec.overall.tiers.labels_es else {}),
        tier_summary=comp.index.tier_summary(),
        remainder_ties=[{"schools": len(t["schools"]), "moved": len(t.get("given", t.get("taken", []))),
                         "rule": t["rule"]} for t in comp.allocation.remainder_ties],
        caveats=comp.caveats,
        weight_tree=weight_tree(spec),
        rules=_rule_rows(comp, inputs),
        sources=[{"label": label, "file": p.name, "year": data_year(p.name),
                  "bytes": p.stat().st_size, "sha256": inputs[label][1]}
                 for label, p in sorted(comp.inputs.items())],
        prior=comp.prior,
    )


def weight_tree(spec: Any) -> list[dict[str, Any]]:
    """The index's weights as its spec defines them, overall score first and each family
    followed by its members, depth first (see :attr:`equitable.report.ReportData.weight_tree`).

    ``share`` multiplies, from the overall score down, each member's weight over the sum of
    its family's weights: the member's share of the score when every family on the way is a
    weighted mean or sum (the spec's ``aggregation``); otherwise None.
    """
    rows: list[dict[str, Any]] = []

    def visit(node: Any, depth: int, parent: str, weight: float | None,
              share: float | None) -> None:
        rows.append({"depth": depth, "kind": "overall" if depth == 0 else "family",
                     "code": node.code, "label": node.label, "label_es": node.label_es,
                     "family": parent, "weight": weight, "share": share, "column": "",
                     "direction": ""})
        members = spec.members_of(node)
        weights = spec.member_weights(node)
        total = float(sum(weights))
        linear = node.aggregation in ("mean", "sum") and share is not None and total > 0
        for code, w in zip(members, weights, strict=True):
            sub = share * w / total if linear else None
            if spec.is_indicator(code):
                ind = spec.indicator(code)
                rows.append({"depth": depth + 1, "kind": "indicator", "code": code,
                             "label": ind.label, "label_es": ind.label_es, "family": node.code,
                             "weight": w, "share": sub, "column": ind.column or ind.expression,
                             "direction": ind.direction})
            else:
                visit(spec.node(code), depth + 1, node.code, w, sub)

    visit(spec.overall, 0, "", None, 1.0)
    return rows


def data_year(name: str) -> str:
    """The data year a file name gives: ``frpm_2023_24_los_angeles_county.csv`` -> ``2023-24``,
    ``pubschls_2018_los_angeles_county.csv`` -> ``2018``; "" when it gives none."""
    import re

    m = re.search(r"(?<!\d)((?:19|20)\d\d)(?:[_-]((?:19|20)?\d\d))?(?!\d)", name)
    if not m:
        return ""
    return m.group(1) + (f"-{m.group(2)[-2:]}" if m.group(2) else "")


def _rule_rows(comp: Computation, inputs: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """The allocation rule and the run's settings as readable rows (message keys, values and
    number formats) for the workbook's Summary sheet, in the order a reader checks them."""
    from equitable._workbook import flatten

    spec, cfg, rule = comp.spec, comp.config, comp.allocation.rule

    def row(key: str, value: Any, kind: str = "text", value_key: str | None = None,
            **args: Any) -> dict[str, Any]:
        return {"key": key, "args": args, "value": value, "kind": kind, "value_key": value_key}

    kind = getattr(rule, "kind", "tier_rates")
    rows = [row("xl_r_config", comp.config_path.name), row("xl_r_name", cfg.name),
            row("xl_r_budget", int(comp.allocation.total_cents or 0) / 100, "money"),
            row("xl_r_kind", kind, value_key=f"kind_{kind}")]
    solve = getattr(rule, "solve", None)
    if solve is not None:
        rows.append(row("xl_r_solve", bool(solve), value_key="xl_yes" if solve else "xl_no"))
    for tier, w in (getattr(rule, "weights", None) or {}).items():
        rows.append(row("xl_r_weight", float(w), "num", tier=str(tier)))
    for tier, r in (getattr(rule, "rates", None) or {}).items():
        if isinstance(r, int | float):
            rows.append(row("xl_r_rate", float(r), "money", tier=str(tier)))
    for tier in spec.overall.tiers.tier_labels:
        if tier in comp.allocation.rates:
            rows.append(row("xl_r_solved_rate", round(float(comp.allocation.rates[tier]), 6),
                            "money", tier=str(tier)))
    tie = getattr(rule, "tie_break", "id")
    rows += [row("xl_r_rounding", "", value_key="xl_r_rounding_text"),
             row("xl_r_tie_break", tie, value_key=f"tie_{tie}")]
    for t in comp.allocation.remainder_ties:  # exact ties the rule decided, said in words
        rows.append(row("xl_r_remainder_tie", "", value_key="remainder_tie",
                        n=len(t["schools"]), k=len(t.get("given", t.get("taken", []))),
                        rule=t["rule"]))
    for key, attr in (("xl_r_id_column", "id_column"),
                      ("xl_r_enrollment_column", "enrollment_column"),
                      ("xl_r_tier_column", "tier_column")):
        if getattr(rule, attr, None):
            rows.append(row(key, str(getattr(rule, attr))))
    for extra in ("eligibility", "bounds"):  # optional parts of a rule, flattened
        part = getattr(rule, extra, None)
        if part is not None:
            for path, v in flatten(part.model_dump(mode="json", exclude_defaults=True)):
                rows.append({"key": f"{extra}.{path}", "args": {}, "value": v,
                             "kind": "num" if isinstance(v, int | float) and not
                             isinstance(v, bool) else "text", "value_key": None})
    norm = spec.defaults.normalise
    ts = spec.overall.tiers
    rows += [
        {**row("xl_r_index", f"{spec.title or spec.name} ({spec.name})"),
         "value_es": f"{spec.title_es or spec.title or spec.name} ({spec.name})"},
        {**row("xl_r_index_source", spec.source or ""),
         "value_es": spec.source_es or spec.source or ""},
        row("xl_r_normalise", f"{norm.method} ({norm.form}, ties = {norm.ties})",
            value_key=f"percentile_{norm.form}" if norm.method == "percentile" else None),
        row("xl_r_aggregation", spec.overall.aggregation, value_key=spec.overall.aggregation),
        row("xl_r_missing", spec.defaults.missing, value_key=spec.defaults.missing),
        row("xl_r_tiers", ts.method, value_key="xl_r_tiers_text", n=len(ts.tier_labels),
            method=ts.method),
        row("xl_r_district", cfg.selection.district_code or ""),
        row("xl_r_affiliated", cfg.selection.include_affiliated_charters,
            value_key="xl_yes" if cfg.selection.include_affiliated_charters else "xl_no"),
        row("xl_r_ranked", len(comp.schools), "int"),
        row("xl_r_not_ranked", len(comp.excluded), "int"),
    ]
    for k, v in comp.placement_counts.items():
        rows.append(row("xl_r_placement", int(v), "int", placement=k))
    ts_sum = comp.index.tier_summary()
    for w in (ts_sum or {}).get("warnings", []):
        rows.append(row("xl_r_tier_warning", w))
    if comp.prior:
        rows.append(row("xl_r_prior", "", value_key="xl_r_prior_text",
                        column=comp.prior["column"], file=comp.prior["file"]))
    shares = [c for c in ("frpm_pct", "el_pct", "swd_pct") if c in comp.schools.columns]
    if shares and "schools" in comp.inputs:  # PRIVACY.md, section 3a
        rows.append(row("xl_r_republished", "", value_key="xl_r_republished_text",
                        columns=", ".join(shares), file=comp.inputs["schools"].name))
    rows.append(row("xl_r_version", __version__))
    return rows


def _tiers_record(tiers: dict[str, Any] | None) -> dict[str, Any] | None:
    """The index's tier summary for run.json: cut scores, score range per tier, warnings."""
    if tiers is None:
        return None
    keep = ("method", "basis", "n_ranked", "tiers", "cut_scores", "untied_counts", "warnings")
    return {k: tiers[k] for k in keep}


def run(
    config_path: str | Path,
    out_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
    *,
    progress: Progress | None = None,
) -> RunResult:
    """Run a config end to end and write its outputs.

    Writes, in ``out_dir`` (default ``out/<config name>`` under the working directory):
    ``schools.csv`` (one row per ranked school), ``allocation.xlsx`` and, with ``es`` among
    the report languages, ``allocation.es.xlsx`` (Summary, Schools, Caveats:
    :func:`equitable.report.write_xlsx`), ``report.html`` and ``report.es.html`` (self-contained,
    offline) and
    ``run.json`` (config, index spec, allocation rule, SHA-256 of every input and output,
    version). The same config on the same inputs writes a byte-identical ``schools.csv``.

    Parameters
    ----------
    config_path : the TOML config (docs/run.md).
    out_dir : the output folder (created if needed).
    data_dir : the data folder for relative input paths.
    progress : called with each step's name.

    Returns
    -------
    RunResult

    Raises
    ------
    SpecError, InputError
        Bad config or input; one line naming the file, key or row and column.
    """
    from equitable._atomic import output_folder

    step = progress or _noop
    name = load_config(config_path).name
    out = Path(out_dir) if out_dir is not None else Path("out") / name
    # a bad --out fails before the work; the files appear together, or not at all
    with output_folder(out) as stage:
        result = _run_into(stage, config_path, data_dir, step)
    result.out_dir = out
    result.files = {k: out / p.name for k, p in result.files.items()}
    return result


def _run_into(out: Path, config_path: str | Path, data_dir: str | Path | None,
              step: Progress) -> RunResult:
    comp = compute(config_path, data_dir=data_dir, progress=step)
    from equitable.report import write_html, write_xlsx

    files: dict[str, Path] = {}
    step(WRITE_STEPS[0])
    files["schools.csv"] = write_schools_csv(comp.schools, out / "schools.csv")
    data = report_data(comp)
    step(WRITE_STEPS[1])
    files["allocation.xlsx"] = write_xlsx(data, out / "allocation.xlsx", "en")
    langs = comp.config.report.languages
    # the workbook and the report in each other language (Spanish first, then as listed):
    # allocation.<lang>.xlsx and report.<lang>.html, worded from the language's catalogue
    others = sorted({lang for lang in langs if lang != "en"}, key=lambda x: (x != "es", x))
    for lang in others:
        files[f"allocation.{lang}.xlsx"] = write_xlsx(data, out / f"allocation.{lang}.xlsx", lang)
    step(WRITE_STEPS[2])
    if "en" in langs:
        files["report.html"] = write_html(data, out / "report.html", "en")
    step(WRITE_STEPS[3])
    for lang in others:
        files[f"report.{lang}.html"] = write_html(data, out / f"report.{lang}.html", lang)
    staffing: dict[str, Any] = {}
    if "staffing" in comp.inputs:  # optional staffing section (docs/staffing.md)
        from equitable.pipeline._staffing import write_staffing

        staffing_files, staffing = write_staffing(comp, comp.inputs["staffing"], out)
        files.update(staffing_files)
        comp.staffing = staffing
    if comp.health is not None:  # optional [health] section (docs/health.md)
        from equitable.pipeline._health import HEALTH_FILE

        files[HEALTH_FILE] = write_schools_csv(comp.health, out / HEALTH_FILE)
    step(WRITE_STEPS[4])
    tier_counts = {t: int((comp.schools["tier"] == t).sum())
                   for t in comp.spec.overall.tiers.tier_labels}
    excluded = comp.excluded["reason"].value_counts().sort_index()
    excluded_counts = {str(k): int(v) for k, v in excluded.items()}
    rule = comp.allocation.rule
    rule_dump = rule.model_dump(mode="json") if hasattr(rule, "model_dump") else dict(
        comp.config.allocation)
    files["run.json"] = write_run_record(
        out,
        command="run",
        spec={
            # a config without [health] is recorded as before (no "health": null)
            "config": comp.config.model_dump(
                mode="json", exclude={"health"} if comp.config.health is None else None),
            "index": comp.spec.to_dict(),
            "allocation": rule_dump,
        },
        inputs={k: v for k, v in comp.inputs.items()},
        outputs=[p.name for k, p in files.items()],
        extra={
            "schools_ranked": len(comp.schools),
            "tier_counts": tier_counts,
            "tiers": _tiers_record(comp.index.tier_summary()),
            "remainder_ties": [{k: v for k, v in t.items() if k != "note"}
                               for t in comp.allocation.remainder_ties],
            "not_ranked": excluded_counts,
            "placement": comp.placement_counts,
            "budget_cents": _budget_cents(comp),
            "total_cents": int(comp.schools["amount_cents"].sum()),
            "rates_dollars": {k: round(float(v), 6) for k, v in comp.allocation.rates.items()},
            "missing_indicators": int((comp.schools["missing_indicators"] != "").sum()),
            **({"chronic_absence": comp.chronic_absence} if comp.chronic_absence else {}),
            "input_notes": list(comp.notes),
            **({"staffing": staffing} if staffing else {}),
            **({"prior": comp.prior} if comp.prior else {}),
            **({"health": comp.health_summary} if comp.health is not None else {}),
        },
        caveats=comp.caveats,
        model=RunJson,
    )
    return RunResult(
        out_dir=out, files=files, n_schools=len(comp.schools),
        budget_cents=_budget_cents(comp),
        total_cents=int(comp.schools["amount_cents"].sum()), tier_counts=tier_counts,
        excluded=excluded_counts, placement_counts=comp.placement_counts, computation=comp,
        tier_summary=comp.index.tier_summary(),
        caveats=comp.caveats,
    )
