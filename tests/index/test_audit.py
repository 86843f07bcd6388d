"""equitable.index._audit: recover the weights of a published index and find every rule break."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitable.cli import main
from equitable.errors import InputError
from equitable.index import compute_index, parse_spec
from equitable.index._audit import _max_coverage_rate, audit_published, effective_leaf_weights

LABELS = ["1 Highest", "2 High", "3 Moderate", "4 Low", "5 Lowest"]
WEIGHTS = {"frpm": 0.4, "el": 0.25, "swd": 0.15, "ela_not_met": 0.2}
RATES_CENTS = {"1 Highest": 81237, "2 High": 65010, "3 Moderate": 50000, "4 Low": 35555, "5 Lowest": 20001}


def toy_spec(weights=WEIGHTS, tiers=None) -> object:
    return parse_spec({
        "name": "toy-seni", "id_column": "cds_code", "id_width": 14,
        "keep_columns": ["school_name", "enrollment"],
        "defaults": {"normalise": {"method": "percentile", "form": "svi", "ties": "min", "scale": 100},
                     "missing": "exclude"},
        "indicator": [
            {"code": "frpm", "column": "frpm_pct", "weight": weights["frpm"], "output": "frpm_pctl"},
            {"code": "el", "column": "el_pct", "weight": weights["el"], "output": "el_pctl"},
            {"code": "swd", "column": "swd_pct", "weight": weights["swd"], "output": "swd_pctl"},
            {"code": "ela_not_met", "column": "ela_met_pct", "direction": "lower_is_more_need",
             "weight": weights["ela_not_met"], "output": "ela_pctl"},
        ],
        "overall": {"code": "need", "aggregation": "sum", "score_column": "score", "rank_column": "rank",
                    "tiers": tiers or {"method": "quantile", "n": 5, "labels": LABELS, "column": "tier"}},
    })


def schools(n: int = 400, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "cds_code": [f"1964733{i:07d}" for i in range(n)],
        "school_name": [f"School {i}" for i in range(n)],
        "enrollment": rng.integers(150, 2500, n),
        "frpm_pct": np.round(rng.uniform(20, 100, n), 1),
        "el_pct": np.round(rng.uniform(0, 60, n), 1),
        "swd_pct": np.round(rng.uniform(5, 25, n), 1),
        "ela_met_pct": np.round(rng.uniform(5, 90, n), 1),
    })


def published(spec, df: pd.DataFrame, noise: float = 0.0, seed: int = 2) -> pd.DataFrame:
    """A published-style file: indicators, score, rank, tier and the tier's per-pupil amount."""
    res = compute_index(spec, df)
    out = df.copy()
    score = res.table["score"].to_numpy(dtype=float)
    if noise:
        score = score + np.random.default_rng(seed).normal(0, noise, len(score))
    out["score"] = score
    from equitable.index._methods import need_rank, tiers_by_quantile
    rank = need_rank(score)
    out["rank"] = rank.astype(int)
    tier = tiers_by_quantile(rank, len(score), 5).astype(int)
    out["tier"] = [LABELS[t - 1] for t in tier]
    out["amount_cents"] = [round(RATES_CENTS[t] * int(e)) for t, e in zip(out["tier"], out["enrollment"])]
    return out


def test_exact_weights_are_recovered_to_1e_6_and_no_rule_breaks():
    spec = toy_spec()
    rep = audit_published(published(spec, schools()), spec)
    assert rep.best == "declared"
    w = dict(zip(rep.weights["indicator"], rep.weights["recovered"]))
    for k, v in WEIGHTS.items():
        assert abs(w[k] - v) < 1e-6
    assert rep.fits.iloc[0]["r2"] > 1 - 1e-12
    assert rep.fits.iloc[0]["max_abs_error"] < 1e-9
    # percentile-min is the declared normalisation on a 0-1 scale (weights x 100); the rest fit worse
    exact = rep.fits[rep.fits["r2"] > 1 - 1e-12]
    assert exact["candidate"].tolist() == ["declared", "percentile-min"]
    assert (rep.fits["r2"].iloc[2:] < 1 - 1e-6).all()
    assert rep.ok, rep.breaks
    assert rep.summary["rules_checked"] == ["rank", "tier", "allocation"]
    rates = dict(zip(rep.tier_rates["tier"], rep.tier_rates["rate_per_pupil"]))
    for k, v in RATES_CENTS.items():
        assert abs(rates[k] - v) <= 1.0  # cents per pupil, within the one-cent band


