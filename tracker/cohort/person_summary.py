"""Per-account and per-person summaries over the periods of a cohort, and the cohort's medians
per platform built from them (follower growth over accounts; posting and engagement over
mentees, each with its n).

Engagement is per platform, never pooled across platforms: a rate is interactions by the
follower count of the same account. Each works on one person's compact arrays
(``tracker.store.read_arrays``): the cohort summary through :func:`person_summary_of` (her
posts searched once for all windows, ``tracker.cohort.person_posts``); :func:`person_frames`
and :func:`person_summary` give the same figures from small frames, for code that reads
frames.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tracker.cohort.periods import Periods
from tracker.cohort.person_posts import Moments, PersonPosts, Span
from tracker.metrics import (
    Counts,
    Growth,
    add_days,
    adopted_platforms,
    coverage_at,
    gap_count,
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
# An account with no snapshot since this long before the end of the day needs attention.
STALE_DAYS = 2


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

    def needs_attention(self, today: date) -> bool:
        """In error, never polled successfully, or no snapshot in the ``STALE_DAYS`` local days
        up to the end of ``today``."""
        if self.in_error or self.last_seen is None:
            return True
        return self.last_seen < add_days(today, 1 - STALE_DAYS)


@dataclass(frozen=True)
class PlatformPosting:
    """One person's posting and engagement on one platform (median rate of her posts there;
    None where no post of the period has a known rate)."""

    platform: str
    posts_per_week_baseline: float | None
    posts_per_week_last_month: float | None
    engagement_baseline: float | None
    engagement_last_month: float | None


@dataclass(frozen=True)
class PersonSummary:
    person: PersonInfo
    platforms_kickoff: frozenset[str]
    platforms_closing: frozenset[str]
    posts_per_week_baseline: float | None
    posts_per_week_last_month: float | None
    posts_per_week_followup: float | None
    per_platform: tuple[PlatformPosting, ...]  # one per platform she has an account on
    followers_latest: int | None  # the last known counts of her accounts, added up
    follower_growth: float | None  # fraction, kickoff to reference day, accounts known at both
    weekly_at_start: bool
    weekly_at_end: bool
    weekly_now: bool | None  # at follow-up time
    accounts: tuple[AccountSummary, ...]
    milestones: tuple[Milestone, ...]
    goals: tuple[GoalStatus, ...]
    platforms_now: frozenset[str] | None = None  # at follow-up time

    @property
    def goals_reached(self) -> int:
        return sum(g.status == "reached" for g in self.goals)

    def on(self, platform: str) -> PlatformPosting | None:
        return next((p for p in self.per_platform if p.platform == platform), None)

    def attention(self, today: date) -> int:
        """Her accounts that need attention (see :meth:`AccountSummary.needs_attention`)."""
        return sum(a.needs_attention(today) for a in self.accounts)


@dataclass(frozen=True)
class PlatformGrowth:
    """Per platform: the people's accounts (all counted, with or without follower counts), the
    median growth over those with a growth value (``measured``), and the median posting and
    engagement over the people with an account there (n in ``people``, ``engaged_*``)."""

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
    people: int = 0  # people with an account on the platform
    posts_per_week_baseline: float | None = None
    posts_per_week_last_month: float | None = None
    engaged_baseline: int = 0  # people with a known engagement rate before the kickoff
    engagement_baseline: float | None = None
    engaged_last_month: int = 0
    engagement_last_month: float | None = None
    followup_measured: int = 0  # accounts with a growth value from the closing to today
    followup_percent: float | None = None


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
    gaps, longest = gap_count(polled)
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
        coverage=coverage_at(polled, int(polled[0]), int(polled[-1])) if len(polled) else None,
        gaps=gaps,
        longest_gap_days=longest,
        attempts=health.attempts if health else 0,
        failed=health.failed if health else 0,
        last_outcome=health.last_outcome if health else None,
    )


def person_frames(
    accounts: Sequence[AccountData], counts: Mapping[int, Counts]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One person's posts (``published_at``, ``platform``) and their engagement rates
    (``published_at``, ``platform``, ``rate``: interactions by the follower count of the same
    account nearest the publication, NaN when unknown) as small frames for the metrics."""
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
    return posts, pd.DataFrame({"published_at": published, "platform": platforms, "rate": rate})


def _on(frame: pd.DataFrame, platform: str) -> pd.DataFrame:
    return frame[frame["platform"].to_numpy() == platform]


def platform_posting(
    platform: str, posts: pd.DataFrame, rates: pd.DataFrame, per: Periods
) -> PlatformPosting:
    """One person's posting and engagement on ``platform`` before the kickoff and in the last
    month."""
    mine, rated = _on(posts, platform), _on(rates, platform)
    return PlatformPosting(
        platform,
        posts_per_week(mine, *per.baseline),
        posts_per_week(mine, *per.last_month),
        median_engagement(rated, *per.baseline),
        median_engagement(rated, *per.last_month),
    )


def _follower_total(counts: Mapping[int, Counts]) -> int | None:
    known = [int(c.values[-1]) for c in counts.values() if len(c.values)]
    return sum(known) if known else None


def _pooled_growth(accounts: Sequence[AccountSummary]) -> float | None:
    both = [a.growth for a in accounts if a.growth.start_value is not None]
    first = sum(g.start_value or 0 for g in both)
    last = sum(g.end_value or 0 for g in both)
    return (last - first) / first if first > 0 else None


