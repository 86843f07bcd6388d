"""The vectorised primitives, against hand computations written here."""

from __future__ import annotations

import numpy as np
import pytest

from equitable.index import aggregate, percentile_rank
from equitable.index._methods import (
    minmax,
    need_rank,
    percentile_rank_columns,
    tiers_by_cuts,
    tiers_by_quantile,
    zscore,
)

NAN = np.nan


def test_svi_form_min_ties():
    # values 10, 20, 20, 30 and a missing one: N = 4, (rank - 1) / (N - 1) with min ranks 1, 2, 2, 4
    x = np.array([10, 20, 20, 30, NAN])
    p, n = percentile_rank(x)
    assert n == 4
    np.testing.assert_array_equal(p[:4], [0, 1 / 3, 1 / 3, 1])
    assert np.isnan(p[4])


def test_svi_form_max_and_average_ties_and_rounding():
    x = np.array([10, 20, 20, 30])
    p, _ = percentile_rank(x, ties="max", decimals=4)
    np.testing.assert_array_equal(p, [0, 0.6667, 0.6667, 1])  # ranks 1, 3, 3, 4
    p, _ = percentile_rank(x, ties="average")
    np.testing.assert_array_equal(p, [0, 0.5, 0.5, 1])  # ranks 1, 2.5, 2.5, 4


def test_reverse_ranks_lower_values_as_more_need():
    x = np.array([30000.0, 20000.0, 10000.0])
    p, _ = percentile_rank(x, reverse=True)
    np.testing.assert_array_equal(p, [0, 0.5, 1])


def test_ces_form_over_nonzero_values_in_percent():
    # zeros get 0; nonzero 5, 5, 7, 9: N = 4, rank / N with max ties: 2/4, 2/4, 3/4, 4/4
    x = np.array([0, 5, 5, 7, 9, 0, NAN])
    p, n = percentile_rank(x, form="ces", ties="max")
    assert n == 4
    np.testing.assert_array_equal(p[:6], [0, 50, 50, 75, 100, 0])
    assert np.isnan(p[6])


def test_against_a_separate_reference_population():
    ref = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    # 3 has two reference values below it: 2 / (5 - 1); 2.5 (absent) also has two below it
    p, n = percentile_rank(np.array([3.0, 2.5, 9.0, 0.0]), ref)
    assert n == 5
    np.testing.assert_array_equal(p, [0.5, 0.5, 1.0, 0.0])


def test_too_few_values_gives_nan_and_the_count():
    p, n = percentile_rank(np.array([1.0, NAN]))
    assert n == 1 and np.isnan(p).all()


def test_columns_on_a_thread_pool_equal_one_by_one():
    rng = np.random.default_rng(1)
    cols = [np.round(rng.random(1000) * 10, 1) for _ in range(5)]
    sets = [{"ties": t, "decimals": 4} for t in ("min", "max", "average", "min", "max")]
    pooled = percentile_rank_columns(cols, None, sets, workers=2)
    for c, s, (p, n) in zip(cols, sets, pooled):
        np.testing.assert_array_equal(p, percentile_rank(c, **s)[0])
        assert n == 1000


def test_zscore_uses_n_minus_1_and_cap():
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    mean, sd = 4.0, np.sqrt((9 + 4 + 1 + 0 + 36) / 4)  # n - 1 = 4
    z, learned = zscore(x)
    np.testing.assert_allclose(z, (x - mean) / sd)
    assert learned["mean"] == 4.0 and learned["sd"] == pytest.approx(np.sqrt(12.5))
    z, _ = zscore(x, cap=1.5)
    assert z.max() == 1.5


def test_minmax_and_reverse():
    x = np.array([2.0, 4.0, 6.0])
    np.testing.assert_array_equal(minmax(x)[0], [0, 0.5, 1])
    np.testing.assert_array_equal(minmax(x, reverse=True)[0], [1, 0.5, 0])


def test_aggregate_sum_mean_geometric_product_by_hand():
    v = np.array([[0.2, 0.4], [0.5, 0.5]])
    w = np.array([1.0, 3.0])
    np.testing.assert_allclose(aggregate(v, w, "sum"), [0.2 + 1.2, 0.5 + 1.5])
    np.testing.assert_allclose(aggregate(v, w, "mean"), [(0.2 + 1.2) / 4, 0.5])
    np.testing.assert_allclose(aggregate(v, w, "geometric_mean"), [(0.2 * 0.4**3) ** 0.25, 0.5])
    np.testing.assert_allclose(aggregate(v, np.array([1.0, 1.0]), "product"), [0.08, 0.25])


