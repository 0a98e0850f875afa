"""The daily backup of ``tracker run`` and what ``tracker check`` and the status page say about
backups (computed here once; they only format it)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker.config import Config
from tracker.ops.backup import BackupResult, last_backup, passphrase_from, prune, take_backup
from tracker.store.db import Database
from tracker.text import plural, text

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(days=2)


def daily_backup(db: Database, config: Config, now: datetime | None = None) -> BackupResult | None:
    """Take the configured backup and prune old ones; None when no backup directory is set.

    Raises BackupError when the backup cannot be written."""
    if not config.backup.directory:
        return None
    directory = Path(config.backup.directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    passphrase = passphrase_from(config.backup.passphrase_env)
    result = take_backup(db, directory, passphrase, now)
    prune(directory, config.backup.keep, config.backup.keep_days, now)
    return result


@dataclass(frozen=True)
class BackupStatus:
    configured: bool
    last_at: datetime | None  # None: no backup recorded
    age: timedelta | None
    stale: bool  # no backup, or the last one older than STALE_AFTER
    path: str | None


def backup_status(db: Database, config: Config, now: datetime | None = None) -> BackupStatus:
    at = now or datetime.now(UTC)
    last = last_backup(db)
    age = None if last is None else at - last.taken_at
    return BackupStatus(
        configured=bool(config.backup.directory),
        last_at=None if last is None else last.taken_at,
        age=age,
        stale=age is None or age > STALE_AFTER,
        path=None if last is None else last.path,
    )


def backup_warnings(status: BackupStatus, lang: str | None = None) -> list[str]:
    """What ``tracker check`` warns about, in ``lang``."""
    warnings = []
    if not status.configured:
        warnings.append(text("cli.backup.unconfigured", lang))
    if status.last_at is None:
        warnings.append(text("cli.backup.none_yet", lang))
    elif status.stale and status.age is not None:
        warnings.append(
            plural(
                "cli.backup.stale",
                status.age.days,
                lang,
                taken=f"{status.last_at:%Y-%m-%d %H:%M}",
                path=status.path,
            )
        )
    return warnings
