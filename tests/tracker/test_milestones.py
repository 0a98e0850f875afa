"""Learning milestones found in snapshot and post frames."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from tracker.metrics.milestones import detect

T0 = datetime(2025, 3, 3, 6, tzinfo=UTC)  # a Monday


def snaps(account_id: int, platform: str, points: list[tuple[int, int | None, int | None]]):
    """(day, followers, posts count) per snapshot."""
    return pd.DataFrame(
        {
            "person_id": 1,
            "account_id": account_id,
            "platform": platform,
            "taken_at": pd.to_datetime([T0 + timedelta(days=d) for d, _, _ in points], utc=True),
            "followers": pd.array([f for _, f, _ in points], dtype="Int64"),
            "posts": pd.array([p for _, _, p in points], dtype="Int64"),
        }
    )


def posts(account_id: int, platform: str, rows: list[tuple[float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": 1,
            "account_id": account_id,
            "platform": platform,
            "post_id": [f"{account_id}-{i}" for i in range(len(rows))],
            "published_at": pd.to_datetime([T0 + timedelta(days=d) for d, _ in rows], utc=True),
            "kind": [k for _, k in rows],
            "likes": pd.array([1] * len(rows), dtype="Int64"),
            "comments": pd.array([0] * len(rows), dtype="Int64"),
            "shares": pd.array([0] * len(rows), dtype="Int64"),
        }
    )


def kinds(found) -> dict[str, list]:
    out: dict[str, list] = {}
    for m in found:
        out.setdefault(m.kind, []).append(m)
    return out


def test_a_new_account_in_the_cohort_is_told_once_as_adopted_not_also_as_first_post() -> None:
    s = snaps(1, "instagram", [(0, 5, 0), (1, 6, 0), (10, 9, 2)])
    p = posts(1, "instagram", [(4.2, "photo"), (8, "text")])
    found = kinds(detect(s, p, date(2025, 3, 1), date(2025, 10, 1)))
    (adopted,) = found["platform_adopted"]
    assert adopted.at == T0 + timedelta(days=4.2) and adopted.platform == "instagram"
    assert "first_post" not in found  # the same event, the same day: one line, not two


def test_one_milestone_per_platform_and_local_day_the_most_specific() -> None:
    # The first post is a video and takes the account over 100 followers the same day; on
    # another platform the same day a second line stays.
    s = pd.concat(
        [
            snaps(1, "instagram", [(0, 95, 0), (1, 99, 0), (2.5, 130, 1)]),
            snaps(2, "x", [(0, 50, 0), (1, 50, 0), (2.6, 51, 1)]),
        ]
    )
    p = pd.concat([posts(1, "instagram", [(2.1, "reel")]), posts(2, "x", [(2.2, "text")])])
    found = detect(s, p, date(2025, 3, 1), date(2025, 10, 1))
    per_day = [(m.platform, m.kind) for m in found if m.platform is not None]
    assert sorted(per_day) == [("instagram", "platform_adopted"), ("x", "platform_adopted")]


def test_milestone_days_are_local_days() -> None:
    # 23:30 UTC on Sunday 25 October 2026 is 00:30 on Monday in Berlin (the clocks went back
    # that night): a threshold crossed then and a first post at 22:00 UTC the same Sunday (23:00
    # Berlin, Sunday) fall on two local days, so both are kept.
    sunday = datetime(2026, 10, 25, 22, tzinfo=UTC)
    s = snaps(1, "x", [(0, 5, 0)])
    s["taken_at"] = pd.to_datetime([sunday - timedelta(days=3)], utc=True)
    late = pd.DataFrame(
        {
            "person_id": 1,
            "account_id": 1,
            "platform": "x",
            "taken_at": pd.to_datetime([sunday + timedelta(minutes=90)], utc=True),
            "followers": pd.array([120], dtype="Int64"),
            "posts": pd.array([1], dtype="Int64"),
        }
    )
    p = posts(1, "x", [(0, "text")])
    p["published_at"] = pd.to_datetime([sunday], utc=True)
    found = detect(pd.concat([s, late]), p, date(2026, 10, 1), date(2026, 12, 1))
    assert sorted(m.kind for m in found) == ["followers_100", "platform_adopted"]


def test_an_old_account_seen_with_earlier_posts_has_no_first_post() -> None:
    # The first snapshot counts 40 posts; only two of them are known.
    s = snaps(1, "facebook", [(0, 300, 40), (1, 301, 40)])
    p = posts(1, "facebook", [(-10, "text"), (0.1, "photo")])
    found = kinds(detect(s, p, date(2025, 3, 1), date(2025, 10, 1)))
    assert "first_post" not in found and "platform_adopted" not in found


def test_a_first_post_before_the_cohort_is_not_an_adoption() -> None:
    s = snaps(1, "x", [(0, 5, 0), (1, 5, 1)])
    p = posts(1, "x", [(0.5, "text")])
    found = kinds(detect(s, p, date(2025, 4, 1), date(2025, 10, 1)))
    assert len(found["first_post"]) == 1 and "platform_adopted" not in found


def test_follower_thresholds_are_crossings_seen_while_tracked() -> None:
    s = pd.concat(
        [
            snaps(1, "instagram", [(0, 80, 1), (5, 99, 1), (6, 101, 1), (9, 98, 1), (20, 520, 1)]),
            snaps(2, "facebook", [(0, 700, 1), (30, 1200, 1)]),  # started above 100 and 500
        ]
    )
    found = kinds(detect(s, posts(1, "instagram", [])))
    assert [(m.platform, m.at) for m in found["followers_100"]] == [
        ("instagram", T0 + timedelta(days=6))
    ]
    assert [(m.platform, m.at) for m in found["followers_500"]] == [
        ("instagram", T0 + timedelta(days=20))
    ]
    assert [(m.platform, m.value) for m in found["followers_1000"]] == [("facebook", 1000)]


def test_posting_weekly_four_weeks_running() -> None:
    # Weeks 0, 1, (none in 2), 3, 4, 5, 6: the streak of four completes in week 6.
    days = [1, 8, 22, 30, 36, 45]
    found = kinds(detect(snaps(1, "x", [(0, 5, 0)]), posts(1, "x", [(d, "text") for d in days])))
    (streak,) = found["weekly_4_weeks"]
    assert streak.at == T0 + timedelta(days=45) and streak.value == 4


def test_three_weeks_running_is_not_yet_the_milestone() -> None:
    found = kinds(
        detect(snaps(1, "x", [(0, 5, 0)]), posts(1, "x", [(1, "text"), (8, "text"), (15, "text")]))
    )
    assert "weekly_4_weeks" not in found


def test_first_video_or_reel() -> None:
    p = pd.concat(
        [
            posts(1, "instagram", [(3, "photo"), (9, "reel"), (12, "video")]),
            posts(2, "facebook", [(7, "video")]),
        ]
    )
    found = kinds(detect(snaps(1, "instagram", [(0, 5, None)]), p))
    (video,) = found["first_video"]
    assert video.at == T0 + timedelta(days=7) and video.platform == "facebook"
