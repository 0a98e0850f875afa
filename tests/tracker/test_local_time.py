"""Days and weeks are the programme's local ones (Europe/Berlin, with daylight saving): a post
at 00:30 on a Monday belongs to that Monday and its week, also in the weeks the clocks change
(the last Sunday of October and of March)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from tracker.metrics import (
    as_moment,
    effect_windows,
    posts_per_week,
    posts_weekly,
    set_timezone,
    weekly_post_counts,
)
from tracker.metrics.milestones import detect

BERLIN = "Europe/Berlin"


@pytest.fixture(autouse=True)
def berlin() -> Iterator[None]:
    set_timezone(BERLIN)
    yield
    set_timezone(BERLIN)


def frame(*moments: datetime) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": 1,
            "account_id": 1,
            "platform": "x",
            "post_id": [str(i) for i in range(len(moments))],
            "published_at": pd.to_datetime(list(moments), utc=True),
            "kind": "text",
        }
    )


# 00:30 Berlin on the Monday after the clocks change: still Sunday in UTC.
AUTUMN_MONDAY = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)  # CET, UTC+1
SPRING_MONDAY = datetime(2026, 3, 29, 22, 30, tzinfo=UTC)  # CEST, UTC+2


@pytest.mark.parametrize(
    ("post", "first_monday", "change_monday"),
    [
        (AUTUMN_MONDAY, date(2026, 10, 5), date(2026, 10, 26)),
        (SPRING_MONDAY, date(2026, 3, 9), date(2026, 3, 30)),
    ],
)
def test_a_post_at_half_past_midnight_on_monday_counts_in_that_mondays_week(
    post: datetime, first_monday: date, change_monday: date
) -> None:
    end = date.fromordinal(first_monday.toordinal() + 28)
    counts = weekly_post_counts(frame(post), first_monday, end)
    assert counts.tolist() == [0, 0, 0, 1]
    # The week that holds the post starts at local midnight of that Monday.
    assert counts.index[-1] == as_moment(change_monday)
    assert counts.index[-1].tz_convert(BERLIN).date() == change_monday
    assert counts.index[-1].tz_convert(BERLIN).hour == 0
    # The week before it ends before the post: the post is not Sunday's.
    assert posts_per_week(frame(post), first_monday, change_monday) == 0
    assert posts_per_week(frame(post), change_monday, end) == 1.0


def test_four_weeks_across_the_change_of_the_clocks_are_28_local_days() -> None:
    # One post a week, each on Monday at 00:30 Berlin, in the four weeks around the change.
    posts = frame(
        *(
            pd.Timestamp(datetime(2026, 10, d, 0, 30)).tz_localize(BERLIN).tz_convert(UTC)
            for d in (12, 19, 26)
        ),
        pd.Timestamp(datetime(2026, 11, 2, 0, 30)).tz_localize(BERLIN).tz_convert(UTC),
    )
    assert posts_per_week(posts, date(2026, 10, 12), date(2026, 11, 9)) == 1.0
    assert posts_weekly(posts, date(2026, 11, 9)) is True
    before, after = effect_windows(date(2026, 10, 29), 28)
    assert before[0].tz_convert(BERLIN).hour == 0 and after[1].tz_convert(BERLIN).hour == 0
    assert (after[1] - after[0]) == pd.Timedelta(days=28)  # no change of the clocks inside
    assert (before[1] - before[0]) == pd.Timedelta(days=28, hours=1)  # 25 October is 25 hours


def test_weekly_posting_streak_uses_local_calendar_weeks() -> None:
    # The first post is at 00:30 Berlin on Monday 12 October, still Sunday in UTC: in UTC weeks
    # the week of 12 October would have none and the four weeks would not run.
    local = [
        datetime(2026, 10, 12, 0, 30),
        *(datetime(2026, m, d, 12) for m, d in ((10, 21), (10, 28), (11, 4))),
    ]
    posted = [pd.Timestamp(t).tz_localize(BERLIN).tz_convert(UTC) for t in local]
    snaps = pd.DataFrame(
        {
            "person_id": 1,
            "account_id": 1,
            "platform": "x",
            "taken_at": pd.to_datetime([datetime(2026, 9, 1, tzinfo=UTC)], utc=True),
            "followers": pd.array([10], dtype="Int64"),
            "posts": pd.array([40], dtype="Int64"),
        }
    )
    (streak,) = [m for m in detect(snaps, frame(*posted)) if m.kind == "weekly_4_weeks"]
    assert streak.at == posted[-1].to_pydatetime()


@pytest.mark.parametrize("zone", [BERLIN, "America/New_York", "Australia/Lord_Howe"])
def test_local_clock_times_match_the_zone_database_around_every_change(zone: str) -> None:
    """The local day of a moment one second before, at and after each change of the clocks
    (and across the years) is the one the zone database gives: a post on the night the
    clocks change is counted on the right day."""
    import numpy as np

    from tracker.metrics import from_wall_ns, wall_ns

    set_timezone(zone)
    moments = pd.date_range("1990-01-01", "2060-12-31", freq="6h", tz=UTC)
    wall = moments.tz_convert(zone).tz_localize(None).as_unit("ns").asi8
    offset = wall - moments.as_unit("ns").asi8
    changes = moments[:-1][offset[:-1] != offset[1:]]
    near = changes.as_unit("ns").asi8
    steps = (-(10**9), 0, 10**9, 3 * 3600 * 10**9)
    probes = np.concatenate([moments.as_unit("ns").asi8, *(near + d for d in steps)])
    local = pd.DatetimeIndex(probes.astype("datetime64[ns]")).tz_localize(UTC).tz_convert(zone)
    expected = local.tz_localize(None).as_unit("ns").asi8
    assert len(changes) > 100
    assert (wall_ns(probes) == expected).all()
    # And back: a wall time the clocks skip moves forward, a repeated one is its first.
    walls = np.concatenate([expected, *(wall_ns(near) + d for d in (-(10**9), 0, 1800 * 10**9))])
    naive = pd.DatetimeIndex(walls.astype("datetime64[ns]"))
    aware = naive.tz_localize(
        zone, ambiguous=np.ones(len(walls), dtype=bool), nonexistent="shift_forward"
    )
    assert (from_wall_ns(walls) == aware.tz_convert(UTC).as_unit("ns").asi8).all()
