"""What ``tracker status`` and the status page show: people, accounts, states, last data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from tracker.store.models import (
    Account,
    Cohort,
    Person,
    PlatformState,
    PollAttempt,
    ProfileSnapshot,
)
from tracker.text import has_text, text

# What a coordinator should do about an account in each state: catalogue keys (tracker.text),
# per platform where the fresh secret goes when credentials expired.
ADVICE_STATES = ("not_found", "unavailable", "auth_failed", "paused")


@dataclass(frozen=True)
class AccountStatus:
    person_key: str
    person_name: str
    role: str
    consent: bool
    account_id: int
    platform: str
    handle: str
    state: str
    state_reason: str | None
    last_snapshot: datetime | None
    followers: int | None
    last_attempt: datetime | None
    last_outcome: str | None
    # A snapshot before the cohort's kickoff. None when it does not apply: no cohort, or an
    # account started during the cohort (its first snapshot shows no posts yet).
    baseline: bool | None

    @property
    def advice_key(self) -> str | None:
        """The catalogue key of what to do about this account; None when nothing is needed."""
        if self.state == "auth_failed" and has_text(f"advice.auth_failed.{self.platform}"):
            return f"advice.auth_failed.{self.platform}"
        if self.state in ADVICE_STATES:
            return f"advice.{self.state}"
        if self.baseline is False:
            return "advice.no_baseline"
        return None

    @property
    def action(self) -> str | None:
        """What to do, in English (the command line's language)."""
        key = self.advice_key
        return None if key is None else text(key, "en")


def account_statuses(session: Session, on: datetime) -> list[AccountStatus]:
    """One row per account, with person, state and latest data (five queries in all)."""
    last_snap = (
        select(
            ProfileSnapshot.account_id,
            func.max(ProfileSnapshot.taken_at).label("at"),
            func.min(ProfileSnapshot.taken_at).label("first"),
        )
        .group_by(ProfileSnapshot.account_id)
        .subquery()
    )
    rows = session.execute(
        select(Account, Person, last_snap.c.at, last_snap.c.first, Cohort.start)
        .join(Person, Account.person_id == Person.id)
        .outerjoin(last_snap, last_snap.c.account_id == Account.id)
        .outerjoin(Cohort, Person.cohort_id == Cohort.id)
        .order_by(Person.key, Account.platform, Account.handle)
    ).all()

    def at_snapshot(value: Any, moment: Any) -> dict[int, int | None]:
        """``value`` of each account's snapshot taken at ``moment`` (its last or first)."""
        return dict(
            session.execute(
                select(ProfileSnapshot.account_id, value).join(
                    last_snap,
                    (last_snap.c.account_id == ProfileSnapshot.account_id)
                    & (moment == ProfileSnapshot.taken_at),
                )
            )
            .tuples()
            .all()
        )

    followers = at_snapshot(ProfileSnapshot.followers, last_snap.c.at)
    last_try = (
        select(PollAttempt.account_id, func.max(PollAttempt.id).label("id"))
        .group_by(PollAttempt.account_id)
        .subquery()
    )
    first_posts = at_snapshot(ProfileSnapshot.posts, last_snap.c.first)
    attempts = {
        a.account_id: a
        for a in session.scalars(
            select(PollAttempt).join(last_try, last_try.c.id == PollAttempt.id)
        )
    }
    out: list[AccountStatus] = []
    for account, person, last_at, first_at, kickoff in rows:
        attempt = attempts.get(account.id)
        baseline = None
        if kickoff is not None:
            baseline = first_at is not None and first_at.date() < kickoff
            if not baseline and first_at is not None and first_posts.get(account.id) == 0:
                baseline = None  # a new account: growth from its start is the whole story
        out.append(
            AccountStatus(
                person_key=person.key,
                person_name=person.display_name,
                role=person.role,
                consent=person.consents_to(account.platform, on.date()),
                account_id=account.id,
                platform=account.platform,
                handle=account.handle,
                state=account.state,
                state_reason=account.state_reason,
                last_snapshot=last_at,
                followers=followers.get(account.id),
                last_attempt=attempt.started_at if attempt else None,
                last_outcome=attempt.outcome if attempt else None,
                baseline=baseline,
            )
        )
    return out


def people_without_accounts(session: Session) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .where(Person.role.in_(("mentee", "comparison")), ~Person.accounts.any())
            .order_by(Person.key)
        )
    )


