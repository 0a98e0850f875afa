"""Reading the store's rows into pandas frames, as they are stored: for the CSV exports of a
person's or a cohort's series, and the cohort's people, accounts and events.

Figures are not computed from these frames: the cohort summary, the pages and the goal checks
read the compact per-account arrays of ``tracker.store.read_arrays`` (which shares this
module's time-window filter, :func:`within`, and gives the same rows to the microsecond; a
test checks that figures come out the same from either). Every frame keeps unknown counts as
missing values (``pd.NA``), never 0. Times are aware UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import ColumnElement, Executable, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tracker.store.models import (
    Account,
    Cohort,
    CohortMember,
    Person,
    PollAttempt,
    PostMetric,
    ProfileSnapshot,
    ProgrammeEvent,
)

SNAPSHOT_COLUMNS = [
    "person_id",
    "account_id",
    "platform",
    "handle",
    "taken_at",
    "followers",
    "following",
    "posts",
    "source",
]
POST_COLUMNS = [
    "person_id",
    "account_id",
    "platform",
    "post_id",
    "published_at",
    "kind",
    "likes",
    "comments",
    "shares",
    "views",
]
ATTEMPT_COLUMNS = ["account_id", "kind", "started_at", "outcome", "error_class"]
EVENT_COLUMNS = ["cohort_id", "date", "kind", "title"]
_INT = "Int64"  # pandas' nullable integer: unknown stays <NA>


# Rows converted to frame columns per partition: the row objects of a large result (a cohort's
# two years of daily snapshots) never all exist at once, only the compact columns do.
PARTITION = 50_000


def _frame(
    session: Session,
    stmt: Executable,
    columns: list[str],
    times: tuple[str, ...] = (),
    ints: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The rows of ``stmt`` as a frame, ``times`` as aware UTC and ``ints`` as nullable
    integers (unknown stays <NA>)."""
    result = session.execute(stmt, execution_options={"yield_per": PARTITION})
    parts = [
        _ints(_utc(pd.DataFrame.from_records(rows, columns=columns), *times), *ints)
        for rows in result.partitions()
    ]
    if not parts:
        return _ints(_utc(pd.DataFrame.from_records([], columns=columns), *times), *ints)
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def _utc(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def _ints(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = frame[column].astype(_INT)
    return frame


def within(
    column: ColumnElement[datetime] | InstrumentedAttribute[datetime],
    start: datetime | None,
    end: datetime | None,
) -> list[ColumnElement[bool]]:
    """Conditions keeping ``column`` from ``start`` to ``end`` (each inclusive, open when None)."""
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end)
    return conditions


def snapshots(
    session: Session,
    person_ids: Sequence[int],
    start: datetime | None = None,
    end: datetime | None = None,
) -> pd.DataFrame:
    """Profile snapshots of the people's accounts, oldest first."""
    stmt = (
        select(
            Account.person_id,
            ProfileSnapshot.account_id,
            Account.platform,
            Account.handle,
            ProfileSnapshot.taken_at,
            ProfileSnapshot.followers,
            ProfileSnapshot.following,
            ProfileSnapshot.posts,
            ProfileSnapshot.source,
        )
        .join(Account, Account.id == ProfileSnapshot.account_id)
        .where(Account.person_id.in_(list(person_ids)))
        .where(*within(ProfileSnapshot.taken_at, start, end))
        .order_by(ProfileSnapshot.account_id, ProfileSnapshot.taken_at)
    )
    return _frame(
        session, stmt, SNAPSHOT_COLUMNS, ("taken_at",), ("followers", "following", "posts")
    )


def posts(
    session: Session,
    person_ids: Sequence[int],
    start: datetime | None = None,
    end: datetime | None = None,
) -> pd.DataFrame:
    """Post metrics of the people's accounts, oldest first (no texts exist to load)."""
    stmt = (
        select(
            Account.person_id,
            PostMetric.account_id,
            Account.platform,
            PostMetric.post_id,
            PostMetric.published_at,
            PostMetric.kind,
            PostMetric.likes,
            PostMetric.comments,
            PostMetric.shares,
            PostMetric.views,
        )
        .join(Account, Account.id == PostMetric.account_id)
        .where(Account.person_id.in_(list(person_ids)))
        .where(*within(PostMetric.published_at, start, end))
        .order_by(PostMetric.account_id, PostMetric.published_at)
    )
    return _frame(
        session, stmt, POST_COLUMNS, ("published_at",), ("likes", "comments", "shares", "views")
    )


def attempts(session: Session, account_ids: Sequence[int], kind: str = "profile") -> pd.DataFrame:
    """Poll attempts of the accounts (to tell a gap from a quiet account), oldest first."""
    stmt = (
        select(
            PollAttempt.account_id,
            PollAttempt.kind,
            PollAttempt.started_at,
            PollAttempt.outcome,
            PollAttempt.error_class,
        )
        .where(PollAttempt.account_id.in_(list(account_ids)), PollAttempt.kind == kind)
        .order_by(PollAttempt.account_id, PollAttempt.started_at)
    )
    return _frame(session, stmt, ATTEMPT_COLUMNS, ("started_at",))


def events(session: Session, cohort_id: int) -> pd.DataFrame:
    """The cohort's programme events by date."""
    stmt = (
        select(
            ProgrammeEvent.cohort_id, ProgrammeEvent.date, ProgrammeEvent.kind, ProgrammeEvent.title
        )
        .where(ProgrammeEvent.cohort_id == cohort_id)
        .order_by(ProgrammeEvent.date)
    )
    return _frame(session, stmt, EVENT_COLUMNS)


def cohort_roles(session: Session, cohort_id: int) -> dict[int, str]:
    """Person id -> her role in the cohort: her own cohort and role, or a ``CohortMember``
    row (which wins for the same cohort). Each person once, however she is linked."""
    roles = dict(
        session.execute(select(Person.id, Person.role).where(Person.cohort_id == cohort_id)).all()
    )
    roles.update(
        session.execute(
            select(CohortMember.person_id, CohortMember.role).where(
                CohortMember.cohort_id == cohort_id
            )
        ).all()
    )
    return roles


def cohort_people(
    session: Session, cohort: Cohort, roles: Sequence[str] = ("mentee",)
) -> list[Person]:
    """The cohort's people in the given roles (their role in this cohort), by key."""
    ids = [pid for pid, role in cohort_roles(session, cohort.id).items() if role in roles]
    if not ids:
        return []
    return list(session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.key)))


ACCOUNT_COLUMNS = ["account_id", "person_id", "platform", "handle", "state", "state_reason"]


def accounts(session: Session, person_ids: Sequence[int]) -> pd.DataFrame:
    """The people's accounts with their polling state, by person and platform."""
    stmt = (
        select(
            Account.id,
            Account.person_id,
            Account.platform,
            Account.handle,
            Account.state,
            Account.state_reason,
        )
        .where(Account.person_id.in_(list(person_ids)))
        .order_by(Account.person_id, Account.platform, Account.handle)
    )
    return _frame(session, stmt, ACCOUNT_COLUMNS)
