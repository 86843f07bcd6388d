"""Import the district roster and the engagement pipeline's outreach queue.

Both imports are all-or-nothing: the whole file is validated first and any problem rejects it
whole, with one message listing every problem (counts and row numbers, never a student id); the
rows are then written in ONE database transaction, so a process killed part-way leaves nothing of
the batch behind. Re-importing the same file (same SHA-256) changes nothing; importing a file with
the same content under another name records the batch but changes no case.

Every value is checked against what its database column can hold BEFORE anything is written, with
the limits read from the SQLAlchemy models (:func:`column_problems`): a text longer than its
``VARCHAR(n)`` (which PostgreSQL refuses and SQLite would store), a whole number outside the 32-bit
``INTEGER`` range, a NUL character (PostgreSQL text cannot hold one), a grade that is not a grade
code, a field longer than the CSV reader's limit. So an import fails the same way on SQLite and on
PostgreSQL, with one message naming the file, the rows and the column and the rule broken. A
database error that still happens while writing is turned into such a message in one place
(:func:`equitable.outreach._db.database_error`), never with the row's values.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, Integer, String, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from equitable.checks import scientific_id_message
from equitable.engagement._reason_codes import format_codes, parse_codes
from equitable.errors import EquitableError, InputError, location
from equitable.ids import CDS_CODE, check, is_scientific, is_valid, restore_note
from equitable.outreach._db import database_error, write_session
from equitable.outreach._models import Case, ImportBatch, School, Student, language_name, utcnow
from equitable.provenance import sha256_file

__all__ = [
    "GRADES",
    "QUEUE_REQUIRED",
    "ROSTER_REQUIRED",
    "ImportResult",
    "check_fits",
    "column_problems",
    "import_queue",
    "import_roster",
    "import_schools",
]

ROSTER_REQUIRED = ("student_id", "school_id")
ROSTER_OPTIONAL = ("grade", "home_language", "english_learner", "foster", "homeless")
QUEUE_REQUIRED = ("student_id", "school_id", "priority_rank", "reasons")
# The engagement pipeline may call the ordering column "rank" or "priority".
QUEUE_ALIASES = {"rank": "priority_rank", "priority": "priority_rank", "queue_rank": "priority_rank"}
QUEUE_FLAG_COLUMNS = ("foster", "homeless", "foster_or_homeless", "english_learner",
                      "disability", "never_engaged", "chronically_absent", "missing")
_CHUNK = 2000
_MAX_ROWS_LISTED = 5
#: The grade codes of the engagement input's students.csv (docs/engagement.md), the same list
#: ``equitable engagement`` checks: transitional kindergarten, kindergarten, grades 1 to 12.
GRADES = ("TK", "K") + tuple(str(g) for g in range(1, 13))
#: The range of a SQL ``INTEGER`` column (32-bit signed on PostgreSQL; SQLite keeps the same rule
#: so that both databases accept the same files).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
#: The longest field of an imported file (characters; the csv module's default limit).
MAX_FIELD = 131_072
_DIGITS = re.compile(r"^[0-9]+$")  # ASCII digits only (int() would also take "1_000" or "١")


@dataclass(frozen=True)
class ImportResult:
    """What an import did (counts only)."""

    kind: str
    rows: int
    opened: int
    updated: int
    unchanged: int
    already_imported: bool = False
    #: what the import changed in the file's values (school ids padded with their lost leading
    #: zero), counts only; printed after the summary
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        extra = "".join(f"\nNote: {n}" for n in self.notes)
        if self.already_imported:
            return f"{self.kind}: this file was already imported; nothing changed" + extra
        return (
            f"{self.kind}: {self.rows} rows; {self.opened} new, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        ) + extra


def _n(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:_MAX_ROWS_LISTED])
    more = f" and {len(rows) - _MAX_ROWS_LISTED} more" if len(rows) > _MAX_ROWS_LISTED else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def values_lines(values: list[str]) -> int:
    """How many physical lines a parsed record spans (its quoted fields may hold line breaks)."""
    return 1 + sum(v.count("\n") for v in values)


def _read_csv(path: Path, required: tuple[str, ...], aliases: dict[str, str] | None = None,
              renamed: dict[str, str] | None = None):
    """``(header, rows)``; ``renamed`` (when given) is filled with ``{column: the file's name}``
    for the columns read under an alias, so messages name the column as the file spells it."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a CSV file")
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    data = path.read_bytes()
    # "file, row L: not UTF-8 text (byte 0xNN); ... iconv ..." (the shared rule, docs/data.md)
    from equitable.index._io import check_utf8

    check_utf8(path)
    text = data.decode("utf-8-sig")
    # newline="" keeps a line break inside a quoted field in its field (RFC 4180, section 2.6)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{path}: the file is empty (no header row)") from None
    if aliases:
        raw_header = header
        header = [aliases.get(h, h) if aliases.get(h, h) not in header else h for h in header]
        if renamed is not None:
            renamed.update({new: old for new, old in zip(header, raw_header) if new != old})
    dup_cols = sorted({h for h in header if h and header.count(h) > 1})
    if dup_cols:
        raise InputError(f"{path}: column(s) {', '.join(dup_cols)} appear more than once")
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"{path}: missing required column(s) {', '.join(missing)}; nothing was imported "
            f"(required: {', '.join(required)})"
        )
    rows = []
    too_long: dict[str, list[int]] = defaultdict(list)
    # the file is already in memory: read fields of any length, then refuse the long ones by
    # column and row (the csv module's own limit would stop with neither)
    limit = csv.field_size_limit(len(text) + 1)
    try:
        for values in reader:
            lineno = reader.line_num - values_lines(values) + 1
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise InputError(
                    f"{location(path, lineno)}: {len(values)} fields, the header has "
                    f"{len(header)}; nothing was imported"
                )
            for h, v in zip(header, values):
                if len(v) > MAX_FIELD:
                    too_long[h].append(lineno)
            rows.append((lineno, {h: v.strip() for h, v in zip(header, values)}))
    except csv.Error as exc:  # its messages carry no field values
        raise InputError(f"{location(path, reader.line_num)}: {exc}; nothing was imported"
                         ) from None
    finally:
        csv.field_size_limit(limit)
    _reject(path, [_n(len(lines), "value", "values") + f" of column '{h}' longer than "
                   f"{MAX_FIELD:,} characters, the most one field may hold "
                   f"({_rows_text(lines)})" for h, lines in too_long.items()])
    return header, rows


