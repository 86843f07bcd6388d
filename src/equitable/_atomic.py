"""Outputs are whole or absent: every command that writes a folder writes it through
:func:`output_folder`.

The files are written into a temporary sibling folder (``.<name>.partial-<pid>-<random>``),
flushed to disk (``fsync``) and only then put in place:

* **swap** (the usual case: the output folder is new, empty, or holds only the outputs of an
  earlier run, i.e. the files its ``run.json`` lists): the new folder and the old one are
  exchanged in one step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames, the old
  folder kept aside until the new one is in place), then the old one is removed. A crash or a
  ``kill -9`` at any moment leaves the previous complete outputs, or (between the two renames
  on a system without the exchange) none, never a mix.
* **merge** (the folder holds other files too, e.g. ``-o .`` or a file command writing
  ``index.csv`` beside its inputs): the run records (``run.json``, ``<file>.run.json``,
  ``run_<step>.json``) of the outputs being replaced
  are removed first, the new files are moved in one by one (each move is atomic), and the new
  run records last. A kill leaves the previous outputs with their record, or files with no
  record, which :func:`verify_outputs` (and ``equitable serve``) refuses.

:func:`verify_outputs` checks a folder against its ``run.json``: every listed output exists and
has the recorded SHA-256.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from equitable.errors import InputError

__all__ = ["output_folder", "verify_outputs", "write_file"]

_PARTIAL = ".partial-"
_OLD = ".old-"
_RECORD_SUFFIX = "run.json"


def _is_record(name: str) -> bool:
    """A run record: ``run.json``, ``<output>.run.json``, ``run_<step>.json``."""
    return name.endswith(_RECORD_SUFFIX) or (name.startswith("run_") and name.endswith(".json"))


# ------------------------------------------------------------------------------------------
# writing
# ------------------------------------------------------------------------------------------

@contextlib.contextmanager
def output_folder(path: str | Path, *, whole: bool = True) -> Iterator[Path]:
    """Yield a temporary folder to write into; put its files in ``path`` only when the block ends
    without an exception.

    Parameters
    ----------
    path : the output folder (created when missing, with its parents, by
        :func:`equitable.files.make_output_folder`).
    whole : the command owns the whole folder (``equitable run``, ``compare``, ...): when the
        folder holds nothing but an earlier run's outputs it is swapped whole, so files of the
        earlier run that this run does not write go too. ``False`` for commands that write one
        file (and its run record) into a folder of other files: they are merged in.

    Yields
    ------
    Path
        An empty folder on the same file system; write every output (and ``run.json`` last)
        into it.

    Raises
    ------
    InputError
        ``path`` is a file, or the folder (or its temporary sibling) cannot be created or
        written to. Raised on entry, before any work is done.

    On an exception in the block the temporary folder is removed and ``path`` is left as it was.
    The method is the classic write-to-temporary-then-rename of POSIX ``rename(2)`` (atomic on
    one file system), with ``fsync`` of the files and folders before and after the rename.
    """
    from equitable.files import make_output_folder

    existed = Path(path).exists()
    make_output_folder(path)  # the same one-line errors as before the work
    target = Path(path).resolve()
    if whole and (target == Path.cwd() or target in Path.cwd().parents):
        whole = False  # never swap away the folder a shell is in (``--out .``)
    parent = target.parent
    _remove_stale(parent, target.name)
    _remove_stale(target, "")
    stage = _make_stage(target, whole)
    if not existed and stage.parent == parent:
        target.rmdir()  # checked; it appears, complete, when the block ends
    try:
        yield stage
        _fsync_tree(stage)
        _publish(stage, target, whole)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def _make_stage(target: Path, whole: bool) -> Path:
    """The temporary folder: a hidden sibling (swap possible) or, when the parent is not
    writable or ``whole`` is false, a hidden folder inside the target."""
    prefix = f"{_PARTIAL}{os.getpid()}-"
    umask = os.umask(0)
    os.umask(umask)
    mode = 0o777 & ~umask  # as mkdir would make it (mkdtemp makes 0700)
    if whole:
        try:
            stage = Path(tempfile.mkdtemp(prefix=f".{target.name}{prefix}", dir=target.parent))
            stage.chmod(mode)
            return stage
        except OSError:
            pass  # a read-only parent: stage inside the target and merge
    try:
        target.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=prefix, dir=target))
    except OSError as exc:
        raise InputError(f"{target}: cannot create the output folder: "
                         f"{exc.strerror or exc}") from None


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, not ours
        return True
    return True


def _remove_stale(folder: Path, name: str) -> None:
    """Remove temporary folders left by a killed run (their process is gone)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        for marker in (_PARTIAL, _OLD):
            head = f".{name}{marker}" if name else marker
            if not entry.name.startswith(head):
                continue
            pid = entry.name[len(head):].split("-", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(entry, ignore_errors=True)


def _fsync_path(path: Path) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if path.is_dir() else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems do not fsync folders
        pass
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for root, _dirs, files in os.walk(folder):
        for f in files:
            _fsync_path(Path(root) / f)
        _fsync_path(Path(root))


def _is_previous_outputs(target: Path) -> bool:
    """True when ``target`` is empty or holds only run records (``*run.json``) and the outputs
    they list."""
    names = {p.name for p in target.iterdir() if not p.name.startswith(_PARTIAL)}
    if not names:
        return True
    records = {n for n in names if _is_record(n)}
    if not records:
        return False
    listed: set[str] = set()
    for rec in records:
        try:
            listed |= set(json.loads((target / rec).read_text(encoding="utf-8"))["outputs"])
        except (ValueError, OSError, KeyError, TypeError):
            return False
    return names <= listed | records


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _publish(stage: Path, target: Path, whole: bool) -> None:
    parent = target.parent
    if whole and stage.parent == parent:
        if not target.exists():
            os.rename(stage, target)
            _fsync_path(parent)
            return
        if _is_previous_outputs(target):
            if _exchange(stage, target):
                _fsync_path(parent)
                shutil.rmtree(stage, ignore_errors=True)  # now the previous outputs
                return
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}{_OLD}{os.getpid()}-",
                                        dir=parent))
            os.rename(target, old / "outputs")
            os.rename(stage, target)
            _fsync_path(parent)
            shutil.rmtree(old, ignore_errors=True)
            return
    _merge(stage, target)