def test_weights_under_other_published_scale_are_recovered():
    # a publisher that writes the score x 2 (weights summing to 2) is recovered as such
    w2 = {k: 2 * v for k, v in WEIGHTS.items()}
    spec2 = toy_spec(w2)
    rep = audit_published(published(spec2, schools()), toy_spec())
    got = dict(zip(rep.weights["indicator"], rep.weights["recovered"]))
    for k, v in w2.items():
        assert abs(got[k] - v) < 1e-6
    assert rep.weights["share"].round(9).tolist() == [0.4, 0.25, 0.15, 0.2]


def test_noisy_scores_give_close_weights_and_a_reported_misfit():
    spec = toy_spec()
    rep = audit_published(published(spec, schools(), noise=0.5), spec)
    w = dict(zip(rep.weights["indicator"], rep.weights["recovered"]))
    for k, v in WEIGHTS.items():
        assert abs(w[k] - v) < 0.01
    best = rep.fits.iloc[0]
    assert 0.99 < best["r2"] < 1 - 1e-6
    assert 0.5 < best["max_abs_error"] < 3.0
    assert rep.ok  # ranks and tiers follow the (noisy) published score


def test_every_planted_rule_break_is_found():
    spec = toy_spec()
    pub = published(spec, schools())
    n = len(pub)
    by_rank = pub.sort_values("rank")
    planted: set[tuple[int, str]] = set()
    # tier: three schools in the middle of tier 3 put in tier 2, paid tier 2's rate
    for pos in (180, 190, 200):
        i = by_rank.index[pos]
        pub.loc[i, "tier"] = "2 High"
        pub.loc[i, "amount_cents"] = round(RATES_CENTS["2 High"] * int(pub.loc[i, "enrollment"]))
        planted.add((i, "tier"))
    # allocation: two schools paid $5.00 more; one paid one cent per pupil more
    for i in (5, 77):
        pub.loc[i, "amount_cents"] += 500
        planted.add((i, "allocation"))
    pub.loc[150, "amount_cents"] += int(pub.loc[150, "enrollment"])
    planted.add((150, "allocation"))
    # rank: two schools' ranks swapped (their scores differ)
    a, b = by_rank.index[50], by_rank.index[51]
    pub.loc[a, "rank"], pub.loc[b, "rank"] = pub.loc[b, "rank"], pub.loc[a, "rank"]
    planted |= {(a, "rank"), (b, "rank")}
    # score: one school's score moved halfway to its lower neighbour (its rank stays)
    s = by_rank["score"].to_numpy()
    gaps = s[100:300] - s[101:301]
    k = 100 + int(np.argmax(gaps))
    i = by_rank.index[k]
    pub.loc[i, "score"] = (s[k] + s[k + 1]) / 2
    planted.add((i, "score"))
    rep = audit_published(pub, spec, score_tolerance=1e-6)
    found = {(int(r) - 2, rule) for r, rule in zip(rep.breaks["row"], rep.breaks["rule"])}
    assert found == planted
    assert len(pub) == n
    row = rep.breaks[rep.breaks["rule"] == "allocation"].iloc[0]
    assert row["row"] == 7 and row["published"] == pub.loc[5, "amount_cents"]
    assert "per pupil, but tier" in row["detail"]
    assert rep.summary["breaks_by_rule"] == {"score": 1, "rank": 2, "tier": 3, "allocation": 3}


