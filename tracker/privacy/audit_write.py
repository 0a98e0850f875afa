"""The audit log: every view of a person's data records viewer, person, time and surface."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from connectors.base import utcnow
from tracker.store.models import AuditEntry

# Built once: the web pages write an entry per view, and building the statement costs about
# as much as running it.
_INSERT = insert(AuditEntry.__table__)  # type: ignore[arg-type]


@dataclass(frozen=True)
class View:
    """One view (or change) of a person's data, not yet written."""

    viewer: str
    viewer_role: str | None
    person_key: str | None
    surface: str
    action: str = "view"


def record_view(
    session: Session,
    *,
    viewer: str,
    viewer_role: str | None,
    person_key: str | None,
    surface: str,
    action: str = "view",
) -> None:
    """Add one audit entry to the caller's write transaction."""
    session.add(
        AuditEntry(
            at=utcnow(),
            viewer=viewer,
            viewer_role=viewer_role,
            person_key=person_key,
            surface=surface,
            action=action,
        )
    )


def record_views(conn: Connection, views: Sequence[View]) -> None:
    """Write ``views`` in one INSERT (executemany) on the caller's write transaction, all
    stamped now. Raises SQLAlchemy's errors when the database refuses them."""
    if not views:
        return
    at = utcnow()
    conn.execute(
        _INSERT,
        [
            {
                "at": at,
                "viewer": v.viewer,
                "viewer_role": v.viewer_role,
                "person_key": v.person_key,
                "surface": v.surface,
                "action": v.action,
            }
            for v in views
        ],
    )
