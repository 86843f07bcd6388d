"""English labels (message ids) of the stored codes; templates show ``_(labels[code])``.

The helpers the templates call once per row (:func:`language_label`, :func:`reason_badges`,
:func:`long_date`) keep their results in a bounded cache (the same date, language or reason
codes in the same page language give the same words): a page of "My day" calls them about 150
times, mostly with values it has seen before.
"""

from __future__ import annotations

import datetime as dt
import functools

LABELS = {
    # contact modes
    "phone": "Phone", "text": "Text message", "email": "E-mail", "letter": "Letter",
    "home_visit": "Home visit",
    # outcomes
    "reached": "Reached", "no_answer": "No answer", "wrong_number": "Wrong number",
    "moved": "Moved",
    # disengagement reasons
    "connectivity_device": "Connectivity or device", "work": "Work",
    "caring_for_siblings": "Caring for siblings", "health": "Health", "housing": "Housing",
    "safety": "Safety", "other": "Other",
    # referrals
    "device_hotspot": "Device or hotspot", "food": "Food", "counseling": "Counseling",
    "transportation": "Transportation",
    # statuses
    "open": "Open", "re_engaged": "Re-engaged", "referred": "Referred", "closed": "Closed",
    "all": "All", "active": "Active (open or referred)",
    # close reasons
    "transferred": "Transferred to another school",
    "moved_out_of_district": "Moved out of the district", "unreachable": "Unreachable",
    "graduated": "Graduated",
    # roles
    "admin": "District administrator", "school_staff": "School staff",
    "outreach_worker": "Outreach worker", "partner": "Community partner",
    # disclosure actions
    "view": "Viewed", "export": "Exported", "notice": "Notice written",
    # languages
    "english": "English", "spanish": "Spanish",
    # case flags (queue columns)
    "never_engaged": "Never engaged", "chronically_absent": "Chronically absent",
    "missing": "Missing", "foster_or_homeless": "Foster or homeless", "foster": "Foster youth",
    "homeless": "Homeless", "english_learner": "English learner",
    "disability": "Student with a disability",
}


def language_label(value: str | None, locale: object) -> str:
    """A stored language (English name, ``spanish``, or ISO code, ``es``) in the page's language.

    ``locale`` is the page's :class:`babel.Locale`; the names are CLDR's. An unknown value is
    shown as it is stored.
    """
    return _language_label(value, str(locale))


@functools.cache
def _iso_codes_by_name() -> dict[str, str]:
    # the first ISO code of each English name (the order of CLDR's list, as before)
    from equitable.outreach._models import _iso_language_names

    out: dict[str, str] = {}
    for code, name in _iso_language_names().items():
        out.setdefault(name, code)
    return out


@functools.lru_cache(maxsize=1024)
def _language_label(value: str | None, locale_id: str) -> str:
    from babel import Locale

    from equitable.outreach._models import language_name

    name = language_name(value)
    if not name:
        return ""
    code = _iso_codes_by_name().get(name)
    local = Locale.parse(locale_id).languages.get(code, "") if code else ""
    if not local:
        return value or ""
    return local[:1].upper() + local[1:]


def flag_labels(flags: str | None, gettext: object) -> str:
    """A case's comma-separated flags as translated words, ``"Missing, Never engaged"``."""
    out = []
    for f in (flags or "").split(","):
        f = f.strip()
        if f:
            out.append(gettext(LABELS[f]) if f in LABELS else f)  # type: ignore[operator]
    return ", ".join(out)


#: The reason codes by name, for the filter of "My day" (message ids; the badges themselves come
#: from the engagement catalogue, :func:`equitable.engagement._reason_codes.reason_label`).
REASON_NAMES = {
    "never_engaged": "Never engaged", "missing": "Missing",
    "absent_streak": "Absent days in a row", "chronic": "Chronically absent",
    "sb98_weeks": "SB 98 weeks", "login_only": "Logs in, never participates",
}

#: Why a row of "My day" is where it is (message ids).
DUE_LABELS = {
    "follow_up_due": "Follow-up due", "never_contacted": "Never contacted",
    "since": "No follow-up set", "later": "Follow-up later",
}


def reason_badges(record: object, lang: str) -> list[tuple[str, str]]:
    """``(code, label)`` of a case's or row's reasons in ``lang``, from its ``reason_codes``
    (one catalogue, :mod:`equitable.engagement._reason_codes`). A case imported from a queue
    without codes shows its ``reasons`` text as one badge (code ``""``): free text as imported,
    the sentences of engagement runs from before the codes worded by
    :func:`equitable.engagement.reasons_text` (kept for those queues only)."""
    codes = getattr(record, "reason_codes", "") or ""
    text = "" if codes else (getattr(record, "reasons", "") or "")
    return list(_reason_badges(codes, text, lang))


@functools.lru_cache(maxsize=4096)
def _reason_badges(codes: str, text: str, lang: str) -> tuple[tuple[str, str], ...]:
    from equitable.engagement._reason_codes import reason_labels

    if codes:
        try:
            return tuple(reason_labels(codes, lang))
        except ValueError:  # checked at import; a value written otherwise is shown as it is
            return (("", codes),)
    # a queue without codes (another tool, a run from before the codes): its text, with the
    # sentences of older engagement runs still worded in the reader's language (reasons_text)
    from equitable.engagement._reasons import reasons_text

    return (("", reasons_text(text, lang)),) if text else ()


def long_date(day: dt.date | None, lang: str) -> str:
    """A date written out in ``lang`` (CLDR long format: ``March 1, 2021``,
    ``1 de marzo de 2021``); ``""`` for None."""
    if day is None:
        return ""
    return _long_date(day, lang)


@functools.lru_cache(maxsize=4096)
def _long_date(day: dt.date, lang: str) -> str:
    from babel.dates import format_date

    return format_date(day, format="long", locale="es_US" if lang == "es" else "en_US")


def number(n: int, lang: str) -> str:
    """A whole number written for ``lang`` (CLDR ``en_US``/``es_US``: ``100,000``)."""
    from babel.numbers import format_decimal

    return format_decimal(n, locale="es_US" if lang == "es" else "en_US")
