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
import itertools
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
_FIRST_DAY = int(_FIRST_NAMED.astype("int64"))  # days since the epoch


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
    """The ISO days of ascending int64 ns (their ``datetime64[D]``)."""
    days = values_ns // _NS_DAY
    index = days - _FIRST_DAY
    names = _day_names()
    if len(index) and index[0] >= 0 and index[-1] < len(names):
        return tuple(names[index].tolist())
    return tuple(np.datetime_as_string(days.astype("datetime64[D]")).tolist())


def _values(values: np.ndarray, digits: int | None = None) -> tuple[float | None, ...]:
    """The floats (rounded to ``digits``) with None for NaN."""
    listed = values.tolist()
    if digits is not None:
        listed = [round(v, digits) for v in listed]
    for i in np.flatnonzero(np.isnan(values)).tolist():
        listed[i] = None
    return tuple(listed)


def _known(data: AccountData, since: int) -> metrics.Counts:
    """The account's known follower counts from ``since`` (int ns) on."""
    return data.known.between(since, None)


def _first_at(times: np.ndarray, since: int) -> int:
    """The position of the first of the ascending ``times`` at or after ``since``."""
    return int(times.searchsorted(since, "left"))


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
    step = _step(start, end)
    step_ns = int(step.total_seconds()) * 10**9
    start_ns, end_ns = metrics.moment_ns(start), metrics.moment_ns(end)
    max_gap = max(metrics.MAX_GAP, step * 1.5)
    drawn = [
        (platform, counts)
        for platform, group in by_platform(accounts).items()
        for counts in (_known(data, start_ns) for data in group)
        if len(counts.times)  # e.g. a blog: no follower count exists, so no line
    ]
    if not drawn:
        return (), ()
    # metrics.on_grid of each account from its first known count to ``end``, all in one pass.
    times = np.concatenate([counts.times for _, counts in drawn])
    bounds = [0, *itertools.accumulate(len(counts.times) for _, counts in drawn)]
    wall = metrics.wall_ns(times)
    values = np.concatenate([counts.values for _, counts in drawn])
    grids = metrics.on_wall_grids(
        wall, values, bounds, wall[bounds[:-1]], metrics.wall_at(end_ns), step_ns
    )
    lines = tuple(
        DaySeries(platform, _iso(grid), _values(slots))
        for (platform, _), (grid, slots) in zip(drawn, grids, strict=True)
    )
    # Gaps: none anywhere when no two consecutive times of all the lines lie that far apart.
    if len(times) < 2 or not (times[1:] - times[:-1] > metrics.span_ns(max_gap)).any():
        return lines, ()
    notes = tuple(
        GapNote(platform, _local_day(g.start), _local_day(g.end))
        for platform, counts in drawn
        for g in metrics.gaps_in(counts.times, max_gap)
    )
    return lines, notes


def _posted(group: Sequence[AccountData], since: int) -> np.ndarray:
    """The publication times of the group's posts from ``since`` on, account by account."""
    parts = [d.rows.post_at[_first_at(d.rows.post_at, since) :] for d in group]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def weekly_posts(
    accounts: Sequence[AccountData], start: datetime, end: datetime
) -> tuple[DaySeries, ...]:
    """Posts per complete 7-day window from ``start``, per platform with posts in the period."""
    start_ns, end_ns = metrics.moment_ns(start), metrics.moment_ns(end)
    edges = metrics.week_edges(start_ns, end_ns)
    if len(edges) <= 1:
        return ()
    weeks = _iso(metrics.wall_ns(edges[:-1]))
    lines = []
    for platform, group in by_platform(accounts).items():
        at = _posted(group, start_ns)
        if not len(at):
            continue
        counts = metrics.counts_in_weeks(at, edges)  # metrics.week_counts, edges made once
        lines.append(DaySeries(platform, weeks[: len(counts)], _values(counts.astype("float64"))))
    return tuple(lines)


def weekly_engagement(accounts: Sequence[AccountData], start: datetime) -> tuple[DaySeries, ...]:
    """The median engagement rate of each calendar week (Monday to Sunday) per platform, over
    the posts of the period with a known rate; a week without one is a gap."""
    start_ns = metrics.moment_ns(start)
    groups = by_platform(accounts)
    names = list(groups)
    ordered = [data for group in groups.values() for data in group]
    if not ordered:
        return ()
    firsts = [_first_at(data.rows.post_at, start_ns) for data in ordered]
    at_parts = [data.rows.post_at[i:] for data, i in zip(ordered, firsts, strict=True)]
    followers = metrics.nearest_values_each([data.known for data in ordered], at_parts)
    interactions = np.concatenate(
        [data.interactions[i:] for data, i in zip(ordered, firsts, strict=True)]
    )
    rate = metrics.rates_of(interactions, followers)
    known = np.flatnonzero(~np.isnan(rate))
    if not len(known):
        return ()
    # All platforms in one pass: each post's platform (by its position in ``names``), its
    # calendar week of the programme's local days and its rate, sorted by the three.
    at = np.concatenate(at_parts)[known]
    platform_of = [names.index(data.platform) for data in ordered]
    platform = np.repeat(platform_of, [len(part) for part in at_parts])[known]
    week = (metrics.wall_ns(at) - _MONDAY) // _NS_WEEK
    rate = rate[known]
    order = np.lexsort((rate, week, platform))
    platform, week, rate = platform[order], week[order], rate[order]
    # Each platform's week: its first post, its number of posts and its median.
    new = np.ones(len(week), dtype=bool)
    new[1:] = (week[1:] != week[:-1]) | (platform[1:] != platform[:-1])
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(week)))
    middle = (rate[starts + (sizes - 1) // 2] + rate[starts + sizes // 2]) / 2
    numbers = week[starts]
    cuts = np.searchsorted(platform[starts], np.arange(len(names) + 1)).tolist()
    lines = []
    for i, name in enumerate(names):
        a, b = cuts[i], cuts[i + 1]
        if a == b:  # no post of the period with a known rate
            continue
        first = int(numbers[a])
        medians = np.full(int(numbers[b - 1]) - first + 1, np.nan)
        medians[numbers[a:b] - first] = middle[a:b]
        mondays = _MONDAY + _NS_WEEK * np.arange(first, first + len(medians), dtype="int64")
        lines.append(DaySeries(name, _iso(mondays), _values(medians, 2)))
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
        if len(known) == 1:  # one account's counts are in time order already
            values = known[0].values
        else:
            times = np.concatenate([k.times for k in known])
            values = np.concatenate([k.values for k in known])[np.argsort(times, kind="stable")]
        delta = int(values[-1] - values[0]) if len(values) >= 2 else None
        posts = sum(len(d.rows.post_at) - _first_at(d.rows.post_at, at) for d in group)
        out.append(SinceRow(platform, delta, posts))
    return tuple(out)
