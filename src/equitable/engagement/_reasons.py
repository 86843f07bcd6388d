"""The outreach queue's ``reasons`` in the reader's language (English or Spanish).

The engagement pipeline writes ``reasons`` in English (:func:`equitable.engagement._outputs.
add_reasons`) and the CSV keeps it so; the staff console shows it through :func:`reasons_text`.
This module imports nothing heavy (no pandas), so the web app can use it cheaply.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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


def _one(n: str, singular: str, plural: str) -> str:
    """``singular`` when the number written ``n`` is 1, else ``plural`` (Spanish: 0 is plural)."""
    return singular if int(n) == 1 else plural


# Spanish (United States). Numbers keep the digits of the English text: the dashboard's Spanish
# pages use CLDR ``es_US`` (decimal point, ``%`` written right after the number, as in
# ``12.5%``); counts of days never reach the thousands that would need a separator.
_ES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (_NEVER, lambda m: "nunca se conectó: ningún día presente y ninguna actividad en la "
                       "plataforma desde la inscripción"),
    (_MISSING, lambda m: "sin contacto: sin asistencia ni actividad en la plataforma "
                         + _one(m[1], "en el último día de instrucción",
                                f"en los últimos {m[1]} días de instrucción")),
    (_STREAK, lambda m: "ausente " + _one(m[1], "el último día de instrucción",
                                          f"los últimos {m[1]} días de instrucción seguidos")),
    (_CHRONIC, lambda m: f"ausentismo crónico: ausente {m[1]} de {m[2]} "
                         + _one(m[2], "día", "días") + f" de inscripción ({m[3]}%)"),
    (_SB98, lambda m: _one(m[1], f"{m[1]} semana que cumple",
                           f"{m[1]} semanas que cumplen")
                      + " el criterio de reintegración de la ley SB 98"),
    (_LOGIN_ONLY, lambda m: "inicia sesión en la plataforma de aprendizaje pero nunca ha "
                            "entregado tareas ni ha participado en clases en vivo"),
]

_RENDERERS = {"es": _ES}


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
    (United States: decimal point, ``12.5%``; singular or plural by the number). A region or
    case (``"es-MX"``, ``"ES"``) is ignored; any other language returns ``text`` unchanged.

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
    rules = _RENDERERS.get(_language(lang))
    if rules is None or not text:
        return text
    out = []
    for part in text.split(SEPARATOR):
        for pattern, word in rules:
            m = pattern.fullmatch(part)
            if m is not None:
                part = word(m)
                break
        out.append(part)
    return SEPARATOR.join(out)