def _column_rule(col_type, value) -> str | None:
    """The rule of :func:`column_problems` that ``value`` breaks in a column of ``col_type``."""
    if value is None:
        return None
    if isinstance(value, str):
        if "\x00" in value:
            return "holding a NUL character, which a database text column cannot hold"
        if isinstance(col_type, String) and col_type.length is not None and (
                len(value) > col_type.length):
            return f"longer than {col_type.length} characters"
    elif (isinstance(col_type, Integer) and isinstance(value, int)
          and not INT_MIN <= value <= INT_MAX):
        return f"outside the database's whole-number range ({INT_MIN:,} to {INT_MAX:,})"
    return None


def column_problems(path: Path, model, records: Iterable[tuple[int, dict]],
                    columns: dict[str, str] | None = None) -> list[str]:
    """What the database could not hold, one problem per (column, rule), with rows, no values.

    Parameters
    ----------
    path : the file (only for the messages' context).
    model : the SQLAlchemy model the records are written to; its columns give the limits:
        ``String(n)`` holds at most n characters (PostgreSQL counts characters and refuses
        longer text; SQLite would store it, so it is refused here on both), ``Integer`` holds
        -2,147,483,648 to 2,147,483,647 (PostgreSQL ``integer``), and no text may hold a NUL
        character (PostgreSQL refuses it).
    records : ``(line number, {column: value})`` pairs, the values as they would be written.
    columns : the file's name of a column where it differs from the model's.

    Returns messages such as ``2 values of column 'grade' longer than 4 characters (rows 3,
    7)``; an empty list when everything fits.
    """
    columns = columns or {}
    table = model.__table__
    bad: dict[tuple[str, str], list[int]] = defaultdict(list)
    for lineno, rec in records:
        for key, value in rec.items():
            if key in table.c:
                rule = _column_rule(table.c[key].type, value)
                if rule:
                    bad[(key, rule)].append(lineno)
    return [
        _n(len(rows), "value", "values") + f" of column '{columns.get(key, key)}' {rule} "
        f"({_rows_text(sorted(rows))})"
        for (key, rule), rows in bad.items()
    ]


