"""Learning milestones detected from the data, each with the moment it happened.

Kinds: ``first_post`` (the first post an account ever made, when the data shows it),
``platform_adopted`` (that first post fell within the cohort), ``first_video`` (the first video
or reel seen of the person), ``weekly_4_weeks`` (a post in each of four calendar weeks running,
any platform) and ``followers_100`` / ``followers_500`` / ``followers_1000`` (an account's count
seen crossing the threshold; an account that was already above it when first polled has not
crossed it while tracked).

One milestone per platform per local day: where several fall on the same day of one platform,
only the most specific is kept (``SPECIFICITY``): a first post within the cohort is told as the
platform adopted, not twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from tracker.metrics import (
    VIDEO_KINDS,
    add_days_ns,
    from_wall_at,
    moment_ns,
    ns,
    wall_at,
    wall_ns,
)

logger = logging.getLogger(__name__)

FOLLOWER_THRESHOLDS = (100, 500, 1000)
STREAK_WEEKS = 4
MILESTONE_KINDS = (
    "first_post",
    "platform_adopted",
    "first_video",
    "weekly_4_weeks",
    *(f"followers_{n}" for n in FOLLOWER_THRESHOLDS),
)


# Most specific first: of the milestones of one person, platform and local day, the first kind in
# this order is kept.
SPECIFICITY = (
    "platform_adopted",
    "first_video",
    *(f"followers_{n}" for n in reversed(FOLLOWER_THRESHOLDS)),
    "first_post",
)


@dataclass(frozen=True)
class Milestone:
    person_id: int
    kind: str
    at: datetime
    platform: str | None = None  # None for milestones across platforms (weekly posting)
    value: int | None = None  # the threshold, or the number of weeks running


_NS_DAY = 86_400 * 10**9
_NS_WEEK = 7 * _NS_DAY
_MONDAY = 4 * _NS_DAY  # 1970-01-05, the first Monday after the epoch
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _dt(value_ns: int | np.integer) -> datetime:
    return _EPOCH + timedelta(microseconds=int(value_ns) // 1000)


@dataclass(frozen=True)
class AccountRows:
    """One account's snapshots and posts as arrays sorted by time: what detection reads."""

    person_id: int
    account_id: int
    platform: str
    snap_at: np.ndarray  # int64 ns, ascending: every snapshot
    followers: np.ndarray  # float64 per snapshot, NaN = unknown
    first_count: float  # the first post count a snapshot told (NaN: none told)
    post_at: np.ndarray  # int64 ns, ascending
    video: np.ndarray  # bool per post: a video or a reel


def _first_post(acc: AccountRows) -> Milestone | None:
    if not len(acc.post_at) or not len(acc.snap_at):
        return None
    earliest, first_snap = int(acc.post_at[0]), int(acc.snap_at[0])
    if np.isnan(acc.first_count):
        if earliest < first_snap:
            return None
    else:
        # The end of the first snapshot's local day.
        wall = wall_at(first_snap)
        day_end = from_wall_at(wall - wall % _NS_DAY + _NS_DAY)
        if int(acc.first_count) > int(acc.post_at.searchsorted(day_end, "left")):
            return None
    return Milestone(acc.person_id, "first_post", _dt(earliest), acc.platform)


def _thresholds(acc: AccountRows, thresholds: tuple[int, ...]) -> list[Milestone]:
    known = ~np.isnan(acc.followers)
    values, times = acc.followers[known], acc.snap_at[known]
    out: list[Milestone] = []
    if not len(values):
        return out
    # The first count at or above a threshold is where the highest count so far first reaches
    # it: one running maximum, then a search per threshold.
    peak = np.maximum.accumulate(values)
    for n in thresholds:
        if values[0] >= n:
            continue
        first = int(peak.searchsorted(n, "left"))
        if first < len(peak):
            at = _dt(times[first])
            out.append(Milestone(acc.person_id, f"followers_{n}", at, acc.platform, n))
    return out


