"""Tandem goals: adding, ticking and checking them against the data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from tracker.errors import NotFoundError
from tracker.programme.goals import GoalError, GoalSpec, add_goal, evaluate, find_tandem, mark_done
from tracker.store.db import Database
from tracker.store.models import Cohort, Goal, Person, ProgrammeEvent, Tandem

T0 = datetime(2025, 3, 3, 18, tzinfo=UTC)  # goals set on a Monday evening


def spec(**kw) -> GoalSpec:
    base = {
        "id": 1,
        "tandem_id": 1,
        "title": "goal",
        "kind": "metric",
        "metric": None,
        "platform": None,
        "target": None,
        "weeks": None,
        "due": None,
        "done_at": None,
        "done_by": None,
        "created_by": "mentor-01",
        "created_at": T0,
    }
    base.update(kw)
    return GoalSpec(**base)


# One account per platform, as in the store.
ACCOUNT_OF = {"facebook": 7, "instagram": 1, "x": 2, "blog": 3}


def posts(days: list[float], platform: str = "instagram") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": 1,
            "account_id": ACCOUNT_OF[platform],
            "platform": platform,
            "published_at": pd.to_datetime(
                [datetime(2025, 3, 3, tzinfo=UTC) + timedelta(days=d) for d in days], utc=True
            ),
            "kind": "photo",
        }
    )


def snaps(points: list[tuple[int, int]], platform: str = "facebook") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": 1,
            "account_id": ACCOUNT_OF[platform],
            "platform": platform,
            "taken_at": pd.to_datetime(
                [datetime(2025, 3, 3, 6, tzinfo=UTC) + timedelta(days=d) for d, _ in points],
                utc=True,
            ),
            "followers": pd.array([f for _, f in points], dtype="Int64"),
        }
    )


NO_SNAPS = snaps([]).iloc[:0]
NO_POSTS = posts([]).iloc[:0]


def test_two_posts_a_week_for_four_weeks_is_reached_with_the_weeks_as_evidence() -> None:
    goal = spec(metric="posts_per_week", platform="instagram", target=2, weeks=4)
    # Week 0: 1 post; weeks 1-4: 2, 3, 2, 2 posts; plus posts elsewhere that do not count.
    days = [1, 7.5, 9, 14, 15, 16, 22, 23, 29.2, 30]
    data = pd.concat([posts(days), posts([2, 3], platform="x")])
    status = evaluate(goal, 1, NO_SNAPS, data, date(2025, 4, 30))
    assert status.status == "reached"
    assert status.reached_on == date(2025, 4, 2)  # the second post of the fourth week
    assert [(e.on, e.value) for e in status.evidence] == [
        (date(2025, 3, 10), 2),
        (date(2025, 3, 17), 3),
        (date(2025, 3, 24), 2),
        (date(2025, 3, 31), 2),
    ]


def test_posting_goal_missed_when_too_few_weeks_are_left() -> None:
    goal = spec(
        metric="posts_per_week", platform="instagram", target=2, weeks=4, due=date(2025, 3, 30)
    )
    status = evaluate(goal, 1, NO_SNAPS, posts([1, 2]), date(2025, 3, 18))
    assert status.status == "missed"
    on_track = evaluate(
        spec(metric="posts_per_week", platform="instagram", target=2, weeks=4),
        1,
        NO_SNAPS,
        posts([1, 2]),
        date(2025, 3, 11),
    )
    assert on_track.status == "on_track"


def test_followers_goal_reached_on_the_first_count_at_the_target() -> None:
    goal = spec(metric="followers", platform="facebook", target=500, due=date(2025, 6, 1))
    status = evaluate(goal, 1, snaps([(0, 420), (10, 499), (11, 503)]), NO_POSTS, date(2025, 5, 1))
    assert status.status == "reached" and status.reached_on == date(2025, 3, 14)
    assert status.evidence[0].value == 503


def test_followers_goal_on_track_by_projection_and_missed_after_due() -> None:
    goal = spec(metric="followers", platform="facebook", target=500, due=date(2025, 6, 1))
    # 10 % a week for four weeks; 12 more weeks at that pace pass 500 easily.
    growing = snaps([(d, round(200 * 1.1 ** (d / 7))) for d in range(29)])
    assert evaluate(goal, 1, growing, NO_POSTS, date(2025, 3, 31)).status == "on_track"
    flat = snaps([(d, 200) for d in range(29)])
    assert evaluate(goal, 1, flat, NO_POSTS, date(2025, 3, 31)).status == "open"
    missed = evaluate(goal, 1, flat, NO_POSTS, date(2025, 6, 2))
    assert missed.status == "missed"
    assert missed.evidence[0].value == 200


def test_start_a_blog() -> None:
    goal = spec(metric="start_platform", platform="blog", due=date(2025, 6, 1))
    assert evaluate(goal, 1, NO_SNAPS, posts([3], "x"), date(2025, 4, 1)).status == "open"
    status = evaluate(goal, 1, NO_SNAPS, posts([12.5], "blog"), date(2025, 4, 1))
    assert status.status == "reached" and status.reached_on == date(2025, 3, 15)
    assert evaluate(goal, 1, NO_SNAPS, NO_POSTS, date(2025, 6, 2)).status == "missed"


def test_manual_goal_is_reached_when_ticked() -> None:
    goal = spec(kind="manual", due=date(2025, 5, 1))
    assert evaluate(goal, 1, NO_SNAPS, NO_POSTS, date(2025, 4, 1)).status == "open"
    assert evaluate(goal, 1, NO_SNAPS, NO_POSTS, date(2025, 5, 2)).status == "missed"
    done = spec(kind="manual", done_at=T0 + timedelta(days=4), done_by="mentor-01")
    status = evaluate(done, 1, NO_SNAPS, NO_POSTS, date(2025, 4, 1))
    assert status.status == "reached" and status.reached_on == date(2025, 3, 7)


@pytest.fixture
def tandem(sqlite_db: Database) -> Database:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    with sqlite_db.write() as s:
        cohort = Cohort(key="c1", name="C", start=date(2025, 2, 1), end=date(2025, 10, 1))
        cohort.events.append(ProgrammeEvent(date=date(2025, 9, 20), kind="closing", title="Ende"))
        s.add(cohort)
        s.flush()
        people = [
            Person(key=k, display_name=k, role=r, cohort_id=cohort.id, created_at=now)
            for k, r in (("mentee-a", "mentee"), ("mentor-a", "mentor"))
        ]
        s.add_all(people)
        s.flush()
        s.add(Tandem(cohort_id=cohort.id, mentee_id=people[0].id, mentor_id=people[1].id))
    return sqlite_db


def test_add_list_and_tick_goals_in_the_store(tandem: Database) -> None:
    with tandem.write() as s:
        t = find_tandem(s, "mentee-a")
        follow = add_goal(
            s,
            tandem_id=t.id,
            title="500 Follower",
            metric="followers",
            platform="facebook",
            target=500,
        )
        manual = add_goal(s, tandem_id=t.id, title="Profil überarbeiten")
        assert follow.due == date(2025, 9, 20)  # defaults to the closing event
        assert manual.kind == "manual"
        with pytest.raises(GoalError):
            mark_done(s, follow.id, "mentor-a")
        mark_done(s, manual.id, "mentor-a")
    with tandem.session() as s:
        ticked = s.get(Goal, manual.id)
        assert ticked is not None and ticked.done_by == "mentor-a" and ticked.done_at is not None


def test_incomplete_metric_goals_and_unknown_tandems_are_refused(tandem: Database) -> None:
    with tandem.write() as s:
        t = find_tandem(s, "mentee-a")
        with pytest.raises(GoalError, match="platform"):
            add_goal(s, tandem_id=t.id, title="x", metric="followers", target=5)
        with pytest.raises(GoalError, match="weeks"):
            add_goal(s, tandem_id=t.id, title="x", metric="posts_per_week", target=2)
        with pytest.raises(GoalError, match="unknown metric"):
            add_goal(s, tandem_id=t.id, title="x", metric="likes")
        with pytest.raises(NotFoundError):
            find_tandem(s, "nobody")