def test_cut_point_tiers_by_hand():
    spec = toy_spec(tiers={"method": "cuts", "cuts": [40, 60], "basis": "score",
                           "labels": ["High", "Middle", "Low"], "column": "tier"})
    pub = pd.DataFrame({
        "cds_code": [f"{i:014d}" for i in range(6)], "school_name": list("abcdef"),
        "enrollment": [100] * 6,
        "frpm_pct": [1, 2, 3, 4, 5, 6], "el_pct": [1, 2, 3, 4, 5, 6], "swd_pct": [1, 2, 3, 4, 5, 6],
        "ela_met_pct": [6, 5, 4, 3, 2, 1],
        # percentiles 0, 20, 40, 60, 80, 100 on every indicator; weights sum to 1 -> score = pctl
        "score": [0.0, 20.0, 40.0, 60.0, 80.0, 100.0],
        "rank": [6, 5, 4, 3, 2, 1],
        # by hand: >= 60 High, [40, 60) Middle, < 40 Low; school d (60) is printed "Middle"
        "tier": ["Low", "Low", "Middle", "Middle", "High", "High"],
    })
    rep = audit_published(pub, spec)
    assert rep.breaks[["row", "rule", "published", "expected"]].values.tolist() == [[5, "tier", "Middle", "High"]]
    assert "cut points [40.0, 60.0] on the score: 60 is tier High" in rep.breaks["detail"].iloc[0]


def test_max_coverage_rate_by_hand():
    # intervals [1,3], [2,5], [4,6], [4.5, 7]: the point 4.5 is in three of them
    rate, cover = _max_coverage_rate(np.array([1, 2, 4, 4.5]), np.array([3, 5, 6, 7]))
    assert (rate, cover) == (4.5, 3)


def test_effective_leaf_weights_of_a_nested_mean_tree():
    spec = parse_spec({
        "name": "t", "id_column": "id",
        "indicator": [{"code": "a", "column": "a", "theme": "T1", "weight": 3},
                      {"code": "b", "column": "b", "theme": "T1", "weight": 1},
                      {"code": "c", "column": "c", "theme": "T2"}],
        "theme": [{"code": "T1", "aggregation": "mean", "weight": 2}, {"code": "T2", "weight": 1}],
        "overall": {"code": "all", "aggregation": "sum"},
    })
    # a: 2 * 3/4, b: 2 * 1/4, c: 1 * 1
    assert effective_leaf_weights(spec) == {"a": 1.5, "b": 0.5, "c": 1.0}


def test_missing_score_column_names_file_and_column():
    spec = toy_spec()
    pub = published(spec, schools(50)).drop(columns=["score"])
    pub.attrs["source"] = "seni_2024.csv"
    with pytest.raises(InputError) as exc:
        audit_published(pub, spec)
    assert str(exc.value).startswith("seni_2024.csv, column 'score'")


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_audit_prints_fit_and_breaks(tmp_path, capsys):
    spec = toy_spec()
    spec_path = tmp_path / "toy.toml"
    spec_path.write_text(TOY_TOML, encoding="utf-8")
    assert parse_spec(__import__("tomllib").loads(TOY_TOML)) == spec
    pub = published(spec, schools(100))
    pub.loc[3, "amount_cents"] += 500
    f = tmp_path / "published.csv"
    pub.to_csv(f, index=False)
    code, out, err = run(capsys, "audit", str(f), "--spec", str(spec_path), "-o", str(tmp_path / "audit"))
    assert code == 0, err
    assert "Best fit: declared: R^2 = 1.000000000" in out
    assert "1 rule breaks: allocation 1" in out
    assert f"  row 5  {pub.loc[3, 'cds_code']}  allocation:" in out
    breaks = pd.read_csv(tmp_path / "audit" / "breaks.csv", dtype={"cds_code": str})
    assert breaks["cds_code"].tolist() == [pub.loc[3, "cds_code"]]
    assert (tmp_path / "audit" / "run.json").is_file()
    code, out, err = run(capsys, "audit", str(tmp_path / "nope.csv"), "--spec", str(spec_path))
    assert code == 1
    assert err == f"Error: {tmp_path / 'nope.csv'}: file not found\n"


