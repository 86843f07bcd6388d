"""Regressions found by trying the commands as a new user with bad input (one line, exit 1)."""

from __future__ import annotations

import re

import openpyxl
import pytest

SCHOOLS = """cds_code,school_name,enrollment,tier
01000000000001,Alpha,100,1 Highest
01000000000002,Beta,300,2 High
"""

RULE = """[allocation]
kind = "tier_rates"
budget = {budget}
[allocation.weights]
"1 Highest" = 2.0
"2 High" = 1.0
"""


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


@pytest.fixture
def files(tmp_path):
    (tmp_path / "schools.csv").write_text(SCHOOLS)
    (tmp_path / "rule.toml").write_text(RULE.format(budget=1000))
    return tmp_path


def test_huge_budget_is_one_line_error_not_a_numpy_overflow(run_cli, files):
    (files / "rule.toml").write_text(RULE.format(budget="1e30"))
    code, out, err = run_cli("allocate", files / "schools.csv", "-r", files / "rule.toml",
                             "-o", files / "o.csv")
    assert code == 1
    assert err == (f"Error: {files / 'rule.toml'} [allocation]: key 'budget': budget is more "
                   "than $10,000,000,000,000, got 1e+30\n")


def test_output_that_is_a_folder(run_cli, files):
    code, _, err = run_cli("allocate", files / "schools.csv", "-r", files / "rule.toml",
                           "-o", files)
    assert code == 1
    assert err == (f"Error: {files}: is a folder; give the output a file name, e.g. "
                   f"{files / 'out.csv'}\n")


def test_output_under_a_file(run_cli, files):
    (files / "afile").write_text("x")
    code, _, err = run_cli("allocate", files / "schools.csv", "-r", files / "rule.toml",
                           "-o", files / "afile" / "o.csv")
    assert code == 1
    assert err == (f"Error: {files / 'afile'}: is a file, so it cannot hold the output "
                   f"{files / 'afile' / 'o.csv'}\n")


def test_input_that_is_a_folder(run_cli, files):
    code, _, err = run_cli("allocate", files, "-r", files / "rule.toml", "-o", files / "o.csv")
    assert (code, err) == (1, f"Error: {files}: is a folder, not a file\n")


def test_lcff_huge_ada_is_one_line_error(run_cli):
    code, _, err = run_cli("lcff", "--year", "2024-25", "--upp", "50", "--ada-k3", "1e300")
    assert code == 1
    assert err == ("Error: ADA for grades K-3 must be at most 10,000,000 (all of California is "
                   "about 5.4 million), got 1E+300\n")


def test_lcff_misspelt_ada_column_is_refused_not_counted_as_zero(run_cli, tmp_path):
    src = tmp_path / "leas.csv"
    src.write_text("lea,ada_k_3,ada_4to6,unduplicated_pupil_pct\nA,100,50,45\n")
    code, _, err = run_cli("lcff", "-y", "2024-25", "-i", src, "-o", tmp_path / "o.csv")
    assert code == 1
    assert err == (f"Error: {src}, column 'ada_4to6': not an ADA column this command reads; name "
                   "the grade-span columns ada_k_3, ada_4_6, ada_7_8, ada_9_12\n")
    assert not (tmp_path / "o.csv").exists()


def test_compare_formats_counts_as_counts_and_losses_with_the_sign_first(run_cli, files):
    (files / "b.toml").write_text(RULE.format(budget=1000).replace('"1 Highest" = 2.0',
                                                                   '"1 Highest" = 1.0'))
    out = files / "cmp"
    code, _, err = run_cli("compare", files / "rule.toml", files / "b.toml",
                           "--schools", files / "schools.csv", "-o", out)
    assert code == 0, err
    html = (out / "compare.html").read_text()
    # rule: 2*100 + 1*300 = 500 weighted pupils -> $2/pupil-weight: Alpha $400, Beta $600;
    # b: 1*100 + 1*300 -> $2.50/pupil: Alpha $250 (loses $150), Beta $750 (gains $150).
    from tests.report.pages import read_tables

    row = read_tables(html)["winners-table"][1]
    assert row[2:] == ["1", "1", "0", "$150.00", "$150.00", "-$150.00"]
    assert "$1.00" not in row  # the count of schools gaining is not money
    assert re.search(r'<div class="table-wrap"[^>]*><table id="winners-table"', html)
    assert '<td class="num" data-label="Largest loss of a school ($)">-$150.00</td>' in html
    ws = openpyxl.load_workbook(out / "compare.xlsx")["Winners and losers"]
    head = [c.value for c in ws[1]]
    gaining = ws.cell(2, head.index("Schools gaining") + 1)
    assert gaining.value == 1 and "$" not in gaining.number_format
    assert "$" in ws.cell(2, head.index("Largest loss of a school ($)") + 1).number_format
