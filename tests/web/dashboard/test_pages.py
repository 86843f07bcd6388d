"""Dashboard pages through the TestClient: every figure checked against schools.csv, the
community files or a hand computation written here."""

from __future__ import annotations

import io
import json
import re
from html import unescape

import pandas as pd
import pytest

from equitable.errors import InputError
from equitable.web.dashboard import NAV, load_results
from equitable.web.dashboard._data import ENROLLMENT_BANDS, enrollment_band
from equitable.web.dashboard._routes import COMMUNITY
from equitable.web.i18n import translations

PUBLIC = ["/", "/?q=School+1", "/map", "/explorer", "/methods"]


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def csv_of(response) -> pd.DataFrame:
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return pd.read_csv(io.StringIO(response.text), dtype={"cds_code": str, "geoid": str})


@pytest.mark.parametrize("path", PUBLIC)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_public_pages_answer_in_both_languages_without_login(client, path, lang):
    sep = "&" if "?" in path else "?"
    r = client.get(f"{path}{sep}lang={lang}")
    assert r.status_code == 200
    assert f'<html lang="{lang}">' in r.text
    assert r.headers["content-language"] == lang
    # no asset from another origin: every src/href is local
    for url in re.findall(r'(?:src|href)="([^"]+)"', r.text):
        assert not url.startswith(("http:", "https:", "//")), url


def test_finder_searches_name_cds_and_neighbourhood(client, results):
    s = results["schools"]
    # every word must appear in the CDS code, the name or the neighbourhood
    key = (s["cds_code"] + " " + s["school_name"] + " " + s["neighbourhood"].fillna("")).str.lower()
    want = s[key.str.contains("school") & key.str.contains("47")]
    assert 0 < len(want) < len(s)
    r = client.get("/?q=SCHOOL 47")
    assert f"{len(want)} schools match." in text_of(r.text)
    found = re.findall(r'href="/schools/(\d{14})"', r.text)
    assert found == list(want["cds_code"])  # rank order
    # by CDS code (a part of it)
    cds = s["cds_code"].iloc[5]
    assert re.findall(r'href="/schools/(\d{14})"', client.get(f"/?q={cds}").text) == [cds]
    # by neighbourhood, accents and case ignored
    hood = s["neighbourhood"].dropna().iloc[0]
    want = s[s["neighbourhood"] == hood]
    found = re.findall(r'href="/schools/(\d{14})"', client.get(f"/?q={hood.upper()}").text)
    assert set(found) >= set(want["cds_code"])
    r = client.get("/?q=zzzz")
    assert "No school matches your search." in r.text


def test_finder_csv_is_the_filtered_school_list(client, results):
    s = results["schools"]
    got = csv_of(client.get("/schools.csv?q=school 5"))
    key = (s["cds_code"] + " " + s["school_name"] + " " + s["neighbourhood"].fillna("")).str.lower()
    want = s[key.str.contains("school") & key.str.contains("5")]
    assert list(got["cds_code"]) == list(want["cds_code"])
    assert list(got["per_pupil_dollars"]) == list(want["per_pupil_dollars"])
    every = csv_of(client.get("/schools.csv"))
    assert len(every) == len(s) and every["allocation_dollars"].sum() == pytest.approx(
        s["amount_cents"].sum() / 100)


def test_tier_summary_on_the_finder(client, results):
    s = results["schools"]
    t = text_of(client.get("/").text)
    n1 = int((s["tier"] == "1 Highest").sum())
    students = int(s.loc[s["tier"] == "1 Highest", "enrollment"].sum())
    # the tier is named as a need level, never by its bare label
    assert f"Highest need {n1} {students:,}" in t


