"""The polling engine: many accounts at once, within each platform's budget, with retries.

Work is split by scope (platform, or Mastodon instance): each scope gets as many lanes as its
budget allows requests in flight, so a slow or paused platform never holds up another. Each
account's kinds (profile, posts) run one after the other in one lane.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select

from connectors import get_connector
from connectors.base import Connector, utcnow
from connectors.errors import RateLimited
from tracker.config import Config, PlatformSection, parse_duration, platform_settings
from tracker.polling.budget import (
    BudgetExhausted,
    Budgets,
    Limit,
    ScopePaused,
    ScopeState,
    limit_for,
    scope_of,
)
from tracker.polling.outcomes import DEFERRED, Verdict, verdict_of
from tracker.polling.poll_store import (
    Attempt,
    Fetched,
    GroupWriter,
    Pending,
    TargetRow,
    fetch,
    load_target,
    load_targets,
    slot_start,
)
from tracker.polling.retry import RetryPolicy, as_connector_error, is_retryable
from tracker.store.db import Database
from tracker.store.models import PlatformState

logger = logging.getLogger(__name__)

KINDS = ("profile", "posts")
# Columns of the closing summary, in order; "deferred" is work left for later (paused scope).
OUTCOME_COLUMNS = (
    "ok",
    "not_found",
    "unavailable",
    "rate_limited",
    "auth_failed",
    "error",
    "deferred",
)
_DEFAULTS = PlatformSection().model_dump()


def connector_for(config: Config, platform: str) -> Connector:
    """The connector serving ``platform``: its own, or the one named by ``connector`` (the demo
    config serves every platform through ``demo``), with that connector's settings underneath
    the platform's own. Raises ConnectorError for an unknown platform."""
    name = config.platform(platform).connector or platform
    settings = platform_settings(config, platform)
    if name != platform:
        own = {k: v for k, v in settings.items() if _DEFAULTS.get(k) != v}
        settings = {**platform_settings(config, name), **own}
    return get_connector(name, settings)


@dataclass(frozen=True)
class Schedule:
    """How often each kind is due, and when an account that failed is looked at again."""

    profile_every: timedelta = timedelta(hours=6)
    posts_every: timedelta = timedelta(hours=24)
    posts_limit: int = 50
    # An account that is gone, private or lacks credentials is checked again after this long
    # (it may come back), never in a tight loop.
    recheck: timedelta = timedelta(days=1)

    @classmethod
    def from_config(cls, config: Config) -> Schedule:
        s = config.schedule
        return cls(s.profile_every, s.posts_every, s.posts_limit)

    def every(self, kind: str) -> timedelta:
        return self.profile_every if kind == "profile" else self.posts_every

    def next_at(self, kind: str, verdict: Verdict, now: datetime) -> datetime | None:
        """When ``kind`` is next due after ``verdict`` (None: stays due, e.g. rate limited)."""
        every = self.every(kind)
        if verdict.stays_due:
            return None
        if verdict.recheck:
            return slot_start(now + max(self.recheck, every), every)
        return slot_start(now, every) + every


@dataclass(frozen=True)
class AccountJob:
    """One account to poll for the given kinds."""

    account_id: int
    platform: str
    handle: str
    kinds: tuple[str, ...] = KINDS


@dataclass
class PassSummary:
    """Outcome counts per platform of one pass (one count per kind polled)."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, platform: str, outcome: str) -> None:
        with self._lock:
            self.counts.setdefault(platform, Counter())[outcome] += 1

    def total(self, outcome: str | None = None) -> int:
        return sum(sum(c.values()) if outcome is None else c[outcome] for c in self.counts.values())


def read_states(db: Database) -> list[ScopeState]:
    """Pauses and breaker counts of every scope, from the store."""
    with db.session() as session:
        return [
            ScopeState(r.scope, r.paused_until, r.consecutive_failures, r.reason)
            for r in session.scalars(select(PlatformState))
        ]


def write_state(db: Database, state: ScopeState) -> None:
    """Persist one scope's pause and breaker state (so workers and restarts see it)."""
    with db.write() as session:
        session.merge(
            PlatformState(
                scope=state.scope,
                paused_until=state.paused_until,
                consecutive_failures=state.consecutive_failures,
                reason=state.reason,
            )
        )


