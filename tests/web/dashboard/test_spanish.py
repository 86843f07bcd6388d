"""No English on a Spanish page: every public page in Spanish is walked and fails on any string
of the English catalogue (a message id whose Spanish differs), on column codes and on file
names given as sources."""

from __future__ import annotations

import re
from html import unescape

from babel.messages.pofile import read_po

from equitable.web.i18n import catalog_files

_FIELD = re.compile(r"%\(\w+\)[sd]|%[sd]")


def english_fragments() -> set[str]:
    """Pieces of English that must not appear on a Spanish page: each translated message id of
    the web (the catalogue's messages without a context) split at its placeholders, keeping
    pieces of at least two words or 5 letters."""
    out: set[str] = set()
    for po in catalog_files("es"):
        with open(po, "rb") as fh:
            for m in read_po(fh):
                if not m.id or not m.string or isinstance(m.id, tuple) or m.context:
                    continue  # (a message with a context is the reports' and workbooks')
                if m.string == m.id:
                    continue  # a proper noun or an acronym: the same in both languages
                for piece in _FIELD.split(m.id):
                    piece = piece.strip(" .,:;()“”'\"·-")
                    if len(piece) >= 5 or " " in piece:
                        out.add(piece)
    return out


def visible_text(html: str) -> str:
    """The page's text as a reader (or a screen reader) meets it: text nodes plus aria-label,
    title, alt and placeholder attributes; scripts and styles left out."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    attrs = re.findall(r'\b(?:aria-label|title|alt|placeholder|data-label)="([^"]*)"', html)
    text = re.sub(r"<[^>]+>", " ", html)
    return unescape(re.sub(r"\s+", " ", text + " " + " ".join(attrs)))


def english_on(text: str, fragments: set[str]) -> list[str]:
    found = []
    for f in fragments:
        if re.search(r"(?<![\w])" + re.escape(f) + r"(?![\w])", text):
            found.append(f)
    return sorted(found)


def spanish_pages(schools) -> list[str]:
    from tests.web.dashboard.conftest import SCHOOL_A

    placed = schools[schools["geoid"].notna()]["cds_code"].tolist()
    # the school pages' community health and staff sections: the hand-staffed school, a school
    # given the nearest tract, schools in each VEM quartile or without one
    nearest = schools[schools["placement"] == "nearest tract centroid"]["cds_code"].tolist()
    unplaced = schools[schools["geoid"].isna()]["cds_code"].tolist()
    missing = schools[schools["missing_indicators"].notna()]["cds_code"].tolist() \
        if "missing_indicators" in schools else []
    return ["/", "/?q=school", "/?q=zzzz", *(f"/schools/{c}" for c in
                                             (placed[:2] + unplaced[:1] + missing[:2]
                                              + [SCHOOL_A] + nearest[:1])),
            "/map", "/map?tier=1+Highest", "/explorer", "/explorer?rule=score&need_weight=0.05",
            "/explorer?budget=lots", "/explorer?w1=-1", "/explorer?need_weight=x&rule=score",
            "/methods", "/staffing", "/sites"]


def test_the_fragment_list_catches_english(client):
    frags = english_fragments()
    assert "Highest need" in frags and "Find a school" in frags
    # the check itself: the English page is full of them, so it would catch one left over
    assert len(english_on(visible_text(client.get("/?lang=en").text), frags)) > 10


def test_no_english_string_on_a_spanish_page(client, results):
    frags = english_fragments()
    bad = {}
    for path in spanish_pages(results["schools"]):
        sep = "&" if "?" in path else "?"
        r = client.get(f"{path}{sep}lang=es")
        assert r.status_code in (200, 400), path
        t = visible_text(r.text.replace('lang="en" hreflang="en">English<', ">"))
        # proper names stay as they are: the schools' names and the language switch
        for name in sorted(results["schools"]["school_name"], key=len, reverse=True):
            t = t.replace(name, " ")
        t = t.replace(">English<", "").replace(" English ", " ")
        found = english_on(t, frags)
        # column codes and file names are for the technical details only
        found += re.findall(r"\b[a-z]+_[a-z_]+\b", t.split("Detalles técnicos")[0])
        found += re.findall(r"\b[\w-]+\.(?:csv|geojson|json)\b", t.split("Detalles técnicos")[0])
        if found:
            bad[path] = found
    assert bad == {}
