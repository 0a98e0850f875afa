"""The "Seit dem Auftakt" figures of one mentee: followers at the kickoff and now, posts per
week before the programme and in the last four weeks, the next goal and the latest milestone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from tracker.cohort.since_kickoff import next_goal, since_kickoff
from tracker.metrics.milestones import AccountRows, Milestone
from tracker.programme.goals import GoalStatus
from tracker.store.read_arrays import AccountData

KICKOFF = date(2026, 3, 2)
CLOSING = date(2026, 9, 30)
TODAY = date(2026, 5, 11)  # ten weeks after the kickoff


def _ns(day: date) -> int:
    return int(pd.Timestamp(datetime(day.year, day.month, day.day, 8, tzinfo=UTC)).value)


def account(platform: str, counts: dict[date, float], posts: list[date]) -> AccountData:
    days = sorted(counts)
    rows = AccountRows(
        person_id=1,
        account_id={"facebook": 1, "blog": 2}[platform],
        platform=platform,
        snap_at=np.array([_ns(d) for d in days], dtype="int64"),
        followers=np.array([counts[d] for d in days], dtype="float64"),
        first_count=float("nan"),
        post_at=np.array(sorted(_ns(d) for d in posts), dtype="int64"),
        video=np.zeros(len(posts), dtype=bool),
    )
    return AccountData(rows, np.full(len(posts), np.nan))


def goal(goal_id: int, status: str, due: date | None) -> GoalStatus:
    return GoalStatus(
        goal_id, 1, 1, f"Ziel {goal_id}", "manual", None, None, None, None, due, status, None, ()
    )


def test_followers_then_and_now_and_posts_per_week_before_and_now() -> None:
    counts = {KICKOFF - timedelta(days=3): 90.0, KICKOFF: 100.0, TODAY: 250.0}
    # Two posts in the 28 days before the kickoff, eight in the last 28 days.
    posts = [KICKOFF - timedelta(days=20), KICKOFF - timedelta(days=5)]
    posts += [TODAY - timedelta(days=3 * i) for i in range(8)]
    blog = account("blog", {KICKOFF: float("nan"), TODAY: float("nan")}, [TODAY])
    since = since_kickoff([account("facebook", counts, posts), blog], KICKOFF, CLOSING, TODAY)
    assert since.kickoff == KICKOFF and since.reference == TODAY
    facebook = next(a for a in since.accounts if a.platform == "facebook")
    assert (facebook.growth.start_value, facebook.growth.end_value) == (100, 250)
    assert facebook.growth.absolute == 150 and facebook.growth.percent == 150.0
    assert facebook.posts_per_week_before == 0.5
    assert facebook.posts_per_week_now == 2.0
    # A blog tells no follower count: unknown, never 0.
    blog_since = next(a for a in since.accounts if a.platform == "blog")
    assert blog_since.growth.absolute is None and blog_since.growth.start_value is None


def test_after_the_closing_the_figures_stop_at_the_closing() -> None:
    later = CLOSING + timedelta(days=40)
    counts = {KICKOFF: 100.0, CLOSING: 180.0, later: 400.0}
    since = since_kickoff([account("facebook", counts, [])], KICKOFF, CLOSING, later)
    assert since.reference == CLOSING
    assert since.accounts[0].growth.end_value == 180


def test_next_goal_is_the_open_one_due_first_and_the_latest_milestone_is_the_newest() -> None:
    goals = [
        goal(1, "reached", date(2026, 4, 1)),
        goal(2, "open", None),
        goal(3, "on_track", date(2026, 7, 1)),
        goal(4, "missed", date(2026, 6, 1)),
    ]
    assert next_goal(goals) is not None and next_goal(goals).goal_id == 3  # type: ignore[union-attr]
    assert next_goal([goals[0]]) is None
    old = Milestone(1, "first_post", datetime(2026, 3, 5, tzinfo=UTC), "facebook")
    new = Milestone(1, "followers", datetime(2026, 4, 5, tzinfo=UTC), "facebook", 100)
    since = since_kickoff([], KICKOFF, CLOSING, TODAY, goals, [new, old])
    assert since.latest_milestone == new and since.next_goal == goals[2]
