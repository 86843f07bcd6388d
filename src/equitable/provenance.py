"""Provenance: every run writes its spec, input hashes and version beside its outputs.

``run.json`` holds no clock time, host name or absolute path, so the same spec on the same inputs
gives the same bytes (the SHA-256 of each output is recorded too, so a reader can check them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from equitable import __version__

__all__ = ["sha256_file", "write_run_record"]


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
    """
    out = Path(out_dir)
    record: dict[str, Any] = {
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
    path = out / filename
    path.write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return path
