"""The numbers of ``tracker.text.formatting`` are written without Babel's ``NumberPattern.apply``
for our languages; they must be the very strings Babel writes. Each value here is also handed to
Babel the way the module handed it before (the same pattern, the same locale), and the two
outcomes (a string, or the exception raised) must be equal."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import pytest
from babel.numbers import format_decimal, format_percent

from tracker.text import LANGUAGES, babel_locale
from tracker.text import formatting as fmt

DIGITS = (0, 1, 2, 3)


def _sample() -> list[object]:
    rng = random.Random(20260314)
    values: list[object] = [0.0, -0.0, 0, -0.04, -0.05, -0.049, 0.04, 0.05, 0.15, 0.25, 0.35]
    values += [2.25, 2.35, 1.005, 1.015, 1.025, 0.125, 0.375, 2.5, 3.5, -2.5, 0.5, -0.5, 1.5]
    # Values that round up into a new group of three: 999.95 -> 1.000,0.
    for top in (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10**9, 10**12):
        for below in (0.5, 0.05, 0.005, 0.0005, 0.00005, 0.049, 0.0049, 0.00049, 1e-9):
            values += [top - below, -(top - below), (top - below) / 100, -(top - below) / 100]
        values += [top, -top, float(top), float(-top), top / 100, top + 0.5, top - 1]
    # Exact decimal halves and near-halves at every number of decimals we show.
    for _ in range(1500):
        places = rng.randrange(1, 6)
        n = rng.randrange(-(10**7), 10**7)
        values += [n / 10**places, n / 2 / 10**places, (n + 0.5) / 10**places]
    # Random floats across magnitudes, both signs.
    for _ in range(4000):
        value = 10 ** rng.uniform(-6, 12)
        values.append(value if rng.random() < 0.7 else -value)
    # Whole numbers as int and as float, small fractions (percentages).
    for _ in range(800):
        n = rng.randrange(-(10**9), 10**9)
        values += [n, float(n), rng.uniform(-1.5, 1.5), rng.randrange(-1000, 1000) / 1000]
    # Large and odd values: Babel may raise or write infinity; the module must do the same.
    values += [1e15, -1e15, 123456789012345.678, 1e20, 1e24, 1e25, 1e26, 1e27, 1e30, 10**30]
    values += [10**15 - 1, 10**15, -(10**15) + 1, 10**21 + 1, 10**22, 10**24 - 1, 10**25, 10**26]
    values += [5e-324, 1e-7, -1e-7, float("inf"), float("-inf"), float("nan")]
    values += [Decimal("2.25"), Decimal("-0.000"), Decimal("1234.5678"), Decimal("1E+3")]
    values += [np.float64(2.25), np.float64(-0.04), np.int64(1234567), True, False]
    return values


VALUES = _sample()


def _outcome(write, *args, **kwargs) -> str:
    try:
        return write(*args, **kwargs)
    except Exception as exc:  # the same exception is part of the same outcome
        return f"raised {type(exc).__name__}"


def _decimal_pattern(digits: int) -> str:
    return "#,##0." + "0" * digits if digits else "#,##0"


def _percent_pattern(digits: int) -> str:
    return "#,##0." + "0" * digits + " %" if digits else "#,##0 %"


def test_the_sample_reaches_every_kind_of_value() -> None:
    assert len(VALUES) > 10_000
    assert any(isinstance(v, int) for v in VALUES) and -0.0 in VALUES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_our_languages_and_patterns_are_written_without_babel(lang: str) -> None:
    # Babel is only asked by the writer it hands back for a pattern it does not reproduce.
    assert fmt._writer(lang, None, False).__name__ == "write"
    for digits in DIGITS:
        assert fmt._writer(lang, digits, False).__name__ == "write"
        assert fmt._writer(lang, digits, True).__name__ == "write"


@pytest.mark.parametrize("digits", DIGITS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_decimals_are_babels(lang: str, digits: int) -> None:
    locale = babel_locale(lang)
    pattern = _decimal_pattern(digits)
    wrong = []
    for value in VALUES:
        ours = _outcome(fmt.fmt_decimal, value, lang, digits)
        babels = _outcome(format_decimal, value, format=pattern, locale=locale)
        if ours != babels:
            wrong.append((value, ours, babels))
    assert wrong == []


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("digits", DIGITS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_percentages_are_babels(lang: str, digits: int, signed: bool) -> None:
    locale = babel_locale(lang)
    pattern = _percent_pattern(digits)
    wrong = []
    for value in VALUES:
        ours = _outcome(fmt.fmt_percent, value, lang, signed, digits)
        babels = _outcome(format_percent, value, format=pattern, locale=locale)
        if signed and not babels.startswith("raised") and value > 0:
            babels = "+" + babels
        if ours != babels:
            wrong.append((value, ours, babels))
    assert wrong == []


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_counts_are_babels(lang: str, signed: bool) -> None:
    locale = babel_locale(lang)
    wrong = []
    for value in VALUES:
        fmt._integer.cache_clear()
        ours = _outcome(fmt.fmt_int, value, lang, signed)
        try:
            whole = round(value)
        except (ValueError, OverflowError) as exc:
            babels = f"raised {type(exc).__name__}"
        else:
            babels = _outcome(format_decimal, whole, locale=locale)
            if signed and not babels.startswith("raised") and value > 0:
                babels = "+" + babels
        if ours != babels:
            wrong.append((value, ours, babels))
    assert wrong == []


@pytest.mark.parametrize(
    ("value", "lang", "digits", "expected"),
    [
        (999.95, "de", 1, "1.000,0"),
        (999.95, "en", 1, "1,000.0"),
        (-0.04, "de", 1, "-0,0"),
        (-0.0, "en", 0, "-0"),
        (2.25, "de", 1, "2,2"),
        (0.15, "en", 1, "0.2"),
        (1.005, "de", 2, "1,00"),
        (1234567.891, "de", 2, "1.234.567,89"),
        (1234567, "en", 0, "1,234,567"),
    ],
)
def test_decimals_as_people_read_them(value: float, lang: str, digits: int, expected: str) -> None:
    assert fmt.fmt_decimal(value, lang, digits) == expected


def test_percentages_and_counts_as_people_read_them() -> None:
    assert fmt.fmt_percent(0.05, "de") == "5,0 %"
    assert fmt.fmt_percent(0.05, "en") == "5.0 %"
    assert fmt.fmt_percent(-0.0004, "de") == "-0,0 %"
    assert fmt.fmt_percent(0.12345, "en", signed=True, digits=2) == "+12.34 %"  # half to even
    assert fmt.fmt_percent(9.99995, "de", digits=1) == "1.000,0 %"
    assert fmt.fmt_percent(None, "de") == fmt.UNKNOWN == "–"
    assert fmt.fmt_decimal(None, "en") == "–"
    assert fmt.fmt_int(None, "en") == "–"
    assert fmt.fmt_int(-1234.5, "de") == "-1.234"
    assert fmt.fmt_int(2.5, "en", signed=True) == "+2"
    assert fmt.fmt_int(1234567, "xx") == "1.234.567"  # an unknown language is German
