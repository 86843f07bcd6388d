"""Commands ``equitable staffing gaps|report|plan`` and ``equitable synth staff``."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import typer

from equitable.errors import InputError

__all__ = ["register"]

staffing_app = typer.Typer(
    help="Staffing where need is greatest: educator equity gaps (SBE 2019 definitions), "
    "vacancies and student-support ratios by need tier, recruitment and supports plans.",
    no_args_is_help=True,
)

_POSITIONS = typer.Argument(..., help="District staffing export, one row per position "
                            "(docs/staffing.md).")
_SCHOOLS = typer.Argument(..., help="Schools CSV: cds_code (or cds), enrollment, pct_frpm, "
                          "[level/span, pct_minority, tier, school_name].")


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} must be a date YYYY-MM-DD. Got {value!r} instead.") from None


def _notes(notes: list[str]) -> None:
    for n in notes:
        typer.echo(f"  note: {n}")


@staffing_app.command("gaps")
def gaps_cmd(
    positions: Path = _POSITIONS,
    schools: Path = _SCHOOLS,
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    privacy_config: Path | None = typer.Option(None, "--privacy-config",
                                               help="Privacy rules TOML (default: threshold "
                                               "10)."),
) -> None:
    """Ineffective, out-of-field and inexperienced teachers by poverty and minority quartile,
    school level and need tier; gaps in the layout of CDE's Educator Equity Data Tables."""
    from equitable.staffing._gaps import EquityGaps
    from equitable.staffing._io import gaps_files

    r = gaps_files(positions, schools, out, privacy_config=privacy_config)
    g = r.result
    assert isinstance(g, EquityGaps)  # StaffingOutputs.result is typed object
    typer.echo(f"{len(g.teachers)} filled teaching positions at "
               f"{g.teachers['cds_code'].nunique()} schools")
    total = g.groups[(g.groups["basis"] == "all") & (g.groups["level"] == "all")].iloc[0]
    typer.echo(f"  ineffective {total['ineffective_pct']:.2f}%, out-of-field "
               f"{total['out_of_field_pct']:.2f}%, inexperienced "
               f"{total['inexperienced_pct']:.2f}% of teacher FTE")
    _notes(r.notes)
    typer.echo(f"-> {out}/educator_equity.xlsx, educator_equity_groups.csv, "
               "educator_equity_gaps.csv, gaps.run.json")


@staffing_app.command("report")
def report_cmd(
    positions: Path = _POSITIONS,
    schools: Path = _SCHOOLS,
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date vacancies are counted on "
                                     "(default: the latest date in the positions file)."),
    year_start: str | None = typer.Option(None, "--year-start", help="Start of the fill-rate "
                                          "window (default: 1 July before --as-of)."),
    privacy_config: Path | None = typer.Option(None, "--privacy-config",
                                               help="Privacy rules TOML."),
    cde_fte: Path | None = typer.Option(None, "--cde-fte", help="CDE Staff School FTE file: "
                                        "adds CDE's teacher and pupil services FTE per school."),
) -> None:
    """Vacancies (count, rate, days open, open past 60 days), fill rate, and students per
    counselor, social worker, psychologist and nurse against ASCA/SSWAA/NASP/NASN ratios."""
    from equitable.staffing._io import report_files
    from equitable.staffing._report import StaffingReport

    r = report_files(positions, schools, out, as_of=_date(as_of, "--as-of"),
                     year_start=_date(year_start, "--year-start"),
                     privacy_config=privacy_config, cde_fte=cde_fte)
    rep = r.result
    assert isinstance(rep, StaffingReport)  # StaffingOutputs.result is typed object
    for row in rep.tiers.to_dict(orient="records"):
        rate = row.get("teacher_vacancy_rate_pct")
        spc = row.get("students_per_counselor")
        typer.echo(f"  {row['tier']}: {row['vacancies']} vacancies, teacher vacancy rate "
                   f"{rate:.2f}%, {spc:,.0f} students per counselor" if not math.isnan(spc) else
                   f"  {row['tier']}: {row['vacancies']} vacancies")
    _notes(r.notes)
    typer.echo(f"-> {out}/staffing.xlsx, staffing_schools.csv, staffing_tiers.csv, "
               "staffing.html, staffing.es.html, report.run.json")