def test_school_page_figures(client, results):
    s = results["schools"]
    row = s.iloc[3]
    t = text_of(client.get(f"/schools/{row.cds_code}").text)
    assert row.school_name in t and row.cds_code in t
    assert f"Need score {row.score:.1f}" in t
    assert f"Rank {row['rank']} of {len(s)}" in t
    assert row.tier == "1 Highest" and "Need level Highest need" in t
    assert f"Allocation ${row.allocation_dollars:,.2f}" in t
    assert f"Per pupil ${row.per_pupil_dollars:,.2f}" in t
    # every figure of "Need and money" has its one-line explanation and source (the community
    # health and staffing sections below have one source line each)
    assert t.split("Community health")[0].count("Source:") == 5
    assert t.count("Source:") == 7
    assert "higher means more need" in t
    # indicators: value and percentile from schools.csv
    assert f"% English learners {row.el_pct:.1f} {row.el_pctl:.1f} 11.25%" in t
    # Board District from the crosswalk (the first 10 schools by rank are in district 1)
    assert "Board District 1" in t


def test_school_page_community_indicators(client, results):
    s, ces, svi = results["schools"], results["ces"], results["svi"]
    row = s[s["geoid"].notna()].iloc[0]
    ces_pctl = float(ces.loc["0" + ces["tract"] == row.geoid, "CES 4.0 Percentile"].iloc[0])
    svi_pctl = 100 * float(svi.loc[svi["FIPS"] == row.geoid, "RPL_THEMES"].iloc[0])
    t = text_of(client.get(f"/schools/{row.cds_code}").text)
    assert f"census tract {row.geoid}" in t
    assert f"CalEnviroScreen 4.0 percentile of the tract {ces_pctl:.1f}" in t
    assert f"Social Vulnerability Index (SVI) overall percentile {svi_pctl:.1f}" in t
    # SVI's -999 (missing) is shown as missing, never as a number
    assert "SVI minority status and language percentile —" in t
    got = csv_of(client.get(f"/schools/{row.cds_code}/community.csv"))
    assert got.set_index("code").loc["svi_overall_pctl", "percentile"] == pytest.approx(svi_pctl)
    assert got.set_index("code").loc["ces_pctl", "percentile"] == pytest.approx(ces_pctl)


def test_unplaced_school_says_its_neighbourhood_is_unknown(client, results):
    s = results["schools"]
    row = s[s["geoid"].isna()].iloc[0]
    t = text_of(client.get(f"/schools/{row.cds_code}").text)
    assert "could not be placed in a census tract" in t


def test_similar_schools_same_span_and_enrollment_band(client, results):
    s = results["schools"]
    row = s.iloc[0]
    lo, hi = enrollment_band(row.enrollment)
    band = s["enrollment"].map(lambda e: enrollment_band(e) == (lo, hi))
    peers = s[(s["span"] == row.span) & band]
    k = int((peers["score"] > row.score).sum()) + 1
    t = text_of(client.get(f"/schools/{row.cds_code}").text)
    assert f"{len(peers)} schools. Their median need score is {peers['score'].median():.1f}" in t
    assert f"this school's need score is number {k} among them" in t
    got = csv_of(client.get(f"/schools/{row.cds_code}/similar.csv"))
    assert sorted(got["cds_code"]) == sorted(peers["cds_code"])
    assert (ENROLLMENT_BANDS[0][0], ENROLLMENT_BANDS[-1][1]) == (0, None)


def test_school_indicator_csv(client, results):
    row = results["schools"].iloc[7]
    got = csv_of(client.get(f"/schools/{row.cds_code}/indicators.csv")).set_index("code")
    for code, pctl in [("frpm_pct", "frpm_pctl"), ("asthma_ed_rate", "asthma_pctl"),
                       ("math_not_met_pct", "math_not_met_pctl")]:
        assert got.loc[code, "value"] == pytest.approx(row[code], abs=1e-4)
        assert got.loc[code, "percentile"] == pytest.approx(row[pctl], abs=1e-4)
    assert got["weight"].sum() == pytest.approx(1.0)
    assert client.get(f"/schools/{row.cds_code}/nothing.csv").status_code == 404


