"""The one CSV writer: every CSV the project writes goes through ``csv_bytes``.

Two flavours. ``EXCEL_DE`` is for people who open the file in a German spreadsheet program:
``;`` between cells, a UTF-8 byte-order mark (so umlauts survive), decimal commas, dates and
times in the programme's time zone as ``TT.MM.JJJJ HH:MM``. ``MACHINE`` is for programs: ``,``,
decimal points, ISO 8601 times in UTC. Both leave unknown values empty (never 0) and neutralise
text that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from numbers import Integral, Real
from typing import Any
from zoneinfo import ZoneInfo

from tracker.tabular.cells import neutralise

DEFAULT_TIMEZONE = "Europe/Berlin"


@dataclass(frozen=True)
class CsvFlavour:
    """How values are written: separator, byte-order mark, decimal mark, dates and times."""

    name: str
    delimiter: str
    bom: bool
    decimal: str
    local_times: bool
    timezone: str = DEFAULT_TIMEZONE
    true: str = "true"
    false: str = "false"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_timezone(self, timezone: str | None) -> CsvFlavour:
        return replace(self, timezone=timezone) if timezone else self


EXCEL_DE = CsvFlavour(
    "excel-de", ";", bom=True, decimal=",", local_times=True, true="ja", false="nein"
)
MACHINE = CsvFlavour("machine", ",", bom=False, decimal=".", local_times=False)


def flavour_for(lang: str, machine: bool = False, timezone: str | None = None) -> CsvFlavour:
    """German Excel for German readers, unless the machine-readable variant is asked for."""
    if machine or lang != "de":
        return MACHINE
    return EXCEL_DE.with_timezone(timezone)


def is_unknown(value: Any) -> bool:
    """None, NaN, pandas' NA and NaT: a value nobody knows."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; the store's naive datetimes are UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _number(value: float, decimal: str) -> str:
    text = format(value, ".15g")
    return text.replace(".", decimal) if decimal != "." else text


def format_cell(value: Any, flavour: CsvFlavour = MACHINE) -> str:
    """One value as CSV text in ``flavour``; unknown is empty, never 0."""
    if is_unknown(value):
        return ""
    if isinstance(value, str):
        return str(neutralise(value))
    if isinstance(value, bool):
        return flavour.true if value else flavour.false
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        return _number(float(value), flavour.decimal)
    if isinstance(value, datetime):
        moment = as_utc(value)
        if flavour.local_times:
            return moment.astimezone(flavour.zone).strftime("%d.%m.%Y %H:%M")
        return moment.isoformat()
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y") if flavour.local_times else value.isoformat()
    return str(neutralise(str(value)))


def csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Any]], flavour: CsvFlavour = MACHINE
) -> bytes:
    """A whole CSV file: the header line, then one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=flavour.delimiter, lineterminator="\r\n")
    writer.writerow([format_cell(h, flavour) for h in header])
    writer.writerows([format_cell(v, flavour) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig" if flavour.bom else "utf-8")
