"""One mentee's figures over a period, as "Mein Fortschritt" and her tandem page show them.

From one read of her accounts (``tracker.store.read_arrays``), each computed once here with the
pinned definitions of ``tracker.metrics``: the follower line of each account (at most
``MAX_POINTS`` slots), the gaps between known counts, posts per complete week per platform, the
median engagement rate of each calendar week per platform, and the follower change and posts
since an event (the last workshop). The pages only format them. Everything works on the
per-account arrays: no frames, no per-row Python.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from tracker import metrics
from tracker.store.read_arrays import AccountData

MAX_POINTS = 160  # per line: longer series are drawn at a coarser step (last value per step)

_NS_DAY = 86_400 * 10**9
_NS_WEEK = 7 * _NS_DAY
_MONDAY = 4 * _NS_DAY  # 1970-01-05: weeks for the engagement chart run Monday to Sunday
_FIRST_NAMED = np.datetime64("2000-01-01", "D")
_EARLIEST = int(np.iinfo("int64").min)


@dataclass(frozen=True)
class DaySeries:
    """One platform's (or account's) values by local day (ISO), None where unknown."""

    platform: str
    x: tuple[str, ...]
    y: tuple[float | None, ...]


@dataclass(frozen=True)
class GapNote:
    platform: str
    start: date
    end: date


@dataclass(frozen=True)
class SinceRow:
    """Follower change from the first to the last known count since the event (None with
    fewer than two) and the posts published since, on one platform."""

    platform: str
    delta: int | None
    posts: int


def _local_day(moment: datetime) -> date:
    return moment.astimezone(metrics.programme_zone()).date()


def _step(start: datetime, end: datetime) -> timedelta:
    days = max(1, (end - start).days)
    return timedelta(days=max(1, -(-days // MAX_POINTS)))


@functools.cache
def _day_names() -> np.ndarray:
    """The ISO names of the days from ``_FIRST_NAMED`` to 2099 (built once, about 2 MB): the
    charts name every slot of every line by its day, and formatting them costs ten times more
    than looking them up."""
    days = np.arange(_FIRST_NAMED, np.datetime64("2100-01-01"), dtype="datetime64[D]")
    return np.array(np.datetime_as_string(days).tolist(), dtype=object)


def _iso(values_ns: np.ndarray) -> tuple[str, ...]:
    days = values_ns.astype("datetime64[ns]").astype("datetime64[D]")
    index = (days - _FIRST_NAMED).astype("int64")
    names = _day_names()
    if len(index) and index.min() >= 0 and index.max() < len(names):
        return tuple(names[index].tolist())
    return tuple(np.datetime_as_string(days).tolist())


def _values(values: np.ndarray, digits: int | None = None) -> tuple[float | None, ...]:
    listed = values.tolist()
    if digits is not None:
        listed = [round(v, digits) for v in listed]
    return tuple(None if v != v else v for v in listed)  # NaN is the only v != v


def _known(data: AccountData, since: int) -> metrics.Counts:
    rows = data.rows
    keep = ~np.isnan(rows.followers) & (rows.snap_at >= since)
    return metrics.Counts(rows.snap_at[keep], rows.followers[keep].astype("int64"))


def by_platform(accounts: Sequence[AccountData]) -> dict[str, list[AccountData]]:
    """The accounts grouped by platform (by platform, then account id)."""
    out: dict[str, list[AccountData]] = {}
    for data in sorted(accounts, key=lambda d: (d.platform, d.rows.account_id)):
        out.setdefault(data.platform, []).append(data)
    return out


def follower_lines(
    accounts: Sequence[AccountData], start: datetime, end: datetime
) -> tuple[tuple[DaySeries, ...], tuple[GapNote, ...]]:
    """One line per account with a known count in the period, at most MAX_POINTS slots
    (the last known count of each slot); the gaps between known counts as notes."""
    lines: list[DaySeries] = []
    notes: list[GapNote] = []
    step = _step(start, end)
    step_ns = int(step.total_seconds()) * 10**9
    start_ns, end_ns = metrics.moment_ns(start), metrics.moment_ns(end)
    max_gap = max(metrics.MAX_GAP, step * 1.5)
    for platform, group in by_platform(accounts).items():
        for data in group:
            counts = _known(data, start_ns)
            if not len(counts.times):  # e.g. a blog: no follower count exists, so no line
                continue
            grid, values = metrics.on_grid(counts, step_ns, int(counts.times[0]), end_ns)
            lines.append(DaySeries(platform, _iso(grid), _values(values)))
            notes.extend(
                GapNote(platform, _local_day(g.start), _local_day(g.end))
                for g in metrics.gaps_in(counts.times, max_gap)
            )
    return tuple(lines), tuple(notes)


def _posted(group: Sequence[AccountData], since: int) -> np.ndarray:
    at = np.concatenate([d.rows.post_at for d in group])
    return at[at >= since]


def weekly_posts(
    accounts: Sequence[AccountData], start: datetime, end: datetime
) -> tuple[DaySeries, ...]:
    """Posts per complete 7-day window from ``start``, per platform with posts in the period."""
    start_ns, end_ns = metrics.moment_ns(start), metrics.moment_ns(end)
    edges = metrics.week_edges(start_ns, end_ns)
    weeks = _iso(metrics.wall_ns(edges[:-1])) if len(edges) > 1 else ()
    lines = []
    for platform, group in by_platform(accounts).items():
        at = _posted(group, start_ns)
        if not len(at) or not weeks:
            continue
        counts = metrics.week_counts(at, start_ns, end_ns)
        lines.append(DaySeries(platform, weeks[: len(counts)], _values(counts.astype("float64"))))
    return tuple(lines)


def weekly_engagement(accounts: Sequence[AccountData], start: datetime) -> tuple[DaySeries, ...]:
    """The median engagement rate of each calendar week (Monday to Sunday) per platform, over
    the posts of the period with a known rate; a week without one is a gap."""
    start_ns = metrics.moment_ns(start)
    lines = []
    for platform, group in by_platform(accounts).items():
        at_parts, rate_parts = [], []
        for data in group:
            inside = data.rows.post_at >= start_ns
            at = data.rows.post_at[inside]
            followers = metrics.nearest_values(_known(data, _EARLIEST), at)
            at_parts.append(at)
            rate_parts.append(metrics.rates_of(data.interactions[inside], followers))
        at, rate = np.concatenate(at_parts), np.concatenate(rate_parts)
        known = ~np.isnan(rate)
        if not known.any():
            continue
        # Calendar weeks of the programme's local days; the Mondays below are local days.
        week = (metrics.wall_ns(at[known]) - _MONDAY) // _NS_WEEK
        first = int(week.min())
        medians = np.full(int(week.max()) - first + 1, np.nan)
        # Medians of all weeks at once: sorted by week then rate, each week's middle one or two.
        order = np.lexsort((rate[known], week))
        week, values = week[order], rate[known][order]
        numbers, starts, sizes = np.unique(week, return_index=True, return_counts=True)
        low, high = values[starts + (sizes - 1) // 2], values[starts + sizes // 2]
        medians[numbers - first] = (low + high) / 2
        mondays = _MONDAY + _NS_WEEK * np.arange(first, first + len(medians), dtype="int64")
        lines.append(DaySeries(platform, _iso(mondays), _values(medians, 2)))
    return tuple(lines)


def since_day(accounts: Sequence[AccountData], day: date | None) -> tuple[SinceRow, ...]:
    """Per platform with any row: follower change from the first to the last known count
    since the start of ``day`` (local), and the posts published since; () without a day."""
    if day is None:
        return ()
    at = metrics.moment_ns(day)
    out = []
    for platform, group in by_platform(accounts).items():
        if not any(len(d.rows.snap_at) or len(d.rows.post_at) for d in group):
            continue
        known = [_known(d, at) for d in group]
        times = np.concatenate([k.times for k in known])
        values = np.concatenate([k.values for k in known])
        order = np.argsort(times, kind="stable")
        delta = int(values[order[-1]] - values[order[0]]) if len(times) >= 2 else None
        out.append(SinceRow(platform, delta, len(_posted(group, at))))
    return tuple(out)
