"""What one poll reads before the platform call and writes after it: the account as a poll needs
it (consent checked), the call itself, and one transaction with the data, the attempt row, the
account's state and its schedule. ``tracker.polling.engine`` is the one orchestrator that drives
these with budgets, retries and concurrency; the scheduler and workers decide what is due."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Table,
    Text,
    bindparam,
    case,
    func,
    insert,
    null,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from connectors.base import Connector, PostStats, ProfileStats
from connectors.errors import ConnectorError
from connectors.http import redact
from tracker.polling.outcomes import GONE, IdentityConflict, Verdict, verdict_of
from tracker.store.db import Database
from tracker.store.models import Account, Person, PollAttempt, PostMetric
from tracker.store.write import post_row, snapshot_row, write_post_rows, write_snapshots

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


@dataclass(frozen=True)
class TargetRow:
    """An account's row as polls need it, read once per pass for a batch of accounts."""

    account_id: int
    platform: str
    handle: str
    platform_id: str | None
    consent: Person  # consent fields only (a detached Person, never added to a session)
    latest_post: datetime | None

    def target(self, kind: str, now: datetime) -> Target | None:
        """The target of a ``kind`` poll at ``now``, or None when consent does not cover it."""
        if not may_poll(self.consent, self.platform, now):
            return None
        latest = self.latest_post if kind == "posts" else None
        # re-read the last four weeks of posts so that likes and comments keep counting up
        since = (latest - timedelta(days=28)) if latest else None
        return Target(self.account_id, self.platform, self.handle, self.platform_id, since)


TARGET_BATCH = 500
# Built once: one query reads the targets of a whole batch of due accounts.
_LATEST_POST = (
    select(func.max(PostMetric.published_at))
    .where(PostMetric.account_id == Account.id)
    .scalar_subquery()
)
_TARGETS = (
    select(
        Account.id,
        Account.platform,
        Account.handle,
        Account.platform_id,
        Person.consent_given,
        Person.consent_withdrawn,
        Person.consent_platforms,
        _LATEST_POST,
    )
    .join(Person, Person.id == Account.person_id)
    .where(Account.id.in_(bindparam("ids", expanding=True)))
)


def load_targets(db: Database, account_ids: Sequence[int]) -> dict[int, TargetRow]:
    """The rows of ``account_ids`` that exist, by id, in one query per 500 accounts."""
    rows: dict[int, TargetRow] = {}
    ids = list(dict.fromkeys(account_ids))
    with db.engine.connect() as conn:
        for start in range(0, len(ids), TARGET_BATCH):
            for row in conn.execute(_TARGETS, {"ids": ids[start : start + TARGET_BATCH]}):
                consent = Person(
                    consent_given=row[4], consent_withdrawn=row[5], consent_platforms=row[6]
                )
                rows[row[0]] = TargetRow(row[0], row[1], row[2], row[3], consent, row[7])
    return rows


def load_target(db: Database, account_id: int, kind: str, now: datetime) -> Target | None:
    """The account as a poll needs it, or None when its person's consent does not cover it.

    Raises LookupError for an account that does not exist.
    """
    row = load_targets(db, [account_id]).get(account_id)
    if row is None:
        raise LookupError(f"account {account_id} does not exist")
    return row.target(kind, now)


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


@dataclass(frozen=True)
class Attempt:
    """One finished try to write: what was asked, what came back, and how the account moves.

    ``final=False`` records a try that will be retried: no state change, no schedule move.
    """

    target: Target
    kind: str
    every: timedelta
    started: datetime
    finished: datetime
    fetched: Fetched | None = None
    error: BaseException | None = None
    worker: str | None = None
    final: bool = True
    next_at: datetime | None = None
    release: bool = False


