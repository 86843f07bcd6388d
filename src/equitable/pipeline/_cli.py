"""``equitable run CONFIG [--out DIR] [--data-dir DIR]`` and ``equitable compare CONFIG...``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to the ``equitable`` CLI."""

    @app.command("run")
    def run_command(
        config: Annotated[Path, typer.Argument(
            help="The analysis config (TOML), e.g. examples/lausd.toml.")],
        out: Annotated[Path | None, typer.Option(
            "--out", help="Output folder (default: out/<config name>).")] = None,
        data_dir: Annotated[Path | None, typer.Option(
            "--data-dir", help="Data folder (default: EQUITABLE_DATA_DIR or ../shared/data).")
        ] = None,
        quiet: Annotated[bool, typer.Option(
            "--quiet", "-q", help="No progress display.")] = False,
    ) -> None:
        """Rank schools by a need index, cut tiers, allocate a budget and write the reports.

        Writes schools.csv, allocation.xlsx (and allocation.es.xlsx), report.html,
        report.es.html and run.json.
        """
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from equitable.pipeline._run import STEPS, WRITE_STEPS, run

        console = Console(stderr=True)
        total = len(STEPS) + len(WRITE_STEPS)
        if quiet or not console.is_terminal:
            seen: list[str] = []

            def step(name: str) -> None:
                seen.append(name)
                if not quiet:
                    console.print(f"[{len(seen)}/{total}] {name}", highlight=False)

            result = run(config, out_dir=out, data_dir=data_dir, progress=step)
        else:
            with Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                console=console, transient=False,
            ) as bar:
                task = bar.add_task("Starting", total=total)
                started = [False]

                def step(name: str) -> None:
                    if started[0]:
                        bar.advance(task)
                    started[0] = True
                    bar.update(task, description=name)

                result = run(config, out_dir=out, data_dir=data_dir, progress=step)
                bar.update(task, completed=total, description="Done")
        for note in result.computation.notes:
            typer.echo(f"Note: {note}", err=True)
        tiers = ", ".join(f"{k}: {v}" for k, v in result.tier_counts.items())
        typer.echo(f"Ranked {result.n_schools} schools ({tiers}).")
        if result.tier_summary:
            from equitable.index._cli import tier_lines

            for line in tier_lines(result.tier_summary)[1:]:  # the counts are on the line above
                typer.echo(line)
            for w in result.tier_summary["warnings"]:
                typer.echo(f"Warning: {w}", err=True)
        typer.echo(
            f"Allocated ${result.total_cents // 100:,}.{result.total_cents % 100:02d} of "
            f"${result.budget_cents // 100:,}.{result.budget_cents % 100:02d}."
        )
        ca = result.computation.chronic_absence if result.computation else {}
        if ca:
            typer.echo(
                f"Chronic absence ({ca['file']}, {ca['academic_year']}): {ca['schools_with_rate']} "
                f"schools with a rate, {ca['suppressed']} suppressed by CDE (*), {ca['no_row']} "
                "without a row (named in the missing_indicators column of schools.csv).")
        pr = result.computation.prior if result.computation else {}
        if pr:
            by = pr["by_tier"]
            typer.echo(
                f"Prior year ({pr['column']} of {pr['file']}): "
                f"{sum(t['schools_gaining'] for t in by)} schools gain, "
                f"{sum(t['schools_losing'] for t in by)} lose, "
                f"{sum(t['schools_same'] for t in by)} unchanged, {pr['without_prior']} without a "
                "prior amount (by tier in allocation.xlsx).")
        comp = result.computation
        for tie in (comp.allocation.remainder_ties if comp is not None else []):
            typer.echo(f"Note: {tie['note']}")
        st = result.computation.staffing if result.computation else {}
        if st:
            typer.echo(f"Staffing ({st['positions']} positions, as of {st['as_of']}): "
                       f"{st['vacancies'].get('All', 0)} vacancies.")
            for n in st["notes"]:
                typer.echo(f"  note: {n}")
        hs = result.computation.health_summary if result.computation else {}
        if hs:
            q = hs["vem_quartile"]
            typer.echo(f"Health ({hs['schools']} schools, health.csv): Vaccine Equity Metric "
                       f"quartile 1 (least healthy): {q['1']}, 2: {q['2']}, 3: {q['3']}, "
                       f"4: {q['4']}, none: {q['none']}.")
            for n in hs["notes"]:
                typer.echo(f"  note: {n}")
        for reason, n in result.excluded.items():
            typer.echo(f"Not ranked: {n} school(s): {reason}.")
        if result.caveats:
            from equitable.report._messages import caveat_text

            terminal = Console(highlight=False, soft_wrap=True)
            for caveat in result.caveats:
                terminal.print(f"[bold yellow]Caveat:[/] {caveat_text('en', caveat)}", markup=True)
        typer.echo(f"Wrote {', '.join(result.files)} to {result.out_dir}")


def _compare(
    configs: list[Path] = typer.Argument(..., help="Two or more scenario TOMLs (the first is "
                                         "the baseline): allocation rules, or full `equitable "
                                         "run` configs."),
    out: Path = typer.Option(Path("out/compare"), "--out", "-o", help="Output folder."),
    schools: Path | None = typer.Option(None, "--schools", "-s", help="Schools CSV the "
                                           "allocation rules apply to."),
    context: Path | None = typer.Option(None, "--context", help="CSV joined on the id for "
                                           "need and actual spending (default: a run config's "
                                           "[inputs].schools, e.g. lausd/schools_2024_25.csv)."),
    need_column: str | None = typer.Option(None, "--need-column", help="Need measure, "
                                              "higher = more need (default: pct_frpm if "
                                              "present)."),
    spending_column: str | None = typer.Option(None, "--spending-column", help="Actual "
                                                  "per-pupil spending (default: total_ppe if "
                                                  "present)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Data folder for run "
                                            "configs."),
) -> None:
    """Compare allocations side by side: per school, per tier, equity metrics; XLSX + HTML."""
    from equitable.pipeline._compare import compare_files

    comp = compare_files(configs, out, schools=schools, context=context,
                         need_column=need_column, spending_column=spending_column,
                         data_dir=data_dir)
    for s in comp.scenarios:
        m = comp.metrics[s.name].summary()
        ci = m.get("concentration_index")
        pr = m.get("progressivity_ratio")
        typer.echo(f"{s.name}: ${m['total_dollars']:,.2f}"
                   + (f", progressivity ratio {pr:.3f}" if pr is not None else "")
                   + (f", concentration index {ci:+.4f}" if ci is not None else ""))
    for row in comp.winners.to_dict(orient="records"):
        typer.echo(f"{row['scenario']} vs {row['vs']}: {row['schools_gaining']} schools gain, "
                   f"{row['schools_losing']} lose, ${row['dollars_moved']:,.2f} moved")
    for n in comp.notes:
        typer.echo(f"  note: {n}")
    typer.echo(f"-> {out}/compare.xlsx, compare.html, compare.es.html, schools.csv, "
               "compare.run.json")


def register_compare(app: typer.Typer) -> None:
    """Add ``compare`` to the ``equitable`` CLI (listed after ``allocate`` and ``lcff``)."""
    app.command("compare")(_compare)
