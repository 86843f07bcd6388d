"""Helpers of the tests of the shared HTML pages (equitable.report._page): read a page's tables
with the standard library's HTML parser, and check what every page must have."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._id: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._n = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._n += 1
            self._id = dict(attrs).get("id") or f"table-{self._n}"
            self.tables[self._id] = []
        elif tag == "tr" and self._id is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._id is not None:
            self.tables[self._id].append(self._row)
            self._row = None
        elif tag == "table":
            self._id = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_tables(html: str) -> dict[str, list[list[str]]]:
    """Every ``<table>`` of a page by its id: its rows (header row first), each a list of the
    cells' text (entities decoded, white space collapsed)."""
    p = _Tables()
    p.feed(html)
    return p.tables


def as_records(table: list[list[str]]) -> list[dict[str, str]]:
    """A table's body rows as dicts keyed by the header row."""
    head, *rows = table
    return [dict(zip(head, r)) for r in rows]


def check_page_frame(html: str, lang: str, other_href: str | None) -> None:
    """What the base template gives every page: ``<html lang>``, the viewport, one stylesheet in
    the page, a skip link to ``<main id="main">``, the link to the other language, the footer,
    and no script or stylesheet from the network (plotly.js inlined)."""
    assert html.startswith("<!DOCTYPE html>\n")
    assert f'<html lang="{lang}">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert html.count("<style>") == 1
    assert '<a class="skip-link" href="#main">' in html and '<main id="main">' in html
    other = "es" if lang == "en" else "en"
    if other_href is None:  # a page in one language: no switch link
        assert "hreflang=" not in html
    else:
        assert f'<a href="{other_href}" hreflang="{other}">' in html
    assert re.search(r'<footer><p class="muted">[^<]*equitable \d', html)
    # nothing from the network: no <script src>, no <link> (stylesheet, font), no http(s) url
    # in a src or href
    assert not re.search(r"<script[^>]*\bsrc=", html)
    outside = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.DOTALL)
    assert "<link" not in outside
    assert not re.search(r"""\b(src|href)=["']?(https?:)?//""", outside)


def axe_path() -> str:
    """axe-core from npm (``npm ci`` at the repository root installs it); a missing copy fails
    the test where the data and tools are required (CI, EQUITABLE_REQUIRE_DATA), else skips."""
    import os
    from pathlib import Path

    import pytest

    path = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        if os.environ.get("CI") or os.environ.get("EQUITABLE_REQUIRE_DATA"):
            pytest.fail(f"{path} is missing: run 'npm ci' at the repository root")
        pytest.skip(f"{path} is missing (run 'npm ci' at the repository root)")
    return str(path)


def check_in_chromium(browser, path, width: int = 390, height: int = 844) -> dict:
    """Open the page from disk at ``width`` x ``height``: it loads nothing but itself, the page
    never scrolls sideways and no element reaches past the right edge (plotly's clipped data
    layer aside, as for report.html), and axe-core finds no WCAG 2.1 A/AA violation. Returns
    the overflow measurement (``vw``, ``scroll``, ``bad``)."""
    from tests.web.dashboard.test_browser import AXE_TAGS
    from tests.web.dashboard.test_report_browser import REPORT_OVERFLOW_JS

    axe = axe_path()
    context = browser.new_context(viewport={"width": width, "height": height},
                                  device_scale_factor=1)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(path.as_uri())
        if page.locator(".plotly-graph-div").count():  # a page with charts: drawn first
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
        got = page.evaluate(REPORT_OVERFLOW_JS)
        assert got["scroll"] <= got["vw"] == width, got
        assert got["bad"] == [], got
        page.add_script_tag(path=axe)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        assert [(v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"]] == []
        assert result["passes"]
    finally:
        context.close()
    assert all(u.startswith("file://") for u in requests), requests
    return got