_ACCOUNT: Table = Account.__table__  # type: ignore[assignment]
_WHEN = _ACCOUNT.c.state_changed_at.type
_SET_STATE = bindparam("b_set_state", type_=Boolean())
_CHANGED = _SET_STATE & (_ACCOUNT.c.state != bindparam("b_state"))
# Built once: every write of every poll runs these same two statements with new values. Flags
# say which parts apply (a NULL parameter alone would leave PostgreSQL guessing its type).
_UPDATE_ACCOUNT = (
    update(_ACCOUNT)
    .where(_ACCOUNT.c.id == bindparam("b_id"))
    .values(
        # the right-hand sides all see the row as it was before this update
        platform_id=func.coalesce(_ACCOUNT.c.platform_id, bindparam("b_platform_id", type_=Text())),
        state_changed_at=case(
            (
                _SET_STATE & (_ACCOUNT.c.state != bindparam("b_state")),
                bindparam("b_at", type_=_WHEN),
            ),
            else_=_ACCOUNT.c.state_changed_at,
        ),
        state_reason=case(
            (_CHANGED, bindparam("b_reason", type_=Text())),
            else_=_ACCOUNT.c.state_reason,
        ),
        state=case((_SET_STATE, bindparam("b_state")), else_=_ACCOUNT.c.state),
        next_profile_at=case(
            (bindparam("b_set_profile", type_=Boolean()), bindparam("b_next_at", type_=_WHEN)),
            else_=_ACCOUNT.c.next_profile_at,
        ),
        next_posts_at=case(
            (bindparam("b_set_posts", type_=Boolean()), bindparam("b_next_at", type_=_WHEN)),
            else_=_ACCOUNT.c.next_posts_at,
        ),
        claimed_by=case(
            (bindparam("b_release", type_=Boolean()), null()), else_=_ACCOUNT.c.claimed_by
        ),
        claimed_until=case(
            (bindparam("b_release", type_=Boolean()), null()), else_=_ACCOUNT.c.claimed_until
        ),
    )
)
_INSERT_ATTEMPT = insert(PollAttempt.__table__)  # type: ignore[arg-type]


def _account_values(item: Attempt) -> dict[str, object]:
    """The parameters of ``_UPDATE_ACCOUNT`` for one attempt."""
    error, new_state = item.error, verdict_of(item.error).state if item.final else None
    stats = item.fetched.stats if item.fetched else None
    set_next = item.final and item.next_at is not None
    return {
        "b_id": item.target.account_id,
        "b_platform_id": stats.platform_id if error is None and stats is not None else None,
        "b_set_state": new_state is not None,
        "b_state": new_state,
        "b_at": item.finished,
        "b_reason": redact(getattr(error, "message", None) or str(error))[:500] if error else None,
        "b_set_profile": set_next and item.kind == "profile",
        "b_set_posts": set_next and item.kind != "profile",
        "b_next_at": item.next_at,
        "b_release": item.release,
    }


def _existing(conn: Connection, ids: set[int]) -> set[int]:
    """Which of the accounts ``ids`` still exist (an erasure may have removed one while it was
    polled); on PostgreSQL their rows stay locked until the commit."""
    stmt = select(_ACCOUNT.c.id).where(_ACCOUNT.c.id.in_(sorted(ids)))
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return set(conn.scalars(stmt))


@dataclass(frozen=True)
class _Rows:
    """The rows one attempt writes, built before the write transaction so that it stays
    short: the account's update, data on success, the attempt row, and the result."""

    account: dict[str, object]
    snapshots: list[dict[str, Any]]
    posts: list[dict[str, Any]]
    attempt: dict[str, object]
    result: PollResult
    failure: tuple[str, str, str, str, str] | None  # what the log says of a failed attempt


def _rows(item: Attempt) -> _Rows:
    target, error, fetched = item.target, item.error, item.fetched
    snapshots, posts = [], []
    if error is None and fetched is not None:
        if fetched.stats is not None:
            slot = slot_start(fetched.stats.fetched_at, item.every)
            snapshots.append(snapshot_row(target.account_id, fetched.stats, slot))
        posts = [post_row(target.account_id, p, item.finished) for p in fetched.posts]
    verdict = verdict_of(error)
    attempt = {
        "account_id": target.account_id,
        "kind": item.kind,
        "started_at": item.started,
        "finished_at": item.finished,
        "outcome": verdict.outcome,
        "error_class": type(error).__name__ if error is not None else None,
        "message": redact(str(error))[:500] if error else None,
        "worker": item.worker,
    }
    conn_error = error if isinstance(error, ConnectorError) or error is None else None
    result = PollResult(target.account_id, target.platform, item.kind, verdict, conn_error)
    failure = (
        (item.kind, target.platform, target.handle, verdict.outcome, type(error).__name__)
        if error is not None
        else None
    )
    return _Rows(_account_values(item), snapshots, posts, attempt, result, failure)


