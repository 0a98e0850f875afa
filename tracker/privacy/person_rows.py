"""Which rows are "about" a person: the one definition that export, erasure and retention share.

A person's data is her ``person`` row and every row that hangs off it: her accounts and what was
polled from them (snapshots, post metrics, poll attempts), her consent history, the tandems she
is in with their goals and check-in notes, notes she wrote elsewhere, her self-assessment
answers and the ratings her mentor gave her (or she gave as a mentor), her weekly letters
and their opt-in history, her logins, invitations
and failed logins under her email addresses. Audit entries are handled apart: they are records
of other people's actions too, so erasure pseudonymises them instead of deleting them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, false, func, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from tracker.errors import NotFoundError
from tracker.store.models import (
    Account,
    AuditEntry,
    CheckinNote,
    Cohort,
    CohortMember,
    ConsentEvent,
    Goal,
    Invite,
    Letter,
    LetterOptin,
    LoginFailure,
    Person,
    PollAttempt,
    PostMetric,
    ProfileSnapshot,
    SelfAssessmentAnswer,
    Tandem,
    User,
)


def table_of(model: type) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


# Columns never written into an export: credentials and tokens are no one's "data about me",
# and handing them out would only weaken the account.
SECRET_COLUMNS: dict[str, tuple[str, ...]] = {
    "user_account": ("password_hash", "session_token"),
    "invite": ("token_hash",),
}

# Columns of rows that survive an erasure but may name the erased person as the one who acted
# (an email or a person key); they are pseudonymised, not deleted.
ACTOR_COLUMNS: tuple[tuple[type, str], ...] = (
    (AuditEntry, "viewer"),
    (ConsentEvent, "recorded_by"),
    (LetterOptin, "recorded_by"),
    (Goal, "created_by"),
    (Goal, "done_by"),
)


@dataclass(frozen=True)
class PersonScope:
    """The ids and names under which a person's rows are found."""

    person_id: int
    key: str
    display_name: str
    role: str
    cohort_ids: tuple[int, ...]
    account_ids: tuple[int, ...]
    handles: tuple[str, ...]
    tandem_ids: tuple[int, ...]
    # Lower-cased: the person's email and the emails of her logins.
    emails: tuple[str, ...]

    @property
    def identities(self) -> tuple[str, ...]:
        """Every name an actor column may hold for her (compared lower-cased)."""
        return (self.key.lower(), *self.emails)


def resolve(session: Session, person_key: str) -> PersonScope:
    """Find the person and everything her rows are keyed by; raises NotFoundError."""
    person = session.scalar(select(Person).where(Person.key == person_key))
    if person is None:
        raise NotFoundError(f"no person with key {person_key!r} (see `tracker consent list`)")
    accounts = session.execute(
        select(Account.id, Account.handle).where(Account.person_id == person.id)
    ).all()
    tandems = session.execute(
        select(Tandem.id, Tandem.cohort_id).where(
            or_(Tandem.mentee_id == person.id, Tandem.mentor_id == person.id)
        )
    ).all()
    emails = {e.lower() for e in [person.email] if e}
    emails |= {
        e.lower() for e in session.scalars(select(User.email).where(User.person_id == person.id))
    }
    cohorts = {c for c in [person.cohort_id] if c is not None} | {t.cohort_id for t in tandems}
    cohorts |= set(
        session.scalars(select(CohortMember.cohort_id).where(CohortMember.person_id == person.id))
    )
    return PersonScope(
        person_id=person.id,
        key=person.key,
        display_name=person.display_name,
        role=person.role,
        cohort_ids=tuple(sorted(cohorts)),
        account_ids=tuple(sorted(a.id for a in accounts)),
        handles=tuple(sorted(a.handle for a in accounts)),
        tandem_ids=tuple(sorted(t.id for t in tandems)),
        emails=tuple(sorted(emails)),
    )


def _in(
    column: ColumnElement[int] | QueryableAttribute[int], ids: tuple[int, ...]
) -> ColumnElement[bool]:
    return column.in_(ids) if ids else false()


def _email_in(
    column: ColumnElement[str] | QueryableAttribute[str], emails: tuple[str, ...]
) -> ColumnElement[bool]:
    return func.lower(column).in_(emails) if emails else false()


@dataclass(frozen=True)
class Selection:
    """The rows of one table that belong to a person."""

    table: Table
    where: ColumnElement[bool]

    @property
    def name(self) -> str:
        return self.table.name


def owned_rows(scope: PersonScope) -> list[Selection]:
    """Every table's rows that are hers, children before parents (the order erasure deletes in).

    Goals and notes of her tandems belong to the tandem, and a tandem exists only with both
    partners, so they go with her. Notes she wrote in other tandems are her words and go too.
    """
    pid = scope.person_id
    return [
        Selection(table_of(ProfileSnapshot), _in(ProfileSnapshot.account_id, scope.account_ids)),
        Selection(table_of(PostMetric), _in(PostMetric.account_id, scope.account_ids)),
        Selection(table_of(PollAttempt), _in(PollAttempt.account_id, scope.account_ids)),
        Selection(table_of(Goal), _in(Goal.tandem_id, scope.tandem_ids)),
        Selection(
            table_of(CheckinNote),
            or_(_in(CheckinNote.tandem_id, scope.tandem_ids), CheckinNote.author_id == pid),
        ),
        Selection(
            table_of(SelfAssessmentAnswer),
            or_(SelfAssessmentAnswer.person_id == pid, SelfAssessmentAnswer.rater_id == pid),
        ),
        Selection(table_of(Tandem), _in(Tandem.id, scope.tandem_ids)),
        Selection(table_of(CohortMember), CohortMember.person_id == pid),
        Selection(table_of(Account), Account.person_id == pid),
        Selection(table_of(ConsentEvent), ConsentEvent.person_id == pid),
        Selection(table_of(LetterOptin), LetterOptin.person_id == pid),
        Selection(table_of(Letter), Letter.person_id == pid),
        Selection(
            table_of(Invite), or_(Invite.person_id == pid, _email_in(Invite.email, scope.emails))
        ),
        Selection(table_of(User), or_(User.person_id == pid, _email_in(User.email, scope.emails))),
        Selection(table_of(LoginFailure), _email_in(LoginFailure.email, scope.emails)),
        Selection(table_of(Person), Person.id == pid),
    ]


def audit_rows(scope: PersonScope) -> Selection:
    """Audit entries about her (she is the person viewed) or by her (she is the viewer)."""
    return Selection(
        table_of(AuditEntry),
        or_(
            AuditEntry.person_key == scope.key,
            func.lower(AuditEntry.viewer).in_(scope.identities),
        ),
    )


def cohort_rows(scope: PersonScope) -> Selection:
    """The cohorts she belongs to: programme facts, not personal, but the frame of her data."""
    return Selection(table_of(Cohort), _in(Cohort.id, scope.cohort_ids))
