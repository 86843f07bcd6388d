"""Why a student is on the outreach list, as data: reason codes and their message catalogue.

The engagement pipeline writes, besides the English sentence of ``reasons`` (kept for readers
of the old files), a ``reason_codes`` column: the same reasons as codes with their parameters,

    never_engaged; missing{days=10}; absent_streak{days=24}; chronic{absent=15, enrolled=60};
    sb98_weeks{weeks=3}; login_only

joined by ``"; "`` in the order of :data:`CODES`. Every reader (the staff console, the family
notices, the CSV exports) renders them with :func:`reason_label` from the language's one gettext
message catalogue (``equitable/locale/<lang>/LC_MESSAGES/messages.po``, :mod:`equitable.i18n`),
so no sentence is ever parsed back out of English. The labels are short, to be scanned as badges
("Absent 24 days in a row"); Spanish plurals follow the catalogue's ``Plural-Forms``.

This module imports nothing heavy (no pandas): the web app uses it on every page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from equitable.i18n import translations

__all__ = [
    "CODES",
    "SEPARATOR",
    "Reason",
    "format_codes",
    "parse_codes",
    "reason_label",
    "reason_labels",
]

SEPARATOR = "; "

#: The reason codes, in the order the pipeline writes them, with the names of their parameters
#: (whole numbers >= 0).
CODES: dict[str, tuple[str, ...]] = {
    "never_engaged": (),
    "missing": ("days",),
    "absent_streak": ("days",),
    "chronic": ("absent", "enrolled"),
    "sb98_weeks": ("weeks",),
    "login_only": (),
}

_ONE = re.compile(r"([a-z0-9_]+)(?:\{([^{}]*)\})?")
_PARAM = re.compile(r"\s*([a-z_]+)=([0-9]{1,9})\s*")


@dataclass(frozen=True)
class Reason:
    """One reason: its code and parameters, e.g. ``Reason("absent_streak", (("days", 24),))``."""

    code: str
    params: tuple[tuple[str, int], ...] = ()

    def get(self, name: str) -> int:
        return dict(self.params)[name]

    def __str__(self) -> str:
        if not self.params:
            return self.code
        return self.code + "{" + ", ".join(f"{k}={v}" for k, v in self.params) + "}"


def format_codes(reasons: list[Reason]) -> str:
    """``[Reason("missing", (("days", 10),)), Reason("login_only")]`` ->
    ``"missing{days=10}; login_only"`` (``""`` for none)."""
    return SEPARATOR.join(str(r) for r in reasons)


def parse_codes(text: str | None) -> list[Reason]:
    """The reasons of a ``reason_codes`` value, in order (``[]`` for empty or None).

    Raises :class:`ValueError` naming the part (never a student value: codes carry none) when a
    part is not ``code`` or ``code{name=N, ...}`` with a code of :data:`CODES` and exactly its
    parameters as whole numbers.

    >>> [str(r) for r in parse_codes("absent_streak{days=24}; chronic{absent=15, enrolled=60}")]
    ['absent_streak{days=24}', 'chronic{absent=15, enrolled=60}']
    """
    out: list[Reason] = []
    for part in (text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        m = _ONE.fullmatch(part)
        if m is None or m[1] not in CODES:
            raise ValueError(f"unknown reason code {part[:40]!r}")
        params = []
        if m[2] is not None:
            for piece in m[2].split(","):
                p = _PARAM.fullmatch(piece)
                if p is None:
                    raise ValueError(f"reason code {m[1]!r}: parameter {piece.strip()[:20]!r} "
                                     "is not name=whole number")
                params.append((p[1], int(p[2])))
        if tuple(k for k, _ in params) != CODES[m[1]]:
            raise ValueError(f"reason code {m[1]!r} needs the parameters "
                             f"{', '.join(CODES[m[1]]) or 'none'}")
        out.append(Reason(m[1], tuple(params)))
    return out


def _language(lang: str) -> str:
    """``"es-MX"``, ``"ES"``, ``"es_US"`` -> ``"es"``."""
    return (lang or "").strip().lower().replace("_", "-").split("-")[0]


def _pct(absent: int, enrolled: int) -> str:
    """absent/enrolled*100 rounded half up to one decimal, exactly (integer arithmetic)."""
    if enrolled <= 0:
        return "0.0"
    q = (2 * absent * 1000 + enrolled) // (2 * enrolled)
    return f"{q // 10}.{q % 10}"


def reason_label(reason: Reason, lang: str) -> str:
    """The short label of one reason in ``lang`` (``en``, ``es``, any language with a catalogue;
    a region is ignored; a language without a catalogue gets English).

    Numbers are written with ASCII digits and a decimal point (CLDR ``es_US``, as on the
    dashboard's Spanish pages); singular or plural follows the number.

    >>> reason_label(Reason("absent_streak", (("days", 24),)), "es")
    'Ausente 24 días seguidos'
    >>> reason_label(Reason("chronic", (("absent", 15), ("enrolled", 60))), "en")
    'Chronically absent: 15 of 60 days (25.0%)'
    """
    t = translations(_language(lang))
    c, p = reason.code, dict(reason.params)
    if c == "never_engaged":
        return t.gettext("Never engaged")
    if c == "missing":
        return t.ngettext("Missing %(num)d day", "Missing %(num)d days",
                          p["days"]) % {"num": p["days"]}
    if c == "absent_streak":
        return t.ngettext("Absent %(num)d day in a row", "Absent %(num)d days in a row",
                          p["days"]) % {"num": p["days"]}
    if c == "chronic":
        return t.ngettext("Chronically absent: %(absent)d of %(num)d day (%(pct)s%%)",
                          "Chronically absent: %(absent)d of %(num)d days (%(pct)s%%)",
                          p["enrolled"]) % {"absent": p["absent"], "num": p["enrolled"],
                                            "pct": _pct(p["absent"], p["enrolled"])}
    if c == "sb98_weeks":
        return t.ngettext("SB 98: %(num)d week", "SB 98: %(num)d weeks",
                          p["weeks"]) % {"num": p["weeks"]}
    if c == "login_only":
        return t.gettext("Logs in, never participates")
    raise ValueError(f"unknown reason code {c!r}")


def reason_labels(text: str | None, lang: str) -> list[tuple[str, str]]:
    """``(code, label)`` for each reason of a ``reason_codes`` value, in order (see
    :func:`parse_codes` for the errors).

    >>> reason_labels("missing{days=10}; sb98_weeks{weeks=1}", "es")
    [('missing', 'Sin asistencia ni actividad 10 días'), ('sb98_weeks', 'SB 98: 1 semana')]
    """
    return [(r.code, reason_label(r, lang)) for r in parse_codes(text)]