def _first_video(person_id: int, accounts: Sequence[AccountRows]) -> Milestone | None:
    best: tuple[int, str] | None = None
    for acc in accounts:
        videos = acc.post_at[acc.video]
        if len(videos) and (best is None or int(videos[0]) < best[0]):
            best = (int(videos[0]), acc.platform)
    if best is None:
        return None
    return Milestone(person_id, "first_video", _dt(best[0]), best[1])


def _streak(person_id: int, accounts: Sequence[AccountRows], weeks: int) -> Milestone | None:
    """The first post of the first week that ends ``weeks`` calendar weeks running with posts."""
    at = np.sort(np.concatenate([acc.post_at for acc in accounts]))
    if not len(at) or weeks < 1:
        return None
    # Calendar weeks of the programme's local days: in time order, unless the clocks went back
    # across the start of a week.
    week = (wall_ns(at) - _MONDAY) // _NS_WEEK
    if (week[1:] >= week[:-1]).all():
        firsts = np.flatnonzero(np.append(True, week[1:] != week[:-1]))
        numbers = week[firsts]
    else:
        numbers, firsts = np.unique(week, return_index=True)
    if len(numbers) < weeks:
        return None
    # The weeks with posts ascend without repeats: ``weeks`` of them are running exactly when
    # the last lies ``weeks - 1`` after the first.
    hit = np.flatnonzero(numbers[weeks - 1 :] - numbers[: len(numbers) - weeks + 1] == weeks - 1)
    if not len(hit):
        return None
    return Milestone(person_id, "weekly_4_weeks", _dt(at[firsts[hit[0] + weeks - 1]]), None, weeks)


def _by_person(accounts: Sequence[AccountRows]) -> dict[int, list[AccountRows]]:
    by_person: dict[int, list[AccountRows]] = {}
    for acc in accounts:
        by_person.setdefault(acc.person_id, []).append(acc)
    return by_person


def detect_accounts(
    accounts: Sequence[AccountRows],
    cohort_start: date | None = None,
    cohort_end: date | None = None,
    weeks: int = STREAK_WEEKS,
    thresholds: tuple[int, ...] = FOLLOWER_THRESHOLDS,
) -> list[Milestone]:
    """Every milestone of the accounts (any number of people), oldest first; see
    :func:`detect`."""
    firsts = [m for m in (_first_post(acc) for acc in accounts) if m is not None]
    found = list(firsts)
    if cohort_start is not None and cohort_end is not None:
        lo, hi = moment_ns(cohort_start), add_days_ns(moment_ns(cohort_end), 1)
        found += [
            Milestone(m.person_id, "platform_adopted", m.at, m.platform)
            for m in firsts
            if lo <= ns_of(m.at) < hi
        ]
    by_person = _by_person(accounts)
    found += [m for pid, accs in by_person.items() if (m := _first_video(pid, accs))]
    found += [m for pid, accs in by_person.items() if (m := _streak(pid, accs, weeks))]
    for acc in accounts:
        found += _thresholds(acc, thresholds)
    return sorted(
        most_specific(found), key=lambda m: (m.at, m.person_id, MILESTONE_KINDS.index(m.kind))
    )


def most_specific(found: Sequence[Milestone]) -> list[Milestone]:
    """The milestones with one per person, platform and local day: the most specific of each
    (``SPECIFICITY``); milestones across platforms are all kept."""
    if not found:
        return []
    days = wall_ns(np.array([ns_of(m.at) for m in found], dtype="int64")) // _NS_DAY
    best: dict[tuple[int, str, int], Milestone] = {}
    kept: list[Milestone] = []
    for m, day in zip(found, days.tolist(), strict=True):
        if m.platform is None:
            kept.append(m)
            continue
        key = (m.person_id, m.platform, day)
        held = best.get(key)
        if held is None or SPECIFICITY.index(m.kind) < SPECIFICITY.index(held.kind):
            best[key] = m
    return kept + list(best.values())


