"""docs/cli.md is generated from the commands' help and must not be stale; every command has help."""

from __future__ import annotations

from pathlib import Path

import typer.main

from equitable._clidoc import cli_reference, iter_commands
from equitable.cli import app

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_cli_reference_is_current():
    assert DOC.read_text(encoding="utf-8") == cli_reference(), (
        "docs/cli.md is stale: run `python -m equitable._clidoc > docs/cli.md`"
    )


def test_every_command_has_help_text_and_a_docs_entry():
    text = DOC.read_text(encoding="utf-8")
    for path, cmd in iter_commands(typer.main.get_command(app)):
        assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
        assert f"`{' '.join(path)}`" in text, f"{' '.join(path)} is missing from docs/cli.md"
