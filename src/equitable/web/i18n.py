"""Interface languages: Babel message catalogs, compiled at run time, and language negotiation.

Catalogs are gettext ``.po`` files under any ``locale/<lang>/LC_MESSAGES/messages.po`` of the
``equitable.web`` package tree (``web/locale`` for the shared layout and the staff console, and a
domain package such as ``web/dashboard/locale`` for its own pages); they are compiled to ``.mo``
in memory with Babel when first needed, so no build step is required. English is the source
language (``gettext`` returns the message id).

The language of a request is, in order: ``?lang=xx`` in the URL (remembered in the ``lang``
cookie), the ``lang`` cookie, the signed-in user's preference (set at login and on the account
page), the browser's ``Accept-Language``, the default.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LANG_COOKIE",
    "catalog_files",
    "negotiate",
    "translations",
]

LANGUAGES = ("en", "es")
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
LANG_COOKIE = "lang"
_WEB = Path(__file__).parent


def catalog_files(lang: str) -> list[Path]:
    """The ``messages.po`` files of ``lang`` in the web package tree (shared first)."""
    files = sorted(_WEB.glob(f"**/locale/{lang}/LC_MESSAGES/messages.po"))
    return sorted(files, key=lambda p: (len(p.relative_to(_WEB).parts), str(p)))


@functools.cache
def translations(lang: str) -> NullTranslations:
    """Compiled translations for ``lang`` (``en`` and unknown languages: identity)."""
    if lang not in LANGUAGES or lang == "en":
        return NullTranslations()
    merged: Translations | None = None
    for po in catalog_files(lang):
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        t = Translations(fp=buf)
        if merged is None:
            merged = t
        else:
            merged.merge(t)
    return merged or NullTranslations()


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
