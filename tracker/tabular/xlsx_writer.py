"""The one workbook writer: real number and date cells, text that never runs as a formula."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from numbers import Integral, Real
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter

from tracker.tabular.cells import FORMULA_START
from tracker.tabular.csv_writer import DEFAULT_TIMEZONE, as_utc, is_unknown

DATE_FORMATS = {"de": ("DD.MM.YYYY", "DD.MM.YYYY HH:MM"), "en": ("YYYY-MM-DD", "YYYY-MM-DD HH:MM")}
SHEET_NAME_MAX = 31


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name (cut to Excel's 31 characters), header and rows."""

    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]


def _put(cell: Cell, value: Any, zone: ZoneInfo, formats: tuple[str, str]) -> None:
    if is_unknown(value):
        return
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, Integral):
        cell.value = int(value)
    elif isinstance(value, Real):
        cell.value = float(value)
    elif isinstance(value, datetime):
        # Excel has no time zones: the local wall time of the programme.
        cell.value = as_utc(value).astimezone(zone).replace(tzinfo=None)
        cell.number_format = formats[1]
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = formats[0]
    else:
        text = str(value)
        cell.value = text
        if text.startswith(FORMULA_START):
            # Stored as text with Excel's own "typed with an apostrophe" flag: shown as typed,
            # never run, also not after editing the cell.
            cell.data_type = "s"
            cell.quotePrefix = True


def workbook_bytes(
    sheets: Sequence[Sheet], lang: str = "de", timezone: str = DEFAULT_TIMEZONE
) -> bytes:
    """An .xlsx file with one sheet per table, the header row frozen."""
    zone = ZoneInfo(timezone)
    formats = DATE_FORMATS.get(lang, DATE_FORMATS["de"])
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for sheet in sheets:
        ws = book.create_sheet(sheet.name[:SHEET_NAME_MAX])
        for col, title in enumerate(sheet.header, start=1):
            _put(ws.cell(row=1, column=col), title, zone, formats)
            ws.column_dimensions[get_column_letter(col)].width = max(10, min(40, len(title) + 2))
        for r, row in enumerate(sheet.rows, start=2):
            for col, value in enumerate(row, start=1):
                _put(ws.cell(row=r, column=col), value, zone, formats)
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
