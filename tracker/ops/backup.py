"""``tracker backup``: a consistent copy of the database while the poller and the dashboard run.

SQLite is copied with its online backup API in one step, which reads one consistent snapshot
(in WAL mode writers go on meanwhile). PostgreSQL is dumped with ``pg_dump --format=custom``
from a snapshot exported by a repeatable-read transaction, in which the rows per table are
counted too, so the manifest's counts are exactly those of the dump.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, inspect, select, text

import tracker
from tracker.errors import BackupError
from tracker.ops import pg_tools
from tracker.ops.backup_file import Manifest, sha256_of, write_archive
from tracker.ops.erasure_log import mirror_to_file
from tracker.store.db import Database
from tracker.store.models import BackupRecord

logger = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^tracker-(\d{8}T\d{6}Z)\.tar\.gz(\.enc)?$")
SKIP_TABLES = ("alembic_version",)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest
    size_bytes: int
    encrypted: bool


def backup_name(at: datetime, encrypted: bool) -> str:
    """The file name a backup directory uses: sortable, UTC."""
    return f"tracker-{at.astimezone(UTC):%Y%m%dT%H%M%SZ}.tar.gz" + (".enc" if encrypted else "")


def sqlite_path(db: Database) -> Path:
    database = db.engine.url.database
    if database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(str(database))


def count_sqlite(path: Path) -> tuple[dict[str, int], str | None]:
    """Rows per table and the schema revision of a SQLite file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
            for name in names
            if name not in SKIP_TABLES
        }
        revision = None
        if "alembic_version" in names:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        return counts, revision
    finally:
        conn.close()


def _copy_sqlite(db: Database, target: Path) -> None:
    source = sqlite3.connect(sqlite_path(db), timeout=30)
    dest = sqlite3.connect(target)
    try:
        # pages=-1: the whole database in one step, i.e. one read snapshot; a stepwise copy
        # would start over whenever the poller writes in between.
        source.backup(dest, pages=-1)
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy {sqlite_path(db)}: {exc}") from exc
    finally:
        dest.close()
        source.close()


def count_tables(conn: Connection) -> tuple[dict[str, int], str | None]:
    """Rows per table and the schema revision, read on ``conn``."""
    names = sorted(inspect(conn).get_table_names())
    counts = {
        name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar() or 0)
        for name in names
        if name not in SKIP_TABLES
    }
    revision = None
    if "alembic_version" in names:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return counts, revision


def _dump_postgres(db: Database, target: Path) -> tuple[dict[str, int], str | None, str]:
    with db.engine.connect() as conn:
        pg_tools.check_versions(conn, "pg_dump")
    with (
        db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
        conn.begin(),
    ):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar())
        schema = str(conn.execute(text("SELECT current_schema()")).scalar())
        counts, revision = count_tables(conn)
        # The snapshot stays valid while this transaction is open, i.e. during the dump.
        pg_tools.dump(db.engine.url, schema, snapshot, target)
    return counts, revision, schema


def take_backup(
    db: Database, out: Path, passphrase: str | None = None, now: datetime | None = None
) -> BackupResult:
    """Write a backup of ``db`` to ``out`` (0600), record it in the database's backup log and
    copy the erasure log next to it. Raises BackupError when it cannot."""
    at = now or datetime.now(UTC)
    out = out.resolve()
    if out.is_dir():
        out = out / backup_name(at, passphrase is not None)
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent}: no such directory")
    if out.exists():
        raise BackupError(f"{out} exists already: choose another name, or a directory")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as work:
        workdir = Path(work)
        os.chmod(workdir, 0o700)
        schema: str | None = None
        if db.dialect == "sqlite":
            payload = workdir / "database.sqlite"
            _copy_sqlite(db, payload)
            counts, revision = count_sqlite(payload)
        elif db.dialect == "postgresql":
            payload = workdir / "database.pgdump"
            counts, revision, schema = _dump_postgres(db, payload)
        else:
            raise BackupError(f"backups of {db.dialect} databases are not supported")
        manifest = Manifest(
            format=1,
            tracker_version=tracker.__version__,
            dialect=db.dialect,
            schema_revision=revision,
            taken_at=at.isoformat(),
            payload=payload.name,
            payload_bytes=payload.stat().st_size,
            sha256=sha256_of(payload),
            tables=counts,
            db_schema=schema,
        )
        write_archive(out, manifest, payload, passphrase)
    size = out.stat().st_size
    with db.write() as session:
        session.add(
            BackupRecord(
                taken_at=at,
                path=str(out),
                size_bytes=size,
                sha256=manifest.sha256,
                encrypted=passphrase is not None,
            )
        )
    mirror_to_file(db, out.parent)
    logger.info("backup written: %s (%d bytes)", out, size)
    return BackupResult(out, manifest, size, passphrase is not None)


def last_backup(db: Database) -> BackupRecord | None:
    """The newest backup recorded in the database; None when there is none (or no log yet)."""
    if not db.has_table(BackupRecord.__tablename__):
        return None
    with db.session() as session:
        return session.scalar(select(BackupRecord).order_by(BackupRecord.taken_at.desc()).limit(1))


def prune(directory: Path, keep: int, keep_days: int, now: datetime | None = None) -> list[Path]:
    """Delete old backups named ``tracker-…`` in ``directory``: beyond the newest ``keep``
    (0: no limit by count) or older than ``keep_days`` days (0: no limit by age). The newest
    backup is never deleted. Returns the files deleted."""
    at = now or datetime.now(UTC)
    found: list[tuple[datetime, Path]] = []
    for path in directory.iterdir():
        match = NAME_PATTERN.match(path.name)
        if match and path.is_file():
            stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            found.append((stamp, path))
    found.sort(reverse=True)
    doomed = []
    for index, (stamp, path) in enumerate(found):
        if index == 0:
            continue
        too_many = keep > 0 and index >= keep
        too_old = keep_days > 0 and at - stamp > timedelta(days=keep_days)
        if too_many or too_old:
            doomed.append(path)
    for path in doomed:
        path.unlink(missing_ok=True)
        logger.info("old backup deleted: %s", path)
    return doomed


def passphrase_from(env_name: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The passphrase held by the variable ``env_name``; None when no variable is named.

    Raises BackupError when the variable is named but empty or unset."""
    if not env_name:
        return None
    value = (os.environ if environ is None else environ).get(env_name)
    if not value:
        raise BackupError(
            f"the backup passphrase variable {env_name} is not set (set it, or remove "
            "backup.passphrase_env to write unencrypted backups)"
        )
    return value
