"""Every command's --help shows the bracketed words of its source help text (not lost to Rich)."""

from __future__ import annotations

import re

import pytest
import typer.main

from equitable._clidoc import iter_commands
from equitable.cli import app, main

BRACKETED = re.compile(r"\[[A-Za-z][\w.-]*\]")


def _bracketed_words() -> list[tuple[tuple[str, ...], str]]:
    found = []
    for path, cmd in iter_commands(typer.main.get_command(app)):
        if cmd.hidden:
            continue
        texts = [cmd.help or ""] + [getattr(p, "help", None) or "" for p in cmd.params]
        for word in sorted({w for t in texts for w in BRACKETED.findall(t)}):
            found.append((path, word))
    return found


WORDS = _bracketed_words()


def test_the_cli_has_bracketed_words_in_help():
    words = {w for _, w in WORDS}
    assert {"[allocation]", "[privacy]"} <= words


@pytest.mark.parametrize(("path", "word"), WORDS, ids=[" ".join(p[1:]) + " " + w for p, w in WORDS])
def test_help_shows_literal_brackets(path, word, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exc:
        main([*path[1:], "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert word in out, f"{' '.join(path)} --help lost {word!r}"
