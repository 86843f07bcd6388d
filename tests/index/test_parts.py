"""equitable.index._parts (fit/transform parts) and equitable.index.replay (issue 19, item 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitable.index import AGGREGATORS, NORMALISERS, compute_index, list_presets, load_spec, replay
from equitable.index import _parts as P
from equitable.index import _steps as S
from equitable.index._spec import Normalise

NAN = np.nan


def test_registries_hold_every_method_the_spec_accepts():
    assert sorted(NORMALISERS) == ["identity", "minmax", "percentile", "zscore"]
    assert sorted(AGGREGATORS) == ["geometric_mean", "mean", "product", "sum"]


def test_percentile_rank_learns_the_reference_and_places_new_values_against_it():
    # SVI form, ties at the minimum: (rank - 1) / (N - 1) among 1, 2, 2, 4 (N = 4, NaN left out)
    p = P.PercentileRank(form="svi", ties="min")
    with pytest.raises(P.NotFittedError):
        p.transform(np.array([1.0]))
    assert p.fit_transform(np.array([1.0, 2.0, NAN, 2.0, 4.0])).tolist()[:2] == [0.0, 1 / 3]
    assert p.n_ == 4
    # 3 is above 1, 2, 2 -> 3 / 3 = 1.0, clipped; 0 below all -> 0; 2 ties at the minimum -> 1/3
    got = p.transform(np.array([3.0, 0.0, 2.0]))
    assert got.tolist() == [1.0, 0.0, 1 / 3]
    # batched: (n, d) placed column by column against the same reference
    both = p.transform(np.array([[3.0, 0.0], [2.0, 4.0]]))
    assert both.tolist() == [[1.0, 0.0], [1 / 3, 1.0]]


def test_zscore_and_minmax_learn_into_trailing_underscore_attributes():
    z = P.ZScore().fit(np.array([1.0, 2.0, 3.0, NAN]))
    assert (z.mean_, z.sd_, z.n_) == (2.0, 1.0, 3)  # sd with n - 1: sqrt(2 / 2)
    assert z.transform(np.array([4.0, NAN])).tolist()[0] == 2.0
    m = P.MinMax(to_range=(1, 100)).fit(np.array([10.0, 20.0, 30.0]))
    assert (m.min_, m.max_) == (10.0, 30.0)
    assert m.transform(np.array([10.0, 20.0, 40.0])).tolist() == [1.0, 50.5, 100.0]
    assert m.fitted() == {"min": 10.0, "max": 30.0, "n": 3}


def test_imputer_winsoriser_rescaler_and_tiers():
    imp = P.Imputer("impute_median").fit(np.array([1.0, 5.0, 2.0, NAN]))
    assert imp.fill_ == 2.0
    filled, mask = imp.transform(np.array([NAN, 3.0]))
    assert filled.tolist() == [2.0, 3.0] and mask.tolist() == [True, False]
    w = P.Winsoriser((0.25, 0.75)).fit(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert w.bounds_ == (2.0, 4.0)
    assert w.transform(np.array([0.0, 3.0, 9.0, NAN]))[:3].tolist() == [2.0, 3.0, 4.0]
    r = P.MaxRescaler(10).fit(np.array([2.0, 4.0]))
    assert r.transform(np.array([1.0])).tolist() == [2.5]
    # batched: each weight draw (column) is its own reference
    assert P.MaxRescaler(10).fit_transform(np.array([[1.0, 2.0], [2.0, 8.0]])).tolist() == [[5.0, 2.5], [10.0, 10.0]]
    rank = P.NeedRank()
    assert rank.fit_transform(np.array([5.0, 9.0, 5.0, NAN]))[:3].tolist() == [2.0, 1.0, 2.0]
    # 6 ranked against the reference 5, 9, 5: one reference score is higher -> rank 2
    assert rank.transform(np.array([6.0])).tolist() == [2.0]
    q = P.QuantileTiers(2).fit(4)
    assert q.transform(np.array([1.0, 2.0, 3.0, 4.0])).tolist() == [1.0, 1.0, 2.0, 2.0]
    assert P.CutTiers([50]).transform(np.array([49.9, 50.0])).tolist() == [2.0, 1.0]


@pytest.mark.parametrize("method", sorted(AGGREGATORS))
def test_batched_aggregation_equals_one_weighting_at_a_time(method):
    rng = np.random.default_rng(1)
    v = rng.uniform(1, 100, (50, 3))
    W = rng.uniform(0.1, 2, (4, 3))
    agg = AGGREGATORS[method]()
    full = agg.transform(v, W)  # (n, d)
    assert full.shape == (50, 4)
    complete = agg.transform_complete(agg.prepare(v), W)
    members = agg.transform_members([np.repeat(v[:, [j]], 4, axis=1) for j in range(3)], W)
    for d in range(4):
        one = agg.transform(v, W[d])
        np.testing.assert_allclose(full[:, d], one, rtol=1e-12)
        np.testing.assert_allclose(complete[:, d], one, rtol=1e-12)
        np.testing.assert_allclose(members[:, d], one, rtol=1e-12)


def test_weighted_mean_by_hand_with_a_missing_member():
    # unit 1: (10 * 1 + 40 * 3) / 4 = 32.5; unit 2 lacks member 2: 20 * 1 / 1 = 20
    got = P.make_aggregator("mean").transform(np.array([[10.0, 40.0], [20.0, NAN]]), np.array([1.0, 3.0]))
    assert got.tolist() == [32.5, 20.0]


def test_make_normaliser_follows_the_spec():
    p = P.make_normaliser(Normalise(method="percentile", form="ces", ties="max"), reverse=True)
    assert isinstance(p, P.PercentileRank) and (p.form, p.ties, p.scale, p.reverse) == ("ces", "max", 100.0, True)
    assert P.make_normaliser(Normalise(method="minmax", range=(1, 100))).describe() == "min-max to [1, 100]"


def test_the_build_is_a_typed_sequence_of_steps():
    spec = load_spec("calenviroscreen-4.0")
    steps = S.plan(spec)
    kinds = [type(s).__name__ for s in steps]
    assert kinds[0] == "Normalise" and kinds[-1] == "NodePercentiles"
    assert kinds.count("Aggregate") == len(spec.build_order()) == 7
    agg = {s.code: s for s in steps if isinstance(s, S.Aggregate)}
    assert type(agg["CES"].aggregator).__name__ == "Product"
    assert agg["POLLUTION_BURDEN"].rescaler is not None


def _toy() -> pd.DataFrame:
    return pd.DataFrame({"FIPS": [f"{i:05d}" for i in range(1, 9)],
                         **{c: np.linspace(1, 80, 8)[::(1 if k % 2 else -1)] + k
                            for k, c in enumerate(["EP_POV150", "EP_UNEMP", "EP_HBURD", "EP_NOHSDP",
                                                   "EP_UNINSUR", "EP_AGE65", "EP_AGE17", "EP_DISABL",
                                                   "EP_SNGPNT", "EP_LIMENG", "EP_MINRTY", "EP_MUNIT",
                                                   "EP_MOBILE", "EP_CROWD", "EP_NOVEH", "EP_GROUPQ"])}})


def test_replay_reproduces_a_build_with_a_reference():
    spec = load_spec("svi-2022")
    ref = _toy()
    df = ref.iloc[[1, 4, 6]].reset_index(drop=True)
    res = compute_index(spec, df, reference=ref)
    assert res.log.reference is ref and res.log.data is df
    again = replay(res.log)
    pd.testing.assert_frame_equal(again.table, res.table, check_exact=True)
    assert list(again.log) == list(res.log)
    assert again.fitted == res.fitted
    # the reference's 8 units are what was learned, not the 3 units reported
    first = spec.indicators[0].code
    assert res.fitted[f"normalise:{first}"]["n"] == 8 and res.fitted[f"percentile:{spec.overall.code}"]["n"] == 8


@pytest.mark.data
@pytest.mark.parametrize("preset", list_presets())
def test_replay_reproduces_every_preset_on_its_real_file(preset, data_dir, tmp_path):
    from equitable.index import read_table

    files = {"svi-2022": "community/svi2022_us_county.csv", "svi-2020": "community/svi2020_us_county.csv",
             "svi-2020-documented": "community/svi2020_us_county.csv",
             "svi-2018": "community/svi2018_us_county_inputs.csv",
             "calenviroscreen-4.0": "community/calenviroscreen40_results_tract.csv",
             "calenviroscreen-4.0-pctl": "community/calenviroscreen40_results_tract.csv",
             "hpi-2.0": "community/hpi2_los_angeles_county_tracts.csv"}
    spec = load_spec(preset)
    if preset in files:
        df = read_table(data_dir / files[preset], id_column=spec.id_column)
    else:  # the SENI-style presets: LAUSD's schools, community and math values made up
        df = read_table(data_dir / "lausd" / "schools_2024_25.csv", id_column="cds")
        df = df.rename(columns={"cds": "cds_code", "pct_frpm": "frpm_pct", "pct_el": "el_pct",
                                "pct_swd": "swd_pct", "ela_pct_met": "ela_met_pct"})
        rng = np.random.default_rng(0)
        for ind in spec.indicators:
            for col in [ind.column, *(["ela_met_pct", "math_met_pct"] if ind.expression else [])]:
                if col and col not in df.columns:
                    df[col] = np.round(rng.uniform(0, 100, len(df)), 1)
        df["school_name"] = df.get("school_name", "x")
        df["enrollment"] = df.get("enrollment", 1)
    res = compute_index(spec, df)
    again = replay(res.log)
    assert again is not res
    pd.testing.assert_frame_equal(again.table, res.table, check_exact=True)
    for stage in ("treated", "normalised", "aggregated"):
        pd.testing.assert_frame_equal(getattr(again, stage), getattr(res, stage), check_exact=True)
    assert list(again.log) == list(res.log)
    assert again.fitted == res.fitted
    # the replay ran the logged steps, refitted: the logged parts are untouched copies
    assert again.log.steps is not res.log.steps


@pytest.fixture
def rank01():
    """A normalisation method added the documented way: one class, registered."""

    @P.register_normaliser
    class Rank01(P.Normaliser):
        """rank / N with ties at the maximum rank (for the test only)."""

        method = "rank01"
        suffix = "rank01"
        _learned = ("sorted_", "n_")

        def fit(self, reference):
            r = np.asarray(reference, dtype=float)
            self.sorted_ = np.sort(r[np.isfinite(r)])
            self.n_ = int(self.sorted_.size)
            return self

        def transform(self, values):
            x = np.asarray(values, dtype=float)
            out = np.searchsorted(self.sorted_, x, side="right") / self.n_
            return np.where(np.isfinite(x), out, np.nan)

        def describe(self):
            return "rank / N"

    yield Rank01
    del P.NORMALISERS["rank01"]


def test_a_normalisation_added_in_one_module_is_used_by_spec_engine_and_explain(rank01):
    from equitable.index import explain, parse_spec

    spec = parse_spec({"name": "t", "id_column": "id",
                       "indicator": [{"code": "a", "column": "a", "normalise": {"method": "rank01"}},
                                     {"code": "b", "column": "b", "normalise": {"method": "rank01"}}],
                       "overall": {"code": "o", "aggregation": "mean", "rank_column": "rank"}})
    df = pd.DataFrame({"id": ["1", "2", "3", "4"], "a": [10, 20, 20, 40], "b": [4, 3, 2, 1]})
    res = compute_index(spec, df)
    # a: ranks 1, 3, 3, 4 of 4 (ties at the maximum); b: 4, 3, 2, 1 of 4
    assert res.table["a_rank01"].tolist() == [0.25, 0.75, 0.75, 1.0]
    assert res.table["score"].tolist() == [0.625, 0.75, 0.625, 0.625]
    assert res.table["rank"].tolist() == [2, 1, 2, 2]
    assert res.fitted["normalise:a"]["n"] == 4
    assert "rank / N" in explain(spec)
    assert pd.testing.assert_frame_equal(replay(res.log).table, res.table) is None
