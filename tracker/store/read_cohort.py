"""Everything a cohort summary needs, loaded with a handful of queries (never one per person).

Snapshots and posts are read into compact per-account arrays (``tracker.store.read_arrays``), a
batch of accounts per query: a cohort of 500 mentees with two years of daily snapshots takes tens of
megabytes this way, where whole-cohort frames took gigabytes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.programme.goals import GoalSpec, cohort_goals
from tracker.programme.structure import get_cohort
from tracker.store import read_frames as series
from tracker.store.models import PollAttempt
from tracker.store.read_arrays import AccountData, accounts_data

logger = logging.getLogger(__name__)

REPORT_ROLES = ("mentee", "comparison")


@dataclass(frozen=True)
class PersonInfo:
    id: int
    key: str
    name: str
    role: str


@dataclass(frozen=True)
class PollHealth:
    """Poll attempts of one account, counted by the store."""

    account_id: int
    attempts: int
    failed: int
    last_at: datetime | None
    last_outcome: str | None


@dataclass(frozen=True)
class CohortData:
    cohort_id: int
    key: str
    name: str
    start: date
    end: date
    events: pd.DataFrame
    people: tuple[PersonInfo, ...]
    accounts: pd.DataFrame
    rows: tuple[AccountData, ...]  # snapshots and posts per account with any, by account id
    health: dict[int, PollHealth]
    goals: tuple[tuple[GoalSpec, int], ...]  # (goal, mentee person id)

    @property
    def kickoff(self) -> date:
        days = self.events.loc[self.events["kind"] == "kickoff", "date"]
        return min(days) if len(days) else self.start

    @property
    def closing(self) -> date:
        days = self.events.loc[self.events["kind"] == "closing", "date"]
        return max(days) if len(days) else self.end

    def role_ids(self, role: str) -> list[int]:
        return [p.id for p in self.people if p.role == role]

    @property
    def snapshot_count(self) -> int:
        return sum(len(a.rows.snap_at) for a in self.rows)

    @property
    def post_count(self) -> int:
        return sum(len(a.rows.post_at) for a in self.rows)


def poll_health(session: Session, account_ids: list[int]) -> dict[int, PollHealth]:
    """Attempts, failures, last attempt and its outcome per account (two grouped queries)."""
    if not account_ids:
        return {}
    counts: dict[int, list[int]] = {}
    for account_id, outcome, n in session.execute(
        select(PollAttempt.account_id, PollAttempt.outcome, func.count())
        .where(PollAttempt.account_id.in_(account_ids))
        .group_by(PollAttempt.account_id, PollAttempt.outcome)
    ):
        total = counts.setdefault(account_id, [0, 0])
        total[0] += n
        if outcome != "ok":
            total[1] += n
    last_ids = (
        select(func.max(PollAttempt.id).label("id"))
        .where(PollAttempt.account_id.in_(account_ids))
        .group_by(PollAttempt.account_id)
        .subquery()
    )
    last = {
        a.account_id: a
        for a in session.scalars(
            select(PollAttempt).join(last_ids, last_ids.c.id == PollAttempt.id)
        )
    }
    out: dict[int, PollHealth] = {}
    for account_id in account_ids:
        n, failed = counts.get(account_id, [0, 0])
        attempt = last.get(account_id)
        out[account_id] = PollHealth(
            account_id,
            n,
            failed,
            attempt.started_at if attempt else None,
            attempt.outcome if attempt else None,
        )
    return out


def load_cohort(session: Session, key: str, roles: tuple[str, ...] = REPORT_ROLES) -> CohortData:
    """The cohort's events, people in ``roles``, their accounts, snapshots, posts, poll health
    and goals; raises NotFoundError for an unknown cohort."""
    cohort = get_cohort(session, key)
    role_in = series.cohort_roles(session, cohort.id)
    people = tuple(
        PersonInfo(p.id, p.key, p.display_name, role_in[p.id])
        for p in series.cohort_people(session, cohort, roles)
    )
    ids = [p.id for p in people]
    accounts = series.accounts(session, ids)
    person_of = {
        int(a): int(p) for a, p in zip(accounts["account_id"], accounts["person_id"], strict=True)
    }
    data = CohortData(
        cohort_id=cohort.id,
        key=cohort.key,
        name=cohort.name,
        start=cohort.start,
        end=cohort.end,
        events=series.events(session, cohort.id),
        people=people,
        accounts=accounts,
        rows=tuple(accounts_data(session, person_of)),
        health=poll_health(session, list(person_of)),
        goals=tuple(cohort_goals(session, cohort.id)),
    )
    logger.info(
        "cohort %s: %d people, %d snapshots, %d posts",
        key,
        len(people),
        data.snapshot_count,
        data.post_count,
    )
    return data
