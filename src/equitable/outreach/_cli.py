"""``equitable outreach ...``: database, roster, queue import, users, partners, assignment."""

from __future__ import annotations

import datetime as dt
import getpass
import os
from pathlib import Path

import typer

from equitable.errors import EquitableError

outreach_app = typer.Typer(
    help="Outreach case management: roster and queue import, users, caseload assignment.",
    no_args_is_help=True,
)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
org_app = typer.Typer(help="Community partner organisations and data-sharing agreements.",
                      no_args_is_help=True)
outreach_app.add_typer(user_app, name="user")
outreach_app.add_typer(org_app, name="org")

DB_HELP = ("Database URL (default: $EQUITABLE_DATABASE_URL, else sqlite:///equitable-outreach.db). "
           "PostgreSQL: postgresql+psycopg://user@host/db")
DbOpt = typer.Option(None, "--db", help=DB_HELP)


def _engine(db: str | None):
    from sqlalchemy.exc import DBAPIError

    from equitable.outreach import make_engine, migrate

    engine = make_engine(db)
    try:
        migrate(engine)
    except DBAPIError as exc:  # unreachable server, missing folder, wrong password, ...
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise EquitableError(
            f"cannot open the database {engine.url.render_as_string(hide_password=True)}: "
            f"{reason}") from None
    return engine


@outreach_app.command("migrate")
def migrate_cmd(db: str = DbOpt) -> None:
    """Create or upgrade the outreach database schema (Alembic migrations)."""
    _engine(db)
    typer.echo("database is up to date")


@outreach_app.command("roster")
def roster_cmd(
    students_csv: Path = typer.Argument(..., help="students.csv (student_id, school_id, ...)."),
    db: str = DbOpt,
) -> None:
    """Load the district roster: the students a queue may name (the engagement input's students.csv)."""
    from equitable.outreach import import_roster

    typer.echo(import_roster(_engine(db), students_csv).summary())


@outreach_app.command("schools")
def schools_cmd(
    pubschls_csv: Path = typer.Argument(..., help="CDE Public Schools file (CDSCode, School, "
                                        "Latitude, Longitude)."),
    db: str = DbOpt,
) -> None:
    """Load school names and coordinates (used to keep workers near their schools)."""
    from equitable.outreach import import_schools

    notes: list[str] = []
    n = import_schools(_engine(db), pubschls_csv, notes=notes)
    typer.echo(f"schools: {n} written" + "".join(f"\nNote: {x}" for x in notes))


@outreach_app.command("import")
def import_cmd(
    queue_csv: Path = typer.Argument(..., help="OUT/outreach_queue.csv from 'equitable engagement'."),
    db: str = DbOpt,
) -> None:
    """Open or update one case per student of the outreach queue (all-or-nothing, idempotent)."""
    from equitable.outreach import import_queue

    typer.echo(import_queue(_engine(db), queue_csv).summary())


@outreach_app.command("attendance")
def attendance_cmd(
    attendance_csv: Path = typer.Argument(..., help="The engagement run's attendance.csv "
                                          "(student_id, date, status)."),
    db: str = DbOpt,
) -> None:
    """Load the daily attendance of the students with a case (replaces the previous load), to
    compare attendance before and after the first successful contact."""
    from equitable.outreach._followup import import_attendance

    kept, left_out = import_attendance(_engine(db), attendance_csv)
    typer.echo(f"attendance: {kept} rows loaded; {left_out} rows of students without a case "
               "left out")


@outreach_app.command("assign")
def assign_cmd(
    db: str = DbOpt,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the result without saving it."),
    out: Path = typer.Option(None, "-o", "--out", help="Also write assignment.csv, "
                             "unassignable.csv and workload.csv (case ids only) to this folder."),
) -> None:
    """Assign active cases to outreach workers (language, capacity, continuity, proximity)."""
    from rich.console import Console
    from rich.table import Table

    from equitable.outreach import assign_caseloads

    engine = _engine(db)
    res = assign_caseloads(engine, apply=not dry_run)
    console = Console(highlight=False)
    t = Table(title="Workload per worker")
    for col in ("worker", "languages", "capacity", "assigned", "kept", "mean km"):
        t.add_column(col, justify="left" if col in ("worker", "languages") else "right")
    for w in res.workload:
        t.add_row(w.username, w.languages, str(w.capacity), str(w.assigned), str(w.kept),
                  "" if w.mean_km is None else f"{w.mean_km:.1f}")
    console.print(t)
    console.print(f"assigned: {len(res.assignments)}; unassignable: {len(res.unassigned)}; "
                  f"changed: {res.changed}{' (dry run, nothing saved)' if dry_run else ''}")
    for reason, n in sorted(res.reasons_count.items()):
        console.print(f"  unassignable, {reason}: {n}")
    if out is not None:
        from equitable._atomic import output_folder
        from equitable.provenance import write_run_record

        with output_folder(out) as stage:  # whole or absent, even when killed
            _write_assignment(res, stage)
            write_run_record(stage, command="outreach assign", spec={"dry_run": dry_run},
                             inputs={},
                             outputs=["assignment.csv", "unassignable.csv", "workload.csv"])


