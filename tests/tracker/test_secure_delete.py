"""After an erasure or the retention purge, the SQLite files on disk (database and write-ahead
log) no longer hold the erased person's name or e-mail address."""

from __future__ import annotations

from pathlib import Path

from tests.tracker.privacy_world import WILMA, build_world
from tracker.privacy import erase_person
from tracker.store.db import Database


def _on_disk(db: Database, needle: str) -> dict[str, int]:
    """How often ``needle`` occurs in each of the database's files."""
    path = Path(str(db.engine.url.database))
    hits = {}
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-journal")):
        if file.exists():
            hits[file.name] = file.read_bytes().count(needle.encode("utf-8"))
    return hits


def test_erased_name_is_gone_from_the_database_and_its_wal(sqlite_db: Database) -> None:
    build_world(sqlite_db)
    assert sum(_on_disk(sqlite_db, WILMA.name).values()) > 0  # the check can see her
    erase_person(sqlite_db, WILMA.key, dry_run=False, by="test")
    for needle in (WILMA.name, WILMA.email):
        hits = _on_disk(sqlite_db, needle)
        assert sum(hits.values()) == 0, hits


def test_purged_name_is_gone_from_the_database_and_its_wal(sqlite_db: Database) -> None:
    from tests.tracker.test_retention import OLIVIA, build_two_cohorts
    from tracker.config import Config
    from tracker.privacy import purge_expired

    build_two_cohorts(sqlite_db)
    assert sum(_on_disk(sqlite_db, OLIVIA.name).values()) > 0
    report = purge_expired(sqlite_db, Config())
    assert OLIVIA.key in report.people
    for needle in (OLIVIA.name, OLIVIA.email):
        hits = _on_disk(sqlite_db, needle)
        assert sum(hits.values()) == 0, hits
