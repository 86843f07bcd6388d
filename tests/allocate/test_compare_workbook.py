"""``compare.xlsx`` for budget staff (issue 20, item 3): headers in words with units, money
formats, totals as SUM formulas that LibreOffice recalculates to the values written, rules as
readable rows. Amounts computed here by hand."""

from __future__ import annotations

import openpyxl
import pytest

from equitable.allocate._compare import compare_files

SCHOOLS = """cds_code,school_name,enrollment,tier
01000000000001,Alpha,100,1 Highest
01000000000002,Beta,200,1 Highest
01000000000003,Gamma,300,2 High
01000000000004,Delta,400,2 High
"""

RULE = """[allocation]
kind = "tier_rates"
budget = 1300
[allocation.weights]
"1 Highest" = {w1}
"2 High" = 1.0
"""


@pytest.fixture
def book(tmp_path):
    (tmp_path / "schools.csv").write_text(SCHOOLS)
    (tmp_path / "a.toml").write_text(RULE.format(w1=2.0))
    (tmp_path / "b.toml").write_text(RULE.format(w1=1.0))
    compare_files([tmp_path / "a.toml", tmp_path / "b.toml"], tmp_path / "cmp",
                  schools=tmp_path / "schools.csv")
    return tmp_path / "cmp" / "compare.xlsx"


def _table(ws) -> tuple[list, list[list]]:
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def test_compare_workbook_headers_in_words_values_by_hand_and_totals(book):
    wb = openpyxl.load_workbook(book)
    ws = wb["Schools"]
    head, rows = _table(ws)
    for h in ("CDS code", "School", "Tier", "Enrollment (students)", "a: allocation ($)",
              "b: allocation ($)", "b: change from the baseline ($)",
              "b: change per pupil from the baseline ($)", "a: dollars per pupil ($)"):
        assert h in head, h
    # a: 2 x 100 + 2 x 200 + 300 + 400 = 1,300 weighted pupils -> $1 each: 200, 400, 300, 400
    # b: 1,000 pupils -> $1.30 each: 130, 260, 390, 520; change: -70, -140, +90, +120
    by_school = {r[head.index("School")]: dict(zip(head, r, strict=True)) for r in rows[:4]}
    assert [by_school[n]["a: allocation ($)"] for n in ("Alpha", "Beta", "Gamma", "Delta")] == \
        [200, 400, 300, 400]
    assert [by_school[n]["b: change from the baseline ($)"]
            for n in ("Alpha", "Beta", "Gamma", "Delta")] == [-70, -140, 90, 120]
    assert by_school["Alpha"]["b: change per pupil from the baseline ($)"] == \
        pytest.approx(-0.7)
    j = head.index("a: allocation ($)")
    assert ws.cell(2, j + 1).number_format == "$#,##0.00"
    # a total row below the table: SUM formulas, cached values = the budget
    total = rows[5]
    assert total[0] == "Total"
    letter = openpyxl.utils.get_column_letter(j + 1)
    assert total[j] == f"=SUM({letter}2:{letter}5)"
    cached = openpyxl.load_workbook(book, data_only=True)
    assert cached["Schools"].cell(7, j + 1).value == 1300
    assert ws.auto_filter.ref.endswith("5") and ws.freeze_panes == "A2"
    # By tier: students and dollars per scenario, with totals
    head, rows = _table(wb["By tier"])
    assert head[:2] == ["Tier", "Students"]
    assert "b: share of dollars (%)" in head and "Share of students (%)" in head
    tiers = {r[0]: dict(zip(head, r, strict=True)) for r in rows if r[0]}
    assert tiers["1 Highest"]["a: allocation ($)"] == 600
    assert tiers["2 High"]["b: allocation ($)"] == 910
    assert cached["By tier"].cell(5, 2).value == 1000  # students, total row
    # Winners and losers in words
    head, rows = _table(wb["Winners and losers"])
    win = dict(zip(head, rows[0], strict=True))
    assert win["Schools gaining"] == 2 and win["Schools losing"] == 2
    assert win["Dollars moved ($)"] == 210
    # the rules as readable rows, one setting a row (no JSON text)
    head, rows = _table(wb["Rules"])
    assert head == ["Scenario", "Source file", "Rule or setting", "Value"]
    settings = {(r[0], r[2]): r[3] for r in rows}
    assert settings[("a", "weights, 1 Highest")] == 2
    assert settings[("b", "weights, 1 Highest")] == 1
    assert settings[("a", "budget")] == 1300
    assert not any("{" in str(v) for v in settings.values())


def test_libreoffice_recalculates_compare_totals(book, libreoffice):
    written = libreoffice.formulas(book)
    assert len(written) >= 6
    (again,) = libreoffice.recalculate([book])
    lo = openpyxl.load_workbook(again, data_only=True)
    for (sheet, ref), (formula, value) in written.items():
        assert lo[sheet][ref].value == pytest.approx(value, abs=0.005), (sheet, ref, formula)
