"""The audit log: every view of a person's data records viewer, person, time and surface."""

from __future__ import annotations

from sqlalchemy.orm import Session

from connectors.base import utcnow
from tracker.models import AuditEntry


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
