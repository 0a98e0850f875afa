"""Writing the programme's structure (cohorts, events, people, tandems, accounts) into the store.

Shared by the config's roster tables, the roster CSV import, the demo and the web administration.
Every function is idempotent: applying the same entries twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import utcnow
from connectors.handles import normalize_handle
from tracker.config import CohortEntry, Config, PersonEntry, TandemEntry
from tracker.errors import NotFoundError
from tracker.store.models import Account, Cohort, ConsentEvent, Person, ProgrammeEvent, Tandem


@dataclass
class Changes:
    """Counts of what an apply call created and updated, for the CLI to print."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1

    def summary(self) -> str:
        parts = [f"{n} {k} new" for k, n in sorted(self.created.items())]
        parts += [f"{n} {k} updated" for k, n in sorted(self.updated.items())]
        return ", ".join(parts) or "nothing changed"


def upsert_cohort(session: Session, entry: CohortEntry, changes: Changes) -> Cohort:
    cohort = session.scalar(select(Cohort).where(Cohort.key == entry.key))
    if cohort is None:
        cohort = Cohort(key=entry.key, name=entry.name, start=entry.start, end=entry.end)
        session.add(cohort)
        changes.add("cohorts", True)
    elif (cohort.name, cohort.start, cohort.end) != (entry.name, entry.start, entry.end):
        cohort.name, cohort.start, cohort.end = entry.name, entry.start, entry.end
        changes.add("cohorts", False)
    existing = {(e.date, e.kind, e.title) for e in cohort.events}
    for ev in entry.events:
        if (ev.date, ev.kind, ev.title) not in existing:
            cohort.events.append(ProgrammeEvent(date=ev.date, kind=ev.kind, title=ev.title))
            changes.add("events", True)
    session.flush()
    return cohort


def set_consent_given(
    session: Session, person: Person, on: date, platforms: str | None, by: str | None
) -> None:
    """Record consent given on ``on`` (replacing an earlier consent or withdrawal), with its
    history entry."""
    person.consent_given = on
    person.consent_withdrawn = None
    person.consent_platforms = platforms
    _consent_event(session, person, "given", on, platforms, by)


def set_consent_withdrawn(session: Session, person: Person, on: date, by: str | None) -> None:
    """Record a withdrawal from ``on`` on, with its history entry."""
    person.consent_withdrawn = on
    _consent_event(session, person, "withdrawn", on, None, by)


def _consent_event(
    session: Session, person: Person, action: str, on: date, platforms: str | None, by: str | None
) -> None:
    """The consent history entry of a change just made."""
    session.add(
        ConsentEvent(
            person_id=person.id,
            action=action,
            on=on,
            platforms=platforms,
            recorded_at=utcnow(),
            recorded_by=by,
        )
    )


def record_consent(
    session: Session,
    person: Person,
    *,
    given: date | None = None,
    withdrawn: date | None = None,
    platforms: str | None = None,
    by: str | None = None,
) -> bool:
    """Set consent dates from a roster or the config and keep the history; True when something
    changed.

    A ``given`` date only counts when it is later than the consent or withdrawal on record: a
    roster still holding an old date must not undo a withdrawal or widen a narrower consent
    (an explicit decision goes through ``tracker.privacy.give_consent``).
    """
    changed = False
    latest = max((d for d in (person.consent_given, person.consent_withdrawn) if d), default=None)
    if given is not None and (latest is None or given > latest):
        set_consent_given(session, person, given, platforms, by)
        changed = True
    if withdrawn is not None and person.consent_withdrawn != withdrawn:
        set_consent_withdrawn(session, person, withdrawn, by)
        changed = True
    return changed


def upsert_person(
    session: Session, entry: PersonEntry, changes: Changes, by: str | None = None
) -> Person:
    """Create or update a person and her accounts; raises NotFoundError for an unknown cohort."""
    cohort_id = None
    if entry.cohort:
        cohort = session.scalar(select(Cohort).where(Cohort.key == entry.cohort))
        if cohort is None:
            raise NotFoundError(f"person {entry.key}: unknown cohort {entry.cohort!r}")
        cohort_id = cohort.id
    person = session.scalar(select(Person).where(Person.key == entry.key))
    if person is None:
        person = Person(
            key=entry.key,
            display_name=entry.name,
            role=entry.role,
            email=entry.email,
            language=entry.language,
            cohort_id=cohort_id,
            created_at=utcnow(),
        )
        session.add(person)
        session.flush()
        changes.add("people", True)
    else:
        before = (person.display_name, person.role, person.email, person.language, person.cohort_id)
        person.display_name, person.role, person.email = entry.name, entry.role, entry.email
        person.language, person.cohort_id = entry.language, cohort_id or person.cohort_id
        after = (person.display_name, person.role, person.email, person.language, person.cohort_id)
        if before != after:
            changes.add("people", False)
    if entry.consent is not None and record_consent(session, person, given=entry.consent, by=by):
        changes.add("consents", True)
    for platform, handle in entry.accounts.items():
        add_account(session, person, platform, handle, changes)
    return person


