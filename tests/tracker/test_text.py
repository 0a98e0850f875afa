"""The text catalogues and the formatting module: every key in both languages, no surface with
its own text table, plurals, one date format per language, the time zone from the caller."""

from __future__ import annotations

import ast
import string
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connectors import REGISTRY
from tracker.explain import platform_name
from tracker.text import CATALOGUES, plural, text
from tracker.text.formatting import fmt_date, fmt_datetime, fmt_int, fmt_percent, parse_date

ROOT = Path(__file__).resolve().parents[2]
# Modules that show text to people: pages, page helpers, charts, the report, explanations.
SURFACES = [
    *sorted((ROOT / "dashboards").rglob("*.py")),
    ROOT / "tracker" / "explain.py",
]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_catalogues_have_the_same_keys_and_fields() -> None:
    de, en = CATALOGUES["de"], CATALOGUES["en"]
    assert set(de) == set(en)
    differing = [k for k in de if _fields(de[k]) != _fields(en[k])]
    assert differing == []
    assert all(v.strip() for v in (*de.values(), *en.values()))


def test_every_registered_platform_has_a_name_and_no_other_does() -> None:
    named = {k.split(".", 1)[1] for k in CATALOGUES["de"] if k.startswith("platform.")}
    assert named - {"all"} == set(REGISTRY)
    assert platform_name("manual", "de") == "Manuell"
    assert platform_name("manual", "en") == "Manual"
    assert platform_name("x", "de") == "X"


def _prose_strings(node: ast.AST) -> int:
    return sum(
        1
        for n in ast.walk(node)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and (" " in n.value.strip() or any(ord(c) > 127 for c in n.value))
    )


def test_no_page_report_or_chart_module_keeps_its_own_text_table() -> None:
    tables = []
    for path in SURFACES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for stmt in tree.body:
            value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
            if isinstance(value, ast.Dict) and _prose_strings(value) >= 3:
                tables.append(f"{path.relative_to(ROOT)}:{stmt.lineno}")
    assert tables == []


def test_the_check_finds_a_text_table() -> None:
    # The check above would catch the tables this catalogue replaced.
    source = 'TEXT = {"de": {"a": "Zwei Wörter", "b": "noch zwei", "c": "und drei"}}'
    assert _prose_strings(ast.parse(source).body[0].value) == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("lang", "number", "expected"),
    [
        ("de", 1, "1 Beitrag veröffentlicht"),
        ("de", 2, "2 Beiträge veröffentlicht"),
        ("de", 0, "0 Beiträge veröffentlicht"),
        ("en", 1, "1 post published"),
        ("en", 14, "14 posts published"),
    ],
)
def test_plurals_follow_the_language(lang: str, number: int, expected: str) -> None:
    assert plural("since.posts", number, lang, count=fmt_int(number, lang)) == expected


def test_unknown_count_is_a_dash_in_the_general_form() -> None:
    assert (
        plural("since.posts", None, "de", count=fmt_int(None, "de")) == "– Beiträge veröffentlicht"
    )


def test_one_date_format_per_language() -> None:
    day = date(2025, 3, 14)
    assert fmt_date(day, "de") == "14.03.2025"
    assert fmt_date(day, "en") == "14 Mar 2025"
    assert fmt_int(1234, "de") == "1.234"
    assert fmt_percent(0.05, "de") == "5,0 %"


def test_times_are_shown_in_the_zone_the_caller_gives() -> None:
    # 23:30 UTC on the last Saturday of March is 00:30 on Sunday in Berlin (still winter time)
    # and 01:30 after the clocks went forward the next night.
    moment = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert fmt_datetime(moment, "de", "Europe/Berlin") == "29.03.2026, 00:30"
    assert fmt_datetime(moment, "de", "Europe/Lisbon") == "28.03.2026, 23:30"
    assert fmt_datetime(datetime(2026, 3, 29, 23, 30, tzinfo=UTC), "de", "Europe/Berlin") == (
        "30.03.2026, 01:30"
    )
    assert fmt_date(moment, "de", "Europe/Berlin") == "29.03.2026"
    with pytest.raises(ValueError, match="time zone"):
        fmt_date(moment, "de")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31.12.2026", date(2026, 12, 31)),
        (" 1.2.2026 ", date(2026, 2, 1)),
        ("31/12/2026", date(2026, 12, 31)),
        ("2026-12-31", date(2026, 12, 31)),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_typed_as_people_write_them(typed: str | None, expected: date | None) -> None:
    assert parse_date(typed, "de") == expected


@pytest.mark.parametrize("typed", ["31.13.2026", "30.02.2026", "morgen", "12/31/2026x", "2026"])
def test_a_bad_date_says_what_to_type(typed: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(typed, "de")
    assert str(caught.value) == text("date.invalid", "de", value=typed)
    assert "TT.MM.JJJJ" in str(caught.value)
    with pytest.raises(ValueError, match=r"DD\.MM\.YYYY"):
        parse_date(typed, "en")
