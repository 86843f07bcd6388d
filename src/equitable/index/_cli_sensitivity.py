"""Commands ``equitable sensitivity`` and ``equitable audit`` (see docs/sensitivity.md)."""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["register"]


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [t.strip() for t in text.split(",") if t.strip()]


def sensitivity_command(
    spec: str = typer.Argument(..., help="A preset name or a path to a TOML spec."),
    input: Path = typer.Argument(..., help="The units: a CSV, XLSX or Parquet file."),
    draws: int = typer.Option(1000, "--draws", "-n", help="Monte Carlo draws."),
    output: Path = typer.Option(..., "-o", "--output", help="Output folder (units.csv, tier_stability.csv, "
                                "sobol.csv, report.html, run.json)."),
    weights: str = typer.Option("dirichlet", "--weights",
                                help="How weights vary: dirichlet (around the declared weights), "
                                "uniform (each within +-spread) or none."),
    concentration: float = typer.Option(10.0, "--concentration",
                                        help="Dirichlet concentration per member (larger = closer to the declared weights)."),
    spread: float = typer.Option(0.25, "--spread", help="Uniform half-width as a fraction (0.25 = +-25%)."),
    normalisation: str | None = typer.Option(
        None, "--normalisation", help="Normalisations to vary over, comma-separated: declared,percentile,zscore,minmax."),
    ties: str | None = typer.Option(None, "--ties", help="Percentile tie rules to vary over: min,max,average."),
    missing: str | None = typer.Option(
        None, "--missing", help="Missing-data rules to vary over: exclude,reweight,impute_mean,impute_median,impute_zero."),
    sobol_n: int = typer.Option(256, "--sobol-n", help="Saltelli base sample (a power of 2) for the Sobol indices."),
    no_sobol: bool = typer.Option(False, "--no-sobol", help="Skip the Sobol indices."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same outputs)."),
    allow_subset: bool = typer.Option(
        False, "--allow-subset",
        help="Analyse a subset of the published file the preset reads on purpose; noted on the "
             "terminal and in run.json.",
    ),
) -> None:
    """Monte Carlo uncertainty analysis: rank intervals, tier probabilities and Sobol indices.

    Perturbs the spec's weights (and optionally the normalisation, tie rule and missing-data
    rule), rebuilds the ranking for every draw and writes, per unit, the median rank, the 5th-95th
    percentile rank interval and the probability of each tier, plus an offline HTML report.
    """
    from equitable._atomic import output_folder
    from equitable.checks import check_unit_count, published_key
    from equitable.files import check_columns, read_table
    from equitable.index._sensitivity import sensitivity
    from equitable.index._spec import load_spec
    from equitable.provenance import write_run_record

    s = load_spec(spec)
    df = read_table(input, id_column=s.id_column)
    check_columns(df, [s.id_column], str(input))
    # a preset's published file must be whole unless a subset is on purpose (equitable.checks)
    note = check_unit_count(len(df), published_key(s.published, df[s.id_column]), str(input),
                            allow_subset=allow_subset)
    with output_folder(output) as stage:  # whole or absent, even when killed
        res = sensitivity(s, df, draws=draws, weights=weights, concentration=concentration, spread=spread,  # type: ignore[arg-type]
                          normalisations=_split(normalisation), ties=_split(ties), missing=_split(missing),
                          sobol=not no_sobol, sobol_n=sobol_n, seed=seed, source=str(input))
        paths = res.write(stage)
        write_run_record(stage, command="sensitivity", spec=s.to_dict(), inputs={"input": input},
                         outputs=[p.name for p in paths],
                         extra={"settings": res.settings, "summary": res.summary,
                                "input_notes": [note] if note else []})
    if note:
        typer.echo(f"Note: {note}", err=True)
    summ = res.summary
    typer.echo(f"{res.draws:,} draws over {summ['units']:,} units: median 90% rank interval "
               f"{summ['median_rank_interval']:.1f} ranks, mean absolute rank shift {summ['mean_abs_rank_shift']:.2f}")
    if "units_same_tier_p_ge_0.9" in summ:
        typer.echo(f"{summ['units_same_tier_p_ge_0.9']:,} units keep their tier in >= 90% of draws; "
                   f"{summ['units_same_tier_p_lt_0.5']:,} in fewer than half")
    if len(res.sobol):
        top = res.sobol.sort_values("ST", ascending=False, kind="mergesort").head(3)
        typer.echo("Largest total Sobol indices: " + ", ".join(f"{r.factor} {r.ST:.3f}" for r in top.itertuples()))
    typer.echo(f"Wrote {output}/ (units.csv, tier_stability.csv, sobol.csv, report.html, run.json)")


