"""Consent per person: when it was given, which platforms it covers, when it was withdrawn.

Consent is the legal basis of everything the tracker does with a person's data (GDPR Art. 6(1)(a)
and 9(2)(a)). The poller checks it before every poll (``Person.consents_to``), so a withdrawal
recorded here stops polling from the next cycle on. Every change is kept in the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.config import PLATFORM_NAMES
from tracker.errors import PrivacyError
from tracker.programme.structure import get_person, set_consent_given, set_consent_withdrawn
from tracker.store.db import Database
from tracker.store.models import Cohort, ConsentEvent, Person


@dataclass(frozen=True)
class ConsentStatus:
    """A person's consent as it stands."""

    person_key: str
    display_name: str
    role: str
    cohort_key: str | None
    given: date | None
    withdrawn: date | None
    # The platforms covered; None means every platform.
    platforms: tuple[str, ...] | None

    def active_on(self, on: date) -> bool:
        """True when consent was given on or before ``on`` and not withdrawn by then."""
        if self.given is None or self.given > on:
            return False
        return self.withdrawn is None or self.withdrawn > on

    def covers(self, platform: str, on: date) -> bool:
        """The same rule the poller applies (``Person.consents_to``)."""
        return self.active_on(on) and (self.platforms is None or platform in self.platforms)


@dataclass(frozen=True)
class ConsentRecord:
    """One entry of a person's consent history."""

    action: str  # given / withdrawn
    on: date
    platforms: tuple[str, ...] | None
    recorded_at: datetime
    recorded_by: str | None


def _split(platforms: str | None) -> tuple[str, ...] | None:
    if not platforms:
        return None
    return tuple(p.strip() for p in platforms.split(",") if p.strip())


def parse_platforms(platforms: list[str] | None) -> tuple[str, ...] | None:
    """Validated, lower-cased, sorted platform names; None (every platform) for None.

    Raises PrivacyError for an unknown platform or an empty list.
    """
    if platforms is None:
        return None
    names = sorted({p.strip().lower() for p in platforms if p.strip()})
    if not names:
        raise PrivacyError("name at least one platform, or leave the platforms out to cover all")
    unknown = [p for p in names if p not in PLATFORM_NAMES]
    if unknown:
        raise PrivacyError(f"unknown platform {unknown[0]!r}; known: {', '.join(PLATFORM_NAMES)}")
    return tuple(names)


def consent_of(person: Person, cohort_key: str | None) -> ConsentStatus:
    """A person's consent as it stands, from her row."""
    return ConsentStatus(
        person_key=person.key,
        display_name=person.display_name,
        role=person.role,
        cohort_key=cohort_key,
        given=person.consent_given,
        withdrawn=person.consent_withdrawn,
        platforms=_split(person.consent_platforms),
    )


def _status(session: Session, person: Person) -> ConsentStatus:
    cohort_key = None
    if person.cohort_id is not None:
        cohort_key = session.scalar(select(Cohort.key).where(Cohort.id == person.cohort_id))
    return consent_of(person, cohort_key)


def give_consent(
    db: Database, person_key: str, on: date, platforms: list[str] | None, by: str
) -> ConsentStatus:
    """Record consent given on ``on`` for ``platforms`` (None: every platform), replacing any
    earlier consent or withdrawal. Recording the same consent again changes nothing.

    Raises NotFoundError for an unknown person, PrivacyError for an unknown platform.
    """
    names = parse_platforms(platforms)
    stored = ",".join(names) if names else None
    with db.write() as session:
        person = get_person(session, person_key)
        unchanged = (
            person.consent_given == on
            and person.consent_withdrawn is None
            and person.consent_platforms == stored
        )
        if not unchanged:
            set_consent_given(session, person, on, stored, by)
        return _status(session, person)


def withdraw_consent(db: Database, person_key: str, on: date, by: str) -> ConsentStatus:
    """Record that consent is withdrawn from ``on`` on: polling stops from that day.

    An earlier withdrawal already recorded stands (nothing changes); a withdrawal is recorded
    even without consent on file, as the person's stated wish. Raises NotFoundError.
    """
    with db.write() as session:
        person = get_person(session, person_key)
        if person.consent_withdrawn is None or person.consent_withdrawn > on:
            set_consent_withdrawn(session, person, on, by)
        return _status(session, person)


def consent_status(db: Database, person_key: str) -> ConsentStatus:
    """One person's consent; raises NotFoundError."""
    with db.session() as session:
        return _status(session, get_person(session, person_key))


def consent_list(db: Database) -> list[ConsentStatus]:
    """Everyone's consent, ordered by cohort, role and key."""
    with db.session() as session:
        return consent_statuses(session)


def consent_statuses(session: Session) -> list[ConsentStatus]:
    """Everyone's consent within an open session, ordered by cohort, role and key."""
    cohorts: dict[int, str] = dict(session.execute(select(Cohort.id, Cohort.key)).all())
    people = session.scalars(select(Person).order_by(Person.key)).all()
    rows = [
        consent_of(p, cohorts.get(p.cohort_id) if p.cohort_id is not None else None) for p in people
    ]
    return sorted(rows, key=lambda r: (r.cohort_key or "", r.role, r.person_key))


def consent_history(db: Database, person_key: str) -> list[ConsentRecord]:
    """A person's consent history, oldest first; raises NotFoundError."""
    with db.session() as session:
        person = get_person(session, person_key)
        events = session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.person_id == person.id)
            .order_by(ConsentEvent.recorded_at, ConsentEvent.id)
        ).all()
        return [
            ConsentRecord(e.action, e.on, _split(e.platforms), e.recorded_at, e.recorded_by)
            for e in events
        ]
