"""Several workers on PostgreSQL share the due accounts through ``FOR UPDATE SKIP LOCKED``
claims: each due account is polled exactly once per slot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from connectors.base import utcnow
from tests.tracker.polling_world import add_account, add_person, spec
from tracker.polling.engine import Schedule
from tracker.polling.workers import claim, release
from tracker.store.db import Database
from tracker.store.models import Account, PollAttempt, ProfileSnapshot

ROOT = Path(__file__).resolve().parents[2]
ENTRY = "import sys; from tracker.cli import entry; sys.argv[0] = 'tracker'; entry()"
ACCOUNTS = 60


def test_claims_on_postgresql_skip_what_another_worker_holds(pg_db: Database) -> None:
    pid = add_person(pg_db, "mentee-01")
    for i in range(6):
        add_account(pg_db, pid, "demo", f"acc{i}")
    now = utcnow()
    first = claim(pg_db, "w1", now, schedule=Schedule(), limit=4)
    second = claim(pg_db, "w2", now, schedule=Schedule(), limit=4)
    assert len(first.jobs) == 4 and len(second.jobs) == 2
    assert not set(first.ids) & set(second.ids)
    release(pg_db, "w1", first.ids)
    # a lapsed lease is free for others again
    later = claim(pg_db, "w3", now + timedelta(hours=1), schedule=Schedule())
    assert set(later.ids) == set(first.ids) | set(second.ids)


def test_three_workers_poll_each_due_account_exactly_once(pg_db: Database, tmp_path: Path) -> None:
    profiles = tmp_path / "profiles.json"
    profiles.write_text(json.dumps({f"acc{i}": spec() for i in range(ACCOUNTS)}), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[platforms.demo]\nseed = 3\nprofiles_file = "{profiles}"\nlatency = 0.03\n'
        '[platforms.demo.budget]\nrequests = 100000\nwindow = "1m"\nconcurrency = 2\n',
        encoding="utf-8",
    )
    pid = add_person(pg_db, "mentee-01")
    ids = [add_account(pg_db, pid, "demo", f"acc{i}") for i in range(ACCOUNTS)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable,
        "-c",
        ENTRY,
        "--config",
        str(config),
        "--db",
        pg_db.url,
        "run",
        "--worker",
        "--exit-when-idle",
        "--batch",
        "4",
    ]
    workers = [
        subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [w.communicate(timeout=120)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], outputs
    with pg_db.session() as s:
        per_account = dict(
            s.execute(
                select(PollAttempt.account_id, func.count())
                .where(PollAttempt.kind == "profile")
                .group_by(PollAttempt.account_id)
            ).all()
        )
        posts = dict(
            s.execute(
                select(PollAttempt.account_id, func.count())
                .where(PollAttempt.kind == "posts")
                .group_by(PollAttempt.account_id)
            ).all()
        )
        snaps = s.scalar(select(func.count()).select_from(ProfileSnapshot))
        by_worker = s.scalars(select(PollAttempt.worker).distinct()).all()
        held = s.scalar(select(func.count()).where(Account.claimed_by.is_not(None)))
    assert per_account == dict.fromkeys(ids, 1)
    assert posts == dict.fromkeys(ids, 1)
    assert snaps == ACCOUNTS
    assert len(by_worker) >= 2  # the work was shared
    assert held == 0


def test_workers_need_postgresql(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    db.upgrade()
    result = subprocess.run(
        [sys.executable, "-c", ENTRY, "--db", db.url, "run", "--worker"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "PostgreSQL" in result.stderr
