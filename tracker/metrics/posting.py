"""Posting frequency, consistency and platform adoption over the post frames."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from tracker.metrics.counts import _NS_DAY, _moment_ns, as_moment, ns

ADOPTION_DAYS = 30


def _count_published(posts: pd.DataFrame, start: datetime | date, end: datetime | date) -> int:
    at = ns(posts["published_at"])
    return int(((at >= _moment_ns(start)) & (at < _moment_ns(end))).sum())


def posts_per_week(
    posts: pd.DataFrame, start: datetime | date, end: datetime | date
) -> float | None:
    """Posts published in ``[start, end)`` per week; None for an empty period."""
    days = (_moment_ns(end) - _moment_ns(start)) / _NS_DAY
    if days <= 0:
        return None
    return _count_published(posts, start, end) / (days / 7)


def week_counts(published: np.ndarray, start_ns: int, end_ns: int) -> np.ndarray:
    """Posts (publication times in int64 ns) per complete 7-day window from ``start_ns``;
    window ``k`` starts at ``start_ns + k`` weeks."""
    week = 7 * _NS_DAY
    weeks = (end_ns - start_ns) // week
    if weeks <= 0:
        return np.empty(0, "int64")
    offset = published - start_ns
    offset = offset[(offset >= 0) & (offset < weeks * week)]
    return np.bincount(offset // week, minlength=weeks)[:weeks].astype("int64")


def weekly_post_counts(
    posts: pd.DataFrame, start: datetime | date, end: datetime | date
) -> pd.Series:
    """Posts per complete 7-day window from ``start`` (index: window start), zeros included."""
    first = as_moment(start)
    counts = week_counts(ns(posts["published_at"]), _moment_ns(first), _moment_ns(end))
    if not len(counts):
        return pd.Series([], index=pd.DatetimeIndex([], tz=UTC), dtype="int64")
    starts = pd.date_range(first, periods=len(counts), freq="7D")
    return pd.Series(counts, index=starts)


def consistency(posts: pd.DataFrame, start: datetime | date, end: datetime | date) -> float | None:
    """Share of complete 7-day windows from ``start`` with at least one post; None if none."""
    counts = weekly_post_counts(posts, start, end)
    if counts.empty:
        return None
    return float((counts > 0).mean())


def posts_weekly(posts: pd.DataFrame, end: datetime | date, weeks: int = 4) -> bool:
    """True when each of the ``weeks`` 7-day windows before ``end`` has at least one post."""
    last = as_moment(end)
    counts = weekly_post_counts(posts, last - pd.Timedelta(days=7 * weeks), last)
    return bool(len(counts) == weeks and (counts > 0).all())


def adopted_platforms(
    posts: pd.DataFrame, on: datetime | date, days: int = ADOPTION_DAYS
) -> frozenset[str]:
    """Platforms with at least one post in the ``days`` days up to ``on`` (exclusive)."""
    last = _moment_ns(on)
    at = ns(posts["published_at"])
    inside = (at >= last - days * _NS_DAY) & (at < last)
    return frozenset(np.unique(posts["platform"].to_numpy()[inside]).tolist())
