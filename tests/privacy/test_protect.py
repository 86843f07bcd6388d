"""Primary + complementary suppression: expected patterns and intervals worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitable.errors import InputError
from equitable.privacy import (
    PrivacyConfig,
    audit_tables,
    protect_crosstab,
    protect_long,
    protect_tables,
    publish,
)


def grades() -> pd.DataFrame:
    t = pd.DataFrame({"Girls": [40, 3, 22], "Boys": [35, 30, 25]}, index=["G3", "G4", "G5"])
    t.index.name, t.columns.name = "grade", "sex"
    return t


def starred(p) -> set[tuple[str, str]]:
    m = p.suppressed
    return {(r, c) for r in m.index for c in m.columns if m.at[r, c]}


def test_single_small_cell_gets_the_cheapest_rectangle():
    # G4/Girls = 3 is primary. The cheapest cells that protect it are G4/Boys (30), G5/Girls
    # (22), G5/Boys (25): total 77, against 105 for the G3 rectangle or any total.
    p = protect_crosstab(grades(), add_margins=True)
    assert starred(p) == {("G4", "Girls"), ("G4", "Boys"), ("G5", "Girls"), ("G5", "Boys")}
    assert starred_primary(p) == {("G4", "Girls")}
    assert p.table.loc["Total", "Total"] == 155 and p.table.loc["G4", "Total"] == 33
    assert p.table.loc["G4", "Girls"] == "*"
    # By hand: G4/Girls = t, G4/Boys = 33 - t, G5/Girls = 25 - t, G5/Boys = 22 + t, all >= 0,
    # so t in [0, 25].
    cells = p.audit.cells.set_index(["row", "column"])
    assert tuple(cells.loc[("G4", "Girls"), ["lower", "upper"]]) == (0.0, 25.0)
    assert tuple(cells.loc[("G4", "Boys"), ["lower", "upper"]]) == (8.0, 33.0)
    assert tuple(cells.loc[("G5", "Girls"), ["lower", "upper"]]) == (0.0, 25.0)
    assert tuple(cells.loc[("G5", "Boys"), ["lower", "upper"]]) == (22.0, 47.0)
    assert p.audit.ok


def starred_primary(p) -> set[tuple[str, str]]:
    m = p.primary
    return {(r, c) for r in m.index for c in m.columns if m.at[r, c]}


def test_no_small_cell_means_nothing_suppressed():
    t = grades()
    t.loc["G4", "Girls"] = 11
    p = protect_crosstab(t, add_margins=True)
    assert not p.suppressed.to_numpy().any()
    assert p.rounds == 0
    assert p.table.loc["G4", "Girls"] == 11


def test_single_row_table_with_a_total_column():
    t = pd.DataFrame([[5, 20, 30, 55]], index=["Adams"], columns=["A", "B", "C", "Total"])
    p = protect_crosstab(t)
    # the row equation is the only one: the cheapest partner is B (20); 5 + 20 = 25 is known,
    # so A is in [0, 25].
    assert starred(p) == {("Adams", "A"), ("Adams", "B")}
    cells = p.audit.cells.set_index(["row", "column"])
    assert tuple(cells.loc[("Adams", "A"), ["lower", "upper"]]) == (0.0, 25.0)


def test_single_column_table_with_a_total_row():
    t = pd.DataFrame({"n": [30, 20, 5, 55]}, index=["A", "B", "C", "Total"])
    p = protect_crosstab(t)
    assert starred(p) == {("C", "n"), ("B", "n")}


def test_zero_cell_is_suppressed_as_a_group_of_n_le_10():
    t = pd.DataFrame({"A": [0, 15], "B": [20, 25]}, index=["x", "y"])
    p = protect_crosstab(t, add_margins=True)
    assert starred(p) == {("x", "A"), ("x", "B"), ("y", "A"), ("y", "B")}
    # x/A = t, x/B = 20 - t, y/A = 15 - t, y/B = 25 + t: t in [0, 15]
    cells = p.audit.cells.set_index(["row", "column"])
    assert tuple(cells.loc[("x", "A"), ["lower", "upper"]]) == (0.0, 15.0)


def test_published_zeros_are_never_used_as_complementary_cells():
    # suppress_zeros=False publishes true zeros; a zero cannot move down, so it cannot protect
    # A's upper bound: the complement must use column C.
    t = pd.DataFrame({"A": [5, 20], "B": [0, 0], "C": [30, 30]}, index=["x", "y"])
    p = protect_crosstab(t, add_margins=True, config=PrivacyConfig(suppress_zeros=False))
    assert starred(p) == {("x", "A"), ("x", "C"), ("y", "A"), ("y", "C")}
    assert p.table.loc["x", "B"] == 0
    cells = p.audit.cells.set_index(["row", "column"])
    # x/A = 5 + d, x/C = 30 - d, y/A = 20 - d, y/C = 30 + d: d in [-5, 20]
    assert tuple(cells.loc[("x", "A"), ["lower", "upper"]]) == (0.0, 25.0)


def test_protection_level_is_met_for_every_suppressed_cell():
    # A partner with value 1 cannot give A = 4 an upper protection of 3 (it can only move
    # down by 1): the pattern must reach further.
    t = pd.DataFrame({"A": [4, 30], "B": [1, 40], "C": [50, 50]}, index=["x", "y"])
    p = protect_crosstab(t, add_margins=True)
    cells = p.audit.cells
    small = cells[cells["value"] <= 10]
    assert (small["upper"] >= small["value"] + 3).all()
    assert (small["lower"] <= np.maximum(small["value"] - 3, 0)).all()
    # complementary cells are not pinned down: at least 6 wide, or from 0 to at least 3
    other = cells[cells["value"] > 10]
    wide = other["upper"] - other["lower"] >= 6
    assert (wide | ((other["lower"] == 0) & (other["upper"] >= 3))).all()
    # x/B = 1 is primary too; both small cells of row x must be protected
    assert {("x", "A"), ("x", "B")} <= starred(p)


def test_linked_tables_share_their_total_column():
    a = pd.DataFrame({"G1": [30, 4, 33], "G2": [25, 40, 28]}, index=["A", "B", "C"])
    b = pd.DataFrame({"R1": [20, 24, 31], "R2": [35, 20, 30]}, index=["A", "B", "C"])
    for t, dim in ((a, "grade"), (b, "race")):
        t.index.name, t.columns.name = "school", dim
    pa, pb = protect_tables([a, b], names=["grade", "race"], add_margins=True)
    assert starred(pa) == {("B", "G1"), ("B", "G2"), ("A", "G1"), ("A", "G2")}
    assert not pb.suppressed.to_numpy().any()
    # the audit of both files together agrees
    assert audit_tables([pa.table, pb.table], names=["grade", "race"]).ok


def test_a_small_shared_margin_is_suppressed_in_every_table():
    # school B has 8 students: its Total is the same cell in both tables
    a = pd.DataFrame({"G1": [30, 3, 33], "G2": [25, 5, 28]}, index=["A", "B", "C"])
    b = pd.DataFrame({"R1": [20, 2, 31], "R2": [35, 6, 30]}, index=["A", "B", "C"])
    for t, dim in ((a, "grade"), (b, "race")):
        t.index.name, t.columns.name = "school", dim
    pa, pb = protect_tables([a, b], names=["grade", "race"], add_margins=True)
    assert pa.suppressed.at["B", "Total"] and pb.suppressed.at["B", "Total"]
    assert audit_tables([pa.table, pb.table], names=["grade", "race"]).ok
    # publishing B's total in the race table alone would undo it: the audit says so
    leaky = pb.table.copy()
    leaky.at["B", "Total"] = 8
    report = audit_tables([pa.table, leaky], names=["grade", "race"])
    assert not report.ok
    assert any("suppressed in one table and published in another" in p for p in report.problems)


def test_hierarchical_long_table_district_school():
    df = pd.DataFrame({
        "district": ["D1", "D1", "D1", "D1", "D2", "D2", "D2", "Total"],
        "school": ["S1", "S2", "S3", "Total", "S4", "S5", "Total", "Total"],
        "n": [30, 5, 40, 75, 50, 60, 110, 185],
        "chronic_absence_pct": [10.0, 40.0, 12.5, 12.0, 8.0, 9.0, 8.6, 9.7],
    })
    p = protect_long(df, count_col="n", group_cols=["district", "school"])
    # S2 = 5 is primary; the cheapest partner inside D1 is S1 (30): S1 + S2 = 35 is known.
    assert p.suppressed.tolist() == [True, True, False, False, False, False, False, False]
    assert p.table["n"].tolist() == ["*", "*", 40, 75, 50, 60, 110, 185]
    assert p.table["chronic_absence_pct"].tolist()[:3] == ["*", "*", 12.5]
    cells = p.audit.cells.set_index("row")
    assert tuple(cells.loc["D1 / S2", ["lower", "upper"]]) == (0.0, 35.0)


def test_publish_caps_rates_and_suppresses():
    df = pd.DataFrame({
        "school": ["A", "B", "C", "D", "Total"],
        "n": [400, 150, 50, 8, 608],
        "chronic_absence_pct": [99.5, 1.5, 50.0, 25.0, 67.0],
    })
    out = publish(df, count_col="n", group_cols=["school"], rate_cols=["chronic_absence_pct"])
    # D (8) is primary; the cheapest partner is C (50), whose rate goes with it.
    assert out["n"].tolist() == [400, 150, "*", "*", 608]
    assert out["chronic_absence_pct"].tolist() == [">=99", "<=2", "*", "*", 67.0]


def test_publish_without_margins_is_primary_suppression():
    df = pd.DataFrame({"group": ["EL", "SWD", "Foster"], "n": [120, 45, 7], "mean": [3.1, 2.9, 2.5]})
    out = publish(df, count_col="n", group_cols=["group"], additive=[])
    assert out["n"].tolist() == [120, 45, "*"]
    assert out["mean"].tolist() == [3.1, 2.9, "*"]


def test_margin_that_does_not_add_up_is_an_input_error():
    t = grades()
    t["Total"] = t.sum(axis=1)
    t.loc["G3", "Total"] = 76
    with pytest.raises(InputError) as exc:
        protect_crosstab(t)
    assert str(exc.value) == (
        "table: row 'G3', column 'Total' is 76 but the cells it totals add up to 75"
    )


def test_non_count_cell_is_an_input_error_without_its_content():
    t = grades().astype(object)
    t.loc["G4", "Girls"] = "Maria Lopez"
    with pytest.raises(InputError) as exc:
        protect_crosstab(t)
    assert str(exc.value) == ("table: row 'G4', column 'Girls': expected a count (a whole number "
                              ">= 0)")


def test_long_table_with_a_repeated_group_is_an_input_error():
    df = pd.DataFrame({"school": ["A", "A", "Total"], "n": [20, 30, 50]})
    with pytest.raises(InputError) as exc:
        publish(df, count_col="n", group_cols=["school"])
    assert str(exc.value) == "table: rows 'A' and 'A' are the same group"


def test_large_protection_level_suppresses_the_margin_too():
    # threshold 2: only A is small. With protection 30, A + B = 5 known would cap A at 5, so
    # the total must go instead of B (A = Total - 3, so A is in [0, inf)).
    t = pd.DataFrame([[2, 3, 5]], index=["x"], columns=["A", "B", "Total"])
    p = protect_crosstab(t, config=PrivacyConfig(threshold=2, protection=30))
    assert p.table.loc["x"].tolist() == ["*", 3, "*"]
    cells = p.audit.cells.set_index("column")
    assert cells.loc["A", "upper"] == np.inf


def test_same_input_same_output():
    rng = np.random.default_rng(7)
    x = rng.integers(0, 60, size=(12, 5))
    t = pd.DataFrame(x, index=[f"s{i}" for i in range(12)], columns=list("abcde"))
    a = protect_crosstab(t, add_margins=True).table.to_csv()
    b = protect_crosstab(t, add_margins=True).table.to_csv()
    assert a == b


def test_publish_without_group_columns_is_primary_suppression_only():
    df = pd.DataFrame({"n": [5, 50, 500], "rate": [0.1, 0.5, 0.999]})
    out = publish(df, count_col="n", rate_cols=["rate"], rate_scale=1)
    assert out["n"].tolist() == ["*", 50, 500]
    assert out["rate"].tolist() == ["*", 0.5, ">=0.99"]


def test_publish_missing_columns_are_named():
    df = pd.DataFrame({"school": ["A"], "n": [40]})
    with pytest.raises(InputError) as exc:
        publish(df, count_col="n", group_cols=["school"], rate_cols=["rate_pct"])
    assert str(exc.value) == "table: missing column(s) 'rate_pct'"
    with pytest.raises(InputError) as exc:
        publish(df, count_col="students", group_cols=["school"])
    assert str(exc.value) == "table: missing column(s) 'students'"
