"""Acceptance: `equitable run examples/lausd.toml` on the real public data.

One library run and one console-script run (default output folder) are shared by the tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitable import __version__
from equitable.data import read_frpm
from equitable.pipeline import run
from equitable.provenance import sha256_file

pytestmark = pytest.mark.data

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "examples" / "lausd.toml"
TIERS = ["1 Highest", "2 High", "3 Moderate", "4 Low", "5 Lowest"]
TIER_WEIGHTS = {"1 Highest": 1.5, "2 High": 1.25, "3 Moderate": 1.0, "4 Low": 0.75,
                "5 Lowest": 0.5}
# seni-style preset weights (src/equitable/index/presets/seni-style.toml)
WEIGHTS = {"frpm_pctl": 0.225, "el_pctl": 0.1125, "swd_pctl": 0.1125, "ela_not_met_pctl": 0.175,
           "math_not_met_pctl": 0.175, "asthma_pctl": 0.08, "poverty_pctl": 0.06,
           "linguistic_isolation_pctl": 0.06}


@pytest.fixture(scope="module")
def result(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("lausd")
    return run(CONFIG, out_dir=out, data_dir=data_dir)


@pytest.fixture(scope="module")
def schools(result) -> pd.DataFrame:
    return pd.read_csv(result.out_dir / "schools.csv", dtype={"cds_code": str, "geoid": str})


def test_writes_the_five_files(result):
    for name in ("schools.csv", "allocation.xlsx", "allocation.es.xlsx", "report.html",
                 "report.es.html", "run.json"):
        assert (result.out_dir / name).stat().st_size > 0, name


def test_every_active_district_run_school_gets_a_tier(result, schools, data_dir):
    # Active and district-run, decided from CDE's FRPM 2023-24: non-charter, or an affiliated
    # (locally funded) charter. Computed here straight from the FRPM file.
    frpm = read_frpm(data_dir / "cde/frpm_2023_24_los_angeles_county.csv")
    lausd = pd.read_csv(data_dir / "lausd/schools_2024_25.csv", dtype={"cds": str})
    f = frpm.set_index("cds_code").loc[lausd["cds"]]
    district_run = (f["charter"] == "N") | (
        (f["charter"] == "Y") & (f["charter_funding_type"] == "Locally funded"))
    assert int(district_run.sum()) == 651
    assert int((f["charter"] == "Y").sum()) == 51  # affiliated charters, all locally funded
    assert len(schools) == 651
    assert set(schools["cds_code"]) == set(lausd["cds"])
    assert schools["tier"].isin(TIERS).all()
    assert result.excluded == {}
    # quintiles by rank, by hand: tier t holds ranks r with floor((r - 1) * 5 / 651) = t - 1
    expected = pd.Series(np.floor((np.arange(1, 652) - 1) * 5 / 651).astype(int) + 1)
    assert expected.value_counts().sort_index().tolist() == [131, 130, 130, 130, 130]
    assert schools["tier"].value_counts().reindex(TIERS).tolist() == [131, 130, 130, 130, 130]
    assert result.tier_counts == dict(zip(TIERS, [131, 130, 130, 130, 130]))


def test_allocations_add_up_to_the_budget_to_the_cent(result, schools):
    assert schools["amount_cents"].dtype == np.int64
    assert int(schools["amount_cents"].sum()) == 70_000_000_000  # $700,000,000.00
    assert result.total_cents == result.budget_cents == 70_000_000_000
    cents = schools["amount_cents"]
    text = (cents // 100).astype(str) + "." + (cents % 100).astype(str).str.zfill(2)
    assert (schools["allocation_dollars"].map(lambda v: f"{v:.2f}") == text).all()


def test_rates_solved_by_hand(schools):
    # rate_t = w_t * budget / sum_i(enrollment_i * w_tier(i)); each school within a cent of
    # enrollment x rate (largest-remainder rounding moves a school by less than one cent)
    w = schools["tier"].map(TIER_WEIGHTS)
    lam = 70_000_000_000 / float((schools["enrollment"] * w).sum())  # cents per weighted pupil
    exact = schools["enrollment"] * w * lam
    assert (schools["amount_cents"] - exact).abs().max() < 1.0
    per_pupil = schools.groupby("tier")["per_pupil_dollars"].agg(["min", "max"])
    assert (per_pupil["max"] - per_pupil["min"]).max() <= 0.011
    assert per_pupil.loc["1 Highest", "min"] / per_pupil.loc["5 Lowest", "min"] == \
        pytest.approx(3.0, abs=0.001)


def test_percentiles_and_score_by_hand(schools):
    # percentile rank (rank - 1) / (N - 1) x 100, ties at the lowest rank, 4 decimals
    v = schools["frpm_pct"]
    below = np.array([(v < x).sum() for x in v])
    expected = np.round(below / (len(v) - 1) * 100, 4)
    assert np.allclose(schools["frpm_pctl"], expected, atol=1e-9)
    # "not meeting" = 100 - % met, and more not meeting = more need
    lausd_math = schools["math_not_met_pct"]
    assert lausd_math.between(0, 100).all()
    # score = weighted mean of the percentiles for a school with every indicator
    complete = schools[schools["missing_indicators"].isna()]
    assert len(complete) >= 640
    by_hand = sum(complete[c] * w for c, w in WEIGHTS.items())
    assert np.allclose(complete["score"], by_hand, atol=6e-4)
    # the highest-need tier is poorer than the lowest-need tier
    mean = schools.groupby("tier")["frpm_pct"].mean()
    assert mean["1 Highest"] > mean["5 Lowest"] + 20


def test_unplaced_school_keeps_student_indicators_and_is_flagged(schools):
    row = schools.set_index("cds_code").loc["19647330137091"]  # opened after January 2018
    assert row["placement"] == "not placed"
    assert pd.isna(row["geoid"]) and pd.isna(row["asthma_pctl"])
    assert row["frpm_pctl"] > 0 and row["tier"] in TIERS
    assert "reweighted: asthma_ed_rate, poverty_pct, linguistic_isolation_pct" in \
        row["missing_indicators"]
    # the score reweights the student and academic percentiles (community weights removed)
    present = {c: w for c, w in WEIGHTS.items() if c not in
               ("asthma_pctl", "poverty_pctl", "linguistic_isolation_pctl")}
    by_hand = sum(row[c] * w for c, w in present.items()) / sum(present.values())
    assert row["score"] == pytest.approx(by_hand, abs=6e-4)


def test_geoids_are_padded_strings(schools):
    g = schools["geoid"].dropna()
    assert g.str.fullmatch(r"06037\d{6}").all()
    assert schools["cds_code"].str.fullmatch(r"1964733\d{7}").all()
    assert set(schools["placement"]) == {"tract polygon", "nearest tract centroid", "not placed"}


def test_run_json_records_inputs_outputs_and_version(result, data_dir):
    rec = json.loads((result.out_dir / "run.json").read_text())
    assert rec["version"] == __version__
    assert rec["command"] == "run"
    assert rec["inputs"]["schools"]["sha256"] == sha256_file(
        data_dir / "lausd/schools_2024_25.csv")
    assert rec["inputs"]["frpm"]["file"] == "frpm_2023_24_los_angeles_county.csv"
    assert rec["outputs"]["schools.csv"] == sha256_file(result.out_dir / "schools.csv")
    assert rec["spec"]["index"]["name"] == "seni-style"
    assert rec["spec"]["config"]["allocation"]["budget"] == 700000000
    assert rec["extra"]["total_cents"] == 70_000_000_000


def test_console_script_default_folder_and_byte_identical_rerun(result, data_dir, tmp_path):
    env = {"EQUITABLE_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "equitable.cli", "run", str(CONFIG)],
                       capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    assert r.returncode == 0, r.stderr
    assert "Ranked 651 schools (1 Highest: 131, 2 High: 130, 3 Moderate: 130, 4 Low: 130, " \
           "5 Lowest: 130)." in r.stdout
    assert "Allocated $700,000,000.00 of $700,000,000.00." in r.stdout
    out = tmp_path / "out" / "lausd"
    assert (out / "schools.csv").read_bytes() == (result.out_dir / "schools.csv").read_bytes()
    assert (out / "allocation.xlsx").read_bytes() == \
        (result.out_dir / "allocation.xlsx").read_bytes()
    assert (out / "run.json").read_bytes() == (result.out_dir / "run.json").read_bytes()


def _summary_rows(ws, title: str) -> dict:
    """Label -> row values of the Summary section titled ``title`` (to the next blank row)."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    out = {}
    for r in rows[start + 2:]:
        if all(v is None for v in r):
            break
        out[r[0]] = r
    return out


