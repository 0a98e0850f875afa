"""``tracker report`` on the demo programme: one self-contained HTML file, tidy CSV tables and a
workbook, with figures that match an independent recomputation from the raw rows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from dashboards.charts import SMALL_POINTS, downsample
from dashboards.report.html_report import small_line
from tracker.cli import main
from tracker.demo import demo_programme as demo
from tracker.demo.demo_goals import add_demo_goals
from tracker.metrics import Counts
from tracker.store.db import Database


@dataclass(frozen=True)
class Demo:
    db: Database
    url: str
    today: str
    names: dict[str, str]  # mentee key -> display name
    dir: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    where = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{where / 'demo.db'}"
    db = Database(url)
    db.upgrade()
    plan, changes = demo.build(db, earlier=False)  # one cohort: the single-cohort report
    assert changes.created.get("goals", 0) > 0  # the demo sets goals for its tandems
    assert add_demo_goals(db, plan.today) == 0  # and adding them again adds none
    names = {p.key: p.name for p in plan.people if p.role == "mentee"}
    yield Demo(db, url, plan.today.isoformat(), names, where)
    db.dispose()


def run(d: Demo, *args: str) -> None:
    assert main(["--db", d.url, "report", "--cohort", "demo", "--today", d.today, *args]) == 0


@pytest.fixture(scope="module")
def html(built: Demo) -> str:
    out = built.dir / "bericht.html"
    run(built, "--out", str(out))
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def csv_dir(built: Demo) -> Path:
    """The programme team's tables for programs: named, machine-readable."""
    out = built.dir / "tables"
    run(built, "--format", "csv", "--named", "--machine", "--out", str(out))
    return out


@pytest.fixture(scope="module")
def german_dir(built: Demo) -> Path:
    """What a German coordinator gets by default: for funders, for German Excel."""
    out = built.dir / "tabellen"
    run(built, "--format", "csv", "--out", str(out))
    return out


@pytest.fixture(scope="module")
def workbook(built: Demo) -> Path:
    out = built.dir / "bericht.xlsx"
    run(built, "--format", "xlsx", "--out", str(out))
    return out


def test_html_is_self_contained_with_plotly_embedded_once(html: str) -> None:
    assert html.count("Plotly.newPlot") > 5
    # plotly.js carries its version banner once.
    assert len(re.findall(r"plotly\.js v\d+\.\d+\.\d+", html)) == 1
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", html)
    # Outside the embedded plotly.js bundle nothing points to the internet.
    bundle = re.search(r"<script>.*?</script>", html, flags=re.S)
    assert bundle is not None and "plotly.js v" in bundle.group(0)
    rest = html.replace(bundle.group(0), "")
    assert "cdn.plot.ly" not in rest and "https://cdn" not in rest
    assert len(html.encode()) < 8_000_000  # small enough to send by email


def test_html_under_german_headings(built: Demo, html: str) -> None:
    for heading in (
        "Zusammenfassung",
        "Vorher und nachher",
        "Wirkung der Veranstaltungen",
        "Ziele der Tandems",
        "Lernschritte im Zeitverlauf",
        "Entwicklung je Mentee",
        "Datenqualität",
        "Vergleichsgruppe",
    ):
        assert f">{heading}</h" in html
    assert "Auftakt" in html and "Halbzeit" in html
    # Before the closing there is nothing to follow up yet.
    assert "Hält das Wachstum" not in html


def test_english_report(built: Demo) -> None:
    out = built.dir / "report-en.html"
    run(built, "--out", str(out), "--lang", "en")
    page = out.read_text(encoding="utf-8")
    assert ">Summary</h2>" in page and ">Data quality</h2>" in page


def test_follow_up_section_appears_after_the_closing(built: Demo) -> None:
    out = built.dir / "followup.html"
    later = (datetime.fromisoformat(built.today) + timedelta(days=120)).date().isoformat()
    assert (
        main(["--db", built.url, "report", "--cohort", "demo", "--today", later, "--out", str(out)])
        == 0
    )
    assert "Hält das Wachstum?" in out.read_text(encoding="utf-8")