def test_unknown_school_is_404(client):
    assert client.get("/schools/19999999999999").status_code == 404


def test_school_page_in_spanish(client, results):
    row = results["schools"].iloc[3]
    r = client.get(f"/schools/{row.cds_code}?lang=es")
    t = text_of(r.text)
    assert "Puntuación de necesidad" in t and "Escuelas parecidas" in t
    # Spanish number formatting (CLDR es_US: 1,234.5 uses a comma for thousands too), and
    # the tier label translated
    assert row.tier == "1 Highest" and "Nivel de necesidad Necesidad más alta" in t
    assert "Need score" not in t


def test_every_dynamic_label_has_a_spanish_translation(dashboard_data):
    es = translations("es")
    ids = [label for label, _ in NAV] + list(dashboard_data.tiers)
    ids += [i["label"] for i in dashboard_data.indicators] + [c[1] for c in COMMUNITY]
    ids += list(dashboard_data.schools["span"].unique())
    missing = [i for i in ids if es.gettext(i) == i and i != "k12"]
    assert missing == []


def test_map_filters_and_csv(client, results):
    s = results["schools"]
    r = client.get("/map?tier=2 High")
    want = s[s["tier"] == "2 High"]
    assert len(re.findall(r"<circle cx=[^>]*><title>", r.text)) == int(want["latitude"].notna().sum())
    assert f"{len(want)} schools" in text_of(r.text)
    got = csv_of(client.get("/map.csv?tier=2 High"))
    assert sorted(got["cds_code"]) == sorted(want["cds_code"])
    got = csv_of(client.get("/map.csv?district=2"))
    assert sorted(got["cds_code"]) == sorted(s["cds_code"][10:20])
    got = csv_of(client.get("/map.csv?district=unknown&span=middle"))
    assert sorted(got["cds_code"]) == sorted(s["cds_code"][20:][s["span"][20:] == "middle"])
    assert client.get("/map?tier=9 Nope").status_code == 422
    assert client.get("/map?district=99").status_code == 422


def test_tract_layer_has_every_tract(client, results):
    r = client.get("/map/tracts.svg")
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.count("<path ") == len(results["ces"])  # 6 x 6 = 36 square tracts


def test_explorer_default_rule_reproduces_the_run(client, results):
    s = results["schools"]
    t = text_of(client.get("/explorer").text)
    assert f"0 schools would gain, 0 would lose and {len(s)} would stay the same" in t
    got = csv_of(client.get("/explorer.csv"))
    assert (got["scenario_cents"] == got["baseline_cents"]).all()


def test_explorer_score_rule_winners_and_losers(client, results):
    s = results["schools"].set_index("cds_code")
    budget_cents = int(s["amount_cents"].sum())
    q = "rule=score&base_weight=1&need_weight=0.02"
    got = csv_of(client.get("/explorer.csv?" + q)).set_index("cds_code")
    assert int(got["scenario_cents"].sum()) == budget_cents  # exact to the cent
    # hand computation: amount_i = B * e_i (1 + 0.02 score_i) / sum_j e_j (1 + 0.02 score_j)
    w = s["enrollment"] * (1 + 0.02 * s["score"])
    quota = budget_cents * w / w.sum()
    assert (got["scenario_cents"] - quota.loc[got.index]).abs().max() < 1.0
    change = got["scenario_cents"] - s.loc[got.index, "amount_cents"]
    assert (got["change_cents"] == change).all()
    t = text_of(client.get("/explorer?" + q).text)
    assert (f"{int((change > 0).sum())} schools would gain, {int((change < 0).sum())} would "
            "lose") in t
    top = change.sort_values(ascending=False).index[0]
    assert re.search(r"Largest gains.*?href=\"/schools/(\d{14})\"",
                     client.get("/explorer?" + q).text, re.DOTALL).group(1) == top


