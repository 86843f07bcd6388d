"""``equitable run``: the main job, from public files to tiers, an allocation and reports.

Public API
----------
run(config_path, out_dir=None, data_dir=None) -> RunResult     writes the five output files
compute(config_path, data_dir=None) -> Computation              everything, no files written
compute_schools(config_path, data_dir=None) -> DataFrame        the schools.csv table only
compare_files(configs, out_dir, ...) -> Comparison               `equitable compare`
load_config(path) -> RunConfig                                  validate a config
select_schools(schools, frpm, directory, config)                the "active, district-run" rule

See docs/run.md. The names are imported on first use, so ``import equitable.pipeline`` (and
``equitable --help``) does not load geopandas and plotly.
"""

from __future__ import annotations

from equitable._lazy import lazy_exports

_WHERE = {
    "RunConfig": "equitable.pipeline._config",
    "load_config": "equitable.pipeline._config",
    "parse_config": "equitable.pipeline._config",
    "Computation": "equitable.pipeline._run",
    "RunResult": "equitable.pipeline._run",
    "RunExtra": "equitable.pipeline._record",
    "RunJson": "equitable.pipeline._record",
    "RunSpec": "equitable.pipeline._record",
    "compare_files": "equitable.pipeline._compare",
    "check_config": "equitable.pipeline._run",
    "compute": "equitable.pipeline._run",
    "compute_schools": "equitable.pipeline._run",
    "run": "equitable.pipeline._run",
    "scenario_from_run_config": "equitable.pipeline._compare",
    "select_schools": "equitable.pipeline._run",
    "tier_summary": "equitable.pipeline._run",
}

__all__ = [
    "Computation",
    "RunConfig",
    "RunExtra",
    "RunJson",
    "RunResult",
    "RunSpec",
    "compare_files",
    "check_config",
    "compute",
    "compute_schools",
    "load_config",
    "parse_config",
    "run",
    "scenario_from_run_config",
    "select_schools",
    "tier_summary",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
