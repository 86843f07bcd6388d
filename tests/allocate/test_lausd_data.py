"""Acceptance on the real LAUSD 2024-25 school table (skips without ../shared/data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitable.allocate import allocate, equity_metrics, parse_rule

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def lausd(data_dir):
    df = pd.read_csv(data_dir / "lausd" / "schools_2024_25.csv", dtype={"cds": str})
    return df.rename(columns={"cds": "cds_code"})


def test_700_million_by_low_income_adds_up_to_the_cent(lausd):
    rule = parse_rule({"kind": "proportional", "budget": 700_000_000, "need_column": "pct_frpm",
                       "need_scale": "percent", "base_weight": 1, "need_weight": 0.2,
                       "bounds": {"floor": 100_000}})
    r = allocate(lausd, rule, source="lausd/schools_2024_25.csv")
    assert len(r.table) == 651
    assert int(r.table["amount_cents"].sum()) == 70_000_000_000
    assert (r.table["amount_cents"] >= 10_000_000).all()
    # unbound schools: amount / (enrollment x (1 + 0.2 x frpm)) is one constant (to a cent)
    free = r.table[r.table["bound"] == "none"].merge(lausd[["cds_code", "pct_frpm"]])
    per_w = free["amount_cents"] / (free["enrollment"] * (1 + 0.2 * free["pct_frpm"] / 100))
    assert per_w.max() - per_w.min() < 1 / free["enrollment"].min() * 2


def test_spending_gap_on_total_ppe(lausd):
    rule = parse_rule({"kind": "proportional", "budget": 700_000_000, "need_column": "pct_frpm",
                       "need_scale": "percent", "base_weight": 0, "need_weight": 1})
    r = allocate(lausd, rule)
    t = r.table.merge(lausd[["cds_code", "pct_frpm", "total_ppe"]])
    m = equity_metrics(t, tier_column=None, need_column="pct_frpm", spending_column="total_ppe")
    # independent computation: sort by % FRPM, put each school in the quartile of the midpoint
    # of its students, then enrollment-weighted mean total_ppe in the top and bottom quartiles
    s = t.sort_values("pct_frpm", kind="stable")
    cum = s["enrollment"].cumsum()
    mid = (cum - s["enrollment"] / 2) / s["enrollment"].sum()
    q = np.minimum((mid * 4).astype(int), 3)
    w = s["enrollment"]
    q1 = np.average(s["total_ppe"][q == 0], weights=w[q == 0])
    q4 = np.average(s["total_ppe"][q == 3], weights=w[q == 3])
    assert m.spending["gap_before"] == pytest.approx(round(q4 - q1, 2))
    new = s["amount_cents"] / 100 / s["enrollment"]
    q1a = np.average((s["total_ppe"] + new)[q == 0], weights=w[q == 0])
    q4a = np.average((s["total_ppe"] + new)[q == 3], weights=w[q == 3])
    assert m.spending["gap_after"] == pytest.approx(round(q4a - q1a, 2))
    # money follows % FRPM: the highest-need quartile's share exceeds its share of students
    assert m.concentration_index < 0
    assert m.progressivity_ratio > 1


def test_compare_two_run_configs(data_dir, tmp_path):
    """`equitable compare` on full `equitable run` configs (the pipeline computes each one)."""
    from pathlib import Path

    from equitable.pipeline import compare_files

    example = Path(__file__).resolve().parents[2] / "examples" / "lausd.toml"
    if not example.exists():
        pytest.skip("examples/lausd.toml is not in the tree yet")
    steep = tmp_path / "steep.toml"
    steep.write_text(example.read_text().replace('name = "lausd"', 'name = "steep"')
                     .replace('"1 Highest" = 1.5', '"1 Highest" = 2.5'))
    comp = compare_files([example, steep], tmp_path / "out", data_dir=data_dir)
    t = comp.schools
    assert len(t) == 651
    assert int(t["lausd_cents"].sum()) == int(t["steep_cents"].sum()) == 70_000_000_000
    w = comp.winners.iloc[0]
    assert w["schools_gaining"] + w["schools_losing"] + w["schools_same"] == 651
    # a steeper tier-1 weight moves money to tier 1 and away from every other tier
    tiers = comp.tiers.set_index("tier")
    assert tiers.loc["1 Highest", "steep_change_per_pupil"] > 0
    assert (tiers.drop("1 Highest")["steep_change_per_pupil"] < 0).all()
    assert comp.need_column == "pct_frpm" and comp.spending_column == "total_ppe"
    assert comp.metrics["steep"].concentration_index < comp.metrics["lausd"].concentration_index
    for f in ("compare.xlsx", "compare.html", "schools.csv", "compare.run.json"):
        assert (tmp_path / "out" / f).exists()


def test_allocate_compare_reads_rules_only(tmp_path):
    """The allocation layer never calls up into the pipeline: without the pipeline's loader, a
    full run config among the scenarios is a one-line error naming the file."""
    from equitable.allocate import compare_files
    from equitable.errors import SpecError

    run_config = tmp_path / "run.toml"
    run_config.write_text('name = "a"\n[inputs]\nschools = "x.csv"\n[allocation]\nbudget = 1\n')
    with pytest.raises(SpecError, match=r"run\.toml: a full `equitable run` config is compared by "
                       r"`equitable compare`"):
        compare_files([run_config, run_config], tmp_path / "out")
    assert not (tmp_path / "out").exists()
