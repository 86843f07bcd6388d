"""The shared page writer (equitable.report._page, issue 19 item 4): its cell formats and
escaping, and the scenario comparison written on it (compare.html, compare.es.html): the frame
of every page, the tables' values against schools.csv and figures worked out by hand, and the
page on a phone in Chromium (no sideways scroll, axe-core clean)."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd
import pytest
from tests.report.pages import as_records, check_in_chromium, check_page_frame, read_tables

from equitable.report._page import format_cell, render_page

# Five schools; Echo (8 students) is a tier of its own, so its count is suppressed.
SCHOOLS = """cds_code,school_name,enrollment,pct_frpm,total_ppe,tier
01000000000001,Alpha,100,90,10000,1
01000000000002,Beta,200,70,11000,1
01000000000003,Gamma,300,50,12000,2
01000000000004,Delta,400,30,13000,2
01000000000005,Echo <b>,8,0,9000,3
"""
# flat: $1 per pupil (1,008 pupils). need: pupils x share low income = 90 + 140 + 150 + 120 + 0
# = 500 weighted pupils for $1,000 -> $2 each: Alpha $180, Beta $280, Gamma $300, Delta $240,
# Echo $0.
FLAT = 'kind = "proportional"\nlabel = "flat"\nbudget = 1008\nbase_weight = 1\n'
NEED = ('kind = "proportional"\nlabel = "need"\nbudget = 1000\nneed_column = "pct_frpm"\n'
        'need_scale = "percent"\n')


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    from equitable.cli import main

    d = tmp_path_factory.mktemp("cmp")
    (d / "schools.csv").write_text(SCHOOLS, encoding="utf-8")
    (d / "flat.toml").write_text(FLAT, encoding="utf-8")
    (d / "need.toml").write_text(NEED, encoding="utf-8")
    for out in ("out", "again"):
        with pytest.raises(SystemExit) as exit_:
            main(["compare", str(d / "flat.toml"), str(d / "need.toml"), "--schools",
                  str(d / "schools.csv"), "-o", str(d / out)])
        assert exit_.value.code in (0, None)
    return d


def test_cells_money_counts_percents_and_the_privacy_mark():
    assert format_cell("en", -150, "money") == "-$150.00"
    assert format_cell("es", 1234.5, "money") == "$1,234.50"
    assert format_cell("en", 1234, "int") == "1,234"
    assert format_cell("en", 0.298, "pct") == "29.8%"
    assert format_cell("en", 45.25, "pct100") == "45.2%"  # Babel rounds half to even
    assert format_cell("en", 2 / 3, "num") == "0.6667"
    assert format_cell("en", "*", "int") == "*"
    assert format_cell("en", float("nan"), "money") == "" and format_cell("en", None) == ""
    with pytest.raises(ValueError, match="cell kind 'dollars'"):
        format_cell("en", 1, "dollars")


def test_render_page_escapes_and_frames_a_page():
    html = render_page("compare.html.j2", "es", title="<script>x</script>",
                       other_href="compare.html", baseline="a&b", scenarios="s", tables=[],
                       spending=[], figures=[], method=["C < 0"], caveats=["nota <i>"],
                       sources=[{"label": "Escenario a", "file": "a.toml"}])
    check_page_frame(html, "es", "compare.html")
    assert "<title>&lt;script&gt;x&lt;/script&gt;</title>" in html
    assert "<li>C &lt; 0</li>" in html and "nota &lt;i&gt;" in html
    assert "Base: a&amp;b." in html
    assert "<h2>Notas y advertencias</h2>" in html and "<code>a.toml</code>" in html


def test_compare_pages_in_english_and_spanish(compared):
    out = compared / "out"
    pages = {"en": (out / "compare.html").read_text(encoding="utf-8"),
             "es": (out / "compare.es.html").read_text(encoding="utf-8")}
    check_page_frame(pages["en"], "en", "compare.es.html")
    check_page_frame(pages["es"], "es", "compare.html")
    for name in ("compare.html", "compare.es.html"):  # same inputs, same bytes
        assert (out / name).read_bytes() == (compared / "again" / name).read_bytes()
    assert "Echo &lt;b&gt;" not in pages["en"]  # school names are not shown on the page...
    assert "<b>" not in re.sub(r"<script.*?</script>", "", pages["en"], flags=re.DOTALL)
    es = unescape(pages["es"])
    for text in ("Escenarios de asignación comparados", "Escuelas que ganan", "Por nivel",
                 "Dólares trasladados ($)", "Curvas de concentración", "Método"):
        assert text in es, text
    assert "Winners and losers" not in es and "Schools gaining" not in es
    assert "Concentration curves" in unescape(pages["en"])


def test_compare_tables_are_the_csv_and_the_hand_worked_figures(compared):
    out = compared / "out"
    csv = pd.read_csv(out / "schools.csv", dtype={"cds_code": str})
    # the per-school table: the change is the hand-worked one
    assert csv["need_change_cents"].tolist() == [8000, 8000, 0, -16000, -800]
    for lang, name in (("en", "compare.html"), ("es", "compare.es.html")):
        tables = read_tables((out / name).read_text(encoding="utf-8"))
        (win,) = as_records(tables["winners-table"])
        gain, lose, moved = (("Schools gaining", "Schools losing", "Dollars moved ($)")
                             if lang == "en" else
                             ("Escuelas que ganan", "Escuelas que pierden",
                              "Dólares trasladados ($)"))
        ch = csv["need_change_cents"]
        assert win[gain] == str(int((ch > 0).sum())) == "2"
        assert win[lose] == str(int((ch < 0).sum())) == "2"
        assert win[moved] == f"${ch[ch > 0].sum() / 100:,.2f}" == "$160.00"
        assert list(win.values())[-1] == "-$160.00"  # Delta's loss, the sign first
        tiers = {r[0]: r for r in tables["tiers-table"][1:]}
        # tier 1 = Alpha + Beta: 300 students, flat $300, need $180 + $280 = $460
        assert tiers["1"][1:3] == ["300", "$300.00"]
        assert "$460.00" in tiers["1"] and "$1.53" in tiers["1"]  # $460 / 300 pupils
        assert tiers["3"][1] == "*"  # Echo's 8 students: suppressed, shown as the mark
        summary = {r[0]: r[1:] for r in tables["summary-table"][1:]}
        head = "Allocation ($)" if lang == "en" else "Asignación ($)"
        assert summary[head] == ["$1,008.00", "$1,000.00"]


@pytest.mark.browser
@pytest.mark.parametrize("name", ["compare.html", "compare.es.html"])
def test_compare_page_on_a_phone_has_no_sideways_scroll_and_no_axe_violation(
        compared, chromium_browser, name):
    check_in_chromium(chromium_browser, compared / "out" / name, 390, 844)
