"""`equitable allocate` and `equitable compare` end to end (in-process, the real entry point)."""

from __future__ import annotations

import json
import re

import openpyxl
import pandas as pd
import pytest


@pytest.fixture
def run_cli(capsys):
    from equitable.cli import main

    def run(*args):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


SCHOOLS = """cds_code,school_name,enrollment,pct_frpm,total_ppe,prior_dollars
01000000000001,Alpha,100,90,10000,
01000000000002,Beta,200,70,11000,300
01000000000003,Gamma,300,50,12000,100
01000000000004,Delta,400,30,13000,
"""

INDEX = """cds_code,score,tier
01000000000003,40,2
01000000000001,90,1
01000000000002,70,1
"""

RULE = """# tier rates: tier 1 weight 2, tier 2 weight 1
[allocation]
kind = "tier_rates"
budget = "1,000.00"
[allocation.weights]
"1" = 2
"2" = 1
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "schools.csv").write_text(SCHOOLS)
    (tmp_path / "index.csv").write_text(INDEX)
    (tmp_path / "rule.toml").write_text(RULE)
    return tmp_path


def test_allocate_joins_index_to_schools(files, run_cli):
    code, out, err = run_cli("allocate", files / "schools.csv", files / "index.csv", "--rule",
                             files / "rule.toml", "-o", files / "out" / "alloc.csv")
    assert code == 0, err
    assert out.startswith("Allocated $1,000.00 to 3 of 3 schools")
    df = pd.read_csv(files / "out" / "alloc.csv", dtype={"cds_code": str})
    # INPUT's rows and order; weighted pupils: 300 x 1 + 100 x 2 + 200 x 2 = 900;
    # 100,000 cents / 900 -> quotas Gamma 33,333.33, Alpha 22,222.22, Beta 44,444.44 cents;
    # floors add up to 99,999 and the last cent goes to the largest remainder (.44, Beta)
    assert df["cds_code"].tolist() == ["01000000000003", "01000000000001", "01000000000002"]
    assert df["amount_cents"].tolist() == [33333, 22222, 44445]
    assert df["amount_cents"].sum() == 100000
    assert df["school_name"].tolist() == ["Gamma", "Alpha", "Beta"]  # joined from SCHOOLS
    rec = json.loads((files / "out" / "alloc.run.json").read_text())
    assert rec["command"] == "allocate" and rec["extra"]["total_units"] == 100000
    # same inputs, same bytes
    before = (files / "out" / "alloc.csv").read_bytes()
    run_cli("allocate", files / "schools.csv", files / "index.csv", "--rule",
            files / "rule.toml", "-o", files / "out" / "alloc.csv")
    assert (files / "out" / "alloc.csv").read_bytes() == before


def test_allocate_errors_are_one_line(files, run_cli):
    (files / "index2.csv").write_text(INDEX + "09999999999999,10,2\n")
    code, _, err = run_cli("allocate", files / "schools.csv", files / "index2.csv", "--rule",
                           files / "rule.toml", "-o", files / "o.csv")
    assert code == 1
    assert err == (f"Error: {files / 'index2.csv'}, row 5, column 'cds_code': school "
                   f"09999999999999 is not in {files / 'schools.csv'} (1 unknown schools)\n")
    (files / "neg.toml").write_text(RULE.replace('"1,000.00"', "-5"))
    code, _, err = run_cli("allocate", files / "schools.csv", files / "index.csv", "--rule",
                           files / "neg.toml", "-o", files / "o.csv")
    assert err == (f"Error: {files / 'neg.toml'} [allocation]: key 'budget': budget must be a "
                   "positive number of dollars, got -5\n")
    code, _, err = run_cli("allocate", files / "schools.csv", "--rule", files / "rule.toml",
                           "-o", files / "o.csv")
    assert err == (f"Error: rule key 'tier_column': column 'tier' not found in "
                   f"{files / 'schools.csv'} (columns: cds_code, school_name, enrollment, "
                   "pct_frpm, total_ppe, prior_dollars)\n")
    code, _, err = run_cli("allocate", files / "nope.csv", "--rule", files / "rule.toml",
                           "-o", files / "o.csv")
    assert err == f"Error: {files / 'nope.csv'}: file not found\n"


def test_allocate_hold_harmless_from_cli(files, run_cli):
    (files / "hh.toml").write_text(
        'kind = "proportional"\nbudget = 1000\nbase_weight = 1\n'
        '[bounds]\nhold_harmless = {column = "prior_dollars", pct = 100}\n')
    code, out, err = run_cli("allocate", files / "schools.csv", "--rule", files / "hh.toml",
                             "-o", files / "hh.csv")
    assert code == 0, err
    df = pd.read_csv(files / "hh.csv")
    # by enrollment: $100, $200, $300, $400; Beta held at $300 (prior), so $700 for 800 pupils
    # among the rest: Alpha 87.50, Gamma 262.50, Delta 350.00
    assert df["amount_cents"].tolist() == [8750, 30000, 26250, 35000]
    assert df["bound"].tolist() == ["none", "hold_harmless", "none", "none"]
    assert "note: 2 eligible schools have no prior-year amount" in out


RULE_FLAT = 'kind = "proportional"\nlabel = "flat"\nbudget = 1000\nbase_weight = 1\n'
RULE_NEED = ('kind = "proportional"\nlabel = "need"\nbudget = 1000\nneed_column = "pct_frpm"\n'
             'need_scale = "percent"\n')


def test_compare_two_rules(files, run_cli):
    (files / "flat.toml").write_text(RULE_FLAT)
    (files / "need.toml").write_text(RULE_NEED)
    out_dir = files / "cmp"
    code, out, err = run_cli("compare", files / "flat.toml", files / "need.toml", "--schools",
                             files / "schools.csv", "-o", out_dir)
    assert code == 0, err
    df = pd.read_csv(out_dir / "schools.csv", dtype={"cds_code": str})
    # flat: $1 per pupil -> 100/200/300/400. need: pupils x % low income = 90+140+150+120 = 500
    # weighted -> $2 per weighted pupil: $180, $280, $300, $240
    assert df["flat_cents"].tolist() == [10000, 20000, 30000, 40000]
    assert df["need_cents"].tolist() == [18000, 28000, 30000, 24000]
    assert df["need_change_cents"].tolist() == [8000, 8000, 0, -16000]
    assert df["need_result"].tolist() == ["gains", "gains", "same", "loses"]
    assert "need vs flat: 2 schools gain, 1 lose, $160.00 moved" in out
    wb = openpyxl.load_workbook(out_dir / "compare.xlsx")
    assert wb.sheetnames[:2] == ["Summary", "Quartiles"]
    ws = wb["Summary"]
    header = [c.value for c in ws[1]]
    row = dict(zip(header, [c.value for c in ws[3]]))
    assert row["Scenario"] == "need"
    # student-weighted quartiles (1,000 students): Delta's midpoint at 20% -> Q1; Gamma 55% ->
    # Q3; Beta 80% and Alpha 95% -> Q4. Q4: ($180 + $280) / 300 pupils; Q1: $240 / 400 pupils
    ratio = "Progressivity ratio (dollars per pupil, highest-need quarter / lowest-need quarter)"
    assert row[ratio] == pytest.approx((460 / 300) / (240 / 400), abs=1e-6)
    html = (out_dir / "compare.html").read_text()
    # no external resource: every <script> is inline (plotly.js is embedded), nothing else loads
    assert re.findall(r"<script[^>]*\bsrc=", html) == []
    outside = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.DOTALL)
    assert "src=" not in outside and "<link" not in outside
    assert html.count("<script") >= 2
    assert "Concentration curves" in html
    # deterministic bytes
    first = {p: (out_dir / p).read_bytes() for p in ("compare.xlsx", "compare.html",
                                                     "schools.csv")}
    run_cli("compare", files / "flat.toml", files / "need.toml", "--schools",
            files / "schools.csv", "-o", out_dir)
    assert {p: (out_dir / p).read_bytes() for p in first} == first


def test_compare_needs_two_scenarios_and_a_schools_table(files, run_cli):
    (files / "flat.toml").write_text(RULE_FLAT)
    code, _, err = run_cli("compare", files / "flat.toml", "-o", files / "c")
    assert code == 1
    assert err == "Error: compare needs at least two scenarios (CONFIG_A CONFIG_B ...)\n"
    _, _, err = run_cli("compare", files / "flat.toml", files / "flat.toml", "-o",
                           files / "c")
    assert err == (f"Error: {files / 'flat.toml'}: an allocation rule needs a schools table: "
                   "pass --schools SCHOOLS.csv (or give a full `equitable run` config)\n")


@pytest.mark.browser
def test_compare_html_opens_offline(files, run_cli, chromium_browser):
    (files / "flat.toml").write_text(RULE_FLAT)
    (files / "need.toml").write_text(RULE_NEED)
    run_cli("compare", files / "flat.toml", files / "need.toml", "--schools",
            files / "schools.csv", "-o", files / "cmp")
    page = chromium_browser.new_page()
    failed, external = [], []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("request", lambda r: external.append(r.url)
            if not r.url.startswith(("file:", "data:", "blob:")) else None)
    page.goto((files / "cmp" / "compare.html").as_uri())
    page.wait_for_selector("#concentration-curves .main-svg", timeout=20000)
    assert failed == [] and external == []
    page.close()


def test_remainder_tie_on_the_terminal_and_in_run_json(tmp_path, run_cli):
    (tmp_path / "s.csv").write_text("cds_code,enrollment,tier\nc,1,1\na,1,1\nb,1,1\n")
    (tmp_path / "r.toml").write_text('[allocation]\nkind = "tier_rates"\nbudget = 1\n'
                                     '[allocation.weights]\n"1" = 1\n')
    code, out, _ = run_cli("allocate", tmp_path / "s.csv", "--rule", tmp_path / "r.toml",
                           "--out", tmp_path / "o.csv")
    assert code == 0
    assert ("note: largest remainder: 3 schools had exactly equal remainders (0.333333 of a cent); "
            "1 of them got the extra cent by the tie-break rule 'id' (ascending id): a") in out
    rec = json.loads((tmp_path / "o.run.json").read_text())["extra"]["remainder_ties"]
    assert rec == [{"remainder": pytest.approx(1 / 3), "schools": ["c", "a", "b"], "given": ["a"],
                    "rule": "id"}]
