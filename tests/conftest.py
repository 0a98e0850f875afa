"""Shared fixtures: a migrated database on SQLite and, when TRACKER_TEST_PG_URL is set, on
PostgreSQL (each PostgreSQL test gets its own schema)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tracker.store.db import Database

PG_URL = os.environ.get("TRACKER_TEST_PG_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
FIXTURES = Path(__file__).parent / "fixtures"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("TRACKER_LIVE") == "1":
        return
    skip_live = pytest.mark.skip(reason="calls a live platform API; set TRACKER_LIVE=1")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip_live)


def pytest_sessionstart(session: pytest.Session) -> None:
    if IN_CI and not PG_URL:
        raise pytest.UsageError(
            "CI=true but TRACKER_TEST_PG_URL is not set: PostgreSQL tests would be skipped"
        )


@pytest.fixture(autouse=True)
def english_cli_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line's messages in English, which the tests read (German is the default;
    tests/tracker/test_cli_language.py checks both)."""
    monkeypatch.setenv("TRACKER_LANG", "en")


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'tracker.db'}")
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def pg_db() -> Iterator[Database]:
    """A fresh schema on the test PostgreSQL server, dropped afterwards."""
    if not PG_URL:
        pytest.skip("TRACKER_TEST_PG_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # a configured server that is down is a failure, not a skip
        pytest.fail(f"PostgreSQL at TRACKER_TEST_PG_URL is not reachable: {exc}")
    sep = "&" if "?" in PG_URL else "?"
    db = Database(f"{PG_URL}{sep}options=-csearch_path%3D{schema}")
    db.upgrade()
    yield db
    db.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest) -> Database:
    """The store on each backend: SQLite always, PostgreSQL when configured."""
    name = "sqlite_db" if request.param == "sqlite" else "pg_db"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]
