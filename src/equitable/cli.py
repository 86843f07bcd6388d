"""The ``equitable`` command line.

Each command is a thin wrapper over one public library function (see docs/cli.md). Commands live
beside their library code, in ``equitable/<part>/_cli.py``, each exposing ``register(app)``; this
module gathers them and turns the library's own errors into ``Error: ...`` with exit code 1.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click
import typer
import typer.main

from equitable import __version__
from equitable.errors import EquitableError

__all__ = ["app", "command", "main"]

# The modules whose commands make up the CLI, in the order `equitable --help` lists them.
# Each defines ``register(app: typer.Typer) -> None`` (or ``module:function`` names another).
_COMMAND_MODULES = (
    "equitable.pipeline._cli",  # run
    "equitable.index._cli",  # index
    "equitable.index._cli_sensitivity",  # sensitivity, audit
    "equitable.allocate._cli",  # allocate, lcff
    "equitable.pipeline._cli:register_compare",  # compare (scenarios may be full run configs)
    "equitable.privacy._cli",  # privacy audit
    "equitable.engagement._cli",  # engagement, synth
    "equitable.outreach._cli",  # outreach import / assign / users
    "equitable.web._cli",  # serve
    "equitable.voice._cli",  # survey ...
    "equitable.staffing._cli",  # staffing gaps / report / plan, synth staff
    "equitable.health._cli",  # health schools, sites
)

app = typer.Typer(
    name="equitable",
    help="Need indices, need-based allocation, missing-student outreach and community voice "
    "for equitable school recovery.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"equitable {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_version_callback,
        is_eager=True,
    ),
) -> None:
    """equitable: need indices, allocation, outreach and community voice."""


def _register_parts() -> None:
    for entry in _COMMAND_MODULES:
        name, _, function = entry.partition(":")
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue  # that part has no commands (yet)
            raise
        getattr(module, function or "register")(app)


_register_parts()


def _escape_markup(cmd: click.Command) -> None:
    """Escape Rich markup in help texts, in place, so ``[allocation]`` shows as written.

    Typer renders help with Rich markup, where ``[word]`` is a style tag and disappears; the
    help texts are plain text (docs/cli.md prints them unchanged), so every tag-like bracket is
    escaped with ``rich.markup.escape``.
    """
    from rich.markup import escape

    for attr in ("help", "short_help", "epilog"):
        text = getattr(cmd, attr, None)
        if isinstance(text, str):
            setattr(cmd, attr, escape(text))
    for param in cmd.params:
        text = getattr(param, "help", None)
        if isinstance(text, str):
            param.help = escape(text)
    for sub in getattr(cmd, "commands", {}).values():
        _escape_markup(sub)


def command() -> click.Command:
    """The click command of ``equitable`` (all parts registered), help texts markup-escaped."""
    cmd: Any = typer.main.get_command(app)
    _escape_markup(cmd)
    return cmd


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``equitable`` console script.

    Usage errors are click's (exit code 2); the library's own errors print ``Error: ...`` on
    standard error and exit with code 1, without a traceback.
    """
    try:
        command()(args=argv, prog_name="equitable")
    except EquitableError as exc:
        typer.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        # a database error's text and traceback may quote student data (bound values,
        # PostgreSQL's detail): say the rule broken instead (PRIVACY.md)
        if not type(exc).__module__.startswith("sqlalchemy."):
            raise
        from equitable.outreach._db import database_error

        typer.echo(f"Error: {database_error(exc)}", err=True)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
