"""One money formatter for every output: terminal lines, HTML reports, workbooks, the dashboard.

Amounts are US dollars; money is computed in integer cents (``amount_cents``) and formatted here.
Without a language the text is plain ASCII for terminals and files (``$1,234.56``,
``-$1,234.56``); with one (``"en"``, ``"es"``) it is formatted by Babel with the CLDR data of the
locale (:data:`LOCALES`): the currency symbol, group and decimal separators of US English and US
Spanish (CLDR "Currency Formats", Unicode Technical Standard #35, part 3, section 5).
"""

from __future__ import annotations

import functools
import math
from typing import Any

__all__ = ["LOCALES", "format_money", "locale_of"]

#: Language -> the CLDR locale its numbers and money are formatted in.
LOCALES = {"en": "en_US", "es": "es_US"}


@functools.cache
def _pattern(decimals: int) -> Any:
    from babel.numbers import parse_pattern

    return parse_pattern("¤#,##0" + ("." + "0" * decimals if decimals else ""))


def locale_of(lang: str) -> str:
    """The CLDR locale ``lang``'s numbers and money are written in: :data:`LOCALES` for English
    and Spanish (the United States' forms), else the language's own CLDR locale (``fr``: French
    as CLDR writes it), for a language added by its message catalogue (docs/translating.md).

    Raises
    ------
    KeyError
        ``lang`` is not a language CLDR knows.
    """
    if lang in LOCALES:
        return LOCALES[lang]
    return _cldr(lang)


@functools.cache
def _cldr(lang: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        raise KeyError(lang) from None
    return lang


@functools.cache
def _locale(lang: str) -> Any:
    from babel import Locale

    return Locale.parse(locale_of(lang))


def _missing(amount: Any) -> bool:
    return amount is None or (isinstance(amount, float) and not math.isfinite(amount))


def format_money(amount: Any, *, cents: bool = False, lang: str | None = None,
                 decimals: int = 2, missing: str = "") -> str:
    """Format an amount of US dollars.

    Parameters
    ----------
    amount : dollars (int or float), or integer cents when ``cents``; None or NaN/inf is
        ``missing``.
    cents : ``amount`` is in integer cents (formatted exactly, without floating point).
    lang : ``None`` for plain ASCII (``$1,234.56``; a negative amount ``-$1,234.56``), or a
        language (:func:`locale_of`) for Babel's locale-aware text (``es``: ``$1,234.56`` as
        CLDR's es_US writes it).
    decimals : digits after the decimal point (0 or 2 in practice).
    missing : the text for a missing amount (``""``, ``"—"``).

    Raises
    ------
    KeyError
        ``lang`` is not a language CLDR knows (:func:`locale_of`).
    """
    if _missing(amount):
        return missing
    if lang is not None:
        dollars = int(amount) / 100 if cents else float(amount)
        # what babel.numbers.format_currency(dollars, "USD", format=..., locale=...,
        # currency_digits=False) does, with the pattern and the locale parsed once (a report of
        # 10,000 schools formats about 60,000 amounts)
        return _pattern(decimals).apply(dollars, _locale(lang), currency="USD",
                                        currency_digits=False, decimal_quantization=True,
                                        group_separator=True, numbering_system="latn")
    if cents and decimals == 2:
        whole, part = divmod(abs(int(amount)), 100)
        return f"{'-' if int(amount) < 0 else ''}${whole:,}.{part:02d}"
    dollars = int(amount) / 100 if cents else float(amount)
    return f"-${-dollars:,.{decimals}f}" if dollars < 0 else f"${dollars:,.{decimals}f}"