def check_fits(model, values: dict, names: dict[str, str]) -> None:
    """Raise :class:`EquitableError` naming the option (``names``: column -> option) whose value
    its database column cannot hold (the rules of :func:`column_problems`), on both databases."""
    for key, value in values.items():
        rule = _column_rule(model.__table__.c[key].type, value)
        if rule:
            raise EquitableError(f"{names.get(key, key)}: the value is {rule}")


def _grade(value: str | None, lineno: int, bad_grade: list[int]) -> str | None:
    """A grade code of :data:`GRADES` (``k`` is read as ``K``); other text is a problem."""
    if not value:
        return None
    code = value.upper()
    if code not in GRADES:
        bad_grade.append(lineno)
        return None  # reported once, as not a grade code
    return code


def _grade_problem(bad_grade: list[int]) -> list[str]:
    if not bad_grade:
        return []
    return [_n(len(bad_grade), "value of column 'grade' that is not a grade code",
               "values of column 'grade' that are not grade codes")
            + f" (TK, K, 1-12; {_rows_text(bad_grade)})"]


def _write_error(path: Path, exc: Exception, lines: list[int]) -> InputError:
    """The one message of a database error while writing a file's rows (no values)."""
    where = location(path)
    if lines:
        where += f", rows {min(lines)}-{max(lines)}" if len(lines) > 1 else f", row {lines[0]}"
    return InputError(f"{where}: {database_error(exc)}; nothing was imported")


def _pad_school_ids(path: Path, rows: list, column: str = "school_id") -> tuple[str, ...]:
    """A CDS code that lost its leading zero (a spreadsheet read it as a number: 13 digits) is
    padded to 14 digits in place, by the one rule of :mod:`equitable.ids`; the note says how
    many. Other values are left for the caller's check (:func:`equitable.ids.is_valid`)."""
    n = 0
    for _, r in rows:
        v = r.get(column, "")
        if v and not is_valid(v, CDS_CODE):
            try:
                fixed = check(v, CDS_CODE, restore=True)
            except InputError:
                continue  # reported by the caller, with the other problems of the file
            r[column] = fixed
            n += 1
    note = restore_note(path.name, column, n, CDS_CODE)
    return (note,) if note else ()


def _check_scientific_ids(path: Path, rows: list, columns: tuple[str, ...]) -> None:
    """Ids saved by a spreadsheet in scientific notation (``1.23457E+09``) lost digits: one error
    naming the rows (never "duplicate student rows"); the values are not shown (student ids)."""
    problems = []
    for c in columns:
        lines = [ln for ln, r in rows if is_scientific(r.get(c, ""))]
        if lines:
            # no file name: _reject puts it in front of the problems once
            problems.append(scientific_id_message(None, c, lines, what="id"))
    _reject(path, problems)


#: The spellings of a Y/N flag (case-insensitive); a blank or ``NA`` is "not known".
YES = ("Y", "YES", "TRUE", "1")
NO = ("N", "NO", "FALSE", "0")
_YN_ACCEPTED = "Y or N (also Yes/No, true/false, 1/0; blank or NA when not known)"


def _yn(value: str, lineno: int, column: str, bad: dict[str, list[int]]) -> bool | None:
    """True/False/None (blank) for a Y/N flag; any other text is recorded in ``bad`` (by column,
    its line), never read as "no"."""
    v = value.strip().upper()
    if v in ("", "NA"):
        return None
    if v in YES:
        return True
    if v in NO:
        return False
    bad[column].append(lineno)
    return None


def _yn_problems(bad: dict[str, list[int]]) -> list[str]:
    """One problem per flag column with values that are not Y/N (rows, no values: flags are
    about students)."""
    return [_n(len(lines), f"value of column '{c}' that is not Y or N",
               f"values of column '{c}' that are not Y or N")
            + f" ({_rows_text(lines)}; accepted: {_YN_ACCEPTED})"
            for c, lines in bad.items()]


