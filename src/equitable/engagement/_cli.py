"""Commands ``equitable engagement`` and ``equitable synth district``.

``synth`` is a Typer sub-app shared by the parts that generate synthetic inputs: another part adds
its generator with ``equitable.engagement._cli.synth_app.command("survey")(fn)``, or through
:func:`add_synth_command`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import typer

from equitable.errors import InputError

__all__ = ["add_synth_command", "register", "synth_app"]

synth_app = typer.Typer(
    name="synth",
    help="Write realistic synthetic inputs (no real student is in them).",
    no_args_is_help=True,
    add_completion=False,
)


def add_synth_command(name: str, fn: Callable, help: str | None = None) -> None:
    """Register ``fn`` as ``equitable synth NAME`` (for other parts' generators)."""
    synth_app.command(name, help=help)(fn)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} must be a date YYYY-MM-DD. Got {value!r} instead.") from None


def engagement(
    folder: str = typer.Argument(..., help="Input folder (a path or a URI: file://, s3a://, "
                                 "hdfs://, abfss://, gs://): students, calendar, attendance "
                                 "[, activity] as .csv or .parquet; attendance may be a folder "
                                 "of Parquet files."),
    out: Path = typer.Option(..., "-o", "--out", help="Output folder (created)."),
    backend: str = typer.Option("duckdb", "--backend", help="duckdb (default) or spark."),
    spark_master: str | None = typer.Option(
        None, "--spark-master", help="Spark master URL (spark://host:7077, yarn, k8s://...); "
        "default: the active session, spark-submit's master, else local[*]."),
    spark_remote: str | None = typer.Option(
        None, "--spark-remote", help="Spark Connect URL sc://host:15002 (or SPARK_REMOTE)."),
    spark_conf: list[str] = typer.Option(
        [], "--spark-conf", help="A Spark setting key=value (repeatable; recorded in run.json, "
        "secrets redacted)."),
    spark_conf_file: Path | None = typer.Option(
        None, "--spark-conf-file", help="Spark settings file (spark-defaults.conf layout)."),
    absences_only: bool = typer.Option(
        False, "--absences-only",
        help="attendance lists only non-present days; presence is implied by the calendar.",
    ),
    lenient: bool = typer.Option(
        False, "--lenient", help="Drop rows with problems (and say how many) instead of stopping."
    ),
    missing_days: int | None = typer.Option(
        None, "--missing-days", help="N: missing = no presence or activity in the last N "
        "instructional days (default: the rules' value, 10 in California's)."),
    rules: str = typer.Option(
        "california", "--rules", help="Engagement thresholds: a preset (california, "
        "federal-edfacts) or a TOML file (docs/engagement.md, \"Rules as a spec\"); recorded "
        "in run.json."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date the data describe (default: latest attendance date)."),
    sb98_from: str | None = typer.Option(None, "--sb98-from", help="First day of the SB 98 window."),
    sb98_to: str | None = typer.Option(None, "--sb98-to", help="Last day of the SB 98 window."),
) -> None:
    """Chronic absence, SB 98 weeks and missing students from attendance files.

    Writes OUT/student_engagement.csv, school_summary.csv (CDE layout, suppressed),
    outreach_queue.csv, outreach_fairness.csv and run.json.
    """
    from equitable.engagement import run_engagement
    from equitable.engagement._backend import parse_spark_conf

    spark = None
    if spark_master or spark_remote or spark_conf or spark_conf_file:
        if backend != "spark":
            raise InputError("--spark-master, --spark-remote and --spark-conf need --backend spark")
        spark = {"master": spark_master, "remote": spark_remote,
                 "conf": parse_spark_conf(spark_conf, spark_conf_file)}
    r = run_engagement(
        folder, out, backend=backend, **({"spark": spark} if spark else {}), absences_only=absences_only, lenient=lenient,
        missing_days=missing_days, rules=rules, as_of=_date(as_of, "--as-of"),
        sb98_from=_date(sb98_from, "--sb98-from"), sb98_to=_date(sb98_to, "--sb98-to"),
    )
    if r.engine:
        e = r.engine
        where = e.get("remote") or e.get("master") or "?"
        typer.echo(f"Spark {e.get('spark_version')}: {e.get('mode')} session on {where}; set on "
                   "it: " + ", ".join(f"{k}={v}" for k, v in e["set_by_equitable"].items()),
                   err=True)
    for issue in r.dropped:
        typer.echo(f"Dropped: {issue.message()}", err=True)
    for note in r.notes:
        typer.echo(f"Warning: {note.message()}; counted as neither present nor absent", err=True)
    for text in r.privacy_notes:
        typer.echo(f"Privacy: {text}", err=True)
    if absences_only and as_of is None:
        typer.echo(
            f"Note: the as-of day is {r.as_of.isoformat()}, the latest date in the attendance "
            "file; an absences-only file may end before the last school day, so pass --as-of "
            "to count the present days after it.", err=True,
        )
    raw = r.raw
    assert raw is not None, "compute_engagement always returns the per-student frame"
    chronic = int((raw["chronically_absent"] == True).sum())
    eligible = int(raw["chronically_absent"].notna().sum())
    typer.echo(
        f"{r.counts['students']:,} students ({r.counts['student_school_rows']:,} student-school "
        f"rows) as of {r.as_of.isoformat()}: {chronic:,} of {eligible:,} eligible chronically "
        f"absent, {int(raw['never_engaged'].sum()):,} never engaged, "
        f"{int(raw['missing'].sum()):,} missing; outreach queue {len(r.queue):,}."
    )
    shown = r.fairness[(r.fairness["enrolled"] != "*") & (r.fairness["ReportingCategory"] != "TA")]
    if len(r.queue) and len(shown):
        typer.echo("Outreach queue by group (share of queue vs share of enrollment, ratio):")
        for row in shown.itertuples(index=False):
            typer.echo(f"  {row.ReportingCategory:<7} {row.description:<32} "
                       f"{row.share_of_flagged_pct:>5}% vs {row.share_of_enrolled_pct:>5}%  "
                       f"{row.representation_ratio}")
    typer.echo(f"Wrote {out}/student_engagement.csv, school_summary.csv, outreach_queue.csv, "
               "outreach_fairness.csv, run.json")


def district(
    students: int = typer.Option(..., "--students", help="Number of students."),
    days: int = typer.Option(..., "--days", help="Number of instructional days."),
    out: Path = typer.Option(..., "-o", "--out", help="Output folder (created)."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same bytes)."),
    fmt: str = typer.Option("csv", "--format", help="csv or parquet."),
    absences_only: bool = typer.Option(False, "--absences-only",
                                       help="Write only non-present attendance days."),
    activity: bool = typer.Option(True, "--activity/--no-activity",
                                  help="Also write activity (platform logins, participation)."),
    start: str = typer.Option("2021-08-16", "--start", help="First day of the school year."),
    data_dir: Path | None = typer.Option(None, "--data-dir",
                                         help="Folder of the real public data (calibration)."),
) -> None:
    """A synthetic district calibrated to California's 2021-22 chronic absenteeism by group."""
    from equitable.engagement._synth import synth_district

    r = synth_district(out, students, days, seed=seed, start=_date(start, "--start"), fmt=fmt,
                       absences_only=absences_only, activity=activity, data_dir=data_dir)
    typer.echo(f"Wrote {students:,} students, {r.attendance_rows:,} attendance rows to {out}")
    typer.echo("Chronic absenteeism, students enrolled 31+ days: realised vs 2021-22 statewide")
    for row in r.targets.itertuples(index=False):
        got = f"{row.realised_pct:6.1f}%" if row.eligible else "      -"
        typer.echo(f"  {row.student_group:<38} {got}  (target {row.target_pct:.1f}%, "
                   f"n={row.eligible:,})")


synth_app.command("district")(district)


def register(app: typer.Typer) -> None:
    """Add ``engagement`` and the ``synth`` sub-app to the ``equitable`` CLI."""
    app.command("engagement")(engagement)
    app.add_typer(synth_app, name="synth")
