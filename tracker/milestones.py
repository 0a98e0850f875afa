"""Learning milestones detected from the data, each with the moment it happened.

Kinds: ``first_post`` (the first post an account ever made, when the data shows it),
``platform_adopted`` (that first post fell within the cohort), ``first_video`` (the first video
or reel seen of the person), ``weekly_4_weeks`` (a post in each of four calendar weeks running,
any platform) and ``followers_100`` / ``followers_500`` / ``followers_1000`` (an account's count
seen crossing the threshold; an account that was already above it when first polled has not
crossed it while tracked).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from tracker.metrics import VIDEO_KINDS, as_moment

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


@dataclass(frozen=True)
class Milestone:
    person_id: int
    kind: str
    at: datetime
    platform: str | None = None  # None for milestones across platforms (weekly posting)
    value: int | None = None  # the threshold, or the number of weeks running


def _sorted(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame if frame[column].is_monotonic_increasing else frame.sort_values(column)


def first_posts(snaps: pd.DataFrame, posts: pd.DataFrame) -> list[Milestone]:
    """The first post of each account, where the data shows it was the first: the account's
    first snapshot counted no more posts than we know of up to the end of that day (or did not
    tell its count, and no known post is older than the first snapshot)."""
    if posts.empty:
        return []
    out: list[Milestone] = []
    first_snap = _sorted(snaps, "taken_at").groupby("account_id", sort=False).first()
    for account_id, group in _sorted(posts, "published_at").groupby("account_id", sort=False):
        earliest = group.iloc[0]
        if account_id not in first_snap.index:
            continue
        snap = first_snap.loc[account_id]
        day_end = as_moment(snap["taken_at"]).normalize() + pd.Timedelta(days=1)
        counted = snap["posts"]
        if pd.isna(counted):
            if earliest["published_at"] < snap["taken_at"]:
                continue
        elif int(counted) > int((group["published_at"] < day_end).sum()):
            continue
        out.append(
            Milestone(
                int(earliest["person_id"]),
                "first_post",
                earliest["published_at"].to_pydatetime(),
                str(earliest["platform"]),
            )
        )
    return out


def first_videos(posts: pd.DataFrame) -> list[Milestone]:
    """The first video or reel seen of each person."""
    videos = posts[posts["kind"].isin(VIDEO_KINDS)]
    if videos.empty:
        return []
    firsts = _sorted(videos, "published_at").groupby("person_id", sort=False).first()
    return [
        Milestone(int(pid), "first_video", row["published_at"].to_pydatetime(), row["platform"])
        for pid, row in firsts.iterrows()
    ]


def weekly_streaks(posts: pd.DataFrame, weeks: int = STREAK_WEEKS) -> list[Milestone]:
    """The first time each person posted in ``weeks`` calendar weeks (Monday to Sunday)
    running; the moment is the first post of the last of those weeks."""
    if posts.empty:
        return []
    out: list[Milestone] = []
    frame = _sorted(posts, "published_at")
    at = frame["published_at"]
    monday = (at.dt.normalize() - pd.to_timedelta(at.dt.day_of_week, unit="D")).dt.tz_convert("UTC")
    week_no = ((monday - pd.Timestamp("1970-01-05", tz="UTC")) / pd.Timedelta(days=7)).astype(
        "int64"
    )
    frame = frame.assign(_week=week_no.to_numpy())
    for pid, group in frame.groupby("person_id", sort=False):
        firsts = group.groupby("_week", sort=True)["published_at"].first()
        numbers = firsts.index.to_numpy()
        run = 1
        for i in range(1, len(numbers)):
            run = run + 1 if numbers[i] == numbers[i - 1] + 1 else 1
            if run == weeks:
                out.append(
                    Milestone(
                        int(pid), "weekly_4_weeks", firsts.iloc[i].to_pydatetime(), None, weeks
                    )
                )
                break
    return out


def follower_thresholds(
    snaps: pd.DataFrame, thresholds: tuple[int, ...] = FOLLOWER_THRESHOLDS
) -> list[Milestone]:
    """For each account and threshold, the first known count at or above the threshold after
    a known count below it."""
    known = snaps[snaps["followers"].notna()]
    if known.empty:
        return []
    out: list[Milestone] = []
    for _aid, group in _sorted(known, "taken_at").groupby("account_id", sort=False):
        values = group["followers"].to_numpy(dtype="int64")
        for n in thresholds:
            if values[0] >= n:
                continue
            above = np.flatnonzero(values >= n)
            if len(above):
                row = group.iloc[int(above[0])]
                out.append(
                    Milestone(
                        int(row["person_id"]),
                        f"followers_{n}",
                        row["taken_at"].to_pydatetime(),
                        str(row["platform"]),
                        n,
                    )
                )
    return out


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
    found = first_posts(snaps, posts)
    if cohort_start is not None and cohort_end is not None:
        lo = as_moment(cohort_start)
        hi = as_moment(cohort_end) + pd.Timedelta(days=1)
        found += [
            Milestone(m.person_id, "platform_adopted", m.at, m.platform)
            for m in found
            if lo <= m.at < hi
        ]
    found += first_videos(posts)
    found += weekly_streaks(posts)
    found += follower_thresholds(snaps)
    return sorted(found, key=lambda m: (m.at, m.person_id, MILESTONE_KINDS.index(m.kind)))
