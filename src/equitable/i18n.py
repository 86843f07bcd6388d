"""One message catalogue per language for everything equitable writes in words: the CLI's
outputs, the reports and workbooks, the engagement reason codes and the web pages.

The catalogues are gettext ``.po`` files, ``equitable/locale/<lang>/LC_MESSAGES/messages.po``,
made from one template ``equitable/locale/messages.pot`` that Babel's ``pybabel extract``
writes from the code and templates (the mapping is ``[tool.babel]`` in pyproject.toml; see
docs/translating.md). English is the source language: a message id is the English text, so
English needs no catalogue; a message whose English text is said in several places with
different meanings carries a context (``msgctxt``: the reports use their message key). A
catalogue is compiled to ``.mo`` in memory with Babel the first time a language is asked for, so
no build step is needed, and a new language is one new ``.po`` file: it is found by its folder.

Besides the loader this module holds the no-op markers that tag a message for extraction where
it is not translated on the spot (:func:`N_`, :func:`NP_`) and the extractors Babel runs for the
message tables that are not gettext calls (:func:`extract_message_tables`,
:func:`extract_web_extras`). Method: GNU gettext manual, sections 11.2 (PO files) and 11.2.5
(contexts); Babel's ``babel.messages`` API.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, cast

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

__all__ = [
    "DOMAIN",
    "SOURCE_LANGUAGE",
    "NP_",
    "N_",
    "available_languages",
    "catalogue_file",
    "extract_catalogue",
    "extract_message_tables",
    "extract_toml_labels",
    "extract_web_extras",
    "clear_cache",
    "language_name",
    "locale_dir",
    "translate_in",
    "translations",
]

DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
#: The folder of the catalogues (``<lang>/LC_MESSAGES/messages.po`` and ``messages.pot``).
LOCALE_DIR = Path(__file__).parent / "locale"


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it (it is translated later, where the
    language is known): ``LEVELS = (N_("Highest need"), ...)``."""
    return message


def NP_(context: str, message: str) -> str:
    """Mark ``message`` with a ``context`` (``msgctxt``) for extraction without translating it;
    translate it later with ``translations(lang).pgettext(context, message)``."""
    return message


def locale_dir() -> Path:
    """The folder of the catalogues (a function so that a test can point it elsewhere by
    monkeypatching :data:`LOCALE_DIR`)."""
    return LOCALE_DIR


def catalogue_file(lang: str) -> Path:
    """``<locale dir>/<lang>/LC_MESSAGES/messages.po`` (whether or not it exists)."""
    return locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def available_languages() -> tuple[str, ...]:
    """English first, then every language with a catalogue, in alphabetical order of its code:
    ``("en", "es")``."""
    found = sorted(p.parent.parent.name for p in locale_dir().glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE_LANGUAGE, *(lang for lang in found if lang != SOURCE_LANGUAGE))


def language_name(lang: str) -> str:
    """The language's own name for itself, capitalised, from CLDR (``"es"`` -> ``"Español"``);
    the code itself when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(lang).get_display_name(lang) or lang
    except (ValueError, UnknownLocaleError):
        return lang
    return name[:1].upper() + name[1:]


@functools.lru_cache(maxsize=256)
def _language(lang: str) -> str:
    """``"es-MX"``, ``"ES"``, ``"es_US"`` -> ``"es"``: catalogues are per language, not region."""
    return (lang or "").strip().lower().replace("_", "-").split("-")[0]


@functools.cache
def _compiled(po: Path, lang: str) -> NullTranslations:
    with open(po, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf, domain=DOMAIN)


def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (a region is ignored: ``es-MX`` is ``es``); English and a
    language without a catalogue get the identity (the English message id). Messages a catalogue
    lacks, or has only as fuzzy, also come out in English."""
    return _translations(locale_dir(), _language(lang))


@functools.cache
def _translations(folder: Path, code: str) -> NullTranslations:
    po = folder / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if code == SOURCE_LANGUAGE or not code or not po.is_file():
        return NullTranslations()
    return _compiled(po, code)


def translate_in(lang: str, context: str, message: str) -> str:
    """``message`` (English) with ``context`` (``msgctxt``) in ``lang``; English when the
    language's catalogue does not translate it."""
    text = translations(lang).pgettext(context, message)
    return text if isinstance(text, str) else message


