"""Interface languages of the web: language negotiation, and the catalogues of
:mod:`equitable.i18n` (re-exported here).

Every page's messages come from the one catalogue per language of the project,
``equitable/locale/<lang>/LC_MESSAGES/messages.po`` (the same catalogue as the CLI's outputs and
the reports), compiled in memory with Babel when first needed, so no build step is required.
English is the source language (``gettext`` returns the message id). The languages offered are
English and every language with a catalogue.

The language of a request is, in order: ``?lang=xx`` in the URL (remembered in the ``lang``
cookie), the ``lang`` cookie, the signed-in user's preference (set at login and on the account
page), the browser's ``Accept-Language``, the default.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale

from equitable.i18n import available_languages, catalogue_file, language_name, translations

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LANG_COOKIE",
    "catalog_files",
    "negotiate",
    "translations",
]

LANGUAGES = available_languages()
LANGUAGE_NAMES = {lang: language_name(lang) for lang in LANGUAGES}
LANG_COOKIE = "lang"


def catalog_files(lang: str) -> list[Path]:
    """The message catalogue of ``lang`` as a list (empty for English and for a language without
    one): ``[equitable/locale/<lang>/LC_MESSAGES/messages.po]``."""
    po = catalogue_file(lang)
    return [po] if lang != "en" and po.is_file() else []


def _accept_language(header: str | None) -> str | None:
    if not header:
        return None
    prefs = []
    for part in header.split(","):
        piece = part.strip().split(";")
        tag = piece[0].strip().lower()
        q = 1.0
        for p in piece[1:]:
            if p.strip().startswith("q="):
                try:
                    q = float(p.strip()[2:])
                except ValueError:
                    q = 0.0
        prefs.append((q, tag))
    for _, tag in sorted(prefs, key=lambda t: -t[0]):
        base = tag.split("-")[0]
        if base in LANGUAGES:
            return base
    return None


def negotiate(
    query: str | None,
    cookie: str | None,
    user_pref: str | None,
    accept_language: str | None,
    default: str = "en",
) -> str:
    """Pick the interface language (see module docstring for the order)."""
    for candidate in (query, cookie, user_pref):
        if candidate in LANGUAGES:
            return candidate
    return _accept_language(accept_language) or default


def locale(lang: str) -> Locale:
    return Locale.parse(lang)
