"""The effect of each programme event on the cohort: before against after, over the mentees.

Each event gets the 28 local days before it and the 28 after it (``tracker.metrics.
effect_windows``), clipped to today while the after-window runs. Posts per week are taken per
mentee, median engagement per mentee and platform (never pooled across platforms: one effect
per platform), weekly follower growth (%) per account; the effect is the median of each side
over those with both values, and ``people`` is how many they are (n). A growth value measured
over a gap is counted as such.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tracker.cohort.periods import Window
from tracker.cohort.person_posts import Moments, PersonPosts, Span
from tracker.metrics import (
    EFFECT_DAYS,
    MAX_GAP,
    Counts,
    add_days,
    clip_window,
    effect_windows,
    growth_of,
    median_engagement,
    median_or_none,
    posts_per_week,
    weekly_rate,
)

logger = logging.getLogger(__name__)

EFFECT_METRICS = ("posts_per_week", "engagement", "follower_growth")
_NS_DAY = 86_400 * 10**9
_MAX_GAP_NS = int(pd.Timedelta(MAX_GAP).value)


@dataclass(frozen=True)
class CohortEffect:
    """The median over mentees (posting, engagement) or accounts (growth) of one event's
    before and after values."""

    event_date: date
    kind: str
    title: str
    metric: str
    before: float | None
    after: float | None
    people: int
    with_gaps: int
    complete: bool
    platform: str | None = None  # engagement only: the platform it was measured on


def _percent(value: float | None) -> float | None:
    return None if value is None else value * 100


class EffectTally:
    """Each event's before and after values, gathered one mentee at a time (so no frame of the
    whole cohort is needed): posts per week and median engagement per mentee, weekly follower
    growth (%) per account."""

    def __init__(self, events: pd.DataFrame, today: date, moments: Moments | None = None) -> None:
        """With ``moments``, the windows are registered there for :meth:`add_posts`."""
        until = add_days(today, 1)
        self.windows: list[tuple[Any, Window | None, Window | None, bool]] = []
        self.spans: list[tuple[Span, Span] | None] = []
        for ev in events.itertuples(index=False):
            full_before, full_after = effect_windows(ev.date, EFFECT_DAYS)
            before, after = clip_window(full_before, until), clip_window(full_after, until)
            self.windows.append((ev, before, after, until >= full_after[1]))
            if moments is not None and before is not None and after is not None:
                self.spans.append((moments.span(*before), moments.span(*after)))
            else:
                self.spans.append(None)
        self.moments = moments
        # Per event: the (before, after) pairs of each metric; engagement keyed per platform.
        self.pairs: list[dict[str, list[tuple[float | None, float | None]]]] = [
            {metric: [] for metric in EFFECT_METRICS if metric != "engagement"}
            for _ in self.windows
        ]
        self.engaged: list[dict[str, list[tuple[float | None, float | None]]]] = [
            {} for _ in self.windows
        ]
        self.gaps = [0] * len(self.windows)

    def add(self, posts: pd.DataFrame, rates: pd.DataFrame, counts: Iterable[Counts]) -> None:
        """One mentee's posts, engagement rates and the follower counts of her accounts."""
        counts = list(counts)
        platform = rates["platform"].to_numpy()
        # Split once per mentee, not once per event.
        on = {p: rates[platform == p] for p in sorted(set(platform.tolist()))}
        for i, (_, before, after, _) in enumerate(self.windows):
            if before is None or after is None:
                continue
            pairs = self.pairs[i]
            pairs["posts_per_week"].append(
                (posts_per_week(posts, *before), posts_per_week(posts, *after))
            )
            for name, mine in on.items():
                self.engaged[i].setdefault(name, []).append(
                    (median_engagement(mine, *before), median_engagement(mine, *after))
                )
            for c in counts:
                b, a = growth_of(c, *before), growth_of(c, *after)
                pairs["follower_growth"].append((_percent(b.weekly), _percent(a.weekly)))
                self.gaps[i] += b.gap or a.gap

    def add_posts(self, posts: PersonPosts, counts: Iterable[Counts]) -> None:
        """:meth:`add` from one mentee's posts as arrays (the tally must have been made with the
        moments ``posts`` was searched for)."""
        if self.moments is None:
            raise ValueError("the tally was made without moments")
        bounds = self.moments.values
        counts = list(counts)
        # Where each bound falls in each account's known counts ([first at or after, last at or
        # before], as growth_of takes a period), and how many gaps lie before each count.
        found = [
            (
                c,
                np.searchsorted(c.times, bounds, "left").tolist(),
                np.searchsorted(c.times, bounds, "right").tolist(),
                [0, *np.cumsum(np.diff(c.times) > _MAX_GAP_NS).tolist()],
            )
            for c in counts
            if len(c.times)
        ]
        engaged = list(posts.platforms)
        for i, spans in enumerate(self.spans):
            if spans is None:
                continue
            before, after = spans
            pairs = self.pairs[i]
            pairs["posts_per_week"].append((posts.per_week(before), posts.per_week(after)))
            for name in engaged:
                self.engaged[i].setdefault(name, []).append(
                    (posts.median_rate(before, name), posts.median_rate(after, name))
                )
            growth = pairs["follower_growth"]
            for c, lefts, rights, gaps in found:
                b_rate, b_gap = _weekly(c, gaps, lefts[before.start], rights[before.end])
                a_rate, a_gap = _weekly(c, gaps, lefts[after.start], rights[after.end])
                growth.append((_percent(b_rate), _percent(a_rate)))
                self.gaps[i] += b_gap or a_gap
            # An account without any known count has no growth before or after.
            growth.extend([(None, None)] * (len(counts) - len(found)))

    def effects(self) -> list[CohortEffect]:
        """The median over mentees (or accounts) of each event's before and after values:
        posts per week, follower growth, then engagement per platform (by platform)."""
        out: list[CohortEffect] = []
        for (ev, before, after, complete), pairs, engaged, gaps in zip(
            self.windows, self.pairs, self.engaged, self.gaps, strict=True
        ):
            if before is None or after is None:
                # Nothing after the event has happened yet: there is no effect to show.
                for metric in EFFECT_METRICS:
                    out.append(
                        CohortEffect(ev.date, ev.kind, ev.title, metric, None, None, 0, 0, False)
                    )
                continue
            measured: list[tuple[str, str | None, list[tuple[float | None, float | None]]]]
            measured = [(m, None, pairs[m]) for m in EFFECT_METRICS if m != "engagement"]
            measured += [("engagement", p, engaged[p]) for p in sorted(engaged)]
            for metric, platform, values in measured:
                both = [(b, a) for b, a in values if b is not None and a is not None]
                out.append(
                    CohortEffect(
                        ev.date,
                        ev.kind,
                        ev.title,
                        metric,
                        median_or_none([b for b, _ in both]),
                        median_or_none([a for _, a in both]),
                        len(both),
                        gaps if metric == "follower_growth" else 0,
                        complete,
                        platform,
                    )
                )
        return out