def test_workbook_for_a_budget_analyst(result):
    import openpyxl

    wb = openpyxl.load_workbook(result.out_dir / "allocation.xlsx")
    assert wb.sheetnames == ["Summary", "Schools", "Caveats"]
    summ = wb["Summary"]
    assert [summ.cell(5, c).value for c in range(1, 11)] == [
        "Tier", "Schools", "Students", "Lowest score in the tier (cut score)",
        "Highest score in the tier", "Rate per pupil ($)", "Allocation ($)",
        "Dollars per pupil ($)", "Share of students (%)", "Share of dollars (%)"]
    assert [summ.cell(r, 1).value for r in range(6, 11)] == TIERS
    assert summ.cell(11, 7).value == "=SUM(G6:G10)"
    assert sum(summ.cell(r, 7).value for r in range(6, 11)) == pytest.approx(700_000_000, abs=1e-4)
    assert summ.cell(6, 7).number_format == "$#,##0.00"
    assert summ.freeze_panes == "B6"
    sch = wb["Schools"]
    assert sch.freeze_panes == "E2"
    assert sch.auto_filter.ref.startswith("A1:") and sch.auto_filter.ref.endswith("652")
    assert sch.max_row == 654  # 651 schools, a blank row, the total row
    head = [c.value for c in sch[1]]
    assert head[2] == "CDS code" and "English learners" not in head
    assert "Student groups: % English learners (percentile)" in head
    assert sch.cell(2, 3).value == "19647336104814" or len(str(sch.cell(2, 3).value)) == 14
    assert sch.cell(2, head.index("Allocation ($)") + 1).number_format == "$#,##0.00"
    assert sch.column_dimensions["D"].width > 30
    rules = {k: v[1] for k, v in _summary_rows(summ, "Rules and settings").items()}
    assert rules["Budget ($)"] == 700_000_000
    assert rules["Per-pupil weight, tier 1 Highest"] == 1.5
    # CDE's shares beside enrollment name their source (PRIVACY.md, section 3a)
    assert rules["Republished figures"] == (
        "frpm_pct, el_pct, swd_pct: California Department of Education, as published "
        "(schools_2024_25.csv); shown unchanged, no count of students derived")