def ns_of(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


def _split(frame: pd.DataFrame, time_column: str) -> dict[int, np.ndarray]:
    """Row positions of each account, in time order (one sort for the whole frame)."""
    if frame.empty:
        return {}
    account = frame["account_id"].to_numpy(dtype="int64")
    order = np.lexsort((ns(frame[time_column]), account))
    ids, starts = np.unique(account[order], return_index=True)
    return dict(zip(ids.tolist(), np.split(order, starts[1:]), strict=True))


def account_rows(snaps: pd.DataFrame, posts: pd.DataFrame) -> list[AccountRows]:
    """The frames of ``tracker.store.read_frames`` as one :class:`AccountRows` per account."""
    snap_rows, post_rows = _split(snaps, "taken_at"), _split(posts, "published_at")
    snap_at = ns(snaps["taken_at"]) if len(snaps) else np.empty(0, "int64")
    followers = snaps["followers"].to_numpy(dtype="float64", na_value=np.nan)
    counted = (
        snaps["posts"].to_numpy(dtype="float64", na_value=np.nan)
        if "posts" in snaps
        else np.full(len(snaps), np.nan)
    )
    post_at = ns(posts["published_at"]) if len(posts) else np.empty(0, "int64")
    video = posts["kind"].isin(VIDEO_KINDS).to_numpy() if len(posts) else np.empty(0, bool)
    empty = np.empty(0, "int64")
    out = []
    for account in sorted(set(snap_rows) | set(post_rows)):
        s, p = snap_rows.get(account, empty), post_rows.get(account, empty)
        source, row = (snaps, s[0]) if len(s) else (posts, p[0])
        told = counted[s][~np.isnan(counted[s])]
        out.append(
            AccountRows(
                person_id=int(source["person_id"].iat[row]),
                account_id=int(account),
                platform=str(source["platform"].iat[row]),
                snap_at=snap_at[s],
                followers=followers[s],
                first_count=float(told[0]) if len(told) else np.nan,
                post_at=post_at[p],
                video=video[p],
            )
        )
    return out


def first_posts(snaps: pd.DataFrame, posts: pd.DataFrame) -> list[Milestone]:
    """The first post of each account, where the data shows it was the first: the account's
    first snapshot counted no more posts than we know of up to the end of that day (or did not
    tell its count, and no known post is older than the first snapshot)."""
    found = (_first_post(acc) for acc in account_rows(snaps, posts))
    return [m for m in found if m is not None]


def first_videos(posts: pd.DataFrame) -> list[Milestone]:
    """The first video or reel seen of each person."""
    accounts = _by_person(account_rows(posts.iloc[:0].reindex(columns=_SNAP), posts))
    return [m for pid, accs in accounts.items() if (m := _first_video(pid, accs))]


def weekly_streaks(posts: pd.DataFrame, weeks: int = STREAK_WEEKS) -> list[Milestone]:
    """The first time each person posted in ``weeks`` calendar weeks (Monday to Sunday)
    running; the moment is the first post of the last of those weeks."""
    accounts = _by_person(account_rows(posts.iloc[:0].reindex(columns=_SNAP), posts))
    return [m for pid, accs in accounts.items() if (m := _streak(pid, accs, weeks))]


def follower_thresholds(
    snaps: pd.DataFrame, thresholds: tuple[int, ...] = FOLLOWER_THRESHOLDS
) -> list[Milestone]:
    """For each account and threshold, the first known count at or above the threshold after
    a known count below it."""
    found: list[Milestone] = []
    for acc in account_rows(snaps, snaps.iloc[:0].reindex(columns=_POST)):
        found += _thresholds(acc, thresholds)
    return found


_SNAP = ["person_id", "account_id", "platform", "taken_at", "followers", "posts"]
_POST = ["person_id", "account_id", "platform", "published_at", "kind"]


def detect(
    snaps: pd.DataFrame,
    posts: pd.DataFrame,
    cohort_start: date | None = None,
    cohort_end: date | None = None,
) -> list[Milestone]:
    """Every milestone in the frames (any number of people), oldest first.

    ``platform_adopted`` needs the cohort's dates: a first post from ``cohort_start`` to
    ``cohort_end`` (inclusive).
    """
    return detect_accounts(account_rows(snaps, posts), cohort_start, cohort_end)
