"""A small fictional programme for the polling tests: people, accounts and a demo connector whose
profiles (and failure modes) each test sets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.demo import DemoConnector, DemoProfile
from tracker.polling.budget import Limit
from tracker.polling.engine import Engine, PassSummary, Schedule
from tracker.polling.retry import RetryPolicy
from tracker.polling.workers import claim, poll_claimed
from tracker.store.db import Database
from tracker.store.models import Account, Person

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def spec(
    failure: str | None = None, platform_id: str | None = None, followers: int = 500
) -> dict[str, Any]:
    """A demo profile: an account two years old that grows and posts a few times a week."""
    return {
        "born": "2024-01-01",
        "followers_at_birth": followers,
        "phases": [{"start": "2024-01-01", "growth": 0.01, "posts_per_week": 4}],
        "failure": failure,
        "platform_id": platform_id,
    }


def add_person(
    db: Database,
    key: str,
    *,
    consent: date | None = date(2026, 1, 1),
    withdrawn: date | None = None,
    platforms: str | None = None,
) -> int:
    with db.write() as session:
        person = Person(
            key=key,
            display_name=f"Erika {key.title()}",
            role="mentee",
            consent_given=consent,
            consent_withdrawn=withdrawn,
            consent_platforms=platforms,
            created_at=NOW - timedelta(days=90),
        )
        session.add(person)
        session.flush()
        return person.id


def add_account(db: Database, person_id: int, platform: str, handle: str) -> int:
    with db.write() as session:
        account = Account(
            person_id=person_id,
            platform=platform,
            handle=handle,
            state="active",
            added_at=NOW - timedelta(days=30),
        )
        session.add(account)
        session.flush()
        return account.id


def set_failure(connector: DemoConnector, handle: str, failure: str | None) -> None:
    connector.profiles[handle] = replace(connector.profiles[handle], failure=failure)


class World:
    """A demo connector serving every platform, an engine over a settable clock, and a
    recorder of the waits the engine asked for (no test really sleeps)."""

    def __init__(
        self,
        db: Database,
        profiles: dict[str, dict[str, Any]],
        *,
        limits: Callable[[str], Limit] = lambda _p: Limit(10_000, 60.0, 2),
        retry: RetryPolicy | None = None,
        breaker_failures: int = 5,
        breaker_cooldown: timedelta = timedelta(minutes=15),
        worker: str = "test",
    ) -> None:
        self.db = db
        self.worker = worker
        self.now = NOW
        self.connector = DemoConnector({"seed": 3, "profiles": profiles})
        self.connector.clock = lambda: self.now
        self.sleeps: list[float] = []
        self.engine = Engine(
            db,
            lambda _p: self.connector,
            limits=limits,
            schedule=Schedule(),
            retry=retry or RetryPolicy(max_attempts=3, base=2.0, cap=10.0),
            breaker_failures=breaker_failures,
            breaker_cooldown=breaker_cooldown,
            clock=lambda: self.now,
            sleep=self.sleeps.append,
            worker=worker,
        )

    def profile(self, handle: str) -> DemoProfile:
        return self.connector.profiles[handle]

    def poll_due(self, **kwargs: Any) -> PassSummary:
        claimed = claim(self.db, self.worker, self.now, schedule=self.engine.schedule, **kwargs)
        return poll_claimed(self.engine, claimed, self.worker)


def write_demo_config(path: Path, db_url: str, profiles: Path, latency: float = 0.0) -> Path:
    """A config serving the ``demo`` platform from a profiles file."""
    path.write_text(
        f'[tracker]\ndatabase_url = "{db_url}"\n\n[platforms.demo]\nseed = 3\n'
        f'profiles_file = "{profiles}"\nlatency = {latency}\n',
        encoding="utf-8",
    )
    return path