def person_summary(
    person: PersonInfo,
    posts: pd.DataFrame,
    rates: pd.DataFrame,
    accounts: tuple[AccountSummary, ...],
    milestones: tuple[Milestone, ...],
    goals: tuple[GoalStatus, ...],
    per: Periods,
    counts: Mapping[int, Counts] | None = None,
) -> PersonSummary:
    """One person's posting, engagement (per platform) and platforms over the periods, from
    the frames of :func:`person_frames` and her accounts' known follower ``counts``."""
    follow = per.followup
    platforms = sorted({a.platform for a in accounts})
    return PersonSummary(
        person=person,
        platforms_kickoff=adopted_platforms(posts, per.kickoff),
        platforms_closing=adopted_platforms(posts, per.cohort[1]),
        posts_per_week_baseline=posts_per_week(posts, *per.baseline),
        posts_per_week_last_month=posts_per_week(posts, *per.last_month),
        posts_per_week_followup=posts_per_week(posts, *follow) if follow else None,
        per_platform=tuple(platform_posting(p, posts, rates, per) for p in platforms),
        followers_latest=_follower_total(counts or {}),
        follower_growth=_pooled_growth(accounts),
        weekly_at_start=posts_weekly(posts, per.kickoff),
        weekly_at_end=posts_weekly(posts, per.cohort[1]),
        weekly_now=posts_weekly(posts, follow[1]) if follow else None,
        accounts=accounts,
        milestones=milestones,
        goals=goals,
        platforms_now=adopted_platforms(posts, follow[1]) if follow else None,
    )


@dataclass(frozen=True)
class PeriodSpans:
    """The windows of :class:`Periods` a person summary counts posts in, as spans of one
    :class:`Moments`."""

    baseline: Span
    last_month: Span
    followup: Span | None
    adoption_kickoff: Span
    adoption_closing: Span
    adoption_now: Span | None
    weekly_start: tuple[Span, ...] | None
    weekly_end: tuple[Span, ...] | None
    weekly_now: tuple[Span, ...] | None

    @classmethod
    def of(cls, per: Periods, moments: Moments) -> PeriodSpans:
        follow = per.followup
        return cls(
            baseline=moments.span(*per.baseline),
            last_month=moments.span(*per.last_month),
            followup=moments.span(*follow) if follow else None,
            adoption_kickoff=moments.adoption(per.kickoff),
            adoption_closing=moments.adoption(per.cohort[1]),
            adoption_now=moments.adoption(follow[1]) if follow else None,
            weekly_start=moments.weeks_before(per.kickoff),
            weekly_end=moments.weeks_before(per.cohort[1]),
            weekly_now=moments.weeks_before(follow[1]) if follow else None,
        )


def person_summary_of(
    person: PersonInfo,
    posts: PersonPosts,
    accounts: tuple[AccountSummary, ...],
    milestones: tuple[Milestone, ...],
    goals: tuple[GoalStatus, ...],
    spans: PeriodSpans,
    counts: Mapping[int, Counts],
) -> PersonSummary:
    """:func:`person_summary` from her posts as arrays (the same figures, no frame)."""
    platforms = sorted({a.platform for a in accounts})
    now = spans.followup is not None
    return PersonSummary(
        person=person,
        platforms_kickoff=posts.adopted(spans.adoption_kickoff),
        platforms_closing=posts.adopted(spans.adoption_closing),
        posts_per_week_baseline=posts.per_week(spans.baseline),
        posts_per_week_last_month=posts.per_week(spans.last_month),
        posts_per_week_followup=posts.per_week(spans.followup) if spans.followup else None,
        per_platform=tuple(
            PlatformPosting(
                p,
                posts.per_week(spans.baseline, p),
                posts.per_week(spans.last_month, p),
                posts.median_rate(spans.baseline, p),
                posts.median_rate(spans.last_month, p),
            )
            for p in platforms
        ),
        followers_latest=_follower_total(counts),
        follower_growth=_pooled_growth(accounts),
        weekly_at_start=posts.weekly(spans.weekly_start),
        weekly_at_end=posts.weekly(spans.weekly_end),
        weekly_now=posts.weekly(spans.weekly_now) if now else None,
        accounts=accounts,
        milestones=milestones,
        goals=goals,
        platforms_now=posts.adopted(spans.adoption_now) if spans.adoption_now else None,
    )


def platform_growth(people: Sequence[PersonSummary], role: str) -> list[PlatformGrowth]:
    """Per platform, by platform: every account of the people counted, the median follower
    growth of those with a growth value, the median posting and engagement over the people
    with an account there."""
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
        since = [a.followup for a in accounts if a.followup and a.followup.absolute is not None]
        on = [f for p in people if (f := p.on(platform)) is not None]
        before = [f.engagement_baseline for f in on if f.engagement_baseline is not None]
        last = [f.engagement_last_month for f in on if f.engagement_last_month is not None]
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
                people=len(on),
                posts_per_week_baseline=median_or_none([f.posts_per_week_baseline for f in on]),
                posts_per_week_last_month=median_or_none([f.posts_per_week_last_month for f in on]),
                engaged_baseline=len(before),
                engagement_baseline=median_or_none(before),
                engaged_last_month=len(last),
                engagement_last_month=median_or_none(last),
                followup_measured=len(since),
                followup_percent=median_or_none([g.percent for g in since]),
            )
        )
    return out
