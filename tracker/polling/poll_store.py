"""What one poll reads before the platform call and writes after it: the account as a poll needs
it (consent checked), the call itself, and one transaction with the data, the attempt row, the
account's state and its schedule. ``tracker.polling.engine`` is the one orchestrator that drives
these with budgets, retries and concurrency; the scheduler and workers decide what is due."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Text, case, func, insert, literal, null, select, update
from sqlalchemy.exc import IntegrityError

from connectors.base import Connector, PostStats, ProfileStats
from connectors.errors import ConnectorError
from connectors.http import redact
from tracker.polling.outcomes import GONE, IdentityConflict, Verdict, verdict_of
from tracker.store.db import Database
from tracker.store.models import Account, Person, PollAttempt, PostMetric
from tracker.store.write import snapshot_row, write_posts, write_snapshots

logger = logging.getLogger(__name__)


def slot_start(moment: datetime, every: timedelta) -> datetime:
    """The start of the polling slot ``moment`` falls in; slots are aligned to the UTC epoch.

    A snapshot is stored at its slot's start, so polling the same slot twice leaves one row.
    """
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    seconds = every.total_seconds()
    return epoch + timedelta(seconds=((moment - epoch).total_seconds() // seconds) * seconds)


@dataclass(frozen=True)
class PollResult:
    account_id: int
    platform: str
    kind: str
    verdict: Verdict
    error: ConnectorError | None = None

    @property
    def outcome(self) -> str:
        return self.verdict.outcome


def may_poll(person: Person, platform: str, on: datetime) -> bool:
    """Only with consent recorded, covering the platform, and not withdrawn."""
    return person.consents_to(platform, on.date())


@dataclass(frozen=True)
class Target:
    """What a poll needs to know of an account, read before the (slow) platform call."""

    account_id: int
    platform: str
    handle: str
    platform_id: str | None
    since: datetime | None = None


def _owner_conflict(db: Database, target: Target, platform_id: str) -> IdentityConflict | None:
    """An IdentityConflict when another tracked account already has ``platform_id``."""
    with db.session() as session:
        other = session.scalar(
            select(Account.id).where(
                Account.platform == target.platform,
                Account.platform_id == platform_id,
                Account.id != target.account_id,
            )
        )
    if other is None:
        return None
    return IdentityConflict(
        f"this handle now belongs to the account already tracked as #{other}; "
        "not merged: check the roster",
        platform=target.platform,
        handle=target.handle,
    )


def _check_identity(db: Database, target: Target, stats: ProfileStats) -> None:
    """Refuse to merge a handle that changed owner. A first platform id is adopted when the
    result is saved; the store's unique index catches one that another account has."""
    kw = {"platform": target.platform, "handle": target.handle}
    if stats.platform_id is None or target.platform_id is None:
        return
    if target.platform_id != stats.platform_id:
        raise IdentityConflict(
            f"the handle now belongs to a different account (id {stats.platform_id}, tracked "
            f"id {target.platform_id}); not merged: check whether the person renamed her account",
            **kw,
        )


@dataclass(frozen=True)
class Fetched:
    """What one platform call brought back."""

    stats: ProfileStats | None = None
    posts: tuple[PostStats, ...] = ()


def load_target(db: Database, account_id: int, kind: str, now: datetime) -> Target | None:
    """The account as a poll needs it, or None when its person's consent does not cover it.

    Raises LookupError for an account that does not exist.
    """
    latest_post = (
        select(func.max(PostMetric.published_at))
        .where(PostMetric.account_id == Account.id)
        .scalar_subquery()
    )
    # Core connections, not ORM sessions: this runs for every request of every pass.
    with db.engine.connect() as conn:
        row = conn.execute(
            select(
                Account.platform,
                Account.handle,
                Account.platform_id,
                Person.consent_given,
                Person.consent_withdrawn,
                Person.consent_platforms,
                latest_post if kind == "posts" else null(),
            )
            .join(Person, Person.id == Account.person_id)
            .where(Account.id == account_id)
        ).one_or_none()
    if row is None:
        raise LookupError(f"account {account_id} does not exist")
    consent = Person(
        consent_given=row.consent_given,
        consent_withdrawn=row.consent_withdrawn,
        consent_platforms=row.consent_platforms,
    )
    if not may_poll(consent, row.platform, now):
        return None
    latest = row[6]
    # re-read the last four weeks of posts so that likes and comments keep counting up
    since = (latest - timedelta(days=28)) if latest else None
    return Target(account_id, row.platform, row.handle, row.platform_id, since)


