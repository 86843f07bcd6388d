"""Notices to families, in the family's language, with California's 15 percent rule.

California Education Code section 48985(a): when 15 percent or more of the pupils enrolled in a
public school speak a single primary language other than English, all notices, reports,
statements or records sent to the parent or guardian of any such pupil shall, in addition to
being written in English, be written in that primary language. The statute measures the share
with the language census of the preceding year; here it is measured on the roster loaded with
``equitable outreach roster`` (its ``home_language`` column), which a district can load from its
language census file.

A notice is therefore always written in English, and also in the family's language when a template
exists for it. :func:`ec48985_languages` lists, per school, the languages at 15% or more: those
schools must have that language's template, and :func:`render_notice` reports a required language
without a template as ``missing_required`` so staff arrange a translation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from string import Template

from sqlalchemy import Engine, func, select

from equitable.i18n import NP_, SOURCE_LANGUAGE, available_languages, translate_in
from equitable.outreach._access import scope_cases
from equitable.outreach._cases import CaseNotFound, record_disclosure
from equitable.outreach._db import read_session
from equitable.outreach._models import Case, School, Student, User

__all__ = ["EC48985_THRESHOLD", "EVENT_KINDS", "EVENT_TEMPLATES", "TEMPLATES", "Notice",
           "ec48985_languages", "families_without_notice", "render_notice"]

EC48985_THRESHOLD = 0.15
ENGLISH = "english"

# The notice, in English: its other languages are the translations of these messages in the
# one catalogue per language (equitable.i18n; msgctxt ``notice_...``), so a language has a
# notice template when its catalogue translates the letter. No names: the notice names the
# school and the student's grade only. ``$school_line`` (the school's address and telephone
# from CDE's directory) and ``$worker_line`` (how to reach the worker) are written per language
# from LINES, leaving out what is not on file.
_LETTER = NP_(
    "notice_letter",
    "Dear family,\n\n"
    "We have missed your child in grade $grade at $school. We want to help them come back "
    "to class and to find out what would make it easier: a computer or internet access, "
    "food, health care, counseling or transportation.\n\n"
    "${reasons_line}${worker_line}${school_line}"
    "This letter is dated $date.\n"
)
_LINES = {
    "worker": NP_("notice_worker", "Please call or write to $worker at the school.\n"),
    "worker_contact": NP_("notice_worker_contact",
                          "Please call or write to $worker at the school: $contact.\n"),
    "address": NP_("notice_address", "$school: $address.\n"),
    "phone": NP_("notice_phone", "School telephone: $phone.\n"),
    "reasons": NP_("notice_reasons", "What our attendance records show: $reasons.\n"),
}


def _notice_languages() -> dict[str, str]:
    """Lower-case English name of each language with a catalogue (as the roster writes home
    languages) -> its code: ``{"english": "en", "spanish": "es"}``."""
    from babel import Locale, UnknownLocaleError

    out = {}
    for code in available_languages():
        try:
            name = (Locale.parse(code).get_display_name("en") or code).lower()
        except (ValueError, UnknownLocaleError):
            name = code
        out[name] = code
    return out


#: Language name -> language code, for the notices (``"spanish"`` -> ``"es"``).
LANGUAGE_CODES = _notice_languages()


def _translated(context: str, english: str) -> dict[str, str]:
    """``english`` in each language whose catalogue translates it, by language name."""
    out = {}
    for name, code in LANGUAGE_CODES.items():
        text = translate_in(code, context, english)
        if code == SOURCE_LANGUAGE or text != english:
            out[name] = text
    return out


#: Notice templates by language (lower-case English name of the language, as in the roster).
TEMPLATES: dict[str, str] = _translated("notice_letter", _LETTER)

#: The lines of a notice that depend on what is on file, per template language.
LINES: dict[str, dict[str, str]] = {
    name: {key: translate_in(code, f"notice_{key}", text) for key, text in _LINES.items()}
    for name, code in LANGUAGE_CODES.items() if name in TEMPLATES
}

#: The CLDR locale a notice's date is written out in (``1 de febrero de 2021``).
DATE_LOCALES = {name: {"en": "en_US", "es": "es_US"}.get(code, code)
                for name, code in LANGUAGE_CODES.items()}


def _text(language: str, values: dict[str, str], day: dt.date) -> str:
    """The notice in ``language`` (a key of :data:`TEMPLATES`), its date written out in it."""
    from babel.dates import format_date

    lines = LINES[language]
    v = dict(values, date=format_date(day, format="long",
                                      locale=DATE_LOCALES.get(language, "en_US")))
    worker = Template(lines["worker_contact" if v.get("contact") else "worker"]).substitute(v)
    school = ""
    if v.get("address"):
        school += Template(lines["address"]).substitute(v)
    if v.get("phone"):
        school += Template(lines["phone"]).substitute(v)
    reasons = ""
    if v.get("reason_codes"):  # the reason codes in this notice's language (one catalogue)
        from equitable.engagement._reason_codes import reason_labels

        code = LANGUAGE_CODES.get(language, "en")
        try:
            labels = [t for _, t in reason_labels(v["reason_codes"], code)]
        except ValueError:
            labels = []
        if labels:
            reasons = Template(lines["reasons"]).substitute(reasons="; ".join(labels))
    v.update(worker_line=worker, school_line=school, reasons_line=reasons)
    return Template(TEMPLATES[language]).substitute(v)


# Notices of a school-located health event (vaccine clinic or information night), by language:
# used by ``equitable sites`` (equitable.health). $kind is the event in that language. Other
# languages than English: the catalogue's translations (msgctxt ``event_...``), as above.
EVENT_TEMPLATES: dict[str, str] = _translated("event_notice", NP_(
    "event_notice",
    "Dear family,\n\n"
    "A free $kind for the students and families of $school will be held on $date, $time, "
    "at $place. It is free of charge.\n\n"
    "Please bring: $bring.\n\n"
    "Questions? Please call or write to $contact.\n"
))

#: The event kinds of :data:`EVENT_TEMPLATES`, by language.
EVENT_KINDS: dict[str, dict[str, str]] = {
    "clinic": _translated("event_kind", NP_("event_kind", "vaccination clinic")),
    "information": _translated("event_kind", NP_(
        "event_kind", "information night on vaccines and health services")),
}


def ec48985_languages(engine: Engine, school_id: str) -> list[tuple[str, int, int]]:
    """Languages other than English spoken by 15% or more of a school's enrolled students.

    Returns
    -------
    list of ``(language, students, enrolled)``, largest first; ``students / enrolled >= 0.15``.
    """
    with read_session(engine) as s:
        counts = s.execute(
            select(func.lower(Student.home_language), func.count())
            .where(Student.school_id == school_id)
            .group_by(func.lower(Student.home_language))
        ).all()
    enrolled = sum(n for _, n in counts)
    out = [
        (lang, n, enrolled)
        for lang, n in counts
        if lang and lang != ENGLISH and enrolled and n / enrolled >= EC48985_THRESHOLD
    ]
    return sorted(out, key=lambda t: (-t[1], t[0]))


@dataclass
class Notice:
    family_language: str | None
    texts: list[tuple[str, str]]  # (language, text), English first
    required_languages: list[str]  # EC 48985 languages of the school
    missing_required: list[str] = field(default_factory=list)  # required, no template
    family_language_without_template: bool = False
    #: every language the notice should be in but has no template for (the family's, then
    #: those EC 48985 requires at the school), for the worker's warning
    missing_languages: list[str] = field(default_factory=list)
    case_id: int | None = None  # the case and student the notice is about (for the disclosure
    student_id: str | None = None  # log of the web app, which records the notice it shows)


def render_notice(engine: Engine, user: User, case_id: int, *, purpose: str,
                  worker_name: str | None = None, today: dt.date | None = None,
                  record: bool = True) -> Notice:
    """Write the re-engagement notice for a case (logged as a disclosure).

    ``record=False`` leaves the disclosure row to the caller: the web app writes it when it
    renders the notice (:mod:`equitable.web._disclosure`).

    Raises
    ------
    CaseNotFound
        No such case or not visible to ``user``.
    """
    today = today or dt.date.today()
    with read_session(engine) as s:
        case = s.scalar(scope_cases(select(Case), user).where(Case.id == case_id))
        if case is None:
            raise CaseNotFound(f"case {case_id} not found")
        school = s.get(School, case.school_id)
        school_name = (school.name if school and school.name else case.school_id)
        address = school.address if school else None
        phone = school.phone if school else None
        student_id, grade, lang, school_id = (case.student_id, case.grade or "",
                                              (case.home_language or ENGLISH).lower(),
                                              case.school_id)
        codes = case.reason_codes or ""
    required = [x[0] for x in ec48985_languages(engine, school_id)]
    values = {"grade": grade, "school": school_name, "worker": worker_name or user.display_name,
              "contact": user.contact or "", "address": address or "", "phone": phone or "",
              "reason_codes": codes}
    texts = [(ENGLISH, _text(ENGLISH, values, today))]
    if lang != ENGLISH and lang in TEMPLATES:
        texts.append((lang, _text(lang, values, today)))
    if record:
        record_disclosure(engine, user, "notice", purpose=purpose, case_id=case_id,
                          student_id=student_id,
                          detail=f"notice in {', '.join(t[0] for t in texts)}")
    return Notice(
        family_language=lang,
        texts=texts,
        required_languages=required,
        missing_required=[x for x in required if x not in TEMPLATES],
        family_language_without_template=lang != ENGLISH and lang not in TEMPLATES,
        missing_languages=list(dict.fromkeys(
            ([lang] if lang != ENGLISH and lang not in TEMPLATES else [])
            + [x for x in required if x not in TEMPLATES])),
        case_id=case_id,
        student_id=student_id,
    )


def families_without_notice(engine: Engine, user: User):
    """Active cases whose family's language has no notice template, by language, among the
    cases ``user`` may see: ``language, families`` (``*`` for 10 or fewer, through
    :func:`equitable.privacy.suppress_table`), largest first. English-speaking families and
    languages with a template are not listed."""
    import pandas as pd

    from equitable.outreach._cases import ACTIVE_STATUSES
    from equitable.privacy import suppress_table

    stmt = scope_cases(select(func.lower(Case.home_language), func.count()), user).where(
        Case.status.in_(ACTIVE_STATUSES)).group_by(func.lower(Case.home_language))
    with read_session(engine) as s:
        rows = [(lang, n) for lang, n in s.execute(stmt).all()
                if lang and lang != ENGLISH and lang not in TEMPLATES]
    rows.sort(key=lambda t: (-t[1], t[0]))
    return suppress_table(pd.DataFrame(rows, columns=["language", "families"]), "families",
                          ["families"])
