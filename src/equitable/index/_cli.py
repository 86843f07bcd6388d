"""``equitable index``: build a composite index from a spec and a table."""

from __future__ import annotations

from pathlib import Path

import typer

from equitable.errors import InputError

__all__ = ["register"]


def index_command(
    spec: str = typer.Argument(None, help="A preset name (see --list) or a path to a TOML spec."),
    input: Path = typer.Argument(None, help="The units: a CSV, XLSX or Parquet file.", show_default=False),
    output: Path = typer.Option(None, "-o", "--output", help="Where to write the result (.csv, .xlsx or .parquet)."),
    reference: Path = typer.Option(
        None, "--reference",
        help="Rank against this population (same columns) instead of the input's own units.",
    ),
    list_: bool = typer.Option(False, "--list", help="List the presets and exit."),
    allow_subset: bool = typer.Option(
        False, "--allow-subset",
        help="Rank a subset of the published file the preset reads (e.g. one state's counties) "
             "on purpose; noted on the terminal and in run.json.",
    ),
    explain_: bool = typer.Option(False, "--explain", help="Print the spec's method in plain words and exit."),
) -> None:
    """Build a need index (SVI, CalEnviroScreen, SENI-style, or your own TOML spec).

    Writes one row per unit with the input's id column and every computed column, plus
    OUTPUT.run.json with the spec, the input's SHA-256 and the version.
    """
    from equitable.index._spec import list_presets, load_spec

    if list_:
        for name in list_presets():
            s = load_spec(name)
            typer.echo(f"{name}\t{s.title or ''}")
        return
    if spec is None:
        raise InputError("give a SPEC (a preset name or a TOML file); --list shows the presets")
    s = load_spec(spec)
    if explain_:
        from equitable.index._explain import explain

        typer.echo(explain(s, reference=reference is not None), nl=False)
        return
    if input is None:
        raise InputError("give an INPUT file (CSV, XLSX or Parquet)")
    if output is None:
        raise InputError("give an output file with -o OUTPUT.csv")
    from equitable._atomic import output_folder
    from equitable.files import check_output_file, read_table, write_table
    from equitable.index._engine import compute_index
    from equitable.provenance import write_run_record

    df = read_table(input, id_column=s.id_column)
    ref = read_table(reference, id_column=s.id_column) if reference is not None else None
    from equitable.checks import check_unit_count, published_key

    result = compute_index(s, df, source=str(input), reference=ref)
    tiers = result.tier_summary()
    # the population ranked must be the whole published file unless a subset is on purpose
    # (checked after the cell checks, which name a row and column)
    pop, pop_path = (ref, reference) if ref is not None else (df, input)
    key = published_key(s.published, pop[s.id_column])
    subset_note = check_unit_count(len(pop), key, str(pop_path), allow_subset=allow_subset)
    notes = [n for n in [subset_note, *result.notes] if n]
    out = check_output_file(output)
    inputs = {"input": input}
    if reference is not None:
        inputs["reference"] = reference
    # the table and its run record appear together or not at all, beside other files
    with output_folder(out.parent, whole=False) as stage:
        write_table(result.table, stage / out.name)
        write_run_record(
            stage, command="index", spec=s.to_dict(), inputs=inputs, outputs=[out.name],
            extra={"units": len(result.table), "summary": result.missing_summary(),
                   "input_notes": notes,
                   **({"tiers": _tiers_record(tiers)} if tiers else {})},
            filename=f"{out.name}.run.json",
        )
    score_col = s.score_column_of(s.overall)
    scored = int(result.aggregated[score_col].notna().sum())
    for note in notes:
        typer.echo(f"Note: {note}", err=True)
    typer.echo(f"Wrote {out}: {len(result.table):,} units, {scored:,} scored")
    if tiers:
        for line in tier_lines(tiers):
            typer.echo(line)
        for w in tiers["warnings"]:
            typer.echo(f"Warning: {w}", err=True)


def _tiers_record(tiers: dict) -> dict:
    """The tier summary for run.json (see :meth:`IndexResult.tier_summary`)."""
    keep = ("method", "basis", "n_ranked", "tiers", "cut_scores", "untied_counts", "warnings")
    return {k: tiers[k] for k in keep}


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.6g}"


def tier_lines(tiers: dict) -> list[str]:
    """Terminal lines for a tier summary: units and score range per tier, then the cut scores."""
    basis = tiers["basis"] if tiers["method"] == "cuts" else "score"
    lines = ["Tiers (units, " + basis + " range): " + "; ".join(
        f"{r['tier']}: {r['units']:,} ({_num(r['min_score'])} to {_num(r['max_score'])})"
        for r in tiers["tiers"])]
    cuts = ", ".join(_num(c) for c in tiers["cut_scores"])
    if tiers["method"] == "quantile":
        lines.append(f"Cut scores (lowest {basis} of each tier but the last): {cuts}")
    else:
        lines.append(f"Cut scores ({basis}, ascending): {cuts}")
    return lines


def register(app: typer.Typer) -> None:
    """Add ``equitable index`` to the CLI."""
    app.command("index", no_args_is_help=True)(index_command)
