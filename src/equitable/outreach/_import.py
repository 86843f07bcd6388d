"""Import the district roster and the engagement pipeline's outreach queue.

Both imports are all-or-nothing: the whole file is validated first and any problem rejects it
whole, with one message listing every problem (counts and row numbers, never a student id); the
rows are then written in ONE database transaction, so a process killed part-way leaves nothing of
the batch behind. Re-importing the same file (same SHA-256) changes nothing; importing a file with
the same content under another name records the batch but changes no case.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, select, update

from equitable.checks import is_scientific_id, scientific_id_message
from equitable.errors import InputError, location
from equitable.outreach._db import write_session
from equitable.outreach._models import Case, ImportBatch, School, Student, language_name, utcnow
from equitable.provenance import sha256_file

__all__ = [
    "QUEUE_REQUIRED",
    "ROSTER_REQUIRED",
    "ImportResult",
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
_CDS = re.compile(r"^\d{14}$")
_CHUNK = 2000
_MAX_ROWS_LISTED = 5


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


def _read_csv(path: Path, required: tuple[str, ...], aliases: dict[str, str] | None = None):
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a CSV file")
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{location(path, line)}: not UTF-8 text (byte {exc.start}); save the "
                         "file as CSV UTF-8") from None
    # newline="" keeps a line break inside a quoted field in its field (RFC 4180, section 2.6)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{path}: the file is empty (no header row)") from None
    if aliases:
        header = [aliases.get(h, h) if aliases.get(h, h) not in header else h for h in header]
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
    for values in reader:
        lineno = reader.line_num - values_lines(values) + 1
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise InputError(
                f"{location(path, lineno)}: {len(values)} fields, the header has {len(header)}; "
                "nothing was imported"
            )
        rows.append((lineno, {h: v.strip() for h, v in zip(header, values)}))
    return header, rows


def _pad_school_ids(path: Path, rows: list, column: str = "school_id") -> tuple[str, ...]:
    """A 13-digit CDS code that lost its leading zero (a spreadsheet read it as a number) is
    padded to 14 digits in place; the note says how many (equitable.checks.pad_note)."""
    from equitable.checks import pad_note

    n = 0
    for _, r in rows:
        v = r.get(column, "")
        if len(v) == 13 and v.isdigit():
            r[column] = "0" + v
            n += 1
    note = pad_note(path.name, column, n, 14, "CDS code")
    return (note,) if note else ()


def _check_scientific_ids(path: Path, rows: list, columns: tuple[str, ...]) -> None:
    """Ids saved by a spreadsheet in scientific notation (``1.23457E+09``) lost digits: one error
    naming the rows (never "duplicate student rows"); the values are not shown (student ids)."""
    problems = []
    for c in columns:
        lines = [ln for ln, r in rows if is_scientific_id(r.get(c, ""))]
        if lines:
            problems.append(scientific_id_message(str(path), c, lines, what="id"))
    _reject(path, problems)


def _yn(value: str, path: Path, lineno: int, column: str, problems: list[str]) -> bool | None:
    v = value.strip().upper()
    if v in ("", "NA"):
        return None
    if v in ("Y", "YES", "TRUE", "1"):
        return True
    if v in ("N", "NO", "FALSE", "0"):
        return False
    problems.append(f"{location(path, lineno, column)}: expected Y or N")
    return None


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
        if not _CDS.match(r["school_id"]):
            bad_cds.append(lineno)
        records[sid] = {
            "student_id": sid,
            "school_id": r["school_id"],
            "grade": r.get("grade") or None,
            "home_language": language_name(r.get("home_language")) or None,
            "english_learner": _yn(r.get("english_learner", ""), path, lineno, "english_learner",
                                   problems),
            "foster": _yn(r.get("foster", ""), path, lineno, "foster", problems),
            "homeless": _yn(r.get("homeless", ""), path, lineno, "homeless", problems),
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
    _reject(path, problems[:10])
    sha = sha256_file(path)
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


def _flags(r: dict, header: list[str]) -> str:
    out = []
    if r.get("flags"):
        out += [f.strip() for f in re.split(r"[;,|]", r["flags"]) if f.strip()]
    for col in QUEUE_FLAG_COLUMNS:
        if col in header and r.get(col, "").strip().upper() in ("Y", "YES", "TRUE", "1"):
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
        chronically_absent, missing`` (kept as the case's flags). Other columns are ignored.

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
    header, rows = _read_csv(path, QUEUE_REQUIRED, QUEUE_ALIASES)
    _check_scientific_ids(path, rows, ("student_id", "school_id"))
    notes = _pad_school_ids(path, rows)
    problems: list[str] = []
    seen: set[str] = set()
    dups: list[int] = []
    bad_rank: list[int] = []
    bad_cds: list[int] = []
    empty_id: list[int] = []
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
        try:
            rank = int(r["priority_rank"])
            if rank < 1:
                raise ValueError
        except ValueError:
            bad_rank.append(lineno)
            rank = 0
        if not _CDS.match(r["school_id"]):
            bad_cds.append(lineno)
        records[sid] = (lineno, {
            "student_id": sid,
            "school_id": r["school_id"],
            "priority_rank": rank,
            "reasons": r["reasons"],
            "home_language": language_name(r.get("home_language")) or None,
            "grade": r.get("grade") or None,
            "flags": _flags(r, header),
        })
    if dups:
        problems.append(_n(len(dups), "duplicate student row", "duplicate student rows") + f" ({_rows_text(dups)})")
    if empty_id:
        problems.append(_n(len(empty_id), "empty student_id", "empty student_ids") + f" ({_rows_text(empty_id)})")
    if bad_rank:
        problems.append(
            _n(len(bad_rank), "value of column 'priority_rank' that is not a whole number >= 1",
               "values of column 'priority_rank' that are not whole numbers >= 1")
            + f" ({_rows_text(bad_rank)})"
        )
    if bad_cds:
        problems.append(
            _n(len(bad_cds), "school_id value that is not a 14-digit CDS code",
               "school_id values that are not 14-digit CDS codes")
            + f" ({_rows_text(bad_cds)})"
        )
    sha = sha256_file(path)
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
                       Case.reasons, Case.home_language, Case.grade, Case.flags, Case.status)
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


def import_schools(engine: Engine, path: str | Path) -> int:
    """Load school names and coordinates from CDE's "Public Schools and Districts" file.

    Parameters
    ----------
    path : CSV with ``CDSCode``, ``School`` and ``Latitude``/``Longitude`` (decimal degrees,
        WGS 84), as in CDE's pubschls file; rows without coordinates keep only their name.

    Returns the number of schools written (new or updated). Used by ``outreach assign`` to keep
    workers near their schools.
    """
    path = Path(path)
    _, rows = _read_csv(path, ("cdscode", "school", "latitude", "longitude"))
    _check_scientific_ids(path, rows, ("cdscode",))
    records, problems = {}, []
    for lineno, r in rows:
        cds = r["cdscode"].zfill(14)
        if not _CDS.match(cds):
            problems.append(f"{location(path, lineno, 'CDSCode')}: not a 14-digit CDS code")
            continue
        lat = lon = None
        if r["latitude"] and r["longitude"] and r["latitude"].upper() != "NO DATA":
            from equitable.checks import number_or_none

            lat, lon = number_or_none(r["latitude"]), number_or_none(r["longitude"])
            if lat is None or lon is None:
                problems.append(f"{location(path, lineno, 'Latitude')}: not a number")
            elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
                # a coordinate off the globe is impossible (WGS 84 degrees)
                problems.append(f"{location(path, lineno, 'Latitude')}: {lat:g}, {lon:g} is "
                                "not a place on the globe (latitude -90..90, longitude "
                                "-180..180)")
        records[cds] = {"school_id": cds, "name": r["school"] or None, "latitude": lat,
                        "longitude": lon}
    _reject(path, problems[:10])
    with write_session(engine) as s:
        known = set(s.scalars(select(School.school_id)))
        new = [v for k, v in records.items() if k not in known]
        old = [v for k, v in records.items() if k in known]
        for i in range(0, len(new), _CHUNK):
            s.execute(insert(School), new[i : i + _CHUNK])
        if old:
            s.execute(update(School), old)
    return len(records)