def fetch(
    db: Database, connector: Connector, target: Target, kind: str, posts_limit: int = 50
) -> Fetched:
    """One platform call for ``kind``; raises what the connector raises, or IdentityConflict."""
    if kind == "profile":
        stats = connector.fetch_profile(target.handle)
        _check_identity(db, target, stats)
        return Fetched(stats=stats)
    posts = connector.fetch_posts(target.handle, since=target.since, limit=posts_limit)
    return Fetched(posts=tuple(posts))


def save(
    db: Database,
    target: Target,
    kind: str,
    *,
    every: timedelta,
    started: datetime,
    finished: datetime,
    fetched: Fetched | None = None,
    error: BaseException | None = None,
    worker: str | None = None,
    final: bool = True,
    next_at: datetime | None = None,
    release: bool = False,
) -> PollResult:
    """Write one attempt in one transaction: data (on success), the attempt row, the account's
    state and schedule. A crash before the commit leaves none of it; a failure writes no data.

    ``final=False`` records a try that will be retried: no state change, no schedule move.
    """
    conn_error = error if isinstance(error, ConnectorError) or error is None else None
    verdict = verdict_of(error)
    outcome, new_state = verdict.outcome, verdict.state
    if not final:
        new_state = None
    message = redact(getattr(error, "message", None) or str(error))[:500] if error else None
    values: dict[str, Any] = {}
    stats = fetched.stats if fetched else None
    if error is None and stats is not None and stats.platform_id:
        values["platform_id"] = func.coalesce(Account.platform_id, stats.platform_id)
    if new_state is not None:
        # the right-hand sides all see the row as it was before this update
        changed = Account.state != new_state
        when = literal(finished, Account.__table__.c.state_changed_at.type)
        values["state_changed_at"] = case((changed, when), else_=Account.state_changed_at)
        values["state_reason"] = case(
            (changed, literal(message, Text())), else_=Account.state_reason
        )
        values["state"] = new_state
    if final and next_at is not None:
        values["next_profile_at" if kind == "profile" else "next_posts_at"] = next_at
    if release:
        values["claimed_by"] = None
        values["claimed_until"] = None
    values = values or {"claimed_until": Account.claimed_until}
    try:
        with db.write_engine.begin() as session:  # BEGIN IMMEDIATE on SQLite, as db.write()
            found = session.execute(
                update(Account).where(Account.id == target.account_id).values(**values)
            )
            if not getattr(found, "rowcount", 1):  # erased while we polled: nothing to keep
                return PollResult(target.account_id, target.platform, kind, GONE)
            if error is None and fetched is not None:
                if fetched.stats is not None:
                    slot = slot_start(fetched.stats.fetched_at, every)
                    write_snapshots(session, [snapshot_row(target.account_id, fetched.stats, slot)])
                if fetched.posts:
                    write_posts(session, target.account_id, fetched.posts, finished)
            session.execute(
                insert(PollAttempt).values(
                    account_id=target.account_id,
                    kind=kind,
                    started_at=started,
                    finished_at=finished,
                    outcome=outcome,
                    error_class=type(error).__name__ if error is not None else None,
                    message=redact(str(error))[:500] if error else None,
                    worker=worker,
                )
            )
    except IntegrityError:
        # the platform id we would adopt belongs to another tracked account
        adopted = stats.platform_id if stats is not None else None
        conflict = _owner_conflict(db, target, adopted) if adopted else None
        if conflict is None:
            raise
        return save(
            db,
            target,
            kind,
            every=every,
            started=started,
            finished=finished,
            error=conflict,
            worker=worker,
            final=final,
            next_at=next_at,
            release=release,
        )
    if error is not None:
        logger.info(
            "poll %s %s:%s -> %s (%s)",
            kind,
            target.platform,
            target.handle,
            outcome,
            type(error).__name__,
        )
    return PollResult(target.account_id, target.platform, kind, verdict, conn_error)
