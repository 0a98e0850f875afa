"""The engine driving the real X and Mastodon connectors against served HTTP responses: 429 with
reset headers, bursts of 5xx, timeouts, malformed JSON, 404 and expired tokens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
import responses

from connectors import get_connector
from connectors.base import Connector, utcnow
from tests.connectors.conftest import load
from tests.tracker.polling_world import add_account, add_person
from tracker.polling.budget import Limit
from tracker.polling.engine import AccountJob, Engine, PassSummary
from tracker.polling.retry import RetryPolicy
from tracker.store.db import Database
from tracker.store.models import Account, PlatformState, PollAttempt, ProfileSnapshot

TOKEN = "AAAAAAAAAAAAAAAAAAAAAFakeBearerTokenForEngineTests0123456789"
X_USER = "https://api.twitter.com/2/users/by/username/erika_beispiel"
MASTO = "https://{}/api/v1/accounts/lookup"
SETTINGS: dict[str, dict[str, Any]] = {
    "x": {"bearer_token": TOKEN, "bearer_token_env_name": "TRACKER_X_BEARER_TOKEN"},
    "mastodon": {},
    "facebook": {"access_token": "EAAGfakePageAccessTokenForEngineTests0123456789"},
}
FB_PAGE = "https://graph.facebook.com/v23.0/erika.beispiel"


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


class Setup:
    def __init__(self, db: Database, **engine: Any) -> None:
        self.db = db
        self.person = add_person(db, "mentee-01")
        self.sleeps: list[float] = []
        factory: Any = lambda p: get_connector(p, SETTINGS[p])  # noqa: E731
        self.engine = Engine(
            db,
            factory,
            limits=lambda _p: Limit(300, 900.0, 1),
            retry=engine.pop("retry", RetryPolicy(max_attempts=3, base=1.0, cap=4.0)),
            sleep=self.sleeps.append,
            worker="test",
            **engine,
        )

    def account(self, platform: str, handle: str) -> AccountJob:
        return AccountJob(add_account(self.db, self.person, platform, handle), platform, handle)

    def run(self, *jobs: AccountJob) -> PassSummary:
        return self.engine.run(
            [AccountJob(j.account_id, j.platform, j.handle, ("profile",)) for j in jobs]
        )

    def attempts(self, job: AccountJob) -> list[tuple[str, str | None]]:
        with self.db.session() as s:
            rows = (
                s.query(PollAttempt).filter_by(account_id=job.account_id).order_by(PollAttempt.id)
            )
            return [(a.outcome, a.error_class) for a in rows]

    def snapshots(self, job: AccountJob) -> int:
        with self.db.session() as s:
            return s.query(ProfileSnapshot).filter_by(account_id=job.account_id).count()

    def account_row(self, job: AccountJob) -> Account:
        with self.db.session() as s:
            row = s.get(Account, job.account_id)
            assert row is not None
            return row


def masto_ok(api: responses.RequestsMock, instance: str) -> None:
    recorded = load("mastodon", "account_lookup.json")
    api.get(MASTO.format(instance), json=recorded["body"], status=200)


def test_x_429_pauses_x_until_its_reset_and_mastodon_goes_on(
    sqlite_db: Database, api: responses.RequestsMock
) -> None:
    world = Setup(sqlite_db)
    reset = int(time.time()) + 600
    api.get(
        X_USER,
        json=load("x", "too_many_requests.json"),
        status=429,
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )
    masto_ok(api, "social.example")
    x = world.account("x", "erika_beispiel")
    masto = world.account("mastodon", "mastodonpy_test@social.example")
    summary = world.run(x, masto)
    assert summary.counts["x"]["rate_limited"] == 1
    assert summary.counts["mastodon"]["ok"] == 1
    assert world.attempts(x) == [("rate_limited", "RateLimited")]
    assert world.sleeps == []  # a rate limit pauses the platform; it is not retried in a loop
    with sqlite_db.session() as s:
        paused = s.get(PlatformState, "x")
        assert paused is not None and paused.paused_until is not None
        assert abs((paused.paused_until - utcnow()).total_seconds() - 600) < 15
    assert world.account_row(x).next_profile_at is None  # still due once the pause is over


def test_a_burst_of_5xx_is_retried_until_x_answers(
    sqlite_db: Database, api: responses.RequestsMock
) -> None:
    world = Setup(sqlite_db)
    api.get(X_USER, body="upstream error", status=503)
    api.get(X_USER, body="upstream error", status=500)
    api.get(X_USER, json=load("x", "user.json"), status=200)
    x = world.account("x", "erika_beispiel")
    world.run(x)
    assert world.attempts(x) == [
        ("error", "PlatformUnavailable"),
        ("error", "PlatformUnavailable"),
        ("ok", None),
    ]
    assert len(world.sleeps) == 2 and world.sleeps[1] > world.sleeps[0] * 0.5
    assert world.snapshots(x) == 1


def test_timeouts_open_the_breaker_of_one_instance_only(
    sqlite_db: Database, api: responses.RequestsMock
) -> None:
    world = Setup(sqlite_db, retry=RetryPolicy(max_attempts=1), breaker_failures=2)
    api.get(MASTO.format("down.example"), body=requests.ConnectTimeout("connect timed out"))
    masto_ok(api, "social.example")
    down = [world.account("mastodon", f"user{i}@down.example") for i in range(3)]
    up = world.account("mastodon", "mastodonpy_test@social.example")
    summary = world.run(*down, up)
    assert summary.counts["mastodon"]["error"] == 2
    assert summary.counts["mastodon"]["deferred"] == 1  # the third waits for the cool-down
    assert summary.counts["mastodon"]["ok"] == 1
    with sqlite_db.session() as s:
        state = s.get(PlatformState, "mastodon:down.example")
        assert state is not None and state.consecutive_failures == 2
        assert state.paused_until is not None and state.paused_until > utcnow()
        other = s.get(PlatformState, "mastodon:social.example")
        assert other is None or other.paused_until is None


def test_malformed_json_is_an_error_without_retry(
    sqlite_db: Database, api: responses.RequestsMock
) -> None:
    world = Setup(sqlite_db)
    api.get(X_USER, body="<html>maintenance</html>", content_type="text/html", status=200)
    x = world.account("x", "erika_beispiel")
    world.run(x)
    assert world.attempts(x) == [("error", "BadResponse")]
    assert world.sleeps == [] and world.snapshots(x) == 0


def test_mastodon_404_marks_the_account_not_found(
    sqlite_db: Database, api: responses.RequestsMock
) -> None:
    world = Setup(sqlite_db)
    recorded = load("mastodon", "account_lookup_404.json")
    api.get(MASTO.format("social.example"), json=recorded["body"], status=404)
    gone = world.account("mastodon", "gone@social.example")
    world.run(gone)
    assert world.attempts(gone) == [("not_found", "AccountNotFound")]
    assert world.account_row(gone).state == "not_found"


def test_an_expired_x_token_needs_action_and_is_not_retried(
    sqlite_db: Database, api: responses.RequestsMock
) -> None:
    world = Setup(sqlite_db)
    api.get(X_USER, json=load("x", "unauthorized.json"), status=401)
    x = world.account("x", "erika_beispiel")
    world.run(x)
    assert world.attempts(x) == [("auth_failed", "AuthFailed")]
    row = world.account_row(x)
    assert row.state == "auth_failed"
    assert "TRACKER_X_BEARER_TOKEN" in (row.state_reason or "")
    assert TOKEN not in (row.state_reason or "")
    assert row.next_profile_at is not None and row.next_profile_at > utcnow() + timedelta(hours=12)


def test_connectors_are_built_once_per_platform(sqlite_db: Database) -> None:
    built: list[str] = []

    def factory(platform: str) -> Connector:
        built.append(platform)
        return get_connector(platform, SETTINGS[platform])

    engine = Engine(sqlite_db, factory, limits=lambda _p: Limit(1, 1.0, 1))
    assert engine.connector("x") is engine.connector("x")
    assert built == ["x"]


def test_a_503_with_an_empty_body_is_an_error_and_keeps_the_slots_good_counts(
    db: Database, api: responses.RequestsMock
) -> None:
    # Facebook (through facebook-sdk) answering 503 with ``{}``, e.g. from a proxy: once
    # recorded as ok with NULL counts over the day's good snapshot.
    world = Setup(db)
    page = world.account("facebook", "erika.beispiel")
    api.get(FB_PAGE, json={"id": "4242", "name": "Erika Beispiel", "followers_count": 151})
    assert world.run(page).counts["facebook"]["ok"] == 1
    api.replace(responses.GET, FB_PAGE, json={}, status=503)
    summary = world.run(page)
    assert summary.counts["facebook"]["ok"] == 0 and summary.counts["facebook"]["error"] == 1
    api.replace(responses.GET, FB_PAGE, json={}, status=200)
    assert world.run(page).counts["facebook"]["error"] == 1
    assert world.attempts(page) == [
        ("ok", None),
        *[("error", "PlatformUnavailable")] * 3,
        ("error", "BadResponse"),
    ]
    with db.session() as s:
        snaps = s.query(ProfileSnapshot).filter_by(account_id=page.account_id).all()
        assert [(x.followers, x.following, x.posts) for x in snaps] == [(151, None, None)]