def test_aggregate_reweights_over_members_present_and_hard_missing():
    v = np.array([[0.2, NAN, 0.6], [NAN, NAN, NAN]])
    w = np.array([1.0, 1.0, 2.0])
    # mean over the present: (0.2 + 1.2) / 3; sum scaled by total / present weight: 1.4 * 4 / 3
    np.testing.assert_allclose(aggregate(v, w, "mean")[0], 1.4 / 3)
    np.testing.assert_allclose(aggregate(v, w, "sum")[0], 1.4 * 4 / 3)
    assert np.isnan(aggregate(v, w, "mean")[1])
    out = aggregate(v, w, "mean", hard_missing=np.array([True, False]))
    assert np.isnan(out).all()


def test_weight_matrix_gives_each_weighting_at_once():
    rng = np.random.default_rng(2)
    v = rng.random((50, 4))
    v[3, 1] = NAN
    W = rng.dirichlet(np.ones(4), size=7)
    for method in ("sum", "mean", "geometric_mean", "product"):
        many = aggregate(v, W, method)
        assert many.shape == (50, 7)
        for d in range(7):
            np.testing.assert_allclose(many[:, d], aggregate(v, W[d], method), rtol=1e-12)


def test_need_rank_and_tiers():
    score = np.array([5.0, 9.0, 9.0, 1.0, NAN, 3.0])
    r = need_rank(score)
    np.testing.assert_array_equal(r[[0, 1, 2, 3, 5]], [3, 1, 1, 5, 4])
    # 5 ranked units, 5 tiers: tier = floor((rank - 1) * 5 / 5) + 1
    t = tiers_by_quantile(r, 5, 5)
    np.testing.assert_array_equal(t[[0, 1, 2, 3, 5]], [3, 1, 1, 5, 4])
    assert np.isnan(t[4])
    # cuts 2, 6: [6, inf) tier 1, [2, 6) tier 2, below 2 tier 3
    np.testing.assert_array_equal(tiers_by_cuts(np.array([6.0, 5.9, 2.0, 1.0]), [2, 6]), [1, 2, 2, 3])


def test_hashed_ranking_of_few_distinct_values_equals_scipy_rankdata():
    from scipy.stats import rankdata

    from equitable.index._methods import _few_distinct, count_below

    rng = np.random.default_rng(7)
    x = np.round(rng.gamma(2.0, 6.0, 60_000), 1)  # one-decimal percents: few distinct values
    x[:100] = -0.0
    x[100:200] = 0.0
    assert _few_distinct(x)
    less, le, n = count_below(x)
    assert n == 60_000
    np.testing.assert_array_equal(less, rankdata(x, method="min") - 1)
    np.testing.assert_array_equal(le, rankdata(x, method="max"))
    p, _ = percentile_rank(x, ties="average", decimals=4)
    np.testing.assert_array_equal(p, np.round((rankdata(x, method="average") - 1) / 59_999, 4))


def test_docstring_examples_run():
    import doctest

    import equitable.index

    result = doctest.testmod(equitable.index, verbose=False)
    assert result.attempted >= 2 and result.failed == 0


def test_two_inverse_rules_differ_on_tied_values_by_hand():
    # Per-capita incomes 10, 20, 20, 30, 40 (N = 5, N - 1 = 4); a lower income is more need.
    # complement (CDC SVI 2018, EPL_PCI): 1 - percentile of x with min ties;
    #   percentiles of x: 0, 1/4, 1/4, 3/4, 1 -> complements 1, 3/4, 3/4, 1/4, 0.
    # negate: percentile of -x = -10, -20, -20, -30, -40 with min ties: sorted -40, -30, -20, -20,
    #   -10, so the tied -20s take rank 3 -> (3 - 1) / 4 = 1/2; the others 1, 1/4, 0 as above.
    x = np.array([10.0, 20.0, 20.0, 30.0, 40.0])
    comp, n = percentile_rank(x, reverse=True, inverse="complement")
    neg, _ = percentile_rank(x, reverse=True, inverse="negate")
    assert n == 5
    np.testing.assert_array_equal(comp, [1.0, 0.75, 0.75, 0.25, 0.0])
    np.testing.assert_array_equal(neg, [1.0, 0.5, 0.5, 0.25, 0.0])
    # with a missing value and 4 decimals, N - 1 = 3: complements 1, 2/3, 2/3, 0
    comp, n = percentile_rank(np.array([10.0, 20.0, 20.0, NAN, 30.0]), reverse=True,
                              inverse="complement", decimals=4)
    assert n == 4
    np.testing.assert_array_equal(comp[[0, 1, 2, 4]], [1.0, 0.6667, 0.6667, 0.0])
    assert np.isnan(comp[3])
    with pytest.raises(ValueError, match="unknown inverse"):
        percentile_rank(x, reverse=True, inverse="flip")