def clear_cache() -> None:
    """Forget the compiled catalogues (after a catalogue file changed, e.g. in a test)."""
    _compiled.cache_clear()
    _translations.cache_clear()


# --- extraction (used by `pybabel extract` through [tool.babel] and by tests/test_i18n.py) -----


def extract_catalogue(root: Path) -> Any:
    """Every message of the code and templates as a :class:`babel.messages.catalog.Catalog`,
    extracted in memory exactly as ``pybabel extract -F pyproject.toml`` does from ``root`` (the
    repository: its pyproject.toml's ``[tool.babel]`` mapping, extractors and keywords, with
    ``input_paths`` relative to ``root``). Locations are file names without line numbers."""
    import tomllib

    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_keywords

    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["babel"]
    extractors = config.get("extractors", {})
    method_map: list[tuple[str, str]] = []
    options_map: dict[str, dict[str, Any]] = {}
    for entry in config["mappings"]:
        entry = dict(entry)
        method = entry.pop("method")
        pattern = entry.pop("pattern")
        method_map.append((pattern, extractors.get(method, method)))
        options_map[pattern] = {k: str(v) for k, v in entry.items()}
    options = config["extract_messages"]
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(str(options.get("keywords", "")).split()))
    catalog = Catalog(project=options.get("project"), fuzzy=False)
    for input_path in str(options["input_paths"]).split():
        base = root / input_path
        for filename, _lineno, message, comments, context in extract_from_dir(
                base, method_map, options_map, keywords):
            where = (base / filename).relative_to(root).as_posix()
            locations: Any = [(where, None)]  # a file without a line number, as in the .pot
            catalog.add(message, None, locations, auto_comments=comments, context=context)
    return catalog


