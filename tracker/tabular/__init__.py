"""Tables written for people and programs: one CSV writer and one workbook writer for every
table the project hands out (privacy export, web downloads, report tables)."""

from tracker.tabular.cells import FORMULA_START, neutralise
from tracker.tabular.csv_writer import (
    EXCEL_DE,
    MACHINE,
    CsvFlavour,
    csv_bytes,
    flavour_for,
    format_cell,
)
from tracker.tabular.xlsx_writer import Sheet, workbook_bytes

__all__ = [
    "EXCEL_DE",
    "FORMULA_START",
    "MACHINE",
    "CsvFlavour",
    "Sheet",
    "csv_bytes",
    "flavour_for",
    "format_cell",
    "neutralise",
    "workbook_bytes",
]
