"""The budget workbook budget staff hand to a board (issue 20, item 3): ``allocation.xlsx`` and
``allocation.es.xlsx`` opened with openpyxl and checked against schools.csv, run.json and the
index spec; prior-year amounts and changes computed by hand; the totals recalculated by
LibreOffice equal the ones written. A synthetic district (no real data needed)."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from equitable.errors import InputError, SpecError
from equitable.pipeline import run
from equitable.pipeline._synthetic import synthetic_config, write_synthetic_inputs
from equitable.report._messages import caveat_text

TIERS = ["1 Highest", "2 High", "3 Moderate", "4 Low", "5 Lowest"]

#: An index with two families, so the weight tree has family and indicator weights.
FAMILY_SPEC = """
name = "families"
title = "Two families"
id_column = "cds_code"
id_width = 14
keep_columns = ["school_name", "enrollment"]
missing_text = ["*"]
missing_column = "missing_indicators"

[defaults]
missing = "reweight"

[defaults.normalise]
method = "percentile"
form = "svi"
ties = "min"
scale = 100
decimals = 4

[[theme]]
code = "students"
label = "Student groups"
label_es = "Grupos de estudiantes"
aggregation = "mean"
weight = 0.6
score_column = "students_score"

[[theme]]
code = "disability"
label = "Disabilities"
label_es = "Discapacidades"
aggregation = "mean"
weight = 0.4
score_column = "disability_score"

[[indicator]]
code = "frpm_pct"
column = "frpm_pct"
label = "Low income (%)"
theme = "students"
weight = 2
output = "frpm_pctl"

[[indicator]]
code = "el_pct"
column = "el_pct"
label = "English learners (%)"
label_es = "Estudiantes de inglés (%)"
theme = "students"
weight = 1
output = "el_pctl"

[[indicator]]
code = "swd_pct"
column = "swd_pct"
label = "Students with disabilities (%)"
theme = "disability"
weight = 1
output = "swd_pctl"

[overall]
code = "need"
label = "Need score"
aggregation = "mean"
score_column = "score"
rank_column = "rank"

