"""``tracker restore``: bring a backup back, checked, migrated, with later erasures re-applied.

Order of work: check the file (decryption, manifest, checksum) before touching the target;
refuse a target that holds data unless forced; copy the database in; migrate it to the newest
schema; erase again everyone the erasure logs name (the target's own log, read before it was
overwritten, and ``erasure-log.jsonl`` beside the backup file); count the rows.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError

from tracker.errors import BackupError
from tracker.ops import pg_tools
from tracker.ops.backup import count_tables, sqlite_path
from tracker.ops.backup_file import Manifest, open_archive
from tracker.ops.erasure_log import LOG_FILE_NAME, merge, read_db_log, read_log_file, reapply
from tracker.store.db import Database

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    # The schema revision after migrating (the backup's own revision is in the manifest).
    schema_revision: str | None
    counts: dict[str, int]
    erased_again: int


def rows_in(db: Database) -> int:
    """How many rows the tracker's tables hold (0 for a new or freshly migrated database)."""
    try:
        with db.engine.connect() as conn:
            counts, _rev = count_tables(conn)
    except OperationalError as exc:
        raise BackupError(f"cannot read the target database: {exc.orig}") from exc
    return sum(counts.values())


def _copy_into_sqlite(payload: Path, db: Database) -> None:
    target = sqlite_path(db)
    target.parent.mkdir(parents=True, exist_ok=True)
    db.dispose()
    source = sqlite3.connect(f"file:{payload}?mode=ro", uri=True)
    dest = sqlite3.connect(target, timeout=30)
    try:
        source.backup(dest, pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot write {target}: {exc}") from exc
    finally:
        dest.close()
        source.close()
    os.chmod(target, 0o600)


def _drop_tables(db: Database, keep: set[str]) -> None:
    with db.write_engine.begin() as conn:
        for name in inspect(conn).get_table_names():
            if name not in keep:
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))


def _restore_postgres(payload: Path, manifest: Manifest, db: Database, workdir: Path) -> None:
    with db.engine.connect() as conn:
        pg_tools.check_versions(conn, "pg_restore")
        current = conn.execute(text("SELECT current_schema()")).scalar()
        if current is None and manifest.db_schema:
            # A new database whose search_path names a schema that does not exist yet.
            conn.execute(text(f'CREATE SCHEMA "{manifest.db_schema}"'))
            conn.commit()
            current = manifest.db_schema
        schema = str(current)
    if manifest.db_schema and schema != manifest.db_schema:
        raise BackupError(
            f"the backup holds the schema {manifest.db_schema!r}, the target database uses "
            f"{schema!r}: restore into a database whose search_path is {manifest.db_schema!r}"
        )
    lines = pg_tools.listing(payload)
    # Tables the backup does not have (of a newer schema) would block replacing those it has;
    # the backup's own tables are replaced by pg_restore in one transaction.
    _drop_tables(db, keep=pg_tools.dumped_tables(lines))
    db.dispose()
    pg_tools.restore(db.engine.url, payload, lines, workdir)


def restore_backup(
    path: Path,
    db: Database,
    *,
    passphrase: str | None = None,
    force: bool = False,
    erasure_logs: tuple[Path, ...] = (),
) -> RestoreResult:
    """Restore the backup ``path`` into ``db``. Raises BackupError for a damaged, truncated or
    wrongly decrypted file, a backup of another database kind, or a target holding data
    without ``force``."""
    path = path.resolve()
    with tempfile.TemporaryDirectory(prefix="tracker-restore-") as work:
        workdir = Path(work)
        os.chmod(workdir, 0o700)
        manifest, payload = open_archive(path, passphrase, workdir)
        if manifest.dialect != db.dialect:
            raise BackupError(
                f"{path} is a backup of a {manifest.dialect} database; the target is {db.dialect}"
            )
        existing = rows_in(db)
        if existing and not force:
            raise BackupError(
                f"the target database already holds {existing:,} rows; restoring would "
                "overwrite them. Take a backup of it first, then add --force"
            )
        logs = [read_db_log(db), *(read_log_file(p) for p in erasure_logs)]
        beside = path.parent / LOG_FILE_NAME
        if beside not in erasure_logs:
            logs.append(read_log_file(beside))
        if manifest.dialect == "sqlite":
            _copy_into_sqlite(payload, db)
        else:
            _restore_postgres(payload, manifest, db, workdir)
    db.upgrade()
    erased = reapply(db, merge(*logs))
    with db.engine.connect() as conn:
        counts, revision = count_tables(conn)
    logger.info("restored %s: %d rows", path, sum(counts.values()))
    return RestoreResult(manifest, revision, counts, erased)