def extract_message_tables(fileobj: IO[bytes], keywords: Mapping[str, Any],
                           comment_tags: Any, options: Mapping[str, Any]
                           ) -> Iterator[tuple[int, Any, Any, Any]]:
    """Babel extractor for a Python module that keeps its English messages in tables.

    Yields, besides what Babel's Python extractor finds (``_``, ``gettext``, ``N_``, ``NP_``
    ...), every entry of the module's message tables:

    - ``MESSAGES = {"en": {key: text, ...}}`` and ``MESSAGES["en"].update({key: text, ...})``
      (the reports' tables): each text with its key as context (``pgettext(key, text)``); the
      options ``messages`` (another name than ``MESSAGES``) and ``context_prefix`` (put before
      the key) serve other such tables;
    - the tables named in the option ``tables`` (comma-separated module-level names, e.g.
      ``LABELS,LEVELS_5,SUPPORTS[1,2]``): each string of a dict's values or of a tuple or list,
      as a plain message; ``NAME[i,j]`` takes positions i and j of each row of a table of rows.
    """
    import ast
    import re

    from babel.messages.extract import extract_python

    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, cast(Any, options))
    tree = ast.parse(source)
    tables: dict[str, tuple[int, ...] | None] = {}
    for spec in re.findall(r"(\w+)(?:\[([\d,\s]+)\])?", str(options.get("tables", ""))):
        name, index = spec
        tables[name] = tuple(int(i) for i in index.split(",")) if index else None

    def strings(node: ast.AST, index: tuple[int, ...] | None) -> Iterator[tuple[int, str]]:
        """The string literals of a table: a string, a dict's values, a sequence's items (or,
        with ``index``, those positions of each of its rows)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.Dict):
            for v in node.values:
                yield from strings(v, index)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for item in node.elts:
                if index is not None and isinstance(item, (ast.Tuple, ast.List)):
                    for i in index:
                        if i < len(item.elts):
                            yield from strings(item.elts[i], None)
                else:
                    yield from strings(item, index)

    def entries(node: ast.AST) -> Iterator[tuple[int, str, str]]:
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if (isinstance(k, ast.Constant) and isinstance(k.value, str)
                        and isinstance(v, ast.Constant) and isinstance(v.value, str)):
                    yield v.lineno, k.value, v.value

    table = str(options.get("messages", "MESSAGES"))
    prefix = str(options.get("context_prefix", ""))

    def is_messages_en(node: ast.AST) -> bool:
        return (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
                and node.value.id == table and isinstance(node.slice, ast.Constant)
                and node.slice.value == "en")

    for node in ast.walk(tree):
        target: ast.AST | None = None
        value: ast.AST | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and value is not None:
            if target.id == table and isinstance(value, ast.Dict):
                for k, v in zip(value.keys, value.values):
                    if isinstance(k, ast.Constant) and k.value == "en":
                        for lineno, key, text in entries(v):
                            yield lineno, "pgettext", (prefix + key, text), []
            elif target.id in tables:
                for lineno, text in strings(value, tables[target.id]):
                    yield lineno, None, text, []
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "update" and is_messages_en(node.func.value)):
            for arg in node.args:
                for lineno, key, text in entries(arg):
                    yield lineno, "pgettext", (prefix + key, text), []


def extract_toml_labels(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Any,
                        options: Mapping[str, Any]
                        ) -> Iterator[tuple[int, Any, Any, Any]]:
    """Babel extractor for a TOML spec shipped with the package (the index preset the dashboard
    shows): the value of every key whose dotted path (tables of arrays count as their name) is
    in the option ``keys``, e.g. ``indicator.label,overall.tiers.labels``; a list value gives
    each of its strings."""
    import tomllib

    source = fileobj.read().decode("utf-8")
    wanted = {k.strip() for k in str(options.get("keys", "")).split(",") if k.strip()}
    lines = source.splitlines()

    def lineno_of(text: str) -> int:
        return next((i + 1 for i, line in enumerate(lines) if text in line), 1)

    def walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
        if isinstance(node, dict):
            for k, v in node.items():
                here = ".".join((*path, k))
                if here in wanted and isinstance(v, str):
                    yield v
                elif here in wanted and isinstance(v, list):
                    yield from (item for item in v if isinstance(item, str))
                else:
                    yield from walk(v, (*path, k))
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, path)

    for text in walk(tomllib.loads(source)):
        yield lineno_of(text), None, text, []


#: The messages of the web that are written as plain strings where they are raised or listed
#: (the outreach services' form errors, the "... saved." notes, the error pages' statuses and
#: the navigation), found by pattern in their files.
_WEB_PATTERNS = {
    "_cases.py": (r'errors\[("\w+"|\w+)\] = "([^"]+)"', r'FormError\(\{"\w+": "([^"]+)"\}\)'),
    "_routes.py": (r'"([A-Z][^"]+ saved\.)"', r'error = "([^"]+)"'),
    "_auth.py": (r'error = "([^"]+)"',),
    "dashboard/_routes.py": (r'extra\.append\(\("([^"]+)"', r'field="([^"]+)"',
                             r'_gettext\([^()]*\)\(\s*((?:"[^"]*"\s*)+)\)'),
    "dashboard/_present.py": (r'\.get\(\w+, "([^"]+)"\)\)',),
    # a school's level (the ``span`` column) is shown translated: the keys of LEVEL_WORDS
    "dashboard/_data.py": (r'"(\w+)": "\1 ',),
    "_app.py": (r'\d{3}: ((?:"[^"]*"\s*)+)', r'titles\.get\(exc\.status_code, "([^"]+)"\)',
                r'nav = \[\("([^"]+)"'),
}


def extract_web_extras(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Any,
                       options: Mapping[str, Any]
                       ) -> Iterator[tuple[int, Any, Any, Any]]:
    """Babel extractor for the web messages that are not gettext calls (see
    :data:`_WEB_PATTERNS`), besides what :func:`extract_message_tables` finds in the same file
    (with its option ``tables``). The option ``file`` names which patterns apply (a key of
    :data:`_WEB_PATTERNS`)."""
    import re

    source = fileobj.read().decode("utf-8")
    fileobj.seek(0)
    yield from extract_message_tables(fileobj, keywords, comment_tags, options)
    for pattern in _WEB_PATTERNS.get(str(options.get("file", "")), ()):
        for m in re.finditer(pattern, source):
            lineno = source.count("\n", 0, m.start()) + 1
            text = m.group(m.lastindex or 0)
            if text.startswith('"'):  # implicitly joined literals: join them
                text = "".join(re.findall(r'"([^"]*)"', text))
            if text:
                yield lineno, None, text, []
