"""The erasure log: which people were erased, by a pseudonymous reference only.

An erasure deletes a person, but an older backup still holds her. So every erasure (on request
or by retention) writes one row holding ``person_ref``: a SHA-256 of her row id and creation
time. Neither is derived from who she is, and once her row is gone nothing in the database
links the reference to her; only a backup taken before her erasure does, and a restore of that
backup uses exactly that to erase her again.

The log is kept in the database (written in the erasure's own transaction) and mirrored to a
file ``erasure-log.jsonl`` in the backup directory, so that it outlives a lost database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import BackupError
from tracker.store.db import Database
from tracker.store.models import ErasureRecord, Person

logger = logging.getLogger(__name__)

LOG_FILE_NAME = "erasure-log.jsonl"


@dataclass(frozen=True)
class Erasure:
    person_ref: str
    erased_at: datetime
    reason: str


def person_ref(person_id: int, created_at: datetime) -> str:
    """The pseudonymous reference of a person row: stable across backups of the same row."""
    stamp = created_at.astimezone(UTC).isoformat(timespec="microseconds")
    return hashlib.sha256(f"person:{person_id}:{stamp}".encode()).hexdigest()


def record_erasure(session: Session, person_id: int, reason: str, at: datetime) -> None:
    """Add the person about to be erased to the log, within the erasure's transaction."""
    created = session.scalar(select(Person.created_at).where(Person.id == person_id))
    if created is None:
        return
    ref = person_ref(person_id, created)
    if session.scalar(select(ErasureRecord.id).where(ErasureRecord.person_ref == ref)) is None:
        session.add(ErasureRecord(person_ref=ref, erased_at=at, reason=reason))
        session.flush()


def read_db_log(db: Database) -> list[Erasure]:
    """The log kept in ``db``; empty when the database has no log table (yet)."""
    if not db.has_table(ErasureRecord.__tablename__):
        return []
    with db.session() as session:
        return [
            Erasure(r.person_ref, r.erased_at, r.reason)
            for r in session.scalars(select(ErasureRecord).order_by(ErasureRecord.id))
        ]


def read_log_file(path: Path) -> list[Erasure]:
    """Entries of a mirrored log file; a missing file is an empty log.

    Raises BackupError naming the line of an unreadable entry."""
    if not path.exists():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            entries.append(
                Erasure(
                    str(data["person_ref"]),
                    datetime.fromisoformat(data["erased_at"]),
                    str(data["reason"]),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"{path}: line {number} is not an erasure log entry ({exc})") from exc
    return entries


def mirror_to_file(db: Database, directory: Path) -> int:
    """Append the database's log entries missing from ``directory``/erasure-log.jsonl (0600);
    returns how many were added. Raises BackupError when the file cannot be written."""
    path = directory / LOG_FILE_NAME
    try:
        known = {e.person_ref for e in read_log_file(path)}
        missing = [e for e in read_db_log(db) if e.person_ref not in known]
        if not missing:
            return 0
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            for e in missing:
                line = {
                    "person_ref": e.person_ref,
                    "erased_at": e.erased_at.isoformat(),
                    "reason": e.reason,
                }
                out.write(json.dumps(line) + "\n")
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        raise BackupError(f"cannot write the erasure log {path}: {exc.strerror}") from exc
    return len(missing)


def merge(*logs: Iterable[Erasure]) -> list[Erasure]:
    """One entry per person reference, the earliest erasure kept."""
    merged: dict[str, Erasure] = {}
    for log in logs:
        for e in log:
            if e.person_ref not in merged or e.erased_at < merged[e.person_ref].erased_at:
                merged[e.person_ref] = e
    return sorted(merged.values(), key=lambda e: e.erased_at)


def reapply(db: Database, entries: list[Erasure]) -> int:
    """Erase again every person of ``db`` named by ``entries``, and store the entries in its
    log; returns how many people were erased again."""
    # Imported here: tracker.privacy.erase imports this module to write the log.
    from tracker.privacy.audit_write import record_view
    from tracker.privacy.erase import erase_scope, new_pseudonym
    from tracker.privacy.person_rows import resolve

    wanted = {e.person_ref: e for e in entries}
    erased = 0
    with db.write() as session:
        # The entries first, with their own times (erasing below then finds them logged).
        present = set(session.scalars(select(ErasureRecord.person_ref)))
        for e in entries:
            if e.person_ref not in present:
                session.add(
                    ErasureRecord(person_ref=e.person_ref, erased_at=e.erased_at, reason=e.reason)
                )
        session.flush()
        people = session.execute(select(Person.id, Person.key, Person.created_at)).all()
        for pid, key, created in people:
            entry = wanted.get(person_ref(pid, created))
            if entry is None:
                continue
            pseudonym = new_pseudonym()
            erase_scope(session, resolve(session, key), pseudonym, reason=entry.reason)
            record_view(
                session,
                viewer="restore",
                viewer_role=None,
                person_key=pseudonym,
                surface="restore",
                action="erase",
            )
            erased += 1
    if erased:
        logger.info("restore: %d erased people erased again", erased)
    return erased
