"""Site selection on a small hand-made geography where every answer is worked out by hand.

Five schools on the equator (1/100 degree of longitude = 1.112 km): A, B, C 2.224 km apart in a
row, D and E far away. With straight-line reach 2.5 km (detour 1.0), site B reaches A, B and C;
every other site reaches only itself.

    school  lon   students  need weight  VEM quartile   weighted students reached by a site there
    A       0.00  100       1            3              A+B = 200
    B       0.02  100       1            3              A+B+C = 300
    C       0.04  100       1            3              B+C = 200
    D       0.20  250       1            1              250
    E       0.50  120       2            3              240
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from equitable.cli import main
from equitable.errors import InputError
from equitable.health import choose_sites


def schools() -> pd.DataFrame:
    return pd.DataFrame({
        "school_id": list("ABCDE"), "students": [100, 100, 100, 250, 120],
        "latitude": [0.0] * 5, "longitude": [0.0, 0.02, 0.04, 0.20, 0.50],
        "need_weight": [1, 1, 1, 1, 2.0], "vem_quartile": pd.array([3, 3, 3, 1, 3], dtype="Int64"),
    })


def sites(existing: str = "") -> pd.DataFrame:
    s = schools()
    return pd.DataFrame({"site_id": s["school_id"], "latitude": s["latitude"],
                         "longitude": s["longitude"], "name": s["school_id"],
                         "existing": [c in existing for c in "ABCDE"]})


def pick(r) -> list[str]:
    return r.sites["site_id"].tolist()


def test_optimum_beats_the_largest_and_the_highest_need_school():
    r = choose_sites(schools(), sites(), 1, max_km=2.5, detour=1.0, candidates_are_schools=True)
    assert pick(r) == ["B"] and r.status == "optimal" and r.gap == 0
    assert r.objective == pytest.approx(300)
    c = r.comparisons.set_index("choice")
    # naive: the largest school is D (250 reached), the highest-need school is E (240 weighted)
    assert c.loc["1 largest schools", "weighted_served"] == pytest.approx(250)
    assert c.loc["1 highest-need schools", "weighted_served"] == pytest.approx(240)
    assert c.loc["1 highest-need schools", "students_served"] == pytest.approx(120)
    # 300 of 670 students served; D and E are deserts, 20.015 km from B (0.18 degree)
    assert c.loc["optimal", "served_pct"] == pytest.approx(100 * 300 / 670, abs=1e-4)
    t = r.schools.set_index("school_id")
    assert t["reached"].tolist() == [True, True, True, False, False]
    assert t.loc["A", "site_id"] == "B" and t.loc["A", "travel"] == pytest.approx(2.224, abs=1e-3)
    assert t.loc["D", "nearest_travel"] == pytest.approx(20.015, abs=1e-3)


def test_two_sites_and_their_marginal_gains():
    r = choose_sites(schools(), sites(), 2, max_km=2.5, detour=1.0)
    assert pick(r) == ["B", "D"]  # in order of marginal gain
    assert r.sites["marginal_weighted_gain"].tolist() == [300, 250]
    assert r.sites["schools_served"].tolist() == [3, 1]
    assert r.objective == pytest.approx(550)


def test_detour_factor_shrinks_the_reach():
    # 2.224 km x 1.4 = 3.11 km > 2.5: each site reaches only its own school -> D (250) wins
    r = choose_sites(schools(), sites(), 1, max_km=2.5)
    assert pick(r) == ["D"] and r.objective == pytest.approx(250)


def test_min_q1_share_binding():
    # the unconstrained optimum B serves no quartile-1 student; 40% forces D (250 < 300)
    r = choose_sites(schools(), sites(), 1, max_km=2.5, detour=1.0, min_q1_share=0.4)
    assert pick(r) == ["D"] and r.objective == pytest.approx(250)
    assert r.min_share_binding is True
    c = r.comparisons.set_index("choice")
    assert c.loc["optimal", "q1_share_pct"] == 100
    assert c.loc["optimal without the minimum share", "weighted_served"] == pytest.approx(300)


def test_min_q1_share_not_binding():
    # K = 2: B + D serve 550 students, 250 in quartile 1 = 45.45% >= 40%: same optimum
    r = choose_sites(schools(), sites(), 2, max_km=2.5, detour=1.0, min_q1_share=0.4)
    assert sorted(pick(r)) == ["B", "D"] and r.objective == pytest.approx(550)
    assert r.min_share_binding is False
    assert r.comparisons.loc[0, "q1_share_pct"] == pytest.approx(100 * 250 / 550, abs=1e-4)


def test_existing_site_counts_as_covering():
    # B already open (A, B, C served): the one new site is D (250) rather than E (240)
    r = choose_sites(schools(), sites(existing="B"), 1, max_km=2.5, detour=1.0)
    assert pick(r) == ["B", "D"]
    assert r.sites["existing"].tolist() == [True, False]
    assert np.isnan(r.sites.loc[0, "marginal_weighted_gain"])
    assert r.sites.loc[1, "marginal_weighted_gain"] == 250
    assert r.objective == pytest.approx(550)


def test_capacity_per_site():
    # 150 students per site: B can serve only 150 of its 300, D 150 of 250, E all 120 (x2 = 240)
    r = choose_sites(schools(), sites(), 1, max_km=2.5, detour=1.0, capacity=150)
    assert pick(r) == ["E"] and r.objective == pytest.approx(240)
    r2 = choose_sites(schools(), sites(), 2, max_km=2.5, detour=1.0, capacity=150)
    # E 240 + one of B or D at 150 = 390
    assert r2.objective == pytest.approx(390)
    assert r2.schools["served_share"].mul(r2.schools["students"]).sum() == pytest.approx(270)


def test_travel_time_matrix_replaces_distances():
    tt = pd.DataFrame({"from_id": ["A", "C", "E", "D"], "to_id": ["E", "E", "E", "D"],
                       "minutes": [10.0, 14.0, 0.0, 0.0]})
    # within 15 minutes, a site at E reaches A, C and E: 100 + 100 + 240 = 440 > D's 250
    r = choose_sites(schools(), sites(), 1, travel_minutes=tt, max_minutes=15)
    assert pick(r) == ["E"] and r.objective == pytest.approx(440) and r.unit == "min"


def test_k_larger_than_candidates():
    with pytest.raises(InputError) as e:
        choose_sites(schools(), sites(), 6, max_km=2.5)
    assert str(e.value) == "K = 6 is more than the 5 candidate sites that are not already open"


# ---- the CLI on files --------------------------------------------------------------------------

def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def write_schools(path, rows=None):
    s = schools().rename(columns={"school_id": "cds_code"})
    s["school_name"] = [f"School {c}" for c in "ABCDE"]
    s.to_csv(path, index=False)
    if rows is not None:
        path.write_text(path.read_text() + rows)
    return path


def test_cli_writes_sites_coverage_deserts_and_notices(tmp_path, capsys):
    src = write_schools(tmp_path / "schools.csv")
    langs = tmp_path / "languages.csv"
    langs.write_text("cds_code,language,students\nA,spanish,40\nA,korean,12\nB,korean,3\n"
                     "C,armenian,30\nD,korean,50\n")
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "sites", str(src), "-k", "1", "--max-km", "2.5",
                            "--detour", "1", "-o", str(out), "--event-kind", "clinic",
                            "--event-date", "17 October 2026", "--event-time", "9 am - 1 pm",
                            "--bring", "the vaccination card", "--bring-es",
                            "la tarjeta de vacunación", "--contact", "the main office",
                            "--languages", str(langs))
    assert (code, err) == (0, "")
    assert stdout.splitlines()[0] == (f"1 sites (optimal, gap 0.0000%): 300 students served "
                                      f"(44.78%), VEM quartile 1 share 0.00% -> {out}")
    assert "  schools outside every site's reach: 2 (370 students)" in stdout
    cov = pd.read_csv(out / "coverage.csv", dtype=str).set_index(["group_type", "group"])
    assert cov.loc[("vem_quartile", "3"), "students"] == "420"
    assert cov.loc[("vem_quartile", "3"), "students_served"] == "300.0"
    assert cov.loc[("vem_quartile", "1"), "served_pct"] == "0.0"
    # no school in quartiles 2 or 4: a group of 0 students is suppressed, never shown as 0
    assert cov.loc[("vem_quartile", "2"), "students"] == "*"
    from equitable.privacy import assert_no_disclosure

    assert_no_disclosure(pd.read_csv(out / "coverage.csv", dtype=str, keep_default_na=False),
                         count_col="students", group_cols=["group_type", "group"])
    assert pd.read_csv(out / "deserts.csv", dtype=str)["school_id"].tolist() == ["D", "E"]
    notices = pd.read_csv(out / "notices.csv", dtype=str)
    assert len(notices) == 6  # A, B, C x English, Spanish
    es = notices[(notices["school_id"] == "A") & (notices["language"] == "spanish")]["text"].iloc[0]
    assert "clínica de vacunación gratuita para los estudiantes y las familias de School A" in es
    assert "el 17 October 2026, 9 am - 1 pm, en School B" in es and "la tarjeta de vacunación" in es
    # languages without a template, per site: korean 12 + 3 = 15 (A, B), armenian 30 (C);
    # D is not served. 15 and 30 are above 10 so they are shown
    miss = pd.read_csv(out / "notices_missing_languages.csv", dtype=str)
    assert miss.values.tolist() == [["B", "armenian", "30"], ["B", "korean", "15"]]
    assert_no_disclosure(pd.read_csv(out / "notices_missing_languages.csv", dtype=str),
                         count_col="students", group_cols=["site_id", "language"])
    record = json.loads((out / "run.json").read_text())
    assert record["command"] == "sites" and record["extra"]["status"] == "optimal"
    assert record["spec"]["k"] == 1 and set(record["inputs"]) == {"schools", "languages"}


def test_cli_same_inputs_same_bytes(tmp_path, capsys):
    src = write_schools(tmp_path / "schools.csv")
    outs = []
    for name in ("a", "b"):
        assert run(capsys, "sites", str(src), "-k", "2", "--max-km", "2.5", "-o",
                   str(tmp_path / name))[0] == 0
        outs.append({p.name: p.read_bytes() for p in sorted((tmp_path / name).iterdir())})
    assert outs[0] == outs[1]


def test_school_without_coordinates_is_left_out_and_said(tmp_path, capsys):
    src = write_schools(tmp_path / "schools.csv", rows="F,40,,,1,2,School F\n")
    code, stdout, _ = run(capsys, "sites", str(src), "-k", "1", "--max-km", "2.5", "--detour",
                          "1", "-o", str(tmp_path / "o"))
    assert code == 0
    assert "  note: 1 school(s) without coordinates left out (line 7; 40 students)" in stdout
    assert "1 school(s) without coordinates left out" in json.loads(
        (tmp_path / "o" / "run.json").read_text())["extra"]["notes"][0]


@pytest.mark.parametrize(("edit", "args", "message"), [
    (None, ["-k", "9"], "K = 9 is more than the 5 candidate sites that are not already open"),
    ("B2,100,95.2,0.02,1,3,School B2\n", ["-k", "1"],
     "{src}, row 7, column 'latitude': 95.2 is not a latitude (-90 to 90 degrees)"),
    ("G,100,0,181,1,3,School G\n", ["-k", "1"],
     "{src}, row 7, column 'longitude': 181 is not a longitude (-180 to 180 degrees)"),
    ("A,100,0,0.03,1,3,School A2\n", ["-k", "1"],
     "{src}, row 7, column 'cds_code': duplicate school id (first on line 2)"),
    ("H,-5,0,0.03,1,3,School H\n", ["-k", "1"],
     "{src}, row 7, column 'students': -5 is not a student count >= 0"),
    (None, ["-k", "1", "--min-q1-share", "40"],
     ("The 'min_q1_share' parameter of choose_sites must be a share between 0 and 1 "
      "(e.g. 0.4). Got 40.0 instead.")),
])
def test_bad_school_input_one_clear_line(tmp_path, capsys, edit, args, message):
    src = write_schools(tmp_path / "schools.csv", rows=edit)
    code, _, err = run(capsys, "sites", str(src), "--max-km", "2.5", "-o",
                       str(tmp_path / "o"), *args)
    assert code == 1
    assert err == f"Error: {message.format(src=src)}\n"


@pytest.mark.parametrize(("body", "message"), [
    ("site_id,latitude,longitude\nS1,0,0\nS2,0,0.1\nS1,0,0.2\n",
     "{cand}, row 4, column 'site_id': duplicate site id (first on line 2)"),
    ("site_id,latitude,longitude\nS1,-91,0\n",
     "{cand}, row 2, column 'latitude': -91 is not a latitude (-90 to 90 degrees)"),
    ("site_id,latitude,longitude,existing\nS1,0,0,maybe\n",
     "{cand}, row 2, column 'existing': 'maybe' is not true/false (yes/no, 1/0)"),
    ("site_id,latitude,longitude\nS1,0,0\n",
     "K = 2 is more than the 1 candidate sites that are not already open"),
])
def test_bad_candidate_file_one_clear_line(tmp_path, capsys, body, message):
    src = write_schools(tmp_path / "schools.csv")
    cand = tmp_path / "candidates.csv"
    cand.write_text(body)
    code, _, err = run(capsys, "sites", str(src), "-k", "2", "--max-km", "2.5",
                       "--candidates", str(cand), "-o", str(tmp_path / "o"))
    assert code == 1
    assert err == f"Error: {message.format(cand=cand)}\n"


def test_min_share_counts_every_reached_school():
    # P (quartile 1, 100 students) and N (quartile 3, 400) are 1.1 km apart; R (quartile 1, 30)
    # is far. A site at P or N reaches both: 100 / 500 = 20% < 40%, so the rule cannot be met
    # there by leaving N's reached students uncounted; the only site meeting it is R (30).
    s = pd.DataFrame({"school_id": ["P", "N", "R"], "students": [100, 400, 30],
                      "latitude": [0.0] * 3, "longitude": [0.0, 0.01, 0.3],
                      "need_weight": [1.0] * 3, "vem_quartile": pd.array([1, 3, 1], dtype="Int64")})
    c = pd.DataFrame({"site_id": s["school_id"], "latitude": s["latitude"],
                      "longitude": s["longitude"], "existing": False})
    r = choose_sites(s, c, 1, max_km=2.5, detour=1.0, min_q1_share=0.4)
    assert pick(r) == ["R"] and r.objective == pytest.approx(30)
    assert r.schools["served_share"].tolist() == [0, 0, 1]
    assert r.comparisons.loc[1, "weighted_served"] == pytest.approx(500)  # without the rule


def test_cli_writes_the_map_page_in_english_and_spanish(tmp_path, capsys):
    src = write_schools(tmp_path / "schools.csv")
    out = tmp_path / "o"
    assert run(capsys, "sites", str(src), "-k", "1", "--max-km", "2.5", "--detour", "1",
               "-o", str(out))[0] == 0
    en = (out / "sites.html").read_text(encoding="utf-8")
    es = (out / "sites.es.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in en and '<html lang="es">' in es
    assert "cdn" not in en.lower().split("<script")[0]  # plotly inline, nothing fetched
    from tests.report.pages import check_page_frame, read_tables

    check_page_frame(en, "en", "sites.es.html")
    check_page_frame(es, "es", "sites.html")
    assert "<h2>Students served by Vaccine Equity Metric quartile</h2>" in en
    assert "<h2>Estudiantes atendidos por cuartil de la Métrica de Equidad de Vacunas" in es
    # the coverage table: quartile 3 is A, B, C, E (4 schools, 420 students), A-C served (300)
    assert ["VEM quartile", "3", "4", "420", "300", "71.43"] in [
        r[:6] for r in read_tables(en)["coverage-table"]]
    assert ["cuartil VEM", "3", "4", "420", "300", "71.43"] in [
        r[:6] for r in read_tables(es)["coverage-table"]]
    assert "school out of reach" in en and "escuela fuera de alcance" in es


@pytest.mark.parametrize(("args", "message"), [
    (["--event-kind", "party", "--event-date", "d", "--event-time", "t", "--bring", "b",
      "--contact", "c"], "event kind must be one of clinic, information. Got 'party'"),
    (["--event-kind", "clinic", "--event-time", "t", "--bring", "b", "--contact", "c"],
     "event: 'date' is needed for the notices"),
    (["--languages", "languages.csv"],
     ("--languages needs the event (--event-date, --event-time, --bring, --contact) to write "
      "the notices")),
])
def test_bad_notice_options_one_clear_line(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "languages.csv").write_text("cds_code,language,students\nA,korean,12\n")
    src = write_schools(tmp_path / "schools.csv")
    code, _, err = run(capsys, "sites", str(src), "-k", "1", "--max-km", "2.5", "-o",
                       str(tmp_path / "o"), *args)
    assert (code, err) == (1, f"Error: {message}\n")


def test_travel_time_pair_naming_an_unknown_school(tmp_path):
    tt = pd.DataFrame({"from_id": ["A", "Z"], "to_id": ["E", "E"], "minutes": [10.0, 5.0]})
    with pytest.raises(InputError) as e:
        choose_sites(schools(), sites(), 1, travel_minutes=tt, max_minutes=15)
    assert str(e.value) == ("travel-time table, row 3: from_id is not a school of the schools "
                            "table (1 such row(s))")


def test_cli_candidate_file_with_an_existing_clinic_and_capacities(tmp_path, capsys):
    # clinic K1 already open at B (reaches A, B, C; capacity 1000), candidates at D and E with
    # capacities 200 and 500: a site at D serves 200 of D's 250 (weighted 200), one at E all
    # 120 x 2 = 240 > 200, so the E site is chosen
    src = write_schools(tmp_path / "schools.csv")
    cand = tmp_path / "clinics.csv"
    cand.write_text("site_id,name,latitude,longitude,capacity,existing\n"
                    "K1,Clinic One,0,0.02,1000,yes\nK2,Clinic Two,0,0.2,200,no\n"
                    "K3,Clinic Three,0,0.5,500,no\n")
    out = tmp_path / "o"
    code, stdout, err = run(capsys, "sites", str(src), "-k", "1", "--max-km", "2.5", "--detour",
                            "1", "--candidates", str(cand), "-o", str(out))
    assert (code, err) == (0, "")
    s = pd.read_csv(out / "sites.csv", dtype=str)
    assert s["site_id"].tolist() == ["K1", "K3"] and s["existing"].tolist() == ["True", "False"]
    assert s["students_served"].tolist() == ["300", "120"]
    assert stdout.startswith("2 sites (optimal, gap 0.0000%): 420 students served (62.69%)")
    # candidates are not the schools: no naive comparison, said by its absence
    assert pd.read_csv(out / "comparison.csv")["choice"].tolist() == ["optimal"]


def test_median_model_minimises_truncated_travel():
    # need-weighted travel, capped at 2.5 km, for one site (w x s: A, B, C 100, D 250, E 240):
    #   B: 100 x 2.224 + 0 + 100 x 2.224 + 250 x 2.5 + 240 x 2.5 = 1,669.8
    #   D: 300 x 2.5 + 0 + 240 x 2.5 = 1,350      E: 300 x 2.5 + 250 x 2.5 + 0 = 1,375
    #   A (or C): 0 + 222.4 + 250 + 625 + 600 = 1,697.4
    # so the median model picks D, where maximal covering picks B
    r = choose_sites(schools(), sites(), 1, max_km=2.5, detour=1.0, model="median",
                     candidates_are_schools=True)
    assert pick(r) == ["D"] and r.status == "optimal"
    c = r.comparisons.set_index("choice")
    assert c.loc["optimal", "weighted_mean_travel"] == pytest.approx(1350 / 790, abs=1e-4)
    # the naive "largest school" choice is D too; the covering optimum B travels more
    cov = choose_sites(schools(), sites(), 1, max_km=2.5, detour=1.0)
    assert cov.comparisons.loc[0, "weighted_mean_travel"] == pytest.approx(
        (2 * 100 * 2.2239 + 250 * 2.5 + 240 * 2.5) / 790, abs=1e-3)
    with pytest.raises(InputError, match="must be 'covering' or 'median'"):
        choose_sites(schools(), sites(), 1, max_km=2.5, model="center")


@pytest.mark.browser
@pytest.mark.parametrize("name", ["sites.html", "sites.es.html"])
def test_sites_page_on_a_phone_has_no_sideways_scroll_and_no_axe_violation(
        tmp_path, capsys, chromium_browser, name):
    from tests.report.pages import check_in_chromium

    src = write_schools(tmp_path / "schools.csv")
    out = tmp_path / "o"
    assert run(capsys, "sites", str(src), "-k", "1", "--max-km", "2.5", "--detour", "1",
               "-o", str(out))[0] == 0
    check_in_chromium(chromium_browser, out / name, 390, 844)