@pytest.mark.browser
@pytest.mark.parametrize("name,lang", [("report.html", "en"), ("report.es.html", "es")])
def test_report_opens_offline_and_shows_the_map(result, schools, chromium_browser, name, lang):
    page = chromium_browser.new_page()
    failed: list[str] = []
    requests: list[str] = []
    page.on("requestfailed", lambda req: failed.append(req.url))
    page.on("request", lambda req: requests.append(req.url))
    try:
        page.goto((result.out_dir / name).as_uri())
        page.wait_for_selector("#map .main-svg", timeout=30_000)
        assert failed == []
        assert all(u.startswith("file://") for u in requests), requests
        assert page.locator("html").get_attribute("lang") == lang
        placed = int((schools["placement"] != "not placed").sum())
        assert page.locator("#map .scatterlayer .point").count() == placed == 650
        assert page.locator("#tier-table tbody tr").count() == 5
        assert page.locator("#shares .main-svg").count() >= 1
        assert page.locator("#distribution .main-svg").count() >= 1
        total = page.locator("#tier-table tfoot td").nth(4).inner_text()
        assert total == "$700,000,000"
        # equity metrics from equitable.allocate: dollars concentrated among high-need students
        equity = page.locator("#equity-text").inner_text()
        assert ("concentration index is -0." if lang == "en" else
                "concentración es -0.") in equity
        heading = page.locator("#methods h2").inner_text()
        assert heading == ("Methods" if lang == "en" else "Métodos")
    finally:
        page.close()


def test_tier_cut_scores_are_recorded_in_run_json_and_equal_schools_csv(result, schools):
    # the lowest score of each tier but the last, computed here from schools.csv (whose score
    # column is rounded to 4 decimals; the cut scores are the index's own 6-decimal scores)
    by_hand = [float(schools.loc[schools["tier"] == t, "score"].min()) for t in TIERS[:-1]]
    record = json.loads((result.out_dir / "run.json").read_text(encoding="utf-8"))["extra"]["tiers"]
    assert record["cut_scores"] == pytest.approx(by_hand, abs=0.5e-4)
    agg = result.computation.index.aggregated
    tier = result.computation.index.table["tier"]
    assert record["cut_scores"] == [float(agg["score"][tier == t].min()) for t in TIERS[:-1]]
    assert [t["units"] for t in record["tiers"]] == [131, 130, 130, 130, 130]
    assert record["untied_counts"] == [131, 130, 130, 130, 130] and record["warnings"] == []
    assert result.tier_summary["cut_scores"] == record["cut_scores"]
    html = (result.out_dir / "report.html").read_text(encoding="utf-8")
    assert "Cut scores (the lowest score in each tier but the last): " in html


def test_the_one_exact_remainder_tie_is_recorded_with_its_rule(result, schools):
    record = json.loads((result.out_dir / "run.json").read_text(encoding="utf-8"))
    ties = record["extra"]["remainder_ties"]
    assert len(ties) == 1 and ties[0]["rule"] == "id"
    a, b = sorted(ties[0]["schools"])
    assert ties[0]["given"] == [a]  # ascending id
    # checked by hand in schools.csv: the same weighted enrollment (enrollment x tier weight),
    # so the same quota; a cent apart
    s = schools.set_index("cds_code")
    weighted_a = s.loc[a, "enrollment"] * TIER_WEIGHTS[s.loc[a, "tier"]]
    weighted_b = s.loc[b, "enrollment"] * TIER_WEIGHTS[s.loc[b, "tier"]]
    assert weighted_a == weighted_b
    assert int(s.loc[a, "amount_cents"]) == int(s.loc[b, "amount_cents"]) + 1
    html = (result.out_dir / "report.html").read_text(encoding="utf-8")
    assert "Rounding to whole cents: 2 schools had exactly equal remainders" in html
    import openpyxl

    wb = openpyxl.load_workbook(result.out_dir / "allocation.xlsx")
    rules = {k: v[1] for k, v in _summary_rows(wb["Summary"], "Rules and settings").items()}
    assert rules["Largest-remainder tie"] == (
        "Rounding to whole cents: 2 schools had exactly equal remainders; 1 of them got the "
        "extra cent by the tie-break rule 'id' (run.json lists them).")
    tiers = _summary_rows(wb["Summary"], "Tiers: cut scores, schools, students and dollars")
    assert [tiers[t][3] for t in TIERS[:-1]] == record["extra"]["tiers"]["cut_scores"]