def test_csv_tables_are_tidy(built: Demo, csv_dir: Path) -> None:
    names = {p.stem for p in csv_dir.glob("*.csv")}
    assert {"people", "growth", "platform_growth", "event_effects", "goals", "milestones"} <= names
    assert "data_quality" in names
    people = pd.read_csv(csv_dir / "people.csv")
    assert set(built.names) <= set(people["person_key"])
    assert set(people["role"]) == {"mentee", "comparison"}
    goals = pd.read_csv(csv_dir / "goals.csv")
    assert set(goals["status"]) <= {"open", "on_track", "reached", "missed"}
    assert (goals["status"] == "reached").any()
    growth = pd.read_csv(csv_dir / "growth.csv")
    # Blogs tell no follower count: their growth is unknown (empty), never 0.
    blogs = growth[growth["platform"] == "blog"]
    assert len(blogs) and blogs["absolute"].isna().all()


def test_workbook_has_a_sheet_per_table(workbook: Path) -> None:
    sheets = set(load_workbook(workbook).sheetnames)
    assert {"Personen", "Wachstum", "Ziele", "Datenqualität"} <= sheets


def test_one_mentee_recomputed_from_raw_rows(built: Demo, csv_dir: Path) -> None:
    """Growth from the kickoff and posts a week in the last month, from plain SQL rows."""
    key = "mentee-01"
    with built.db.engine.connect() as conn:
        kickoff = conn.execute(
            text("SELECT date FROM programme_event WHERE kind = 'kickoff'")
        ).scalar_one()
        rows = conn.execute(
            text(
                "SELECT a.platform, s.taken_at, s.followers FROM profile_snapshot s "
                "JOIN account a ON a.id = s.account_id JOIN person p ON p.id = a.person_id "
                "WHERE p.key = :key ORDER BY s.taken_at"
            ),
            {"key": key},
        ).all()
        published = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT m.published_at FROM post_metric m JOIN account a "
                    "ON a.id = m.account_id JOIN person p ON p.id = a.person_id WHERE p.key = :key"
                ),
                {"key": key},
            )
        ]
    kick = datetime.fromisoformat(str(kickoff))
    end = datetime.fromisoformat(built.today) + timedelta(days=1)
    growth = pd.read_csv(csv_dir / "growth.csv")
    mine = growth[growth["person_key"] == key]
    checked = 0
    for platform in {r[0] for r in rows}:
        counts = [
            (datetime.fromisoformat(str(at)), f)
            for p, at, f in rows
            if p == platform and f is not None and kick <= datetime.fromisoformat(str(at)) < end
        ]
        row = mine[mine["platform"] == platform].iloc[0]
        if len(counts) < 2:
            assert pd.isna(row["absolute"])
            continue
        (t0, v0), (t1, v1) = counts[0], counts[-1]
        weekly = (v1 / v0) ** (7 / ((t1 - t0).total_seconds() / 86400)) - 1
        assert row["start_value"] == v0 and row["end_value"] == v1
        assert row["absolute"] == v1 - v0
        assert row["percent"] == pytest.approx((v1 - v0) / v0 * 100, abs=1e-3)
        assert row["weekly_percent"] == pytest.approx(weekly * 100, abs=1e-3)
        checked += 1
    assert checked >= 1
    # Posts a week over the 28 days up to the end of the report day.
    start = end - timedelta(days=28)
    count = sum(start <= datetime.fromisoformat(str(p)) < end for p in published)
    people = pd.read_csv(csv_dir / "people.csv").set_index("person_key")
    assert people.loc[key, "posts_per_week_last_month"] == pytest.approx(count / 4, abs=1e-3)
    assert built.names[key] == people.loc[key, "name"]
    assert UTC  # times in the store are UTC; the naive SQLite values above are UTC too


DAY_NS = 86_400 * 10**9


