"""List the interface's message ids (for the catalog check and for translators).

Sources: ``_("...")`` in every template, ``translate(request, "...")`` and ``_("...")`` in the
web code, the labels of stored codes, the form-validation messages of the outreach services, the
error-page messages and navigation labels. Run ``python -m equitable.web._messages`` to print the
ids missing from the Spanish catalog.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_file

_SRC = Path(__file__).resolve().parents[1]
_WEB = _SRC / "web"


def message_ids() -> list[str]:
    """Every message id of the web interface, in order of first appearance."""
    ids: list[str] = []
    for p in sorted(_WEB.rglob("*.html")):
        for _, msg, _, _ in extract_from_file("jinja2", str(p), keywords={"_": None,
                                                                          "gettext": None}):
            ids.append(msg)
    for p in sorted(_WEB.rglob("*.py")):
        for _, msg, _, _ in extract_from_file("python", str(p),
                                              keywords={"translate": (2,), "_": None}):
            ids.append(msg if isinstance(msg, str) else msg[-1])
    from equitable.web.outreach._labels import LABELS

    ids += list(LABELS.values())
    cases = (_SRC / "outreach" / "_cases.py").read_text(encoding="utf-8")
    ids += [m[1] for m in re.findall(r'errors\[("\w+"|\w+)\] = "([^"]+)"', cases)]
    ids += re.findall(r'FormError\(\{"\w+": "([^"]+)"\}\)', cases)
    routes = (_WEB / "outreach" / "_routes.py").read_text(encoding="utf-8")
    ids += re.findall(r'"([A-Z][^"]+ saved\.)"', routes)
    app = (_WEB / "_app.py").read_text(encoding="utf-8")
    # a status's message may be split over lines as implicitly joined literals: join them
    ids += ["".join(re.findall(r'"([^"]*)"', m))
            for m in re.findall(r'\d{3}: ((?:"[^"]*"\s*)+)', app)]
    ids += re.findall(r'titles\.get\(exc\.status_code, "([^"]+)"\)', app)
    ids += re.findall(r'nav = \[\("([^"]+)"', app)
    seen: dict[str, None] = {}
    for i in ids:
        if i:
            seen.setdefault(i, None)
    return list(seen)


def missing(lang: str) -> list[str]:
    """Message ids without a translation in ``lang``'s catalogs."""
    from babel.messages.pofile import read_po

    from equitable.web.i18n import catalog_files

    done: set[str] = set()
    for po in catalog_files(lang):
        with open(po, "rb") as fh:
            done |= {m.id for m in read_po(fh) if m.id and m.string}
    return [m for m in message_ids() if m not in done]


if __name__ == "__main__":  # pragma: no cover
    print("\n".join(missing("es")))
