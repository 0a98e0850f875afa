"""The programme's people as the administration page lists them: each one's consent, number of
accounts and mentors, read here once (the page only formats them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from tracker.privacy.consent import ConsentStatus, consent_of
from tracker.store.models import Account, Cohort, Person, Tandem


@dataclass(frozen=True)
class PersonOverview:
    """One person: her consent, how many accounts she has, her mentors' names."""

    consent: ConsentStatus
    accounts: int
    mentors: tuple[str, ...]


def people_overview(session: Session) -> list[PersonOverview]:
    """Everyone, ordered by role and key."""
    cohorts: dict[int, str] = dict(session.execute(select(Cohort.id, Cohort.key)).tuples().all())
    counts: dict[int, int] = dict(
        session.execute(select(Account.person_id, func.count()).group_by(Account.person_id))
        .tuples()
        .all()
    )
    mentor = aliased(Person)
    mentors: dict[int, list[str]] = {}
    for mentee_id, name in session.execute(
        select(Tandem.mentee_id, mentor.display_name)
        .join(mentor, mentor.id == Tandem.mentor_id)
        .order_by(Tandem.id)
    ).tuples():
        mentors.setdefault(mentee_id, []).append(name)
    people = session.scalars(select(Person).order_by(Person.role, Person.key))
    return [
        PersonOverview(
            consent=consent_of(p, cohorts.get(p.cohort_id) if p.cohort_id is not None else None),
            accounts=counts.get(p.id, 0),
            mentors=tuple(mentors.get(p.id, ())),
        )
        for p in people
    ]


@dataclass(frozen=True)
class AccountChoice:
    """An account to pick in a form: its id, its owner's name, platform and handle."""

    account_id: int
    person_name: str
    platform: str
    handle: str


@dataclass(frozen=True)
class FormChoices:
    """What the administration forms offer to choose from."""

    people: list[tuple[str, str, str]]  # (key, name, role), by name
    cohorts: list[tuple[str, str]]  # (key, name), newest first
    accounts: list[AccountChoice]  # by owner's name and platform


def form_choices(session: Session) -> FormChoices:
    """The people, cohorts and accounts the administration forms offer."""
    people = session.execute(
        select(Person.key, Person.display_name, Person.role).order_by(Person.display_name)
    ).tuples()
    cohorts = session.execute(select(Cohort.key, Cohort.name).order_by(Cohort.start.desc()))
    accounts = session.execute(
        select(Account.id, Person.display_name, Account.platform, Account.handle)
        .join(Person, Person.id == Account.person_id)
        .order_by(Person.display_name, Account.platform)
    ).tuples()
    return FormChoices(
        people=list(people),
        cohorts=list(cohorts.tuples()),
        accounts=[AccountChoice(*row) for row in accounts],
    )
