"""Posting frequency, consistency and platform adoption over the post frames, in the
programme's local days and weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from tracker.metrics.counts import (
    _NS_DAY,
    _moment_ns,
    add_days,
    as_moment,
    from_wall_ns,
    local_days,
    ns,
    wall_at,
)

ADOPTION_DAYS = 30


def posts_per_week(
    posts: pd.DataFrame, start: datetime | date, end: datetime | date
) -> float | None:
    """Posts published in ``[start, end)`` per week (of local days); None for an empty
    period."""
    return posts_per_week_at(ns(posts["published_at"]), start, end)


def posts_per_week_at(
    published: np.ndarray, start: datetime | date, end: datetime | date
) -> float | None:
    """:func:`posts_per_week` of publication times (int64 ns, UTC)."""
    days = local_days(start, end)
    if days <= 0:
        return None
    inside = (published >= _moment_ns(start)) & (published < _moment_ns(end))
    return int(inside.sum()) / (days / 7)


def week_edges(start_ns: int, end_ns: int) -> np.ndarray:
    """The starts of the complete 7-day windows (local days) from ``start_ns`` up to
    ``end_ns``, and the end of the last one (int64 ns, UTC): a window that spans a change of
    the clocks is an hour shorter or longer, so each starts at the same local time."""
    if end_ns <= start_ns:
        return np.empty(0, "int64")
    first, last = wall_at(start_ns), wall_at(end_ns)
    weeks = (last - first) // (7 * _NS_DAY) + 1
    edges = from_wall_ns(first + 7 * _NS_DAY * np.arange(weeks + 1, dtype="int64"))
    return edges[edges <= end_ns]


def week_counts(published: np.ndarray, start_ns: int, end_ns: int) -> np.ndarray:
    """Posts (publication times in int64 ns) per complete 7-day window (local days) from
    ``start_ns``; window ``k`` starts ``k`` weeks after ``start_ns`` on the local calendar."""
    return counts_in_weeks(published, week_edges(start_ns, end_ns))


def counts_in_weeks(published: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """:func:`week_counts` in the windows of ``edges`` (as :func:`week_edges` gives them), for
    a caller that counts the posts of several platforms in the same windows."""
    weeks = len(edges) - 1
    if weeks <= 0:
        return np.empty(0, "int64")
    index = np.searchsorted(edges, published, "right") - 1
    index = index[(index >= 0) & (index < weeks)]
    return np.bincount(index, minlength=weeks)[:weeks].astype("int64")


def weekly_post_counts(
    posts: pd.DataFrame, start: datetime | date, end: datetime | date
) -> pd.Series:
    """Posts per complete 7-day window (local days) from ``start`` (index: window start, UTC),
    zeros included."""
    first, last = _moment_ns(start), _moment_ns(end)
    counts = week_counts(ns(posts["published_at"]), first, last)
    if not len(counts):
        return pd.Series([], index=pd.DatetimeIndex([], tz=UTC), dtype="int64")
    starts = week_edges(first, last)[: len(counts)]
    return pd.Series(counts, index=pd.DatetimeIndex(starts.astype("datetime64[ns]"), tz=UTC))


def consistency(posts: pd.DataFrame, start: datetime | date, end: datetime | date) -> float | None:
    """Share of complete 7-day windows from ``start`` with at least one post; None if none."""
    return consistency_at(ns(posts["published_at"]), start, end)


def consistency_at(
    published: np.ndarray, start: datetime | date, end: datetime | date
) -> float | None:
    """:func:`consistency` of publication times (int64 ns, UTC)."""
    counts = week_counts(published, _moment_ns(start), _moment_ns(end))
    if not len(counts):
        return None
    return float((counts > 0).mean())


def posts_weekly(posts: pd.DataFrame, end: datetime | date, weeks: int = 4) -> bool:
    """True when each of the ``weeks`` 7-day windows before ``end`` has at least one post."""
    last = as_moment(end)
    counts = weekly_post_counts(posts, add_days(last, -7 * weeks), last)
    return bool(len(counts) == weeks and (counts > 0).all())


def adopted_platforms(
    posts: pd.DataFrame, on: datetime | date, days: int = ADOPTION_DAYS
) -> frozenset[str]:
    """Platforms with at least one post in the ``days`` local days up to ``on`` (exclusive)."""
    return adopted_platforms_at(ns(posts["published_at"]), posts["platform"].to_numpy(), on, days)


def adopted_platforms_at(
    published: np.ndarray, platforms: np.ndarray, on: datetime | date, days: int = ADOPTION_DAYS
) -> frozenset[str]:
    """:func:`adopted_platforms` of publication times (int64 ns, UTC) and their platforms."""
    last = _moment_ns(on)
    inside = (published >= _moment_ns(add_days(on, -days))) & (published < last)
    return frozenset(platforms[inside].tolist())
