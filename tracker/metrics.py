"""The pinned metric definitions, as pure functions over the frames of ``tracker.series``.

Snapshot frames have ``taken_at`` (aware UTC) and ``followers`` (nullable integer); post frames
have ``published_at``, ``platform``, ``kind``, ``likes``, ``comments`` and ``shares``. Nothing here
reads the store.

Unknown stays ``None``, never 0. Counts are never interpolated across a failed or missing poll:
a span without a known value is a :class:`Gap`, and a result measured across one says so.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
# Consecutive known counts further apart than this have a gap between them (a daily poll
# missed at least once).
MAX_GAP = timedelta(hours=36)
# A period's first or last known count may lie this far inside the period before the result
# counts as measured over a shorter span.
EDGE_TOLERANCE = timedelta(days=2)
# The follower count used for a post's engagement must lie this close to its publication.
NEAREST_TOLERANCE = timedelta(days=3)
EFFECT_DAYS = 28
ADOPTION_DAYS = 30
INTERACTIONS = ("likes", "comments", "shares")
VIDEO_KINDS = ("video", "reel")


@dataclass(frozen=True)
class Gap:
    """A span with no known count: from the last known value before to the first after."""

    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start) / DAY


@dataclass(frozen=True)
class Growth:
    """Follower growth between the first and last known counts of a period.

    ``late_start`` says the first known count lies inside the period (the account began, or
    was first polled, later); ``early_end`` says the last known count lies before the period's
    end. ``coverage`` is the share of days from ``start_at`` to ``end_at`` with a known count.
    """

    start_value: int | None
    end_value: int | None
    start_at: datetime | None
    end_at: datetime | None
    absolute: int | None
    percent: float | None
    weekly: float | None  # weekly compound rate, 0.02 = 2 % a week
    coverage: float | None
    gaps: tuple[Gap, ...]
    late_start: bool
    early_end: bool

    @property
    def gap(self) -> bool:
        """True when the result was measured across at least one gap."""
        return bool(self.gaps)

    @property
    def days(self) -> float | None:
        if self.start_at is None or self.end_at is None:
            return None
        return (self.end_at - self.start_at) / DAY


NO_GROWTH = Growth(None, None, None, None, None, None, None, None, (), False, False)


@dataclass(frozen=True)
class PlotSeries:
    """A series on a regular grid for charts: ``None`` where a slot has no known value."""

    label: str
    x: tuple[datetime, ...]
    y: tuple[float | None, ...]
    gaps: tuple[Gap, ...]

    @property
    def has_gaps(self) -> bool:
        return any(v is None for v in self.y)


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


# -- helpers -----------------------------------------------------------------------------------


def as_moment(value: datetime | date | pd.Timestamp) -> pd.Timestamp:
    """A UTC timestamp; a date means the start of that day (UTC)."""
    if isinstance(value, pd.Timestamp):
        return value.tz_convert(UTC) if value.tzinfo else value.tz_localize(UTC)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), tzinfo=UTC)
    ts = pd.Timestamp(value)
    return ts.tz_convert(UTC) if ts.tzinfo else ts.tz_localize(UTC)


def _py(ts: pd.Timestamp) -> datetime:
    return ts.to_pydatetime()


def known_counts(snaps: pd.DataFrame, column: str = "followers") -> pd.DataFrame:
    """The rows with a known value of ``column``, oldest first (unknown rows dropped)."""
    if snaps.empty:
        return snaps[["taken_at", column]].copy() if column in snaps else snaps
    rows = snaps.loc[snaps[column].notna(), ["taken_at", column]]
    if not rows["taken_at"].is_monotonic_increasing:
        rows = rows.sort_values("taken_at")
    return rows


_NS_DAY = 86_400 * 10**9


def ns(values: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Aware UTC times as int64 nanoseconds since the epoch."""
    return np.asarray(pd.DatetimeIndex(values).as_unit("ns").asi8, dtype="int64")