def test_small_multiples_keep_the_points_the_chart_keeps_of_the_daily_line() -> None:
    """The report thins each mentee's daily line before drawing it: the points left are exactly
    those the charts' downsampling keeps of the full line, gaps included."""
    rng = np.random.default_rng(7)
    first_day = 20_000  # days since 1970-01-01
    for _ in range(60):
        days = int(rng.integers(2, 800))
        known = rng.random(days) >= rng.choice([0.0, 0.05, 0.4, 0.9])
        if rng.random() < 0.5:  # an outage of up to two months
            at = int(rng.integers(0, days))
            known[at : at + int(rng.integers(1, 60))] = False
        polled = np.flatnonzero(known)
        counts = Counts(
            (first_day + polled) * DAY_NS + 6 * 3600 * 10**9,  # polled at 06:00 UTC
            rng.integers(0, 5_000, len(polled)),
        )
        start, end = first_day * DAY_NS, (first_day + days - 1) * DAY_NS
        line = small_line(counts, start, end, "instagram")
        daily_x = [
            (date(1970, 1, 1) + timedelta(days=first_day + d)).isoformat() for d in range(days)
        ]
        values = dict(zip(polled.tolist(), counts.values.tolist(), strict=True))
        daily_y = [float(values[d]) if d in values else None for d in range(days)]
        assert (list(line.x), list(line.y)) == downsample(daily_x, daily_y, SMALL_POINTS)
        if days > SMALL_POINTS:
            assert len(line.x) < days  # thinned indeed


def test_data_quality_names_states_and_outcomes_in_words(html: str) -> None:
    section = html.split('id="quality"')[1].split('id="explanations"')[0]
    rows = re.findall(r"<tr><td>.*?</tr>", section, flags=re.S)
    assert rows, "the demo has accounts with gaps"
    cells = {c.strip() for row in rows for c in re.findall(r"<td[^>]*>([^<]*)</td>", row)}
    codes = {"active", "not_found", "unavailable", "auth_failed", "paused", "ok", "error"}
    assert cells & codes == set()
    assert cells & {"aktiv", "nicht gefunden", "nicht öffentlich", "pausiert"}


# -- who the report names -----------------------------------------------------------------------


def _identifiers(d: Demo) -> list[str]:
    """Every mentee's name, key and handle in the demo."""
    with d.db.engine.connect() as conn:
        handles = conn.execute(
            text(
                "SELECT a.handle FROM account a JOIN person p ON p.id = a.person_id "
                "WHERE p.role = 'mentee'"
            )
        ).scalars()
        found = [*d.names, *d.names.values(), *handles]
    assert len(found) > 2 * len(d.names)
    return found


def _workbook_text(path: Path) -> str:
    book = load_workbook(path)
    return "\n".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    )


def test_default_report_names_no_mentee(
    built: Demo, html: str, german_dir: Path, workbook: Path
) -> None:
    """For funders (the default): figures and pseudonyms, no name, key or handle in the HTML,
    the CSV tables or the workbook."""
    tables = "\n".join(p.read_bytes().decode("utf-8-sig") for p in german_dir.glob("*.csv"))
    sheets = _workbook_text(workbook)
    for what, body in (("html", html), ("csv", tables), ("xlsx", sheets)):
        for identifier in _identifiers(built):
            assert identifier not in body, (what, identifier)
        assert "Mentee A" in body and "Mentee B" in body, what
        assert "nur für das Programmteam" not in body, what
    assert "Pseudonym" in html
    # The goal titles are the tandems' own words: not in the funders' version.
    with built.db.engine.connect() as conn:
        titles = conn.execute(text("SELECT title FROM goal")).scalars().all()
    assert titles and not any(f">{title}<" in html for title in titles)


def test_named_report_names_everyone_and_says_it_is_internal(built: Demo) -> None:
    page_path = built.dir / "intern.html"
    run(built, "--named", "--out", str(page_path))
    page = page_path.read_text(encoding="utf-8")
    for name in built.names.values():
        assert name in page
    # The notice comes first, before any heading of the report.
    assert page.index("INTERN – nur für das Programmteam") < page.index("<h1>")

    tables = built.dir / "intern-tabellen"
    run(built, "--format", "csv", "--named", "--out", str(tables))
    summary = _excel_de(tables / "summary.csv")
    assert summary[0]["Kennzahl"] == "Hinweis" and summary[0]["Wert"].startswith("INTERN")
    people = (tables / "people.csv").read_text("utf-8-sig")
    assert all(key in people and name in people for key, name in built.names.items())

    book_path = built.dir / "intern.xlsx"
    run(built, "--format", "xlsx", "--named", "--out", str(book_path))
    first = load_workbook(book_path).worksheets[0]
    assert first.title == "Zusammenfassung"
    assert str(first["B2"].value).startswith("INTERN")
    assert all(name in _workbook_text(book_path) for name in built.names.values())


