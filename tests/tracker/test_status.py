"""`tracker status`: what a coordinator must act on, including a missing baseline."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connectors.base import ProfileStats
from tracker.cli import main
from tracker.config import CohortEntry, PersonEntry
from tracker.polling.poll_status import account_statuses
from tracker.programme.structure import Changes, upsert_cohort, upsert_person
from tracker.store.db import Database
from tracker.store.models import Account
from tracker.store.write import snapshot_row, write_snapshots

KICKOFF = date(2026, 3, 1)


def _programme(db: Database) -> dict[str, int]:
    changes = Changes()
    with db.write() as s:
        upsert_cohort(
            s, CohortEntry(key="c", name="C", start=KICKOFF, end=date(2026, 10, 31)), changes
        )
        person = upsert_person(
            s,
            PersonEntry(
                key="mentee-01",
                name="Erika Beispiel",
                role="mentee",
                cohort="c",
                consent=date(2026, 1, 1),
                accounts={
                    "instagram": "erika.b",
                    "mastodon": "@erika@social.example",
                    "bluesky": "erika.bsky.social",
                    "x": "erika_b",
                },
            ),
            changes,
        )
        s.flush()
        return {a.platform: a.id for a in s.query(Account).filter_by(person_id=person.id)}


def _snap(db: Database, account: int, at: datetime, posts: int | None) -> None:
    stats = ProfileStats("x", "h", "1", None, 10, None, posts, at)
    with db.write() as s:
        write_snapshots(s, [snapshot_row(account, stats)])


def test_missing_baseline_is_flagged_only_where_growth_was_missed(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _programme(sqlite_db)
    _snap(sqlite_db, ids["instagram"], datetime(2026, 2, 20, tzinfo=UTC), 40)  # before kickoff
    _snap(sqlite_db, ids["mastodon"], datetime(2026, 4, 2, tzinfo=UTC), 40)  # late: posts before
    _snap(sqlite_db, ids["bluesky"], datetime(2026, 5, 2, tzinfo=UTC), 0)  # new account
    # x: never polled at all
    with sqlite_db.session() as s:
        rows = {r.platform: r for r in account_statuses(s, datetime(2026, 6, 1, tzinfo=UTC))}
    assert rows["instagram"].baseline is True and rows["instagram"].action is None
    assert rows["mastodon"].baseline is False and "before the kickoff" in (
        rows["mastodon"].action or ""
    )
    assert rows["bluesky"].baseline is None and rows["bluesky"].action is None
    assert rows["x"].baseline is False

    assert main(["--db", sqlite_db.url, "status"]) == 0
    out = capsys.readouterr().out
    flagged = [line for line in out.splitlines() if "before the kickoff" in line]
    assert len(flagged) == 2
    assert any("erika@social.example" in line for line in flagged)


def test_platform_health_counts_inactive_and_failed_accounts_as_problems() -> None:
    from tracker.polling.poll_status import (
        NO_POLLS,
        AccountHealth,
        AccountStatus,
        PlatformHealth,
        platform_health,
    )

    def line(platform: str, state: str, outcome: str | None) -> AccountHealth:
        status = AccountStatus(
            "mentee-01", "Erika Beispiel", "mentee", True, 1, platform, "erika", state, None,
            None, None, None, outcome, None,
        )  # fmt: skip
        return AccountHealth(status, NO_POLLS)

    lines = [
        line("x", "active", "ok"),
        line("x", "active", "rate_limited"),
        line("mastodon", "auth_failed", "auth_failed"),
        line("mastodon", "active", None),
    ]
    assert platform_health(lines) == [
        PlatformHealth("mastodon", ok=1, problems=1),
        PlatformHealth("x", ok=1, problems=1),
    ]
