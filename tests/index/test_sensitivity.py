"""equitable.index._sensitivity: rank intervals, tier probabilities and Sobol indices."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import beta, gamma

from equitable.cli import main
from equitable.errors import SpecError
from equitable.index import _methods as M
from equitable.index import compute_index, load_spec, parse_spec, read_table
from equitable.index._parts import make_aggregator
from equitable.index._sensitivity import (
    _node_scores,
    _prepare_variant,
    need_ranks,
    sensitivity,
)


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def three_units(weights=(0.75, 0.25), tiers=True):
    """A dominates; B leads on x1, C on x2: B is above C exactly when w1 > w2."""
    spec = parse_spec({
        "name": "three", "id_column": "id",
        "indicator": [{"code": "x1", "column": "x1", "weight": weights[0]},
                      {"code": "x2", "column": "x2", "weight": weights[1]}],
        "overall": {"code": "all", "aggregation": "sum", "rank_column": "rank",
                    **({"tiers": {"method": "quantile", "n": 3, "labels": ["T1", "T2", "T3"]}} if tiers else {})},
    })
    df = pd.DataFrame({"id": ["A", "B", "C"], "x1": [9.0, 5.0, 1.0], "x2": [9.0, 1.0, 5.0]})
    return spec, df


def nested_spec():
    return parse_spec({
        "name": "nested", "id_column": "id",
        "defaults": {"missing": "reweight", "normalise": {"method": "percentile", "decimals": 4}},
        "indicator": [
            {"code": "a", "column": "a", "theme": "T1", "weight": 2},
            {"code": "b", "column": "b", "theme": "T1", "missing": "exclude"},
            {"code": "c", "column": "c", "theme": "T2"},
            {"code": "d", "column": "d", "theme": "T2", "weight": 0.5},
            {"code": "e", "column": "e", "theme": "T3", "normalise": {"method": "minmax"}},
            {"code": "f", "column": "f", "theme": "T3"},
        ],
        "theme": [{"code": "T1", "aggregation": "sum", "decimals": 4},
                  {"code": "T2", "aggregation": "mean"},
                  # min-max puts e's minimum at 0: those units' T3 is 0 by the documented rule
                  {"code": "T3", "aggregation": "geometric_mean", "weight": 2, "zeros": "zero"}],
        "overall": {"code": "all", "aggregation": "sum", "decimals": 6, "rank_column": "rank",
                    "tiers": {"method": "quantile", "n": 4}},
    })


def nested_data(n=300, seed=3):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"id": [f"u{i:04d}" for i in range(n)]})
    for c in "abcdef":
        df[c] = np.round(rng.uniform(0, 10, n), 1)
    df.loc[rng.choice(n, 15, replace=False), "a"] = np.nan  # reweighted
    df.loc[rng.choice(n, 5, replace=False), "b"] = np.nan   # excluded
    return df


def test_need_ranks_equal_the_engine_rule_with_ties_and_missing():
    rng = np.random.default_rng(0)
    s = np.round(rng.uniform(0, 5, (20, 300)), 0)  # many ties
    s[rng.random(s.shape) < 0.05] = np.nan
    got = need_ranks(s)
    for d in range(20):
        exp = M.need_rank(s[d])
        assert np.array_equal(got[d], np.where(np.isfinite(exp), exp, 0).astype(int))
    assert need_ranks(np.array([[3.0, 1.0, 3.0, np.nan]])).tolist() == [[1, 3, 1, 0]]


@pytest.mark.parametrize("method", ["sum", "mean", "geometric_mean", "product"])
def test_aggregate_nodes_equals_aggregate_draw_by_draw(method):
    rng = np.random.default_rng(1)
    cols = [rng.uniform(0.1, 2, (50, 7)) for _ in range(3)]
    cols[1][4, 2] = np.nan
    W = rng.uniform(0, 1, (7, 3))
    got = make_aggregator(method).transform_members([c.copy() for c in cols], W)
    for d in range(7):
        mat = np.column_stack([c[:, d] for c in cols])
        hard = ~np.isfinite(mat).all(axis=1)
        exp = M.aggregate(mat, W[d], method, hard_missing=hard)
        np.testing.assert_allclose(got[:, d], exp, rtol=1e-13, equal_nan=True)


def test_declared_weights_reproduce_the_engine_exactly():
    spec, df = nested_spec(), nested_data()
    var = _prepare_variant(spec, df, "<t>", (None, None, None))
    w = {node.code: np.asarray(spec.member_weights(node))[None, :].repeat(3, axis=0)
         for node in spec.build_order()}
    got = _node_scores(spec, var, w, 3)
    res = compute_index(spec, df)
    exp = res.aggregated["score"].to_numpy(dtype=float)
    for d in range(3):
        np.testing.assert_array_equal(got[:, d], exp)
    ranks = need_ranks(got.T)[0]
    eng = res.aggregated["rank"].to_numpy(dtype=float)
    assert np.array_equal(ranks, np.where(np.isfinite(eng), eng, 0).astype(int))
    assert (ranks == 0).sum() == 5  # the five units missing an "exclude" indicator


def test_dirichlet_tier_probability_matches_the_beta_distribution():
    spec, df = three_units((0.75, 0.25))
    draws = 4000
    res = sensitivity(spec, df, draws=draws, concentration=1.0, sobol=False, seed=7)
    u = res.units.set_index("id")
    # a_j = concentration * k * w_j / S = (1.5, 0.5); B ranks 2 when share_1 > 1/2
    p = 1 - beta.cdf(0.5, 1.5, 0.5)
    sd = np.sqrt(p * (1 - p) / draws)
    assert abs(u.loc["B", "p_tier_2"] - p) < 4 * sd
    assert abs(u.loc["C", "p_tier_2"] - (1 - p)) < 4 * sd
    assert u.loc["B", "p_tier_2"] + u.loc["B", "p_tier_3"] == pytest.approx(1.0)
    # A is first in every draw
    assert u.loc["A", ["median_rank", "rank_p05", "rank_p95", "p_tier_1"]].tolist() == [1, 1, 1, 1]
    assert u.loc["A", "nominal_tier"] == "T1" and u.loc["B", "nominal_rank"] == 2
    assert u.loc["B", "rank_p05"] == 2 and u.loc["B", "rank_p95"] == 3
    stab = res.tier_stability.set_index("tier")
    assert stab.loc["T1", "units"] == 1 and stab.loc["T1", "units_p_ge_0.9"] == 1
    assert stab.loc["T2", "mean_p_same_tier"] == pytest.approx(u.loc["B", "p_tier_2"])


def test_uniform_weights_within_25_percent_never_swap():
    # w1 in [0.5625, 0.9375], w2 in [0.1875, 0.3125]: w1 > w2 always, so no rank moves
    spec, df = three_units((0.75, 0.25))
    res = sensitivity(spec, df, draws=200, weights="uniform", spread=0.25, sobol=False)
    u = res.units.set_index("id")
    assert u["median_rank"].tolist() == [1, 2, 3]
    assert (u["rank_interval"] == 0).all() and (u["p_nominal_tier"] == 1).all()
    assert res.summary["mean_abs_rank_shift"] == 0


def test_sobol_indices_equal_salib_on_the_rank_by_hand():
    from SALib.analyze import sobol as sa
    from SALib.sample import sobol as ss

    spec, df = three_units((0.5, 0.5), tiers=False)
    res = sensitivity(spec, df, draws=100, concentration=2.0, sobol_n=256, seed=3)
    s = res.sobol.set_index("factor")
    # by hand: B's rank is 2 when Gamma(a1).ppf(u1) > Gamma(a2).ppf(u2), a = 2 * 2 * 0.5 = 2
    problem = {"num_vars": 2, "names": ["u1", "u2"], "bounds": [[0, 1]] * 2}
    X = ss.sample(problem, 256, calc_second_order=False, seed=3)
    X = np.clip(X, 1e-12, 1 - 1e-12)
    rank_b = np.where(gamma.ppf(X[:, 0], 2.0) > gamma.ppf(X[:, 1], 2.0), 2.0, 3.0)
    Si = sa.analyze(problem, rank_b, calc_second_order=False, num_resamples=10, seed=3)
    assert s.loc["weight:all/x1", "S1"] == pytest.approx(Si["S1"][0], abs=1e-6)
    assert s.loc["weight:all/x2", "ST"] == pytest.approx(Si["ST"][1], abs=1e-6)
    # the two weights are symmetric and interact fully (only their ratio matters)
    assert s.loc["weight:all/x1", "ST"] > 0.3


def test_a_single_choice_factor_explains_all_rank_variance():
    spec, df = three_units((0.5, 0.5), tiers=False)
    df = pd.DataFrame({"id": list("ABCD"), "x1": [1, 2, 2, 3.0], "x2": [3.0, 2, 1, 1]})
    # ties decide whether B and C share a rank: min gives B, C the same x1 percentile
    res = sensitivity(spec, df, draws=400, weights="none", ties=["min", "max"], sobol_n=64)
    s = res.sobol.set_index("factor")
    assert s.index.tolist() == ["ties"]
    assert s.loc["ties", "S1"] == pytest.approx(1.0, abs=1e-9)
    assert s.loc["ties", "ST"] == pytest.approx(1.0, abs=1e-9)


def test_normalisation_choice_gives_the_two_engine_rankings():
    spec, df = nested_spec(), nested_data(120)
    res = sensitivity(spec, df, draws=200, weights="none", normalisations=["declared", "minmax"], sobol=False)
    alt = spec.to_dict()
    for ind in alt["indicator"]:
        ind["normalise"] = {"method": "minmax"}
    r1 = compute_index(spec, df).table.set_index("id")["rank"].astype(float)
    r2 = compute_index(parse_spec(alt), df).table.set_index("id")["rank"].astype(float)
    u = res.units.set_index("id")
    ok = r1.notna()
    lo = np.minimum(r1[ok], r2[ok])
    hi = np.maximum(r1[ok], r2[ok])
    assert ((u.loc[ok[ok].index, "rank_p05"] >= lo - 1e-9) & (u.loc[ok[ok].index, "rank_p95"] <= hi + 1e-9)).all()
    moved = (r1[ok] != r2[ok])
    assert moved.sum() > 10
    assert (u.loc[moved[moved].index, "rank_interval"] > 0).all()


def test_bad_options_are_one_line_errors():
    spec, df = three_units()
    with pytest.raises(SpecError, match=r"^sensitivity: --draws must be a whole number >= 10. Got 5$"):
        sensitivity(spec, df, draws=5)
    with pytest.raises(SpecError, match=r"^sensitivity: unknown ties option 'dense' \(choose from min, max, average\)$"):
        sensitivity(spec, df, draws=10, ties=["min", "dense"])
    with pytest.raises(SpecError, match=r"^sensitivity: sobol_n must be a power of 2 \(e.g. 256\). Got 100$"):
        sensitivity(spec, df, draws=10, sobol_n=100)
    with pytest.raises(SpecError, match="nothing to vary"):
        sensitivity(spec, df, draws=10, weights="none")
    # 3 units x 2 bytes x 10**9 draws = 6 GB of ranks: refused before any work
    with pytest.raises(SpecError, match=r"^sensitivity: draws over 3 units need 6.0 GB for the ranks \(limit 4 GB\)"):
        sensitivity(spec, df, draws=10**9, sobol=False)


def test_cli_writes_deterministic_outputs_and_an_offline_report(tmp_path, capsys):
    df = nested_data(200)
    src = tmp_path / "units.csv"
    df.to_csv(src, index=False)
    spec_path = tmp_path / "nested.toml"
    spec_path.write_text(NESTED_TOML, encoding="utf-8")
    assert load_spec(spec_path) == nested_spec()
    outs = []
    for k in (1, 2):
        out = tmp_path / f"out{k}"
        code, stdout, err = run(capsys, "sensitivity", str(spec_path), str(src), "--draws", "300",
                                "-o", str(out), "--sobol-n", "32", "--ties", "min,average")
        assert code == 0, err
        outs.append(out)
    assert "300 draws over 200 units" in stdout
    for name in ("units.csv", "tier_stability.csv", "sobol.csv", "report.html", "run.json"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    html = (outs[0] / "report.html").read_text(encoding="utf-8")
    # plotly.js is inlined: no <script src=...> at all (plotly.js's own default topojson URL for
    # geo maps is unused text)
    assert "<script src=" not in html and 'src="http' not in html
    assert 'id="rank-intervals"' in html and "Plotly.newPlot" in html and len(html) > 1_000_000
    run_rec = json.loads((outs[0] / "run.json").read_text())
    assert run_rec["command"] == "sensitivity" and run_rec["extra"]["settings"]["draws"] == 300
    units = pd.read_csv(outs[0] / "units.csv")
    assert len(units) == 200 and units["nominal_rank"].notna().sum() == 195
    # the five units missing an "exclude" indicator are never ranked (listed last, empty cells)
    assert units["median_rank"].isna().tolist() == [False] * 195 + [True] * 5
    assert (units["p_ranked"].iloc[195:] == 0).all()
    r = units.iloc[:195]
    assert (r["rank_p05"] <= r["median_rank"]).all() and (r["median_rank"] <= r["rank_p95"]).all()
    p = units[[f"p_tier_{k}" for k in range(1, 5)]].sum(axis=1)
    assert np.allclose(p[units["p_ranked"] > 0], 1.0)
    code, _, err = run(capsys, "sensitivity", str(spec_path), str(src), "--draws", "5", "-o", str(tmp_path / "x"))
    assert code == 1 and err == "Error: sensitivity: --draws must be a whole number >= 10. Got 5\n"


@pytest.mark.data
def test_svi_2022_counties_real_data(data_dir):
    path = data_dir / "community" / "svi2022_us_county.csv"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    spec = load_spec("svi-2022")
    df = read_table(path, id_column=spec.id_column)
    res = sensitivity(spec, df, draws=200, sobol=False, seed=1)
    u = res.units.set_index("FIPS")
    pub = df.set_index("FIPS")["RPL_THEMES"].astype(float)
    # the nominal ranking is the published one: RPL_THEMES = 1 is rank 1 and 0 is the last rank
    assert u.loc[pub.idxmax(), "nominal_rank"] == 1
    ranked = (pub >= 0).sum()
    assert u.loc[pub[pub >= 0].idxmin(), "nominal_rank"] == ranked
    assert res.summary["ranked_nominal"] == ranked
    assert (u["rank_p05"] <= u["median_rank"]).all() and (u["median_rank"] <= u["rank_p95"]).all()
    assert res.summary["mean_abs_rank_shift"] > 10  # weights matter for SVI's middle ranks


NESTED_TOML = """
name = "nested"
id_column = "id"

