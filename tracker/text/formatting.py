"""Numbers, percentages, dates and times as each language writes them, through Babel.

Numbers are written the way Babel's ``NumberPattern.apply`` writes them, with the locale's
symbols read from Babel once (``_layout``): Babel costs several microseconds a number, which a
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
    NumberPattern,
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


# Babel parses the locale name and the number pattern again on every call, which costs more
# than formatting the number: both are parsed once and handed to it ready.
@functools.lru_cache(maxsize=32)
def _pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


# What NumberPattern.apply needs to write a number: the pattern's scale (2 for a percentage),
# the quantum it rounds to, its least and most decimals, its suffix, and the locale's group
# and decimal symbols.
_Layout = tuple[int, Decimal, int, int, str, str, str]


@functools.lru_cache(maxsize=32)
def _layout(pattern: str | None, lang: str) -> _Layout | None:
    """How ``pattern`` (None: the locale's own decimal pattern) writes a number in ``lang``;
    None for a pattern this module does not reproduce."""
    locale = babel_locale(lang)
    parsed = locale.decimal_formats[None] if pattern is None else _pattern(pattern)
    group, point = get_group_symbol(locale), get_decimal_symbol(locale)
    low, high = parsed.frac_prec
    plain = (
        parsed.prefix == ("", "-")
        and parsed.suffix[0] == parsed.suffix[1]
        and not parsed.exp_prec
        and "@" not in parsed.pattern
        and bool(parsed.number_pattern)
        and parsed.grouping == (3, 3)
        and parsed.int_prec[0] <= 1
        and "'" not in parsed.suffix[0] + group + point
    )
    if not plain:
        return None
    return parsed.scale, Decimal(10) ** -high, low, high, parsed.suffix[0], group, point


def _number(value: object, pattern: str | None, lang: str, babel: Callable[..., str]) -> str:
    """``value`` written with ``pattern`` as ``babel`` (format_decimal or format_percent)
    writes it: converted with ``Decimal(str(value))``, scaled, the sign taken before rounding
    (so -0.04 is "-0,0"), rounded half to even in the current decimal context, grouped by
    three."""
    layout = _layout(pattern, lang)
    if layout is not None:
        scale, quantum, low, high, suffix, group, point = layout
        try:
            number = (value if isinstance(value, Decimal) else Decimal(str(value))).scaleb(scale)
            if number.is_finite():
                rounded = abs(number).normalize().quantize(quantum)
                whole, _, frac = format(rounded, ",f").partition(".")
                if group != ",":
                    whole = whole.replace(",", group)
                if high:
                    kept = frac.rstrip("0")
                    if len(kept) < low:
                        kept = frac[:low]
                    frac = point + kept if kept else ""
                return ("-" if number.is_signed() else "") + whole + frac + suffix
        except ArithmeticError:
            pass  # Babel raises the same, or writes what it writes
    shape = None if pattern is None else _pattern(pattern)
    return babel(value, format=shape, locale=babel_locale(lang))


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``; raises ValueError for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


@functools.lru_cache(maxsize=4096)
def _integer(value: int, lang: str) -> str:
    # Babel takes a good part of a millisecond per number; a page shows hundreds of counts.
    return _number(value, None, lang, format_decimal)


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
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return _number(value, pattern, language(lang), format_decimal)


def fmt_percent(
    value: float | None, lang: str | None = None, signed: bool = False, digits: int = 1
) -> str:
    """``value`` is a fraction (0.05 -> ``5,0 %``)."""
    if value is None:
        return UNKNOWN
    pattern = "#,##0." + "0" * digits + " %" if digits else "#,##0 %"
    out = _number(value, pattern, language(lang), format_percent)
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
    return format_date(value, format=DATE_FORMATS[language(lang)], locale=babel_locale(lang))


def fmt_day_month(value: date, lang: str | None = None) -> str:
    """A day without its year, for chart labels: ``30.11.`` in German, ``30 Nov`` in English."""
    return format_date(value, format=DAY_MONTH_FORMATS[language(lang)], locale=babel_locale(lang))


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
