"""One money formatter (equitable.money.format_money): the values below are written by hand, the
Spanish ones as CLDR's es_US writes US dollars (group ",", decimal ".", symbol "$")."""

from __future__ import annotations

import math

import pytest

from equitable.money import format_money


@pytest.mark.parametrize("amount, kwargs, text", [
    (70_000_000_000, {"cents": True}, "$700,000,000.00"),
    (123_456_789, {"cents": True}, "$1,234,567.89"),
    (5, {"cents": True}, "$0.05"),
    (-250, {"cents": True}, "-$2.50"),
    (1234.5, {}, "$1,234.50"),
    (-1234.5, {}, "-$1,234.50"),
    (1234.5, {"decimals": 0}, "$1,234"),
    (700_000_000, {"lang": "en", "decimals": 0}, "$700,000,000"),
    (700_000_000, {"lang": "es", "decimals": 0}, "$700,000,000"),
    (1234.5, {"lang": "es"}, "$1,234.50"),
    (123_456_789, {"cents": True, "lang": "en"}, "$1,234,567.89"),
])
def test_money_text(amount, kwargs, text):
    assert format_money(amount, **kwargs) == text


def test_missing_amounts():
    assert format_money(None) == ""
    assert format_money(math.nan, missing="—") == "—"
    assert format_money(math.inf, lang="es", missing="—") == "—"


def test_integer_cents_are_exact_beyond_float_precision():
    # 2**53 + 1 cents is not a float; integer arithmetic keeps the last cent
    assert format_money(2**53 + 1, cents=True) == "$90,071,992,547,409.93"
