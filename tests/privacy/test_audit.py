"""The auditor: LP intervals against brute force, and adversarial tables made by hypothesis."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equitable.errors import InputError
from equitable.privacy import (
    DisclosureError,
    PrivacyConfig,
    assert_no_disclosure,
    audit_tables,
    protect_crosstab,
    protect_long,
    protect_tables,
)

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def with_margins(x: np.ndarray) -> pd.DataFrame:
    r, c = x.shape
    t = pd.DataFrame(x, index=[f"r{i}" for i in range(r)], columns=[f"c{j}" for j in range(c)])
    t["Total"] = t.sum(axis=1)
    t.loc["Total"] = t.sum(axis=0)
    return t


def brute_force_intervals(full: pd.DataFrame, mask: np.ndarray) -> dict[tuple[int, int], tuple]:
    """Every integer 2x2 interior with the published cells' values: min and max of each
    suppressed cell (a hand-made attacker, independent of the LP)."""
    values = full.to_numpy()
    gt = int(values[-1, -1])
    rng = range(gt + 1)
    seen: dict[tuple[int, int], list[int]] = {}
    for a, b, c, d in itertools.product(rng, rng, rng, rng):
        cand = np.array([[a, b, a + b], [c, d, c + d], [a + c, b + d, a + b + c + d]])
        if np.all((cand == values) | mask):
            for i, j in zip(*np.nonzero(mask)):
                seen.setdefault((i, j), []).append(int(cand[i, j]))
    return {k: (min(v), max(v)) for k, v in seen.items()}


def test_hand_example_intervals_and_exact_disclosure():
    published = pd.DataFrame(
        [[40, 35, 75], ["*", 30, 33], [22, 25, 47], [65, 90, 155]],
        index=["G3", "G4", "G5", "Total"], columns=["Girls", "Boys", "Total"],
    )
    report = audit_tables(published)
    assert not report.ok
    # G4/Girls = 33 - 30 = 3 exactly
    assert report.cells[["row", "column", "lower", "upper"]].values.tolist() == [
        ["G4", "Girls", 3.0, 3.0]
    ]
    assert report.problems == [
        ("table 1: row 'G4', column 'Girls': suppressed cell can be derived exactly; the "
         "protection level is +-3")
    ]


BLOCK = pd.DataFrame([["*", "*", 12], ["*", "*", 30], [16, 26, 42]],
                     index=["x", "y", "Total"], columns=["A", "B", "Total"])


def test_narrow_interval_fails_wide_one_passes():
    # With the 2x2 block suppressed: x/A = t, x/B = 12 - t, y/A = 16 - t, y/B = 14 + t, all
    # >= 0, so t is in [0, 12]: x/A in [0, 12] starts at 0 and reaches 3; y/A in [4, 16] is
    # 12 wide (>= 2 x 3).
    report = audit_tables(BLOCK)
    assert report.ok
    assert report.cells[["row", "column", "lower", "upper"]].values.tolist() == [
        ["x", "A", 0.0, 12.0], ["x", "B", 0.0, 12.0], ["y", "A", 4.0, 16.0],
        ["y", "B", 14.0, 26.0],
    ]
    # with protection 13, [0, 12] is too narrow
    report = audit_tables(BLOCK, config=PrivacyConfig(protection=13))
    assert not report.ok
    assert report.problems[0] == (
        "table 1: row 'x', column 'A': suppressed cell can be narrowed to [0, 12]; the "
        "protection level is +-13"
    )


def test_audit_with_true_values_uses_the_value_rule():
    true = pd.DataFrame([[10, 2, 12], [6, 24, 30], [16, 26, 42]],
                        index=["x", "y", "Total"], columns=["A", "B", "Total"])
    # x/A = 10 in [0, 12]: 12 < 10 + 3. y/A = 6 in [4, 16]: 4 > 6 - 3. x/B = 2 in [0, 12] is
    # fine, and y/B = 24 (not small) only needs a wide interval: [14, 26].
    report = audit_tables(BLOCK, true=true)
    assert not report.ok
    bad = report.cells[~report.cells["ok"]]
    assert set(zip(bad["row"], bad["column"])) == {("x", "A"), ("y", "A")}


def test_inconsistent_published_table_is_an_input_error():
    published = pd.DataFrame([["*", 20, 25], [50, 60, 100], [55, 80, 125]],
                             index=["x", "y", "Total"], columns=["A", "B", "Total"])
    with pytest.raises(InputError) as exc:
        audit_tables(published)
    assert str(exc.value) == (
        "table 1: row 'y', column 'Total' is 100 but the cells it totals add up to 110"
    )


@SETTINGS
@given(
    cells=st.lists(st.integers(0, 3), min_size=4, max_size=4),
    mask=st.lists(st.booleans(), min_size=9, max_size=9),
)
def test_lp_intervals_equal_brute_force_on_2x2_tables(cells, mask):
    """Random 2x2 tables with margins and random (adversarial) suppression patterns: the LP
    interval of every suppressed cell equals the exhaustive integer search."""
    full = with_margins(np.array(cells).reshape(2, 2))
    m = np.array(mask).reshape(3, 3)
    if not m.any():
        return
    published = full.astype(object).mask(m, "*")
    report = audit_tables(published, config=PrivacyConfig(threshold=0, suppress_zeros=False))
    expected = brute_force_intervals(full, m)
    got = {
        (list(full.index).index(r), list(full.columns).index(c)): (lo, hi)
        for r, c, lo, hi in report.cells[["row", "column", "lower", "upper"]].itertuples(
            index=False)
    }
    assert set(got) == set(expected)
    for k, (lo, hi) in expected.items():
        glo, ghi = got[k]
        assert glo == lo
        # the brute force searched interiors up to the grand total; an unbounded LP upper
        # bound shows as the search's ceiling
        assert ghi == hi or (np.isinf(ghi) and hi >= int(full.iloc[-1, -1]))


@SETTINGS
@given(
    shape=st.tuples(st.integers(1, 5), st.integers(1, 4)),
    data=st.data(),
)
def test_protected_random_tables_pass_the_audit(shape, data):
    """Adversarial tables (many small cells, zeros, single rows or columns): every table the
    protector publishes passes the auditor, no group of n <= 10 is shown, and each small cell's
    interval reaches v + 3 and max(v - 3, 0)."""
    r, c = shape
    x = np.array(data.draw(st.lists(st.integers(0, 40), min_size=r * c, max_size=r * c)))
    full = with_margins(x.reshape(r, c))
    p = protect_crosstab(full)
    assert_no_disclosure(p.table)
    shown = p.table.where(~p.suppressed)
    nums = pd.to_numeric(shown.stack(), errors="coerce").dropna()
    assert (nums > 10).all()
    report = audit_tables(p.table, true=full)
    assert report.ok, report.problems


@SETTINGS
@given(data=st.data())
def test_linked_random_tables_pass_the_joint_audit(data):
    """Two tables sharing their row totals (school x grade, school x race)."""
    n = data.draw(st.integers(2, 4))
    size = data.draw(st.lists(st.integers(0, 45), min_size=n, max_size=n))
    a_cols, b_cols = [], []
    for s in size:
        k = data.draw(st.integers(0, s))
        a_cols.append([k, s - k])
        j = data.draw(st.integers(0, s))
        b_cols.append([j, s - j])
    a = pd.DataFrame(a_cols, index=[f"s{i}" for i in range(n)], columns=["G1", "G2"])
    b = pd.DataFrame(b_cols, index=a.index, columns=["R1", "R2"])
    a.index.name = b.index.name = "school"
    a.columns.name, b.columns.name = "grade", "race"
    pa, pb = protect_tables([a, b], add_margins=True)
    assert audit_tables([pa.table, pb.table]).ok
    # the shared margin is suppressed in both tables or in neither
    assert (pa.suppressed["Total"] == pb.suppressed["Total"]).all()


def test_assert_no_disclosure_lists_every_problem():
    published = pd.DataFrame(
        {"school": ["A", "B", "C", "Total"], "n": [400, "*", 7, 450],
         "rate_pct": [99.6, 12.0, 3.0, 90.0]}
    )
    with pytest.raises(DisclosureError) as exc:
        assert_no_disclosure(published, count_col="n", group_cols=["school"],
                             rate_cols=["rate_pct"], names=["summary"])
    msg = str(exc.value)
    assert msg.splitlines() == [
        "4 disclosure problem(s):",
        ("  summary: row 'C', column 'n': a group of 7 (<= 10) is published; it must be "
         "suppressed"),
        ("  summary: row 'B', column 'n': suppressed cell can be derived exactly; the protection "
         "level is +-3"),
        "  summary: row 'B': the group is suppressed but column(s) 'rate_pct' are shown",
        ("  summary: row 'A', column 'rate_pct': rate 99.6 for a group of 400 must be shown as "
         "'<=1' or '>=99' (NCES caps)"),
    ]
    assert isinstance(exc.value, AssertionError)


def test_assert_no_disclosure_returns_the_report_when_safe():
    published = pd.DataFrame(
        {"school": ["A", "B", "C", "Total"], "n": [400, "*", "*", 450],
         "rate_pct": [">=99", "*", "*", 90.0]}
    )
    report = assert_no_disclosure(published, count_col="n", group_cols=["school"],
                                  rate_cols=["rate_pct"])
    assert report.ok
    assert report.cells[["lower", "upper"]].values.tolist() == [[0.0, 50.0], [0.0, 50.0]]


def three_way_long(x: np.ndarray) -> pd.DataFrame:
    """A school x grade x group table with every margin, as a long table."""
    names = [[f"s{i}" for i in range(x.shape[0])], [f"g{i}" for i in range(x.shape[1])],
             [f"r{i}" for i in range(x.shape[2])]]
    rows = []
    for idx in itertools.product(*[range(n + 1) for n in x.shape]):
        sl = tuple(slice(None) if i == n else i for i, n in zip(idx, x.shape))
        labels = [("Total" if i == n else names[d][i]) for d, (i, n) in
                  enumerate(zip(idx, x.shape))]
        rows.append((*labels, int(x[sl].sum())))
    return pd.DataFrame(rows, columns=["school", "grade", "group", "n"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_protected_three_way_tables_pass_the_audit(data):
    """Three-way tables with all margins (not totally unimodular; the integer program needs
    attacker cuts): the published table passes, and every small cell keeps +-3."""
    shape = (data.draw(st.integers(2, 4)), 2, data.draw(st.integers(2, 3)))
    size = int(np.prod(shape))
    x = np.array(data.draw(st.lists(st.integers(0, 25), min_size=size, max_size=size)))
    full = three_way_long(x.reshape(shape))
    groups = ["school", "grade", "group"]
    p = protect_long(full, count_col="n", group_cols=groups)
    assert_no_disclosure(p.table, count_col="n", group_cols=groups)
    assert audit_tables(p.table, count_col="n", group_cols=groups, true=full).ok


def test_docstring_examples_run():
    import doctest

    import equitable.privacy._protect as mod

    result = doctest.testmod(mod)
    assert result.attempted >= 2 and result.failed == 0


def test_implied_upper_bounds_by_hand():
    """Rows (cells y0..y4 >= 0): y0 + y1 = 5; y2 + y3 - y4 = 0; y4 + y0 = 9. By hand: y0, y1 <= 5
    (first row); y4 <= 9 (third row); y2, y3 <= y4 <= 9 (second row, through y4's bound)."""
    from scipy import sparse

    from equitable.privacy._lp import implied_upper

    sub = sparse.csc_matrix(np.array([
        [1, 1, 0, 0, 0],
        [0, 0, 1, 1, -1],
        [1, 0, 0, 0, 1],
    ], dtype=float))
    assert implied_upper(sub, np.array([5.0, 0.0, 9.0])).tolist() == [5, 5, 9, 9, 9]
    # A cell in no bounding row stays unbounded.
    free = sparse.csc_matrix(np.array([[1.0, -1.0]]))
    assert implied_upper(free, np.array([0.0])).tolist() == [np.inf, np.inf]


def _plain_intervals(system, suppressed, values):
    """Two LPs per suppressed cell with scipy's linprog (the plain method, no shortcuts)."""
    from scipy.optimize import linprog

    A = system.matrix().toarray()
    S = np.flatnonzero(suppressed)
    P = np.flatnonzero(~suppressed)
    b = -(A[:, P] @ values[P])
    rows = np.flatnonzero(np.abs(A[:, S]).sum(axis=1) > 0)
    A_s, b_s = A[np.ix_(rows, S)], b[rows]
    out = {}
    for k, j in enumerate(S):
        c = np.zeros(len(S))
        c[k] = 1.0
        lo = linprog(c, A_eq=A_s, b_eq=b_s, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=A_s, b_eq=b_s, bounds=(0, None), method="highs")
        out[int(j)] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_attacker_intervals_equal_two_plain_lps_per_cell(data):
    """The attacker's intervals (witnesses and implied bounds skip most LPs) equal the plain
    method's, two LPs per cell, on hierarchical tables with adversarial suppression patterns."""
    from equitable.privacy._lp import attacker_intervals
    from equitable.privacy._tables import build_system, long_part

    shape = (data.draw(st.integers(2, 5)), 2, data.draw(st.integers(2, 3)))
    size = int(np.prod(shape))
    x = np.array(data.draw(st.lists(st.integers(0, 30), min_size=size, max_size=size)))
    full = three_way_long(x.reshape(shape))
    part = long_part(full, name="t", count_col="n", group_cols=["school", "grade", "group"])
    system, _ = build_system([part])
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=system.n_cells,
                                       max_size=system.n_cells)))
    if not mask.any():
        return
    values = system.values.astype(float)
    lo, hi = attacker_intervals(system, mask, values)
    for j, (plo, phi) in _plain_intervals(system, mask, values).items():
        assert lo[j] == pytest.approx(plo, abs=1e-6)
        assert (np.isinf(hi[j]) and np.isinf(phi)) or hi[j] == pytest.approx(phi, abs=1e-6)
