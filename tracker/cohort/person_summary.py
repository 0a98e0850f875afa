"""Per-account and per-person summaries over the periods of a cohort, and the median growth per
platform built from them.

Each works on one person's compact arrays (``tracker.store.read_arrays``): the small frames the
metrics read are built for one person at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tracker.cohort.periods import Periods
from tracker.metrics import (
    Counts,
    Growth,
    adopted_platforms,
    coverage,
    gaps_in,
    growth_of,
    median_engagement,
    median_or_none,
    nearest_values,
    posts_per_week,
    posts_weekly,
    rates_of,
)
from tracker.metrics.milestones import Milestone
from tracker.programme.goals import GoalStatus
from tracker.store.read_arrays import AccountData
from tracker.store.read_cohort import CohortData, PersonInfo

logger = logging.getLogger(__name__)

NO_COUNTS = Counts(np.empty(0, "int64"), np.empty(0, "int64"))


@dataclass(frozen=True)
class AccountSummary:
    account_id: int
    person_id: int
    platform: str
    handle: str
    state: str
    growth: Growth  # kickoff to the reference day
    followup: Growth | None  # closing to today
    first_seen: pd.Timestamp | None
    last_seen: pd.Timestamp | None
    coverage: float | None  # days with a known count from first to last seen
    gaps: int
    longest_gap_days: float | None
    attempts: int
    failed: int
    last_outcome: str | None

    @property
    def in_error(self) -> bool:
        return self.state != "active" or self.last_outcome not in (None, "ok")


@dataclass(frozen=True)
class PersonSummary:
    person: PersonInfo
    platforms_kickoff: frozenset[str]
    platforms_closing: frozenset[str]
    posts_per_week_baseline: float | None
    posts_per_week_last_month: float | None
    posts_per_week_followup: float | None
    engagement_baseline: float | None
    engagement_last_month: float | None
    weekly_at_start: bool
    weekly_at_end: bool
    weekly_now: bool | None  # at follow-up time
    accounts: tuple[AccountSummary, ...]
    milestones: tuple[Milestone, ...]
    goals: tuple[GoalStatus, ...]

    @property
    def goals_reached(self) -> int:
        return sum(g.status == "reached" for g in self.goals)


@dataclass(frozen=True)
class PlatformGrowth:
    platform: str
    role: str
    accounts: int
    measured: int  # accounts with a growth value
    late_start: int  # of them, started after the kickoff
    with_gaps: int
    median_absolute: float | None
    median_percent: float | None
    median_weekly: float | None  # weekly compound rate
    followup_weekly: float | None  # after the closing


def polled_index(polled: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(polled, tz="UTC")


def account_summary(
    row: Mapping[str, Any],
    rows: AccountData | None,
    counts: Counts,
    data: CohortData,
    per: Periods,
) -> AccountSummary:
    """One account (``row`` of ``data.accounts``) with its rows (None when it has none) and
    known follower counts."""
    # A stored snapshot is a successful poll, whether or not the platform tells a follower count
    # (blogs do not): coverage and gaps of the data come from every snapshot.
    polled = np.sort(rows.rows.snap_at) if rows is not None else np.empty(0, "int64")
    gaps = gaps_in(polled) if len(polled) else ()
    health = data.health.get(int(row["account_id"]))
    first = pd.Timestamp(int(polled[0]), tz="UTC") if len(polled) else None
    last = pd.Timestamp(int(polled[-1]), tz="UTC") if len(polled) else None
    return AccountSummary(
        account_id=int(row["account_id"]),
        person_id=int(row["person_id"]),
        platform=str(row["platform"]),
        handle=str(row["handle"]),
        state=str(row["state"]),
        growth=growth_of(counts, *per.cohort),
        followup=growth_of(counts, *per.followup) if per.followup else None,
        first_seen=first,
        last_seen=last,
        coverage=coverage(polled_index(polled), first, last)
        if first is not None and last is not None
        else None,
        gaps=len(gaps),
        longest_gap_days=max(g.days for g in gaps) if gaps else None,
        attempts=health.attempts if health else 0,
        failed=health.failed if health else 0,
        last_outcome=health.last_outcome if health else None,
    )


def person_frames(
    accounts: Sequence[AccountData], counts: Mapping[int, Counts]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One person's posts (``published_at``, ``platform``) and their engagement rates
    (``published_at``, ``rate``: interactions by the follower count nearest the publication,
    NaN when unknown) as small frames for the metrics."""
    post_at = [a.rows.post_at for a in accounts]
    rates = [
        rates_of(a.interactions, nearest_values(counts[a.account_id], a.rows.post_at))
        for a in accounts
    ]
    published = pd.to_datetime(
        np.concatenate(post_at) if post_at else np.empty(0, "int64"), utc=True
    )
    platforms = np.repeat(
        np.array([a.platform for a in accounts], dtype=object), [len(t) for t in post_at]
    )
    posts = pd.DataFrame({"published_at": published, "platform": platforms})
    rate = np.concatenate(rates) if rates else np.empty(0)
    return posts, pd.DataFrame({"published_at": published, "rate": rate})


def person_summary(
    person: PersonInfo,
    posts: pd.DataFrame,
    rates: pd.DataFrame,
    accounts: tuple[AccountSummary, ...],
    milestones: tuple[Milestone, ...],
    goals: tuple[GoalStatus, ...],
    per: Periods,
) -> PersonSummary:
    """One person's posting, engagement and platforms over the periods, from the frames of
    :func:`person_frames`."""
    follow = per.followup
    return PersonSummary(
        person=person,
        platforms_kickoff=adopted_platforms(posts, per.kickoff),
        platforms_closing=adopted_platforms(posts, per.cohort[1]),
        posts_per_week_baseline=posts_per_week(posts, *per.baseline),
        posts_per_week_last_month=posts_per_week(posts, *per.last_month),
        posts_per_week_followup=posts_per_week(posts, *follow) if follow else None,
        engagement_baseline=median_engagement(rates, *per.baseline),
        engagement_last_month=median_engagement(rates, *per.last_month),
        weekly_at_start=posts_weekly(posts, per.kickoff),
        weekly_at_end=posts_weekly(posts, per.cohort[1]),
        weekly_now=posts_weekly(posts, follow[1]) if follow else None,
        accounts=accounts,
        milestones=milestones,
        goals=goals,
    )


def platform_growth(people: Sequence[PersonSummary], role: str) -> list[PlatformGrowth]:
    """The median follower growth of the people's accounts per platform, by platform."""
    by: dict[str, list[AccountSummary]] = {}
    for p in people:
        for a in p.accounts:
            by.setdefault(a.platform, []).append(a)
    out = []
    for platform, accounts in sorted(by.items()):
        grown = [a.growth for a in accounts if a.growth.absolute is not None]
        after = [
            a.followup.weekly for a in accounts if a.followup and a.followup.weekly is not None
        ]
        out.append(
            PlatformGrowth(
                platform=platform,
                role=role,
                accounts=len(accounts),
                measured=len(grown),
                late_start=sum(g.late_start for g in grown),
                with_gaps=sum(g.gap for g in grown),
                median_absolute=median_or_none([g.absolute for g in grown]),  # type: ignore[misc]
                median_percent=median_or_none([g.percent for g in grown]),
                median_weekly=median_or_none([g.weekly for g in grown]),
                followup_weekly=median_or_none(after),
            )
        )
    return out
