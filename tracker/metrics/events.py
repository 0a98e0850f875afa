"""The effect of a programme event: a metric over the days before against the days after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from tracker.metrics.counts import add_days, as_moment
from tracker.metrics.engagement import median_engagement
from tracker.metrics.growth import NO_GROWTH, follower_growth
from tracker.metrics.posting import posts_per_week

EFFECT_DAYS = 28


@dataclass(frozen=True)
class EventEffect:
    """A metric over the days before a programme event against the days after it."""

    event_date: date
    kind: str
    title: str
    metric: str  # posts_per_week, follower_growth (weekly %), engagement (median %)
    before: float | None
    after: float | None
    complete: bool  # the window after the event has fully passed
    gap: bool  # a follower count was missing inside a window

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def effect_windows(
    event_day: date, days: int = EFFECT_DAYS
) -> tuple[tuple[pd.Timestamp, pd.Timestamp], tuple[pd.Timestamp, pd.Timestamp]]:
    """The ``days`` local days before the event's day and the ``days`` local days from it on."""
    at = as_moment(event_day)
    return (add_days(at, -days), at), (at, add_days(at, days))


def clip_window(
    window: tuple[pd.Timestamp, pd.Timestamp], until: pd.Timestamp | None
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The part of ``window`` before ``until``; None when none of it has passed yet."""
    if until is None or window[1] <= until:
        return window
    if window[0] >= until:
        return None
    return window[0], until


def event_effects(
    events: pd.DataFrame,
    *,
    posts: pd.DataFrame | None = None,
    snaps: pd.DataFrame | None = None,
    rates: pd.DataFrame | None = None,
    today: date | None = None,
    days: int = EFFECT_DAYS,
) -> list[EventEffect]:
    """Per event: posts per week, weekly follower growth (%, one account's snapshots) and
    median engagement (%), each over the ``days`` before against the ``days`` after."""
    out: list[EventEffect] = []
    until = None if today is None else add_days(today, 1)
    for ev in events.itertuples(index=False):
        full_before, full_after = effect_windows(ev.date, days)
        before, after = clip_window(full_before, until), clip_window(full_after, until)
        complete = until is None or until >= full_after[1]

        def effect(
            metric: str,
            b: float | None,
            a: float | None,
            gap: bool = False,
            ev: object = ev,
            complete: bool = complete,
        ) -> None:
            e: Any = ev
            out.append(EventEffect(e.date, e.kind, e.title, metric, b, a, complete, gap))

        if posts is not None:
            effect(
                "posts_per_week",
                posts_per_week(posts, *before) if before else None,
                posts_per_week(posts, *after) if after else None,
            )
        if snaps is not None:
            gb = follower_growth(snaps, *before) if before else NO_GROWTH
            ga = follower_growth(snaps, *after) if after else NO_GROWTH
            effect(
                "follower_growth",
                None if gb.weekly is None else gb.weekly * 100,
                None if ga.weekly is None else ga.weekly * 100,
                gb.gap or ga.gap,
            )
        if rates is not None:
            effect(
                "engagement",
                median_engagement(rates, *before) if before else None,
                median_engagement(rates, *after) if after else None,
            )
    return out
