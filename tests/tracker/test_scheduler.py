"""``tracker run``: jobs, heartbeat and health, new accounts polled without a restart, one
scheduler per store, clean shutdown on SIGTERM, and going on after a restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from connectors.base import utcnow
from tests.tracker.polling_world import add_account, add_person, spec, write_demo_config
from tracker.config import Config
from tracker.polling import scheduler as sched
from tracker.polling.heartbeat import beat, read_health
from tracker.store.db import Database
from tracker.store.models import PollAttempt, ProfileSnapshot
from tracker.store.write import record_attempt

ROOT = Path(__file__).resolve().parents[2]
ENTRY = 'import sys; from tracker.cli import entry; sys.argv[0] = "tracker"; entry()'


def test_jobs_are_named_functions_that_coalesce_and_never_overlap() -> None:
    scheduler = sched.build_scheduler(tick_seconds=30)
    scheduler.start(paused=True)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    assert set(jobs) == {"heartbeat", "tick", "purge", "mail"}
    for job in jobs.values():
        assert job.func_ref.startswith("tracker.polling.scheduler:")
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time >= 600
        assert job.args == ()
    assert str(scheduler.timezone) == "UTC"
    assert "cron" in str(jobs["purge"].trigger) and "hour='3'" in str(jobs["purge"].trigger)


def test_health_tells_heartbeat_age_and_last_success(sqlite_db: Database) -> None:
    health = read_health(sqlite_db)
    assert (health.heartbeat_age_seconds, health.last_success_at, health.status) == (
        None,
        None,
        "degraded",
    )
    now = utcnow()
    beat(sqlite_db, now=now - timedelta(seconds=40))
    account = add_account(sqlite_db, add_person(sqlite_db, "mentee-01"), "demo", "erika")
    with sqlite_db.write() as s:
        record_attempt(
            s,
            account_id=account,
            kind="profile",
            started_at=now - timedelta(hours=1),
            finished_at=now - timedelta(hours=1),
            outcome="ok",
        )
    health = read_health(sqlite_db, now=now)
    assert 39 <= (health.heartbeat_age_seconds or 0) <= 41
    assert health.last_success_at == now - timedelta(hours=1)
    assert health.status == "ok"
    stale = read_health(sqlite_db, now=now + timedelta(minutes=30))
    assert stale.status == "degraded"
    assert "erika" not in repr(stale) and "mentee" not in repr(stale)


def test_the_purge_job_calls_the_retention_purge(
    monkeypatch: pytest.MonkeyPatch, sqlite_db: Database
) -> None:
    config = Config()
    sched.start_runtime(sqlite_db, config)
    calls: list[tuple[Database, Config]] = []
    monkeypatch.setattr(
        sched, "purge_expired", lambda db, cfg, dry_run=False: calls.append((db, cfg))
    )
    sched.purge()
    assert calls == [(sqlite_db, config)]


def test_a_failing_purge_fails_the_job_loudly(
    monkeypatch: pytest.MonkeyPatch, sqlite_db: Database
) -> None:
    # the job must not swallow what stops the purge: APScheduler logs the exception
    sched.start_runtime(sqlite_db, Config())

    def broken(db: Database, cfg: Config) -> None:
        raise AttributeError("module 'tracker.privacy' has no attribute 'purge_expired'")

    monkeypatch.setattr(sched, "purge_expired", broken)
    with pytest.raises(AttributeError):
        sched.purge()


def test_the_purge_job_is_bound_when_the_scheduler_is_imported() -> None:
    from tracker.privacy.retention import purge_expired

    assert sched.purge_expired is purge_expired


def wait_for(check: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def count(db: Database, model: type, account_id: int | None = None) -> int:
    with db.session() as s:
        stmt = select(func.count()).select_from(model)
        if account_id is not None:
            stmt = stmt.where(model.account_id == account_id)  # type: ignore[attr-defined]
        return s.scalar(stmt) or 0


def test_run_polls_new_accounts_at_once_and_stops_cleanly(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'run.db'}")
    db.upgrade()
    profiles = tmp_path / "profiles.json"
    profiles.write_text(json.dumps({"erika": spec(), "frida": spec()}), encoding="utf-8")
    config = write_demo_config(tmp_path / "config.toml", db.url, profiles)
    first = add_account(db, add_person(db, "mentee-01"), "demo", "erika")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-c", ENTRY, "--config", str(config), "run", "--tick", "1"]

    def launch() -> subprocess.Popen[str]:
        return subprocess.Popen(
            cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    proc = launch()
    try:
        assert wait_for(lambda: count(db, ProfileSnapshot, first) == 1)
        assert read_health(db).status == "ok"
        # a new account is picked up without a restart and polled at once
        second = add_account(db, add_person(db, "mentee-02"), "demo", "frida")
        assert wait_for(lambda: count(db, ProfileSnapshot, second) == 1, 15)
        # a second scheduler on the same store refuses to start
        other = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert other.returncode == 4 and "already runs" in other.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "scheduler stopped" in out
    attempts = count(db, PollAttempt)
    # a restart rebuilds from the store: nothing is due again in this slot
    proc = launch()
    try:
        # Stopping it cleanly needs it to have started: wait for its first heartbeat (a loaded
        # machine takes seconds to import), then give it a few ticks.
        assert wait_for(lambda: (read_health(db).heartbeat_age_seconds or 1e9) < 5, 60)
        time.sleep(3)
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert count(db, PollAttempt) == attempts
    assert count(db, ProfileSnapshot) == 2
