"""Shared footing of the metrics: moments in UTC, the programme's local days and weeks, known
counts as sorted arrays, gaps and coverage.

Days and weeks are the programme's local ones (its time zone, with daylight saving): a date
means local midnight, a week runs Monday to Sunday on the local calendar, and "28 days" are 28
local days whether or not the clocks change inside them. The zone is set once from the config
(:func:`set_timezone`); moments stay aware UTC everywhere else.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

DAY = timedelta(days=1)
WEEK = timedelta(days=7)

# Consecutive known counts further apart than this have a gap between them (a daily poll
# missed at least once).
MAX_GAP = timedelta(hours=36)
# The follower count used for a post's engagement must lie this close to its publication.
NEAREST_TOLERANCE = timedelta(days=3)
VIDEO_KINDS = ("video", "reel")


@dataclass(frozen=True)
class Gap:
    """A span with no known count: from the last known value before to the first after."""

    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start) / DAY


DEFAULT_TIMEZONE = "Europe/Berlin"
_zone = ZoneInfo(DEFAULT_TIMEZONE)


def set_timezone(name: str) -> None:
    """Make ``name`` (an IANA zone such as ``Europe/Berlin``) the programme's time zone: the
    zone of its days and weeks. Raises ZoneInfoNotFoundError for an unknown zone."""
    global _zone
    _zone = ZoneInfo(name)


def programme_zone() -> ZoneInfo:
    """The programme's time zone (set from the config)."""
    return _zone


def local_today() -> date:
    """Today in the programme's time zone."""
    return datetime.now(_zone).date()


def as_moment(value: datetime | date | pd.Timestamp) -> pd.Timestamp:
    """A UTC timestamp; a date means the start of that day in the programme's time zone; a
    naive time is taken as UTC."""
    if isinstance(value, pd.Timestamp):
        return value.tz_convert(UTC) if value.tzinfo else value.tz_localize(UTC)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), tzinfo=_zone)
    ts = pd.Timestamp(value)
    return ts.tz_convert(UTC) if ts.tzinfo else ts.tz_localize(UTC)


def known_counts(snaps: pd.DataFrame, column: str = "followers") -> pd.DataFrame:
    """The rows with a known value of ``column``, oldest first (unknown rows dropped)."""
    if snaps.empty:
        return snaps[["taken_at", column]].copy() if column in snaps else snaps
    rows = snaps.loc[snaps[column].notna(), ["taken_at", column]]
    if not rows["taken_at"].is_monotonic_increasing:
        rows = rows.sort_values("taken_at")
    return rows


_NS_DAY = 86_400 * 10**9


# The offset table covers these years; times outside it take pandas' slower conversion.
_TABLE_YEARS = (1971, 2099)


@functools.cache
def _offset_table(zone: ZoneInfo) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The zone's UTC offsets (ns) and the UTC instants (ns) from which each holds, within
    ``_TABLE_YEARS``, and the table's bounds: one lookup instead of a time-zone conversion
    per call (the pages convert a few values at a time, hundreds of times per view)."""
    lo = datetime(_TABLE_YEARS[0], 1, 1, tzinfo=UTC)
    hi = datetime(_TABLE_YEARS[1], 12, 31, tzinfo=UTC)

    def offset(at: datetime) -> timedelta:
        return at.astimezone(zone).utcoffset() or timedelta(0)

    starts, offsets = [lo], [offset(lo)]
    day = lo
    while day < hi:
        later = day + DAY
        if offset(later) != offsets[-1]:
            # The change lies within (day, later]: find its second by bisection.
            a, b = day, later
            while b - a > timedelta(seconds=1):
                mid = a + (b - a) / 2
                a, b = (mid, b) if offset(mid) == offsets[-1] else (a, mid)
            starts.append(b)
            offsets.append(offset(later))
        day = later
    as_ns = np.array([int(v.timestamp()) * 10**9 for v in starts], dtype="int64")
    deltas = np.array([int(v.total_seconds()) * 10**9 for v in offsets], dtype="int64")
    return as_ns, deltas, int(lo.timestamp()) * 10**9, int(hi.timestamp()) * 10**9


def wall_ns(times: np.ndarray) -> np.ndarray:
    """UTC times (int64 ns) as the programme's local wall-clock times (int64 ns since the local
    epoch): ``wall_ns(t) // day`` is the local day of ``t``."""
    times = np.asarray(times, dtype="int64")
    if not len(times):
        return times
    starts, offsets, lo, hi = _offset_table(_zone)
    first, last = times.min(), times.max()
    if lo <= first and last < hi:
        # Only the offsets in force from ``first`` to ``last`` (one or two, mostly) are looked
        # up: a search in the whole table costs several times more per time.
        a = int(starts.searchsorted(first, "right")) - 1
        b = int(starts.searchsorted(last, "right"))
        if b - a == 1:
            return times + offsets[a]
        return times + offsets[a + starts[a + 1 : b].searchsorted(times, "right")]
    local = pd.DatetimeIndex(times.astype("datetime64[ns]")).tz_localize(UTC).tz_convert(_zone)
    return np.asarray(local.tz_localize(None).as_unit("ns").asi8, dtype="int64")


