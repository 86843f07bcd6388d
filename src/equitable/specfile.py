"""Specs and configs: TOML files validated by pydantic models, every problem reported at once.

:func:`load_model` reads a TOML file (optionally one table of it) into a pydantic model;
:func:`spec_error` turns a pydantic ``ValidationError`` into one :class:`SpecError` (or
:class:`InputError`) that names the file and *every* bad key, as pandera reports every failed
check of a table rather than the first (pandera, "Lazy Validation"). Unknown keys come first,
each with the closest missing key of its table as a suggestion ("did you mean"), since a typo'd
key also makes the key it was meant to be "missing".
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from equitable.errors import EquitableError, SpecError

__all__ = ["describe_errors", "dotted", "load_model", "load_toml", "spec_error"]

M = TypeVar("M", bound=BaseModel)

#: Formats a pydantic error location (``("allocation", "weights", "1 Highest")``) as a key.
LocFormat = Callable[[tuple[Any, ...]], str]


def dotted(loc: tuple[Any, ...]) -> str:
    """``("caps", 0, "min_n")`` -> ``caps.0.min_n`` (pydantic's location, joined by dots)."""
    return ".".join(str(p) for p in loc)


def _message(err: Mapping[str, Any], hint: str | None) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key" + (f" (did you mean '{hint}'?)" if hint else "")
    if err["type"] == "missing":
        return "missing required key"
    return str(err["msg"]).removeprefix("Value error, ")


def describe_errors(errors: Sequence[Mapping[str, Any]],
                    format_loc: LocFormat = dotted) -> list[str]:
    """Every problem as ``key '<key>': <problem>``: unknown keys first (with a "did you mean"
    among the missing keys of the same table, difflib ratio >= 0.6; the suggested key's own
    "missing" is then the same problem, not repeated), then the others in pydantic's order; a
    problem of the whole document has no key."""
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    hints: dict[int, str] = {}
    suggested: set[tuple[Any, ...]] = set()
    for k, err in enumerate(unknown):
        parent, bad = tuple(err["loc"][:-1]), str(err["loc"][-1])
        missing = [str(e["loc"][-1]) for e in errors
                   if e["type"] == "missing" and tuple(e["loc"][:-1]) == parent
                   and (*parent, str(e["loc"][-1])) not in suggested]
        close = difflib.get_close_matches(bad, missing, n=1, cutoff=0.6)
        if close:
            hints[k] = close[0]
            suggested.add((*parent, close[0]))
    others = [e for e in errors if e["type"] != "extra_forbidden"
              and not (e["type"] == "missing" and tuple(map(str, e["loc"])) in
                       {tuple(map(str, s)) for s in suggested})]
    out = []
    for k, err in enumerate(unknown):
        key = format_loc(tuple(err["loc"]))
        out.append(f"key '{key}': {_message(err, hints.get(k))}")
    for err in others:
        key = format_loc(tuple(err["loc"]))
        msg = _message(err, None)
        out.append(f"key '{key}': {msg}" if key else msg)
    return out


def spec_error(exc: ValidationError, source: str, *, error: type[EquitableError] = SpecError,
               format_loc: LocFormat = dotted) -> EquitableError:
    """One ``error`` for all of ``exc``'s problems:
    ``<source>: key 'a.b': <problem>; key 'c': unknown key (did you mean 'd'?)``.

    ``source`` names the file (and table), e.g. ``lausd.toml`` or ``lausd.toml [privacy]``.
    """
    problems = describe_errors(exc.errors(include_url=False), format_loc)
    return error(f"{source}: " + "; ".join(problems))


def load_toml(path: str | Path, *, what: str = "file") -> dict[str, Any]:
    """Read a TOML file into a dict.

    Raises
    ------
    SpecError
        ``<path>: <what> not found``, a folder, not UTF-8, or not valid TOML (with tomllib's line
        and column).
    """
    p = Path(path)
    if p.is_dir():
        raise SpecError(f"{p}: is a folder, not a {what}")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{p}: {what} not found") from None
    except UnicodeDecodeError:
        raise SpecError(f"{p}: not a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{p}: not valid TOML: {exc}") from None


def load_model(path: str | Path, model: type[M], *, what: str = "file",
               table: str | None = None, format_loc: LocFormat = dotted) -> M:
    """Read a TOML file (its ``[table]`` when given and present, else the whole file) into
    ``model``.

    Raises
    ------
    SpecError
        As :func:`load_toml`; ``[table]`` is not a table; or every problem the model finds
        (:func:`spec_error`, the source being ``<path>`` or ``<path> [table]``).
    """
    p = Path(path)
    data: Any = load_toml(p, what=what)
    source = str(p)
    if table is not None and table in data:
        data, source = data[table], f"{p} [{table}]"
        if not isinstance(data, dict):
            raise SpecError(f"{p}: key '{table}' must be a table")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise spec_error(exc, source, format_loc=format_loc) from None