@dataclass(frozen=True)
class PauseStatus:
    """A platform (or Mastodon instance) that is not polled until ``until``."""

    scope: str
    until: datetime
    reason: str | None
    failures: int


def platform_pauses(session: Session, on: datetime) -> list[PauseStatus]:
    """Scopes paused now by a rate limit or an open circuit breaker, soonest end first."""
    rows = session.scalars(
        select(PlatformState)
        .where(PlatformState.paused_until > on)
        .order_by(PlatformState.paused_until)
    )
    return [
        PauseStatus(r.scope, r.paused_until, r.reason, r.consecutive_failures)
        for r in rows
        if r.paused_until is not None
    ]


# How far back the status page counts attempts and failures.
RECENT = timedelta(days=7)


@dataclass(frozen=True)
class PollCounts:
    """An account's recent poll record: attempts and failures since a moment, last success."""

    attempts: int
    failures: int
    # The last attempt that succeeded, at any time; None when none ever did.
    last_success: datetime | None


def poll_counts(session: Session, since: datetime) -> dict[int, PollCounts]:
    """Attempts and failures (any outcome but "ok") since ``since``, and the last success,
    per account id: one grouped query for every account. Accounts never polled are absent."""
    recent = PollAttempt.started_at >= since
    ok = PollAttempt.outcome == "ok"
    rows = session.execute(
        select(
            PollAttempt.account_id,
            func.sum(case((recent, 1), else_=0)),
            func.sum(case((recent & ~ok, 1), else_=0)),
            func.max(case((ok, func.coalesce(PollAttempt.finished_at, PollAttempt.started_at)))),
        ).group_by(PollAttempt.account_id)
    ).all()
    return {
        account_id: PollCounts(int(attempts or 0), int(failures or 0), last_ok)
        for account_id, attempts, failures, last_ok in rows
    }


NO_POLLS = PollCounts(attempts=0, failures=0, last_success=None)


# Last outcomes that make an account count as a problem on the status page.
PROBLEM_OUTCOMES = ("not_found", "unavailable", "auth_failed", "error", "rate_limited")


@dataclass(frozen=True)
class AccountHealth:
    """One account's status with its poll record since ``on - RECENT``."""

    status: AccountStatus
    counts: PollCounts

    @property
    def problem(self) -> bool:
        """Not active, or its last poll failed."""
        return self.status.state != "active" or self.status.last_outcome in PROBLEM_OUTCOMES


@dataclass(frozen=True)
class PlatformHealth:
    """How many accounts of a platform are fine and how many have a problem."""

    platform: str
    ok: int
    problems: int


def platform_health(lines: Sequence[AccountHealth]) -> list[PlatformHealth]:
    """Accounts fine and with a problem, per platform (by platform name)."""
    ok: Counter[str] = Counter()
    bad: Counter[str] = Counter()
    for line in lines:
        (bad if line.problem else ok)[line.status.platform] += 1
    return [PlatformHealth(p, ok[p], bad[p]) for p in sorted(set(ok) | set(bad))]


def account_health(session: Session, on: datetime) -> list[AccountHealth]:
    """Every account with its status and recent polls (a fixed handful of queries in all)."""
    counts = poll_counts(session, on - RECENT)
    return [
        AccountHealth(s, counts.get(s.account_id, NO_POLLS)) for s in account_statuses(session, on)
    ]