[defaults]
missing = "reweight"
normalise = { method = "percentile", decimals = 4 }

[[indicator]]
code = "a"
column = "a"
theme = "T1"
weight = 2

[[indicator]]
code = "b"
column = "b"
theme = "T1"
missing = "exclude"

[[indicator]]
code = "c"
column = "c"
theme = "T2"

[[indicator]]
code = "d"
column = "d"
theme = "T2"
weight = 0.5

[[indicator]]
code = "e"
column = "e"
theme = "T3"
normalise = { method = "minmax" }

[[indicator]]
code = "f"
column = "f"
theme = "T3"

[[theme]]
code = "T1"
aggregation = "sum"
decimals = 4

[[theme]]
code = "T2"
aggregation = "mean"

[[theme]]
code = "T3"
aggregation = "geometric_mean"
weight = 2
zeros = "zero"

[overall]
code = "all"
aggregation = "sum"
decimals = 6
rank_column = "rank"
tiers = { method = "quantile", n = 4 }
"""


@pytest.mark.parametrize("method", ["sum", "mean", "geometric_mean", "product"])
def test_aggregate_leaves_equals_aggregate(method):
    from equitable.index._sensitivity import _aggregate_leaves

    spec, df = nested_spec(), nested_data(200)
    var = _prepare_variant(spec, df, "<t>", (None, None, None))
    members = ["a", "b", "c", "d"]
    rng = np.random.default_rng(4)
    W = rng.uniform(0, 1, (9, 4))
    W[3] = 0.0  # no weight at all: NaN, as aggregate
    hard = var.hard_leaf["T1"]
    got = _aggregate_leaves(var, "T1", members, W, make_aggregator(method))
    mat = np.column_stack([var.norm[m] for m in members])
    exp = M.aggregate(mat, W, method, hard_missing=hard)
    np.testing.assert_allclose(got, exp, rtol=1e-12, equal_nan=True)
    assert np.isnan(got[:, 3]).all() and np.isfinite(got[~hard][:, 0]).all()


@pytest.mark.browser
def test_report_renders_offline_in_chromium(tmp_path, chromium_browser):
    spec, df = nested_spec(), nested_data(150)
    res = sensitivity(spec, df, draws=100, sobol_n=16, seed=4)
    res.write(tmp_path)
    page = chromium_browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((tmp_path / "report.html").as_uri())
    page.wait_for_selector("#rank-intervals .main-svg", timeout=20_000)
    page.wait_for_selector("#sobol .main-svg", timeout=20_000)
    assert page.locator("h2").all_inner_texts()[:2] == ["Tier stability", "Rank intervals"]
    # the rank plot carries the 145 ranked units and the tier table the 4 tiers
    n_points = page.evaluate("document.getElementById('rank-intervals')._fullData[0]._length")
    assert n_points == 145
    assert page.locator("table").first.locator("tbody tr").count() == 4
    assert [u for u in requests if not u.startswith("file://")] == []
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    page.close()