def _weekly(counts: Counts, gaps: list[int], lo: int, hi: int) -> tuple[float | None, bool]:
    """The weekly rate of ``growth_of`` over the known counts ``lo:hi``, and whether it was
    measured across a gap (its ``gap``); ``gaps[k]`` is how many gaps lie before count k."""
    if hi - lo < 2:
        return None, False
    t0, t1 = int(counts.times[lo]), int(counts.times[hi - 1])
    rate = weekly_rate(int(counts.values[lo]), int(counts.values[hi - 1]), (t1 - t0) / _NS_DAY)
    return rate, gaps[hi - 1] > gaps[lo]


def effect_key(metric: str, platform: str | None) -> str:
    """The column of an effect: its metric, engagement per platform (``engagement:x``)."""
    return metric if platform is None else f"{metric}:{platform}"


def effect_platforms(effects: Iterable[CohortEffect]) -> list[str]:
    """The platforms with an engagement effect measured for any event (n > 0), by name: a
    platform without follower counts (blogs) has no engagement rate to compare."""
    return sorted({e.platform for e in effects if e.platform and e.people})


@dataclass(frozen=True)
class EventEffects:
    """One event's effects by :func:`effect_key`, and whether its window after has passed."""

    event_date: date
    kind: str
    title: str
    complete: bool
    by_key: dict[str, CohortEffect]


def effects_by_event(effects: Iterable[CohortEffect]) -> list[EventEffects]:
    """The effects grouped per event, in the order they come (the events' order)."""
    grouped: dict[tuple[date, str, str], dict[str, CohortEffect]] = {}
    complete: dict[tuple[date, str, str], bool] = {}
    for e in effects:
        at = (e.event_date, e.kind, e.title)
        grouped.setdefault(at, {})[effect_key(e.metric, e.platform)] = e
        complete[at] = e.complete
    return [
        EventEffects(day, kind, title, complete[(day, kind, title)], by_key)
        for (day, kind, title), by_key in grouped.items()
    ]
