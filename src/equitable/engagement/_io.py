"""Reading and checking the input folder (students, calendar, attendance, activity).

Small tables (students, calendar) are checked here with pandas; the large ones (attendance,
activity) are checked by Ibis expressions in :mod:`equitable.engagement._rules`, so that the check
runs where the data is (DuckDB or Spark). Every problem becomes an :class:`Issue` holding a count
and a few example row numbers, never a student id.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from equitable.checks import did_you_mean
from equitable.errors import UTF8_ADVICE, InputError, first_non_utf8
from equitable.ids import CDS_CODE, SCIENTIFIC

__all__ = [
    "ABSENT_STATUSES",
    "GRADES",
    "PRESENT_STATUSES",
    "RACE_CODES",
    "STATUSES",
    "Issue",
    "check_calendar",
    "check_students",
    "find_input",
    "local_path",
    "read_table",
]

#: Statuses that count as a day absent under California's rule (Education Code 60901(c)(1);
#: CDE Dashboard: excused, unexcused and out-of-school suspension), plus an absence from
#: distance learning.
ABSENT_STATUSES = ("absent_excused", "absent_unexcused", "suspended_out", "distance_absent")
#: Statuses that count as present (in-school suspension is not an absence for CDE).
PRESENT_STATUSES = ("present", "suspended_in", "distance_present")
STATUSES = PRESENT_STATUSES + ABSENT_STATUSES
GRADES = ("TK", "K") + tuple(str(g) for g in range(1, 13))
#: CDE race/ethnicity reporting-category codes (CDE file structure, fsabd.asp).
RACE_CODES = ("RB", "RI", "RA", "RF", "RH", "RD", "RP", "RT", "RW")
FLAG_COLUMNS = ("english_learner", "low_income", "foster", "homeless", "disability")

STUDENT_COLUMNS = (
    "student_id", "school_id", "grade", "enroll_date", "exit_date", *FLAG_COLUMNS,
    "race_ethnicity", "home_language",
)
CALENDAR_COLUMNS = ("school_id", "date", "instructional")
ATTENDANCE_COLUMNS = ("student_id", "school_id", "date", "status")
ACTIVITY_COLUMNS = ("student_id", "timestamp", "kind")

MAX_EXAMPLES = 5


#: Student-and-school integer keys are ``student rank * SCHOOL_SPAN + school rank`` (fewer
#: than 2**20 schools), in the backend and in pandas alike.
SCHOOL_SPAN = 2**20

@dataclass
class Issue:
    """One kind of problem in one file: how many rows, and the first few row numbers."""

    file: str
    what: str
    count: int
    rows: list[int] = field(default_factory=list)
    unit: str = "rows"

    def message(self) -> str:
        unit = self.unit if self.count != 1 else self.unit.rstrip("s")
        text = f"{self.file}: {self.count:,} {unit} {self.what}"
        if self.rows:
            text += (" (row " if len(self.rows) == 1 else " (rows ") + ", ".join(
                str(r) for r in self.rows) + ")"
        return text

    def as_dict(self) -> dict:
        return {"file": self.file, "what": self.what, "count": self.count, "rows": self.rows}


#: What a row with an unreadable date is told: the expected format, and the usual culprit (a
#: spreadsheet's M/D/YYYY); the cell itself is never quoted (student files, PRIVACY.md).
NOT_ISO_DATE = ("that is not an ISO date YYYY-MM-DD (a spreadsheet's M/D/YYYY, e.g. 8/19/2021, "
                "must be written 2021-08-19)")


def local_path(location: str | Path) -> Path | None:
    """``location`` as a local path (a path, or a ``file://`` URI); None for any other URI
    (``s3a://``, ``hdfs://``, ``abfss://``, ``gs://``...), which only the engine reads."""
    if isinstance(location, Path):
        return location
    text = str(location)
    if "://" not in text:
        return Path(text)
    from urllib.parse import unquote, urlparse

    u = urlparse(text)
    if u.scheme == "file" and u.netloc in ("", "localhost"):
        return Path(unquote(u.path))
    return None


def find_input(folder: Path, stem: str, required: bool = True) -> Path | None:
    """Return ``folder/stem.csv`` or ``folder/stem.parquet``; raise if required and absent."""
    for ext in (".csv", ".parquet"):
        p = folder / f"{stem}{ext}"
        if p.is_file():
            return p
    if (folder / f"{stem}.csv").is_dir():
        raise InputError(f"{folder / f'{stem}.csv'}: is a folder, not a file")
    if required:
        raise InputError(f"{folder}: {stem}.csv (or {stem}.parquet) not found")
    return None


def _not_utf8(path: Path) -> str | None:
    """The first line that is not UTF-8 text, as a message (None when the file is UTF-8)."""
    bad = first_non_utf8(path)
    if bad is None:
        return None
    line, byte = bad
    return f"row {line} is not UTF-8 text (byte 0x{byte:02x}); {UTF8_ADVICE}"


def _csv_header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        try:
            return [h.strip() for h in next(csv.reader(fh))]
        except StopIteration:
            raise InputError(f"{path.name}: the file is empty (no header row)") from None
        except UnicodeDecodeError:
            raise InputError(f"{path.name}: {_not_utf8(path)}") from None


def _check_columns(name: str, columns: list[str], required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError(
            f"{name}: missing column{'s' if len(missing) > 1 else ''} "
            + ", ".join(f"'{c}'" for c in missing)
            + "".join(did_you_mean(c, [h for h in columns if h not in required]) for c in missing[:1])
            + " (found: " + ", ".join(f"'{c}'" for c in columns) + ")"
        )
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise InputError(f"{name}: column '{dupes[0]}' appears more than once in the header")


def read_table(path: Path, required: tuple[str, ...]) -> pa.Table:
    """Read a CSV (every column as text) or Parquet file into Arrow, adding ``_row``.

    ``_row`` is the line number in a CSV file (header = line 1) or the 1-based record number in a
    Parquet file. Only the ``required`` columns are kept.

    Raises
    ------
    InputError
        A missing column, a CSV row with the wrong number of fields (naming its line), or a
        Parquet file that cannot be read (damaged, cut short, not Parquet).
    """
    if path.suffix == ".parquet":
        try:
            table = pq.read_table(path)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{path.name}: {not_parquet(exc)}") from None
        _check_columns(path.name, table.column_names, required)
        table = table.select(list(required))
        n = table.num_rows
        return table.append_column("_row", pa.array(range(1, n + 1), pa.int64()))
    header = _csv_header(path)
    _check_columns(path.name, header, required)
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, encoding="utf8"),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                include_columns=list(required),
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
        )
    except pa.ArrowInvalid as exc:
        raise InputError(f"{path.name}: cannot be read as CSV: {_csv_problem(path, exc)}") from None
    n = table.num_rows
    table = pa.table({c: pc.utf8_trim_whitespace(table[c]) for c in table.column_names})
    return table.append_column("_row", pa.array(range(2, n + 2), pa.int64()))


def not_parquet(exc: Exception) -> str:
    """The message for a Parquet file the reader gave up on: Arrow's or DuckDB's first line,
    without the file's path (the caller names the file)."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    reason = reason.split("': ", 1)[-1] if "': " in reason else reason
    reason = re.sub(r"\s*'[^']*/[^']*'", "", reason)  # a quoted path inside DuckDB's message
    return f"cannot be read as Parquet (damaged, cut short or not Parquet: {reason})"


def parse_dates(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    """Replace text columns holding ISO dates (``YYYY-MM-DD``) by date32; bad values -> null.

    Columns already of a date type are left alone.
    """
    for c in columns:
        col = table[c]
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            ts = pc.strptime(col, format="%Y-%m-%d", unit="s", error_is_null=True)
            table = table.set_column(table.column_names.index(c), c, pc.cast(ts, pa.date32()))
    return table


def _csv_problem(path: Path, exc: Exception) -> str:
    """Find the first line that is not UTF-8, or whose field count differs from the header's
    (no values quoted)."""
    bad = _not_utf8(path)
    if bad:
        return bad
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        width = len(next(reader))
        for row in reader:
            if len(row) != width and row:
                return f"row {reader.line_num} has {len(row)} fields, the header has {width}"
    return _arrow_reason(exc)


def _arrow_reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0]
    # pyarrow's message quotes the offending line; keep only the reason (it may hold an id).
    return text.split(": ", 1)[0] if "Row #" not in text else text.split(" Row #")[0]


def _examples(mask: pd.Series, rows: pd.Series) -> list[int]:
    return [int(r) for r in rows[mask].head(MAX_EXAMPLES)]


def _issue(issues: list[Issue], file: str, what: str, mask: pd.Series, rows: pd.Series) -> None:
    n = int(mask.sum())
    if n:
        issues.append(Issue(file, what, n, _examples(mask, rows)))


def _parse_dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").dt.date


def _as_text(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    """Cast every listed column to text (Parquet may hold dates or numbers); nulls -> ""."""
    for c in columns:
        col = table[c]
        if not pa.types.is_string(col.type):
            col = pc.cast(col, pa.string())
        col = pc.fill_null(col, "")
        table = table.set_column(table.column_names.index(c), c, col)
    return table


#: The issue for ids saved in scientific notation (one line, rows listed; no id shown).
SCIENTIFIC_ID_PROBLEM = (
    "with a student_id or school_id in scientific notation (e.g. 1.23457E+09: a spreadsheet "
    "saved the id as a number and lost its last digits; re-export the column formatted as Text)"
)
#: The one rule of equitable.ids: scientific notation, and a CDS code of 14 ASCII digits (the
#: ids are keys here and are matched as written, surrounding spaces included).
_SCI_ID = SCIENTIFIC.pattern


def _scientific(table: pa.Table, df: pd.DataFrame, column: str) -> pd.Series:
    """Cells of ``column`` in scientific notation (:data:`_SCI_ID`). Only the cells holding an
    ``e`` or ``E`` (found by Arrow, in C++) are matched in Python: the others cannot be."""
    maybe = pc.match_substring(table[column], "e", ignore_case=True).to_numpy(
        zero_copy_only=False)
    out = pd.Series(False, index=df.index)
    if maybe.any():
        out[maybe] = df.loc[maybe, column].str.fullmatch(_SCI_ID).to_numpy(dtype=bool)
    return out


def check_students(table: pa.Table, file: str) -> tuple[pd.DataFrame, list[Issue], pd.Series]:
    """Check ``students`` and return (clean rows, issues, mask of the rows with an issue).

    Checks: blank ids, a school id that is not a 14-digit CDS code, unknown grade, dates that are
    not ISO ``YYYY-MM-DD``, exit before enrollment, Y/N flags, CDE race codes, and two enrollment
    periods of one student at one school that overlap.
    """
    table = _as_text(table, STUDENT_COLUMNS)
    cds_ok = pc.match_substring_regex(table["school_id"], CDS_CODE.pattern).to_numpy(
        zero_copy_only=False)
    df = table.to_pandas()
    issues: list[Issue] = []
    bad = pd.Series(False, index=df.index)

    def flag(what: str, mask: pd.Series) -> None:
        nonlocal bad
        mask = mask & ~bad  # report each row once, under its first problem
        _issue(issues, file, what, mask, df["_row"])
        bad = bad | mask

    flag("with a blank student_id", df["student_id"] == "")
    # ids a spreadsheet saved in scientific notation lost digits (equitable.checks): their own
    # problem, before they could be read as a repeated enrollment of one student
    flag(SCIENTIFIC_ID_PROBLEM, _scientific(table, df, "student_id")
         | _scientific(table, df, "school_id"))
    flag("with a school_id that is not a 14-digit CDS code", pd.Series(~cds_ok, index=df.index))
    flag("with a grade other than TK, K, 1-12", ~df["grade"].isin(GRADES))
    enroll = _parse_dates(df["enroll_date"])
    exit_ = _parse_dates(df["exit_date"])
    flag(f"with an enroll_date {NOT_ISO_DATE}", enroll.isna())
    flag(f"with an exit_date {NOT_ISO_DATE}",
         (df["exit_date"] != "") & exit_.isna())
    flag("with an exit_date before the enroll_date", exit_.notna() & enroll.notna()
         & (exit_ < enroll))
    for c in FLAG_COLUMNS:
        flag(f"with {c} other than Y or N", ~df[c].isin(("Y", "N")))
    flag("with a race_ethnicity that is not a CDE code (RB, RI, RA, RF, RH, RD, RP, RT, RW)",
         ~df["race_ethnicity"].isin(RACE_CODES))
    df["enroll_date"] = enroll
    df["exit_date"] = exit_
    # Overlapping periods of one student at one school (a duplicated enrollment): only rows
    # whose student and school appear more than once can overlap, so only those are sorted.
    good = ~bad.to_numpy()
    rep = df[["student_id", "school_id"]][good].duplicated(keep=False).to_numpy()
    ok = df.loc[df.index[good][rep], ["student_id", "school_id", "enroll_date", "exit_date",
                                      "_row"]]
    ok = ok.sort_values(["student_id", "school_id", "enroll_date", "_row"])
    same = (ok["student_id"] == ok["student_id"].shift()) & (
        ok["school_id"] == ok["school_id"].shift()
    )
    prev_exit = ok["exit_date"].shift()
    overlap = same & (prev_exit.isna() | (ok["enroll_date"] <= prev_exit))
    # prev_exit is NaN for the first row of a group, but `same` is False there.
    overlap_mask = pd.Series(False, index=df.index)
    overlap_mask.loc[overlap[overlap].index] = True
    flag("repeating or overlapping an earlier enrollment of the same student at the same school",
         overlap_mask)
    return (df[~bad].copy() if bad.any() else df), issues, bad


def check_calendar(table: pa.Table, file: str) -> tuple[pd.DataFrame, list[Issue], pd.Series]:
    """Check ``calendar``: dates, Y/N flag, one row per school and date."""
    table = _as_text(table, CALENDAR_COLUMNS)
    cds_ok = pc.match_substring_regex(table["school_id"], CDS_CODE.pattern).to_numpy(
        zero_copy_only=False)
    df = table.to_pandas()
    issues: list[Issue] = []
    bad = pd.Series(False, index=df.index)

    def flag(what: str, mask: pd.Series) -> None:
        nonlocal bad
        mask = mask & ~bad
        _issue(issues, file, what, mask, df["_row"])
        bad = bad | mask

    flag("with a school_id that is not a 14-digit CDS code", pd.Series(~cds_ok, index=df.index))
    d = _parse_dates(df["date"])
    flag(f"with a date {NOT_ISO_DATE}", d.isna())
    flag("with instructional other than Y or N", ~df["instructional"].isin(("Y", "N")))
    df["date"] = d
    dup = df.duplicated(["school_id", "date"], keep="first") & ~bad
    flag("repeating a school and date listed earlier", dup)
    return df[~bad].copy(), issues, bad
