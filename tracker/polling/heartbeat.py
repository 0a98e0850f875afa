"""Liveness: the scheduler and each worker write a heartbeat row; ``/healthz`` reads it.

``read_health`` tells only how long ago the scheduler beat and when a poll last succeeded:
nothing about any person or account.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select

from connectors.base import utcnow
from tracker.store.db import Database
from tracker.store.models import Heartbeat, PollAttempt

# A scheduler that has not beaten for this long counts as down.
STALE_AFTER = timedelta(minutes=5)
# No successful poll for this long means data is not coming in.
NO_SUCCESS_AFTER = timedelta(hours=36)


@dataclass(frozen=True)
class Health:
    """What ``/healthz`` shows. ``None`` means never (no beat, no successful poll)."""

    heartbeat_age_seconds: float | None
    last_success_at: datetime | None
    status: Literal["ok", "degraded"]


@dataclass(frozen=True)
class Beat:
    name: str
    beat_at: datetime
    pid: int | None
    host: str | None


def me() -> tuple[int, str]:
    """This process: (pid, host name)."""
    return os.getpid(), socket.gethostname()[:200]


def beat(db: Database, name: str = "scheduler", now: datetime | None = None) -> None:
    """Record that process ``name`` is alive now."""
    pid, host = me()
    with db.write() as session:
        session.merge(Heartbeat(name=name, beat_at=now or utcnow(), pid=pid, host=host))


def read_beat(db: Database, name: str = "scheduler") -> Beat | None:
    with db.session() as session:
        row = session.get(Heartbeat, name)
        return Beat(row.name, row.beat_at, row.pid, row.host) if row else None


def clear_beat(db: Database, name: str = "scheduler") -> None:
    """Remove the heartbeat at a clean shutdown, so that a new scheduler may start at once."""
    with db.write() as session:
        row = session.get(Heartbeat, name)
        if row is not None and (row.pid, row.host) == me():
            session.delete(row)


def read_health(db: Database, now: datetime | None = None) -> Health:
    """Heartbeat age of the scheduler, last successful poll, and "ok" or "degraded"."""
    now = now or utcnow()
    with db.session() as session:
        row = session.get(Heartbeat, "scheduler")
        last_ok = session.scalar(
            select(func.max(PollAttempt.finished_at)).where(PollAttempt.outcome == "ok")
        )
    age = (now - row.beat_at).total_seconds() if row is not None else None
    fresh = age is not None and age <= STALE_AFTER.total_seconds()
    recent = last_ok is not None and now - last_ok <= NO_SUCCESS_AFTER
    return Health(age, last_ok, "ok" if fresh and recent else "degraded")
