"""``equitable serve``: run the web app with uvicorn."""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    db: str = typer.Option(None, "--db", help="Database URL (default: $EQUITABLE_DATABASE_URL, "
                           "else sqlite:///equitable-outreach.db)."),
    dev: bool = typer.Option(False, "--dev", help="Development: a random session secret for this "
                             "run and cookies allowed over plain http."),
    workers: int = typer.Option(1, "--workers", help="Worker processes (needs a fixed "
                                "EQUITABLE_SESSION_SECRET)."),
    results: str = typer.Option(None, "--results", help="Output folder of `equitable run` that "
                                "the public dashboard shows (default: $EQUITABLE_DASHBOARD_RESULTS, "
                                "else out/lausd)."),
) -> None:
    """Serve the staff console (and the public dashboard when installed)."""
    import os

    if results:
        os.environ["EQUITABLE_DASHBOARD_RESULTS"] = results
    _check_results(results)

    # proxy_headers=False below: uvicorn would trust X-Forwarded-For from 127.0.0.1 by default;
    # the app reads it only from the proxies named in EQUITABLE_TRUSTED_PROXIES (create_app)
    import uvicorn

    from equitable.web import create_app, load_settings

    overrides = {"database_url": db} if db else {}
    settings = load_settings(dev=dev, **overrides)
    if workers > 1:
        if dev:
            raise typer.BadParameter("--workers needs a fixed EQUITABLE_SESSION_SECRET, not --dev")
        os.environ.setdefault("EQUITABLE_DATABASE_URL", settings.database_url)
        from equitable.outreach import make_engine, migrate

        migrate(make_engine(settings.database_url))
        uvicorn.run("equitable.web._asgi:app", host=host, port=port, workers=workers,
                    log_level="warning", proxy_headers=False, timeout_worker_healthcheck=120)
        return
    from sqlalchemy.exc import DBAPIError

    from equitable.errors import EquitableError

    try:
        app = create_app(settings)
    except DBAPIError as exc:  # unreachable server, missing folder, wrong password, ...
        from sqlalchemy.engine import make_url

        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        url = make_url(settings.database_url).render_as_string(hide_password=True)
        raise EquitableError(f"cannot open the database {url}: {reason}") from None
    from equitable.web._app import prepare_to_serve

    prepare_to_serve()
    typer.echo(f"equitable: serving on http://{host}:{port}/  (Ctrl+C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


def _check_results(results: str | None) -> None:
    """Refuse, in one line naming the file, a results folder whose files do not match the
    SHA-256 in its run.json (a run killed half-way, a file edited by hand). Without --results a
    missing default folder is allowed: the dashboard then says the results are not published."""
    import os
    from pathlib import Path

    from equitable._atomic import verify_outputs
    from equitable.errors import InputError
    from equitable.web.dashboard._data import DEFAULT_RESULTS, RESULTS_ENV

    folder = Path(os.environ.get(RESULTS_ENV) or DEFAULT_RESULTS)
    if not folder.exists() and not results:
        return
    if not folder.is_dir():
        raise InputError(f"{folder}: results folder not found (run 'equitable run CONFIG' and "
                         "give its output folder to --results)")
    verify_outputs(folder)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
