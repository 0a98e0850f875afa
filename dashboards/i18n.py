"""German first, English available: the dashboard's language, and its texts, numbers and dates
from the one catalogue (``tracker.text``) in that language.

The language comes from the ``lang`` cookie (set by the switch in the header), else from the
config; times are shown in the config's time zone.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import has_request_context, request

from dashboards.request_context import app_state
from tracker.config import TrackerSection
from tracker.explain import platform_name
from tracker.text import LANGUAGES, LOCALES, plural, text, text_or
from tracker.text import formatting as fmt

COOKIE = "lang"

__all__ = ["COOKIE", "LANGUAGES", "LOCALES", "plural"]


def current_language() -> str:
    """The language of the current request: the switch's cookie, else the configured default."""
    if has_request_context():
        chosen = request.cookies.get(COOKIE)
        if chosen in LANGUAGES:
            return chosen
        try:
            return app_state().config.tracker.language
        except (KeyError, RuntimeError):
            return "de"
    return "de"


def current_timezone() -> str:
    """The programme's time zone from the config."""
    try:
        return app_state().config.tracker.timezone
    except (KeyError, RuntimeError):
        return TrackerSection().timezone  # outside the app: the config's default


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text for ``key`` in ``lang`` (default: the request's), with ``values`` filled in."""
    return text(key, lang or current_language(), **values)


def fmt_int(value: float | None, lang: str | None = None, signed: bool = False) -> str:
    """A count in the locale's format; unknown is a dash, never 0."""
    return fmt.fmt_int(value, lang or current_language(), signed)


def fmt_decimal(value: float | None, lang: str | None = None, digits: int = 1) -> str:
    return fmt.fmt_decimal(value, lang or current_language(), digits)


def fmt_percent(value: float | None, lang: str | None = None, signed: bool = False) -> str:
    """``value`` is a fraction (0.05 -> 5 %)."""
    return fmt.fmt_percent(value, lang or current_language(), signed)


def fmt_date(value: date | datetime | None, lang: str | None = None) -> str:
    return fmt.fmt_date(value, lang or current_language(), current_timezone())


def fmt_datetime(value: datetime | None, lang: str | None = None) -> str:
    return fmt.fmt_datetime(value, lang or current_language(), current_timezone())


def platform_label(platform: str, lang: str | None = None) -> str:
    """The platform's display name (from the catalogue)."""
    return platform_name(platform, lang or current_language())


def label_of(prefix: str, value: str | None, lang: str | None = None) -> str:
    """The text for ``prefix.value`` (an account state, a poll outcome); the value itself when
    there is none, a dash for None."""
    return text_or(prefix, value, lang or current_language())