def _write_assignment(res, out: Path) -> None:
    import csv

    with open(out / "assignment.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["case_id", "worker"])
        names = {x.worker_id: x.username for x in res.workload}
        for cid in sorted(res.assignments):
            w.writerow([cid, names[res.assignments[cid]]])
    with open(out / "unassignable.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["case_id", "reason"])
        for cid in sorted(res.unassigned):
            w.writerow([cid, res.unassigned[cid]])
    with open(out / "workload.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["worker", "languages", "capacity", "assigned", "kept", "mean_km"])
        for x in res.workload:
            w.writerow([x.username, x.languages, x.capacity, x.assigned, x.kept,
                        "" if x.mean_km is None else f"{x.mean_km:.3f}"])


def _password(password_env: str | None) -> str:
    if password_env:
        value = os.environ.get(password_env)
        if not value:
            raise EquitableError(f"the environment variable {password_env} is not set")
        return value
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat the password: "):
        raise EquitableError("the two passwords differ")
    return first


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="Login name (lower-case)."),
    role: str = typer.Option(..., "--role", help="admin, school_staff, outreach_worker or partner."),
    name: str = typer.Option(None, "--name", help="Display name."),
    school: str = typer.Option(None, "--school", help="School staff: their school's CDS code."),
    organization: str = typer.Option(None, "--organization", help="Partner: the organisation."),
    ui_language: str = typer.Option("en", "--ui-language", help="Interface language: en or es."),
    languages: str = typer.Option("english", "--languages",
                                  help="Languages the worker speaks, comma-separated."),
    capacity: int = typer.Option(0, "--capacity", help="Worker: active cases they can carry."),
    base_school: str = typer.Option(None, "--base-school", help="Worker: CDS code of their base."),
    contact: str = typer.Option(None, "--contact", help="How families reach this person (phone "
                                "or e-mail), printed on notices."),
    password_env: str = typer.Option(None, "--password-env", help="Read the password from this "
                                     "environment variable instead of prompting."),
    db: str = DbOpt,
) -> None:
    """Create a staff account (the password is prompted for, never passed as an argument)."""
    from equitable.outreach import create_user

    engine = _engine(db)
    create_user(engine, username, _password(password_env), role, display_name=name,
                school_id=school, organization=organization, ui_language=ui_language,
                languages=languages, capacity=capacity, base_school_id=base_school,
                contact=contact)
    typer.echo(f"user {username.strip().lower()} created ({role})")


@user_app.command("password")
def user_password(
    username: str = typer.Argument(...),
    password_env: str = typer.Option(None, "--password-env"),
    db: str = DbOpt,
) -> None:
    """Set a new password (ends the user's open sessions)."""
    from equitable.auth import set_password

    set_password(_engine(db), username, _password(password_env))
    typer.echo(f"password of {username} changed")


@user_app.command("disable")
def user_disable(username: str = typer.Argument(...), db: str = DbOpt) -> None:
    """Disable an account and end its open sessions (the account and its history stay)."""
    from equitable.auth import set_active

    n = set_active(_engine(db), username, False)
    typer.echo(f"user {username} disabled; {n} open session(s) ended")


@user_app.command("enable")
def user_enable(username: str = typer.Argument(...), db: str = DbOpt) -> None:
    """Enable a disabled account again (the user signs in anew)."""
    from equitable.auth import set_active

    set_active(_engine(db), username, True)
    typer.echo(f"user {username} enabled")


@user_app.command("list")
def user_list(db: str = DbOpt) -> None:
    """List accounts (no password hashes)."""
    from equitable.auth import list_users

    for u in list_users(_engine(db)):
        typer.echo(f"{u.username}\t{u.role}\t{u.school_id or ''}\t{u.ui_language}\t"
                   f"{u.languages}\t{u.capacity}\t{'active' if u.active else 'inactive'}")


@org_app.command("add")
def org_add(name: str = typer.Argument(...), db: str = DbOpt) -> None:
    """Add a community partner organisation."""
    from equitable.outreach import create_organization

    create_organization(_engine(db), name)
    typer.echo(f"organization {name} added")


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise EquitableError(f"{option} must be a date as YYYY-MM-DD. Got {value!r}.") from None


@org_app.command("agreement")
def org_agreement(
    name: str = typer.Argument(..., help="The organisation."),
    signed: str = typer.Option(..., "--signed", help="Signature date, YYYY-MM-DD."),
    expires: str = typer.Option(..., "--expires", help="Expiry date, YYYY-MM-DD."),
    purpose: str = typer.Option(..., "--purpose", help="The agreement's purpose."),
    reference: str = typer.Option(None, "--reference", help="The district's document number."),
    db: str = DbOpt,
) -> None:
    """Record a data-sharing agreement; partners see their cases only while one is in force."""
    from equitable.outreach import add_agreement

    add_agreement(_engine(db), name, signed_on=_date(signed, "--signed"),
                  expires_on=_date(expires, "--expires"), purpose=purpose, reference=reference)
    typer.echo(f"agreement with {name} recorded ({signed} to {expires})")


def register(app: typer.Typer) -> None:
    app.add_typer(outreach_app, name="outreach")