def audit_command(
    published: Path = typer.Argument(..., help="The published file: ids, indicators, score, rank, tier, "
                                     "allocation and enrollment (CSV, XLSX or Parquet), or LAUSD's own "
                                     "SENI file as downloaded."),
    spec: str | None = typer.Option(None, "--spec", help="The declared method: a preset name or a TOML "
                                    "spec (not needed for LAUSD's SENI file layout)."),
    output: Path | None = typer.Option(None, "-o", "--output",
                                          help="Folder for fits.csv, weights.csv, breaks.csv, tier_rates.csv and run.json."),
    score_column: str | None = typer.Option(None, "--score-column", help="Published score column (default: the spec's)."),
    rank_column: str | None = typer.Option(None, "--rank-column", help="Published rank column (default: the spec's)."),
    tier_column: str | None = typer.Option(None, "--tier-column", help="Published tier column (default: the spec's)."),
    allocation_column: str | None = typer.Option(None, "--allocation-column",
                                                    help="Allocation column (default: amount_cents, allocation_dollars, ...)."),
    enrollment_column: str | None = typer.Option(None, "--enrollment-column", help="Enrollment column (default: enrollment)."),
    money_unit: str | None = typer.Option(None, "--money-unit", help="cents or dollars (default: cents if the column ends in _cents)."),
    score_tolerance: float | None = typer.Option(
        None, "--score-tolerance", help="Also list schools whose score is off the best fit by more than this."),
) -> None:
    """Audit a published index: recover its weights (NNLS), check ranks, tiers and per-pupil rates.

    Prints the fit and every school that breaks a rule; exits 0 (the findings are the output).
    LAUSD's own SENI file (a 'SENI Score <year>' column) is read in its layout without --spec:
    quintile counts, whether dollars per pupil are constant within each quintile or follow the
    score, and the weights recovered from the indicators.
    """
    from equitable._atomic import output_folder
    from equitable.files import make_output_folder, read_table
    from equitable.index._audit import audit_published
    from equitable.index._spec import load_spec
    from equitable.provenance import write_run_record

    if spec is None:
        from equitable.errors import InputError
        from equitable.index._seni_file import audit_seni_file, is_lausd_seni_file

        if not is_lausd_seni_file(published):
            read_table(published)  # a missing, empty or unreadable file gets its own message
            raise InputError(f"{published}: give --spec (the declared method); only LAUSD's SENI "
                             "file layout (a 'SENI Score <year>' column) is audited without one")
        if output is not None:
            make_output_folder(output)
        seni = audit_seni_file(published)
        typer.echo(seni.to_text(), nl=False)
        if output is not None:
            paths = seni.write(output)
            write_run_record(output, command="audit", spec={"layout": "lausd-seni"},
                             inputs={"published": published}, outputs=[p.name for p in paths],
                             extra={"summary": seni.summary, "money": seni.money})
            typer.echo(f"Wrote {output}/ (quintiles.csv, weights.csv, fits.csv, run.json)")
        return
    s = load_spec(spec)
    df = read_table(published, id_column=s.id_column)
    if output is not None:
        make_output_folder(output)
    rep = audit_published(df, s, score_column=score_column, rank_column=rank_column, tier_column=tier_column,
                          allocation_column=allocation_column, enrollment_column=enrollment_column,
                          money_unit=money_unit, score_tolerance=score_tolerance, source=str(published))
    typer.echo(rep.to_text(), nl=False)
    if output is not None:
        with output_folder(output) as stage:  # whole or absent, even when killed
            paths = rep.write(stage)
            write_run_record(stage, command="audit", spec=s.to_dict(), inputs={"published": published},
                             outputs=[p.name for p in paths], extra={"summary": rep.summary})
        typer.echo(f"Wrote {output}/ (fits.csv, weights.csv, breaks.csv, tier_rates.csv, run.json)")


def register(app: typer.Typer) -> None:
    """Add ``equitable sensitivity`` and ``equitable audit`` to the CLI."""
    app.command("sensitivity", no_args_is_help=True)(sensitivity_command)
    app.command("audit", no_args_is_help=True)(audit_command)
