"""Request budgets: windows, concurrency, pauses per scope, the circuit breaker, and their
defaults from the platforms' published limits."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from tests.tracker.polling_world import NOW
from tracker.config import Config
from tracker.polling.budget import (
    BudgetExhausted,
    Budgets,
    Limit,
    ScopePaused,
    ScopeState,
    limit_for,
    scope_of,
)
from tracker.polling.engine import read_states, write_state
from tracker.store.db import Database


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def budgets(limit: Limit, clock: Clock, **kw: object) -> Budgets:
    return Budgets(lambda _p: limit, clock=clock, **kw)  # type: ignore[arg-type]


def test_mastodon_is_limited_per_instance_and_the_rest_per_platform() -> None:
    assert scope_of("mastodon", "erika@social.example") == "mastodon:social.example"
    assert scope_of("mastodon", "erika@Other.Example") == "mastodon:other.example"
    assert scope_of("x", "erika") == "x"
    assert scope_of("instagram", "erika.example") == "instagram"


def test_defaults_follow_the_published_limits_and_the_config_overrides() -> None:
    config = Config()
    assert limit_for(config, "x") == Limit(300, 900.0, limit_for(config, "x").concurrency)
    assert limit_for(config, "mastodon").requests == 300
    assert limit_for(config, "mastodon").window == 300.0
    assert limit_for(config, "instagram").requests < 100
    custom = Config.model_validate(
        {"platforms": {"x": {"budget": {"requests": 50, "window": "15m", "concurrency": 3}}}}
    )
    assert limit_for(custom, "x") == Limit(50, 900.0, 3)


def test_a_spent_window_waits_until_it_frees_a_slot() -> None:
    clock = Clock()
    gate = budgets(Limit(3, 60.0, 5), clock)
    for _ in range(3):
        with gate.permit("x", max_wait=0):
            pass
    with pytest.raises(BudgetExhausted) as info, gate.permit("x", max_wait=10):
        pass
    assert 59 <= info.value.wait <= 60
    clock.advance(61)
    with gate.permit("x", max_wait=0):
        pass  # the window moved on


def test_never_more_requests_in_flight_than_the_concurrency() -> None:
    gate = Budgets(lambda _p: Limit(10_000, 60.0, 2))
    in_flight, peak, lock = 0, 0, threading.Lock()

    def request() -> None:
        nonlocal in_flight, peak
        with gate.permit("bluesky"):
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            time.sleep(0.02)
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=request) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2


def test_a_rate_limit_pauses_only_its_scope_until_retry_after() -> None:
    clock = Clock()
    gate = budgets(Limit(100, 60.0, 2), clock)
    gate.rate_limited("mastodon:one.example", 120.0)
    with pytest.raises(ScopePaused) as info, gate.permit("mastodon:one.example"):
        pass
    assert info.value.until == NOW + timedelta(seconds=120)
    with gate.permit("mastodon:two.example"), gate.permit("x"):
        pass  # another instance and another platform go on
    clock.advance(121)
    with gate.permit("mastodon:one.example"):
        pass


def test_a_rate_limit_without_retry_after_pauses_fifteen_minutes() -> None:
    clock = Clock()
    gate = budgets(Limit(100, 60.0, 2), clock)
    state = gate.rate_limited("x", None)
    assert state.paused_until == NOW + timedelta(minutes=15)


def test_the_breaker_lets_one_probe_through_after_the_cooldown() -> None:
    clock = Clock()
    changes: list[ScopeState] = []
    gate = budgets(
        Limit(100, 60.0, 4),
        clock,
        breaker_failures=3,
        breaker_cooldown=timedelta(minutes=5),
        on_change=changes.append,
    )
    for _ in range(3):
        gate.failed("x")
    assert changes[-1].paused_until == NOW + timedelta(minutes=5)
    with pytest.raises(ScopePaused), gate.permit("x"):
        pass
    clock.advance(301)
    order: list[str] = []
    probe_running = threading.Event()

    def second() -> None:
        probe_running.wait()
        with gate.permit("x"):
            order.append("second")

    waiter = threading.Thread(target=second)
    waiter.start()
    with gate.permit("x"):
        probe_running.set()
        time.sleep(0.1)  # the second request must wait for the probe's verdict
        order.append("probe")
        gate.succeeded("x")
    waiter.join(5)
    assert order == ["probe", "second"]
    assert gate.state("x").consecutive_failures == 0


def test_a_failed_probe_opens_the_breaker_again() -> None:
    clock = Clock()
    gate = budgets(Limit(100, 60.0, 4), clock, breaker_failures=2)
    gate.failed("x")
    gate.failed("x")
    clock.advance(16 * 60)
    with gate.permit("x"):
        gate.failed("x")
    with pytest.raises(ScopePaused), gate.permit("x"):
        pass


def test_pauses_are_kept_in_the_store_for_other_workers(sqlite_db: Database) -> None:
    write_state(sqlite_db, ScopeState("x", NOW + timedelta(minutes=3), 0, "rate limited"))
    clock = Clock()
    other = budgets(Limit(100, 60.0, 1), clock)
    other.load(read_states(sqlite_db))
    with pytest.raises(ScopePaused), other.permit("x"):
        pass
