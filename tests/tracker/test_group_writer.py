"""The poll results of many threads are written in shared transactions, each attempt whole; a
batch that meets an identity conflict records only that attempt as the conflict."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import event, func, select

from connectors.base import ProfileStats
from tests.tracker.polling_world import NOW, add_account, add_person
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
        followers = s.scalars(select(ProfileSnapshot.followers).order_by(ProfileSnapshot.id)).all()
    assert followers == [100, 7]  # nothing of the stranger was stored
