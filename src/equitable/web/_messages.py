"""List the interface's message ids (for the catalogue check and for translators).

The messages are those ``pybabel extract`` finds with the project's ``[tool.babel]`` mapping
(:func:`equitable.i18n.extract_catalogue`): ``_("...")`` in every template, ``translate(request,
"...")`` and ``_("...")`` in the web code, the labels of stored codes, the form-validation
messages of the outreach services, the error-page messages and navigation labels, and the
reports' and reason codes' messages of the same catalogue. Run ``python -m
equitable.web._messages`` to print the ids missing from the Spanish catalogue.
"""

from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parents[3]


def message_ids() -> list[str]:
    """Every message id without a context (the web's and the reason codes'), in order of first
    appearance; a plural message is given by its singular id."""
    from equitable.i18n import extract_catalogue

    ids: list[str] = []
    for m in extract_catalogue(_ROOT):
        if m.id and not m.context:
            ids.append(m.id if isinstance(m.id, str) else m.id[0])
    return ids


def missing(lang: str) -> list[str]:
    """Message ids without a translation (or only a fuzzy one) in ``lang``'s catalogue."""
    from babel.messages.pofile import read_po

    from equitable.web.i18n import catalog_files

    done: set[str] = set()
    for po in catalog_files(lang):
        with open(po, "rb") as fh:
            for m in read_po(fh):
                strings = [m.string] if isinstance(m.string, str) else list(m.string or ())
                if m.id and not m.context and not m.fuzzy and all(strings):
                    done.add(m.id if isinstance(m.id, str) else m.id[0])
    return [m for m in message_ids() if m not in done]


if __name__ == "__main__":  # pragma: no cover
    print("\n".join(missing("es")))
