"""Commands: ``equitable allocate``, ``equitable lcff``."""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["register"]


def _allocate(
    schools: Path = typer.Argument(..., help="CSV of schools: id, enrollment and any columns the "
                                   "rule names (prior-year amounts, school type, ...)."),
    input: Path | None = typer.Argument(
        None, help="Optional CSV of the schools to allocate to, e.g. an index output "
        "(id, score, tier), joined to SCHOOLS on the rule's id_column."),
    rule: Path = typer.Option(..., "--rule", "-r", help="Allocation rule TOML (its [allocation] "
                              "table, or the whole file)."),
    out: Path = typer.Option(..., "--out", "-o", help="CSV to write (a <name>.run.json is "
                             "written beside it)."),
) -> None:
    """Allocate a budget (or staff positions) to schools by a rule; amounts add up exactly."""
    from equitable.allocate._io import allocate_files

    result = allocate_files(schools, input, rule, out)
    t = result.table
    if result.rule.is_positions:
        total = f"{result.total_fte:g} FTE"
    else:
        c = result.total_units
        total = f"${c // 100:,}.{c % 100:02d}"
    n_bound = {b: int((t["bound"] == b).sum()) for b in ("floor", "cap", "hold_harmless")}
    typer.echo(
        f"Allocated {total} to {int(t['eligible'].sum())} of {len(t)} schools "
        f"(held by floor: {n_bound['floor']}, cap: {n_bound['cap']}, "
        f"hold-harmless: {n_bound['hold_harmless']}) -> {out}"
    )
    for tier, rate in result.rates.items():
        unit = "FTE" if result.rule.is_positions else "$"
        typer.echo(f"  tier {tier}: {unit}{rate:,.2f} per pupil" if unit == "$"
                   else f"  tier {tier}: {rate:.6f} FTE per pupil")
    for note in result.notes:
        typer.echo(f"  note: {note}")


def _lcff(
    year: str = typer.Option(..., "--year", "-y", help="Fiscal year, e.g. 2024-25."),
    upp: float | None = typer.Option(None, "--upp", help="Unduplicated pupil percentage, "
                                        "0-100."),
    ada_k3: float = typer.Option(0.0, "--ada-k3", help="Funded ADA, grades K-3."),
    ada_4_6: float = typer.Option(0.0, "--ada-4-6", help="Funded ADA, grades 4-6."),
    ada_7_8: float = typer.Option(0.0, "--ada-7-8", help="Funded ADA, grades 7-8."),
    ada_9_12: float = typer.Option(0.0, "--ada-9-12", help="Funded ADA, grades 9-12."),
    input: Path | None = typer.Option(
        None, "--input", "-i", help="CSV with one LEA or school a row: ada_k_3, ada_4_6, "
        "ada_7_8, ada_9_12, unduplicated_pupil_pct (and any id columns)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="CSV to write (with --input)."),
) -> None:
    """LCFF base, supplemental and concentration grants from ADA by grade span and UPP."""
    from equitable.allocate._lcff import GRADE_SPANS, SPAN_LABELS, lcff_entitlement
    from equitable.allocate._lcff_table import lcff_file
    from equitable.errors import InputError

    if input is not None:
        if out is None:
            raise InputError("--input needs --out OUT.csv")
        n = lcff_file(input, year, out)
        typer.echo(f"LCFF {year}: {n} rows -> {out}")
        return
    if upp is None:
        raise InputError("give --upp (unduplicated pupil percentage, 0-100) or --input CSV")
    e = lcff_entitlement({"k_3": ada_k3, "4_6": ada_4_6, "7_8": ada_7_8, "9_12": ada_9_12},
                         upp, year)

    from equitable.money import format_money

    def money(c: int) -> str:
        return format_money(c, cents=True)

    typer.echo(f"LCFF {year} (UPP {upp:g}%)  source: {e.rates.source}")
    for s in GRADE_SPANS:
        if e.ada[s]:
            typer.echo(f"  grades {SPAN_LABELS[s]:>4}: {e.ada[s]:,.2f} ADA x "
                       f"${e.adjusted_base_per_ada[s]:,} = {money(e.base_cents[s])}")
    typer.echo(f"  base grants        {money(e.base_total_cents):>20}")
    typer.echo(f"  supplemental       {money(e.supplemental_cents):>20}")
    typer.echo(f"  concentration      {money(e.concentration_cents):>20}")
    typer.echo(f"  total              {money(e.total_cents):>20}")


def register(app: typer.Typer) -> None:
    """Add ``allocate`` and ``lcff`` to the ``equitable`` command (``compare``, which reads full
    run configs too, is the pipeline's: :mod:`equitable.pipeline._cli`)."""
    app.command("allocate")(_allocate)
    app.command("lcff")(_lcff)
