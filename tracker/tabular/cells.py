"""Cell values that a spreadsheet must show as text, never run."""

from __future__ import annotations

from typing import Any

# Excel, LibreOffice and Google Sheets run a cell starting with one of these as a formula
# (a leading tab or carriage return is stripped first by some of them).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, prefixed with an apostrophe so it shows as
    typed; every other value unchanged. Only text is touched: a negative number stays a number."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