@staffing_app.command("plan")
def plan_cmd(
    positions: Path = _POSITIONS,
    schools: Path = _SCHOOLS,
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    job_class: str | None = typer.Option(None, "--job-class", help="counselor, social_worker, "
                                         "psychologist or nurse (with --fte)."),
    fte: float | None = typer.Option(None, "--fte", help="Additional FTE to place."),
    unit: float = typer.Option(0.5, "--unit", help="1 (whole positions) or 0.5 (half)."),
    target: float | None = typer.Option(None, "--target", help="Students per FTE to reach "
                                        "(default: the professional ratio)."),
    budget: str | None = typer.Option(None, "--budget", help="Dollars of hard-to-staff "
                                      "incentives (instead of --fte)."),
    vacancies: str = typer.Option("teacher_vacancies", "--vacancies", help="Incentives follow "
                                  "teacher_vacancies (default) or vacancies (all)."),
    tier_order: str | None = typer.Option(None, "--tier-order", help="Tier labels, highest "
                                          "need first, comma-separated (default: sorted)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date vacancies are counted on."),
) -> None:
    """Place N FTE of a support job class tier by tier to the professional ratio, or share a
    budget of incentives by need x vacancies; before and after, by tier."""
    from equitable.staffing._io import plan_files
    from equitable.staffing._plan import StaffingPlan

    order = [t.strip() for t in tier_order.split(",")] if tier_order else None
    r = plan_files(positions, schools, out, job_class=job_class, fte=fte, unit=unit,
                   target=target, budget=budget, vacancies=vacancies, tier_order=order,
                   as_of=_date(as_of, "--as-of"))
    p = r.result
    assert isinstance(p, StaffingPlan)  # StaffingOutputs.result is typed object
    if p.kind == "positions":
        typer.echo(f"Placed {p.placed_fte:g} of {p.total_fte:g} FTE of {p.job_class} "
                   f"(target {p.target:g}:1)")
        for row in p.tiers.to_dict(orient="records"):
            typer.echo(f"  {row['tier']}: +{row['fte_added']:g} FTE, students per FTE "
                       f"{row['students_per_before']:,.0f} -> {row['students_per_after']:,.0f}, "
                       f"schools at the ratio {row['schools_meeting_before']} -> "
                       f"{row['schools_meeting_after']} of {row['schools']}")
    else:
        c = p.budget_cents
        assert c is not None, "an incentives plan has its budget (plan_incentives)"
        typer.echo(f"Shared ${c // 100:,}.{c % 100:02d} of incentives by need x vacancies")
        for row in p.tiers.to_dict(orient="records"):
            a = row["amount_cents"]
            typer.echo(f"  {row['tier']}: ${a // 100:,}.{a % 100:02d} for {row['vacancies']} "
                       "vacancies")
    _notes(r.notes)
    typer.echo(f"-> {out}/plan.xlsx, plan_schools.csv, plan_tiers.csv, plan.run.json")


def synth_staff_cmd(
    out: Path = typer.Argument(..., help="Output folder (schools.csv, positions.csv)."),
    schools: int = typer.Option(120, "--schools", help="Number of schools (>= 10)."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    schools_file: Path | None = typer.Option(
        None, "--schools-file", help="Real schools table (e.g. lausd/schools_2024_25.csv): "
        "use its CDS codes, levels, enrollment and % FRPM; invent only the positions."),
) -> None:
    """A synthetic district's schools and staffing export, calibrated to published figures
    (teacher vacancies twice as high at the highest-need schools; 83.5% clear teaching FTE)."""
    from equitable.staffing._synth import synth_staff

    r = synth_staff(out, schools, seed=seed, schools_file=schools_file)
    typer.echo(f"SYNTHETIC: {r.n_schools} schools, {r.n_positions} positions -> "
               f"{r.schools_path}, {r.positions_path}")


def register(app: typer.Typer) -> None:
    """Add ``staffing`` and ``synth staff`` to the ``equitable`` CLI."""
    from equitable.engagement._cli import add_synth_command

    app.add_typer(staffing_app, name="staffing")
    add_synth_command("staff", synth_staff_cmd)