def _reject(path: Path, problems: list[str]) -> None:
    if problems:
        raise InputError(
            f"{path}: rejected, nothing was imported: " + "; ".join(problems)
        )


def _already(session, kind: str, sha: str) -> bool:
    return (
        session.scalar(
            select(ImportBatch.id).where(ImportBatch.kind == kind, ImportBatch.sha256 == sha)
        )
        is not None
    )


def import_roster(engine: Engine, path: str | Path) -> ImportResult:
    """Load the district roster (the ``students.csv`` of the engagement input) as known students.

    Parameters
    ----------
    engine : a migrated database (:func:`equitable.outreach.migrate`).
    path : CSV with ``student_id, school_id`` (14-digit CDS code) and optionally ``grade,
        home_language, english_learner, foster, homeless`` (Y/N); other columns are ignored.

    Raises
    ------
    InputError
        Missing columns, duplicate students, malformed CDS codes or flags (the file is rejected
        whole and nothing is written).
    """
    path = Path(path)
    _, rows = _read_csv(path, ROSTER_REQUIRED)
    _check_scientific_ids(path, rows, ("student_id", "school_id"))
    notes = _pad_school_ids(path, rows)
    problems: list[str] = []
    seen: dict[str, int] = {}
    dups: list[int] = []
    bad_cds: list[int] = []
    empty_id: list[int] = []
    bad_grade: list[int] = []
    bad_flags: dict[str, list[int]] = defaultdict(list)
    records: dict[str, dict] = {}
    for lineno, r in rows:
        sid = r["student_id"]
        if not sid:
            empty_id.append(lineno)
            continue
        if sid in seen:
            dups.append(lineno)
            continue
        seen[sid] = lineno
        if not is_valid(r["school_id"], CDS_CODE):
            bad_cds.append(lineno)
        records[sid] = {
            "student_id": sid,
            "school_id": r["school_id"],
            "grade": _grade(r.get("grade"), lineno, bad_grade),
            "home_language": language_name(r.get("home_language")) or None,
            "english_learner": _yn(r.get("english_learner", ""), lineno, "english_learner",
                                   bad_flags),
            "foster": _yn(r.get("foster", ""), lineno, "foster", bad_flags),
            "homeless": _yn(r.get("homeless", ""), lineno, "homeless", bad_flags),
        }
    if empty_id:
        problems.insert(0, _n(len(empty_id), "empty student_id", "empty student_ids") + f" ({_rows_text(empty_id)})")
    if dups:
        problems.insert(0, _n(len(dups), "duplicate student row", "duplicate student rows") + f" ({_rows_text(dups)})")
    if bad_cds:
        problems.insert(
            0, _n(len(bad_cds), "school_id value that is not a 14-digit CDS code",
                  "school_id values that are not 14-digit CDS codes")
            + f" ({_rows_text(bad_cds)})"
        )
    problems += _yn_problems(bad_flags)
    problems += _grade_problem(bad_grade)
    problems += column_problems(path, Student, ((seen[sid], rec) for sid, rec in records.items()))
    _reject(path, problems[:10])
    sha = sha256_file(path)
    try:
        return _write_roster(engine, path, sha, records, notes)
    except (SQLAlchemyError, OverflowError) as exc:
        raise _write_error(path, exc, [ln for ln, _ in rows]) from None


def _write_roster(engine: Engine, path: Path, sha: str, records: dict[str, dict],
                  notes: tuple[str, ...] = ()) -> ImportResult:
    with write_session(engine) as s:
        if _already(s, "roster", sha):
            return ImportResult("roster", len(records), 0, 0, 0, already_imported=True,
                                notes=notes)
        known_schools = set(s.scalars(select(School.school_id)))
        new_schools = sorted({r["school_id"] for r in records.values()} - known_schools)
        if new_schools:
            s.execute(insert(School), [{"school_id": x} for x in new_schools])
        existing = {st.student_id: st for st in s.scalars(select(Student))}
        new, changed, same = [], [], 0
        for sid, rec in records.items():
            old = existing.get(sid)
            if old is None:
                new.append(rec)
            elif any(getattr(old, k) != v for k, v in rec.items()):
                changed.append(rec)
            else:
                same += 1
        for i in range(0, len(new), _CHUNK):
            s.execute(insert(Student), new[i : i + _CHUNK])
            s.flush()
        if changed:
            s.execute(update(Student), changed)
        s.add(ImportBatch(kind="roster", file_name=path.name, sha256=sha, rows=len(records),
                          opened=len(new), updated=len(changed), unchanged=same))
    return ImportResult("roster", len(records), len(new), len(changed), same, notes=notes)