# -- tables for German Excel and for programs ---------------------------------------------------


def _excel_de(path: Path) -> list[dict[str, str]]:
    """Read a CSV as German Excel does: UTF-8 only with the byte-order mark, ';' between cells."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), path.name
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8")), delimiter=";"))


def _de_number(cell: str) -> float | None:
    if cell == "":
        return None
    assert re.fullmatch(r"-?\d+(,\d+)?", cell), cell  # decimal comma, no point
    return float(cell.replace(",", "."))


def test_german_csv_opens_in_german_excel(built: Demo, german_dir: Path) -> None:
    machine_dir = built.dir / "maschine"
    run(built, "--format", "csv", "--machine", "--out", str(machine_dir))
    people = _excel_de(german_dir / "people.csv")
    machine = pd.read_csv(machine_dir / "people.csv").set_index("person")
    assert "Beiträge pro Woche vor dem Auftakt" in people[0]
    assert "posts_per_week_baseline" in machine.columns  # the variant for programs
    fractional = 0
    for row in people:
        german = _de_number(row["Beiträge pro Woche im letzten Monat"])
        expected = machine.loc[row["Person"], "posts_per_week_last_month"]
        if german is None:
            assert pd.isna(expected)
            continue
        assert german == pytest.approx(float(expected))
        fractional += german != int(german)
    assert fractional, "some value has a decimal comma"
    assert {r["Rolle"] for r in people} == {"Mentee", "Vergleichsgruppe"}

    summary = {r["Kennzahl"]: r["Wert"] for r in _excel_de(german_dir / "summary.csv")}
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", summary["Auftakt"])
    goals = _excel_de(german_dir / "goals.csv")
    assert {g["Stand"] for g in goals} <= {"offen", "auf gutem Weg", "erreicht", "verfehlt"}
    assert "erreicht" in {g["Stand"] for g in goals}
    quality = _excel_de(german_dir / "data_quality.csv")
    # Local times as German Excel reads them, in the programme's time zone.
    seen = [q["erster Abruf"] for q in quality if q["erster Abruf"]]
    assert seen and all(re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", s) for s in seen)
    machine_quality = pd.read_csv(machine_dir / "data_quality.csv")
    first = pd.Timestamp(machine_quality["first_seen"].dropna().iloc[0])
    assert first.tzinfo is not None and first.utcoffset() == timedelta(0)
    local = first.tz_convert("Europe/Berlin").strftime("%d.%m.%Y %H:%M")
    assert local == seen[0]
    # Blogs tell no follower count: unknown stays empty, never 0.
    growth = _excel_de(german_dir / "growth.csv")
    blogs = [g for g in growth if g["Plattform"] == "Blog"]
    assert blogs and all(g["Zuwachs"] == "" for g in blogs)


def test_workbook_has_real_dates_numbers_and_words(workbook: Path) -> None:
    book = load_workbook(workbook)

    def column(sheet: str, title: str) -> list[Any]:
        ws = book[sheet]
        head = [c.value for c in ws[1]]
        return [row[head.index(title)] for row in ws.iter_rows(min_row=2)]

    kickoff = {r[0].value: r[1] for r in book["Zusammenfassung"].iter_rows(min_row=2)}["Auftakt"]
    assert isinstance(kickoff.value, datetime) and kickoff.number_format == "DD.MM.YYYY"
    posts = [c for c in column("Personen", "Beiträge pro Woche im letzten Monat") if c.value]
    assert posts and all(c.data_type == "n" and isinstance(c.value, float | int) for c in posts)
    starts = [c for c in column("Wachstum", "erster Wert am") if c.value is not None]
    assert starts and all(isinstance(c.value, datetime) for c in starts)
    assert all(c.number_format == "DD.MM.YYYY HH:MM" for c in starts)
    states = {c.value for c in column("Ziele", "Stand")}
    assert "erreicht" in states and not states & {"reached", "missed", "on_track", "open"}
    assert {c.value for c in column("Personen", "Rolle")} == {"Mentee", "Vergleichsgruppe"}
