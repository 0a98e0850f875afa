"""Request budgets per platform (or per Mastodon instance): how many requests per window, how many
at once, pauses after a ``RateLimited``, and a circuit breaker after repeated platform failures.

A *scope* is what a platform limits: the whole platform for X, Facebook, Instagram and Bluesky
(limits apply per app or per address), one instance for Mastodon (``mastodon:social.example``).
Pauses and breaker state are kept in the ``platform_state`` table by the engine, so that workers
and restarts see them; the window count is kept by each process.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from connectors.base import utcnow
from tracker.config import Config

# Published limits, or conservative guesses where a platform publishes none:
# - X API v2 user lookup: 300 requests per 15 minutes per app.
# - Mastodon: 300 requests per 5 minutes per account or address, per instance.
# - Instagram without login (instaloader) is throttled far sooner; 20 an hour keeps clear of it.
# - Facebook Graph API: 200 calls per hour per user token.
# - Bluesky public AppView: 3,000 requests per 5 minutes per address.
DEFAULT_LIMITS: dict[str, tuple[int, float, int]] = {
    "x": (300, 900.0, 2),
    "mastodon": (300, 300.0, 2),
    "instagram": (20, 3600.0, 1),
    "facebook": (200, 3600.0, 2),
    "bluesky": (3000, 300.0, 4),
    "blog": (120, 60.0, 4),
    "demo": (100_000, 60.0, 8),
    "manual": (100_000, 60.0, 1),
}
FALLBACK_LIMIT = (60, 60.0, 1)
# How long a RateLimited without a Retry-After pauses its scope.
DEFAULT_PAUSE = timedelta(minutes=15)


@dataclass(frozen=True)
class Limit:
    """``requests`` per ``window`` seconds, at most ``concurrency`` in flight."""

    requests: int
    window: float
    concurrency: int


def scope_of(platform: str, handle: str) -> str:
    """The scope a request for ``handle`` counts against (``mastodon:instance`` or platform)."""
    if platform == "mastodon" and "@" in handle:
        return f"mastodon:{handle.rsplit('@', 1)[1].lower()}"
    return platform


def platform_of(scope: str) -> str:
    return scope.split(":", 1)[0]


def limit_for(config: Config, platform: str) -> Limit:
    """The platform's budget from the config, else the published default."""
    budget = config.platform(platform).budget
    if budget is not None:
        return Limit(budget.requests, budget.window_seconds, budget.concurrency)
    return Limit(*DEFAULT_LIMITS.get(platform, FALLBACK_LIMIT))


class ScopePaused(Exception):
    """The scope is paused (rate limit or open breaker) until ``until``; the job is deferred."""

    def __init__(self, scope: str, until: datetime, reason: str) -> None:
        super().__init__(f"{scope} paused until {until:%Y-%m-%d %H:%M} UTC: {reason}")
        self.scope, self.until, self.reason = scope, until, reason


class BudgetExhausted(Exception):
    """The window is spent and the next free slot is further away than the caller will wait."""

    def __init__(self, scope: str, wait: float) -> None:
        super().__init__(f"{scope}: request budget spent; next request in {wait:.0f} s")
        self.scope, self.wait = scope, wait


@dataclass(frozen=True)
class ScopeState:
    """What the store keeps of a scope: pause, consecutive failures and why."""

    scope: str
    paused_until: datetime | None = None
    consecutive_failures: int = 0
    reason: str | None = None


@dataclass
class _Scope:
    limit: Limit
    state: ScopeState
    in_flight: int = 0
    stamps: deque[float] = field(default_factory=deque)
    probing: bool = False


