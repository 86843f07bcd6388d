"""The outreach queue's ``reasons`` in the reader's language (English, Spanish: the catalogue).

The engagement pipeline writes ``reasons`` in English (:func:`equitable.engagement._outputs.
add_reasons`) and the CSV keeps it so; the staff console shows it through :func:`reasons_text`.
This module imports nothing heavy (no pandas), so the web app can use it cheaply.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["SEPARATOR", "reasons_text"]

#: How ``add_reasons`` joins the parts of one student's reasons.
SEPARATOR = "; "

_N = r"([0-9]+)"  # ASCII digits only (``\d`` would accept any Unicode digit)

# One anchored pattern per English template of ``add_reasons`` (matched with ``fullmatch``).
_NEVER = re.compile(r"never engaged: no day present and no platform activity since enrolling")
_MISSING = re.compile(r"missing: not present and no platform activity in the last " + _N
                      + r" instructional days")
_STREAK = re.compile(r"absent the last " + _N + r" instructional days in a row")
_CHRONIC = re.compile(r"chronically absent: absent " + _N + r" of " + _N
                      + r" days enrolled \(([0-9]+\.[0-9])%\)")
_SB98 = re.compile(_N + r" weeks? meeting the SB 98 re-engagement trigger")
_LOGIN_ONLY = re.compile(r"logs in to the learning platform but has never submitted work or "
                         r"joined live instruction")


def _n(m: re.Match[str], i: int = 1) -> dict[str, str]:
    return {"num": m[i]}


# The sentences in other languages: the translations of these messages in the language's one
# catalogue (equitable.i18n), singular or plural by the number (Spanish: 0 is plural). Numbers
# keep the digits of the English text: the dashboard's Spanish pages use CLDR ``es_US`` (decimal
# point, ``%`` written right after the number, as in ``12.5%``); counts of days never reach the
# thousands that would need a separator.
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], Any], str]]] = [
    (_NEVER, lambda m, t: t.gettext(
        "never engaged: no day present and no platform activity since enrolling")),
    (_MISSING, lambda m, t: t.ngettext(
        "missing: not present and no platform activity in the last instructional day",
        "missing: not present and no platform activity in the last %(num)s instructional days",
        int(m[1])) % _n(m)),
    (_STREAK, lambda m, t: t.ngettext(
        "absent the last instructional day",
        "absent the last %(num)s instructional days in a row", int(m[1])) % _n(m)),
    (_CHRONIC, lambda m, t: t.ngettext(
        "chronically absent: absent %(absent)s of %(num)s day enrolled (%(pct)s%%)",
        "chronically absent: absent %(absent)s of %(num)s days enrolled (%(pct)s%%)",
        int(m[2])) % {"absent": m[1], "num": m[2], "pct": m[3]}),
    (_SB98, lambda m, t: t.ngettext(
        "%(num)s week meeting the SB 98 re-engagement trigger",
        "%(num)s weeks meeting the SB 98 re-engagement trigger", int(m[1])) % _n(m)),
    (_LOGIN_ONLY, lambda m, t: t.gettext(
        "logs in to the learning platform but has never submitted work or joined live "
        "instruction")),
]


def _language(lang: str) -> str:
    """``"es-MX"``, ``"ES"``, ``"es_US"`` -> ``"es"``."""
    return lang.strip().lower().replace("_", "-").split("-")[0]


def reasons_text(text: str, lang: str) -> str:
    """The ``reasons`` of an outreach queue row in language ``lang``.

    ``text`` is a ``reasons`` value: parts joined by ``"; "``, each one of the English templates
    of the engagement pipeline (never engaged; missing in the last N instructional days; absent
    the last N instructional days in a row; chronically absent A of E days (P%); W week(s)
    meeting the SB 98 re-engagement trigger; logs in but never participates) or any other text
    (queues from other tools). Each part that matches a template exactly is worded in ``lang``;
    any other part, and the separators, are kept as they are, so free text comes back unchanged.

    ``lang`` is a language code: ``"en"`` returns ``text`` unchanged; ``"es"`` gives Spanish
    (United States: decimal point, ``12.5%``; singular or plural by the number), and so does
    any language with a catalogue (:mod:`equitable.i18n`) its own words. A region or case
    (``"es-MX"``, ``"ES"``) is ignored; a language without a catalogue returns ``text``
    unchanged.

    Returns a new string (``""`` for ``""``). Raises :class:`TypeError` when ``text`` or ``lang``
    is not a string (a missing value is the caller's to handle).

    >>> print(reasons_text("absent the last 4 instructional days in a row; "
    ...                    "1 week meeting the SB 98 re-engagement trigger", "es"))
    ausente los últimos 4 días de instrucción seguidos; 1 semana que cumple el criterio de
    reintegración de la ley SB 98
    >>> reasons_text("chronically absent: absent 12 of 80 days enrolled (15.0%)", "es")
    'ausentismo crónico: ausente 12 de 80 días de inscripción (15.0%)'
    >>> reasons_text("called twice; no answer", "es")
    'called twice; no answer'
    """
    if not isinstance(text, str):
        raise TypeError(f"reasons must be a string, not {type(text).__name__}")
    if not isinstance(lang, str):
        raise TypeError(f"lang must be a string, not {type(lang).__name__}")
    from equitable.i18n import SOURCE_LANGUAGE, catalogue_file, translations

    code = _language(lang)
    if code == SOURCE_LANGUAGE or not code or not catalogue_file(code).is_file() or not text:
        return text
    t = translations(code)
    out = []
    for part in text.split(SEPARATOR):
        for pattern, word in _RULES:
            m = pattern.fullmatch(part)
            if m is not None:
                part = word(m, t)
                break
        out.append(part)
    return SEPARATOR.join(out)
