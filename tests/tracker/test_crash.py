"""Crash safety: a poller killed with SIGKILL at any moment leaves a consistent database that the
next start continues from, and a reader is never locked out by a long write."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from connectors.base import PostStats
from tests.tracker.polling_world import NOW, World, add_account, add_person, spec
from tracker.store import read_frames as series
from tracker.store.db import Database
from tracker.store.models import PollAttempt, ProfileSnapshot
from tracker.store.write import write_posts

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = 30
# Polls pass after pass over simulated 6-hour slots, going on from the last slot on record.
POLLER = """
import sys
from datetime import timedelta
from sqlalchemy import func, select
from tracker.store.db import Database
from tracker.store.models import PollAttempt
from tests.tracker.polling_world import NOW, World, spec
from tracker.polling.workers import worker_name

db = Database(sys.argv[1])
passes, accounts = int(sys.argv[2]), int(sys.argv[3])
# named as real pollers are, so that the next start frees the claims of a killed one
world = World(db, {f"acc{i}": spec() for i in range(accounts)}, worker=worker_name("poller"))
with db.session() as s:
    last = s.scalar(select(func.max(PollAttempt.started_at)))
world.now = (last + timedelta(hours=6)) if last else NOW
print("ready", flush=True)
for _ in range(passes):
    world.poll_due()
    world.now += timedelta(hours=6)
"""


def start(url: str, passes: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", POLLER, url, str(passes), str(ACCOUNTS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_write_leaves_a_consistent_store_that_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    pid = add_person(db, "mentee-01")
    ids = [add_account(db, pid, "facebook", f"acc{i}") for i in range(ACCOUNTS)]
    rng = random.Random(4)
    for _ in range(5):
        proc = start(db.url, 10_000)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        dupes = conn.execute(
            "SELECT account_id, taken_at, count(*) FROM profile_snapshot "
            "GROUP BY account_id, taken_at HAVING count(*) > 1"
        ).fetchall()
        dupe_posts = conn.execute(
            "SELECT account_id, post_id FROM post_metric GROUP BY account_id, post_id "
            "HAVING count(*) > 1"
        ).fetchall()
    assert dupes == [] and dupe_posts == []
    with db.session() as s:
        snaps = s.scalar(select(func.count()).select_from(ProfileSnapshot))
        ok_profiles = s.scalar(
            select(func.count())
            .select_from(PollAttempt)
            .where(PollAttempt.kind == "profile", PollAttempt.outcome == "ok")
        )
        before = s.scalar(select(func.max(PollAttempt.started_at)))
    assert snaps and snaps > 0
    # data and its attempt row commit together: never a snapshot without its attempt
    assert snaps == ok_profiles
    # the next start goes on from where the last one stopped, claims of the dead included
    proc = start(db.url, 1)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    with db.session() as s:
        after = s.scalar(select(func.max(PollAttempt.started_at)))
        rows = s.execute(
            select(ProfileSnapshot.account_id, func.max(ProfileSnapshot.taken_at)).group_by(
                ProfileSnapshot.account_id
            )
        ).all()
        latest = dict(rows)
    assert before is not None and after is not None and after > before
    assert all(latest[i] >= after - timedelta(hours=6) for i in ids)


def test_a_reader_during_a_long_write_is_never_locked_out(sqlite_db: Database) -> None:
    world = World(sqlite_db, {"erika": spec()})
    acc = add_account(sqlite_db, add_person(sqlite_db, "mentee-01"), "facebook", "erika")
    world.poll_due()
    with sqlite_db.session() as s:
        before = len(series.posts(s, [1]))
    writing = threading.Event()
    done = threading.Event()

    def long_write() -> None:
        posts = [
            PostStats(f"bulk-{i}", NOW - timedelta(minutes=i), "text", likes=i)
            for i in range(30_000)
        ]
        with sqlite_db.write() as session:
            write_posts(session, acc, posts, NOW)
            writing.set()
            time.sleep(1.0)  # hold the write lock a while longer
        done.set()

    writer = threading.Thread(target=long_write)
    writer.start()
    assert writing.wait(30)
    unseen = 0
    while not done.is_set():
        with sqlite_db.session() as s:  # would raise OperationalError if locked
            frame = series.posts(s, [1])
            snaps = series.snapshots(s, [1])
        assert len(frame) in (before, before + 30_000)  # all of the write or nothing
        unseen += len(frame) == before
        assert len(snaps) == 1
    writer.join()
    assert unseen > 1  # reads went on while the write held its lock
    with sqlite_db.session() as s:
        assert len(series.posts(s, [1])) == before + 30_000
