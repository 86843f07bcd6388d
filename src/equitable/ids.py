"""Identifiers: CDS codes, census GEOIDs and FIPS codes, with one validation rule (issue 19).

Every reader that takes a school or place identifier checks it here, so a CDS code or a GEOID is
accepted or refused the same way in every file the tool reads.

Kinds (:class:`IdKind`), each with its width, its name in messages and its parts:

=========================  =====  ====================================================  ========
kind                       width  parts                                                 lost 0s
=========================  =====  ====================================================  ========
:data:`CDS_CODE`           14     county 2 + district 5 + school 7                      1
:data:`COUNTY_DISTRICT`    7      county 2 + district 5 (CDE's 7-digit district code)   1
:data:`SCHOOL_CODE`        7      the school part of the CDS code (last 7 digits)       6
:data:`DISTRICT_CODE`      5      the district part of the CDS code (digits 3-7)        4
:data:`COUNTY_CODE`        2      CDE county, 01-58                                     1
:data:`TRACT_GEOID`        11     state 2 + county 3 + tract 6                          1
:data:`BLOCK_GROUP_GEOID`  12     state 2 + county 3 + tract 6 + block group 1          1
:data:`COUNTY_FIPS`        5      state 2 + county 3                                    1
:data:`STATE_FIPS`         2      01-78                                                 1
=========================  =====  ====================================================  ========

Sources: California Department of Education, "County-District-School (CDS) code" (CDE glossary
and the Public Schools and Districts file layout, https://www.cde.ca.gov/ds/si/ds/fspubschls.asp:
``CDSCode`` is 14 digits, county 2 + district 5 + school 7); U.S. Census Bureau, "Understanding
Geographic Identifiers (GEOIDs)", table "GEOID Structure for Geographic Areas"
(https://www.census.gov/programs-surveys/geography/guidance/geo-identifiers.html): state 2,
county 5, census tract 11, block group 12 digits.

The rule, the same for every kind (:func:`normalize` for a column, :func:`check` for one value):

1. Surrounding whitespace is stripped; nothing else is changed.
2. A value in scientific notation (``6.03701E+09``, ``1.96467E+13``) is an error naming the file,
   the rows and the column, with the advice to read (re-export) the column as text: a spreadsheet
   saved the identifier as a number and its last digits are lost for good.
3. A value of exactly ``width`` ASCII digits ``0-9`` is the identifier.
4. Only where the caller restores (``restore=True``: the readers of published files and district
   exports a spreadsheet may have opened), a value of ASCII digits shorter than ``width`` by at
   most the kind's ``max_lost`` digits is a number that lost its leading zeros: it is padded with
   zeros, and the count is returned so the reader says so (:func:`restore_note`, printed on the
   terminal and kept in run.json). ``max_lost`` is how many leading zeros the kind can really
   start with: a county code runs 01-58 and a state FIPS code 01-78, so a CDS code or a GEOID
   read as a number loses at most one zero; a 12-digit "CDS code" is not a padded one.
5. Anything else is an error naming the file, the row (1-based line number, header = line 1) and
   the column: other characters (``19-64733``, ``1964733.0``, ``'0161119...``), digits other
   than ASCII 0-9 (full-width or Arabic-Indic digits look alike but never join), too many
   digits, or too few digits where nothing is restored.

A blank cell is missing where the caller allows it (``allow_missing``), an error otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator

from equitable.errors import InputError, location

if TYPE_CHECKING:  # pandas is imported only by the column functions (equitable --help stays light)
    import numpy as np
    import pandas as pd

__all__ = [
    "BLOCK_GROUP_GEOID",
    "CDS_CODE",
    "COUNTY_CODE",
    "COUNTY_DISTRICT",
    "COUNTY_FIPS",
    "DISTRICT_CODE",
    "KINDS",
    "SCHOOL_CODE",
    "SCIENTIFIC",
    "STATE_FIPS",
    "TRACT_GEOID",
    "CdsCode",
    "DistrictCode",
    "IdKind",
    "check",
    "check_like_others",
    "is_scientific",
    "is_valid",
    "lost_zeros_mask",
    "normalize",
    "restore_note",
    "scientific_mask",
    "valid_mask",
]

#: A number in scientific notation, as a spreadsheet writes a long identifier it read as a number
#: (``6.03702E+10``; a decimal comma too, ``6,03702E+10``).
SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")


@dataclass(frozen=True)
class IdKind:
    """One kind of identifier.

    Attributes
    ----------
    key : short name (``"cds_code"``), the key of :data:`KINDS`.
    name : its name in messages and notes (``"CDS code"``).
    width : its number of digits.
    parts : what the digits are (``"county 2 + district 5 + school 7"``), for messages.
    max_lost : the most leading zeros a value can lose when a spreadsheet reads it as a number
        (how many zeros a real identifier of this kind can start with); see the module docstring.
    """

    key: str
    name: str
    width: int
    parts: str
    max_lost: int

    @property
    def pattern(self) -> str:
        """The regular expression of a valid value: ``^[0-9]{width}$`` (ASCII digits only)."""
        return rf"^[0-9]{{{self.width}}}$"

    def describe(self) -> str:
        """``CDS code (14 digits: county 2 + district 5 + school 7)``."""
        return f"{self.name} ({self.width} digits: {self.parts})"


CDS_CODE = IdKind("cds_code", "CDS code", 14, "county 2 + district 5 + school 7", 1)
COUNTY_DISTRICT = IdKind("county_district", "county-district code", 7,
                         "county 2 + district 5", 1)
SCHOOL_CODE = IdKind("school_code", "school code", 7, "the school part of the CDS code", 6)
DISTRICT_CODE = IdKind("district_code", "district code", 5,
                       "the district part of the CDS code", 4)
COUNTY_CODE = IdKind("county_code", "county code", 2, "CDE county, 01-58", 1)
TRACT_GEOID = IdKind("tract_geoid", "census tract GEOID", 11,
                     "state 2 + county 3 + tract 6", 1)
BLOCK_GROUP_GEOID = IdKind("block_group_geoid", "block group GEOID", 12,
                           "state 2 + county 3 + tract 6 + block group 1", 1)
COUNTY_FIPS = IdKind("county_fips", "county FIPS code", 5, "state 2 + county 3", 1)
STATE_FIPS = IdKind("state_fips", "state FIPS code", 2, "01-78", 1)

#: Every kind by its key.
KINDS: dict[str, IdKind] = {k.key: k for k in (
    CDS_CODE, COUNTY_DISTRICT, SCHOOL_CODE, DISTRICT_CODE, COUNTY_CODE, TRACT_GEOID,
    BLOCK_GROUP_GEOID, COUNTY_FIPS, STATE_FIPS)}

_ASCII_DIGITS = re.compile(r"[0-9]+")


# --------------------------------------------------------------------------------------------
# one value
# --------------------------------------------------------------------------------------------


def is_scientific(value: object) -> bool:
    """True when ``value`` (stripped) is a number in scientific notation (``6.03702E+10``)."""
    return value is not None and bool(SCIENTIFIC.fullmatch(str(value).strip()))


def is_valid(value: object, kind: IdKind) -> bool:
    """True when ``value``, stripped of surrounding whitespace, is ``kind.width`` ASCII digits.

    >>> is_valid(" 19647330000000 ", CDS_CODE), is_valid("1964733000000", CDS_CODE)
    (True, False)
    """
    if value is None or not isinstance(value, str | int) or isinstance(value, bool):
        return False
    s = str(value).strip()
    return len(s) == kind.width and bool(_ASCII_DIGITS.fullmatch(s))


def check(value: object, kind: IdKind, *, where: str = "", restore: bool = False) -> str:
    """One identifier by the rule of the module docstring: the normalised text.

    Parameters
    ----------
    value : the cell (text; an ``int`` is accepted as its decimal digits).
    kind : the kind of identifier.
    where : ``file, row N, column 'c'`` (:func:`equitable.errors.location`) for the message.
    restore : pad a value that lost up to ``kind.max_lost`` leading zeros (the caller counts it).

    Raises
    ------
    InputError
        Scientific notation, other characters, or the wrong number of digits.

    >>> check(" 1611190130229", CDS_CODE, restore=True)
    '01611190130229'
    """
    s = "" if value is None else str(value).strip()
    prefix = f"{where}: " if where else ""
    if is_scientific(s):
        raise InputError(f"{prefix}'{s}' is a {kind.name} in scientific notation: "
                         f"{_SCI_ADVICE.format(what=kind.name)}")
    if _ASCII_DIGITS.fullmatch(s):
        if len(s) == kind.width:
            return s
        if restore and kind.width - kind.max_lost <= len(s) < kind.width:
            return s.zfill(kind.width)
    raise InputError(f"{prefix}'{s or '(blank)'}' is not a {kind.describe()}")


_SCI_ADVICE = ("a spreadsheet saved the {what} as a number and its last digits are lost; "
               "re-export the file with this column formatted as Text")


# --------------------------------------------------------------------------------------------
# a column
# --------------------------------------------------------------------------------------------


def _text(values: Any) -> pd.Series:
    """The cells as stripped text (missing values stay missing), original index kept."""
    import pandas as pd

    s = pd.Series(values, copy=False).astype(object)
    return s.where(s.isna(), s.astype(str).str.strip())


def scientific_mask(values: Any) -> np.ndarray:
    """Boolean array: which cells (stripped) are numbers in scientific notation."""
    return _text(values).str.fullmatch(SCIENTIFIC, na=False).to_numpy(dtype=bool)


def valid_mask(values: Any, kind: IdKind) -> np.ndarray:
    """Boolean array: which cells (stripped) are exactly ``kind.width`` ASCII digits."""
    return _text(values).str.fullmatch(kind.pattern[1:-1], na=False).to_numpy(dtype=bool)


def lost_zeros_mask(values: Any, kind: IdKind) -> np.ndarray:
    """Boolean array: which cells (stripped) are ASCII digits shorter than ``kind.width`` by at
    most ``kind.max_lost``: values that lost their leading zeros and may be restored."""
    txt = _text(values)
    n = txt.str.len()
    ok = (txt.str.fullmatch(r"[0-9]+", na=False) & (n < kind.width)
          & (n >= kind.width - kind.max_lost))
    return ok.fillna(False).to_numpy(dtype=bool)


def normalize(
    values: Any,
    kind: IdKind,
    *,
    label: str,
    column: str,
    first_line: int = 2,
    restore: bool = False,
    allow_missing: bool = False,
    missing: frozenset[str] | set[str] | tuple[str, ...] = ("",),
    what: str | None = None,
    show_values: bool = True,
) -> tuple[pd.Series, int]:
    """A column of identifiers by the rule of the module docstring (vectorised).

    Parameters
    ----------
    values : the cells (a Series or sequence of text; missing values are blank).
    kind : the kind of identifier.
    label, column : the file (as messages name it) and the column (as the file spells it).
    first_line : the file line of the first value (2 for a CSV: the header is line 1).
    restore : pad values that lost up to ``kind.max_lost`` leading zeros (counted, returned).
    allow_missing : a cell in ``missing`` is missing (``<NA>``); otherwise it is an error.
    missing : the cells read as blank (stripped), default only the empty cell.
    what : the identifier's name in messages, when the file's own word differs (``"id"``);
        default ``kind.name``.
    show_values : False for a file whose cells must not be shown (student files): messages then
        name rows and the column only.

    Returns
    -------
    (ids, restored): a Series of dtype ``string`` with the index of ``values`` (``<NA>`` for a
    missing cell), and the number of values padded with zeros (0 unless ``restore``).

    Raises
    ------
    InputError
        One line: values in scientific notation (all their rows, with how to re-export the
        column as text); else the first value that is not an identifier of this kind (its row
        and how many more there are).
    """
    import numpy as np

    from equitable.checks import rows_text, scientific_id_message

    name = what or kind.name
    txt = _text(values)
    sci = txt.str.fullmatch(SCIENTIFIC, na=False).to_numpy(dtype=bool)
    if sci.any():
        pos = np.flatnonzero(sci)
        raise InputError(scientific_id_message(
            label, column, [int(p) + first_line for p in pos], what=name,
            example=str(txt.iloc[int(pos[0])]) if show_values else None))
    blank = (txt.isna() | txt.isin(list(missing))).to_numpy(dtype=bool)
    digits = txt.str.fullmatch(r"[0-9]+", na=False).to_numpy(dtype=bool)
    length = txt.str.len().fillna(0).to_numpy(dtype=np.int64)
    exact = digits & (length == kind.width)
    short = digits & (length < kind.width) & (length >= kind.width - kind.max_lost)
    padded = short & ~blank if restore else np.zeros(len(txt), dtype=bool)
    bad = ~exact & ~padded & ~(blank & allow_missing)
    if bad.any():
        pos = np.flatnonzero(bad)
        first = int(pos[0])
        more = len(pos) - 1
        extra = f" ({more} more in this column)" if more else ""
        line = first + first_line
        if show_values:
            cell = txt.iloc[first]
            shown = "" if cell is None or cell != cell else str(cell)  # None / NaN: blank
            msg = f"'{shown or '(blank)'}' is not a {kind.describe()}"
        else:
            msg = (f"{len(pos)} value{'s are' if len(pos) > 1 else ' is'} not a "
                   f"{kind.describe()} ({rows_text(p + first_line for p in pos.tolist())})")
            extra = ""
        raise InputError(f"{location(label, line, column)}: {msg}{extra}")
    out = txt.where(~padded, txt.str.zfill(kind.width)) if padded.any() else txt
    out = out.where(~blank, None)
    return out.astype("string"), int(padded.sum())


#: The kinds a column of codes is recognised as by its width alone (:func:`check_like_others`).
_BY_WIDTH = {14: CDS_CODE, 11: TRACT_GEOID, 12: BLOCK_GROUP_GEOID}


def check_like_others(values: Any, *, label: str, column: str, first_line: int = 2) -> None:
    """Refuse an id that is not like the others of a column of codes whose kind is not declared.

    For a generic id column (``equitable allocate``'s ``id_column``: CDS codes, GEOIDs or a
    district's own ids). When at least half of the non-blank values are exactly 14, 11 or 12
    ASCII digits, the column is a column of CDS codes, tract GEOIDs or block-group GEOIDs and
    every value is held to the rule of :data:`CDS_CODE`, :data:`TRACT_GEOID` or
    :data:`BLOCK_GROUP_GEOID` (no zero restored: a code is refused, not changed). Other columns
    (a district's own ids, numbers of varying width, names) are left as they are. Blank cells
    are left to the caller.

    Raises
    ------
    InputError
        One line naming the file, row and column of the first value that is not a code of the
        column's kind (a trailing ``.0``, an apostrophe, a full-width digit, a digit too many or
        too few).
    """
    txt = _text(values)
    n = int((~(txt.isna() | (txt == ""))).sum())
    exact = {w: int(txt.str.fullmatch(f"[0-9]{{{w}}}", na=False).sum()) for w in _BY_WIDTH}
    width = max(exact, key=lambda w: exact[w])
    if n >= 2 and 2 * exact[width] >= n:
        normalize(txt, _BY_WIDTH[width], label=label, column=column, first_line=first_line,
                  allow_missing=True)


def restore_note(label: str, column: str, restored: int, kind: IdKind,
                 what: str | None = None) -> str:
    """The note for values that lost their leading zeros and were padded (empty when none):
    ``f.csv, column 'cds': 2 CDS codes had lost their leading zeros (fewer than 14 digits) and
    were padded with zeros`` (:func:`equitable.checks.pad_note`)."""
    from equitable.checks import pad_note

    return pad_note(label, column, restored, kind.width, what or kind.name)


# --------------------------------------------------------------------------------------------
# pydantic
# --------------------------------------------------------------------------------------------


def _pydantic_check(kind: IdKind) -> Callable[[object], str]:
    def validate(v: object) -> str:
        if isinstance(v, int | float) and not isinstance(v, bool):
            shown = f"{int(v):0{kind.width}d}" if float(v).is_integer() else "..."
            raise ValueError(f'write the {kind.name} as text in quotes, e.g. "{shown}" (a '  # noqa: TRY004 - pydantic reports ValueError
                             "number loses leading zeros)")
        if not is_valid(v, kind):
            raise ValueError(f"a {kind.name} is a string of {kind.width} digits. Got {v!r}")
        return str(v).strip()
    return validate


#: A pydantic field holding a CDS code: 14 ASCII digits as text, surrounding spaces stripped; a
#: TOML number is refused with the advice to quote it (it would lose its leading zero).
CdsCode = Annotated[str, BeforeValidator(_pydantic_check(CDS_CODE))]
#: A pydantic field holding CDE's 5-digit district code (as :data:`CdsCode`).
DistrictCode = Annotated[str, BeforeValidator(_pydantic_check(DISTRICT_CODE))]
