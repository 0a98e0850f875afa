"""``tracker run``: the long-running scheduler (APScheduler 3.x, UTC).

Its jobs are rebuilt at every start: what is due lives in the database (``next_*_at`` per
account), so the jobs themselves are only a tick that polls whatever is due, a heartbeat and the
daily retention purge. Jobs are named as importable ``module:function`` with plain arguments,
coalesce, never overlap themselves and tolerate long misfires. One scheduler per store: a second
one refuses to start while the first one's heartbeat is fresh.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from connectors.base import utcnow
from tracker.config import Config
from tracker.errors import TrackerError
from tracker.ops.backup_schedule import daily_backup
from tracker.ops.erasure_log import mirror_to_file
from tracker.polling.engine import Engine
from tracker.polling.heartbeat import STALE_AFTER, beat, clear_beat, me, read_beat
from tracker.polling.workers import claim, poll_claimed, work, worker_name
from tracker.privacy.retention import purge_expired
from tracker.store.db import Database

logger = logging.getLogger(__name__)

TICK_SECONDS = 30.0
HEARTBEAT_SECONDS = 30.0
PURGE_HOUR_UTC = 3
TICK_BATCH = 500
# The weekly letter's job looks this often whether letters are due (sending moment, retries).
MAIL_MINUTES = 15
JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


class SchedulerRunning(TrackerError):
    """Another scheduler already runs on this store."""

    exit_code = 4


@dataclass
class Runtime:
    """What the jobs of one running process share (the jobs themselves take only names)."""

    db: Database
    config: Config
    engine: Engine
    worker: str
    stop: threading.Event


_RUNTIME: Runtime | None = None


def start_runtime(db: Database, config: Config, role: str = "scheduler") -> Runtime:
    """Set up the engine this process polls with."""
    global _RUNTIME
    stop = threading.Event()
    worker = worker_name(role)
    engine = Engine.from_config(db, config, worker=worker, stop=stop, sleep=stop.wait)
    _RUNTIME = Runtime(db, config, engine, worker, stop)
    return _RUNTIME


def _runtime() -> Runtime:
    if _RUNTIME is None:
        raise RuntimeError("the scheduler runtime is not set up")
    return _RUNTIME


# -- jobs (referenced by name) --------------------------------------------------------------
def tick() -> None:
    """Poll every account that is due now, in batches, until none is left or we stop."""
    rt = _runtime()
    while not rt.stop.is_set():
        claimed = claim(
            rt.db, rt.worker, rt.engine.clock(), schedule=rt.engine.schedule, limit=TICK_BATCH
        )
        if not claimed.jobs:
            return
        summary = poll_claimed(rt.engine, claimed, rt.worker, beat_as="scheduler")
        logger.info("polled %d accounts: %d ok", len(claimed.jobs), summary.total("ok"))


def heartbeat() -> None:
    beat(_runtime().db, "scheduler")


def purge() -> None:
    """The daily retention purge."""
    rt = _runtime()
    result = purge_expired(rt.db, rt.config)
    logger.info("retention purge: %s", result)
    if rt.config.backup.directory:
        # Beside the backups, the erasure log outlives a lost database (restores read it).
        mirror_to_file(rt.db, Path(rt.config.backup.directory))


def backup() -> None:
    """The daily backup, when the config names a backup directory."""
    rt = _runtime()
    result = daily_backup(rt.db, rt.config)
    if result is not None:
        logger.info("daily backup: %s", result.path)


def mail() -> None:
    """The weekly letter: record this week's letters once they are due, send what is due."""
    from tracker.mail.delivery import run_due
    from tracker.mail.smtp import SmtpTransport
    from tracker.mail.tokens import letter_secret

    rt = _runtime()
    if not rt.config.mail.enabled:
        return
    try:
        transport = SmtpTransport.from_config(rt.config)
        secret = letter_secret(rt.config)
    except TrackerError as exc:
        logger.error("weekly letter not sent: %s (see `tracker check`)", exc)
        return
    report = run_due(rt.db, rt.config, transport, secret)
    if report is not None and (report.planned or report.sent or report.failed):
        logger.info(
            "weekly letter: %d recorded, %d sent, %d failed",
            report.planned,
            len(report.sent),
            len(report.failed),
        )


