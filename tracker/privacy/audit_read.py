"""Reading the audit log: who viewed whose data, where and when (newest first).

Coordinators read all of it; a mentee reads the entries about herself (who viewed her data).
Writing stays in ``tracker.privacy.audit_write.record_view``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from tracker.privacy.audit_write import writer_for
from tracker.store.db import Database
from tracker.store.models import AuditEntry, Person

DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    viewer: str
    viewer_role: str | None
    person_key: str | None
    surface: str
    action: str
    # Display names of the viewer and the person, when they are people of the programme
    # (a coordinator without a person entry is known by her e-mail address only).
    viewer_name: str | None = None
    person_name: str | None = None


def audit_entries(
    db: Database,
    *,
    person_key: str | None = None,
    viewer: str | None = None,
    since: datetime | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> list[AuditRecord]:
    """Audit entries, newest first: about ``person_key`` and/or by ``viewer`` (compared without
    regard to case), at or after ``since``; at most ``limit`` (None: all). Entries of this
    process still on their way to the database are written first."""
    writer_for(db).flush()
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if person_key is not None:
        stmt = stmt.where(AuditEntry.person_key == person_key)
    if viewer is not None:
        stmt = stmt.where(func.lower(AuditEntry.viewer) == viewer.lower())
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if limit is not None:
        stmt = stmt.limit(limit)
    with db.session() as session:
        entries = list(session.scalars(stmt))
        keys = {e.viewer for e in entries} | {e.person_key for e in entries if e.person_key}
        found = session.execute(select(Person.key, Person.display_name).where(Person.key.in_(keys)))
        names = {row.key: row.display_name for row in found}
        return [
            AuditRecord(
                e.at,
                e.viewer,
                e.viewer_role,
                e.person_key,
                e.surface,
                e.action,
                viewer_name=names.get(e.viewer),
                person_name=names.get(e.person_key) if e.person_key else None,
            )
            for e in entries
        ]
