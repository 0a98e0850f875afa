"""Reading the values of the administration forms, and the messages their callbacks return.

The browser can send anything: each reader raises ValueError for a value it cannot accept."""

from __future__ import annotations

from datetime import date
from typing import Any

from dashboards.admin.forms import PLATFORMS
from dashboards.i18n import current_language, t
from tracker.text.formatting import parse_date


def parse_day(text: Any, lang: str | None = None) -> date | None:
    """A date typed as ``TT.MM.JJJJ`` (or ``YYYY-MM-DD``); None when empty. Raises ValueError
    with a message in the viewer's language otherwise."""
    return parse_date(text, lang or current_language())


def parse_consent_platforms(value: Any) -> list[str] | None:
    """The ticked platforms; None (consent for every platform) when none is ticked.

    Raises ValueError for anything but a list of known platforms (the browser can send any)."""
    if value in (None, []):
        return None
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ValueError("platforms")
    unknown = sorted(set(value) - set(PLATFORMS))
    if unknown:
        raise ValueError(f"unknown platform {unknown[0][:40]!r}")
    return list(value)


def parse_count(value: Any) -> int | None:
    """A whole number typed in a number field; None when empty. Raises ValueError for anything
    else; whether the number is a possible count is for the manual-entry path to say, with
    the same message as ``tracker record``."""
    # An empty field is unknown (None), never 0.
    if value in (None, ""):
        return None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"{value!r} is not a whole number")
    if not isinstance(value, int | float | str):
        raise ValueError("not a number")
    return int(value)


def result(lang: str, what: str, saved: Any) -> tuple[str, int]:
    """The message for a saved ``what`` and the next value of the page's saved counter."""
    return t("admin.done", lang, what=what), (saved or 0) + 1


def short(exc: Exception) -> str:
    """The first line of an error, cut to 200 characters, for a form's message."""
    return str(exc).splitlines()[0][:200]