class Budgets:
    """Thread-safe gate in front of every platform request of one process.

    ``limits(platform)`` gives each platform's Limit; ``on_change(state)`` is called (outside the
    lock) whenever a pause or breaker state changes, to persist it.
    """

    def __init__(
        self,
        limits: Callable[[str], Limit],
        *,
        breaker_failures: int = 5,
        breaker_cooldown: timedelta = timedelta(minutes=15),
        clock: Callable[[], datetime] = utcnow,
        on_change: Callable[[ScopeState], None] | None = None,
    ) -> None:
        self._limits = limits
        self.breaker_failures = breaker_failures
        self.breaker_cooldown = breaker_cooldown
        self.clock = clock
        self.on_change = on_change
        self._scopes: dict[str, _Scope] = {}
        self._cond = threading.Condition()

    def _scope(self, scope: str) -> _Scope:
        entry = self._scopes.get(scope)
        if entry is None:
            entry = _Scope(self._limits(platform_of(scope)), ScopeState(scope))
            self._scopes[scope] = entry
        return entry

    def limit(self, scope: str) -> Limit:
        with self._cond:
            return self._scope(scope).limit

    def state(self, scope: str) -> ScopeState:
        with self._cond:
            return self._scope(scope).state

    def load(self, states: Iterable[ScopeState]) -> None:
        """Take pauses and failure counts from the store (another worker may have set them)."""
        with self._cond:
            for st in states:
                self._scope(st.scope).state = st
            self._cond.notify_all()

    # -- the gate ---------------------------------------------------------------------------
    @contextmanager
    def permit(self, scope: str, max_wait: float | None = None) -> Iterator[None]:
        """Hold one request slot of ``scope`` for the duration of the block.

        Raises ScopePaused when the scope is paused or its breaker is open (and no probe may
        go), BudgetExhausted when the window frees a slot later than ``max_wait`` seconds.
        """
        probe = self._acquire(scope, max_wait)
        try:
            yield
        finally:
            with self._cond:
                entry = self._scope(scope)
                entry.in_flight -= 1
                if probe:
                    entry.probing = False
                self._cond.notify_all()

    def _acquire(self, scope: str, max_wait: float | None) -> bool:
        with self._cond:
            while True:
                entry = self._scope(scope)
                now = self.clock()
                st = entry.state
                probe = False
                if st.paused_until is not None and st.paused_until > now:
                    raise ScopePaused(scope, st.paused_until, st.reason or "paused")
                if st.consecutive_failures >= self.breaker_failures:
                    # Cool-down over: one probe goes; the rest wait for its verdict.
                    if entry.probing:
                        self._cond.wait(1.0)
                        continue
                    probe = True
                if entry.in_flight >= entry.limit.concurrency:
                    self._cond.wait(1.0)
                    continue
                wait = self._window_wait(entry, now.timestamp())
                if wait > 0:
                    if max_wait is not None and wait > max_wait:
                        raise BudgetExhausted(scope, wait)
                    self._cond.wait(min(wait, 1.0))
                    continue
                entry.in_flight += 1
                entry.stamps.append(now.timestamp())
                entry.probing = probe
                return probe

    @staticmethod
    def _window_wait(entry: _Scope, now: float) -> float:
        """Seconds until the window has room for one more request (0: room now)."""
        horizon = now - entry.limit.window
        while entry.stamps and entry.stamps[0] <= horizon:
            entry.stamps.popleft()
        if len(entry.stamps) < entry.limit.requests:
            return 0.0
        return entry.stamps[0] + entry.limit.window - now

    # -- verdicts ---------------------------------------------------------------------------
    def succeeded(self, scope: str) -> None:
        """The platform answered (even "no such account"): the breaker closes."""
        self._update(scope, lambda st: replace(st, consecutive_failures=0, reason=None))

    def failed(self, scope: str) -> None:
        """The platform did not answer usefully; after N in a row the breaker opens."""

        def change(st: ScopeState) -> ScopeState:
            failures = st.consecutive_failures + 1
            if failures >= self.breaker_failures:
                return ScopeState(
                    scope,
                    self.clock() + self.breaker_cooldown,
                    failures,
                    f"circuit open after {failures} platform failures in a row",
                )
            return replace(st, consecutive_failures=failures)

        self._update(scope, change)

    def rate_limited(self, scope: str, retry_after: float | None) -> ScopeState:
        """Pause the scope until the platform's ``retry_after`` (default 15 minutes)."""
        pause = timedelta(seconds=retry_after) if retry_after is not None else DEFAULT_PAUSE
        until = self.clock() + max(pause, timedelta(seconds=1))

        def change(st: ScopeState) -> ScopeState:
            later = max(until, st.paused_until) if st.paused_until else until
            return replace(st, paused_until=later, reason="rate limited by the platform")

        return self._update(scope, change)

    def _update(self, scope: str, change: Callable[[ScopeState], ScopeState]) -> ScopeState:
        with self._cond:
            entry = self._scope(scope)
            before = entry.state
            after = change(before)
            if after.paused_until is not None and after.paused_until <= self.clock():
                after = replace(after, paused_until=None)
            entry.state = after
            self._cond.notify_all()
        if after != before and self.on_change is not None:
            self.on_change(after)
        return after
