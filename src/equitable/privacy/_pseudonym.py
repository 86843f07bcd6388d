"""Pseudonymous student ids (keyed HMAC-SHA256) and the scan of texts for sensitive strings."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from equitable.errors import InputError, location

__all__ = [
    "KEY_ENV",
    "MIN_KEY_BYTES",
    "find_sensitive",
    "load_key",
    "pseudonymize",
    "pseudonymize_file",
    "record_disclosure",
]

KEY_ENV = "EQUITABLE_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16


def load_key(key_file: str | Path | None = None) -> bytes:
    """Return the pseudonymization key: the content of ``key_file`` if given, else the
    environment variable ``EQUITABLE_PSEUDONYM_KEY``.

    The key must be kept outside the data (a file readable only by the district's data staff,
    or a secret store), never in a spec, a repository or an output. A trailing newline of the
    file is ignored.

    Raises
    ------
    InputError
        No key (neither given), an unreadable key file, or a key shorter than 16 bytes. The
        message never contains the key.
    """
    if key_file is not None:
        p = Path(key_file)
        try:
            key = p.read_bytes().rstrip(b"\r\n")
        except FileNotFoundError:
            raise InputError(f"{p}: key file not found") from None
        except OSError as exc:
            raise InputError(f"{p}: key file cannot be read ({exc.strerror})") from None
        source = str(p)
    else:
        env = os.environ.get(KEY_ENV)
        if not env:
            raise InputError(
                f"no pseudonymization key: set {KEY_ENV} or pass --key-file (keep the key "
                "outside the data; make one with: python -c \"import secrets; "
                "print(secrets.token_hex(32))\")"
            )
        key = env.encode("utf-8")
        source = KEY_ENV
    if len(key) < MIN_KEY_BYTES:
        raise InputError(
            f"{source}: the pseudonymization key is {len(key)} bytes; at least {MIN_KEY_BYTES} "
            "are needed"
        )
    return key


def pseudonymize(
    ids: Sequence[object] | pd.Series, key: bytes | str, *, length: int = 32, prefix: str = ""
) -> pd.Series:
    """Replace student ids by keyed pseudonyms: ``prefix + HMAC-SHA256(key, id)[:length]`` (hex).

    Parameters
    ----------
    ids : the ids (strings; numbers are converted with ``str``; surrounding spaces ignored).
    key : the secret key (bytes, or text encoded as UTF-8), at least 16 bytes; see
        :func:`load_key`.
    length : hex characters kept (default 32 = 128 bits; at least 16).
    prefix : put before every pseudonym (e.g. ``"p"``).

    Returns
    -------
    pandas.Series of str, same index as ``ids``. The same id and key always give the same
    pseudonym (so files pseudonymized separately still join); without the key the ids cannot
    be recovered or recomputed from a list of candidate ids (RFC 2104, HMAC; NIST SP 800-188,
    sec. 4.2 on keyed pseudonyms).

    Raises
    ------
    InputError
        A missing id (position named, never the id), a short key or a bad ``length``.
    """
    k = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(k) < MIN_KEY_BYTES:
        raise InputError(
            f"the pseudonymization key is {len(k)} bytes; at least {MIN_KEY_BYTES} are needed"
        )
    if not 16 <= length <= 64:
        raise InputError(f"The 'length' parameter of pseudonymize must be 16-64. Got {length}.")
    s = ids if isinstance(ids, pd.Series) else pd.Series(list(ids))
    missing = s.isna() | (s.astype(str).str.strip() == "")
    if missing.any():
        i = int(missing.to_numpy().nonzero()[0][0])
        raise InputError(f"id at position {i + 1} is missing ({int(missing.sum())} missing)")
    out = [
        prefix + hmac.new(k, str(x).strip().encode("utf-8"), hashlib.sha256).hexdigest()[:length]
        for x in s.tolist()
    ]
    return pd.Series(out, index=s.index, name=s.name, dtype=object)


def pseudonymize_file(
    src: str | Path,
    dest: str | Path,
    *,
    columns: Sequence[str],
    key: bytes | str,
    length: int = 32,
) -> int:
    """Pseudonymize id columns of a CSV file; write ``dest``; return the number of rows.

    Every other column is copied as text, unchanged (leading zeros kept). Raises
    :class:`InputError` naming the file, line and column of a missing id, or a missing column.
    """
    src, dest = Path(src), Path(dest)
    from equitable.privacy._io import read_csv_text

    df = read_csv_text(src, skip_initial_space=False)
    for c in columns:
        if c not in df.columns:
            raise InputError(f"{location(src, None, c)}: column not found")
        blank = df[c].str.strip() == ""
        if blank.any():
            i = int(blank.to_numpy().nonzero()[0][0])
            raise InputError(
                f"{location(src, i + 2, c)}: missing id ({int(blank.sum())} row(s) without one)"
            )
        df[c] = pseudonymize(df[c], key, length=length).to_numpy()
    if dest.is_dir():
        raise InputError(f"{dest}: is a folder; give the output a file name, e.g. "
                         f"{dest / 'pseudonymized.csv'}")
    from equitable._atomic import output_folder

    try:
        with output_folder(dest.parent, whole=False) as stage:  # the file whole or not at all
            df.to_csv(stage / dest.name, index=False, lineterminator="\n")
    except OSError as exc:
        raise InputError(f"{dest}: cannot write ({exc.strerror or exc})") from None
    return len(df)


def find_sensitive(
    text: str, values: Iterable[object], *, min_length: int = 3, case_sensitive: bool = False
) -> list[str]:
    """Return the sensitive strings (names, ids, notes) that occur in ``text``, sorted.

    Use it over captured logs and error messages: ``assert not find_sensitive(caplog.text,
    names + ids + notes)``. Values shorter than ``min_length`` characters are skipped (they
    would match by chance); ids are matched as whole tokens (``1234`` does not match
    ``12345``), other strings as substrings, whitespace-normalised.
    """
    hay = " ".join(text.split())
    if not case_sensitive:
        hay = hay.lower()
    found = set()
    for v in values:
        if v is None:
            continue
        s = " ".join(str(v).split())
        if len(s) < min_length:
            continue
        needle = s if case_sensitive else s.lower()
        if needle.isalnum() and any(ch.isdigit() for ch in needle):
            if re.search(rf"(?<![0-9A-Za-z]){re.escape(needle)}(?![0-9A-Za-z])", hay):
                found.add(s)
        elif needle in hay:
            found.add(s)
    return sorted(found)


def record_disclosure(
    log_path: str | Path,
    *,
    file: str | Path,
    rows: int,
    columns: Sequence[str],
    recipient: str,
    purpose: str,
    date: str,
) -> Path:
    """Append one line to a JSON Lines record of disclosures (FERPA, 34 CFR 99.32).

    The line holds the date (ISO ``YYYY-MM-DD``), the file's name and SHA-256, its row count
    and columns, the recipient and the purpose: never a student's data. Returns ``log_path``.

    Raises
    ------
    InputError
        An empty recipient or purpose (99.32(a)(3) asks for the parties and their interest).
    """
    import datetime
    import json

    from equitable.provenance import sha256_file

    if not recipient.strip() or not purpose.strip():
        raise InputError("a disclosure record needs a recipient and a purpose (34 CFR 99.32)")
    try:
        datetime.date.fromisoformat(date)
    except ValueError:
        raise InputError(f"date must be YYYY-MM-DD, got {date!r}") from None
    p = Path(file)
    entry = {
        "date": date,
        "file": p.name,
        "sha256": sha256_file(p),
        "rows": int(rows),
        "columns": list(columns),
        "recipient": recipient.strip(),
        "purpose": purpose.strip(),
    }
    log = Path(log_path)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, sort_keys=True) + "\n")
    return log
