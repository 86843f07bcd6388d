"""The project's own exceptions.

Every error a user can cause is an :class:`EquitableError` (or a subclass). The CLI turns it into
one line, ``Error: ...``, and exit code 1, never a traceback. Messages name the file, the row (as a
1-based line number of the file, header = line 1, when the input is a delimited text file) and the
column. They never carry a student's name, id or free-text note: pass counts and row numbers.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["UTF8_ADVICE", "EquitableError", "InputError", "SpecError", "first_non_utf8",
           "location"]


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


#: What to tell a user whose file is not UTF-8 (Excel's "CSV (Comma delimited)" is Windows-1252).
UTF8_ADVICE = ("save the file as 'CSV UTF-8' (Excel) or convert it, e.g. iconv -f WINDOWS-1252 "
               "-t UTF-8")


def first_non_utf8(path: str | Path) -> tuple[int, int] | None:
    """``(line, byte)`` of the first byte of ``path`` that is not UTF-8 text (1-based line, the
    byte's value), or None when the whole file is UTF-8.

    Read line by line, so a large file is never held in memory (a UTF-8 sequence never holds a
    newline byte, so no character is split). Decoding with a guessed encoding instead could
    silently change names, so callers ask the user to save the file as UTF-8
    (:data:`UTF8_ADVICE`).
    """
    with open(path, "rb") as fh:
        for line, raw in enumerate(fh, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return line, raw[exc.start]
    return None
