"""Backups and restores: consistent while the poller and the dashboard work, checked before they
touch anything, encrypted on request, and never bringing an erased person back."""

from __future__ import annotations

import json
import os
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from connectors.demo import DemoConnector
from tests.conftest import PG_URL
from tests.tracker.privacy_world import (
    BERTA,
    SIX_HOURS,
    WILMA,
    account_ids,
    all_tables,
    build_world,
    mentions,
    poll_once,
    row_counts,
)
from tracker.cli import main
from tracker.errors import BackupError
from tracker.ops.backup import prune, take_backup
from tracker.ops.erasure_log import LOG_FILE_NAME, read_db_log, read_log_file
from tracker.ops.restore import restore_backup
from tracker.polling.poll_status import account_health
from tracker.privacy import erase_person
from tracker.privacy.audit_write import record_view
from tracker.store.db import Database
from tracker.store.migrate import current_revision, head_revision, upgrade
from tracker.store.models import BackupRecord, Person

PASS_ENV = "TRACKER_TEST_BACKUP_PASSPHRASE"


def table_rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered by primary key."""
    out = {}
    with db.session() as session:
        for table in all_tables():
            order = list(table.primary_key.columns)
            out[table.name] = [tuple(r) for r in session.execute(select(table).order_by(*order))]
    return out


@pytest.fixture
def empty_target(db: Database, tmp_path: Path) -> Iterator[Any]:
    """Makes new, empty databases of the same kind as ``db`` (nothing migrated)."""
    made: list[tuple[Database, str | None]] = []
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT") if PG_URL else None

    def make() -> Database:
        if db.dialect == "sqlite":
            target = Database(f"sqlite:///{tmp_path / f'restored-{len(made)}.db'}")
            made.append((target, None))
            return target
        assert admin is not None
        name = f"r_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(db.url).set(database=name).render_as_string(hide_password=False)
        target = Database(url)
        made.append((target, name))
        return target

    yield make
    for target, name in made:
        target.dispose()
        if name and admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    if admin is not None:
        admin.dispose()


class Traffic:
    """The poller (profile polls, one simulated six hours apart) and page views (the status
    page's reads and an audit entry per view) running in threads against ``db``."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.stop = threading.Event()
        self.polls = 0
        self.views = 0
        self.errors: list[BaseException] = []
        self.accounts = account_ids(db, WILMA) + account_ids(db, BERTA)
        self.threads = [
            threading.Thread(target=self._guard, args=(self._poll,)),
            threading.Thread(target=self._guard, args=(self._view,)),
        ]

    def _guard(self, loop: Any) -> None:
        try:
            loop()
        except BaseException as exc:  # surfaced by the test
            self.errors.append(exc)

    def _poll(self) -> None:
        connector = DemoConnector({"seed": 5})
        moment = datetime(2025, 4, 1, tzinfo=UTC)
        while not self.stop.is_set():
            moment += SIX_HOURS
            connector.clock = lambda m=moment: m  # type: ignore[misc]
            for account_id in self.accounts:
                poll_once(self.db, account_id, connector, "profile", moment)
            self.polls += 1

    def _view(self) -> None:
        while not self.stop.is_set():
            with self.db.session() as session:
                assert account_health(session, datetime.now(UTC))
            with self.db.write() as session:
                record_view(
                    session,
                    viewer="kora",
                    viewer_role="coordinator",
                    person_key=WILMA.key,
                    surface="page.status",
                )
            self.views += 1

    def wait_for_polls(self, count: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while self.polls < count and not self.errors and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not self.errors, self.errors
        assert self.polls >= count, "the poller did not go on"

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        self.wait_for_polls(2)
        while self.views < 2 and not self.errors:
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()
        assert not self.errors, self.errors


def test_backup_while_polls_and_page_views_run_restores_row_for_row(
    db: Database, tmp_path: Path, empty_target: Any
) -> None:
    build_world(db)
    during = tmp_path / "during.tar.gz"
    with Traffic(db) as traffic:
        manifest = take_backup(db, during).manifest
        # The poller goes on writing: wait for a whole round of polls begun after the backup.
        traffic.wait_for_polls(traffic.polls + 2)
    live = table_rows(db)

    # The copy taken mid-stream is one consistent moment: its counts are the manifest's, and
    # every row it holds is a row of the database (snapshots and audit entries unchanged;
    # accounts only by id, since every poll moves an account's schedule on).
    first = empty_target()
    restore_backup(during, first)
    restored = table_rows(first)
    assert {name: len(rows) for name, rows in restored.items()} == dict(manifest.tables)
    assert manifest.tables["profile_snapshot"] < len(live["profile_snapshot"])
    for name in ("profile_snapshot", "audit_log", "person", "user_account"):
        assert set(restored[name]) <= set(live[name]), name
    # Polling moves an account's schedule and claim columns on; who and where it is stays.
    assert {r[:6] for r in restored["account"]} <= {r[:6] for r in live["account"]}
    for name, rows in restored.items():
        if name != "backup_log":
            assert {r[0] for r in rows} <= {r[0] for r in live[name]}, name

    # Once quiet, a backup restores into an empty database equal row for row in every table
    # (the backup log lacks only the record of that very backup, written after it).
    after = tmp_path / "after.tar.gz"
    take_backup(db, after)
    second = empty_target()
    result = restore_backup(after, second)
    assert result.schema_revision == head_revision()
    again, live = table_rows(second), table_rows(db)
    assert again["backup_log"] == live["backup_log"][:-1]
    for name in live:
        if name != "backup_log":
            assert again[name] == live[name], name


def test_backup_file_is_private_with_a_manifest_of_counts_and_checksum(
    sqlite_db: Database, tmp_path: Path
) -> None:
    build_world(sqlite_db)
    out = tmp_path / "b.tar.gz"
    result = take_backup(sqlite_db, out)
    assert out.stat().st_mode & 0o777 == 0o600
    with tarfile.open(out) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        import hashlib

        payload = tar.extractfile(manifest["payload"]).read()  # type: ignore[union-attr]
    assert manifest["sha256"] == hashlib.sha256(payload).hexdigest()
    assert manifest["schema_revision"] == head_revision()
    assert manifest["tables"] == {
        k: v for k, v in row_counts(sqlite_db).items() if k != "backup_log"
    } | {"backup_log": 0}
    assert result.manifest.tables["person"] == 5
    with sqlite_db.session() as session:
        record = session.scalar(select(BackupRecord))
    assert record is not None and record.path == str(out) and not record.encrypted
    # An existing backup is never overwritten.
    before = out.read_bytes()
    with pytest.raises(BackupError, match="exists already"):
        take_backup(sqlite_db, out)
    assert out.read_bytes() == before


@pytest.fixture
def world_backup(sqlite_db: Database, tmp_path: Path) -> tuple[Database, Path, Path]:
    """The test programme, a plain backup and an encrypted one ("richtig" is the passphrase)."""
    build_world(sqlite_db)
    plain = take_backup(sqlite_db, tmp_path / "plain.tar.gz").path
    secret = take_backup(sqlite_db, tmp_path / "secret.tar.gz.enc", "richtig").path
    return sqlite_db, plain, secret


def _damage(path: Path, *, truncate: bool) -> Path:
    data = bytearray(path.read_bytes())
    bad = path.with_name("bad-" + path.name)
    if truncate:
        bad.write_bytes(bytes(data[: len(data) * 2 // 3]))
    else:
        data[len(data) // 2] ^= 0x55
        bad.write_bytes(bytes(data))
    return bad


@pytest.mark.parametrize("truncate", [True, False], ids=["truncated", "corrupted"])
@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_damaged_backup_is_refused_and_the_target_left_alone(
    world_backup: tuple[Database, Path, Path], tmp_path: Path, truncate: bool, encrypted: bool
) -> None:
    _db, plain, secret = world_backup
    bad = _damage(secret if encrypted else plain, truncate=truncate)
    target = Database(f"sqlite:///{tmp_path / 'target.db'}")
    target.upgrade()
    with pytest.raises(BackupError) as err:
        restore_backup(bad, target, passphrase="richtig" if encrypted else None)
    message = str(err.value)
    assert str(bad) in message
    assert any(word in message for word in ("damaged", "truncated")), message
    assert sum(row_counts(target).values()) == 0
    target.dispose()


def test_a_wrong_passphrase_is_refused(
    world_backup: tuple[Database, Path, Path], tmp_path: Path
) -> None:
    _db, _plain, secret = world_backup
    assert secret.read_bytes()[:16] == b"MTBACKUP-AESGCM1"
    assert b"wunderlich" not in secret.read_bytes()
    target = Database(f"sqlite:///{tmp_path / 'target.db'}")
    with pytest.raises(BackupError, match="wrong passphrase"):
        restore_backup(secret, target, passphrase="falsch")
    with pytest.raises(BackupError, match="is encrypted"):
        restore_backup(secret, target, passphrase=None)
    result = restore_backup(secret, target, passphrase="richtig")
    assert result.counts["person"] == 5
    target.dispose()


def test_restore_refuses_a_database_with_data_unless_forced(
    world_backup: tuple[Database, Path, Path],
) -> None:
    db, plain, _secret = world_backup
    with pytest.raises(BackupError, match="--force"):
        restore_backup(plain, db)
    assert restore_backup(plain, db, force=True).counts["person"] == 5


def test_a_backup_taken_before_an_erasure_restores_without_her(
    db: Database, tmp_path: Path, empty_target: Any
) -> None:
    build_world(db)
    backup = take_backup(db, tmp_path / "before.tar.gz").path
    erase_person(db, WILMA.key, dry_run=False)
    # Only a pseudonymous reference is logged: nothing in the log names her.
    assert mentions(db, WILMA) == []
    (entry,) = read_db_log(db)
    assert len(entry.person_ref) == 64 and entry.reason == "erase"
    log_file = tmp_path / LOG_FILE_NAME  # the copy beside the backups (written by the CLI)
    from tracker.ops.erasure_log import mirror_to_file

    assert mirror_to_file(db, tmp_path) == 1
    assert WILMA.key not in log_file.read_text() and WILMA.email not in log_file.read_text()

    # Back over the live database: its own log erases her again.
    result = restore_backup(backup, db, force=True)
    assert result.erased_again == 1
    assert mentions(db, WILMA) == []
    assert mentions(db, BERTA) != []

    # Into a new database after the old one was lost: the log beside the backup does it.
    fresh = empty_target()
    result = restore_backup(backup, fresh)
    assert result.erased_again == 1 and result.counts["person"] == 4
    assert mentions(fresh, WILMA) == []
    assert read_db_log(fresh) == [entry]  # logged again with the time of her erasure


def test_restore_migrates_a_backup_of_an_older_schema(sqlite_db: Database, tmp_path: Path) -> None:
    old = Database(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(old, "0001")
    with old.write() as session:
        session.add(
            Person(key="anna", display_name="Anna Alt", role="mentee", created_at=datetime.now(UTC))
        )
    out = tmp_path / "old.tar.gz"
    import sqlite3

    from tracker.ops.backup import count_sqlite
    from tracker.ops.backup_file import Manifest, sha256_of, write_archive

    # A copy as an earlier version would have written it (its schema lacks the backup log).
    copy = tmp_path / "database.sqlite"
    source, dest = sqlite3.connect(tmp_path / "old.db"), sqlite3.connect(copy)
    source.backup(dest)
    source.close()
    dest.close()
    counts, revision = count_sqlite(copy)
    assert revision == "0001" and "backup_log" not in counts
    manifest = Manifest(
        1,
        "0.0.9",
        "sqlite",
        revision,
        datetime.now(UTC).isoformat(),
        copy.name,
        copy.stat().st_size,
        sha256_of(copy),
        counts,
    )
    write_archive(out, manifest, copy, None)
    target = Database(f"sqlite:///{tmp_path / 'new.db'}")
    result = restore_backup(out, target)
    assert result.manifest.schema_revision == "0001"
    assert result.schema_revision == head_revision()
    assert result.counts["person"] == 1 and result.counts["backup_log"] == 0
    with target.engine.connect() as conn:
        assert current_revision(conn) == head_revision()
    old.dispose()
    target.dispose()


def test_prune_keeps_the_newest_by_count_and_by_age(tmp_path: Path) -> None:
    now = datetime(2027, 5, 20, 12, tzinfo=UTC)
    names = []
    for days in (0, 1, 2, 3, 10, 40):
        name = f"tracker-{now - timedelta(days=days):%Y%m%dT%H%M%SZ}.tar.gz"
        (tmp_path / name).write_bytes(b"x")
        names.append(name)
    (tmp_path / "notes.txt").write_text("kept")
    gone = prune(tmp_path, keep=5, keep_days=0, now=now)
    assert [p.name for p in gone] == [names[5]]
    gone = prune(tmp_path, keep=0, keep_days=7, now=now)
    assert sorted(p.name for p in gone) == sorted([names[4]])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[:4], "notes.txt"])
    # The newest stays even when everything is too old.
    assert prune(tmp_path, keep=0, keep_days=1, now=now + timedelta(days=30))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("tracker-")] == [names[0]]


# -- the commands -----------------------------------------------------------------------------


def _config(tmp_path: Path, directory: Path | None) -> Path:
    config = tmp_path / "config.toml"
    lines = ["[backup]", f'directory = "{directory or ""}"', f'passphrase_env = "{PASS_ENV}"']
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def test_cli_backup_restore_and_erase_keep_the_log_beside_the_backups(
    sqlite_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv(PASS_ENV, "lange-geheime-passphrase")
    build_world(sqlite_db)
    backups = tmp_path / "backups"
    backups.mkdir()
    config = str(_config(tmp_path, backups))
    assert main(["--config", config, "--db", sqlite_db.url, "backup", "--out", str(backups)]) == 0
    (file,) = [p for p in backups.iterdir() if p.name.endswith(".enc")]
    assert "encrypted" in capsys.readouterr().out
    assert (
        main(["--config", config, "--db", sqlite_db.url, "privacy", "erase", WILMA.key, "--yes"])
        == 0
    )
    assert (backups / LOG_FILE_NAME).exists()
    capsys.readouterr()

    target = f"sqlite:///{tmp_path / 'lost-and-found.db'}"
    assert main(["--config", config, "--db", target, "restore", str(file)]) == 0
    out = capsys.readouterr().out
    assert "1 erased person erased again" in out and "person" in out
    fresh = Database(target)
    assert mentions(fresh, WILMA) == [] and row_counts(fresh)["person"] == 4
    fresh.dispose()
    # A second restore over it needs --force, and says so in one line.
    assert main(["--config", config, "--db", target, "restore", str(file)]) == 5
    err = capsys.readouterr().err
    assert "--force" in err and err.count("\n") == 1


def test_check_warns_without_a_configured_or_recent_backup(
    sqlite_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    none = str(_config(tmp_path, None))
    assert main(["--config", none, "--db", sqlite_db.url, "check"]) == 0
    out = capsys.readouterr().out
    assert "no daily backup is configured" in out and "no backup has been taken" in out
    configured = str(_config(tmp_path, tmp_path / "b"))
    take_backup(sqlite_db, tmp_path / "old.tar.gz", now=datetime.now(UTC) - timedelta(days=3))
    assert main(["--config", configured, "--db", sqlite_db.url, "check"]) == 0
    out = capsys.readouterr().out
    assert "configured" not in out and "the last backup is 3 days old" in out
    take_backup(sqlite_db, tmp_path / "new.tar.gz")
    assert main(["--config", configured, "--db", sqlite_db.url, "check"]) == 0
    assert "backup" not in capsys.readouterr().out


def test_run_takes_the_daily_backup_when_configured(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.config import load_config
    from tracker.polling import scheduler

    monkeypatch.setenv(PASS_ENV, "lange-geheime-passphrase")
    backups = tmp_path / "daily"
    config = load_config(_config(tmp_path, backups))
    monkeypatch.setattr(scheduler, "_RUNTIME", None)
    scheduler.start_runtime(sqlite_db, config)
    jobs = {job.id: job for job in scheduler.build_scheduler(config=config).get_jobs()}
    assert "backup" in jobs
    scheduler.backup()
    (written,) = backups.glob("tracker-*.tar.gz.enc")
    assert written.stat().st_mode & 0o777 == 0o600
    unconfigured = load_config(_config(tmp_path, None))
    jobs = {job.id: job for job in scheduler.build_scheduler(config=unconfigured).get_jobs()}
    assert "backup" not in jobs


def test_a_missing_passphrase_variable_is_named(
    sqlite_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv(PASS_ENV, raising=False)
    config = str(_config(tmp_path, tmp_path))
    code = main(["--config", config, "--db", sqlite_db.url, "backup", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 5 and PASS_ENV in err and err.count("\n") == 1
    assert not list(tmp_path.glob("tracker-*"))
    assert os.listdir(tmp_path)  # the config is still there, nothing else was written


def test_the_daily_purge_keeps_the_erasure_log_beside_the_backups(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.config import load_config
    from tracker.polling import scheduler

    build_world(sqlite_db)
    backups = tmp_path / "daily"
    config_file = _config(tmp_path, backups)
    config_file.write_text(
        config_file.read_text() + "[retention]\nmonths_after_cohort = 1\n", encoding="utf-8"
    )
    backup = take_backup(sqlite_db, tmp_path / "before-purge.tar.gz").path
    monkeypatch.setattr(scheduler, "_RUNTIME", None)
    scheduler.start_runtime(sqlite_db, load_config(config_file))
    scheduler.purge()
    assert row_counts(sqlite_db)["person"] == 1  # only the coordinator, in no cohort
    log = read_log_file(backups / LOG_FILE_NAME)
    assert len(log) == 4 and {e.reason for e in log} == {"purge"}
    # The database is lost; the backup from before the purge comes back without them.
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    result = restore_backup(backup, fresh, erasure_logs=(backups / LOG_FILE_NAME,))
    assert result.erased_again == 4 and result.counts["person"] == 1
    assert mentions(fresh, WILMA) == [] and mentions(fresh, BERTA) == []
    fresh.dispose()


def test_forced_restore_replaces_a_database_of_a_newer_schema(db: Database, tmp_path: Path) -> None:
    """A table the backup does not know (added by a later version, pointing at people) does not
    block the restore; the restored database is the backup's, migrated to the newest schema."""
    build_world(db)
    backup = take_backup(db, tmp_path / "b.tar.gz").path
    expected = table_rows(db)
    erase_person(db, BERTA.key, dry_run=False)
    with db.write_engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE later_feature (id INTEGER PRIMARY KEY, "
                "person_id INTEGER REFERENCES person(id))"
            )
        )
        conn.execute(text("INSERT INTO later_feature SELECT id, id FROM person"))
    result = restore_backup(backup, db, force=True, erasure_logs=())
    assert "later_feature" not in result.counts
    restored = table_rows(db)
    assert mentions(db, BERTA) == [] and result.erased_again == 1
    for name in ("profile_snapshot", "post_metric", "goal"):
        assert len(restored[name]) < len(expected[name]), name
    for name in ("cohort", "programme_event"):
        assert restored[name] == expected[name], name
