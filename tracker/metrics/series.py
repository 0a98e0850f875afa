"""Series on a regular grid for charts, with a gap wherever a slot has no known value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from tracker.metrics.counts import (
    DAY,
    MAX_GAP,
    Counts,
    Gap,
    _dt,
    _moment_ns,
    from_wall_ns,
    gaps_in,
    programme_zone,
    wall_at,
    wall_ns,
)


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


_MONDAY = 4 * 86_400 * 10**9  # 1970-01-05, the first Monday after the epoch


def on_grid(counts: Counts, every: int, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
    """The last known count in each slot of ``every`` ns of the programme's local clock (days
    from local midnight; slots of whole weeks from a local Monday) from the slot of ``first``
    to the slot of ``last`` (UTC ns): slot starts as local wall-clock ns (``wall_ns``; their
    ``datetime64[D]`` is the local day) and values (NaN where a slot has no known count)."""
    return on_wall_grid(wall_ns(counts.times), counts.values, every, wall_at(first), wall_at(last))


def on_wall_grid(
    wall: np.ndarray, values: np.ndarray, every: int, first: int, last: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`on_grid` of counts already at local wall-clock times (``wall``, ascending, as
    :func:`wall_ns` gives them), from the slot of ``first`` to that of ``last`` (wall-clock
    ns): a caller that has the wall times converts them once."""
    align = _MONDAY if every % (7 * 86_400 * 10**9) == 0 else 0
    first, last = first - align, last - align
    counts = Counts(wall - align, values)
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
    return grid + align, values


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
    """The last known value of each slot of length ``every`` (local days) from the first to the
    last slot (or ``start``/``end``); a slot without a known value is ``None``, so a chart shows
    a gap. ``x`` holds each slot's start in the programme's time zone."""
    counts = Counts.of(snaps, column)
    if not len(counts.times) and (start is None or end is None):
        return PlotSeries(label, (), (), ())
    step = pd.Timedelta(every).value
    first = _moment_ns(start) if start is not None else int(counts.times[0])
    last = _moment_ns(end) if end is not None else int(counts.times[-1])
    grid, values = on_grid(counts, step, first, last)
    return PlotSeries(
        label,
        tuple(_dt(v).astimezone(programme_zone()) for v in from_wall_ns(grid).tolist()),
        tuple(None if v != v else v for v in values.tolist()),  # NaN is the only v != v
        gaps_in(counts.times, max(max_gap, every * 1.5)),
    )
