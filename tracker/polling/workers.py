"""Sharing the work: a process claims due accounts before polling them, so that several
processes (the scheduler, ``tracker poll``, and on PostgreSQL any number of ``tracker run
--worker`` processes on several machines) never poll the same account for the same slot.

A claim is a lease: ``claimed_by`` and ``claimed_until`` on the account. The schedule
(``next_*_at``) moves forward in the same transaction that stores a poll's result, so a process
killed mid-pass loses nothing: its claims run out and another process polls those accounts.
On PostgreSQL the claim reads with ``FOR UPDATE SKIP LOCKED`` so that workers claiming at the same
moment take different accounts without waiting on each other; SQLite has one writer at a time
(write transactions begin immediately), which serialises claims by itself.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from connectors.base import utcnow
from tracker.polling.budget import scope_of
from tracker.polling.engine import KINDS, AccountJob, Engine, PassSummary, Schedule
from tracker.polling.heartbeat import beat, me
from tracker.polling.poll_store import slot_start
from tracker.store.db import Database
from tracker.store.models import Account, Person, PlatformState

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=30)


@dataclass(frozen=True)
class Claim:
    """Accounts claimed for polling, and how many due ones were passed over for lack of consent."""

    jobs: tuple[AccountJob, ...]
    no_consent: int = 0

    @property
    def ids(self) -> list[int]:
        return [j.account_id for j in self.jobs]


def worker_name(role: str = "worker") -> str:
    pid, host = me()
    return f"{role}:{host}:{pid}"[:100]


def claim(
    db: Database,
    worker: str,
    now: datetime,
    *,
    schedule: Schedule,
    limit: int | None = None,
    lease: timedelta = LEASE,
    force: bool = False,
    platform: str | None = None,
    person: str | None = None,
    account: int | None = None,
) -> Claim:
    """Claim accounts that are due (all matching ones with ``force``) and not claimed by a live
    lease. Accounts whose person has not consented are never claimed; when merely due, their
    schedule moves on so that they do not block the queue."""
    with db.write() as session:
        _reap_dead_claims(session)
        stmt = (
            select(
                Account.id,
                Account.platform,
                Account.handle,
                Account.next_profile_at,
                Account.next_posts_at,
                Person.consent_given,
                Person.consent_withdrawn,
                Person.consent_platforms,
            )
            .join(Person, Person.id == Account.person_id)
            .where(or_(Account.claimed_until.is_(None), Account.claimed_until < now))
        )
        if account is not None:
            stmt = stmt.where(Account.id == account)
        else:
            # a paused account (identity conflict) waits for a person to look at it
            stmt = stmt.where(Account.state != "paused")
        if platform is not None:
            stmt = stmt.where(Account.platform == platform)
        if person is not None:
            stmt = stmt.where(Person.key == person)
        paused = set(
            session.scalars(select(PlatformState.scope).where(PlatformState.paused_until > now))
        )
        # Paused scopes stay out of the query itself, so they cannot crowd a batch.
        for scope in paused:
            if ":" in scope:
                platform_name, instance = scope.split(":", 1)
                stmt = stmt.where(
                    ~(
                        (Account.platform == platform_name)
                        & Account.handle.endswith(f"@{instance}", autoescape=True)
                    )
                )
            else:
                stmt = stmt.where(Account.platform != scope)
        if not force:
            stmt = stmt.where(
                or_(
                    Account.next_profile_at.is_(None),
                    Account.next_profile_at <= now,
                    Account.next_posts_at.is_(None),
                    Account.next_posts_at <= now,
                )
            )
        stmt = stmt.order_by(Account.next_profile_at.asc().nulls_first(), Account.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        if db.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=Account)
        rows = session.execute(stmt).all()
        jobs: list[AccountJob] = []
        refused: list[int] = []
        for row in rows:
            if scope_of(row.platform, row.handle) in paused:
                continue  # left due: polled once the pause is over
            consent = Person(
                consent_given=row.consent_given,
                consent_withdrawn=row.consent_withdrawn,
                consent_platforms=row.consent_platforms,
            )
            if not consent.consents_to(row.platform, now.date()):
                refused.append(row.id)
                continue
            kinds: tuple[str, ...] = KINDS
            if not force:
                kinds = tuple(
                    kind
                    for kind, at in (("profile", row.next_profile_at), ("posts", row.next_posts_at))
                    if at is None or at <= now
                )
            jobs.append(AccountJob(row.id, row.platform, row.handle, kinds))
        if jobs:
            session.execute(
                update(Account)
                .where(Account.id.in_([j.account_id for j in jobs]))
                .values(claimed_by=worker, claimed_until=now + lease)
            )
        if refused and not force:
            session.execute(
                update(Account)
                .where(Account.id.in_(refused))
                .values(
                    next_profile_at=slot_start(now, schedule.profile_every)
                    + schedule.profile_every,
                    next_posts_at=slot_start(now, schedule.posts_every) + schedule.posts_every,
                )
            )
    return Claim(tuple(jobs), len(refused))


def _reap_dead_claims(session: Session) -> None:
    """Free the claims of processes on this host that are gone (killed, crashed), so that a
    restart goes on at once instead of waiting for their leases to run out."""
    _pid, host = me()
    holders = session.scalars(
        select(Account.claimed_by).where(Account.claimed_by.is_not(None)).distinct()
    ).all()
    dead = [h for h in holders if h and _dead_here(h, host)]
    if dead:
        session.execute(
            update(Account)
            .where(Account.claimed_by.in_(dead))
            .values(claimed_by=None, claimed_until=None)
        )


def _dead_here(holder: str, host: str) -> bool:
    parts = holder.rsplit(":", 2)
    if len(parts) != 3 or parts[1] != host or not parts[2].isdigit():
        return False
    try:
        os.kill(int(parts[2]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def release(db: Database, worker: str, ids: Sequence[int]) -> None:
    """Give up this worker's claims on ``ids`` (the accounts polled, or left for later)."""
    if not ids:
        return
    with db.write() as session:
        session.execute(
            update(Account)
            .where(Account.id.in_(list(ids)), Account.claimed_by == worker)
            .values(claimed_by=None, claimed_until=None)
        )


