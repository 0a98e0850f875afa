"""The cohort week by week: one row per mentee and calendar week (Monday to Sunday in the
programme's time zone) with each platform's follower count at the end of the week and the posts
published that week. What a coordinator opens in a spreadsheet instead of every raw snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import NotFoundError
from tracker.store import read_frames
from tracker.store.models import Cohort


@dataclass(frozen=True)
class PersonWeek:
    """One mentee in one week. A follower count is None where no count was read that week
    (a gap or no account yet), never 0."""

    person_key: str
    name: str
    week_start: date
    followers: tuple[int | None, ...]  # in the order of ``WeeklyTable.platforms``
    posts: int


@dataclass(frozen=True)
class WeeklyTable:
    cohort_key: str
    platforms: tuple[str, ...]
    rows: tuple[PersonWeek, ...]


def _week_start(moments: pd.Series, timezone: str) -> pd.Series:
    local = moments.dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()
    return (local - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date


def weekly_rows(
    people: Sequence[tuple[int, str, str]],
    snaps: pd.DataFrame,
    posts: pd.DataFrame,
    timezone: str,
) -> tuple[tuple[str, ...], list[PersonWeek]]:
    """``people`` as (id, key, name); frames as ``read_frames`` gives them. Every person gets a
    row for every week from the first to the last week with any data of the cohort."""
    known = snaps[snaps["followers"].notna()].copy()
    known["week"] = _week_start(known["taken_at"], timezone)
    posts = posts.copy()
    posts["week"] = _week_start(posts["published_at"], timezone)
    weeks = sorted({*known["week"], *posts["week"]})
    if not weeks:
        return (), []
    platforms = tuple(sorted(set(known["platform"])))
    # The last count read in each week, per person and platform.
    last = (
        known.sort_values("taken_at")
        .groupby(["person_id", "week", "platform"])["followers"]
        .last()
        .to_dict()
    )
    counts = posts.groupby(["person_id", "week"]).size().to_dict()
    rows = []
    week = weeks[0]
    all_weeks = []
    while week <= weeks[-1]:
        all_weeks.append(week)
        week += timedelta(days=7)
    for pid, key, name in people:
        for week in all_weeks:
            followers = tuple(
                None if (v := last.get((pid, week, p))) is None else int(v) for p in platforms
            )
            rows.append(PersonWeek(key, name, week, followers, int(counts.get((pid, week), 0))))
    return platforms, rows


def cohort_weeks(session: Session, cohort_key: str, timezone: str) -> WeeklyTable:
    """The cohort's mentees week by week; raises NotFoundError for an unknown cohort."""
    cohort = session.scalar(select(Cohort).where(Cohort.key == cohort_key))
    if cohort is None:
        raise NotFoundError(f"no cohort with key {cohort_key!r}")
    people = read_frames.cohort_people(session, cohort)
    ids = [p.id for p in people]
    platforms, rows = weekly_rows(
        [(p.id, p.key, p.display_name) for p in people],
        read_frames.snapshots(session, ids),
        read_frames.posts(session, ids),
        timezone,
    )
    return WeeklyTable(cohort.key, platforms, tuple(rows))
