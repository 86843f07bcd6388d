"""Where the real public data lives.

The data folder is, in order: the ``--data-dir`` option (passed as ``override``), the
``EQUITABLE_DATA_DIR`` environment variable, then ``../shared/data`` beside the project root
(the layout of a checkout: ``<root>/main`` and ``<root>/shared/data``), then ``./shared/data`` and
``../shared/data`` relative to the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from equitable.errors import InputError

__all__ = ["data_dir", "data_file"]

_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_dir(override: str | Path | None = None) -> Path:
    """Return the folder of real public data (see module docstring for the search order).

    Raises
    ------
    InputError
        When no candidate folder exists; the message lists where it looked.
    """
    candidates: list[Path] = []
    if override is not None:
        candidates.append(Path(override))
    elif os.environ.get("EQUITABLE_DATA_DIR"):
        candidates.append(Path(os.environ["EQUITABLE_DATA_DIR"]))
    else:
        candidates += [
            _PROJECT_ROOT.parent / "shared" / "data",
            Path.cwd() / "shared" / "data",
            Path.cwd().parent / "shared" / "data",
        ]
    for c in candidates:
        if c.is_dir():
            return c.resolve()
    raise InputError(
        "data folder not found (looked in "
        + ", ".join(str(c) for c in candidates)
        + "); set EQUITABLE_DATA_DIR or pass --data-dir"
    )


def data_file(relative: str, override: str | Path | None = None) -> Path:
    """Return ``data_dir(override) / relative``, raising :class:`InputError` if it is missing."""
    p = data_dir(override) / relative
    if not p.exists():
        raise InputError(f"{p}: file not found in the data folder")
    return p
