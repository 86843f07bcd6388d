"""Readers for survey platform exports -> a long response table plus a respondent table.

Supported exports (CSV, UTF-8 with or without BOM):

* **Qualtrics** "Data & Analysis > Export > CSV": three header rows (export tag, question text,
  ``{"ImportId": ...}``); multiple-answer questions arrive as one cell with the chosen answers
  joined by commas; ``ResponseId`` identifies the respondent and ``UserLanguage`` the language.
  Survey previews, tests and spam (column ``Status``) are left out and counted in ``notes``;
  ``Finished`` and ``Progress`` are kept per respondent, the question text and ImportId of every
  column in :attr:`SurveyData.columns`.
* **Google Forms** "Download responses (.csv)": one header row (``Timestamp`` then the question
  texts); checkbox answers are joined with ``", "`` in one cell. There is no respondent id: the
  respondent id is ``gf-<file stem>-<line>``. The free text of a checkbox question's "Other:"
  choice follows the chosen labels in the same cell; it is kept whole in the item's ``other``
  text item (see :class:`~equitable.voice._instrument.Item`).
* **SurveyMonkey** "Export > All individual responses > CSV": two header rows (question text,
  then ``Response`` / ``Open-Ended Response`` / an option label / a matrix statement); a
  multiple-answer question has one column per option holding the label when chosen.
* **KoboToolbox / ODK** CSV: one header row of XML paths with group prefixes (``grp_x/q1``;
  ``-`` with ODK Central), ``;`` or ``,`` separated; select_multiple answers are the option codes
  separated by spaces (the extra 0/1 columns ``grp_x/q5/opt`` that Kobo adds are checked
  against them).

Every reader returns a :class:`SurveyData`; every problem is an :class:`~equitable.errors.InputError`
naming the file, the row (the line on which the record starts) and the column. Nothing is lost
silently: every item and attribute of the instrument needs a column (unless ``not_asked``), two
columns for one question (KoboToolbox group paths that strip to the same name) and a data row
whose field count differs from the header's are errors.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.pandas as pa

from equitable.errors import InputError, location
from equitable.voice._instrument import Attribute, Instrument, normalize_label
from equitable.voice._scrub import scrub_text

__all__ = ["PLATFORMS", "SurveyData", "detect_platform", "read_export"]

Platform = Literal["qualtrics", "google", "surveymonkey", "kobo"]
PLATFORMS: tuple[str, ...] = ("qualtrics", "google", "surveymonkey", "kobo")

_QUALTRICS_META = {
    "startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)",
    "finished", "recordeddate", "responseid", "recipientlastname", "recipientfirstname",
    "recipientemail", "externalreference", "externaldatareference", "locationlatitude",
    "locationlongitude", "distributionchannel", "userlanguage", "q_recaptchascore",
    "q_relevantidduplicate", "q_relevantidduplicatescore", "q_relevantidfraudscore",
    "q_relevantidlaststartdate",
}
# Qualtrics' Status: "Survey Preview" (1), "Survey Test" (2), "Spam" (8), preview spam (9),
# imported spam (12), offline preview (17) are not responses of the population surveyed
_QUALTRICS_EXCLUDED = {"survey preview", "survey test", "spam", "1", "2", "8", "9", "12", "17"}
_GOOGLE_META = {"timestamp", "email address", "score", "marca temporal",
                "dirección de correo electrónico", "puntuación"}
_SM_META = {"respondent id", "collector id", "start date", "end date", "ip address",
            "email address", "first name", "last name", "custom data 1", "custom data"}
_KOBO_META = {
    "start", "end", "today", "deviceid", "username", "simserial", "subscriberid", "phonenumber",
    "audit", "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
    "_submitted_by", "__version__", "_version_", "_tags", "_index", "instanceid", "rootuuid",
    "formhub/uuid", "meta/instanceid", "meta/rootuuid", "meta/deprecatedid", "key",
    "submissiondate", "submitterid", "submittername", "attachmentspresent",
    "attachmentsexpected", "reviewstate", "edits", "formversion", "_attachments", "_geolocation",
    "_parent_index", "_parent_table_name", "_submission__id", "_submission__uuid",
}
_MAX_REPORTED = 20
#: columns of :attr:`SurveyData.columns`, the map of every export column to what it became
COLUMN_MAP = ["export", "column_number", "column", "question_text", "import_id", "import_json",
              "use", "target", "option"]


def _empty_columns() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=int if c == "column_number" else str)
                         for c in COLUMN_MAP})


@dataclass
class SurveyData:
    """Responses of one export, validated against an instrument.

    Attributes
    ----------
    responses : DataFrame, one row per (respondent, item, answer): ``respondent_id`` (str),
        ``item`` (str, an item id of the instrument), ``response`` (str: an answer code of the
        item's scale, or the scrubbed text of an open-ended answer). Multiple-answer items have
        one row per chosen option; unanswered items have no row.
    respondents : DataFrame, one row per respondent: ``respondent_id``, ``language`` (``en``,
        ``es``... or empty), ``platform``, ``source_row`` (line in the export), ``finished``
        (``true``/``false``, Qualtrics' Finished; empty when the platform does not record it),
        ``progress`` (Qualtrics' Progress, percent 0-100; empty otherwise) and one column per
        instrument attribute (answer codes, or text).
    columns : DataFrame, one row per column of each export (:data:`COLUMN_MAP`): ``export``
        (file name), ``column_number`` (1-based), ``column`` (export tag / header),
        ``question_text`` (Qualtrics' second header row; SurveyMonkey's question), ``import_id``
        and ``import_json`` (Qualtrics' third header row), ``use`` (``item``, ``attribute``,
        ``option``, ``metadata``, ``ignored``), ``target`` (item or attribute id) and
        ``option`` (answer code of a one-column-per-option column).
    """

    responses: pd.DataFrame
    respondents: pd.DataFrame
    instrument_id: str
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: pd.DataFrame = field(default_factory=_empty_columns)

    def concat(self, other: SurveyData) -> SurveyData:
        """Stack two exports of the same instrument (e.g. the English and the Spanish form)."""
        if other.instrument_id != self.instrument_id:
            raise InputError(
                f"cannot combine exports of instruments '{self.instrument_id}' and "
                f"'{other.instrument_id}'"
            )
        dup = set(self.respondents["respondent_id"]) & set(other.respondents["respondent_id"])
        if dup:
            raise InputError(
                f"{other.sources[0] if other.sources else 'export'}: {len(dup)} respondent ids "
                "also appear in an earlier export (duplicate respondents)"
            )
        return SurveyData(
            pd.concat([self.responses, other.responses], ignore_index=True),
            pd.concat([self.respondents, other.respondents], ignore_index=True),
            self.instrument_id,
            self.sources + other.sources,
            self.notes + other.notes,
            pd.concat([self.columns, other.columns], ignore_index=True),
        )


# ----------------------------------------------------------------------------------------------
# Low-level CSV with line numbers


def read_csv_strings(path: str | Path) -> pd.DataFrame:
    """A small CSV (margins, coded excerpts, a survey folder's tables) with every cell as text.

    Raises
    ------
    InputError
        The file is missing, a folder, empty, not UTF-8 (naming the line) or not well-formed
        CSV (naming the line): one line, never a traceback.
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a folder, not a file")
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: file not found") from None
    if not raw.strip():
        raise InputError(f"{p}: the file is empty")
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{p}, row {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save "
                         "it as UTF-8 CSV") from None
    # a row with more fields than the header, or a last row cut short (equitable.checks)
    from equitable.checks import check_field_counts

    check_field_counts(p, ",")
    try:
        return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False,
                           encoding="utf-8-sig")
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = location(p, int(m.group(1)) if m else None)
        first = str(exc).strip().splitlines()[-1]
        raise InputError(f"{where}: not a well-formed CSV file ({first})") from None


def _read_records(path: Path, delimiter: str | None = None) -> list[tuple[int, list[str]]]:
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{path}, row {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); export the CSV "
            "as UTF-8"
        ) from None
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    if delimiter is None:
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for rec in reader:
            out.append((start, rec))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{location(path, start)}: malformed CSV ({exc})") from None
    kept = [(ln, r) for ln, r in out if any(c.strip() for c in r)]
    # the shared rule (equitable.checks.check_field_counts): a row with more fields than the
    # header, or one cut short, is an error, never shifted or padded with blanks
    if kept:
        width = len(kept[0][1])
        for ln, r in kept[1:]:
            if len(r) > width:
                raise InputError(f"{location(path, ln)}: {len(r)} fields, the header has "
                                 f"{width} (a value with an unquoted separator, or a row shifted "
                                 "right); fix the row and read the file again")
            if len(r) < width:
                last = ln == kept[-1][0]
                what = ("the file looks cut short (an interrupted download or copy): its last "
                        "row" if last else "a row cut short or broken:")
                raise InputError(f"{location(path, ln)}: {what} has {len(r)} fields, the header "
                                 f"has {width}; export the whole file again")
    return kept


def detect_platform(path: str | Path) -> str:
    """Guess the platform of an export from its header rows.

    Raises
    ------
    InputError
        When the header matches no supported platform.
    """
    p = Path(path)
    recs = _read_records(p)
    header = [normalize_label(c) for c in recs[0][1]]
    if len(recs) >= 3 and any(c.strip().startswith('{"ImportId"') for c in recs[2][1]):
        return "qualtrics"
    if "responseid" in header and "userlanguage" in header:
        return "qualtrics"
    if header and header[0] == "respondent id":
        return "surveymonkey"
    if header and header[0] in ("timestamp", "marca temporal"):
        return "google"
    if {"_uuid", "_id", "meta/instanceid", "_submission_time", "key"} & set(header):
        return "kobo"
    raise InputError(
        f"{location(p, 1)}: cannot tell which platform exported this file; pass the platform "
        f"({', '.join(PLATFORMS)})"
    )


# ----------------------------------------------------------------------------------------------
# Column plans: what each column of an export holds


@dataclass
class _Col:
    index: int
    header: str  # the name shown in error messages
    target: str  # item/attribute id
    option: str | None = None  # one-column-per-option (SurveyMonkey) or Kobo 0/1 indicator
    indicator: bool = False  # Kobo 0/1 column


class _Collector:
    def __init__(self, path: Path):
        self.path = path
        self.errors: list[str] = []
        self.columns: list[dict[str, object]] = []

    def column(self, index: int, name: str, use: str, target: str | None = None,
               option: str | None = None, question: str = "", import_json: dict | None = None,
               ) -> None:
        """Note what column ``index`` of the export became (for :attr:`SurveyData.columns`)."""
        imp = import_json or {}
        self.columns.append({
            "export": self.path.name, "column_number": index + 1, "column": name,
            "question_text": question, "import_id": str(imp.get("ImportId", "")),
            "import_json": json.dumps(imp, sort_keys=True, ensure_ascii=False) if imp else "",
            "use": use, "target": target or "", "option": option or "",
        })

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.columns, columns=COLUMN_MAP) if self.columns else \
            _empty_columns()

    def add(self, row: int | None, column: str | None, msg: str) -> None:
        self.errors.append(f"{location(self.path, row, column)}: {msg}")

    def raise_if_any(self) -> None:
        if self.errors:
            first = self.errors[0]
            n = len(self.errors)
            more = f" (and {n - 1} more problem{'s' if n > 2 else ''})" if n > 1 else ""
            raise InputError(first + more)


def _resolve(inst: Instrument, *keys: str) -> str | None:
    lookup = inst.column_lookup()
    for k in keys:
        if k is None:
            continue
        hit = lookup.get(normalize_label(k))
        if hit is not None:
            return hit
    return None


def _ignored(inst: Instrument, name: str) -> bool:
    return normalize_label(name) in {normalize_label(c) for c in inst.instrument.ignore_columns}


def _unknown(col: _Collector, inst: Instrument, name: str, row: int = 1) -> None:
    col.add(
        row, name,
        f"not an item of instrument '{inst.id}' (add it to the instrument's items, aliases or "
        "ignore_columns)",
    )


# ----------------------------------------------------------------------------------------------
# Answer parsing


def _split_labels(cell: str, lookup: dict[str, str]
                  ) -> tuple[list[str], list[str], list[str], str]:
    """Split a joined multiple answer on the known labels, longest first.

    Returns the codes found, the unknown pieces (normalized), the codes found before the first
    unknown piece, and the text from the first unknown piece to the end (as typed, NFKC and
    single spaces: Google Forms' "Other:" answer, which may itself hold commas).
    """
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", cell)).strip()
    keys = sorted(lookup, key=len, reverse=True)
    found: list[str] = []
    bad: list[str] = []
    before: list[str] | None = None
    rest = ""
    pos = 0
    n = len(text)
    while pos < n:
        while pos < n and text[pos] in ", ;":
            pos += 1
        if pos >= n:
            break
        for k in keys:
            end = pos + len(k)
            if text[pos:end].casefold() == k and (end == n or text[end] in ",;"):
                found.append(lookup[k])
                pos = end
                break
        else:
            nxt = text.find(",", pos)
            nxt = n if nxt < 0 else nxt
            if before is None:
                before, rest = list(found), text[pos:]
            bad.append(text[pos:nxt].strip().casefold())
            pos = nxt
    return found, bad, (found if before is None else before), rest


def _parse_finished(cell: str) -> str | None:
    v = cell.strip().casefold()
    return {"true": "true", "1": "true", "false": "false", "0": "false"}.get(v)


def _parse_progress(cell: str) -> str | None:
    try:
        v = float(cell.strip())
    except ValueError:
        return None
    if not (0 <= v <= 100) or v != int(v):
        return None
    return str(int(v))


def _check_columns(col: _Collector, inst: Instrument, cols: list[_Col],
                   not_asked: Sequence[str], other_in_cell: bool) -> list[str]:
    """Every question of the instrument has a column, and no two columns hold the same one.

    A question without a column would lose its answers silently, so it is an error unless the
    caller says the export does not ask it (``not_asked``); two columns for one question (or one
    option) would merge two answers, so they are an error. Returns notes for ``not_asked``.
    """
    first: dict[tuple[str, str | None, bool], _Col] = {}
    for c in cols:
        key = (c.target, c.option, c.indicator)
        if key in first:
            what = f"option '{c.option}' of item '{c.target}'" if c.option else \
                f"'{c.target}'"
            col.add(1, c.header, f"holds the same question ({what}) as column "
                    f"'{first[key].header}'; two columns would merge two answers (put one in "
                    "the instrument's ignore_columns, or give it its own item)")
        else:
            first[key] = c
    present = {c.target for c in cols}
    if other_in_cell:  # Google Forms: the "Other:" text is in the question's own cell
        present |= {it.other for it in inst.items if it.other and it.id in present}
    unasked = set(not_asked)
    missing = [q.id for q in inst.questions()
               if q.id not in present and q.id not in unasked]
    for q in missing:
        kind = "item" if q in inst.item_map else "attribute"
        col.add(1, None, f"no column for {kind} '{q}' of instrument '{inst.id}' (its answers "
                "would be lost: export the question, add its column name to the "
                f"{kind}'s aliases, or pass --not-asked {q} if this export does not ask it)")
    gone = [q.id for q in inst.questions()
            if q.id not in present and q.id in unasked]
    if gone:
        return [f"{col.path.name}: no column for {', '.join(gone)} (not asked: --not-asked)"]
    return []


# ----------------------------------------------------------------------------------------------
# The shared core: header plan + data rows -> SurveyData


def _build(
    inst: Instrument,
    path: Path,
    platform: str,
    cols: list[_Col],
    rows: list[tuple[int, list[str]]],
    id_index: int | None,
    id_header: str,
    language_index: int | None,
    language: str | None,
    multi_sep: Literal["comma", "space"],
    scrub: bool,
    names: Sequence[str] = (),
    *,
    plan: _Collector | None = None,
    width: int | None = None,
    not_asked: Sequence[str] = (),
    other_in_cell: bool = False,
    finished_index: int | None = None,
    progress_index: int | None = None,
) -> SurveyData:
    col = _Collector(path)
    for q in not_asked:
        if q not in inst.item_map and q not in inst.attribute_map:
            raise InputError(f"--not-asked '{q}' is not an item or attribute of instrument "
                             f"'{inst.id}'")
    notes = _check_columns(col, inst, cols, not_asked, other_in_cell)
    col.raise_if_any()
    lookups = {s: inst.answer_lookup(s) for s in inst.scales}
    resp_rows: list[tuple[str, str, str]] = []
    people: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    last = max([c.index for c in cols] + [i for i in (id_index, language_index, finished_index,
                                                       progress_index) if i is not None],
               default=0)
    by_target: dict[str, list[_Col]] = {}
    for c in cols:
        by_target.setdefault(c.target, []).append(c)
    unfinished = 0
    for line, rec in rows:
        if width is not None and len(rec) != width:
            col.add(line, None, f"{len(rec)} fields but the header has {width} (the file was "
                    "cut short or edited)")
            continue
        if len(rec) <= last:
            rec = rec + [""] * (last + 1 - len(rec))
        if id_index is None:
            rid = f"gf-{path.stem}-{line:06d}"
        else:
            rid = rec[id_index].strip()
            if not rid:
                col.add(line, id_header, "empty respondent id")
                continue
        if rid in seen:
            col.add(line, id_header, f"duplicate respondent (same id as row {seen[rid]})")
            continue
        seen[rid] = line
        lang = language or ""
        if language_index is not None and rec[language_index].strip():
            lang = rec[language_index].strip().lower().replace("_", "-").split("-")[0]
        person: dict[str, object] = {
            "respondent_id": rid, "language": lang, "platform": platform, "source_row": line,
            "finished": "", "progress": "",
        }
        if finished_index is not None:
            fin = _parse_finished(rec[finished_index])
            if fin is None:
                col.add(line, "Finished", f"'{rec[finished_index].strip()}' is not True or False")
            else:
                person["finished"] = fin
                unfinished += fin == "false"
        if progress_index is not None:
            prog = _parse_progress(rec[progress_index])
            if prog is None:
                col.add(line, "Progress", f"'{rec[progress_index].strip()}' is not a whole "
                        "percent from 0 to 100")
            else:
                person["progress"] = prog
        row_items: dict[str, list[str]] = {}
        for target, tcols in by_target.items():
            spec = inst.item_map.get(target) or inst.attribute_map[target]
            kind = "attribute" if isinstance(spec, Attribute) else spec.type  # ids are unique
            lookup = lookups.get(spec.scale) if spec.scale else None
            other_item = getattr(spec, "other", None) if other_in_cell else None
            other_text: str | None = None
            values: list[str] = []
            main = [c for c in tcols if c.option is None and not c.indicator]
            for c in main:
                cell = rec[c.index].strip()
                if not cell:
                    continue
                allowed = f"(allowed: {', '.join(inst.scales[spec.scale].options)})" \
                    if spec.scale else ""
                if kind == "text" or (kind == "attribute" and lookup is None):
                    values.append(scrub_text(cell, names) if (scrub and kind == "text") else cell)
                elif kind == "multiple":
                    assert lookup is not None, "a multiple item has a scale (Item._check)"
                    if multi_sep == "space":
                        parts = cell.split()
                        got = [lookup.get(normalize_label(p)) for p in parts]
                        bad = [p for p, g in zip(parts, got) if g is None]
                        found = [g for g in got if g is not None]
                    else:
                        found, bad, before, rest = _split_labels(cell, lookup)
                        if bad and other_item is not None:
                            # Google Forms puts the "Other:" text after the chosen labels, as
                            # typed (it may hold commas): keep it whole
                            found, bad, other_text = before, [], rest
                    for b in bad:
                        col.add(line, c.header, f"'{b}' is not an option of scale "
                                f"'{spec.scale}' {allowed}")
                    values.extend(found)
                else:
                    # a single item has a scale; an attribute without one was kept as text above
                    assert lookup is not None
                    code = lookup.get(normalize_label(cell))
                    if code is None and other_item is not None:
                        other_text = cell
                    elif code is None:
                        col.add(line, c.header, f"'{cell}' is not an answer of scale "
                                f"'{spec.scale}' {allowed}")
                    else:
                        values.append(code)
            if other_text is not None and other_item is not None:  # other_text needs other_item
                row_items.setdefault(other_item, []).append(
                    scrub_text(other_text, names) if scrub else other_text)
            for c in tcols:
                if c.option is None:
                    continue
                cell = rec[c.index].strip()
                if c.indicator:
                    if cell not in ("", "0", "1", "0.0", "1.0", "True", "False"):
                        col.add(line, c.header, f"'{cell}' is not 0 or 1")
                    continue
                if not cell:
                    continue
                assert lookup is not None, "option columns are only made for items with a scale"
                if lookup.get(normalize_label(cell)) != c.option and cell not in ("1", "x", "X"):
                    col.add(line, c.header, f"'{cell}' does not match the column's option")
                    continue
                values.append(c.option)
            if not main and not any(c.option and not c.indicator for c in tcols):
                # only Kobo indicators: take the chosen options from them
                values = [c.option for c in tcols  # indicator columns: each has its option
                          if c.option is not None and rec[c.index].strip() in ("1", "1.0", "True")]
            if main and any(c.indicator for c in tcols):
                ind = sorted(c.option for c in tcols
                             if c.indicator and c.option is not None
                             and rec[c.index].strip() in ("1", "1.0", "True"))
                if rec[main[0].index].strip() and sorted(values) != ind:
                    col.add(line, main[0].header,
                            "the chosen options disagree with the 0/1 option columns")
            if kind == "attribute":
                person[target] = values[0] if values else ""
                if len(values) > 1:
                    col.add(line, tcols[0].header, "an attribute takes one answer")
            else:
                row_items.setdefault(target, []).extend(values)
        for target, values in row_items.items():
            item = inst.item_map[target]
            other = item.other
            if (other and row_items.get(other) and "other" not in values and item.scale is not None
                    and "other" in inst.scales[item.scale].options):
                values.append("other")  # "Other" text given: the Other choice was chosen
            for v in dict.fromkeys(values):
                resp_rows.append((rid, target, v))
        people.append(person)
    if not people and not col.errors:
        col.add(None, None, "no responses below the header rows")
    col.raise_if_any()
    if unfinished:
        notes.append(f"{path.name}: {unfinished} of {len(people)} responses did not finish the "
                     "survey (Finished = False); kept, with their progress, in respondents.csv")
    responses = pd.DataFrame(resp_rows, columns=["respondent_id", "item", "response"])
    respondents = pd.DataFrame(people)
    for a in inst.attributes:
        if a.id not in respondents.columns:
            respondents[a.id] = ""
    respondents = respondents[
        ["respondent_id", "language", "platform", "source_row", "finished", "progress",
         *[a.id for a in inst.attributes]]
    ]
    data = SurveyData(responses, respondents, inst.id, [path.name], notes,
                      plan.frame() if plan is not None else _empty_columns())
    validate(data, inst, path)
    return data


def validate(data: SurveyData, inst: Instrument, path: str | Path | None = None) -> None:
    """Check the two tables with pandera schemas (all failures reported at once).

    Raises
    ------
    InputError
        Naming the file, the table and the first failing check, with the number of failures.
    """
    items = list(inst.item_map)
    long_schema = pa.DataFrameSchema(
        {
            "respondent_id": pa.Column(str, nullable=False),
            "item": pa.Column(str, pa.Check.isin(items)),
            "response": pa.Column(str, pa.Check.str_length(min_value=1)),
        },
        unique=["respondent_id", "item", "response"],
        strict=True,
    )
    resp_schema = pa.DataFrameSchema(
        {
            "respondent_id": pa.Column(str, unique=True, nullable=False),
            "language": pa.Column(str),
            "platform": pa.Column(str),
            "source_row": pa.Column(int, pa.Check.ge(1)),
            # Qualtrics' Finished and Progress (empty for platforms that do not record them)
            "finished": pa.Column(str, pa.Check.isin(["", "true", "false"]), required=False),
            "progress": pa.Column(str, pa.Check.str_matches(r"^(|\d{1,2}|100)$"),
                                  required=False),
        },
        strict=False,
    )
    for name, schema, df in (("responses", long_schema, data.responses),
                             ("respondents", resp_schema, data.respondents)):
        try:
            schema.validate(df, lazy=True)
        except pa.errors.SchemaErrors as exc:
            fc = exc.failure_cases
            first = fc.iloc[0]
            raise InputError(
                f"{path or 'survey data'}: {name} table fails check '{first['check']}' in column "
                f"'{first['column']}' ({len(fc)} failing value(s))"
            ) from None
    unknown = set(data.responses["respondent_id"]) - set(data.respondents["respondent_id"])
    if unknown:
        raise InputError(f"{path or 'survey data'}: {len(unknown)} response rows name a respondent "
                         "missing from the respondent table")


# ----------------------------------------------------------------------------------------------
# Platforms


def _import_ids(path: Path, tags: list[str], row3: list[str]) -> list[dict]:
    """Qualtrics' third header row: one ``{"ImportId": ...}`` JSON object per column."""
    col = _Collector(path)
    out: list[dict] = []
    for i, tag in enumerate(tags):
        cell = row3[i].strip() if i < len(row3) else ""
        try:
            obj = json.loads(cell)
        except ValueError:
            obj = None
        if not isinstance(obj, dict) or not isinstance(obj.get("ImportId"), str):
            col.add(3, tag, "no {\"ImportId\": ...} cell for this column (header rows edited or "
                    "the file was re-saved)")
            obj = {}
        out.append(obj)
    if len(row3) > len(tags):
        col.add(3, None, f"{len(row3)} ImportId cells for {len(tags)} columns")
    col.raise_if_any()
    return out


def _read_qualtrics(inst, path, recs, language, scrub, names=(), not_asked=()):
    col = _Collector(path)
    if len(recs) < 3 or not any(c.strip().startswith('{"ImportId"') for c in recs[2][1]):
        raise InputError(
            f"{location(path, 3)}: expected Qualtrics' three header rows (export tags, question "
            "text, ImportId); row 3 holds no {\"ImportId\": ...} cells (header rows missing or "
            "the file was re-saved)"
        )
    tags, texts = recs[0][1], recs[1][1]
    texts = texts + [""] * (len(tags) - len(texts))
    imports = _import_ids(path, tags, recs[2][1])
    cols: list[_Col] = []
    id_index = lang_index = fin_index = prog_index = None
    for i, tag in enumerate(tags):
        n = normalize_label(tag)
        if n == "responseid":
            id_index = i
        if n == "userlanguage":
            lang_index = i
        if n == "finished":
            fin_index = i
        if n == "progress":
            prog_index = i
        target = _resolve(inst, tag, texts[i])
        use = None
        if target is not None:
            cols.append(_Col(i, tag, target))
            use = "attribute" if target in inst.attribute_map else "item"
        elif n in _QUALTRICS_META:
            use = "metadata"
        elif _ignored(inst, tag):
            use = "ignored"
        else:
            _unknown(col, inst, tag)
        if use is not None:
            col.column(i, tag, use, target, question=texts[i], import_json=imports[i])
    if id_index is None:
        col.add(1, "ResponseId", "missing: Qualtrics exports identify respondents by ResponseId")
    col.raise_if_any()
    rows = recs[3:]
    notes: list[str] = []
    status = [i for i, t in enumerate(tags) if normalize_label(t) == "status"]
    if status:
        k = status[0]
        keep = [(ln, r) for ln, r in rows
                if not (len(r) > k and normalize_label(r[k]) in _QUALTRICS_EXCLUDED)]
        if len(keep) < len(rows):
            notes.append(f"{path.name}: left out {len(rows) - len(keep)} survey preview, test "
                         "or spam responses (column Status)")
        rows = keep
    data = _build(inst, path, "qualtrics", cols, rows, id_index, "ResponseId", lang_index,
                  language, "comma", scrub, names, plan=col, width=len(tags),
                  not_asked=not_asked, finished_index=fin_index, progress_index=prog_index)
    data.notes[:0] = notes
    return data


def _read_google(inst, path, recs, language, scrub, names=(), not_asked=()):
    col = _Collector(path)
    header = recs[0][1]
    if normalize_label(header[0]) not in ("timestamp", "marca temporal"):
        col.add(1, header[0], "expected Google Forms' 'Timestamp' as the first column")
    cols: list[_Col] = []
    for i, h in enumerate(header):
        target = _resolve(inst, h)
        if target is not None:
            cols.append(_Col(i, h, target))
            col.column(i, h, "attribute" if target in inst.attribute_map else "item", target,
                       question=h)
        elif normalize_label(h) in _GOOGLE_META:
            col.column(i, h, "metadata")
        elif _ignored(inst, h):
            col.column(i, h, "ignored")
        else:
            _unknown(col, inst, h)
    col.raise_if_any()
    return _build(inst, path, "google", cols, recs[1:], None, "Timestamp", None, language,
                  "comma", scrub, names, plan=col, width=len(header), not_asked=not_asked,
                  other_in_cell=True)


def _read_surveymonkey(inst, path, recs, language, scrub, names=(), not_asked=()):
    col = _Collector(path)
    q, sub = recs[0][1], (recs[1][1] if len(recs) > 1 else [])
    sub = sub + [""] * (len(q) - len(sub))
    if not q or normalize_label(q[0]) != "respondent id":
        col.add(1, q[0] if q else None, "expected SurveyMonkey's 'Respondent ID' as the first column")
        col.raise_if_any()
    markers = {"response", "open-ended response", "respuesta", "respuesta abierta"}
    if sub[0].strip() or not any(normalize_label(s) in markers or s.strip() for s in sub[1:]):
        raise InputError(
            f"{location(path, 2)}: expected SurveyMonkey's two header rows (question, then "
            "'Response' or option labels); row 2 holds answers (the second header row is missing)"
        )
    cols: list[_Col] = []
    current = ""
    for i, h in enumerate(q):
        if h.strip():
            current = h
        s = sub[i].strip()
        name = f"{current} / {s}" if s and h.strip() == "" else (current or f"column {i + 1}")
        if normalize_label(h) in _SM_META:
            col.column(i, name, "metadata", question=current)
            continue
        if h.strip() and _ignored(inst, h):
            col.column(i, name, "ignored", question=current)
            continue
        parent = _resolve(inst, current)
        if normalize_label(s) in markers or (not s and parent):
            if parent is None:
                _unknown(col, inst, current)
            else:
                cols.append(_Col(i, current, parent))
                col.column(i, name, "attribute" if parent in inst.attribute_map else "item",
                           parent, question=current)
            continue
        spec = inst.item_map.get(parent) if parent else None
        if spec is not None and spec.other and normalize_label(s).startswith(
                ("other (please specify)", "otro (especifique)")):
            # the free text of the "Other" choice goes to the item's declared text item
            cols.append(_Col(i, name, spec.other))
            col.column(i, name, "item", spec.other, question=current)
            continue
        if spec is not None and spec.type == "multiple":
            code = inst.answer_lookup(spec.scale).get(normalize_label(s))
            if code is None:
                col.add(2, name, f"'{s}' is not an option of scale '{spec.scale}'")
            else:
                cols.append(_Col(i, name, spec.id, option=code))
                col.column(i, name, "option", parent, option=code, question=current)
            continue
        stmt = _resolve(inst, f"{current} - {s}", s)
        if stmt is not None:
            cols.append(_Col(i, name, stmt))
            col.column(i, name, "attribute" if stmt in inst.attribute_map else "item", stmt,
                       question=current)
        elif _ignored(inst, s) or _ignored(inst, name):
            col.column(i, name, "ignored", question=current)
            continue
        elif normalize_label(s).startswith(("other (please specify)", "otro (especifique)")):
            col.add(2, name, "an 'Other (please specify)' column: add it to ignore_columns "
                    "or declare it as a text item")
        else:
            _unknown(col, inst, name, row=1 if parent is None else 2)
    # a multiple-answer question has one column per option: a missing one loses its answers
    for target in dict.fromkeys(c.target for c in cols if c.option is not None):
        spec = inst.item_map[target]
        have = {c.option for c in cols if c.target == target and c.option is not None}
        if spec.other and any(c.target == spec.other for c in cols):
            have.add("other")  # chosen by typing in the "Other (please specify)" column
        lost = [o for o in inst.scales[spec.scale].options if o not in have]
        if lost:
            head = next(c.header for c in cols if c.target == target)
            col.add(2, head, f"no column for option(s) {', '.join(lost)} of item '{target}' "
                    "(their answers would be lost; export every option)")
    col.raise_if_any()
    id_index = 0
    return _build(inst, path, "surveymonkey", cols, recs[2:], id_index, "Respondent ID", None,
                  language, "comma", scrub, names, plan=col, width=len(q), not_asked=not_asked)


def _read_kobo(inst, path, recs, language, scrub, names=(), not_asked=()):
    col = _Collector(path)
    header = recs[0][1]
    cols: list[_Col] = []
    id_index = None
    def _meta_name(h: str) -> str:  # ODK Central writes meta-instanceID for meta/instanceID
        n = normalize_label(h)
        return n.replace("-", "/") if n.startswith("meta-") else n

    for pref in ("_uuid", "meta/instanceid", "instanceid", "key", "_id"):
        for i, h in enumerate(header):
            if _meta_name(h) == pref:
                id_index = i
                break
        if id_index is not None:
            break
    lang_index = None
    # a question name (the path's last part) seen under one group path: another group path
    # ending in the same name is a different question, not more answers to merge
    by_name: dict[tuple[str, str | None], str] = {}
    for i, h in enumerate(header):
        n = _meta_name(h)
        if n in _KOBO_META:
            col.column(i, h, "metadata")
            continue
        if _ignored(inst, h):
            col.column(i, h, "ignored")
            continue
        parts = re.split(r"[/]", h) if "/" in h else h.split("-")
        target = _resolve(inst, h, parts[-1])
        found: _Col | None = None
        if target is not None:
            found = _Col(i, h, target)
        elif len(parts) >= 2:
            parent = _resolve(inst, parts[-2])
            spec = inst.item_map.get(parent) if parent else None
            if spec is not None and spec.type == "multiple":
                code = inst.answer_lookup(spec.scale).get(normalize_label(parts[-1]))
                if code is not None:
                    found = _Col(i, h, spec.id, option=code, indicator=True)
        if found is not None:
            key = (found.target, found.option)
            if key in by_name:
                col.add(1, h, f"group path differs from column '{by_name[key]}' but both strip "
                        f"to question '{found.target}'"
                        + (f" option '{found.option}'" if found.option else "")
                        + " (two questions, not one: give one its own item with the full "
                        "path as alias, or put it in ignore_columns)")
                continue
            by_name[key] = h
            cols.append(found)
            use = "option" if found.option else (
                "attribute" if found.target in inst.attribute_map else "item")
            col.column(i, h, use, found.target, option=found.option)
            continue
        if n.split("/")[-1] in _KOBO_META:
            col.column(i, h, "metadata")
            continue
        _unknown(col, inst, h)
    if id_index is None:
        col.add(1, "_uuid", "missing: Kobo/ODK exports identify submissions by _uuid, "
                "meta/instanceID or KEY")
    col.raise_if_any()
    return _build(inst, path, "kobo", cols, recs[1:], id_index, header[id_index], lang_index,
                  language, "space", scrub, names, plan=col, width=len(header),
                  not_asked=not_asked)


_READERS = {
    "qualtrics": _read_qualtrics,
    "google": _read_google,
    "surveymonkey": _read_surveymonkey,
    "kobo": _read_kobo,
}


def read_export(
    path: str | Path,
    instrument: Instrument,
    platform: str = "auto",
    *,
    language: str | None = None,
    scrub: bool = True,
    names: Sequence[str] = (),
    not_asked: Sequence[str] = (),
) -> SurveyData:
    """Read one platform export into a validated :class:`SurveyData`.

    Parameters
    ----------
    path : the CSV export.
    instrument : the instrument the export answers (see :func:`load_instrument`).
    platform : ``qualtrics``, ``google``, ``surveymonkey``, ``kobo`` or ``auto`` (detected from
        the header rows).
    language : language of every respondent when the export does not record it (e.g. ``"es"``
        for the Spanish Google Form); Qualtrics' ``UserLanguage`` wins when present.
    scrub : replace names, phone numbers and e-mail addresses in open-ended answers (default).
    names : further names to scrub wherever they appear (e.g. the school's staff and students).
    not_asked : ids of items or attributes this export may lack a column for (e.g. a question
        only the English form asks); every other item and attribute must have a column.

    Raises
    ------
    InputError
        Missing header rows, unknown columns, a question with no column (its answers would be
        lost) or with two (Kobo group paths that strip to the same name), a data row whose
        field count differs from the header's, duplicate respondents, answers outside the scale,
        Qualtrics Finished/Progress that are not True/False and 0-100: the message names the
        file, row and column (and how many more problems there are).
    """
    p = Path(path)
    if platform == "auto":
        platform = detect_platform(p)
    if platform not in _READERS:
        raise InputError(
            f"The 'platform' parameter of read_export must be one of {', '.join(PLATFORMS)} or "
            f"auto. Got '{platform}' instead."
        )
    recs = _read_records(p)
    return _READERS[platform](instrument, p, recs, language, scrub, names, tuple(not_asked))
