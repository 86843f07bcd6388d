"""One set of input rules shared by every reader (docs/data.md, "Rules every reader applies").

Every file the tool reads (CDE, CalEnviroScreen, SVI, LAUSD tables, engagement files, survey
exports and margins, outreach imports, privacy tables, index and allocation inputs) goes through
these checks, so that no impossible value, cut-short file or mangled identifier is accepted
without a word:

* :func:`check_field_counts` -- a data row with more fields than the header is an error; a row
  with fewer fields (the usual sign of a file cut short by an interrupted download or copy) is an
  error naming its line.
* :func:`parse_numbers` -- the one number rule: plain decimals, scientific notation, a trailing
  ``%`` and thousands separators in exact groups of three (``1,234`` and ``1,234,567.5``) are
  accepted; a misplaced separator (``1,23``), a decimal comma (``1,5``), ``inf``/``nan`` text,
  and magnitudes of :data:`ABSURD` or more are errors naming the file, row and column.
* :func:`check_scientific_ids` -- an identifier a spreadsheet saved in scientific notation
  (``6.03702E+10``) has lost digits for good; it is one error naming the rows and saying how to
  re-export the column as text, never a "duplicate id".
* :func:`pad_note` -- codes that lost their leading zero are padded, with a note saying how many.
* :func:`check_range`, :func:`check_not_above` -- impossible values (a percentile outside
  0-100, a negative count, a count larger than its total, a latitude off the globe).
* :func:`closest`, :func:`did_you_mean` -- a missing column (or key) is named with the nearest
  one the file has: ``missing column 'cds_code' (did you mean 'cds'?)``.
* :func:`check_input_file` -- before any heavy work a command checks each input it was given:
  it exists, is a file (not a folder), is readable, is UTF-8 text and its header has the columns
  needed, so ``equitable compare A.toml B.toml`` fails on a missing B before computing A.
* :func:`check_unit_count` -- a file that claims to be a published file (SVI 2022 counties,
  CalEnviroScreen 4.0 tracts, ...) but holds far fewer units is an error unless a subset is
  allowed on purpose, which is then noted.

Every message names the file, the row (1-based line number, header = line 1) and the column, and
never carries a cell of a student file other than numbers (counts and row numbers only).
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from equitable.errors import InputError, location
from equitable.ids import SCIENTIFIC

__all__ = [
    "ABSURD",
    "PUBLISHED_UNITS",
    "ReadNotes",
    "check_field_counts",
    "check_input_file",
    "check_not_above",
    "check_range",
    "check_scientific_ids",
    "check_unit_count",
    "closest",
    "did_you_mean",
    "pad_note",
    "parse_numbers",
    "rows_text",
]

#: Any input number whose absolute value is this large or larger is refused: no count, rate,
#: percent or dollar amount the tool reads comes near it (the US budget is about 7e14 cents),
#: while a corrupted cell (``1e300``, a pasted id) does.
ABSURD = 1e15

#: Units in the published national or statewide files (the count a preset's input must have
#: unless a subset is allowed on purpose). Sources: CDC/ATSDR SVI documentation 2018, 2020, 2022
#: (county files: 3,142, 3,143 and 3,144 counties); OEHHA CalEnviroScreen 4.0 results (8,035
#: census tracts, 2010 tracts).
PUBLISHED_UNITS: dict[str, tuple[int, str]] = {
    "svi-2018-county": (3142, "counties in the CDC/ATSDR SVI 2018 county file"),
    "svi-2020-county": (3143, "counties in the CDC/ATSDR SVI 2020 county file"),
    "svi-2022-county": (3144, "counties in the CDC/ATSDR SVI 2022 county file"),
    "calenviroscreen-4.0": (8035, "census tracts in OEHHA's CalEnviroScreen 4.0 results"),
}

_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_SCI_ID = SCIENTIFIC  # the one id rule (equitable.ids)
_MAX_ROWS = 5


def rows_text(lines: Iterable[int], limit: int = _MAX_ROWS) -> str:
    """``row 4`` / ``rows 4, 9 and 3 more``."""
    lines = list(lines)
    shown = ", ".join(str(n) for n in lines[:limit])
    more = f" and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"row{'s' if len(lines) > 1 else ''} {shown}{more}"


class ReadNotes(list):
    """Notes a reader makes about what it changed (kept in ``df.attrs["notes"]``).

    A list of one-line strings; the commands print each as ``Note: ...`` on the terminal and
    record them in run.json (``input_notes``).
    """

    @staticmethod
    def of(df: pd.DataFrame) -> list[str]:
        return list(df.attrs.get("notes", []))

    @staticmethod
    def add(df: pd.DataFrame, *notes: str) -> pd.DataFrame:
        df.attrs["notes"] = [*df.attrs.get("notes", []), *[n for n in notes if n]]
        return df


# --------------------------------------------------------------------------------------------
# structure
# --------------------------------------------------------------------------------------------


def check_field_counts(path: str | Path, sep: str = ",", label: str | None = None) -> None:
    """Raise :class:`InputError` when a data row of a delimited text file has a different number
    of fields from the header.

    A row with MORE fields than the header is an error (pandas would silently use the first
    column as the row index, or shift values). A row with FEWER fields is an error too: it is
    the mark of a file cut short (an interrupted download or copy leaves a partial last row), or
    of a broken row that a reader would fill with blanks. Blank lines are skipped. Quoted fields
    may hold separators and line breaks (RFC 4180); the line numbers given are physical lines.
    """
    p = Path(path)
    name = label or str(p)
    if _field_counts_fast(p, sep, name):
        return
    with open(p, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error:
            return  # reported by the table reader with its own message
        width = len(header)
        start = reader.line_num + 1
        last_short: tuple[int, int] | None = None
        try:
            for rec in reader:
                line = start
                start = reader.line_num + 1
                if not rec or (len(rec) == 1 and not rec[0].strip()):
                    continue
                n = len(rec)
                if n > width:
                    # a trailing empty field (a stray separator at the end) is still an extra field
                    raise InputError(
                        f"{location(name, line)}: {n} fields, the header has {width} (a value "
                        "with an unquoted separator, or a row shifted right); fix the row and "
                        "read the file again"
                    )
                if n < width and last_short is None:
                    last_short = (line, n)
        except csv.Error as exc:
            raise InputError(f"{location(name, start)}: not a well-formed delimited file "
                             f"({exc})") from None
    if last_short is not None:
        line, n = last_short
        is_last = line >= start - 1
        what = ("the file looks cut short (an interrupted download or copy): its last row"
                if is_last else "a row cut short or broken:")
        raise InputError(
            f"{location(name, line)}: {what} has {n} field{'s' if n != 1 else ''}, the header "
            f"has {width}; download or export the whole file again"
        )


def _field_counts_fast(p: Path, sep: str, name: str) -> bool:
    """The check of :func:`check_field_counts` with numpy when no field is quoted (every
    separator then ends a field): True when done, False to fall back to the csv module."""
    data = p.read_bytes()
    if b'"' in data or len(sep.encode()) != 1:
        return False
    arr = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    if len(ends) == 0 or ends[-1] != len(arr) - 1:
        ends = np.append(ends, len(arr))
    starts = np.concatenate(([0], ends[:-1] + 1))
    seps = np.flatnonzero(arr == sep.encode()[0])
    fields = np.searchsorted(seps, ends) - np.searchsorted(seps, starts) + 1
    length = ends - starts - (arr[np.minimum(ends, len(arr)) - 1] == 13)[: len(ends)]
    blank = (length <= 0) & (fields == 1)
    width = int(fields[0])
    line = np.arange(1, len(ends) + 1)
    data_rows = ~blank & (line > 1)
    long = np.flatnonzero(data_rows & (fields > width))
    if len(long):
        i = int(long[0])
        raise InputError(
            f"{location(name, int(line[i]))}: {int(fields[i])} fields, the header has {width} (a "
            "value with an unquoted separator, or a row shifted right); fix the row and read the "
            "file again")
    short = np.flatnonzero(data_rows & (fields < width))
    if len(short):
        i = int(short[0])
        last = int(np.flatnonzero(data_rows)[-1])
        what = ("the file looks cut short (an interrupted download or copy): its last row"
                if i == last else "a row cut short or broken:")
        n = int(fields[i])
        raise InputError(
            f"{location(name, int(line[i]))}: {what} has {n} field{'s' if n != 1 else ''}, the "
            f"header has {width}; download or export the whole file again")
    return True


# --------------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------------


def parse_numbers(
    text: pd.Series, blank: np.ndarray | pd.Series, where: Callable[[int], str]
) -> np.ndarray:
    """Parse stripped text cells into float64 by the one number rule (module docstring).

    Parameters
    ----------
    text : the cells as text (already stripped); positions flagged in ``blank`` are missing.
    blank : boolean mask, True where the cell is missing (blank or a declared missing mark).
    where : position (0-based) -> ``file, row N, column 'c'`` for messages.

    Returns
    -------
    float64 array, NaN where ``blank``.

    Raises
    ------
    InputError
        The first cell that is not a number, not finite, or of absurd magnitude (:data:`ABSURD`),
        with how many more such cells the column holds.
    """
    blank = np.asarray(blank, dtype=bool)
    s = pd.Series(text, copy=False).astype(object).where(~blank, None)
    s = s.where(s.isna(), s.astype(str))
    pct = s.str.endswith("%", na=False).to_numpy(dtype=bool)
    if pct.any():
        s = s.where(~pct, s.str[:-1].str.rstrip())
    has_comma = s.str.contains(",", regex=False, na=False).to_numpy(dtype=bool)
    if has_comma.any():
        grouped = s.str.fullmatch(_GROUPED, na=False).to_numpy(dtype=bool)
        s = s.where(~(has_comma & grouped), s.str.replace(",", "", regex=False))
        # a comma that is not an exact thousands group stays and fails below
    values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad_text = np.isnan(values) & ~blank
    # "nan" / "NaN" text parses to NaN: not a number; "inf" parses to inf: not finite
    _raise_first(bad_text, text, where, "is not a number")
    finite_bad = ~np.isfinite(values) & ~blank
    _raise_first(finite_bad, text, where, "is not a finite number")
    check_magnitude(values, where, text)
    return values


def check_magnitude(values: np.ndarray, where: Callable[[int], str],
                    text: pd.Series | None = None) -> None:
    """Raise for the first infinite value or one of :data:`ABSURD` magnitude or more."""
    with np.errstate(invalid="ignore"):
        inf = np.isinf(values)
        _raise_first(inf, text, where, "is not a finite number", values)
        huge = np.abs(values) >= ABSURD
    _raise_first(huge, text, where,
                 f"is an absurd magnitude (1e{int(np.log10(ABSURD))} or more); a corrupted or "
                 "misplaced cell?", values)


def _raise_first(mask: np.ndarray, text: pd.Series | None, where: Callable[[int], str],
                 what: str, values: np.ndarray | None = None) -> None:
    if not mask.any():
        return
    pos = int(np.flatnonzero(mask)[0])
    if text is not None:
        shown = str(pd.Series(text, copy=False).iloc[pos])
    else:
        shown = f"{values[pos]:g}" if values is not None else "?"
    shown = shown if len(shown) <= 24 else shown[:21] + "..."
    more = int(mask.sum()) - 1
    extra = f" ({more} more in this column)" if more else ""
    raise InputError(f"{where(pos)}: '{shown}' {what}{extra}")


# --------------------------------------------------------------------------------------------
# identifiers
# --------------------------------------------------------------------------------------------


def check_scientific_ids(ids: pd.Series, label: str, column: str, *, first_line: int = 2,
                         what: str = "code") -> None:
    """Raise one :class:`InputError` when identifiers arrive in scientific notation.

    A spreadsheet that treats a CDS code or GEOID as a number shows and saves it as
    ``6.03702E+10``: the digits after the sixth are gone and two different tracts can look the
    same. It cannot be repaired, so the message names the rows and says how to re-export the
    column as text.
    """
    s = pd.Series(ids, copy=False).astype(object)
    txt = s.where(s.isna(), s.astype(str).str.strip())
    sci = txt.str.fullmatch(_SCI_ID, na=False).to_numpy(dtype=bool)
    if not sci.any():
        return
    pos = np.flatnonzero(sci)
    raise InputError(scientific_id_message(
        label, column, [int(p) + first_line for p in pos], what=what,
        example=str(txt.iloc[int(pos[0])])))


def is_scientific_id(value: str) -> bool:
    """True when ``value`` is a number in scientific notation (``6.03702E+10``)."""
    return bool(_SCI_ID.fullmatch(str(value).strip()))


def scientific_id_message(label: str | None, column: str, lines: list[int], *,
                          what: str = "code", example: str | None = None) -> str:
    """The one message for identifiers saved in scientific notation (rows named, how to
    re-export as text). ``example`` is left out for student ids (privacy); ``label`` None leaves
    the file name out (for a caller that names the file once in front of several problems)."""
    n = len(lines)
    eg = f", e.g. '{example}'" if example else ""
    return (
        f"{location(label, None, column)}: {n} {what}{'s are' if n > 1 else ' is'} in "
        f"scientific notation ({rows_text(lines)}{eg}): a spreadsheet saved the {what} as a "
        "number and its last digits are lost; re-export the file with this column formatted as "
        "Text (Excel: select the column, Format Cells > Text, then re-enter or re-import it with "
        "Data > From Text/CSV and column type Text)"
    )


def pad_note(label: str, column: str, padded: int, width: int, what: str) -> str:
    """The note for codes that lost their leading zero and were padded (empty when none)."""
    if not padded:
        return ""
    return (f"{label}, column '{column}': {padded:,} {what}{'s' if padded != 1 else ''} had "
            f"lost {'their' if padded != 1 else 'its'} leading zero{'s' if padded != 1 else ''} "
            f"(fewer than {width} digits) and {'were' if padded != 1 else 'was'} padded with "
            "zeros")


# --------------------------------------------------------------------------------------------
# impossible values
# --------------------------------------------------------------------------------------------


def check_range(values: np.ndarray | pd.Series, where: Callable[[int], str], *,
                lo: float | None = None, hi: float | None = None, what: str = "value",
                allowed: Iterable[float] = ()) -> None:
    """Raise for the first value outside ``[lo, hi]`` that is not one of ``allowed`` (a file's
    documented missing code, e.g. SVI's -999). NaN passes (missing)."""
    v = np.asarray(pd.to_numeric(pd.Series(values, copy=False), errors="coerce"),
                   dtype=np.float64)
    ok = np.isnan(v)
    for a in allowed:
        ok |= v == a
    bad = np.zeros(len(v), dtype=bool)
    if lo is not None:
        bad |= v < lo
    if hi is not None:
        bad |= v > hi
    bad &= ~ok
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        more = int(bad.sum()) - 1
        extra = f" ({more} more in this column)" if more else ""
        span = (f"between {lo:g} and {hi:g}" if lo is not None and hi is not None
                else f"at least {lo:g}" if lo is not None else f"at most {hi:g}")
        raise InputError(f"{where(pos)}: {v[pos]:g} is impossible for a {what} (must be "
                         f"{span}){extra}")


def check_not_above(part: np.ndarray | pd.Series, total: np.ndarray | pd.Series,
                    where: Callable[[int], str], part_name: str, total_name: str) -> None:
    """Raise for the first row where a count is larger than its total (e.g. FRPM count >
    enrollment). Missing values pass."""
    a = np.asarray(pd.to_numeric(pd.Series(part, copy=False), errors="coerce"), dtype=np.float64)
    b = np.asarray(pd.to_numeric(pd.Series(total, copy=False), errors="coerce"),
                   dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = a > b
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        more = int(bad.sum()) - 1
        extra = f" ({more} more rows)" if more else ""
        raise InputError(f"{where(pos)}: {part_name} {a[pos]:g} is larger than {total_name} "
                         f"{b[pos]:g}, which is impossible{extra}")


def check_unit_count(n: int, published: str | None, label: str, *,
                     allow_subset: bool = False) -> str:
    """Check that a file claiming to be the published file ``published`` (a key of
    :data:`PUBLISHED_UNITS`) is whole.

    Returns
    -------
    A note (empty when the file is whole, or ``published`` is None) to print and record: the file
    (named without its folder) holds fewer units than published and ``allow_subset`` says that
    is on purpose.

    Raises
    ------
    InputError
        Fewer units than published, without ``allow_subset``: a truncated or filtered file
        would silently re-rank every unit (percentile ranks depend on the whole population).
        More units than published: not the file the preset reads.
    """
    if not published or published not in PUBLISHED_UNITS:
        return ""
    expected, what = PUBLISHED_UNITS[published]
    if n > expected:
        raise InputError(f"{label}: {n:,} units, more than the {expected:,} {what}; is it the "
                         "right file (or does it repeat rows)?")
    if n < expected:
        if not allow_subset:
            raise InputError(
                f"{label}: {n:,} units, but the published file has {expected:,} {what}: the "
                "file is cut short or filtered, and percentile ranks computed on it differ from "
                "the published ones; use the whole file, or pass --allow-subset (run config: "
                "allow_subset = true under [inputs]) to rank this subset on purpose"
            )
        # the note names the file without its folder: run.json holds no absolute path
        return (f"{Path(label).name}: a subset of {n:,} of the {expected:,} {what}, allowed on "
                "purpose (--allow-subset): units not in it get no values from it, and ranks and "
                "percentiles computed on it are relative to this subset, not the published ones")
    return ""


def published_key(published: str | None, ids: pd.Series) -> str | None:
    """The :data:`PUBLISHED_UNITS` key for a file read by a spec that declares ``published``.

    SVI is published both by county (5-digit FIPS) and by tract (11-digit FIPS); only the county
    files' unit counts are listed, so a tract file (or a state's tract file, also published by
    CDC/ATSDR) is not checked.
    """
    if not published:
        return None
    if published.startswith("svi-"):
        lengths = pd.Series(ids, copy=False).dropna().astype(str).str.strip().str.len()
        if len(lengths) and int(lengths.max()) <= 5:
            return f"{published}-county"
        return None
    return published if published in PUBLISHED_UNITS else None


#: Column names (case-insensitive) that hold codes, never quantities: read and written as text so
#: no leading zero is dropped (GEOID ``06037...``, CDS code ``01...``, county code ``01``).
ID_COLUMN_NAMES = frozenset({
    "geoid", "geoid10", "geoid20", "fips", "stcnty", "tract", "census tract", "cds", "cds_code",
    "cdscode", "county_code", "county code", "district_code", "district code", "school_code",
    "school code", "zip", "zip_code", "ncesdist", "ncesschool", "school_id", "student_id",
})


def text_columns(columns: Iterable[str], text: pd.DataFrame | None = None) -> list[str]:
    """The columns to keep as text: known code columns (:data:`ID_COLUMN_NAMES`) and, when the
    cells are given as ``text``, every column whose cells are all digits with at least one
    leading zero (``01``, ``06037101110``): a code, whose zero a number would drop."""
    out = [c for c in columns if str(c).strip().lower() in ID_COLUMN_NAMES]
    if text is not None:
        for c in text.columns:
            if c in out:
                continue
            s = text[c].dropna().astype(str).str.strip()
            s = s[s != ""]
            if len(s) and s.str.fullmatch(r"\d+").all() and s.str.match(r"0\d").any():
                out.append(c)
    return out


def number_or_none(text: str) -> float | None:
    """One cell by the one number rule (:func:`parse_numbers`): its value, or None when it is
    not a number, not finite, or of absurd magnitude."""
    s = str(text).strip()
    if s.endswith("%"):
        s = s[:-1].rstrip()
    if "," in s:
        if not _GROUPED.fullmatch(s):
            return None
        s = s.replace(",", "")
    try:
        x = float(s)
    except ValueError:
        return None
    if not np.isfinite(x) or abs(x) >= ABSURD:
        return None
    return x


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^0-9a-z]+", name.lower()) if t]


def closest(name: str, choices: Iterable[object]) -> str | None:
    """The choice ``name`` most likely meant (a misspelt or shortened column name), or None.

    Tried in order: the same name ignoring case and surrounding spaces; the same words (split on
    ``_``, spaces and punctuation) in another order (``frpm_pct``, ``pct_frpm``); a choice whose
    words begin with all of ``name``'s words or the reverse (``cds_code`` and ``cds``); the
    closest by :func:`difflib.get_close_matches` (ratio 0.6 or more, Python's default).
    Deterministic: ties go to the earlier choice.

    >>> closest("cds_code", ["score", "cds", "school_name"])
    'cds'
    >>> closest("frpm_pct", ["cds", "pct_frpm"])
    'pct_frpm'
    >>> closest("pct_swd", ["pct_sdw", "enrollment"])
    'pct_sdw'
    >>> closest("budget", ["school"]) is None
    True
    """
    have = [str(c) for c in choices]
    if not have:
        return None
    key = name.strip().lower()
    for h in have:
        if h.strip().lower() == key:
            return h
    mine = _tokens(name)
    if mine:
        for h in have:  # the same words in another order (frpm_pct, pct_frpm)
            if sorted(_tokens(h)) == sorted(mine):
                return h
        for h in have:  # one name is the other's first words (cds, cds_code)
            theirs = _tokens(h)
            if theirs and (theirs[:len(mine)] == mine or mine[:len(theirs)] == theirs):
                return h
    close = difflib.get_close_matches(name, have, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, choices: Iterable[object]) -> str:
    """``" (did you mean 'x'?)"`` for the :func:`closest` choice, or ``""`` when none is close.

    >>> "missing column 'cds_code'" + did_you_mean("cds_code", ["cds", "name"])
    "missing column 'cds_code' (did you mean 'cds'?)"
    """
    hit = closest(name, choices)
    return f" (did you mean '{hit}'?)" if hit is not None and hit != name else ""


def check_input_file(path: str | Path, *, columns: Iterable[str] = (), label: str | None = None,
                     text: bool | None = None, sep: str | None = None,
                     require_utf8: bool = True) -> Path:
    """Check one input file before any heavy work; return its path.

    Raises :class:`InputError` (one line naming the file) when the file does not exist, is a
    folder, cannot be read, or, for a text table (``.csv``, ``.txt``, ``.tsv``, ``.toml``,
    ``.json``; or ``text=True``), is not UTF-8 (the line of the first bad byte is named) or its
    header (line 1) lacks one of ``columns`` (with :func:`did_you_mean`). Binary tables
    (``.xlsx``, ``.parquet``) are only checked for existence and readability here; their readers
    check the columns. ``label`` names the file in messages (default: the path as given).
    ``require_utf8=False`` is for the readers that also accept Windows-1252 (CDE downloads): the
    header is then decoded as UTF-8, else Windows-1252.
    """
    p = Path(path)
    name = label or str(path)
    if not p.exists():
        raise InputError(f"{name}: file not found")
    if p.is_dir():
        raise InputError(f"{name}: is a folder, not a file")
    try:
        with open(p, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    suffix = p.suffix.lower()
    if text is None:
        text = suffix in {".csv", ".txt", ".tsv", ".tab", ".toml", ".json"}
    if not text:
        return p
    if require_utf8:
        from equitable.files import check_utf8

        check_utf8(p)
    wanted = list(columns)
    if wanted:
        if not head.strip():
            raise InputError(f"{name}: the file is empty")
        raw = head.splitlines()[0]
        try:
            first = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            first = raw.decode("cp1252", errors="replace")
        delim = sep or ("\t" if suffix in {".txt", ".tsv", ".tab"} else ",")
        header = [h.strip() for h in next(csv.reader([first], delimiter=delim))]
        for c in wanted:
            if c not in header:
                raise InputError(f"{location(name, 1, c)}: missing column{did_you_mean(c, header)}")
    return p