@functools.cache
def _wall_table(zone: ZoneInfo) -> tuple[np.ndarray, np.ndarray]:
    """The wall-clock time at which each of the zone's offsets begins and ends (int64 ns)."""
    starts, offsets, _, _ = _offset_table(zone)
    ends = np.append(starts[1:], np.iinfo("int64").max - _NS_DAY)
    return starts + offsets, ends + offsets


def from_wall_ns(wall: np.ndarray) -> np.ndarray:
    """Local wall-clock times (int64 ns, as :func:`wall_ns` gives) back as UTC int64 ns; a
    wall time the clocks skip moves forward, a repeated one takes its first occurrence."""
    wall = np.asarray(wall, dtype="int64")
    if not len(wall):
        return wall
    starts, offsets, lo, hi = _offset_table(_zone)
    first, last = wall.min(), wall.max()
    if lo + _NS_DAY <= first and last < hi - _NS_DAY:
        begins, ends = _wall_table(_zone)
        a = int(begins.searchsorted(first, "right")) - 1
        if (
            begins.searchsorted(last, "right") == a + 1
            and (a == 0 or first >= ends[a - 1])
            and last < ends[a]
        ):
            # One offset in force over them all, no time repeated or skipped: one subtraction.
            return wall - offsets[a]
        k = np.searchsorted(begins, wall, "right") - 1
        # A repeated wall time lies in the offset before too: its first occurrence is there.
        before = np.maximum(k - 1, 0)
        k = np.where((k >= 1) & (wall < ends[before]), before, k)
        out = wall - offsets[k]
        # A wall time the clocks skip: the first moment after the jump.
        skipped = wall >= ends[k]
        if skipped.any():
            out[skipped] = starts[k[skipped] + 1]
        return out
    naive = pd.DatetimeIndex(wall.astype("datetime64[ns]"))
    aware = naive.tz_localize(
        _zone, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="shift_forward"
    )
    return np.asarray(aware.tz_convert(UTC).as_unit("ns").asi8, dtype="int64")


@functools.cache
def _scalar_tables(zone: ZoneInfo) -> tuple[list[int], list[int], list[int], list[int], int, int]:
    """The offset tables as Python lists (UTC starts, offsets, wall-clock begins and ends, the
    UTC bounds), for converting one time at a time by bisection."""
    starts, offsets, lo, hi = _offset_table(zone)
    begins, ends = _wall_table(zone)
    return starts.tolist(), offsets.tolist(), begins.tolist(), ends.tolist(), lo, hi


def wall_at(moment: int) -> int:
    """:func:`wall_ns` of one UTC time (int ns), without building arrays: the pages convert
    one or two moments at a time, dozens of times per view."""
    starts, offsets, _, _, lo, hi = _scalar_tables(_zone)
    if lo <= moment < hi:
        return moment + offsets[bisect_right(starts, moment) - 1]
    return int(wall_ns(np.array([moment], dtype="int64"))[0])


def from_wall_at(wall: int) -> int:
    """:func:`from_wall_ns` of one local wall-clock time (int ns), without building arrays."""
    starts, offsets, begins, ends, lo, hi = _scalar_tables(_zone)
    if not lo + _NS_DAY <= wall < hi - _NS_DAY:
        return int(from_wall_ns(np.array([wall], dtype="int64"))[0])
    k = bisect_right(begins, wall) - 1
    if k >= 1 and wall < ends[k - 1]:  # a repeated wall time: its first occurrence
        k -= 1
    if wall >= ends[k]:  # a wall time the clocks skip: the first moment after the jump
        return starts[k + 1]
    return wall - offsets[k]


def add_days_ns(moment: int, days: int) -> int:
    """:func:`add_days` of a UTC time (int ns), as int ns."""
    return from_wall_at(wall_at(moment) + days * _NS_DAY)


def add_days(moment: datetime | date | pd.Timestamp, days: int) -> pd.Timestamp:
    """``moment`` moved by ``days`` local calendar days (the same wall-clock time), in UTC."""
    return pd.Timestamp(add_days_ns(_moment_ns(moment), days), tz=UTC)


def local_days_ns(start: int, end: int) -> float:
    """:func:`local_days` from ``start`` to ``end`` (UTC int ns)."""
    return float(wall_at(end) - wall_at(start)) / _NS_DAY


