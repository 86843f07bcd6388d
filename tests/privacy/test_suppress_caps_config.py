"""Primary suppression (kept as the skeleton defined it), NCES rate caps, the TOML config."""

from __future__ import annotations

import pandas as pd
import pytest

from equitable.errors import InputError, SpecError
from equitable.privacy import PrivacyConfig, RateCap, cap_rates, load_config, suppress_table


def test_suppress_table_keeps_its_contract():
    df = pd.DataFrame({"school": ["A", "B", "C"], "n": [10, 11, 0], "rate": [50.0, 9.1, 0.0]})
    out = suppress_table(df, "n", ["rate"])
    assert out["n"].tolist() == ["*", 11, "*"]  # n <= 10, zeros too: never 0
    assert out["rate"].tolist() == ["*", 9.1, "*"]
    assert out["school"].tolist() == ["A", "B", "C"]
    assert df["n"].tolist() == [10, 11, 0]  # the input is not changed


def test_suppress_table_threshold_and_default_columns():
    df = pd.DataFrame({"g": ["x", "y"], "n": [15, 30], "mean": [2.5, 3.0]})
    out = suppress_table(df, "n", threshold=20)
    assert out["n"].tolist() == ["*", 30] and out["mean"].tolist() == ["*", 3.0]


def test_nces_caps_by_group_size():
    # NCES 2011-603 bands: >= 300 -> 1/99, 100-299 -> 2/98, 40-99 -> 5/95, below 40 no cap
    df = pd.DataFrame({
        "n":    [300, 299, 100, 99, 40, 39, 300, 150, 60, 8],
        "rate": [99.0, 98.2, 2.0, 95.0, 4.0, 99.0, 98.9, 50.0, 5.1, 100.0],
    })
    out = cap_rates(df, ["rate"], "n")
    assert out["rate"].tolist() == [
        ">=99", ">=98", "<=2", ">=95", "<=5", 99.0, 98.9, 50.0, 5.1, 100.0
    ]


def test_caps_on_fractions():
    df = pd.DataFrame({"n": [500, 120], "p": [0.004, 0.985]})
    assert cap_rates(df, ["p"], "n", scale=1)["p"].tolist() == ["<=0.01", ">=0.98"]


def test_caps_are_configurable():
    cfg = PrivacyConfig(caps=[RateCap(min_n=20, low=10, high=90)])
    df = pd.DataFrame({"n": [25, 1000], "rate": [91.0, 99.5]})
    assert cap_rates(df, ["rate"], "n", config=cfg)["rate"].tolist() == [">=90", ">=90"]


def test_cap_rates_missing_column():
    with pytest.raises(InputError) as exc:
        cap_rates(pd.DataFrame({"n": [1]}), ["rate"], "n")
    assert str(exc.value) == "missing column(s) 'rate'"


def test_config_from_toml(tmp_path):
    f = tmp_path / "privacy.toml"
    f.write_text(
        "[privacy]\nthreshold = 15\nprotection = 2\n"
        "caps = [{min_n = 50, low = 4, high = 96}, {min_n = 500, low = 1, high = 99}]\n"
    )
    cfg = load_config(f)
    assert cfg.threshold == 15 and cfg.protection == 2
    assert [c.min_n for c in cfg.caps] == [500, 50]  # sorted, largest first
    assert load_config(None) == PrivacyConfig()


def test_config_unknown_key_names_the_file_and_key(tmp_path):
    f = tmp_path / "privacy.toml"
    f.write_text("[privacy]\nthreshhold = 15\n")
    with pytest.raises(SpecError) as exc:
        load_config(f)
    assert str(exc.value) == f"{f} [privacy]: key 'threshhold': unknown key"


def test_config_bad_value(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text("protection = -1\n")
    with pytest.raises(SpecError) as exc:
        load_config(f)
    assert str(exc.value) == f"{f}: key 'protection': Input should be greater than or equal to 0"
