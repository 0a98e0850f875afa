"""Who agreed to receive the weekly letter: a history of yes and no per person, like consent.

The last entry decides. A withdrawal (by the coordinator, the person herself through the
unsubscribe link, or ``tracker mail optout``) stops the next letter: delivery asks again right
before each letter is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import utcnow
from tracker.programme.structure import get_person
from tracker.store.db import Database
from tracker.store.models import LetterOptin

ACTIONS = ("given", "withdrawn")


@dataclass(frozen=True)
class OptinRecord:
    """One entry of a person's opt-in history."""

    action: str  # given / withdrawn
    recorded_at: datetime
    recorded_by: str | None


def opted_in(session: Session, person_id: int) -> bool:
    """True when the person's last opt-in entry is a yes."""
    last = session.scalar(
        select(LetterOptin.action)
        .where(LetterOptin.person_id == person_id)
        .order_by(LetterOptin.recorded_at.desc(), LetterOptin.id.desc())
        .limit(1)
    )
    return last == "given"


def opted_in_ids(session: Session) -> set[int]:
    """Everyone whose last opt-in entry is a yes."""
    rows = session.execute(
        select(LetterOptin.person_id, LetterOptin.action).order_by(
            LetterOptin.recorded_at, LetterOptin.id
        )
    ).all()
    last: dict[int, str] = {}
    for person_id, action in rows:
        last[int(person_id)] = action
    return {pid for pid, action in last.items() if action == "given"}


def record(
    session: Session, person_id: int, action: str, by: str, now: datetime | None = None
) -> bool:
    """Add ``action`` to the history unless it is already the person's state; True if added."""
    if action not in ACTIONS:
        raise ValueError(f"unknown opt-in action {action!r}")
    if opted_in(session, person_id) == (action == "given"):
        return False
    session.add(
        LetterOptin(person_id=person_id, action=action, recorded_at=now or utcnow(), recorded_by=by)
    )
    session.flush()
    return True


def give_optin(db: Database, person_key: str, by: str) -> bool:
    """Record that the person wants the weekly letter; raises NotFoundError."""
    with db.write() as session:
        return record(session, get_person(session, person_key).id, "given", by)


def withdraw_optin(db: Database, person_key: str, by: str) -> bool:
    """Record that the person wants no more letters; raises NotFoundError."""
    with db.write() as session:
        return record(session, get_person(session, person_key).id, "withdrawn", by)


def optin_history(db: Database, person_key: str) -> list[OptinRecord]:
    """The person's opt-in history, oldest first; raises NotFoundError."""
    with db.session() as session:
        person = get_person(session, person_key)
        rows = session.scalars(
            select(LetterOptin)
            .where(LetterOptin.person_id == person.id)
            .order_by(LetterOptin.recorded_at, LetterOptin.id)
        ).all()
        return [OptinRecord(r.action, r.recorded_at, r.recorded_by) for r in rows]