def local_days(start: datetime | date | pd.Timestamp, end: datetime | date | pd.Timestamp) -> float:
    """Days from ``start`` to ``end`` on the local calendar: 28 from one local midnight to the
    one four weeks later, even when the clocks change in between."""
    return local_days_ns(_moment_ns(start), _moment_ns(end))


def ns(values: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Aware UTC times as int64 nanoseconds since the epoch."""
    return np.asarray(pd.DatetimeIndex(values).as_unit("ns").asi8, dtype="int64")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def moment_ns(value: datetime | date | pd.Timestamp) -> int:
    """:func:`as_moment` as int64 ns. A timestamp, a datetime (naive: UTC) or a date (its local
    midnight) is converted by plain arithmetic, the same instant as pandas gives, without
    building a Timestamp: the figures of one page convert a few hundred moments."""
    if isinstance(value, pd.Timestamp):
        return int(value.value)  # UTC-based ns, naive or aware
    if type(value) is datetime:
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    elif type(value) is date:
        moment = datetime.combine(value, time(), tzinfo=_zone)
    else:
        return int(as_moment(value).as_unit("ns").value)
    return (moment - _EPOCH) // _MICROSECOND * 1000


_moment_ns = moment_ns  # the name the metrics modules import


def span_ns(span: timedelta) -> int:
    """A time span as int ns (a timedelta counts whole microseconds, so this is exact)."""
    if isinstance(span, pd.Timedelta):
        return int(span.value)
    return span // _MICROSECOND * 1000


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
        lo = 0 if start is None else int(self.times.searchsorted(start, "left"))
        hi = len(self.times) if end is None else int(self.times.searchsorted(end, "right"))
        return Counts(self.times[lo:hi], self.values[lo:hi])


def gaps_in(times: np.ndarray, max_gap: timedelta = MAX_GAP) -> tuple[Gap, ...]:
    """Spans between consecutive known times (ascending int64 ns) further apart than
    ``max_gap``."""
    if len(times) < 2:
        return ()
    far = times[1:] - times[:-1] > span_ns(max_gap)
    if not far.any():
        return ()
    where = np.flatnonzero(far)
    # As _dt makes them, from plain ints (indexing numpy scalars one by one costs more).
    starts, ends = (times[where] // 1000).tolist(), (times[where + 1] // 1000).tolist()
    return tuple(
        Gap(_EPOCH + timedelta(microseconds=a), _EPOCH + timedelta(microseconds=b))
        for a, b in zip(starts, ends, strict=True)
    )


def gap_count(times: np.ndarray, max_gap: timedelta = MAX_GAP) -> tuple[int, float | None]:
    """How many gaps :func:`gaps_in` finds in ``times`` and the days of the longest (None when
    there is none), without making them."""
    if len(times) < 2:
        return 0, None
    far = times[1:] - times[:-1] > span_ns(max_gap)
    if not far.any():
        return 0, None
    where = np.flatnonzero(far)
    # As Gap.days measures it: between the moments at microsecond precision.
    micros = times // 1000
    longest = int((micros[where + 1] - micros[where]).max())
    return len(where), longest / (_NS_DAY // 1000)


def _coverage_ns(times: np.ndarray, first: int, last: int) -> float | None:
    """The share of the (UTC) days from ``first`` to ``last`` with one of the ascending
    ``times``."""
    first_day, last_day = first // _NS_DAY, last // _NS_DAY
    total = last_day - first_day + 1
    if total <= 0:
        return None
    days = times // _NS_DAY
    if len(days) and (days[0] < first_day or days[-1] > last_day):
        days = days[(days >= first_day) & (days <= last_day)]
    distinct = int(np.count_nonzero(days[1:] != days[:-1])) + 1 if len(days) else 0
    return distinct / total


def coverage_at(times: np.ndarray, start: int, end: int) -> float | None:
    """:func:`coverage` of ascending int64 ns times from ``start`` to ``end`` (int64 ns)."""
    return _coverage_ns(times, start, end)


def find_gaps(times: pd.Series | pd.DatetimeIndex, max_gap: timedelta = MAX_GAP) -> tuple[Gap, ...]:
    """Spans between consecutive known times (ascending) further apart than ``max_gap``."""
    return gaps_in(ns(times), max_gap)


def coverage(times: pd.Series | pd.DatetimeIndex, start: datetime, end: datetime) -> float | None:
    """Share of days from ``start`` to ``end`` (both inclusive) with at least one known value."""
    return _coverage_ns(np.sort(ns(times)), _moment_ns(start), _moment_ns(end))


def median_or_none(values: Sequence[float | None]) -> float | None:
    """The median of the known values; None when none is known."""
    known = [v for v in values if v is not None and not math.isnan(v)]
    if not known:
        return None
    return float(np.median(known))
