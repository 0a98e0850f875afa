"""Series on a regular grid for charts, with a gap wherever a slot has no known value."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
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
    wall = wall_ns(counts.times)
    bounds = (0, len(wall))
    return on_wall_grids(wall, counts.values, bounds, (wall_at(first),), wall_at(last), every)[0]


def on_wall_grids(
    wall: np.ndarray,
    values: np.ndarray,
    bounds: Sequence[int] | np.ndarray,
    firsts: Sequence[int] | np.ndarray,
    last: int,
    every: int,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`on_grid` of several series at once, their counts already at local wall-clock times
    (``wall`` as :func:`wall_ns` gives them): series ``i`` is ``wall[bounds[i]:bounds[i + 1]]``
    (ascending) with its ``values``, from the slot of ``firsts[i]`` to that of ``last``
    (wall-clock ns). A page draws a line per account: one pass over all of them costs about
    what one line did."""
    align = _MONDAY if every % (7 * 86_400 * 10**9) == 0 else 0
    first = np.asarray(firsts, dtype="int64") - align
    lo, hi = first - first % every, (last - align) - (last - align) % every
    sizes = np.maximum((hi - lo) // every + 1, 0)
    offsets = np.zeros(len(sizes) + 1, dtype="int64")
    np.cumsum(sizes, out=offsets[1:])
    # Integer arithmetic: np.arange(lo, hi + 1, every) sizes itself in floating point and can
    # drop the last slot at nanosecond magnitudes.
    step = np.arange(offsets[-1], dtype="int64") - np.repeat(offsets[:-1], sizes)
    grid = np.repeat(lo, sizes) + every * step + align
    out = np.full(len(grid), np.nan)
    if len(wall) and len(grid):
        series = np.repeat(np.arange(len(sizes)), np.diff(bounds))
        index = (wall - align - lo[series]) // every  # each count's slot in its series' grid
        last_of = np.ones(len(index), dtype=bool)  # the last count of each slot of a series
        last_of[:-1] = index[1:] != index[:-1]
        last_of[np.asarray(bounds[1:], dtype="int64") - 1] = True
        keep = last_of & (index >= 0) & (index < sizes[series])
        out[offsets[series[keep]] + index[keep]] = values[keep]
    return [(grid[a:b], out[a:b]) for a, b in itertools.pairwise(offsets.tolist())]


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
