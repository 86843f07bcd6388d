"""Generate docs/cli.md from the command tree (``python -m equitable._clidoc > docs/cli.md``).

The reference is built from each command's own help text and parameters, so it cannot drift from
``--help``; ``tests/test_cli_docs.py`` fails when docs/cli.md is stale.
"""

from __future__ import annotations

import typer.main

from equitable.cli import app

__all__ = ["cli_reference", "iter_commands"]


def iter_commands(group, path: tuple[str, ...] = ("equitable",)):
    """Yield ``(path, command)`` for every command and sub-command, in name order."""
    yield path, group
    if getattr(group, "commands", None):
        for name in sorted(group.commands):
            yield from iter_commands(group.commands[name], path + (name,))


def _param_line(p) -> str:
    if getattr(p, "param_type_name", "") == "argument":
        name = f"`{(p.metavar or p.name).upper()}`"
        req = "required" if p.required else "optional"
        help_ = " ".join((getattr(p, "help", None) or "").split())
        return f"- {name} (argument, {req}){': ' + help_ if help_ else ''}"
    opts = ", ".join(f"`{o}`" for o in (*p.opts, *p.secondary_opts))
    help_ = " ".join((getattr(p, "help", None) or "").split())
    default = ""
    if not p.required and p.default not in (None, False, (), []) and not callable(p.default):
        default = f" Default: `{p.default}`."
    if getattr(p, "is_flag", False):
        default = ""
    return f"- {opts}: {help_}{default}".rstrip()


def cli_reference() -> str:
    """Return the Markdown CLI reference of every ``equitable`` command."""
    root = typer.main.get_command(app)
    out = [
        "# Command reference",
        "",
        "Generated from the commands' own help by `python -m equitable._clidoc > docs/cli.md`;",
        "a test fails when this file is stale. Run any command with `--help` for the same text.",
        "",
    ]
    for path, cmd in iter_commands(root):
        if cmd.hidden:
            continue
        depth = min(len(path), 4)
        out.append("#" * (depth + 1) + " `" + " ".join(path) + "`")
        out.append("")
        help_text = (cmd.help or "").strip()
        if help_text:
            out.append(help_text.replace("\b\n", "").strip())
            out.append("")
        params = [p for p in cmd.params if p.name not in ("help",) and not getattr(p, "hidden", False)]
        if params:
            out.extend(_param_line(p) for p in params)
            out.append("")
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(cli_reference(), end="")
