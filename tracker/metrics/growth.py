"""Follower growth of one account over a period, and the count nearest a moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from tracker.metrics.counts import (
    _NS_DAY,
    DAY,
    MAX_GAP,
    NEAREST_TOLERANCE,
    Counts,
    Gap,
    _coverage_ns,
    _dt,
    _moment_ns,
    as_moment,
    gaps_in,
    known_counts,
    span_ns,
)

# A period's first or last known count may lie this far inside the period before the result
# counts as measured over a shorter span.
EDGE_TOLERANCE = timedelta(days=2)


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
    tolerance = span_ns(EDGE_TOLERANCE)
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