# -- the process ----------------------------------------------------------------------------
def check_single(db: Database) -> None:
    """Raise SchedulerRunning when another live scheduler beats on this store."""
    other = read_beat(db, "scheduler")
    if other is None or (other.pid, other.host) == me():
        return
    age = utcnow() - other.beat_at
    if age < STALE_AFTER:
        raise SchedulerRunning(
            f"a scheduler already runs on this database (pid {other.pid} on {other.host}, "
            f"last heartbeat {age.total_seconds():.0f} s ago); stop it first, or start "
            "`tracker run --worker` processes to share its work"
        )


def build_scheduler(
    tick_seconds: float = TICK_SECONDS, config: Config | None = None
) -> BackgroundScheduler:
    """The scheduler with its three jobs; the tick runs at once (new accounts are due now)."""
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults=JOB_DEFAULTS)
    now = utcnow()
    scheduler.add_job(
        "tracker.polling.scheduler:heartbeat",
        "interval",
        seconds=HEARTBEAT_SECONDS,
        id="heartbeat",
        next_run_time=now,
        **JOB_DEFAULTS,
    )
    scheduler.add_job(
        "tracker.polling.scheduler:tick",
        "interval",
        seconds=tick_seconds,
        id="tick",
        next_run_time=now + timedelta(seconds=0.5),
        **JOB_DEFAULTS,
    )
    scheduler.add_job(
        "tracker.polling.scheduler:purge", "cron", hour=PURGE_HOUR_UTC, minute=17, id="purge"
    )
    if config is not None and config.backup.directory:
        scheduler.add_job(
            "tracker.polling.scheduler:backup",
            "cron",
            hour=config.backup.hour,
            minute=37,
            id="backup",
        )
    scheduler.add_job(
        "tracker.polling.scheduler:mail",
        "interval",
        minutes=MAIL_MINUTES,
        id="mail",
        **JOB_DEFAULTS,
    )
    return scheduler


def _on_signals(stop: threading.Event) -> None:
    def handler(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %d: stopping after the requests in flight", signum)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def run_scheduler(db: Database, config: Config, tick_seconds: float = TICK_SECONDS) -> None:
    """Run until SIGTERM or SIGINT; raises SchedulerRunning if another scheduler is live."""
    check_single(db)
    rt = start_runtime(db, config, "scheduler")
    beat(db, "scheduler")
    _on_signals(rt.stop)
    scheduler = build_scheduler(tick_seconds, config)
    scheduler.start()
    logger.info("scheduler started (tick every %.0f s)", tick_seconds)
    try:
        while not rt.stop.wait(1.0):
            pass
    finally:
        rt.stop.set()
        scheduler.shutdown(wait=True)
        clear_beat(db, "scheduler")
        logger.info("scheduler stopped")


def start_in_background(
    db: Database, config: Config, tick_seconds: float = TICK_SECONDS
) -> Callable[[], None]:
    """Run the scheduler's jobs in background threads of this process (the demo serves its
    dashboard beside them); returns the function that stops them. Raises SchedulerRunning if
    another scheduler is live on this store."""
    check_single(db)
    rt = start_runtime(db, config, "scheduler")
    beat(db, "scheduler")
    scheduler = build_scheduler(tick_seconds, config)
    scheduler.start()

    def stop() -> None:
        rt.stop.set()
        scheduler.shutdown(wait=True)
        clear_beat(db, "scheduler")

    return stop


def run_worker(
    db: Database,
    config: Config,
    *,
    batch: int = 50,
    idle: float = 5.0,
    exit_when_idle: bool = False,
) -> int:
    """Claim and poll due accounts until SIGTERM or SIGINT; returns the accounts polled."""
    rt = start_runtime(db, config, "worker")
    _on_signals(rt.stop)
    try:
        return work(
            rt.engine,
            worker=rt.worker,
            stop=rt.stop,
            batch=batch,
            idle=idle,
            exit_when_idle=exit_when_idle,
            beat_as=rt.worker,
        )
    finally:
        clear_beat(db, rt.worker)
