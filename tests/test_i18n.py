"""One message catalogue per language: every message the code and templates use is translated in
every shipped language, the template messages.pot is up to date, and a new language is one
catalogue file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from equitable import i18n

ROOT = Path(__file__).resolve().parents[1]
POT = ROOT / "src" / "equitable" / "locale" / "messages.pot"

#: ``$name`` / ``${name}`` (string.Template, the notices), ``{name}`` (str.format, the reports)
#: and ``%(name)s`` / ``%d`` (gettext's python-format).
_PLACEHOLDER = re.compile(r"\$\{?[A-Za-z_]\w*\}?|\{(\w*)\}|%\((\w+)\)[sdifr]|%[sdifr]")


def placeholders(text: str) -> list[str]:
    """The placeholders of ``text``, sorted: ``"{n} of %(num)d%% $x"`` ->
    ``["$x", "%(num)d", "{n}"]``."""
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text.replace("%%", "")))


def problems(extracted: Catalog, catalogue: Catalog) -> list[str]:
    """What is wrong with ``catalogue`` against the ``extracted`` messages: a message missing or
    untranslated, fuzzy, with another number of plural forms than the language has, or whose
    translation has other placeholders than its message id (of a plural message: no form has a
    placeholder the ids lack, and the forms together have them all)."""
    out = []
    for m in extracted:
        if not m.id:
            continue
        name = f"{m.context + ': ' if m.context else ''}{m.id!r}"
        got = catalogue.get(m.id, context=m.context)
        if got is None:
            out.append(f"missing {name}")
            continue
        if got.fuzzy:
            out.append(f"fuzzy {name}")
        strings = [got.string] if isinstance(got.string, str) else list(got.string)
        if not all(strings):
            out.append(f"untranslated {name}")
            continue
        if isinstance(m.id, tuple) and len(strings) != catalogue.num_plurals:
            out.append(f"{len(strings)} plural forms, not {catalogue.num_plurals}: {name}")
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        want = sorted(set().union(*(placeholders(i) for i in ids)))
        if isinstance(m.id, str):
            if sorted(set(placeholders(strings[0]))) != want:
                out.append(f"placeholders {placeholders(strings[0])} != {want}: {name}")
        else:  # a plural form may leave out the number ("el último día"), but none adds one
            got = [set(placeholders(s)) for s in strings]
            if any(g - set(want) for g in got) or sorted(set().union(*got)) != want:
                out.append(f"placeholders {sorted(set().union(*got))} != {want}: {name}")
    return out


def _shipped() -> list[str]:
    return [lang for lang in i18n.available_languages() if lang != i18n.SOURCE_LANGUAGE]


def test_spanish_is_shipped_and_found_by_its_catalogue():
    assert i18n.available_languages() == ("en", "es")
    assert i18n.catalogue_file("es") == POT.parent / "es" / "LC_MESSAGES" / "messages.po"
    assert i18n.language_name("es") == "Español"


def test_every_message_in_code_and_templates_is_translated_in_every_language():
    extracted = i18n.extract_catalogue(ROOT)
    ids = {(m.context, m.id) for m in extracted if m.id}
    # the four stores merged into the one catalogue are all extracted: a web template message,
    # a form error of the outreach services, a reason code (plural) and a report key (context)
    assert (None, "Outreach queue") in ids
    assert (None, "Choose why the case is closed.") in ids
    assert (None, ("Absent %(num)d day in a row", "Absent %(num)d days in a row")) in ids
    assert ("title", "School need tiers and allocation") in ids
    assert ("event_kind", "vaccination clinic") in ids  # the notices of `equitable sites`
    assert len(ids) > 700
    for lang in _shipped():
        with open(i18n.catalogue_file(lang), "rb") as fh:
            catalogue = read_po(fh, locale=lang)
        assert problems(extracted, catalogue) == [], lang


def test_the_check_finds_a_missing_a_fuzzy_and_a_wrong_placeholder_translation():
    extracted = Catalog()
    extracted.add("Sign in")
    extracted.add("Missing %(num)d day", context=None)
    extracted.add("{n} schools", context="subtitle")
    extracted.add("Phone: $phone.", context="notice_phone")
    extracted.add("Outreach queue")
    extracted.add(("%(num)d site", "%(num)d sites"))
    extracted.add(("the last day", "the last %(num)s days"))
    extracted.add(("%(num)s week", "%(num)s weeks"))
    po = Catalog(locale="es")
    po.add("Sign in", "Iniciar sesión", flags=["fuzzy"])
    po.add("Missing %(num)d day", "Sin asistencia %(días)d día")
    po.add("{n} schools", "{n} escuelas", context="subtitle")
    po.add("Phone: $phone.", "Teléfono: $telefono.", context="notice_phone")
    po.add(("%(num)d site", "%(num)d sites"), ("%(num)d sitio", "%(num)d sitios"))
    po.add(("the last day", "the last %(num)s days"),  # right: the singular needs no number
           ("el último día", "los últimos %(num)s días", "los últimos %(num)s días"))
    po.add(("%(num)s week", "%(num)s weeks"), ("una semana", "semanas", "semanas"))
    assert problems(extracted, po) == [
        "fuzzy 'Sign in'",
        "placeholders ['%(días)d'] != ['%(num)d']: 'Missing %(num)d day'",
        "placeholders ['$telefono'] != ['$phone']: notice_phone: 'Phone: $phone.'",
        "missing 'Outreach queue'",
        "2 plural forms, not 3: ('%(num)d site', '%(num)d sites')",
        "placeholders [] != ['%(num)s']: ('%(num)s week', '%(num)s weeks')",
    ]


def test_messages_pot_is_up_to_date():
    """src/equitable/locale/messages.pot is what ``pybabel extract -F pyproject.toml`` writes
    now (the header's dates aside): the same messages, contexts, flags and files, in order."""
    def entries(catalog: Catalog) -> list[tuple]:
        return [(m.context, m.id, sorted(m.flags - {"fuzzy"}), sorted({f for f, _ in m.locations}))
                for m in catalog if m.id]

    with open(POT, "rb") as fh:
        pot = read_po(fh)
    assert entries(pot) == entries(i18n.extract_catalogue(ROOT)), (
        "run `pybabel extract -F pyproject.toml` from the repository's root (docs/translating.md)")


@pytest.fixture
def xx_language(new_language):
    """A copy of the Spanish catalogue as a new language ``xx`` (each translation marked
    ``[xx]``): adding a language is adding this one file."""
    new_language("xx", "[xx] ")


def test_a_new_language_is_one_catalogue(xx_language):
    from equitable.engagement._reason_codes import Reason, reason_label
    from equitable.report._messages import t, tier_label
    from equitable.web.i18n import catalog_files, translations

    assert i18n.available_languages() == ("en", "es", "xx")
    # the reports
    assert t("xx", "title") == "[xx] Niveles de necesidad de las escuelas y asignación de fondos"
    assert t("xx", "subtitle", n_schools=3, n_students=10, budget="$1") == \
        "[xx] 3 escuelas, 10 estudiantes, presupuesto $1"
    assert tier_label("xx", "1 Highest") == "1 [xx] Más alta"
    # the web pages
    assert catalog_files("xx") == [i18n.LOCALE_DIR / "xx" / "LC_MESSAGES" / "messages.po"]
    assert translations("xx").gettext("Outreach queue") == "[xx] Cola de contacto"
    assert translations("xx-MX").ngettext("%(num)d school", "%(num)d schools", 2) == \
        "[xx] %(num)d escuelas"
    # the reason codes of the CSV exports and notices
    assert reason_label(Reason("absent_streak", (("days", 24),)), "xx") == \
        "[xx] Ausente 24 días seguidos"
    # Spanish and English are untouched
    assert t("es", "title") == "Niveles de necesidad de las escuelas y asignación de fondos"
    assert t("en", "title") == "School need tiers and allocation"
