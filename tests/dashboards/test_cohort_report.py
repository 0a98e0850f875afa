"""`tracker report --cohorts`: the comparison as HTML, CSV and a workbook, with the figures of
the comparison (no names), "Stand" for a running cohort and the follow-up of an ended one."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.tracker import cohort_world as world
from tracker.cli import main
from tracker.cohort.cohort_comparison import compare
from tracker.store.db import Database


@pytest.fixture
def url(tmp_path: Path) -> str:
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    db.upgrade()
    world.build(db)
    db.dispose()
    return f"sqlite:///{tmp_path / 'c.db'}"


def _run(url: str, out: Path, *args: str) -> int:
    return main(
        [
            "--db",
            url,
            "report",
            "--cohorts",
            "c2025,c2026",
            "--today",
            "2026-02-16",
            "--out",
            str(out),
            *args,
        ]
    )


def test_html_shows_both_cohorts_state_and_follow_up(url: str, tmp_path: Path) -> None:
    out = tmp_path / "vergleich.html"
    assert _run(url, out) == 0
    page = out.read_text(encoding="utf-8")
    assert "Stand 16.02.2026" in page  # 2026 still runs
    assert "abgeschlossen am 03.03.2025" in page
    assert "Jahrgang 2025 (n = 4)" in page and "Jahrgang 2026 (n = 2)" in page
    assert 'id="cohorts-followup"' in page and "noch nicht erreicht (03.03.2026)" in page
    assert "Nachbeobachtung" in page
    for name in ("Anna", "Berta", "Carla", "anna-x"):
        assert name not in page  # cohort figures only
    assert "<script src=" not in page  # self-contained


def test_csv_rows_are_the_comparisons_figures(url: str, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    assert _run(url, out, "--format", "csv", "--machine") == 0
    rows = list(csv.DictReader(io.StringIO((out / "cohort_figures.csv").read_text("utf-8"))))
    db = Database(url)
    with db.session() as session:
        found = {c.key: c for c in compare(session, ["c2025", "c2026"], world.TODAY)}
    db.dispose()
    final = [r for r in rows if r["cohort"] == "c2025" and r["phase"] == "programme"][-1]
    assert final["day"] == "2025-03-03"
    assert float(final["share_posting_weekly"]) == found["c2025"].final.share_weekly * 100
    followup = [r for r in rows if r["phase"] == "followup"]
    assert [(r["months_after_closing"], r["followed"], r["not_followed"]) for r in followup] == [
        ("3", "3", "1"),
        ("6", "3", "1"),
    ]
    running = [r for r in rows if r["cohort"] == "c2026"]
    assert running[-1]["as_of_today"] == "true" or running[-1]["as_of_today"] == "True"
    assert (out / "cohort_growth.csv").exists() and (out / "cohort_events.csv").exists()


def test_xlsx_has_a_sheet_per_table_in_german(url: str, tmp_path: Path) -> None:
    out = tmp_path / "vergleich.xlsx"
    assert _run(url, out, "--format", "xlsx") == 0
    book = load_workbook(out)
    assert book.sheetnames[:2] == ["Kennzahlen", "Wachstum je Plattform"]
    head = [c.value for c in book["Kennzahlen"][1]]
    assert "Anteil wöchentlich postender Mentees (%)" in head and "Nicht weiter beobachtet" in head


def test_cohort_and_cohorts_are_exclusive_and_unknown_keys_are_named(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.html"
    assert main(["--db", url, "report", "--out", str(out)]) == 2
    both = ["--db", url, "report", "--cohort", "c2025", "--cohorts", "c2025", "--out", str(out)]
    assert main(both) == 2
    code = main(["--db", url, "report", "--cohorts", "c2025,nope", "--out", str(out)])
    err = capsys.readouterr().err
    assert code != 0 and "nope" in err and "Traceback" not in err
    assert not out.exists()