def _write(conn: Connection, items: Sequence[_Rows]) -> list[PollResult]:
    """Write attempts on an open transaction, each statement once for all of them: the
    accounts' rows, data on success, the attempt rows. An attempt whose account is gone
    (erased while it was polled) writes nothing. Raises IntegrityError when a platform id to
    adopt is another account's."""
    found = _existing(conn, {item.result.account_id for item in items})
    kept = [item for item in items if item.result.account_id in found]
    if kept:
        conn.execute(_UPDATE_ACCOUNT, [item.account for item in kept])
        write_snapshots(conn, [row for item in kept for row in item.snapshots])
        write_post_rows(conn, [row for item in kept for row in item.posts])
        conn.execute(_INSERT_ATTEMPT, [item.attempt for item in kept])
    results = []
    for item in items:
        result = item.result
        if result.account_id not in found:
            result = replace(result, verdict=GONE, error=None)
        elif item.failure is not None:
            logger.info("poll %s %s:%s -> %s (%s)", *item.failure)
        results.append(result)
    return results


def save_one(db: Database, item: Attempt) -> PollResult:
    """Write one attempt in its own transaction: data (on success), the attempt row, the
    account's state and schedule. A crash before the commit leaves none of it; a failure
    writes no data. A platform id that another account already has becomes an
    IdentityConflict, recorded as such."""
    try:
        with db.write_engine.begin() as conn:  # BEGIN IMMEDIATE on SQLite, as db.write()
            return _write(conn, [_rows(item)])[0]
    except IntegrityError:
        # the platform id we would adopt belongs to another tracked account
        stats = item.fetched.stats if item.fetched else None
        adopted = stats.platform_id if stats is not None else None
        conflict = _owner_conflict(db, item.target, adopted) if adopted else None
        if conflict is None:
            raise
        return save_one(db, replace(item, fetched=None, error=conflict))


class Pending:
    """An attempt handed to the writer; ``wait`` gives its result once it is written."""

    __slots__ = ("done", "error", "item", "result", "rows")

    def __init__(self, item: Attempt) -> None:
        self.item = item
        self.rows = _rows(item)  # built by the polling thread, outside the write lock
        self.result: PollResult | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()

    def wait(self) -> PollResult:
        """The result once written; raises what the write raised."""
        self.done.wait()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class GroupWriter:
    """Writes the attempts of many poll threads in shared transactions (group commit).

    A thread hands its attempt in (``submit``) and goes on; whoever finds the write lock free
    writes every attempt waiting at that moment (up to ``batch``) in one transaction, and goes
    on writing while more wait, so the store sees one commit per batch instead of one per
    request and no attempt is left behind. Each attempt stays whole: its data, attempt row and
    account update commit together, and a crash loses whole batches, never half an attempt
    (the accounts stay due and are polled again). When a batch meets a platform id that another
    account has, each of its attempts is written alone so that only the one in conflict is
    recorded as such.
    """

    def __init__(self, db: Database, batch: int = 200) -> None:
        self.db = db
        self.batch = batch
        self._write_lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue: list[Pending] = []

    def save(self, item: Attempt) -> PollResult:
        """Write ``item`` and wait for it to be written."""
        return self.submit(item).wait()

    def submit(self, item: Attempt) -> Pending:
        """Hand ``item`` in for writing; ``wait()`` on the answer gives its result."""
        pending = Pending(item)
        with self._queue_lock:
            self._queue.append(pending)
        self._drain()
        return pending

    def _drain(self) -> None:
        """Write what waits, unless another thread is writing: that one writes it."""
        while self._write_lock.acquire(blocking=False):
            try:
                while True:
                    with self._queue_lock:
                        taken, self._queue = self._queue[: self.batch], self._queue[self.batch :]
                    if not taken:
                        break
                    self._write_batch(taken)
            finally:
                self._write_lock.release()
            with self._queue_lock:
                if not self._queue:
                    return
            # an attempt came in after the last look and before the release: write it too

    def _write_batch(self, batch: list[Pending]) -> None:
        try:
            try:
                with self.db.write_engine.begin() as conn:
                    results = _write(conn, [p.rows for p in batch])
            except IntegrityError:
                for p in batch:
                    try:
                        p.result = save_one(self.db, p.item)
                    except Exception as exc:
                        p.error = exc
                return
            except Exception as exc:  # nothing of the batch was written: every waiter learns it
                for p in batch:
                    p.error = exc
                return
            for p, result in zip(batch, results, strict=True):
                p.result = result
        finally:
            for p in batch:
                p.done.set()