def _moment_ns(value: datetime | date | pd.Timestamp) -> int:
    return int(as_moment(value).as_unit("ns").value)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _dt(value_ns: int | np.integer) -> datetime:
    # Plain arithmetic: several times faster than going through pd.Timestamp.
    return _EPOCH + timedelta(microseconds=int(value_ns) // 1000)


@dataclass(frozen=True)
class Counts:
    """One account's known counts as sorted arrays: prepared once, measured many times."""

    times: np.ndarray  # int64 ns, ascending
    values: np.ndarray  # int64

    @classmethod
    def of(cls, snaps: pd.DataFrame, column: str = "followers") -> Counts:
        if snaps.empty or column not in snaps:
            return cls(np.empty(0, "int64"), np.empty(0, "int64"))
        raw = snaps[column].to_numpy(dtype="float64", na_value=np.nan)
        known = ~np.isnan(raw)
        times = ns(snaps["taken_at"])[known]
        values = raw[known].astype("int64")
        if len(times) > 1 and (np.diff(times) < 0).any():
            order = np.argsort(times, kind="stable")
            times, values = times[order], values[order]
        return cls(times, values)

    def between(self, start: int | None, end: int | None) -> Counts:
        lo = 0 if start is None else int(np.searchsorted(self.times, start, "left"))
        hi = len(self.times) if end is None else int(np.searchsorted(self.times, end, "right"))
        return Counts(self.times[lo:hi], self.values[lo:hi])


def gaps_in(times: np.ndarray, max_gap: timedelta = MAX_GAP) -> tuple[Gap, ...]:
    """Spans between consecutive known times (ascending int64 ns) further apart than
    ``max_gap``."""
    if len(times) < 2:
        return ()
    where = np.flatnonzero(np.diff(times) > pd.Timedelta(max_gap).value)
    return tuple(Gap(_dt(times[i]), _dt(times[i + 1])) for i in where)


def _coverage_ns(times: np.ndarray, first: int, last: int) -> float | None:
    first_day, last_day = first // _NS_DAY, last // _NS_DAY
    total = last_day - first_day + 1
    if total <= 0:
        return None
    days = times // _NS_DAY
    days = days[(days >= first_day) & (days <= last_day)]
    distinct = int((np.diff(days) != 0).sum()) + 1 if len(days) else 0
    return distinct / total


def find_gaps(times: pd.Series | pd.DatetimeIndex, max_gap: timedelta = MAX_GAP) -> tuple[Gap, ...]:
    """Spans between consecutive known times (ascending) further apart than ``max_gap``."""
    return gaps_in(ns(times), max_gap)


def coverage(times: pd.Series | pd.DatetimeIndex, start: datetime, end: datetime) -> float | None:
    """Share of days from ``start`` to ``end`` (both inclusive) with at least one known value."""
    return _coverage_ns(np.sort(ns(times)), _moment_ns(start), _moment_ns(end))


# -- follower growth ---------------------------------------------------------------------------


def weekly_rate(start_value: float, end_value: float, days: float) -> float | None:
    """Weekly compound rate ``(end/start)^(7/days) - 1``; None when it is not defined."""
    if days <= 0 or start_value <= 0 or end_value < 0:
        return None
    return float((end_value / start_value) ** (7 / days) - 1)


def growth_of(
    counts: Counts,
    start: datetime | date | None = None,
    end: datetime | date | None = None,
    *,
    max_gap: timedelta = MAX_GAP,
) -> Growth:
    """:func:`follower_growth` over prepared :class:`Counts` (for many periods of one account)."""
    start_ns = None if start is None else _moment_ns(start)
    end_ns = None if end is None else _moment_ns(end)
    inside = counts.between(start_ns, end_ns)
    if len(inside.times) < 2:
        return NO_GROWTH
    t0, t1 = int(inside.times[0]), int(inside.times[-1])
    v0, v1 = int(inside.values[0]), int(inside.values[-1])
    tolerance = pd.Timedelta(EDGE_TOLERANCE).value
    return Growth(
        start_value=v0,
        end_value=v1,
        start_at=_dt(t0),
        end_at=_dt(t1),
        absolute=v1 - v0,
        percent=(v1 - v0) / v0 * 100 if v0 > 0 else None,
        weekly=weekly_rate(v0, v1, (t1 - t0) / _NS_DAY),
        coverage=_coverage_ns(inside.times, t0, t1),
        gaps=gaps_in(inside.times, max_gap),
        late_start=start_ns is not None and t0 - start_ns > tolerance,
        early_end=end_ns is not None and end_ns - t1 > tolerance,
    )


def follower_growth(
    snaps: pd.DataFrame,
    start: datetime | date | None = None,
    end: datetime | date | None = None,
    *,
    column: str = "followers",
    max_gap: timedelta = MAX_GAP,
) -> Growth:
    """Growth of one account from its first known count at or after ``start`` to its last
    known count at or before ``end`` (absolute, percent, weekly compound)."""
    return growth_of(Counts.of(snaps, column), start, end, max_gap=max_gap)


def value_at(
    snaps: pd.DataFrame,
    moment: datetime | date,
    *,
    column: str = "followers",
    tolerance: timedelta = NEAREST_TOLERANCE,
) -> int | None:
    """The known count nearest ``moment`` within ``tolerance``; None when there is none."""
    rows = known_counts(snaps, column)
    if rows.empty:
        return None
    target = as_moment(moment)
    distance = (rows["taken_at"] - target).abs()
    best = distance.idxmin()
    if distance[best] > pd.Timedelta(tolerance):
        return None
    return int(rows.at[best, column])


# -- posting -----------------------------------------------------------------------------------


def _published(posts: pd.DataFrame, start: datetime | date, end: datetime | date) -> pd.DataFrame:
    at = ns(posts["published_at"])
    return posts[(at >= _moment_ns(start)) & (at < _moment_ns(end))]


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


# -- engagement --------------------------------------------------------------------------------


def interaction_totals(parts: np.ndarray) -> np.ndarray:
    """Row sums of likes, comments and shares (a 2-D float array, NaN = not reported): an
    unknown component is left out, and a row with none known is NaN."""
    if not parts.size:
        return np.full(len(parts), np.nan)
    known = ~np.isnan(parts)
    total = np.where(known, parts, 0.0).sum(axis=1)
    return np.where(known.any(axis=1), total, np.nan)


def interactions(posts: pd.DataFrame) -> pd.Series:
    """likes + comments + shares per post; a component the platform does not report is left
    out rather than counted as 0, and a post with none of them known gets <NA>."""
    parts = posts[list(INTERACTIONS)].to_numpy(dtype="float64", na_value=np.nan)
    total = pd.array(interaction_totals(parts), dtype="Float64")
    return pd.Series(total, index=posts.index, dtype="Float64")


def nearest_values(
    counts: Counts, at: np.ndarray, tolerance: timedelta = NEAREST_TOLERANCE
) -> np.ndarray:
    """For each moment of ``at`` (int64 ns), the known count nearest it within ``tolerance``
    (the earlier one on a tie), as floats; NaN where none lies that close."""
    out = np.full(len(at), np.nan)
    n = len(counts.times)
    if not n or not len(at):
        return out
    limit = pd.Timedelta(tolerance).value
    back = np.searchsorted(counts.times, at, "right") - 1  # last count at or before
    ahead = np.searchsorted(counts.times, at, "left")  # first count at or after
    back_ok = back >= 0
    ahead_ok = ahead < n
    back_gap = np.where(back_ok, at - counts.times[np.maximum(back, 0)], np.iinfo("int64").max)
    ahead_gap = np.where(
        ahead_ok, counts.times[np.minimum(ahead, n - 1)] - at, np.iinfo("int64").max
    )
    use_back = back_gap <= ahead_gap
    best = np.where(use_back, back, ahead)
    gap = np.where(use_back, back_gap, ahead_gap)
    found = (gap <= limit) & (back_ok | ahead_ok)
    out[found] = counts.values[best[found]]
    return out


def rates_of(interaction: np.ndarray, followers: np.ndarray) -> np.ndarray:
    """Engagement rate in % per post: interactions / followers × 100; NaN where either is
    unknown or the count is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = interaction / np.where(followers > 0, followers, np.nan) * 100
    return rate


def engagement_rates(
    posts: pd.DataFrame, snaps: pd.DataFrame, tolerance: timedelta = NEAREST_TOLERANCE
) -> pd.DataFrame:
    """The posts with ``followers_at`` (the known count nearest the publication, per account,
    within ``tolerance``) and ``rate`` = interactions / followers × 100 (<NA> when unknown)."""
    out = posts.copy()
    out["interactions"] = interactions(posts) if len(posts) else pd.Series(dtype="Float64")
    if out.empty:
        out["followers_at"] = pd.Series(dtype="Int64")
        out["rate"] = pd.Series(dtype="Float64")
        return out
    post_account = posts["account_id"].to_numpy()
    post_at = ns(posts["published_at"])
    followers_at = np.full(len(posts), np.nan)
    # One pass per account over sorted arrays (no per-group frames).
    snap_account = snaps["account_id"].to_numpy()
    order = np.argsort(snap_account, kind="stable")
    snap_sorted = snap_account[order]
    for account in np.unique(post_account):
        lo, hi = (
            np.searchsorted(snap_sorted, account, "left"),
            np.searchsorted(snap_sorted, account, "right"),
        )
        if lo == hi:
            continue
        counts = Counts.of(snaps.iloc[order[lo:hi]])
        mine = post_account == account
        followers_at[mine] = nearest_values(counts, post_at[mine], tolerance)
    out["followers_at"] = pd.array(
        [None if math.isnan(v) else int(v) for v in followers_at], dtype="Int64"
    )
    rate = rates_of(out["interactions"].to_numpy(dtype="float64", na_value=np.nan), followers_at)
    out["rate"] = pd.array(rate, dtype="Float64")  # NaN becomes <NA>
    return out


def median_engagement(
    rates: pd.DataFrame, start: datetime | date, end: datetime | date
) -> float | None:
    """Median engagement rate over the posts published in ``[start, end)``; None if none."""
    at = ns(rates["published_at"])
    rate = rates["rate"].to_numpy(dtype="float64", na_value=np.nan)
    window = rate[(at >= _moment_ns(start)) & (at < _moment_ns(end)) & ~np.isnan(rate)]
    if not len(window):
        return None
    return float(np.median(window))


# -- event effect ------------------------------------------------------------------------------


def effect_windows(
    event_day: date, days: int = EFFECT_DAYS
) -> tuple[tuple[pd.Timestamp, pd.Timestamp], tuple[pd.Timestamp, pd.Timestamp]]:
    """The ``days`` days before the event's day and the ``days`` days from it on."""
    at = as_moment(event_day)
    span = pd.Timedelta(days=days)
    return (at - span, at), (at, at + span)


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
    until = None if today is None else as_moment(today) + pd.Timedelta(days=1)
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


# -- chart series ------------------------------------------------------------------------------


def on_grid(counts: Counts, every: int, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
    """The last known count in each slot of ``every`` ns (slots aligned on the epoch) from the
    slot of ``first`` to the slot of ``last``: slot starts (int64 ns) and values (NaN where a
    slot has no known count)."""
    lo, hi = first - first % every, last - last % every
    # Integer arithmetic: np.arange(lo, hi + 1, every) sizes itself in floating point and can
    # drop the last slot at nanosecond magnitudes.
    grid = lo + every * np.arange(max(0, (hi - lo) // every + 1), dtype="int64")
    values = np.full(len(grid), np.nan)
    if len(counts.times) and len(grid):
        slots = counts.times - counts.times % every
        ends = np.flatnonzero(np.append(slots[1:] != slots[:-1], True))  # last of each slot
        index = (slots[ends] - lo) // every
        inside = (index >= 0) & (index < len(grid))
        values[index[inside]] = counts.values[ends[inside]]
    return grid, values


def plot_series(
    snaps: pd.DataFrame,
    *,
    column: str = "followers",
    every: timedelta = DAY,
    start: datetime | date | None = None,
    end: datetime | date | None = None,
    label: str = "",
    max_gap: timedelta = MAX_GAP,
) -> PlotSeries:
    """The last known value of each slot of length ``every`` from the first to the last slot
    (or ``start``/``end``); a slot without a known value is ``None``, so a chart shows a gap."""
    counts = Counts.of(snaps, column)
    if not len(counts.times) and (start is None or end is None):
        return PlotSeries(label, (), (), ())
    step = pd.Timedelta(every).value
    first = _moment_ns(start) if start is not None else int(counts.times[0])
    last = _moment_ns(end) if end is not None else int(counts.times[-1])
    grid, values = on_grid(counts, step, first, last)
    return PlotSeries(
        label,
        tuple(_dt(v) for v in grid.tolist()),
        tuple(None if v != v else v for v in values.tolist()),  # NaN is the only v != v
        gaps_in(counts.times, max(max_gap, every * 1.5)),
    )


def median_or_none(values: Sequence[float | None]) -> float | None:
    """The median of the known values; None when none is known."""
    known = [v for v in values if v is not None and not math.isnan(v)]
    if not known:
        return None
    return float(np.median(known))