[overall.tiers]
method = "quantile"
n = 5
labels = ["1 Highest", "2 High", "3 Moderate", "4 Low", "5 Lowest"]
"""


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("book")
    write_synthetic_inputs(folder, 40, n_charters=3, n_unplaced=2, n_outside=2, seed=11)
    (folder / "families.toml").write_text(FAMILY_SPEC, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def base(synth, tmp_path_factory):
    out = tmp_path_factory.mktemp("book-out") / "base"
    return run(synth / "config.toml", out_dir=out, data_dir=synth)


def _sheet_rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _section(ws, title: str) -> tuple[list, list[list]]:
    """The header and rows of the Summary section titled ``title`` (up to the next blank
    row)."""
    rows = _sheet_rows(ws)
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    header = rows[start + 1]
    body = []
    for r in rows[start + 2:]:
        if all(v is None for v in r):
            break
        body.append(r)
    return header, body


def test_workbook_equals_schools_csv_run_json_and_the_budget(base):
    out = base.out_dir
    csv = pd.read_csv(out / "schools.csv", dtype={"cds_code": str, "allocation_dollars": str})
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(out / "allocation.xlsx")
    assert wb.sheetnames == ["Summary", "Schools", "Caveats"]
    # every school's dollars equal schools.csv, to the cent; the column sums to the budget
    sch = wb["Schools"]
    head = [c.value for c in sch[1]]
    assert head[:4] == ["Rank", "Tier", "CDS code", "School"]
    cds, dollars = head.index("CDS code"), head.index("Allocation ($)")
    written = {r[cds]: r[dollars] for r in sch.iter_rows(min_row=2, max_row=len(csv) + 1,
                                                          values_only=True)}
    expected = dict(zip(csv["cds_code"], csv["allocation_dollars"], strict=True))
    assert written.keys() == expected.keys()
    for code, v in written.items():
        assert Decimal(str(v)).quantize(Decimal("0.01")) == Decimal(expected[code]), code
    cents = sum(round(v * 100) for v in written.values())
    assert cents == record["extra"]["budget_cents"] == 100_000_000 * 100
    assert sch.cell(2, dollars + 1).number_format == "$#,##0.00"
    assert sch.freeze_panes == "E2" and sch.auto_filter.ref == f"A1:{_col(len(head))}{len(csv) + 1}"
    # printed for a board: landscape, one page wide, the header on every page
    assert sch.page_setup.orientation == "landscape" and sch.page_setup.fitToHeight == 0
    assert sch.sheet_properties.pageSetUpPr.fitToPage
    assert sch.print_title_rows == "$1:$1"
    # the total row below the table: a SUM formula whose cached value is the budget
    total = sch.cell(len(csv) + 3, dollars + 1)
    assert total.value == f"=SUM({_col(dollars + 1)}2:{_col(dollars + 1)}{len(csv) + 1})"
    cached = openpyxl.load_workbook(out / "allocation.xlsx", data_only=True)
    assert cached["Schools"].cell(len(csv) + 3, dollars + 1).value == 100_000_000
    # Summary: cut scores and counts per tier equal run.json's; dollars per tier and per pupil
    summ = wb["Summary"]
    header, rows = _section(summ, "Tiers: cut scores, schools, students and dollars")
    assert header == ["Tier", "Schools", "Students", "Lowest score in the tier (cut score)",
                      "Highest score in the tier", "Rate per pupil ($)", "Allocation ($)",
                      "Dollars per pupil ($)", "Share of students (%)", "Share of dollars (%)"]
    tiers = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert [tiers[t]["Schools"] for t in TIERS] == [record["extra"]["tier_counts"][t]
                                                    for t in TIERS]
    cuts = record["extra"]["tiers"]["cut_scores"]
    assert [tiers[t]["Lowest score in the tier (cut score)"] for t in TIERS[:-1]] == cuts
    for t in TIERS:
        in_tier = csv[csv["tier"] == t]
        assert round(tiers[t]["Allocation ($)"] * 100) == int(in_tier["amount_cents"].sum())
        assert tiers[t]["Dollars per pupil ($)"] == pytest.approx(
            round(in_tier["amount_cents"].sum() / 100 / in_tier["enrollment"].sum(), 2))
    assert tiers["Total"]["Allocation ($)"] == "=SUM(G6:G10)"
    assert summ.cell(6, 7).number_format == "$#,##0.00"
    assert summ.cell(6, 9).number_format == "0.0%"
    checks = {r[0]: r for r in _sheet_rows(cached["Summary"])}
    assert checks["Total"][6] == 100_000_000
    assert checks["Sum of the Schools sheet ($)"][6] == 100_000_000
    # the Caveats sheet lists run.json's caveats, same codes, counts and words as the terminal
    cav = _sheet_rows(wb["Caveats"])
    listed = [r[:3] for r in cav[4:4 + len(record["caveats"])]]
    assert record["caveats"], "the synthetic district has schools outside and not placed"
    assert [r[:2] for r in listed] == [[c["code"], c["count"]] for c in record["caveats"]]
    assert [r[2] for r in listed] == [caveat_text("en", c) for c in base.caveats]
    # and the schools concerned: each school placed by the nearest tract, with its distance
    nearest = csv[csv["placement"] == "nearest tract centroid"]
    rows_by_cds = {r[0]: r for r in cav if r and isinstance(r[0], str) and r[0].isdigit()}
    for code, dist in zip(nearest["cds_code"], nearest["distance_m"], strict=True):
        assert rows_by_cds[code][2] == "nearest tract centre"
        assert rows_by_cds[code][3] == pytest.approx(dist)


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _write_config(synth: Path, name: str, extra: str = "", spec: str | None = None) -> Path:
    text = synthetic_config(name)
    if spec:
        text = text.replace('spec = "seni-style"', f'spec = "{spec}"')
    p = synth / f"{name}.toml"
    p.write_text(text + extra, encoding="utf-8")
    return p


def test_weight_tree_and_rules_as_the_spec_and_rule_define_them(synth, tmp_path):
    cfg = _write_config(synth, "fam", spec="families.toml")
    res = run(cfg, out_dir=tmp_path / "fam", data_dir=synth)
    wb = openpyxl.load_workbook(res.out_dir / "allocation.xlsx")
    header, rows = _section(wb["Summary"], "Weights: the index as its spec defines it")
    assert header[:6] == ["Name", "Code", "Level", "Family", "Weight within its family",
                          "Share of the overall score"]
    tree = [(r[1], r[2], r[3], r[4], r[5]) for r in rows]
    # the spec: families students 0.6 (frpm 2, el 1) and disability 0.4 (swd 1); shares of
    # the score by hand: 0.6 x 2/3, 0.6 x 1/3, 0.4 x 1/1
    assert tree == [
        ("need", "overall score", None, None, 1.0),
        ("students", "family", "need", 0.6, pytest.approx(0.6)),
        ("frpm_pct", "indicator", "students", 2.0, pytest.approx(0.4)),
        ("el_pct", "indicator", "students", 1.0, pytest.approx(0.2)),
        ("disability", "family", "need", 0.4, pytest.approx(0.4)),
        ("swd_pct", "indicator", "disability", 1.0, pytest.approx(0.4)),
    ]
    header, rules = _section(wb["Summary"], "Rules and settings")
    assert header[:2] == ["Rule or setting", "Value"]
    rule = {r[0]: r[1] for r in rules}
    assert rule["Budget ($)"] == 100_000_000
    assert rule["Allocation rule"] == "per-pupil rates by tier"
    assert rule["Per-pupil weight, tier 1 Highest"] == 1.5
    assert rule["Solved rate per pupil, tier 5 Lowest ($)"] == pytest.approx(
        res.computation.allocation.rates["5 Lowest"], abs=1e-6)
    assert rule["Tiers"] == "5 tiers (quantile)"
    # readable rows: no JSON text, no empty "(in )"
    assert not any("{" in str(v) or "(in )" in str(k) for k, v in rule.items())
    # the Schools sheet names each family's score and each indicator's percentile in words
    head = [c.value for c in wb["Schools"][1]]
    assert "English learners (%) (percentile)" in head and "Student groups (score)" in head
    es = openpyxl.load_workbook(res.out_dir / "allocation.es.xlsx")
    _, rows_es = _section(es["Resumen"], "Pesos: el índice tal como lo define su "
                                         "especificación")
    assert [r[0].strip() for r in rows_es[:4]] == ["Need score", "Grupos de estudiantes",
                                                   "Low income (%)", "Estudiantes de inglés (%)"]


def test_spanish_workbook_same_figures_in_spanish(base):
    en = openpyxl.load_workbook(base.out_dir / "allocation.xlsx")
    es = openpyxl.load_workbook(base.out_dir / "allocation.es.xlsx")
    assert es.sheetnames == ["Resumen", "Escuelas", "Advertencias"]
    head = [c.value for c in es["Escuelas"][1]]
    assert head[:4] == ["Posición", "Nivel", "Código CDS", "Escuela"]
    assert "Asignación ($)" in head and "Dólares por alumno ($)" in head
    assert es["Escuelas"].cell(2, 2).value in ("1 Más alta",)
    j_en = [c.value for c in en["Schools"][1]].index("Allocation ($)") + 1
    j_es = head.index("Asignación ($)") + 1
    assert [c.value for c in next(en["Schools"].iter_cols(min_col=j_en, max_col=j_en))][1:] == \
        [c.value for c in next(es["Escuelas"].iter_cols(min_col=j_es, max_col=j_es))][1:]
    assert es["Resumen"].cell(5, 1).value == "Nivel"
    assert es["Resumen"].cell(6, 1).value == "1 Más alta"
    _, rules = _section(es["Resumen"], "Reglas y parámetros")
    rule = {r[0]: r[1] for r in rules}
    assert rule["Índice"] == "Índice de necesidad escolar al estilo SENI (pesos supuestos) " \
        "(seni-style)"  # the spec's title_es
    assert rule["Peso por alumno, nivel 1 Más alta"] == 1.5
    assert rule["Desempate de restos iguales"] == "identificador de escuela ascendente"


def test_same_inputs_same_bytes_and_a_fixed_created_date(synth, base, tmp_path):
    again = run(synth / "config.toml", out_dir=tmp_path / "again", data_dir=synth)
    for name in ("allocation.xlsx", "allocation.es.xlsx"):
        assert (again.out_dir / name).read_bytes() == (base.out_dir / name).read_bytes()
        with zipfile.ZipFile(again.out_dir / name) as z:
            core = z.read("docProps/core.xml").decode()
        assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z" in core


def _prior_file(base, path: Path) -> dict[str, str]:
    """A prior-year file for the base run's schools, with amounts chosen so the two schools
    checked by hand lose $1,234.56 and gain $100.01; returns the CDS codes by role."""
    csv = pd.read_csv(base.out_dir / "schools.csv", dtype={"cds_code": str})
    codes = csv["cds_code"].tolist()
    cents = dict(zip(codes, csv["amount_cents"].astype(int), strict=True))
    roles = {"loser": codes[0], "gainer": codes[-1], "same": codes[1], "new": codes[2]}
    lines = ["cds_code,school,allocation_2023_24"]
    for c in codes:
        if c == roles["new"]:
            lines.append(f"{c},x,")  # no prior-year amount: a new school
            continue
        prior = cents[c] + (123456 if c == roles["loser"] else -10001 if c == roles["gainer"]
                            else 0 if c == roles["same"] else 5_000_00)
        lines.append(f"{c},x,{prior // 100}.{prior % 100:02d}")
    lines.append("19647330000000,closed school,2500.00")  # not ranked this year
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return roles


PRIOR = '\n[prior]\ncolumn = "allocation_2023_24"\n'


def test_prior_year_amount_change_and_change_per_pupil_by_hand(synth, base, tmp_path, capsys):
    from equitable.cli import main

    roles = _prior_file(base, synth / "prior.csv")
    cfg = _write_config(synth, "prior", PRIOR)
    text = cfg.read_text().replace('neighbourhoods = "neighbourhoods.geojson"\n',
                                   'neighbourhoods = "neighbourhoods.geojson"\n'
                                   'prior_allocation = "prior.csv"\n')
    cfg.write_text(text)
    try:
        main(["run", str(cfg), "--out", str(tmp_path / "prior"), "--data-dir", str(synth), "-q"])
    except SystemExit as exc:
        assert not exc.code
    said = capsys.readouterr()
    # 1 gainer, 1 unchanged, 1 new; the other 37 lost $5,000 (40 schools, 3 charters not ranked)
    n = len(pd.read_csv(base.out_dir / "schools.csv"))
    assert (f"Prior year (allocation_2023_24 of prior.csv): 1 schools gain, {n - 3} lose, "
            "1 unchanged, 1 without a prior amount") in said.out
    assert "Note: prior.csv: 1 ranked schools have no prior-year amount" in said.err
    out = tmp_path / "prior"
    csv = pd.read_csv(base.out_dir / "schools.csv", dtype={"cds_code": str}).set_index(
        "cds_code")
    wb = openpyxl.load_workbook(out / "allocation.xlsx")
    sch = wb["Schools"]
    head = [c.value for c in sch[1]]
    i = {h: head.index(h) for h in ("CDS code", "Allocation ($)", "Prior-year allocation ($)",
                                    "Change from the prior year ($)", "Change per pupil ($)")}
    # the three columns stand beside the allocation
    assert i["Prior-year allocation ($)"] == i["Allocation ($)"] + 2
    rows = {r[i["CDS code"]]: r for r in sch.iter_rows(min_row=2, max_row=len(csv) + 1,
                                                        values_only=True)}
    loser, gainer = rows[roles["loser"]], rows[roles["gainer"]]
    now_l = csv.loc[roles["loser"], "amount_cents"] / 100
    enr_l = csv.loc[roles["loser"], "enrollment"]
    assert loser[i["Prior-year allocation ($)"]] == pytest.approx(now_l + 1234.56, abs=1e-9)
    assert loser[i["Change from the prior year ($)"]] == pytest.approx(-1234.56, abs=1e-9)
    assert loser[i["Change per pupil ($)"]] == pytest.approx(round(-1234.56 / enr_l, 2))
    enr_g = csv.loc[roles["gainer"], "enrollment"]
    assert gainer[i["Change from the prior year ($)"]] == pytest.approx(100.01, abs=1e-9)
    assert gainer[i["Change per pupil ($)"]] == pytest.approx(round(100.01 / enr_g, 2))
    assert rows[roles["same"]][i["Change from the prior year ($)"]] == 0
    assert rows[roles["new"]][i["Prior-year allocation ($)"]] is None
    assert rows[roles["new"]][i["Change from the prior year ($)"]] is None
    # winners and losers per tier, counted here from the roles: every other school lost $5,000
    header, body = _section(wb["Summary"],
                            "Change from the prior year (allocation_2023_24), by tier")
    got = {r[0]: dict(zip(header, r, strict=False)) for r in body}
    for t in TIERS:
        codes = set(csv.index[csv["tier"] == t])
        gaining = int(roles["gainer"] in codes)
        same = int(roles["same"] in codes)
        new = int(roles["new"] in codes)
        assert got[t]["Schools gaining"] == gaining
        assert got[t]["Schools unchanged"] == same
        assert got[t]["Schools without a prior amount"] == new
        assert got[t]["Schools losing"] == len(codes) - gaining - same - new
    first, last = _rows_of(wb["Summary"], TIERS[0], TIERS[-1], "Schools gaining")
    assert got["Total"]["Schools losing"] == f"=SUM(C{first}:C{last})"
    # nothing silent: the school without a prior amount and the one no longer ranked are said
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["extra"]["prior"]["without_prior"] == 1
    assert record["extra"]["prior"]["not_ranked"] == 1
    assert record["extra"]["prior"]["not_ranked_cents"] == 250000
    assert any("1 ranked schools have no prior-year amount" in n
               for n in record["extra"]["input_notes"])
    assert any("1 schools with a prior-year amount are not ranked this year ($2,500.00"
               in n for n in record["extra"]["input_notes"])
    # schools.csv carries the same figures in cents
    out_csv = pd.read_csv(out / "schools.csv", dtype={"cds_code": str}).set_index(
        "cds_code")
    assert int(out_csv.loc[roles["loser"], "change_cents"]) == -123456


def _rows_of(ws, first_label: str, last_label: str, after: str) -> tuple[int, int]:
    """1-based rows of the first and last tier lines of the section whose header row holds
    ``after``."""
    rows = _sheet_rows(ws)
    h = next(k for k, r in enumerate(rows) if after in r)
    a = next(k for k in range(h, len(rows)) if rows[k][0] == first_label)
    b = next(k for k in range(a, len(rows)) if rows[k][0] == last_label)
    return a + 1, b + 1


def test_prior_year_file_errors_name_the_line_and_column(synth, base, tmp_path):
    cfg = _write_config(synth, "prior_bad", PRIOR)
    cfg.write_text(cfg.read_text().replace('neighbourhoods = "neighbourhoods.geojson"\n',
                                           'neighbourhoods = "neighbourhoods.geojson"\n'
                                           'prior_allocation = "prior_bad.csv"\n'))
    code = pd.read_csv(base.out_dir / "schools.csv", dtype={"cds_code": str})["cds_code"][0]
    bad = synth / "prior_bad.csv"
    bad.write_text(f"cds_code,allocation_2023_24\n{code},12.345\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"prior_bad.csv: line 2, column 'allocation_2023_24': "
                                         r"12.345 has fractions of a cent"):
        run(cfg, out_dir=tmp_path / "x", data_dir=synth)
    bad.write_text(f"cds_code,allocation_2023_24\n{code},-5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2, column 'allocation_2023_24': -5 is not an "
                                         r"amount of 0 dollars or more"):
        run(cfg, out_dir=tmp_path / "x", data_dir=synth)
    bad.write_text(f"cds_code,allocation_2023_24\n{code},1\n{code},2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3, column 'cds_code': school \d{14} is listed "
                                         r"twice \(first on line 2\)"):
        run(cfg, out_dir=tmp_path / "x", data_dir=synth)
    bad.write_text(f"cds_code,allocation_2023\n{code},1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no prior-year allocation column "
                                         r"'allocation_2023_24'; did you mean 'allocation_2023'"):
        run(cfg, out_dir=tmp_path / "x", data_dir=synth)
    alone = _write_config(synth, "prior_alone")
    alone.write_text(alone.read_text().replace('neighbourhoods = "neighbourhoods.geojson"\n',
                                               'neighbourhoods = "neighbourhoods.geojson"\n'
                                               'prior_allocation = "prior_bad.csv"\n'))
    with pytest.raises(SpecError, match=r"key 'prior.column': missing required key"):
        run(alone, out_dir=tmp_path / "y", data_dir=synth)


# ---- LibreOffice recalculates the totals to the values written -------------------------------

def test_libreoffice_recalculates_the_totals_written(base, tmp_path, libreoffice):
    import xlsxwriter

    # a control: a wrong cached value is replaced, so LibreOffice did recalculate
    control = tmp_path / "control.xlsx"
    wb = xlsxwriter.Workbook(str(control))
    ws = wb.add_worksheet()
    ws.write_number(0, 0, 1)
    ws.write_number(1, 0, 2)
    ws.write_formula(2, 0, "=SUM(A1:A2)", None, 999)
    wb.close()
    names = ["allocation.xlsx", "allocation.es.xlsx"]
    files = [control] + [base.out_dir / n for n in names]
    recalculated = libreoffice.recalculate(files)
    assert openpyxl.load_workbook(recalculated[0], data_only=True).active["A3"].value == 3
    for original, again in zip(files[1:], recalculated[1:], strict=True):
        written = libreoffice.formulas(original)
        assert len(written) >= 9  # tier totals, the Schools check, the Schools totals
        lo = openpyxl.load_workbook(again, data_only=True)
        for (sheet, ref), (formula, value) in written.items():
            assert value is not None, (sheet, ref, formula)
            assert lo[sheet][ref].value == pytest.approx(value, abs=0.005), (sheet, ref, formula)
    # the totals are the budget, to the cent
    lo = openpyxl.load_workbook(recalculated[1], data_only=True)
    assert round(lo["Summary"]["G11"].value * 100) == base.budget_cents
    assert round(lo["Summary"]["G12"].value * 100) == base.budget_cents