def _merge(stage: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    entries = sorted(stage.iterdir(), key=lambda p: p.name)
    records = [p for p in entries if _is_record(p.name)]
    others = [p for p in entries if not _is_record(p.name)]
    for rec in records:  # the previous record goes first: no record describes a mix
        with contextlib.suppress(FileNotFoundError):
            (target / rec.name).unlink()
    _fsync_path(target)
    for p in others + records:
        dest = target / p.name
        if p.is_dir() and dest.is_dir():
            shutil.rmtree(dest)
        os.replace(p, dest)
    _fsync_path(target)


# ------------------------------------------------------------------------------------------
# checking
# ------------------------------------------------------------------------------------------

def verify_outputs(folder: str | Path, record: str = "run.json") -> dict:
    """Check that every output ``folder/record`` lists exists with its recorded SHA-256.

    Returns
    -------
    dict
        The parsed run record.

    Raises
    ------
    InputError
        One line naming the file: the record is missing or not JSON, a listed output is
        missing, or its bytes differ from the record (outputs incomplete or changed after the
        run).
    """
    from equitable.provenance import sha256_file

    base = Path(folder)
    path = base / record
    if not path.is_file():
        raise InputError(f"{path}: run record not found; the folder is not a complete output "
                         "of equitable (run the command again)")
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}, row {exc.lineno}: not valid JSON: {exc.msg}") from None
    outputs = run.get("outputs") if isinstance(run, dict) else None
    if not isinstance(outputs, dict):
        raise InputError(f"{path}: key 'outputs': missing (not a run record of equitable)")
    for name, digest in sorted(outputs.items()):
        f = base / name
        if not f.is_file():
            raise InputError(f"{f}: listed in {record} but missing; the outputs are incomplete "
                             "(run the command again)")
        if sha256_file(f) != digest:
            raise InputError(f"{f}: does not match {record} (SHA-256 differs); the outputs are "
                             "incomplete or were changed after the run (run the command again)")
    return run


def write_file(path: str | Path, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write one file whole or not at all: into a temporary file beside it (``fsync``), then
    ``os.replace`` onto ``path`` (atomic on one file system, POSIX ``rename(2)``).

    For a single file outside :func:`output_folder` (inside one, a plain write is enough).
    ``data`` as text is encoded with ``encoding``. Returns ``path``.
    """
    target = Path(path)
    body = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}{_PARTIAL}", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as open() would make it, not mkstemp's 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_path(target.parent)
    return target


def _umask() -> int:
    """The process's umask (read from /proc when it can be, else set and restored)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
