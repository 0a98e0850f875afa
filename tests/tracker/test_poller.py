"""The polling engine over the demo connector: what is stored, what is retried, how account
states and the schedule move, renames, consent, and fault injection through failure modes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from connectors.http import protect
from tests.tracker.polling_world import NOW, World, add_account, add_person, set_failure, spec
from tracker.polling.budget import Limit
from tracker.polling.engine import AccountJob, Schedule
from tracker.polling.poll_status import account_statuses
from tracker.polling.poll_store import slot_start
from tracker.polling.retry import RetryPolicy
from tracker.polling.workers import claim
from tracker.store import read_frames as series
from tracker.store.db import Database
from tracker.store.models import Account, PlatformState, PollAttempt, PostMetric, ProfileSnapshot


def attempts(db: Database, account_id: int, kind: str | None = None) -> list[PollAttempt]:
    with db.session() as s:
        stmt = select(PollAttempt).where(PollAttempt.account_id == account_id)
        if kind:
            stmt = stmt.where(PollAttempt.kind == kind)
        return list(s.scalars(stmt.order_by(PollAttempt.id)))


def snapshots(db: Database, account_id: int) -> list[ProfileSnapshot]:
    with db.session() as s:
        return list(
            s.scalars(
                select(ProfileSnapshot)
                .where(ProfileSnapshot.account_id == account_id)
                .order_by(ProfileSnapshot.taken_at)
            )
        )


def account(db: Database, account_id: int) -> Account:
    with db.session() as s:
        acc = s.get(Account, account_id)
        assert acc is not None
        return acc


def one_account(db: Database, failure: str | None = None, handle: str = "erika") -> World:
    world = World(db, {handle: spec(failure)})
    add_account(db, add_person(db, "mentee-01"), "facebook", handle)
    return world


def test_a_pass_stores_counts_posts_and_one_attempt_per_kind(db: Database) -> None:
    world = one_account(db)
    summary = world.poll_due()
    assert summary.counts["facebook"]["ok"] == 2
    [snap] = snapshots(db, 1)
    spec_ = world.profile("erika")
    assert snap.followers == world.connector.followers_at(spec_, NOW)
    assert snap.taken_at == slot_start(NOW, timedelta(hours=6))
    with db.session() as s:
        posts = s.scalar(select(func.count()).select_from(PostMetric))
    assert posts and posts > 0
    assert [(a.kind, a.outcome) for a in attempts(db, 1)] == [("profile", "ok"), ("posts", "ok")]
    acc = account(db, 1)
    assert acc.platform_id is not None and acc.state == "active"
    assert acc.next_profile_at == slot_start(NOW, timedelta(hours=6)) + timedelta(hours=6)
    assert acc.next_posts_at == slot_start(NOW, timedelta(days=1)) + timedelta(days=1)
    assert acc.claimed_by is None


def test_nothing_is_due_again_before_the_next_slot(db: Database) -> None:
    world = one_account(db)
    world.poll_due()
    world.now = NOW + timedelta(hours=1)
    assert world.poll_due().total() == 0
    world.now = NOW + timedelta(hours=2, minutes=1)  # 12:01: the next profile slot
    summary = world.poll_due()
    assert summary.counts["facebook"]["ok"] == 1  # the profile only; posts wait for tomorrow
    assert len(snapshots(db, 1)) == 2


def test_polling_the_same_slot_twice_leaves_one_snapshot(db: Database) -> None:
    world = one_account(db)
    world.poll_due(force=True)
    world.now = NOW + timedelta(minutes=30)
    world.poll_due(force=True)
    assert len(snapshots(db, 1)) == 1
    assert len(attempts(db, 1, "profile")) == 2  # both attempts are on record
    with db.session() as s:
        ids = s.scalars(select(PostMetric.post_id)).all()
    assert len(ids) == len(set(ids))


def test_a_failed_poll_writes_no_snapshot_and_the_chart_shows_a_gap(db: Database) -> None:
    world = one_account(db)
    world.poll_due()
    world.now = NOW + timedelta(hours=6)
    set_failure(world.connector, "erika", "down")
    summary = world.poll_due()
    assert summary.counts["facebook"]["error"] == 1
    world.now = NOW + timedelta(hours=12)
    set_failure(world.connector, "erika", None)
    world.poll_due()
    with db.session() as s:
        frame = series.snapshots(s, [1])
    taken = [t.to_pydatetime() for t in frame["taken_at"]]
    slot = slot_start(NOW, timedelta(hours=6))
    assert taken == [slot, slot + timedelta(hours=12)]  # no row for the failed slot
    assert frame["followers"].notna().all() and (frame["followers"] > 0).all()
    failed = [a for a in attempts(db, 1, "profile") if a.outcome == "error"]
    assert len(failed) == 3  # max_attempts tries, all recorded
    assert {a.error_class for a in failed} == {"PlatformUnavailable"}


@pytest.mark.parametrize(
    ("failure", "state"),
    [("not_found", "not_found"), ("unavailable", "unavailable"), ("auth_failed", "auth_failed")],
)
def test_account_failures_change_state_and_are_not_retried(
    db: Database, failure: str, state: str
) -> None:
    world = one_account(db, failure)
    summary = world.poll_due()
    assert summary.counts["facebook"][state] == 1
    assert [a.outcome for a in attempts(db, 1)] == [state]  # no retry, posts not asked
    assert world.sleeps == []
    acc = account(db, 1)
    assert acc.state == state and acc.state_reason
    assert acc.next_profile_at is not None and acc.next_profile_at >= NOW + timedelta(hours=18)
    assert snapshots(db, 1) == []
    world.now = NOW + timedelta(hours=6, minutes=1)
    world.poll_due()
    assert len(attempts(db, 1, "profile")) == 1  # not polled again at the next slot


def test_an_account_that_comes_back_is_active_again(db: Database) -> None:
    world = one_account(db, "unavailable")
    world.poll_due()
    set_failure(world.connector, "erika", None)
    world.now = NOW + timedelta(days=1, hours=1)
    world.poll_due()
    assert account(db, 1).state == "active"
    assert len(snapshots(db, 1)) == 1


def test_a_flaky_platform_is_retried_with_backoff_and_succeeds(db: Database) -> None:
    world = one_account(db, "flaky")
    summary = world.poll_due(force=True)
    profile = attempts(db, 1, "profile")
    assert [a.outcome for a in profile] == ["error", "ok"]
    assert summary.counts["facebook"]["ok"] >= 1
    assert 1.0 <= world.sleeps[0] <= 2.0  # first wait: half to all of the 2 s base
    assert len(snapshots(db, 1)) == 1


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(max_attempts=10, base=2.0, cap=10.0)
    waits = [policy.delay(n) for n in range(1, 8)]
    assert all(w <= 10.0 for w in waits)
    assert waits[0] <= 2.0 and waits[3] >= 5.0  # 2 s ceiling, then 16 s capped to 10


def test_a_platform_that_stays_down_gets_bounded_tries_and_keeps_its_state(db: Database) -> None:
    world = one_account(db, "down")
    world.poll_due()
    tries = attempts(db, 1, "profile")
    assert len(tries) == 3 and all(a.outcome == "error" for a in tries)
    assert len(world.sleeps) == 4  # two waits for the profile, two for the posts
    acc = account(db, 1)
    assert acc.state == "active"  # the platform's fault, not the account's
    assert acc.next_profile_at == slot_start(NOW, timedelta(hours=6)) + timedelta(hours=6)


def test_a_timeout_is_retried_as_a_platform_outage(db: Database) -> None:
    world = one_account(db, "timeout")
    world.poll_due()
    tries = attempts(db, 1, "profile")
    assert len(tries) == 3
    assert {a.error_class for a in tries} == {"PlatformUnavailable"}
    assert "timed out" in (tries[0].message or "")


def test_a_malformed_payload_is_an_error_without_retry(db: Database) -> None:
    world = one_account(db, "malformed")
    world.poll_due()
    tries = attempts(db, 1, "profile")
    assert [(a.outcome, a.error_class) for a in tries] == [("error", "BadResponse")]
    assert world.sleeps == [] and snapshots(db, 1) == []


def test_rate_limit_pauses_that_platform_and_the_others_go_on(db: Database) -> None:
    world = World(
        db,
        {"limited": spec("rate_limited"), "second": spec(), "other": spec()},
        limits=lambda _p: Limit(10_000, 60.0, 1),
    )
    pid = add_person(db, "mentee-01")
    limited = add_account(db, pid, "x", "limited")
    second = add_account(db, pid, "x", "second")
    other = add_account(db, pid, "facebook", "other")
    summary = world.poll_due()
    assert summary.counts["x"]["rate_limited"] == 1
    assert summary.counts["x"]["deferred"] == 1  # the second x account waits for the pause
    assert summary.counts["facebook"]["ok"] == 2
    assert attempts(db, second) == []
    assert len(attempts(db, limited)) == 1
    with db.session() as s:
        state = s.get(PlatformState, "x")
        assert state is not None and state.paused_until == NOW + timedelta(seconds=60)
    world.now = NOW + timedelta(seconds=30)
    assert world.poll_due().total() == 0  # paused: not even claimed
    set_failure(world.connector, "limited", None)
    world.now = NOW + timedelta(seconds=61)
    summary = world.poll_due()
    assert summary.counts["x"]["ok"] == 4
    assert len(snapshots(db, second)) == 1 and len(snapshots(db, other)) == 1


def test_the_breaker_opens_cools_down_and_sends_one_probe(db: Database) -> None:
    world = World(
        db,
        {f"a{i}": spec("down") for i in range(4)},
        limits=lambda _p: Limit(10_000, 60.0, 1),
        retry=RetryPolicy(max_attempts=1),
        breaker_failures=2,
        breaker_cooldown=timedelta(minutes=10),
    )
    pid = add_person(db, "mentee-01")
    ids = [add_account(db, pid, "bluesky", f"a{i}") for i in range(4)]
    summary = world.poll_due()
    # profile and posts of the first account failed; the breaker opened; the rest waits
    assert summary.counts["bluesky"]["error"] == 2
    assert summary.counts["bluesky"]["deferred"] == 3
    calls = world.connector.calls
    world.now = NOW + timedelta(minutes=5)
    world.poll_due(force=True)
    assert world.connector.calls == calls  # cooling down: no request at all
    world.now = NOW + timedelta(minutes=11)
    summary = world.poll_due(force=True)
    assert world.connector.calls == calls + 1  # one probe, which failed: open again
    assert summary.counts["bluesky"]["error"] == 1
    for i in range(4):
        set_failure(world.connector, f"a{i}", None)
    world.now = NOW + timedelta(minutes=22)
    summary = world.poll_due(force=True)
    assert summary.counts["bluesky"]["ok"] == 8  # the probe got through; all went on
    assert all(len(snapshots(db, i)) == 1 for i in ids)


def test_a_renamed_account_keeps_its_history(db: Database) -> None:
    world = World(db, {"old_name": spec(platform_id="p-1"), "new_name": spec(platform_id="p-1")})
    acc = add_account(db, add_person(db, "mentee-01"), "x", "old_name")
    world.poll_due()
    set_failure(world.connector, "old_name", "not_found")  # renamed away
    with db.write() as s:
        s.get(Account, acc).handle = "new_name"  # type: ignore[union-attr]
    world.now = NOW + timedelta(hours=6)
    world.poll_due()
    assert len(snapshots(db, acc)) == 2
    assert account(db, acc).platform_id == "p-1" and account(db, acc).state == "active"


def test_a_handle_now_owned_by_another_account_is_not_merged(db: Database) -> None:
    world = World(db, {"taken": spec(platform_id="p-1")})
    acc = add_account(db, add_person(db, "mentee-01"), "x", "taken")
    world.poll_due()
    world.connector.profiles["taken"] = world.connector.profiles["taken"].__class__.from_dict(
        "taken", spec(platform_id="p-999")
    )
    world.now = NOW + timedelta(hours=6)
    world.poll_due()
    assert len(snapshots(db, acc)) == 1  # nothing of the stranger was stored
    current = account(db, acc)
    assert current.state == "paused" and current.platform_id == "p-1"
    assert "not merged" in (current.state_reason or "")
    world.now = NOW + timedelta(hours=12)
    assert world.poll_due().total() == 0  # paused until a person looks


@pytest.mark.parametrize(
    ("consent", "withdrawn", "platforms"),
    [(None, None, None), (date(2026, 1, 1), date(2026, 2, 1), None), (date(2026, 1, 1), None, "x")],
    ids=["never-given", "withdrawn", "other-platform-only"],
)
def test_accounts_without_consent_are_never_polled(
    db: Database, consent: date | None, withdrawn: date | None, platforms: str | None
) -> None:
    world = World(db, {"erika": spec()})
    pid = add_person(db, "mentee-01", consent=consent, withdrawn=withdrawn, platforms=platforms)
    acc = add_account(db, pid, "facebook", "erika")
    claimed = claim(db, "test", NOW, schedule=Schedule(), force=True)
    assert claimed.jobs == () and claimed.no_consent == 1
    world.poll_due()
    assert world.engine.poll(AccountJob(acc, "facebook", "erika")) == []
    assert world.connector.calls == 0
    assert attempts(db, acc) == [] and snapshots(db, acc) == []


def test_attempt_messages_carry_no_secret(db: Database) -> None:
    secret = "tok-5ecret-abcdef123456"
    protect(secret)
    world = one_account(db)

    class Leaky:
        platform = "facebook"

        def fetch_profile(self, handle: str) -> None:
            raise RuntimeError(f"GET /me?access_token={secret} failed")

        def fetch_posts(self, handle: str, since: object = None, limit: int = 50) -> None:
            raise RuntimeError(f"Authorization: Bearer {secret}")

    world.engine._connectors["facebook"] = Leaky()  # type: ignore[assignment]
    world.poll_due()
    tried = attempts(db, 1)
    assert {(a.outcome, a.error_class) for a in tried} == {("error", "RuntimeError")}
    for a in tried:
        assert secret not in (a.message or "") and "***" in (a.message or "")


def test_status_says_what_to_do_about_expired_credentials(db: Database) -> None:
    world = one_account(db, "auth_failed")
    world.poll_due()
    with db.session() as s:
        [row] = account_statuses(s, NOW)
    assert row.state == "auth_failed"
    assert row.action is not None and "token" in row.action


def test_a_new_handle_of_an_already_tracked_account_is_not_merged(db: Database) -> None:
    world = World(db, {"first": spec(platform_id="p-7"), "second": spec(platform_id="p-7")})
    pid = add_person(db, "mentee-01")
    first = add_account(db, pid, "x", "first")
    world.poll_due()
    second = add_account(db, pid, "x", "second")
    world.now = NOW + timedelta(minutes=10)
    world.poll_due()
    assert snapshots(db, second) == [] and len(snapshots(db, first)) == 1
    current = account(db, second)
    assert current.state == "paused" and current.platform_id is None
    assert f"#{first}" in (current.state_reason or "")
    assert [a.outcome for a in attempts(db, second)] == ["error"]