def add_account(
    session: Session, person: Person, platform: str, handle: str, changes: Changes
) -> Account:
    """Add an account (or find it); raises BadHandle for a malformed handle and NotFoundError
    when the handle already belongs to someone else."""
    canonical = normalize_handle(platform, handle)
    account = session.scalar(
        select(Account).where(Account.platform == platform, Account.handle == canonical)
    )
    if account is not None:
        if account.person_id != person.id:
            raise NotFoundError(
                f"{platform} handle {canonical!r} already belongs to another person"
            )
        return account
    account = Account(
        person_id=person.id, platform=platform, handle=canonical, state="active", added_at=utcnow()
    )
    session.add(account)
    session.flush()
    changes.add("accounts", True)
    return account


def upsert_tandem(
    session: Session, cohort_key: str, mentee_key: str, mentor_key: str, changes: Changes
) -> Tandem:
    """Create the tandem if missing; raises NotFoundError naming what is unknown or wrong."""
    cohort = session.scalar(select(Cohort).where(Cohort.key == cohort_key))
    if cohort is None:
        raise NotFoundError(f"tandem {mentee_key}/{mentor_key}: unknown cohort {cohort_key!r}")
    people = {
        p.key: p
        for p in session.scalars(select(Person).where(Person.key.in_([mentee_key, mentor_key])))
    }
    for key, role in ((mentee_key, "mentee"), (mentor_key, "mentor")):
        if key not in people:
            raise NotFoundError(f"tandem: unknown person {key!r}")
        if people[key].role != role:
            raise NotFoundError(f"tandem: {key!r} is a {people[key].role}, not a {role}")
    mentee, mentor = people[mentee_key], people[mentor_key]
    tandem = session.scalar(
        select(Tandem).where(
            Tandem.cohort_id == cohort.id,
            Tandem.mentee_id == mentee.id,
            Tandem.mentor_id == mentor.id,
        )
    )
    if tandem is None:
        tandem = Tandem(cohort_id=cohort.id, mentee_id=mentee.id, mentor_id=mentor.id)
        session.add(tandem)
        session.flush()
        changes.add("tandems", True)
    return tandem


def apply_config(session: Session, config: Config) -> Changes:
    """Write the config's cohorts, people and tandems into the store."""
    changes = Changes()
    for cohort in config.cohorts:
        upsert_cohort(session, cohort, changes)
    for person in config.people:
        upsert_person(session, person, changes, by="config")
    for tandem in config.tandems:
        upsert_tandem(session, tandem.cohort, tandem.mentee, tandem.mentor, changes)
    return changes


def get_person(session: Session, key: str) -> Person:
    """The person with ``key``; raises NotFoundError."""
    person = session.scalar(select(Person).where(Person.key == key))
    if person is None:
        raise NotFoundError(f"no person with key {key!r} (see `tracker status`)")
    return person


def get_cohort(session: Session, key: str) -> Cohort:
    """The cohort with ``key``; raises NotFoundError."""
    cohort = session.scalar(select(Cohort).where(Cohort.key == key))
    if cohort is None:
        raise NotFoundError(f"no cohort with key {key!r}")
    return cohort


def tandems_of(session: Session, person: Person) -> Iterable[Tandem]:
    """The tandems a person belongs to, as mentee or mentor."""
    return session.scalars(
        select(Tandem).where((Tandem.mentee_id == person.id) | (Tandem.mentor_id == person.id))
    ).all()


__all__ = [
    "Changes",
    "TandemEntry",
    "add_account",
    "apply_config",
    "get_cohort",
    "get_person",
    "record_consent",
    "tandems_of",
    "upsert_cohort",
    "upsert_person",
    "upsert_tandem",
]


def cohorts(session: Session) -> list[Cohort]:
    """Every cohort, the newest first."""
    return list(session.scalars(select(Cohort).order_by(Cohort.start.desc())))
