"""Numbers, percentages, dates and times as each language writes them, through Babel.

Numbers are written the way Babel's ``NumberPattern.apply`` writes them, with the locale's
symbols read from Babel once (``_writer``): Babel costs several microseconds a number, which a
page view pays a few dozen times. A locale or pattern this does not reproduce, and any value that
is not a finite number, is left to Babel itself; ``tests/tracker/test_formatting_fast.py``
compares the two over thousands of values.

One date format per language (German ``31.12.2026``, English ``31 Dec 2026``). Times are shown
in the programme's time zone, which the caller passes from the config (``tracker.timezone``):
it is never assumed here. Unknown values (None) are an en dash, never 0.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from babel.numbers import (
    format_decimal,
    format_percent,
    get_decimal_symbol,
    get_group_symbol,
    parse_pattern,
)

from tracker.text import babel_locale, language, text

UNKNOWN = "–"
DATE_FORMATS = {"de": "dd.MM.yyyy", "en": "d MMM yyyy"}
DAY_MONTH_FORMATS = {"de": "dd.MM.", "en": "d MMM"}
DATETIME_FORMATS = {"de": "dd.MM.yyyy, HH:mm", "en": "d MMM yyyy, HH:mm"}
# The same formats for Plotly's d3 axis labels.
CHART_DATE_FORMATS = {"de": "%d.%m.%Y", "en": "%d %b %Y"}

_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


# Whole numbers below this are written straight from their digits: scaled by 100 and given six
# decimals they still fit the 28 digits of the default decimal context Babel rounds in.
_WHOLE = 10**15


@functools.lru_cache(maxsize=64)
def _writer(lang: str, digits: int | None, percent: bool) -> Callable[[object], str]:
    """What writes a number in ``lang`` with ``digits`` decimals (None: the locale's own
    decimal pattern), as a percentage if ``percent``, the way Babel's format_decimal or
    format_percent writes it.

    Babel converts the value with ``Decimal(str(value))``, scales it (by 100 for a percentage),
    takes the sign before rounding (so -0.04 is "-0,0"), rounds the absolute value to the
    pattern's decimals in the current decimal context (half to even: 2.25 is "2,2"), groups
    the digits by three and drops trailing zeros beyond the pattern's least decimals. A pattern
    or locale this does not reproduce, and any value that is not a finite number, is left to
    Babel."""
    locale = babel_locale(lang)
    if digits is None:
        parsed = locale.decimal_formats[None]
    else:
        number = "#,##0." + "0" * digits if digits else "#,##0"
        parsed = parse_pattern(number + " %" if percent else number)
    babel = format_percent if percent else format_decimal

    def by_babel(value: object) -> str:
        return babel(value, format=parsed, locale=locale)  # type: ignore[arg-type]

    group, point = get_group_symbol(locale), get_decimal_symbol(locale)
    scale, (low, high), suffix = parsed.scale, parsed.frac_prec, parsed.suffix[0]
    plain = (
        parsed.prefix == ("", "-")
        and parsed.suffix[0] == parsed.suffix[1]
        and not parsed.exp_prec
        and "@" not in parsed.pattern
        and bool(parsed.number_pattern)
        and parsed.grouping == (3, 3)
        and parsed.int_prec[0] <= 1
        and high <= 6  # str() of the rounded Decimal never turns to exponents
        and "'" not in suffix + group + point
    )
    if not plain:
        return by_babel
    quantum = Decimal(10) ** -high
    cut = -high - 1 if high else None
    factor = 10**scale
    zeros = point + "0" * low if low else ""

    def write(value: object) -> str:
        if type(value) is int and -_WHOLE < value < _WHOLE:
            # A whole number needs no rounding: its digits grouped, the least decimals as 0.
            whole = format(abs(value) * factor, ",")
            if group != ",":
                whole = whole.replace(",", group)
            return "-" + whole + zeros + suffix if value < 0 else whole + zeros + suffix
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value))
            if scale:
                number = number.scaleb(scale)
            if not number.is_finite():
                return by_babel(value)
            # Babel normalizes abs(number) before rounding; abs() has rounded it to the
            # context's precision already, and quantize() gives the same for either.
            digits = str(abs(number).quantize(quantum))
        except ArithmeticError:
            return by_babel(value)  # Babel raises the same
        whole = digits[:cut]
        if len(whole) > 3:
            whole = format(int(whole), ",")
            if group != ",":
                whole = whole.replace(",", group)
        if high:
            frac = digits[-high:]
            if low < high:
                kept = frac.rstrip("0")
                frac = kept if len(kept) >= low else frac[:low]
            if frac:
                whole += point + frac
        return "-" + whole + suffix if number.is_signed() else whole + suffix

    return write


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``; raises ValueError for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


@functools.lru_cache(maxsize=4096)
def _integer(value: int, lang: str) -> str:
    # A page shows hundreds of counts, many of them the same.
    return _writer(lang, None, False)(value)


def fmt_int(value: float | None, lang: str | None = None, signed: bool = False) -> str:
    """A count: ``1.234`` in German, ``1,234`` in English."""
    if value is None:
        return UNKNOWN
    out = _integer(round(value), language(lang))
    return f"+{out}" if signed and value > 0 else out


def fmt_decimal(value: float | None, lang: str | None = None, digits: int = 1) -> str:
    """A number with ``digits`` decimals: ``2,5`` in German."""
    if value is None:
        return UNKNOWN
    return _writer(language(lang), digits, False)(value)


def fmt_percent(
    value: float | None, lang: str | None = None, signed: bool = False, digits: int = 1
) -> str:
    """``value`` is a fraction (0.05 -> ``5,0 %``)."""
    if value is None:
        return UNKNOWN
    out = _writer(language(lang), digits, True)(value)
    return f"+{out}" if signed and value > 0 else out


def fmt_date(value: date | datetime | None, lang: str | None = None, tz: str | None = None) -> str:
    """A day in the language's one date format. A datetime is first moved to the time zone
    ``tz`` (the config's); raises ValueError for a datetime without ``tz``."""
    if value is None:
        return UNKNOWN
    if isinstance(value, datetime):
        if tz is None:
            raise ValueError("fmt_date needs the time zone to show a moment as a day")
        value = value.astimezone(zone(tz)).date() if value.tzinfo else value.date()
    code = language(lang)
    return _day(value, code, DATE_FORMATS[code])


def fmt_day_month(value: date, lang: str | None = None) -> str:
    """A day without its year, for chart labels: ``30.11.`` in German, ``30 Nov`` in English."""
    code = language(lang)
    return _day(value, code, DAY_MONTH_FORMATS[code])


@functools.lru_cache(maxsize=4096)
def _day(value: date, lang: str, pattern: str) -> str:
    # Babel takes tens of microseconds a day; a page shows the same few (its events, its
    # period) on every view.
    return format_date(value, format=pattern, locale=babel_locale(lang))


def fmt_datetime(value: datetime | None, lang: str | None, tz: str) -> str:
    """A moment as day and time in the time zone ``tz`` (the config's)."""
    if value is None:
        return UNKNOWN
    return format_datetime(
        value, format=DATETIME_FORMATS[language(lang)], tzinfo=zone(tz), locale=babel_locale(lang)
    )


def parse_date(raw: object, lang: str | None = None) -> date | None:
    """A day typed into a form: ``31.12.2026`` (also ``31/12/2026`` or ``2026-12-31``); None
    when empty. Raises ValueError with a message in ``lang`` saying what to type."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    typed = raw.strip() if isinstance(raw, str) else ""
    match = _DOTTED.match(typed) or _SLASHED.match(typed)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        match = _ISO.match(typed)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        pass
    shown = typed[:40] if typed else str(raw)[:40]
    raise ValueError(text("date.invalid", lang, value=shown))