def _flags(r: dict, header: list[str], lineno: int, bad: dict[str, list[int]]) -> str:
    """The case's flags: the ``flags`` list and the Y/N flag columns that say yes (a value that
    is not Y/N is recorded in ``bad``, never read as "no")."""
    out = []
    if r.get("flags"):
        out += [f.strip() for f in re.split(r"[;,|]", r["flags"]) if f.strip()]
    for col in QUEUE_FLAG_COLUMNS:
        if col in header and _yn(r.get(col, ""), lineno, col, bad):
            out.append(col)
    return ",".join(sorted(set(out)))


def import_queue(engine: Engine, path: str | Path) -> ImportResult:
    """Open or update one case per student listed in the engagement pipeline's outreach queue.

    Parameters
    ----------
    engine : a migrated database holding the roster (:func:`import_roster`).
    path : ``outreach_queue.csv`` (see docs/engagement.md): ``student_id, school_id,
        priority_rank`` (or ``rank``/``priority``; 1 = contact first), ``reasons``, and optionally
        ``home_language, grade`` (else the roster's), ``flags`` and Y/N columns ``foster,
        homeless, foster_or_homeless, english_learner, disability, never_engaged,
        chronically_absent, missing`` (kept as the case's flags), ``reason_codes`` (the
        pipeline's reasons as codes, :mod:`equitable.engagement._reason_codes`; a value that is
        not one rejects the file). Other columns are ignored.

    A student without a case gets an ``open`` case; a listed student whose case is closed (or
    marked re-engaged) is reopened, because the newer list says they are missing again; the
    queue fields (rank, reasons, language, grade, flags) are updated; contacts, referrals and the
    worker stay. Importing the same file twice changes nothing.

    Raises
    ------
    InputError
        Missing columns, duplicate rows, students not on the roster, a school that differs from
        the roster's, a rank that is not a positive whole number: the file is rejected whole.
    """
    path = Path(path)
    renamed: dict[str, str] = {}
    header, rows = _read_csv(path, QUEUE_REQUIRED, QUEUE_ALIASES, renamed)
    # the rank column as the file spells it ("rank", "priority", ...), for messages
    rank_col = renamed.get("priority_rank", "priority_rank")
    _check_scientific_ids(path, rows, ("student_id", "school_id"))
    notes = _pad_school_ids(path, rows)
    problems: list[str] = []
    seen: set[str] = set()
    dups: list[int] = []
    bad_rank: list[int] = []
    bad_cds: list[int] = []
    empty_id: list[int] = []
    bad_grade: list[int] = []
    bad_codes: list[int] = []
    bad_flags: dict[str, list[int]] = defaultdict(list)
    records: dict[str, tuple[int, dict]] = {}
    for lineno, r in rows:
        sid = r["student_id"]
        if not sid:
            empty_id.append(lineno)
            continue
        if sid in seen:
            dups.append(lineno)
            continue
        seen.add(sid)
        raw = r["priority_rank"]
        # (a number of thousands of digits is out of range, never an int() of it)
        rank = (0 if not _DIGITS.match(raw) else INT_MAX + 1 if len(raw) > 18 else int(raw))
        if rank < 1:
            bad_rank.append(lineno)
            rank = 1  # reported above; keeps the range check from reporting the row again
        if not is_valid(r["school_id"], CDS_CODE):
            bad_cds.append(lineno)
        codes = (r.get("reason_codes") or "").strip()
        try:
            codes = format_codes(parse_codes(codes))  # one spelling, so re-imports compare equal
        except ValueError:
            bad_codes.append(lineno)
        records[sid] = (lineno, {
            "student_id": sid,
            "school_id": r["school_id"],
            "priority_rank": rank,
            "reasons": r["reasons"],
            "reason_codes": codes,
            "home_language": language_name(r.get("home_language")) or None,
            "grade": _grade(r.get("grade"), lineno, bad_grade),
            "flags": _flags(r, header, lineno, bad_flags),
        })
    if dups:
        problems.append(_n(len(dups), "duplicate student row", "duplicate student rows") + f" ({_rows_text(dups)})")
    if empty_id:
        problems.append(_n(len(empty_id), "empty student_id", "empty student_ids") + f" ({_rows_text(empty_id)})")
    if bad_rank:
        problems.append(
            _n(len(bad_rank), f"value of column '{rank_col}' that is not a whole number >= 1",
               f"values of column '{rank_col}' that are not whole numbers >= 1")
            + f" ({_rows_text(bad_rank)})"
        )
    if bad_cds:
        problems.append(
            _n(len(bad_cds), "school_id value that is not a 14-digit CDS code",
               "school_id values that are not 14-digit CDS codes")
            + f" ({_rows_text(bad_cds)})"
        )
    if bad_codes:
        problems.append(
            _n(len(bad_codes), "value of column 'reason_codes' that is not a list of reason codes",
               "values of column 'reason_codes' that are not lists of reason codes")
            + f" ({_rows_text(bad_codes)}; see docs/engagement.md)"
        )
    problems += _yn_problems(bad_flags)
    problems += _grade_problem(bad_grade)
    problems += column_problems(path, Case, records.values(), {"priority_rank": rank_col})
    sha = sha256_file(path)
    try:
        return _write_queue(engine, path, sha, records, problems, notes)
    except (SQLAlchemyError, OverflowError) as exc:
        raise _write_error(path, exc, [ln for ln, _ in records.values()]) from None


