"""The pinned metric definitions on small hand-computed examples."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from tracker import metrics as m

T0 = datetime(2025, 3, 3, 6, tzinfo=UTC)  # a Monday


def snaps(points: list[tuple[int, int | None]], account_id: int = 1) -> pd.DataFrame:
    """Snapshots at T0 + day offsets with the given follower counts."""
    frame = pd.DataFrame(
        {
            "person_id": 1,
            "account_id": account_id,
            "platform": "instagram",
            "taken_at": pd.to_datetime([T0 + timedelta(days=d) for d, _ in points], utc=True),
            "followers": pd.array([f for _, f in points], dtype="Int64"),
            "posts": pd.array([None] * len(points), dtype="Int64"),
        }
    )
    return frame


def posts(rows: list[tuple[float, str, int | None, int | None, int | None]]) -> pd.DataFrame:
    """Posts at T0 + day offsets: (day, platform, likes, comments, shares)."""
    return pd.DataFrame(
        {
            "person_id": 1,
            "account_id": 1,
            "platform": [r[1] for r in rows],
            "post_id": [str(i) for i in range(len(rows))],
            "published_at": pd.to_datetime([T0 + timedelta(days=r[0]) for r in rows], utc=True),
            "kind": "photo",
            "likes": pd.array([r[2] for r in rows], dtype="Int64"),
            "comments": pd.array([r[3] for r in rows], dtype="Int64"),
            "shares": pd.array([r[4] for r in rows], dtype="Int64"),
        }
    )


def daily(start: int, values: list[int]) -> list[tuple[int, int | None]]:
    return [(start + i, v) for i, v in enumerate(values)]


def test_tiny_account_growth_absolute_percent_and_weekly_compound() -> None:
    # 12 followers growing to 15 over exactly 28 days, read every day.
    values = [12] * 10 + [13] * 10 + [14] * 8 + [15]
    g = m.follower_growth(snaps(daily(0, values)), T0.date(), T0 + timedelta(days=28))
    assert (g.start_value, g.end_value, g.absolute) == (12, 15, 3)
    assert g.percent == pytest.approx(25.0)
    # (15/12)^(7/28) - 1 = 1.25^0.25 - 1
    assert g.weekly == pytest.approx(0.0573713, abs=1e-6)
    assert g.coverage == 1.0
    assert not g.gap and not g.late_start and not g.early_end


def test_account_started_during_the_period_is_measured_from_its_first_count() -> None:
    frame = snaps(daily(14, [3, 4, 5, 6, 7, 8, 9, 10]))  # begins two weeks into the period
    g = m.follower_growth(frame, T0.date(), T0 + timedelta(days=21))
    assert g.late_start
    assert g.start_value == 3 and g.end_value == 10
    assert g.start_at == T0 + timedelta(days=14)
    assert g.weekly == pytest.approx((10 / 3) ** (7 / 7) - 1)


def test_growth_across_a_failed_poll_says_so_and_is_not_interpolated() -> None:
    # Days 3 to 6 failed: four missing days between day 2 and day 7.
    frame = snaps([(0, 100), (1, 101), (2, 102), (7, 110), (8, 111)])
    g = m.follower_growth(frame)
    assert g.gap
    assert g.gaps == (m.Gap(T0 + timedelta(days=2), T0 + timedelta(days=7)),)
    assert g.coverage == pytest.approx(5 / 9)
    series = m.plot_series(frame)
    assert series.y == (100.0, 101.0, 102.0, None, None, None, None, 110.0, 111.0)
    assert series.has_gaps


def test_unknown_counts_stay_unknown() -> None:
    frame = snaps([(0, None), (1, None), (2, None)])
    g = m.follower_growth(frame)
    assert g.absolute is None and g.percent is None and g.weekly is None
    assert m.plot_series(frame).y == ()
    assert m.value_at(frame, T0) is None


def test_growth_from_zero_has_no_percent_or_rate() -> None:
    g = m.follower_growth(snaps([(0, 0), (7, 5)]))
    assert g.absolute == 5
    assert g.percent is None and g.weekly is None


def test_posts_per_week_counts_by_publication_day() -> None:
    frame = posts([(d, "x", 1, 0, 0) for d in (0, 1, 3, 8, 12, 13, 15)])
    # 6 posts in [day 0, day 14): 6 / 2 weeks
    assert m.posts_per_week(frame, T0, T0 + timedelta(days=14)) == pytest.approx(3.0)
    counts = m.weekly_post_counts(frame, T0, T0 + timedelta(days=21))
    assert counts.tolist() == [3, 3, 1]


def test_consistency_is_the_share_of_weeks_with_a_post() -> None:
    frame = posts([(d, "x", 1, 0, 0) for d in (1, 2, 9, 23)])  # weeks 0, 1, 3 of four
    assert m.consistency(frame, T0, T0 + timedelta(days=28)) == pytest.approx(0.75)
    assert not m.posts_weekly(frame, T0 + timedelta(days=28))
    assert m.posts_weekly(frame, T0 + timedelta(days=14), weeks=2)


def test_platform_adoption_needs_a_post_in_the_last_30_days() -> None:
    frame = posts([(0, "facebook", 1, 0, 0), (25, "x", 1, 0, 0), (40, "blog", 1, 0, 0)])
    assert m.adopted_platforms(frame, T0 + timedelta(days=41)) == {"x", "blog"}
    assert m.adopted_platforms(frame, T0 + timedelta(days=20)) == {"facebook"}


def test_engagement_uses_the_follower_count_nearest_the_publication() -> None:
    frame = snaps([(0, 12), (2, 20), (10, 50)])
    p = posts(
        [
            (0.5, "instagram", 3, 1, None),  # nearest day 0 (12): 4 / 12 = 33.33 %
            (1.75, "instagram", 8, 1, 1),  # nearest day 2 (20): 10 / 20 = 50 %
            (6.5, "instagram", None, None, None),  # nothing known: no rate
        ]
    )
    rates = m.engagement_rates(p, frame)
    assert rates["followers_at"].tolist()[:2] == [12, 20]
    assert rates["rate"].iloc[0] == pytest.approx(100 * 4 / 12)
    assert rates["rate"].iloc[1] == pytest.approx(50.0)
    assert pd.isna(rates["rate"].iloc[2])
    # The period's value is the median over its posts with a known rate.
    assert m.median_engagement(rates, T0, T0 + timedelta(days=7)) == pytest.approx(
        (100 * 4 / 12 + 50) / 2
    )


def test_engagement_without_a_nearby_count_is_unknown() -> None:
    rates = m.engagement_rates(posts([(20, "x", 5, 0, 0)]), snaps([(0, 100)]))
    assert pd.isna(rates["rate"].iloc[0])


def test_event_effect_compares_28_days_before_with_28_days_after() -> None:
    event = T0.date() + timedelta(days=28)
    events = pd.DataFrame({"date": [event], "kind": ["workshop"], "title": ["Storytelling"]})
    # 2 posts before, 8 after: 0.5 and 2.0 posts a week.
    before = [(d, "x", 1, 0, 0) for d in (3, 17)]
    after = [(28 + d, "x", 1, 0, 0) for d in (0, 2, 5, 9, 12, 16, 20, 27)]
    growth = snaps(daily(0, [100 + i for i in range(57)]))
    effects = m.event_effects(
        events, posts=posts(before + after), snaps=growth, today=event + timedelta(days=30)
    )
    by = {e.metric: e for e in effects}
    assert by["posts_per_week"].before == pytest.approx(0.5)
    assert by["posts_per_week"].after == pytest.approx(2.0)
    assert by["posts_per_week"].change == pytest.approx(1.5)
    assert by["posts_per_week"].complete
    # Follower counts: day 0..27 (100 -> 127) and day 28..55 (128 -> 155), in % a week.
    assert by["follower_growth"].before == pytest.approx(((127 / 100) ** (7 / 27) - 1) * 100)
    assert by["follower_growth"].after == pytest.approx(((155 / 128) ** (7 / 27) - 1) * 100)


def test_event_effect_of_a_future_event_is_unknown() -> None:
    event = date(2025, 6, 1)
    events = pd.DataFrame({"date": [event], "kind": ["closing"], "title": ["Abschluss"]})
    (effect,) = m.event_effects(events, posts=posts([(1, "x", 1, 0, 0)]), today=date(2025, 5, 1))
    assert effect.after is None and not effect.complete


def test_plot_series_on_a_fixed_grid_marks_missing_slots() -> None:
    frame = snaps([(1, 10), (2, 11)])
    s = m.plot_series(frame, start=T0, end=T0 + timedelta(days=3))
    assert s.y == (None, 10.0, 11.0, None)
    assert len(s.x) == 4
