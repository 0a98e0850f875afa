"""Bad files and values on the command line: exit 2, one line naming the file (or value) and
what to do, and the database unchanged. No traceback."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tracker.cli import main
from tracker.config import PersonEntry
from tracker.programme.structure import Changes, upsert_person
from tracker.store.db import Database
from tracker.store.models import Account, Person, ProfileSnapshot

ROSTER = "key,name,role,cohort\nneu-1,Nele Neu,mentee,\n"


@pytest.fixture
def url(sqlite_db: Database) -> str:
    with sqlite_db.write() as session:
        upsert_person(
            session,
            PersonEntry(key="anna-m", name="Anna M", role="mentee", consent=date(2024, 1, 1)),
            Changes(),
        )
    return sqlite_db.engine.url.render_as_string(hide_password=False)


def _counts(db: Database) -> tuple[int, ...]:
    with db.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Person, Account, ProfileSnapshot)
        )


def _one_line_exit_2(code: int, capsys: Any, *words: str) -> str:
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


BAD_ROSTERS = {
    "xlsx renamed": _xlsx(),
    "random bytes": bytes(range(256)) * 8 + os.urandom(512),
    "utf-16": ROSTER.encode("utf-16"),
}


@pytest.mark.parametrize("name", BAD_ROSTERS)
def test_a_roster_that_is_no_csv_text_is_refused(
    url: str, sqlite_db: Database, tmp_path: Path, capsys: Any, name: str
) -> None:
    file = tmp_path / "roster.csv"
    file.write_bytes(BAD_ROSTERS[name])
    before = _counts(sqlite_db)
    code = main(["--db", url, "roster", "import", str(file)])
    line = _one_line_exit_2(code, capsys, str(file), "CSV")
    assert "unknown column" not in line
    assert _counts(sqlite_db) == before


def test_a_roster_with_a_byte_order_mark_is_read(
    url: str, sqlite_db: Database, tmp_path: Path
) -> None:
    file = tmp_path / "roster.csv"
    file.write_bytes(ROSTER.encode("utf-8-sig"))
    assert main(["--db", url, "roster", "import", str(file)]) == 0
    assert _counts(sqlite_db)[0] == 2


CONFIG = '[tracker]\nprogramme_name = "Mentoring Süd"\n'


def test_a_config_with_a_utf8_byte_order_mark_is_accepted(
    url: str, tmp_path: Path, capsys: Any
) -> None:
    file = tmp_path / "config.toml"
    file.write_bytes(CONFIG.encode("utf-8-sig"))
    assert main(["--config", str(file), "--db", url, "check"]) == 0, capsys.readouterr()


def test_a_utf16_config_is_refused_naming_the_file(url: str, tmp_path: Path, capsys: Any) -> None:
    file = tmp_path / "config.toml"
    file.write_bytes(CONFIG.encode("utf-16"))
    code = main(["--config", str(file), "--db", url, "check"])
    _one_line_exit_2(code, capsys, str(file), "UTF-8")


def test_a_cohort_ending_before_it_starts_is_refused(url: str, tmp_path: Path, capsys: Any) -> None:
    file = tmp_path / "config.toml"
    file.write_text(
        '[[cohorts]]\nkey = "2027"\nname = "K"\nstart = 2027-09-30\nend = 2027-02-01\n',
        encoding="utf-8",
    )
    code = main(["--config", str(file), "--db", url, "check"])
    _one_line_exit_2(code, capsys, str(file), "2027", "before")


def test_record_refuses_a_count_no_database_can_hold(
    url: str, sqlite_db: Database, capsys: Any
) -> None:
    before = _counts(sqlite_db)
    code = main(["--db", url, "record", "anna-m", "tiktok", "--followers", "99999999999999999999"])
    _one_line_exit_2(code, capsys, "followers", "99999999999999999999")
    assert _counts(sqlite_db) == before