def _write_queue(engine: Engine, path: Path, sha: str, records: dict[str, tuple[int, dict]],
                 problems: list[str], notes: tuple[str, ...] = ()) -> ImportResult:
    with write_session(engine) as s:
        roster_rows = s.execute(select(Student.student_id, Student.school_id, Student.grade,
                                       Student.home_language)).all()
        roster = {r.student_id: r.school_id for r in roster_rows}
        # the engagement pipeline's queue has no home_language: take it (and a missing grade)
        # from the roster
        by_id = {r.student_id: r for r in roster_rows}
        for sid, (_, rec) in records.items():
            known = by_id.get(sid)
            if known is not None:
                rec["home_language"] = rec["home_language"] or known.home_language
                rec["grade"] = rec["grade"] or known.grade
        unknown = sorted(ln for sid, (ln, _) in records.items() if sid not in roster)
        wrong_school = sorted(
            ln for sid, (ln, rec) in records.items()
            if sid in roster and roster[sid] != rec["school_id"]
        )
        if unknown:
            problems.insert(0, _n(len(unknown), "unknown student", "unknown students")
                            + f", not on the roster ({_rows_text(unknown)}; import the roster first with "
                               "'equitable outreach roster')")
        if wrong_school:
            problems.append(_n(len(wrong_school), "student whose school_id differs",
                               "students whose school_id differs")
                            + f" from the roster's ({_rows_text(wrong_school)})")
        _reject(path, problems)
        if _already(s, "queue", sha):
            return ImportResult("queue", len(records), 0, 0, 0, already_imported=True,
                                notes=notes)
        batch = ImportBatch(kind="queue", file_name=path.name, sha256=sha, rows=len(records))
        s.add(batch)
        s.flush()
        existing = {
            row.student_id: row
            for row in s.execute(
                select(Case.id, Case.student_id, Case.school_id, Case.priority_rank,
                       Case.reasons, Case.reason_codes, Case.home_language, Case.grade,
                       Case.flags, Case.status)
            )
        }
        now = utcnow()
        new, changed, same = [], [], 0
        for sid, (_, rec) in records.items():
            old = existing.get(sid)
            if old is None:
                new.append({**rec, "status": "open", "last_batch_id": batch.id,
                            "opened_at": now, "updated_at": now})
                continue
            fields_changed = any(getattr(old, k) != v for k, v in rec.items())
            reopen = old.status in ("closed", "re_engaged")
            if fields_changed or reopen:
                upd = {"id": old.id, **rec, "last_batch_id": batch.id, "updated_at": now}
                if reopen:
                    upd.update(status="open", close_reason=None)
                changed.append(upd)
            else:
                same += 1
        for i in range(0, len(new), _CHUNK):
            s.execute(insert(Case), new[i : i + _CHUNK])
            s.flush()
        for i in range(0, len(changed), _CHUNK):
            s.execute(update(Case), changed[i : i + _CHUNK])
            s.flush()
        batch.opened, batch.updated, batch.unchanged = len(new), len(changed), same
    return ImportResult("queue", len(records), len(new), len(changed), same, notes=notes)