TOY_TOML = """
name = "toy-seni"
id_column = "cds_code"
id_width = 14
keep_columns = ["school_name", "enrollment"]

[defaults]
normalise = { method = "percentile", form = "svi", ties = "min", scale = 100 }
missing = "exclude"

[[indicator]]
code = "frpm"
column = "frpm_pct"
weight = 0.4
output = "frpm_pctl"

[[indicator]]
code = "el"
column = "el_pct"
weight = 0.25
output = "el_pctl"

[[indicator]]
code = "swd"
column = "swd_pct"
weight = 0.15
output = "swd_pctl"

[[indicator]]
code = "ela_not_met"
column = "ela_met_pct"
direction = "lower_is_more_need"
weight = 0.2
output = "ela_pctl"

[overall]
code = "need"
aggregation = "sum"
score_column = "score"
rank_column = "rank"
tiers = { method = "quantile", n = 5, labels = ["1 Highest", "2 High", "3 Moderate", "4 Low", "5 Lowest"], column = "tier" }
"""


def test_ranks_of_tied_published_scores_may_come_in_any_order():
    spec = toy_spec()
    pub = published(spec, schools(60))
    order = pub.sort_values("rank").index
    a, b, c = order[10], order[11], order[30]
    pub.loc[b, "score"] = pub.loc[a, "score"]  # printed with too few decimals: a tie of ranks 11-12
    rep = audit_published(pub, spec)
    assert rep.ok, rep.breaks  # 11 and 12 both fit the tie
    pub.loc[c, "rank"] = 12   # but rank 12 for a school ranking 31 does not
    rep = audit_published(pub, spec)
    assert rep.breaks[["row", "rule", "published", "expected"]].values.tolist() == [[c + 2, "rank", 12, 31]]


@pytest.mark.data
def test_lausd_seni_style_published_file(data_dir, tmp_path, capsys):
    """Acceptance on real data: `equitable run examples/lausd.toml` writes the published-style
    schools.csv (651 LAUSD schools); the audit recovers the seni-style weights from it and finds
    every school on the rules; a sensitivity run on it gives tier probabilities that add up."""
    from pathlib import Path

    from equitable.index import load_spec, read_table
    from equitable.index._sensitivity import sensitivity

    config = Path(__file__).resolve().parents[2] / "examples" / "lausd.toml"
    code, _, err = run(capsys, "run", str(config), "--out", str(tmp_path / "lausd"), "-q",
                       "--data-dir", str(data_dir))
    assert code == 0, err
    spec = load_spec("seni-style")
    df = read_table(tmp_path / "lausd" / "schools.csv", id_column=spec.id_column)
    rep = audit_published(df, spec)
    w = dict(zip(rep.weights["indicator"], rep.weights["recovered"]))
    for ind in spec.indicators:
        assert abs(w[ind.code] - ind.weight) < 1e-4  # the score is published with 4 decimals
    assert rep.best == "declared" and rep.fits.iloc[0]["r2"] > 1 - 1e-9
    assert rep.summary["indicators_read_by_code"] == ["ela_not_met_pct", "math_not_met_pct"]
    assert rep.summary["rules_checked"] == ["rank", "tier", "allocation"]
    assert rep.ok, rep.breaks
    assert rep.tier_rates["schools"].sum() == len(df)
    # a wrong amount in the real file is found
    bad = df.copy()
    bad.loc[10, "amount_cents"] += 100
    rep = audit_published(bad, spec)
    assert rep.breaks[["row", "rule"]].values.tolist() == [[12, "allocation"]]
    res = sensitivity(spec, df, draws=200, sobol=False, seed=2)
    p = res.units[[f"p_tier_{k}" for k in range(1, 6)]].sum(axis=1)
    assert np.allclose(p[res.units["p_ranked"] > 0], 1.0)
    assert res.tier_stability["units"].tolist() == rep.tier_rates["schools"].tolist()
