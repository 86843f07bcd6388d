"""File-level entry points behind the CLI: protect CSV tables, write them with a run record."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from equitable.errors import InputError
from equitable.privacy._config import PrivacyConfig
from equitable.privacy._io import (
    check_figure_columns,
    line_message,
    read_crosstab_csv,
    read_csv_text,
)
from equitable.privacy._protect import Protected, protect_long, protect_tables
from equitable.provenance import write_run_record

__all__ = ["protect_files"]


def protect_files(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    count_col: str | None = None,
    group_cols: Sequence[str] = (),
    rate_cols: Sequence[str] = (),
    columns_name: str | None = None,
    total_label: str = "Total",
    config: PrivacyConfig | None = None,
) -> list[Protected]:
    """Protect CSV tables (crosstabs published together, or one long table each) and write
    ``out_dir/<file name>`` for each, plus ``out_dir/run.json`` (config, input hashes, outputs).

    Crosstab files are protected together (shared margins linked as in :func:`audit_files`);
    long files (``count_col`` given) one by one. Output files hold ``*`` in suppressed cells.
    """
    cfg = config or PrivacyConfig()
    out = Path(out_dir)
    srcs = [Path(p) for p in paths]
    names = [p.name for p in srcs]
    if len(set(names)) != len(names):
        raise InputError("two input files have the same name; outputs would overwrite each other")
    if count_col is not None:
        results = [
            protect_long(_read_long(p, [*group_cols, count_col]), count_col=count_col,
                         group_cols=list(group_cols),
                         rate_cols=list(rate_cols), total_label=total_label, config=cfg,
                         name=str(p))
            for p in srcs
        ]
    else:
        tables = [read_crosstab_csv(p, columns_name=columns_name, marker=cfg.marker)
                  for p in srcs]
        try:
            results = protect_tables(tables, names=[str(p) for p in srcs],
                                     total_label=total_label, config=cfg)
        except InputError as exc:
            msg = str(exc)
            for t in tables:
                msg = line_message(msg, t)
            raise InputError(msg) from None
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file; the output must be a folder (-o OUT_DIR)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create the output folder "
                         f"({exc.strerror or exc})") from None
    from equitable._atomic import output_folder

    with output_folder(out) as stage:  # whole or absent, even when killed
        for p, r in zip(srcs, results):
            r.table.to_csv(stage / p.name, index=count_col is None, lineterminator="\n")
        write_run_record(
            stage,
            command="privacy protect",
            spec={"privacy": cfg.model_dump(mode="json"), "count_col": count_col,
                  "group_cols": list(group_cols), "rate_cols": list(rate_cols),
                  "total_label": total_label, "columns_name": columns_name},
            inputs={p.name: p for p in srcs},
            outputs=names,
            extra={"suppressed_cells": {p.name: int(r.suppressed.to_numpy().sum())
                                        for p, r in zip(srcs, results)},
                   # how `equitable privacy audit OUT/<table>.csv` audits a long table with no
                   # option (crosstabs need none)
                   **({"privacy_audit": {p.name: [{"count_col": count_col,
                                                   "group_cols": list(group_cols),
                                                   "total_label": total_label}]
                                         for p in srcs}} if count_col is not None else {})},
        )
    return results


def _read_long(path: Path, skip: list[str]):
    """A long table's text cells; a percent of 150 or a negative enrollment is refused
    (:func:`~equitable.privacy._io.check_figure_columns`)."""
    df = read_csv_text(path)
    check_figure_columns(df, path, skip=skip)
    return df
