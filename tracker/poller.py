"""Polling one account once: fetch through its connector, write through the store, record the
attempt, and move the account's state. The scheduler, budgets and retries build on this."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from connectors.base import Connector, PostStats, ProfileStats, utcnow
from connectors.errors import (
    AccountNotFound,
    AccountUnavailable,
    AuthFailed,
    ConnectorError,
    RateLimited,
)
from tracker.db import Database
from tracker.models import Account, Person, PostMetric
from tracker.store import record_attempt, snapshot_row, write_posts, write_snapshots

logger = logging.getLogger(__name__)

# Outcome name and the account state an error moves to (None: the state stays).
ERROR_OUTCOMES: dict[type[ConnectorError], tuple[str, str | None]] = {
    AccountNotFound: ("not_found", "not_found"),
    AccountUnavailable: ("unavailable", "unavailable"),
    AuthFailed: ("auth_failed", "auth_failed"),
    RateLimited: ("rate_limited", None),
}


def outcome_of(error: ConnectorError) -> tuple[str, str | None]:
    """(outcome, new account state or None) for a connector error."""
    for cls, result in ERROR_OUTCOMES.items():
        if isinstance(error, cls):
            return result
    return ("error", None)


def slot_start(moment: datetime, every: timedelta) -> datetime:
    """The start of the polling slot ``moment`` falls in; slots are aligned to the UTC epoch.

    A snapshot is stored at its slot's start, so polling the same slot twice leaves one row.
    """
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    seconds = every.total_seconds()
    return epoch + timedelta(seconds=((moment - epoch).total_seconds() // seconds) * seconds)


class IdentityConflict(ConnectorError):
    """The handle now belongs to a different platform account than the one tracked."""


@dataclass(frozen=True)
class PollResult:
    account_id: int
    platform: str
    kind: str
    outcome: str
    error: ConnectorError | None = None


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


def _check_identity(db: Database, target: Target, stats: ProfileStats) -> None:
    """Adopt the platform id on first sight; refuse to merge a handle that changed owner."""
    kw = {"platform": target.platform, "handle": target.handle}
    if stats.platform_id is None:
        return
    if target.platform_id is None:
        with db.session() as session:
            other = session.scalar(
                select(Account.id).where(
                    Account.platform == target.platform,
                    Account.platform_id == stats.platform_id,
                    Account.id != target.account_id,
                )
            )
        if other is not None:
            raise IdentityConflict(
                f"this handle now belongs to the account already tracked as #{other}; "
                "not merged: check the roster",
                **kw,
            )
        return
    if target.platform_id != stats.platform_id:
        raise IdentityConflict(
            f"the handle now belongs to a different account (id {stats.platform_id}, tracked "
            f"id {target.platform_id}); not merged: check whether the person renamed her account",
            **kw,
        )


def poll_account(
    db: Database,
    account_id: int,
    connector: Connector,
    kind: str,
    *,
    every: timedelta,
    now: datetime | None = None,
    posts_limit: int = 50,
    worker: str | None = None,
) -> PollResult:
    """Poll one account for ``kind`` ("profile" or "posts") and record the outcome.

    Never raises a ConnectorError: failures become attempt rows and account states.
    """
    started = now or utcnow()
    with db.session() as session:
        account = session.get(Account, account_id)
        if account is None:
            raise LookupError(f"account {account_id} does not exist")
        person = session.get(Person, account.person_id)
        assert person is not None
        target = Target(account.id, account.platform, account.handle, account.platform_id)
        platform, handle = target.platform, target.handle
        if not may_poll(person, platform, started):
            return PollResult(account_id, platform, kind, "no_consent")
        since = None
        if kind == "posts":
            latest = session.scalar(
                select(func.max(PostMetric.published_at)).where(PostMetric.account_id == account_id)
            )
            # re-read the last four weeks so that likes and comments keep counting up
            since = (latest - timedelta(days=28)) if latest else None
    error: ConnectorError | None = None
    stats: ProfileStats | None = None
    posts: list[PostStats] = []
    try:
        if kind == "profile":
            stats = connector.fetch_profile(handle)
            _check_identity(db, target, stats)
        else:
            posts = connector.fetch_posts(handle, since=since, limit=posts_limit)
    except ConnectorError as exc:
        error = exc
    finished = now or utcnow()
    outcome, new_state = outcome_of(error) if error else ("ok", "active")
    if isinstance(error, IdentityConflict):
        outcome, new_state = "error", "paused"
    with db.write() as session:
        if error is None:
            if stats is not None:
                write_snapshots(
                    session, [snapshot_row(account_id, stats, slot_start(stats.fetched_at, every))]
                )
            if posts:
                write_posts(session, account_id, posts, finished)
        record_attempt(
            session,
            account_id=account_id,
            kind=kind,
            started_at=started,
            finished_at=finished,
            outcome=outcome,
            error=error,
            worker=worker,
        )
        acc = session.get(Account, account_id)
        assert acc is not None
        if stats is not None and stats.platform_id and acc.platform_id is None:
            acc.platform_id = stats.platform_id
        if new_state is not None and acc.state != new_state:
            acc.state = new_state
            acc.state_changed_at = finished
            acc.state_reason = error.message if error else None
    if error is not None:
        logger.info(
            "poll %s %s:%s -> %s (%s)", kind, platform, handle, outcome, type(error).__name__
        )
    return PollResult(account_id, platform, kind, outcome, error)
