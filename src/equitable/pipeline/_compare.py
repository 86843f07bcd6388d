"""``equitable compare`` with full ``equitable run`` configs among the scenarios.

The comparison itself is :mod:`equitable.allocate._compare`; a run config's schools, tiers and
allocation come from :func:`equitable.pipeline.compute`, which this module hands down to it (the
allocation layer never imports the pipeline).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from equitable.allocate._compare import Comparison, Scenario
from equitable.allocate._compare import compare_files as _compare_files

__all__ = ["compare_files", "scenario_from_run_config"]


def scenario_from_run_config(path: Path, data: dict[str, Any],
                             data_dir: str | Path | None = None) -> Scenario:
    """The scenario of one ``equitable run`` config: its allocation computed by
    :func:`equitable.pipeline.compute` (nothing written), on the schools table of the run.

    Parameters
    ----------
    path : the config file.
    data : its parsed TOML (the scenario's name is ``name``, else the file's stem; its
        ``[inputs].schools`` file, when it exists in the data folder, is the comparison's default
        context: need and actual spending per school).
    data_dir : the data folder (default: :func:`equitable.paths.data_dir`).

    Raises
    ------
    SpecError, InputError
        As :func:`equitable.pipeline.compute`.
    """
    from equitable.paths import data_dir as default_data_dir
    from equitable.pipeline._run import compute

    comp = compute(path, data_dir=data_dir)
    ctx = None
    rel = (data.get("inputs") or {}).get("schools")
    if rel:
        cand = default_data_dir(data_dir) / rel
        ctx = cand if cand.exists() else None
    name = str(data.get("name") or path.stem)
    return Scenario(name=name, result=comp.allocation, schools=comp.schools.copy(),
                    source=str(path), context_path=ctx)


def compare_files(
    configs: Sequence[str | Path],
    out_dir: str | Path,
    *,
    schools: str | Path | None = None,
    context: str | Path | None = None,
    need_column: str | None = None,
    spending_column: str | None = None,
    data_dir: str | Path | None = None,
) -> Comparison:
    """``equitable compare``: :func:`equitable.allocate.compare_files` with full run configs
    read by :func:`scenario_from_run_config`. Same parameters, outputs and errors."""
    return _compare_files(configs, out_dir, schools=schools, context=context,
                          need_column=need_column, spending_column=spending_column,
                          data_dir=data_dir, run_config_loader=scenario_from_run_config,
                          run_config_checker=_check_config)


def _check_config(path: Path, *, data_dir: str | Path | None = None) -> None:
    """Check a run config before any scenario is computed (:func:`equitable.pipeline.check_config`)."""
    from equitable.pipeline._run import check_config

    check_config(path, data_dir=data_dir)
