"""The project's own exceptions.

Every error a user can cause is an :class:`EquitableError` (or a subclass). The CLI turns it into
one line, ``Error: ...``, and exit code 1, never a traceback. Messages name the file, the row (as a
1-based line number of the file, header = line 1, when the input is a delimited text file) and the
column. They never carry a student's name, id or free-text note: pass counts and row numbers.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["EquitableError", "InputError", "SpecError", "location"]


class EquitableError(Exception):
    """Base class of every error the tool reports to a user."""


class InputError(EquitableError):
    """A data file is malformed: wrong or missing column, bad value, duplicate id, ..."""


class SpecError(EquitableError):
    """A spec, rule or config file (TOML) is invalid."""


def location(
    file: str | Path | None = None, row: int | None = None, column: str | None = None
) -> str:
    """Format ``file, row N, column 'x'`` for an error message, leaving out the parts not given.

    ``row`` is the 1-based line number in the file as a spreadsheet or text editor shows it
    (the header is line 1, so the first data row is line 2).
    """
    parts = []
    if file is not None:
        parts.append(str(file))
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)
