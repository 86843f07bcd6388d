"""Scrub names, phone numbers and e-mail addresses from quotes (English and Spanish).

Every open-ended answer is scrubbed when it is read, and every excerpt before it is exported, so
no quote leaves the tool with these identifiers. What is found:

* e-mail addresses -> ``[email]``;
* phone numbers in North American forms (``(213) 555-0100``, ``213-555-0100``,
  ``+1 213 555 0100``, ``213.555.0100``, ``555-0100``) and international ``+NN ...`` forms
  -> ``[phone]``;
* person names -> ``[name]``: after a title (Mr., Ms., Mrs., Dr., Coach, Principal, Sr., Sra.,
  Srta., Maestra/o, Profesor/a, ...), after a naming phrase (``my son``, ``named``,
  ``my name is``, ``mi hija``, ``se llama``, ``me llamo``, ...), and any name in the ``names``
  list the caller passes (e.g. the school's roster of staff and students).

Pattern matching cannot find every name (a bare "Maria said..." at the start of a sentence is
not caught unless "Maria" is in ``names``): read excerpts before publishing; docs/voice.md says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["apply_spans", "remap_offset", "scrub_spans", "scrub_text"]

_WORD = r"[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü]+(?:[\-'’][A-ZÁÉÍÓÚÑÜ][a-záéíóúñü]+)?"
_NAME = rf"{_WORD}(?:\s+{_WORD})?"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.\-])\d{3}[\s.\-]?\d{4}(?!\w)"
    r"|(?<![\w+])\+\d{2,3}(?:[\s.\-]?\d{2,4}){2,5}(?!\w)"
    r"|(?<![\w\-.])\d{3}[\-.]\d{4}(?![\w\-])"
)
_TITLES = (
    r"Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Coach|Principal|Teacher|Counselor|Nurse|Officer|"
    r"Sr|Sra|Srta|Señor|Señora|Señorita|Don|Doña|Maestr[oa]|Profesor|Profesora|Doctor|Doctora|"
    r"Director|Directora|Consejer[oa]|Enfermer[oa]"
)
_TITLE_NAME = re.compile(rf"\b(?:{_TITLES})\.?\s+({_NAME})")
_PHRASES = (
    r"(?i:my\s+(?:son|daughter|child|kid|boy|girl|grandson|granddaughter|nephew|niece|"
    r"grandchild|student|teacher|husband|wife|name\s+is)|named|called|"
    r"mis?\s+(?:hij[oa]s?|niet[oa]s?|niñ[oa]s?|sobrin[oa]s?|maestr[oa]|espos[oa]|"
    r"nombre\s+es)|se\s+llama|me\s+llamo|llamad[oa])"
)
_PHRASE_NAME = re.compile(rf"\b{_PHRASES}(?:\s*,)?\s+(?:(?i:is|es)\s+)?({_NAME})")
_NOT_NAMES = {
    "I", "The", "She", "He", "They", "We", "It", "And", "But", "Is", "Was", "Has", "Had", "Who",
    "Ella", "Él", "El", "La", "Los", "Las", "Es", "Está", "Y", "Pero", "Que", "Tiene", "No",
    "Yes", "Sí", "In", "En", "At", "To", "A",
}


def scrub_spans(text: str, names: Iterable[str] = ()) -> list[tuple[int, int, str]]:
    """Return the sorted, non-overlapping ``(start, end, replacement)`` spans to scrub in ``text``.

    Offsets are Python string indices (Unicode code points), as REFI-QDA positions are.
    """
    found: list[tuple[int, int, str]] = []
    for m in _EMAIL.finditer(text):
        found.append((m.start(), m.end(), "[email]"))
    for m in _PHONE.finditer(text):
        found.append((m.start(), m.end(), "[phone]"))
    for rx in (_TITLE_NAME, _PHRASE_NAME):
        for m in rx.finditer(text):
            name = m.group(1)
            words = name.split()
            # drop a trailing capitalised function word ("Garcia And")
            keep = [w for w in words if w not in _NOT_NAMES]
            if not keep or words[0] in _NOT_NAMES:
                continue
            start = m.start(1)
            end = start + len(" ".join(words[: len(keep)])) if keep == words[: len(keep)] else m.end(1)
            found.append((start, end, "[name]"))
    extra = sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)
    if extra:
        rx = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in extra) + r")(?!\w)",
                        re.IGNORECASE)
        for m in rx.finditer(text):
            found.append((m.start(), m.end(), "[name]"))
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    merged: list[tuple[int, int, str]] = []
    for s in found:
        if merged and s[0] < merged[-1][1]:
            last = merged[-1]
            if s[1] > last[1]:
                merged[-1] = (last[0], s[1], last[2])
            continue
        merged.append(s)
    return merged


def apply_spans(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """Replace each span of ``text`` by its replacement."""
    out, pos = [], 0
    for s, e, rep in spans:
        out.append(text[pos:s])
        out.append(rep)
        pos = e
    out.append(text[pos:])
    return "".join(out)


def remap_offset(offset: int, spans: Sequence[tuple[int, int, str]], *, end: bool = False) -> int:
    """Map an offset in the original text to the scrubbed text.

    An offset inside a scrubbed span moves to the start of its replacement (``end=False``) or
    to its end (``end=True``), so a coded excerpt keeps covering the placeholder.
    """
    shift = 0
    for s, e, rep in spans:
        if offset <= s:
            break
        if offset < e:
            return s + shift + (len(rep) if end else 0)
        shift += len(rep) - (e - s)
    return offset + shift


def scrub_text(text: str, names: Iterable[str] = ()) -> str:
    """Return ``text`` with names, phone numbers and e-mail addresses replaced.

    Examples
    --------
    >>> scrub_text("Call Ms. Garcia at (213) 555-0100 or write to ana.g@example.org")
    'Call Ms. [name] at [phone] or write to [email]'
    >>> scrub_text("Mi hija se llama Sofía y su maestra es la Sra. Pérez")
    'Mi hija se llama [name] y su maestra es la Sra. [name]'
    """
    if not text:
        return text
    return apply_spans(text, scrub_spans(text, names))
