"""Tables for people: German (or English) column headers and translated codes, from the text
catalogue (``tracker.text``). Tables for programs keep English snake_case names and the codes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboards.charts import event_label
from dashboards.i18n import label_of, t
from tracker.explain import explain_metric, explain_milestone, platform_name, status_label
from tracker.tabular import csv_bytes
from tracker.tabular.csv_writer import CsvFlavour
from tracker.text import has_text

FOLLOWUP = "followup_"


@dataclass(frozen=True)
class Table:
    """Column names (English snake_case) and rows of typed values (None = unknown)."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def header(column: str, lang: str) -> str:
    """The column's heading for people; the column name itself where there is no text."""
    key = f"table.{column}"
    if has_text(key):
        return t(key, lang)
    if column.startswith(FOLLOWUP) and has_text(f"table.{column[len(FOLLOWUP) :]}"):
        return t("table.followup", lang, label=header(column[len(FOLLOWUP) :], lang))
    return column


def headers(columns: Sequence[str], lang: str, readable: bool) -> list[str]:
    return [header(c, lang) if readable else c for c in columns]


def _metric(code: str, lang: str) -> str:
    try:
        return explain_metric(code, lang).title
    except KeyError:
        return code


def _milestone(code: str, lang: str) -> str:
    try:
        return explain_milestone(code, None, lang).title
    except KeyError:
        return code


def value_label(column: str, value: Any, lang: str) -> Any:
    """A code (role, goal status, account state, poll outcome, platform ...) in words; every
    other value unchanged."""
    if not isinstance(value, str):
        return value
    if column == "role":
        return label_of("role", value, lang)
    if column == "status":
        try:
            return status_label(value, lang).title
        except KeyError:
            return value
    if column in ("state",):
        return label_of("state", value, lang)
    if column == "last_outcome":
        return label_of("outcome", value, lang)
    if column == "source":
        return label_of("source", value, lang)
    if column == "platform":
        return platform_name(value, lang)
    if column == "metric":
        return _metric(value, lang)
    return value


def readable_rows(table: Table, lang: str, kinds: dict[str, str] | None = None) -> list[list[Any]]:
    """The rows with codes in words. ``kinds`` names what a ``kind`` column holds
    (``milestone`` or ``event``); other kinds stay as they are."""
    out = []
    for row in table.rows:
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            if column == "kind" and isinstance(value, str) and kinds:
                what = kinds.get("kind")
                if what == "milestone":
                    value = _milestone(value, lang)
                elif what == "event":
                    value = event_label(value, value, lang)
            cells.append(value_label(column, value, lang))
        out.append(cells)
    return out


def write_tables(
    directory: Path,
    tables: Mapping[str, Table],
    flavour: CsvFlavour,
    readable: Callable[[str, Table], tuple[list[str], list[list[Any]]]],
) -> list[Path]:
    """One CSV file per table in ``directory`` (which exists), in ``flavour``: for people
    (``flavour.local_times``) with the headings and codes ``readable`` gives, else as stored."""
    paths = []
    for name, table in tables.items():
        if flavour.local_times:
            head, rows = readable(name, table)
        else:
            head, rows = list(table.columns), [list(r) for r in table.rows]
        path = directory / f"{name}.csv"
        path.write_bytes(csv_bytes(head, rows, flavour))
        paths.append(path)
    return paths