def import_schools(engine: Engine, path: str | Path, notes: list[str] | None = None) -> int:
    """Load school names and coordinates from CDE's "Public Schools and Districts" file.

    Parameters
    ----------
    path : CSV with ``CDSCode``, ``School`` and ``Latitude``/``Longitude`` (decimal degrees,
        WGS 84), as in CDE's pubschls file; rows without coordinates keep only their name. When
        the file has CDE's ``Street, City, State, Zip`` and ``Phone`` columns, the school's
        address and telephone number are kept too (printed on notices to families).

    Returns the number of schools written (new or updated). Used by ``outreach assign`` to keep
    workers near their schools. A CDS code that lost its leading zero (13 digits) is padded, by
    the one rule of :mod:`equitable.ids`; the note saying how many is appended to ``notes``.
    """
    path = Path(path)
    header, rows = _read_csv(path, ("cdscode", "school", "latitude", "longitude"))
    has_address = {"street", "city", "zip"} <= set(header)
    _check_scientific_ids(path, rows, ("cdscode",))
    padded = _pad_school_ids(path, rows, "cdscode")
    records, problems = {}, []
    for lineno, r in rows:
        cds = r["cdscode"]
        if not is_valid(cds, CDS_CODE):
            problems.append(f"{location(None, lineno, 'CDSCode')}: not a 14-digit CDS code")
            continue
        lat = lon = None
        if r["latitude"] and r["longitude"] and r["latitude"].upper() != "NO DATA":
            from equitable.checks import number_or_none

            lat, lon = number_or_none(r["latitude"]), number_or_none(r["longitude"])
            if lat is None or lon is None:
                problems.append(f"{location(None, lineno, 'Latitude')}: not a number")
                lat = lon = None
            else:
                # nan, inf and numbers off the globe (WGS 84 degrees) are not coordinates
                if not -90 <= lat <= 90:
                    problems.append(f"{location(None, lineno, 'Latitude')}: not a latitude "
                                    "between -90 and 90 degrees")
                if not -180 <= lon <= 180:
                    problems.append(f"{location(None, lineno, 'Longitude')}: not a longitude "
                                    "between -180 and 180 degrees")
        rec = {"school_id": cds, "name": r["school"] or None, "latitude": lat, "longitude": lon}
        if has_address:  # CDE's Street, City, State, Zip and Phone, for notices to families
            place = " ".join(x for x in (r.get("state", ""), r["zip"]) if x)
            rec["address"] = ", ".join(x for x in (r["street"], r["city"], place) if x) or None
        if "phone" in header:
            rec["phone"] = r["phone"] or None
        records[cds] = (lineno, rec)
    problems = problems[:10] + column_problems(path, School, records.values(),
                                               {"school_id": "CDSCode", "name": "School",
                                                "address": "Street", "phone": "Phone"})
    _reject(path, problems)
    try:
        _write_schools(engine, {k: v for k, (_, v) in records.items()})
    except (SQLAlchemyError, OverflowError) as exc:
        raise _write_error(path, exc, [ln for ln, _ in records.values()]) from None
    if notes is not None:
        notes.extend(padded)
    return len(records)


def _write_schools(engine: Engine, records: dict[str, dict]) -> None:
    with write_session(engine) as s:
        known = set(s.scalars(select(School.school_id)))
        new = [v for k, v in records.items() if k not in known]
        old = [v for k, v in records.items() if k in known]
        for i in range(0, len(new), _CHUNK):
            s.execute(insert(School), new[i : i + _CHUNK])
        if old:
            s.execute(update(School), old)
