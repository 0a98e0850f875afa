"""The one CSV writer and the workbook writer: text that a spreadsheet would run is shown as
typed, numbers stay numbers, unknown stays empty."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from tracker.tabular import EXCEL_DE, FORMULA_START, MACHINE, Sheet, csv_bytes, workbook_bytes


@pytest.mark.parametrize("flavour", [EXCEL_DE, MACHINE], ids=lambda f: f.name)
def test_every_formula_start_is_neutralised_and_numbers_are_not(flavour: object) -> None:
    texts = [start + 'HYPERLINK("http://x","y")' for start in FORMULA_START]
    body = csv_bytes(["text", "number"], [[t, -1.5] for t in texts] + [[None, None]], flavour)
    decoded = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(decoded), delimiter=flavour.delimiter))  # type: ignore[attr-defined]
    assert [r[0] for r in rows[1:-1]] == ["'" + t for t in texts]
    assert {r[1] for r in rows[1:-1]} == {"-1,5" if flavour is EXCEL_DE else "-1.5"}
    assert rows[-1] == ["", ""]  # unknown is empty, never 0


def test_german_excel_dates_in_the_programme_time_zone() -> None:
    body = csv_bytes(
        ["at", "day"], [[datetime(2026, 7, 1, 22, 30, tzinfo=UTC), date(2026, 7, 1)]], EXCEL_DE
    )
    assert body == "\ufeffat;day\r\n02.07.2026 00:30;01.07.2026\r\n".encode()
    machine = csv_bytes(["at"], [[datetime(2026, 7, 1, 22, 30, tzinfo=UTC)]], MACHINE)
    assert machine == b"at\r\n2026-07-01T22:30:00+00:00\r\n"


def test_workbook_keeps_formulas_as_text_and_dates_as_dates() -> None:
    evil = '=HYPERLINK("http://x","y")'
    data = workbook_bytes(
        [Sheet("Ziele", ["Titel", "am", "Wert"], [[evil, datetime(2026, 7, 1, 22, 30), 2.5]])]
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere
    ws = load_workbook(io.BytesIO(data))["Ziele"]
    title, at, value = ws[2]
    assert title.value == evil and title.data_type == "s" and title.quotePrefix
    assert at.value == datetime(2026, 7, 2, 0, 30) and at.number_format == "DD.MM.YYYY HH:MM"
    assert value.value == 2.5 and value.data_type == "n"
