"""Whose data a person may see: the one rule behind the dashboard's scoping and the letters.

mentee -> herself; mentor -> the mentees of her tandems; coordinator -> the whole programme.
Anything else (an unknown role, a role without a person) sees nothing: deny by default.
``dashboards.access.scope_of`` asks here for a logged-in viewer; the weekly letter asks here
for its recipient, so a letter shows only what its reader may see on the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.store.models import Tandem


@dataclass(frozen=True)
class Scope:
    """The people whose data a viewer may see."""

    everyone: bool
    person_ids: frozenset[int]

    def allows(self, person_id: int | None) -> bool:
        if person_id is None:
            return False
        return self.everyone or person_id in self.person_ids


NOBODY = Scope(everyone=False, person_ids=frozenset())


def scope_for(session: Session, role: str | None, person_id: int | None) -> Scope:
    """Whose data someone with ``role`` and ``person_id`` may see. Deny by default."""
    if role == "coordinator":
        return Scope(everyone=True, person_ids=frozenset())
    if person_id is None:
        return NOBODY
    if role == "mentee":
        return Scope(everyone=False, person_ids=frozenset({person_id}))
    if role == "mentor":
        mentees = session.scalars(
            select(Tandem.mentee_id).where(Tandem.mentor_id == person_id)
        ).all()
        return Scope(everyone=False, person_ids=frozenset(mentees))
    return NOBODY
