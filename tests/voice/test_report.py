"""The bilingual HTML report: offline, both languages, privacy, deterministic, renders."""

from __future__ import annotations

import re
from html import unescape

import pytest

from equitable.voice import synth_survey
from equitable.voice._pipeline import _write_csv, report_file

MARGINS = """variable,category,population
race_ethnicity,hispanic,7400
race_ethnicity,black,800
race_ethnicity,white,1000
race_ethnicity,asian,400
race_ethnicity,other,400
school,19647330100289,2500
school,19647330102434,2500
school,19647331931047,2500
school,19647336015954,2500
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory, instrument_path):
    from equitable.voice import load_instrument

    inst = load_instrument(instrument_path)
    tmp = tmp_path_factory.mktemp("report")
    d = synth_survey(inst, 300, seed=4)
    # a tiny fifth group: 6 respondents with student_group "foster_homeless" stay hidden
    sg = d.respondents["student_group"].where(d.respondents["student_group"]
                                              != "foster_homeless", "none")
    sg.iloc[:6] = "foster_homeless"
    d.respondents["student_group"] = sg
    folder = tmp / "s"
    folder.mkdir()
    _write_csv(d.responses, folder / "responses.csv")
    _write_csv(d.respondents, folder / "respondents.csv")
    (tmp / "m.csv").write_text(MARGINS)
    out = report_file(instrument_path, folder, tmp / "out" / "report.html",
                      by=["student_group", "language"], margins_path=tmp / "m.csv",
                      enrollment_path=tmp / "m.csv")
    again = report_file(instrument_path, folder, tmp / "out2" / "report.html",
                        by=["student_group", "language"], margins_path=tmp / "m.csv",
                        enrollment_path=tmp / "m.csv")
    return out, again


def test_report_is_offline_bilingual_and_deterministic(report):
    out, again = report
    es = out.with_name("report.es.html")
    pages = {"en": out.read_text(encoding="utf-8"), "es": es.read_text(encoding="utf-8")}
    assert out.read_bytes() == again.read_bytes()
    assert es.read_bytes() == again.with_name("report.es.html").read_bytes()
    from plotly.offline import get_plotlyjs
    from tests.report.pages import check_page_frame

    for lang, html in pages.items():
        assert html.count(get_plotlyjs()) == 1  # plotly.js inlined once
        ours = html.replace(get_plotlyjs(), "")
        assert not re.search(r"<script[^>]+src=", ours)  # no CDN
        assert not re.search(r"""(src|href)=["']https?://""", ours)  # no remote resource
        assert html.count("Plotly.newPlot") >= 3  # who answered, and results by two breakdowns
        check_page_frame(html, lang, "report.es.html" if lang == "en" else "report.html")
    for lang, texts in {"en": ("Who answered, and who is enrolled", "Results by group",
                               "Response rates", "I feel welcome at my child's school."),
                        "es": ("Quién respondió y quién está inscrito", "Resultados por grupo",
                               "Tasas de respuesta",
                               "Me siento bienvenido/a en la escuela de mi hijo/a.")}.items():
        for text in texts:
            assert text in unescape(pages[lang]), (lang, text)
    assert "Resultados por grupo" not in unescape(pages["en"])
    assert "Results by group" not in unescape(pages["es"])
    # the 6-respondent group is named as hidden, in both languages (with the group hidden by
    # complementary suppression so that it cannot be recovered from the total)
    assert re.search(r"Not shown \(10 or fewer respondents\): [^<]*Foster youth or "
                     r"experiencing homelessness", unescape(pages["en"]))
    assert re.search(r"No se muestran \(10 personas o menos\): [^<]*Jóvenes de crianza "
                     r"temporal o sin hogar", unescape(pages["es"]))
    # quotes are scrubbed
    for html in pages.values():
        assert "555-01" not in html and "@example.org" not in html and "Camila" not in html
    import json

    record = json.loads((out.parent / "run_report.json").read_text(encoding="utf-8"))
    assert sorted(record["outputs"]) == ["report.es.html", "report.html"]


def test_report_table_shows_the_percent_favorable_counted_from_the_answers(report,
                                                                         instrument_path):
    """The table of every question: each item's respondents and unweighted percent favorable
    are those counted here from responses.csv (answers in the scale's favorable set over the
    respondents who answered), in both pages."""
    import pandas as pd
    from tests.report.pages import as_records, read_tables

    from equitable.voice import load_instrument

    out, _ = report
    inst = load_instrument(instrument_path)
    resp = pd.read_csv(out.parent.parent / "s" / "responses.csv", dtype=str,
                       keep_default_na=False)
    checked = 0
    for lang, name in (("en", "report.html"), ("es", "report.es.html")):
        rows = as_records(read_tables((out.parent / name).read_text(encoding="utf-8"))
                          ["questions-table"])
        by_text = {r["Question" if lang == "en" else "Pregunta"]: r for r in rows}
        for item in inst.scored_items():
            answers = resp[(resp["item"] == item) & (resp["response"] != "")]
            fav = set(inst.scales[inst.item_map[item].scale].favorable)
            n, k = answers["respondent_id"].nunique(), int(answers["response"].isin(fav).sum())
            row = by_text[inst.text(item, lang)]
            assert row["Respondents" if lang == "en" else "Personas"] == f"{n:,}"
            shown = row["Unweighted" if lang == "en" else "Sin ponderar"]
            assert shown.startswith(f"{100 * k / n:.1f}% ("), (item, shown, k, n)
            checked += 1
    assert checked == 2 * len(inst.scored_items()) >= 8


@pytest.mark.browser
def test_report_renders_charts_without_network(report, chromium_browser):
    out, _ = report
    page = chromium_browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(out.as_uri())
    page.wait_for_selector(".js-plotly-plot .main-svg")
    n_en = page.locator(".js-plotly-plot").count()
    assert n_en >= 3
    assert page.evaluate("document.documentElement.lang") == "en"
    page.click("header a[hreflang=es]")  # the switch: the Spanish page beside it
    page.wait_for_selector(".js-plotly-plot .main-svg")
    assert page.url.endswith("/report.es.html")
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.locator(".js-plotly-plot").count() == n_en
    assert [u for u in requests if not u.startswith("file:")] == []
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", ["report.html", "report.es.html"])
def test_report_on_a_phone_has_no_sideways_scroll_and_no_axe_violation(report, chromium_browser,
                                                                       name):
    from tests.report.pages import check_in_chromium

    out, _ = report
    check_in_chromium(chromium_browser, out.with_name(name), 390, 844)