class Engine:
    """Polls accounts within budgets, retrying platform outages; records every attempt.

    ``connectors(platform)`` gives the connector for a platform (built once per platform).
    ``clock`` and ``sleep`` may be replaced to run over simulated time.
    """

    def __init__(
        self,
        db: Database,
        connectors: Callable[[str], Connector],
        *,
        limits: Callable[[str], Limit],
        schedule: Schedule | None = None,
        retry: RetryPolicy | None = None,
        breaker_failures: int = 5,
        breaker_cooldown: timedelta = timedelta(minutes=15),
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
        worker: str | None = None,
        max_threads: int = 64,
        max_wait: float | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.db = db
        # Set to finish the requests in flight and start no new ones (clean shutdown).
        self.stop = stop or threading.Event()
        self.schedule = schedule or Schedule()
        self.retry = retry or RetryPolicy()
        self.clock = clock
        self.sleep = sleep
        self.worker = worker
        self.max_threads = max_threads
        self.max_wait = max_wait
        self.budgets = Budgets(
            limits,
            breaker_failures=breaker_failures,
            breaker_cooldown=breaker_cooldown,
            clock=clock,
            on_change=lambda st: write_state(db, st),
        )
        # One commit for the results of many requests: the write lock is the bottleneck.
        self.writer = GroupWriter(db)
        self._factory = connectors
        self._connectors: dict[str, Connector] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, db: Database, config: Config, **kwargs: Any) -> Engine:
        """An engine with the config's connectors, budgets, schedule and retry policy."""
        s = config.schedule
        kwargs.setdefault("schedule", Schedule.from_config(config))
        kwargs.setdefault("retry", RetryPolicy.from_schedule(s))
        kwargs.setdefault("breaker_failures", s.breaker_failures)
        kwargs.setdefault("breaker_cooldown", parse_duration(s.breaker_cooldown))
        return cls(
            db,
            lambda platform: connector_for(config, platform),
            limits=lambda platform: limit_for(config, platform),
            **kwargs,
        )

    def connector(self, platform: str) -> Connector:
        with self._lock:
            if platform not in self._connectors:
                self._connectors[platform] = self._factory(platform)
            return self._connectors[platform]

    # -- a pass -----------------------------------------------------------------------------
    def run(
        self,
        jobs: Sequence[AccountJob],
        progress: Callable[[AccountJob], None] | None = None,
    ) -> PassSummary:
        """Poll every job, each scope in its own lanes; returns the outcome counts."""
        summary = PassSummary()
        if not jobs:
            return summary
        self.budgets.load(read_states(self.db))
        rows = load_targets(self.db, [job.account_id for job in jobs])
        queues: dict[str, deque[AccountJob]] = {}
        for job in jobs:
            queues.setdefault(scope_of(job.platform, job.handle), deque()).append(job)
        lanes = [
            (scope, queue)
            for scope, queue in queues.items()
            for _ in range(min(self.budgets.limit(scope).concurrency, len(queue)))
        ]
        if self.max_threads <= 1:
            for scope, queue in lanes:
                self._lane(scope, queue, summary, progress, rows)
            return summary
        with ThreadPoolExecutor(
            max_workers=min(len(lanes), self.max_threads), thread_name_prefix="poll"
        ) as pool:
            futures = [
                pool.submit(self._lane, scope, queue, summary, progress, rows)
                for scope, queue in lanes
            ]
            for future in futures:
                future.result()
        return summary

    def _lane(
        self,
        scope: str,
        queue: deque[AccountJob],
        summary: PassSummary,
        progress: Callable[[AccountJob], None] | None,
        rows: dict[int, TargetRow],
    ) -> None:
        # Results are written by the group writer while the lane goes on to the next account;
        # their outcomes are counted once written, at the end of the lane.
        polled: list[tuple[AccountJob, list[Verdict | Pending]]] = []
        while not self.stop.is_set():
            try:
                job = queue.popleft()
            except IndexError:
                break
            try:
                polled.append((job, self._poll_job(job, scope, rows.get(job.account_id))))
            except Exception:  # one broken account must not end the pass for the others
                logger.exception("polling account %s failed", job.account_id)
                summary.add(job.platform, "error")
            if progress is not None:
                progress(job)
        for job, answers in polled:
            for answer in answers:
                try:
                    summary.add(job.platform, _written(answer).outcome)
                except Exception:
                    logger.exception("writing the poll of account %s failed", job.account_id)
                    summary.add(job.platform, "error")

    def poll(
        self, job: AccountJob, scope: str | None = None, row: TargetRow | None = None
    ) -> list[str]:
        """Poll one account for its kinds; returns one outcome per kind polled (none for a
        kind its person's consent does not cover), once written. ``row``: the account as read
        for the pass (read now when not given)."""
        return [_written(answer).outcome for answer in self._poll_job(job, scope, row)]

    def _poll_job(
        self, job: AccountJob, scope: str | None, row: TargetRow | None
    ) -> list[Verdict | Pending]:
        scope = scope or scope_of(job.platform, job.handle)
        answers: list[Verdict | Pending] = []
        for index, kind in enumerate(job.kinds):
            answer = self._poll_kind(job, kind, scope, row, last=index == len(job.kinds) - 1)
            if answer is None:  # no consent: nothing fetched, nothing written
                break
            answers.append(answer)
            verdict = answer if isinstance(answer, Verdict) else answer.rows.result.verdict
            if verdict.ends_turn:
                break  # the next kind would meet the same answer
        return answers

    def _poll_kind(
        self, job: AccountJob, kind: str, scope: str, row: TargetRow | None, *, last: bool
    ) -> Verdict | Pending | None:
        now = self.clock()
        target = row.target(kind, now) if row else load_target(self.db, job.account_id, kind, now)
        if target is None:
            return None
        every = self.schedule.every(kind)
        attempt = 0
        while True:
            attempt += 1
            started = self.clock()
            fetched: Fetched | None = None
            error: BaseException | None = None
            try:
                with self.budgets.permit(scope, self.max_wait):
                    try:
                        fetched = fetch(
                            self.db,
                            self.connector(job.platform),
                            target,
                            kind,
                            self.schedule.posts_limit,
                        )
                    except Exception as exc:
                        error = exc
            except (ScopePaused, BudgetExhausted) as exc:
                logger.info("deferred %s %s: %s", kind, job.handle, exc)
                return DEFERRED
            if error is not None and is_retryable(error):
                error = as_connector_error(error, job.platform, job.handle)
            self._tell_budget(scope, error)
            finished = self.clock()
            record = partial(
                Attempt,
                target,
                kind,
                every,
                started,
                finished,
                error=error,
                worker=self.worker,
            )
            if error is not None and self.retry.should_retry(error, attempt):
                self.writer.save(record(final=False))
                self.sleep(self.retry.delay(attempt))
                if self.stop.is_set():
                    return DEFERRED
                continue
            pending = self.writer.submit(
                record(
                    fetched=fetched,
                    next_at=self.schedule.next_at(kind, verdict_of(error), finished),
                    release=last,
                )
            )
            stats = fetched.stats if fetched is not None else None
            if not last and stats is not None and stats.platform_id and not target.platform_id:
                # adopting a platform id may turn the answer into an identity conflict (the id
                # is another account's): the next kind waits for the verdict
                return pending.wait().verdict
            return pending

    def _tell_budget(self, scope: str, error: BaseException | None) -> None:
        """Tell the budget how the platform did: answered, limited us, or failed."""
        if verdict_of(error).platform_answered:
            self.budgets.succeeded(scope)
        elif isinstance(error, RateLimited):
            self.budgets.rate_limited(scope, error.retry_after)
        elif error is not None and is_retryable(error):
            self.budgets.failed(scope)


def _written(answer: Verdict | Pending) -> Verdict:
    """The verdict of an answer, waiting for its write; raises what the write raised."""
    return answer if isinstance(answer, Verdict) else answer.wait().verdict