def test_explorer_per_pupil_rule_gives_equal_amounts(client, results):
    got = csv_of(client.get("/explorer.csv?rule=per_pupil&budget=1000000"))
    assert int(got["scenario_cents"].sum()) == 100_000_000
    pp = got["scenario_cents"] / got["enrollment"]
    assert pp.max() - pp.min() < 1 / got["enrollment"].min() + 1e-9


def test_explorer_bad_input_is_a_one_line_message(client):
    r = client.get("/explorer?budget=lots")
    assert r.status_code == 400
    assert re.search(r'role="alert">([^<]*)<', r.text).group(1) == \
        "budget: &#39;lots&#39; is not a number"
    r = client.get("/explorer?budget=lots&lang=es")
    assert re.search(r'role="alert">([^<]*)<', r.text).group(1) == \
        "presupuesto: «lots» no es un número"
    r = client.get("/explorer?w1=-2&lang=es")
    assert "peso de «Necesidad más alta»: debe ser cero o más, no «-2»" in r.text
    r = client.get("/explorer?w1=abc&lang=en")
    assert "weight of “Highest need”: &#39;abc&#39; is not a number" in r.text
    assert client.get("/explorer.csv?w2=-1&lang=en").text.startswith("Error: weight of “High need”:")
    assert client.get("/explorer?rule=magic").status_code == 422


def test_methods_page_from_the_spec_and_run(client, results, dashboard_data):
    from equitable.index import explain

    t = text_of(client.get("/methods").text)
    for line in explain(dashboard_data.spec).splitlines():
        line = line.strip().removeprefix("- ")
        if line:
            assert line in t
    run = json.loads((results["out"] / "run.json").read_text())
    got = csv_of(client.get("/methods/tiers.csv")).set_index("tier")
    for tier, n in run["extra"]["tier_counts"].items():
        assert got.loc[tier, "schools"] == n
        assert got.loc[tier, "per_pupil_dollars"] == pytest.approx(
            run["extra"]["rates_dollars"][tier])
    assert got["allocation_cents"].sum() == run["extra"]["total_cents"]
    assert run["inputs"]["schools"]["sha256"] in t


def test_no_results_folder_is_503(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from equitable.web import create_app, load_settings

    monkeypatch.setenv("EQUITABLE_DASHBOARD_RESULTS", str(tmp_path / "none"))
    app = create_app(load_settings(dev=True, database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    with TestClient(app) as c:
        assert c.get("/").status_code == 503
        assert c.get("/healthz").status_code == 200


def test_results_folder_from_the_environment(tmp_path, monkeypatch, results):
    from fastapi.testclient import TestClient

    from equitable.web import create_app, load_settings

    monkeypatch.setenv("EQUITABLE_DASHBOARD_RESULTS", str(results["out"]))
    monkeypatch.setenv("EQUITABLE_DATA_DIR", str(results["data"]))
    app = create_app(load_settings(dev=True, database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    with TestClient(app) as c:
        row = results["schools"].iloc[0]
        assert row.school_name in c.get(f"/schools/{row.cds_code}").text


def test_load_errors_name_the_file_row_and_column(tmp_path, results):
    with pytest.raises(InputError) as e:
        load_results(tmp_path / "missing")
    assert str(e.value).startswith(f"{tmp_path / 'missing'}: results folder not found")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "run.json").write_text((results["out"] / "run.json").read_text())
    lines = (results["out"] / "schools.csv").read_text().splitlines()
    lines[3] = "1964733," + lines[3].split(",", 1)[1]
    (bad / "schools.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as e:
        load_results(bad, data_folder=results["data"])
    assert str(e.value) == f"{bad / 'schools.csv'}, row 4, column 'cds_code': a CDS code is 14 digits"
    (bad / "run.json").write_text("{not json")
    with pytest.raises(InputError) as e:
        load_results(bad)
    assert str(e.value).startswith(f"{bad / 'run.json'}, row 1: not valid JSON")