def renew(db: Database, worker: str, now: datetime, lease: timedelta = LEASE) -> None:
    """Extend every claim this worker holds (a long pass keeps its accounts)."""
    with db.write() as session:
        session.execute(
            update(Account).where(Account.claimed_by == worker).values(claimed_until=now + lease)
        )


@contextmanager
def keeping_claims(
    db: Database, worker: str, lease: timedelta = LEASE, beat_as: str | None = None
) -> Iterator[None]:
    """Renew this worker's claims (and beat its heartbeat) in the background while the block
    runs."""
    done = threading.Event()

    def keep() -> None:
        while not done.wait(min(lease.total_seconds() / 3, 60.0)):
            try:
                renew(db, worker, utcnow(), lease)
                if beat_as:
                    beat(db, beat_as)
            except Exception:  # a failed renewal is retried on the next round
                logger.warning("could not renew the claims of %s", worker, exc_info=True)

    thread = threading.Thread(target=keep, name="claims", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def poll_claimed(
    engine: Engine,
    claimed: Claim,
    worker: str,
    progress: Callable[[AccountJob], None] | None = None,
    beat_as: str | None = None,
) -> PassSummary:
    """Poll what was claimed, keeping the claims alive, and release them afterwards."""
    try:
        with keeping_claims(engine.db, worker, beat_as=beat_as):
            return engine.run(claimed.jobs, progress)
    finally:
        release(engine.db, worker, claimed.ids)


def work(
    engine: Engine,
    *,
    worker: str,
    stop: threading.Event,
    batch: int = 50,
    idle: float = 5.0,
    exit_when_idle: bool = False,
    beat_as: str | None = None,
) -> int:
    """Claim and poll due accounts until ``stop`` is set (or, with ``exit_when_idle``, until
    nothing is due); returns how many accounts were polled."""
    polled = 0
    while not stop.is_set():
        if beat_as:
            beat(engine.db, beat_as)
        claimed = claim(engine.db, worker, engine.clock(), schedule=engine.schedule, limit=batch)
        if not claimed.jobs:
            if exit_when_idle:
                break
            stop.wait(idle)
            continue
        poll_claimed(engine, claimed, worker, beat_as=beat_as)
        polled += len(claimed.jobs)
    return polled
