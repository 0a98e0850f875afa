"""The poll results of many threads are written in shared transactions, each attempt whole; a
batch that meets an identity conflict records only that attempt as the conflict."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from connectors.base import ProfileStats
from tests.tracker.polling_world import NOW, World, add_account, add_person, spec
from tracker.polling import poll_store
from tracker.polling.budget import Limit
from tracker.polling.poll_store import Attempt, Fetched, GroupWriter, Pending, Target
from tracker.store.db import Database
from tracker.store.models import Account, PollAttempt, ProfileSnapshot

SIX_HOURS = timedelta(hours=6)


def _attempt(account_id: int, handle: str, platform_id: str, followers: int) -> Attempt:
    stats = ProfileStats("x", handle, platform_id, None, followers, None, 3, NOW)
    return Attempt(
        Target(account_id, "x", handle, None),
        "profile",
        SIX_HOURS,
        NOW,
        NOW,
        fetched=Fetched(stats=stats),
        next_at=NOW + SIX_HOURS,
        release=True,
    )


def _counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(ProfileSnapshot)) or 0,
            s.scalar(select(func.count()).select_from(PollAttempt)) or 0,
        )


def test_many_threads_share_commits_and_every_attempt_is_whole(db: Database) -> None:
    pid = add_person(db, "mentee-01")
    ids = [add_account(db, pid, "x", f"erika{i}") for i in range(40)]
    commits: list[int] = []
    event.listen(db.write_engine, "commit", lambda _conn: commits.append(1))
    writer = GroupWriter(db)
    start = threading.Barrier(len(ids))
    results: dict[int, str] = {}

    def poll(i: int, account_id: int) -> None:
        start.wait()
        results[account_id] = writer.save(
            _attempt(account_id, f"erika{i}", f"p-{i}", 100 + i)
        ).outcome

    threads = [threading.Thread(target=poll, args=(i, a)) for i, a in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == dict.fromkeys(ids, "ok")
    assert _counts(db) == (40, 40)  # one snapshot and one attempt row per poll
    assert len(commits) < 40  # shared transactions
    with db.session() as s:
        accounts = s.scalars(select(Account).where(Account.id.in_(ids))).all()
        assert {a.platform_id for a in accounts} == {f"p-{i}" for i in range(40)}
        assert all(a.next_profile_at == NOW + SIX_HOURS for a in accounts)


def test_a_conflict_in_a_batch_pauses_only_that_account(db: Database) -> None:
    pid = add_person(db, "mentee-01")
    first, second, third = (add_account(db, pid, "x", h) for h in ("erika", "erika2", "frida"))
    writer = GroupWriter(db)
    writer.save(_attempt(first, "erika", "p-1", 100))
    # second now answers with the id that first already has; third is an ordinary poll
    slots = [
        Pending(_attempt(second, "erika2", "p-1", 5)),
        Pending(_attempt(third, "frida", "p-3", 7)),
    ]
    writer._write_batch(slots)
    assert [s.result.outcome if s.result else None for s in slots] == ["error", "ok"]
    with db.session() as s:
        paused = s.get(Account, second)
        assert paused is not None and paused.state == "paused" and paused.platform_id is None
        followers = s.scalars(
            select(ProfileSnapshot.followers).order_by(ProfileSnapshot.account_id)
        ).all()
    assert followers == [100, 7]  # nothing of the stranger was stored


def _slow_first_write(monkeypatch: pytest.MonkeyPatch, until: Callable[[], bool]) -> list[bool]:
    """Make the first batch's write wait (at most 5 s) until ``until()``; returns a list that
    records whether it came true."""
    seen: list[bool] = []
    original = poll_store._write

    def slow(conn: Any, items: Any) -> Any:
        if not seen:
            deadline = time.monotonic() + 5
            while not until() and time.monotonic() < deadline:
                time.sleep(0.01)
            seen.append(until())
        return original(conn, items)

    monkeypatch.setattr(poll_store, "_write", slow)
    return seen


def test_a_lane_polls_on_while_another_thread_writes(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    handles = ("erika", "frida", "greta", "hanna")
    profiles = {h: spec(platform_id=f"p-{h}") for h in handles}
    world = World(db, profiles, limits=lambda _p: Limit(10_000, 60.0, 2))
    pid = add_person(db, "mentee-01")
    for handle in handles:  # known accounts: no first platform id to adopt, nothing to wait for
        account_id = add_account(db, pid, "x", handle)
        with db.write() as s:
            s.get(Account, account_id).platform_id = f"p-{handle}"  # type: ignore[union-attr]
    # while the first write waits, the other lane polls the three other accounts (6 calls)
    seen = _slow_first_write(monkeypatch, lambda: world.connector.calls >= 7)
    summary = world.poll_due()
    assert seen == [True]
    assert summary.counts["x"]["ok"] == 8
    assert _counts(db) == (4, 8)


def test_a_failed_write_counts_as_an_error_and_the_pass_goes_on(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(db, {"erika": spec(), "frida": spec()})
    pid = add_person(db, "mentee-01")
    for handle in ("erika", "frida"):
        add_account(db, pid, "x", handle)
    original = poll_store._write
    failed: list[int] = []

    def failing(conn: Any, items: Any) -> Any:
        if not failed:
            failed.append(len(items))
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return original(conn, items)

    monkeypatch.setattr(poll_store, "_write", failing)
    summary = world.poll_due()  # raises nothing
    assert failed and summary.total("error") >= 1
    # every outcome counted as ok was written, and what the failed batch held was not
    assert _counts(db)[1] == summary.total("ok") > 0
