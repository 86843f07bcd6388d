"""Commands: ``equitable health schools``, ``equitable sites``."""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["register"]

health_app = typer.Typer(
    name="health",
    help="Community health vulnerability per school (CalEnviroScreen 4.0, SVI 2018, Healthy "
    "Places Index 2.0 and the Vaccine Equity Metric quartile).",
    no_args_is_help=True,
)


@health_app.command("schools")
def _schools(
    schools: Path = typer.Argument(..., help="CSV of schools: the LAUSD school table (cds, "
                                   "enrollment, ...) or any CSV with cds_code (and latitude, "
                                   "longitude)."),
    out: Path = typer.Option(..., "--out", "-o", help="CSV to write (a <name>.run.json is "
                             "written beside it)."),
    directory: Path | None = typer.Option(None, "--directory", help="CDE school directory for "
                                          "the coordinates (default: cde/pubschls_2018_los_"
                                          "angeles_county.csv in the data folder)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Data folder (default: "
                                         "EQUITABLE_DATA_DIR or ../shared/data)."),
) -> None:
    """Each school's tract CES 4.0, SVI 2018 and HPI 2.0 values, VEM quartile and need weight."""
    from equitable.health._io import school_health_files

    table, notes = school_health_files(schools, out, data_dir=data_dir, directory=directory)
    counts = table["vem_quartile"].value_counts()
    by_q = ", ".join(f"Q{q}: {int(counts.get(q, 0))}" for q in (1, 2, 3, 4))
    none = int(table["vem_quartile"].isna().sum())
    typer.echo(f"{len(table)} schools -> {out}  (VEM quartile {by_q}; none: {none})")
    for n in notes:
        typer.echo(f"  note: {n}")


def _sites(
    schools: Path = typer.Argument(..., help="CSV of schools to serve: cds_code, students (or "
                                   "enrollment), latitude, longitude, optional need_weight, "
                                   "vem_quartile, school_name, tier (the output of `equitable "
                                   "health schools` works)."),
    k: int = typer.Option(..., "--k", "-k", help="Number of new sites to open."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    max_km: float | None = typer.Option(None, "--max-km", help="Reach: estimated road km "
                                        "(straight line x --detour) from school to site."),
    detour: float | None = typer.Option(None, "--detour", help="Road km per straight-line km "
                                        "(default 1.4: Boscoe, Henry and Zdeb 2012)."),
    travel_times: Path | None = typer.Option(None, "--travel-times", help="CSV from_id, to_id, "
                                             "minutes (replaces distances)."),
    max_minutes: float | None = typer.Option(None, "--max-minutes", help="Reach in minutes "
                                             "with --travel-times (the Vaccine Equity Planner "
                                             "used 15)."),
    candidates: Path | None = typer.Option(None, "--candidates", help="CSV of candidate sites: "
                                           "site_id, latitude, longitude, optional name, "
                                           "capacity, existing (default: the schools)."),
    capacity: float | None = typer.Option(None, "--capacity", help="Students one site can "
                                          "serve (a candidate's own capacity wins)."),
    min_q1_share: float | None = typer.Option(None, "--min-q1-share", help="Least share (0-1) "
                                              "of the students served who are in VEM quartile "
                                              "1 (California's rule: 0.4)."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Solver time limit, seconds."),
    model: str = typer.Option("covering", "--model", help="covering: most need-weighted "
                              "students within reach (maximal covering); median: least "
                              "need-weighted travel, capped at the reach (p-median)."),
    event_kind: str | None = typer.Option(None, "--event-kind", help="Write notices: clinic "
                                          "or information."),
    event_date: str | None = typer.Option(None, "--event-date", help="Event date as families "
                                          "should read it, e.g. 2026-10-17."),
    event_time: str | None = typer.Option(None, "--event-time", help="Event time, e.g. "
                                          "\"3-7 pm\"."),
    bring: str | None = typer.Option(None, "--bring", help="What to bring (English)."),
    bring_es: str | None = typer.Option(None, "--bring-es", help="What to bring (Spanish)."),
    contact: str | None = typer.Option(None, "--contact", help="Who answers questions (phone "
                                       "or office)."),
    languages: Path | None = typer.Option(None, "--languages", help="CSV cds_code, language, "
                                          "students: counts of families whose language has no "
                                          "notice template."),
) -> None:
    """Choose K schools (or candidate sites) for clinics or information events: maximal covering."""
    from equitable.health._io import sites_files

    event = None
    if event_kind is not None:
        event = {k_: v for k_, v in {"kind": event_kind, "date": event_date, "time": event_time,
                                      "bring": bring, "bring_es": bring_es,
                                      "contact": contact}.items() if v is not None}
    r, _files = sites_files(schools, out, k, candidates=candidates, max_km=max_km, detour=detour,
                           travel_times=travel_times, max_minutes=max_minutes,
                           capacity=capacity, min_q1_share=min_q1_share,
                           time_limit_s=time_limit, event=event, languages=languages,
                           model=model)
    c = r.comparisons.set_index("choice")
    best = c.iloc[0]
    typer.echo(f"{int(best['sites'])} sites ({r.status}, gap {r.gap:.4%}): "
               f"{best['students_served']:,.0f} students served ({best['served_pct']:.2f}%), "
               f"VEM quartile 1 share {best['q1_share_pct']:.2f}% -> {out}")
    for choice, row in c.iloc[1:].iterrows():
        typer.echo(f"  {choice}: {row['students_served']:,.0f} students "
                   f"({row['served_pct']:.2f}%), weighted {row['weighted_served']:,.1f} vs "
                   f"{best['weighted_served']:,.1f}; mean travel {row['weighted_mean_travel']:.2f} "
                   f"vs {best['weighted_mean_travel']:.2f} {r.unit}")
    if r.min_q1_share is not None:
        typer.echo(f"  minimum VEM quartile 1 share {r.min_q1_share:.0%}: "
                   + ("binding (it lowers the weighted coverage)" if r.min_share_binding
                      else "not binding"))
    deserts = r.schools[~r.schools["reached"]]
    typer.echo(f"  schools outside every site's reach: {len(deserts)} "
               f"({int(deserts['students'].sum()):,} students)")
    for n in r.notes:
        typer.echo(f"  note: {n}")


def register(app: typer.Typer) -> None:
    """Add the ``health`` group and ``sites`` to the main CLI."""
    app.add_typer(health_app, name="health")
    app.command("sites")(_sites)
