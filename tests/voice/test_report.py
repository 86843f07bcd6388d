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
    html = out.read_text(encoding="utf-8")
    assert out.read_bytes() == again.read_bytes()
    from plotly.offline import get_plotlyjs

    assert get_plotlyjs() in html  # plotly.js inlined once
    ours = html.replace(get_plotlyjs(), "")
    assert not re.search(r"<script[^>]+src=", ours)  # no CDN
    assert not re.search(r"""(src|href)=["']https?://""", ours)  # no remote resource
    assert html.count("Plotly.newPlot") >= 6  # charts in each language
    for text in ("Who answered, and who is enrolled", "Quién respondió y quién está inscrito",
                 "Results by group", "Resultados por grupo", "Response rates",
                 "Tasas de respuesta", "I feel welcome at my child's school.",
                 "Me siento bienvenido/a en la escuela de mi hijo/a."):
        assert text in unescape(html), text
    # the 6-respondent group is named as hidden, in both languages (with the group hidden by
    # complementary suppression so that it cannot be recovered from the total)
    text = unescape(html)
    assert re.search(r"Not shown \(10 or fewer respondents\): [^<]*Foster youth or "
                     r"experiencing homelessness", text)
    assert re.search(r"No se muestran \(10 personas o menos\): [^<]*Jóvenes de crianza "
                     r"temporal o sin hogar", text)
    # quotes are scrubbed
    assert "555-01" not in html and "@example.org" not in html and "Camila" not in html
    assert (out.parent / "run_report.json").exists()


@pytest.mark.browser
def test_report_renders_charts_without_network(report, chromium_browser):
    out, _ = report
    page = chromium_browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(out.as_uri())
    page.wait_for_selector("div[lang=en] .main-svg")
    n_en = page.locator("div[lang=en] .js-plotly-plot").count()
    assert n_en >= 3
    assert page.locator("div[lang=es]").first.is_hidden()
    page.click("#lang")
    assert page.locator("div[lang=es]").first.is_visible()
    assert page.locator("div[lang=es] .js-plotly-plot").count() == n_en
    assert [u for u in requests if not u.startswith("file:")] == []
    page.close()

