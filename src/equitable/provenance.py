"""Provenance: every run writes its spec, input hashes and version beside its outputs.

``run.json`` holds no clock time, host name or absolute path, so the same spec on the same inputs
gives the same bytes (the SHA-256 of each output is recorded too, so a reader can check them).
Its shape is :class:`RunRecord` (``schema_version`` :data:`SCHEMA_VERSION`): the writer checks
each record against it and readers parse records with it (:func:`read_run_record`); a command
whose record has a known ``spec`` and ``extra`` (``equitable run``:
:class:`equitable.pipeline.RunJson`) subclasses it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from equitable import __version__
from equitable.errors import InputError

__all__ = [
    "SCHEMA_VERSION", "InputFile", "RunRecord", "read_run_record", "sha256_file",
    "write_run_record",
]

#: The version of the run record's shape. 1: the first one with the field (a record without it
#: is read as 1). Raise it when a key is renamed or removed, or changes meaning.
SCHEMA_VERSION = 1


class InputFile(BaseModel):
    """One input of a run: its file name (no folder), size in bytes and SHA-256 (hex)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    bytes: int
    sha256: str


class RunRecord(BaseModel):
    """``run.json``: what produced a folder of outputs.

    Attributes
    ----------
    schema_version : :data:`SCHEMA_VERSION` when written.
    tool, version : ``"equitable"`` and its version.
    command : the command, e.g. ``"run"``, ``"compare"``, ``"engagement"``.
    spec : the full, validated spec or config of the command.
    inputs : label -> :class:`InputFile`.
    outputs : output file name -> SHA-256 (hex).
    extra : anything else the command keeps (row counts, ...); ``{}`` when none.
    caveats : what in the data changed the result (``code``, ``count``, ...), when the command
        reports them.
    """

    model_config = ConfigDict(extra="forbid")

    schema_version: int = 1
    tool: str
    version: str
    command: str
    spec: dict[str, Any]
    inputs: dict[str, InputFile]
    outputs: dict[str, str]
    extra: dict[str, Any] = {}
    caveats: list[dict[str, Any]] | None = None


R = TypeVar("R", bound=RunRecord)


def _loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def read_run_record(path: str | Path, model: type[R] = RunRecord) -> R:  # type: ignore[assignment]
    """Read a run record written by :func:`write_run_record` as ``model``.

    Raises
    ------
    InputError
        The file is missing, not JSON (naming the line), or not a run record of ``model``'s
        shape (naming the key), or written by a newer ``schema_version``.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: run record not found")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{p}, row {exc.lineno}: not valid JSON: {exc.msg}") from None
    except UnicodeDecodeError:
        raise InputError(f"{p}: not UTF-8 text") from None
    if isinstance(data, dict) and isinstance(data.get("schema_version"), int) \
            and data["schema_version"] > SCHEMA_VERSION:
        raise InputError(f"{p}: key 'schema_version': {data['schema_version']} is newer than "
                         f"this version of equitable reads ({SCHEMA_VERSION}); update equitable")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"key '{_loc(tuple(e['loc']))}': {e['msg']}" for e in exc.errors())
        raise InputError(f"{p}: not a run record of equitable ({problems})") from None


def sha256_file(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk_size), b""):
            h.update(block)
    return h.hexdigest()


def write_run_record(
    out_dir: str | Path,
    *,
    command: str,
    spec: Mapping[str, Any],
    inputs: Mapping[str, str | Path],
    outputs: Iterable[str | Path] = (),
    extra: Mapping[str, Any] | None = None,
    filename: str = "run.json",
    caveats: Iterable[Mapping[str, Any]] | None = None,
    model: type[RunRecord] = RunRecord,
) -> Path:
    """Write ``out_dir/run.json`` and return its path.

    Parameters
    ----------
    command : the command that produced the outputs, e.g. ``"run"``.
    spec : the full, validated spec or config (JSON-serialisable).
    inputs : a label -> file path mapping; each file's name, size in bytes and SHA-256 are stored.
    outputs : output files (inside ``out_dir``) whose SHA-256 is stored.
    extra : anything else worth keeping (JSON-serialisable), e.g. row counts.
    caveats : what in the data changed the result, each a dict with ``code`` and ``count``
        (written as the top-level ``caveats`` list, ``[]`` for none, when given).
    model : the record's shape (:class:`RunRecord` or a command's subclass); the record is
        checked against it before it is written (a mismatch is a bug: pydantic's
        ``ValidationError``).
    """
    out = Path(out_dir)
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": "equitable",
        "version": __version__,
        "command": command,
        "spec": spec,
        "inputs": {
            label: {
                "file": Path(p).name,
                "bytes": Path(p).stat().st_size,
                "sha256": sha256_file(p),
            }
            for label, p in sorted(inputs.items())
        },
        "outputs": {
            Path(p).name: sha256_file(out / Path(p).name if not Path(p).is_absolute() else p)
            for p in sorted(outputs, key=lambda q: Path(q).name)
        },
    }
    if extra:
        record["extra"] = dict(extra)
    if caveats is not None:
        record["caveats"] = [dict(c) for c in caveats]
    model.model_validate(record)
    path = out / filename
    path.write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return path
