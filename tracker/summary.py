"""Per-person and cohort summaries shared by the impact report and the coordinator dashboard.

Periods: the *baseline* is the 28 days before the kickoff, the *last month* the 28 days before
the reference day (the closing, or today while the cohort runs); cohort growth runs from the
kickoff to the reference day. Run after the closing, the summary adds a *follow-up*: growth
from the closing to today, to show whether it held.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tracker.arrays import AccountData, frames
from tracker.cohortdata import CohortData, PersonInfo
from tracker.goals import GoalStatus, evaluate
from tracker.metrics import (
    EFFECT_DAYS,
    Counts,
    Growth,
    adopted_platforms,
    as_moment,
    clip_window,
    coverage,
    effect_windows,
    gaps_in,
    growth_of,
    median_engagement,
    median_or_none,
    nearest_values,
    posts_per_week,
    posts_weekly,
    rates_of,
)
from tracker.milestones import Milestone, detect_accounts

logger = logging.getLogger(__name__)

BASELINE_DAYS = 28
NO_COUNTS = Counts(np.empty(0, "int64"), np.empty(0, "int64"))
Window = tuple[pd.Timestamp, pd.Timestamp]


@dataclass(frozen=True)
class Periods:
    kickoff: date
    closing: date
    reference: date  # the last day counted: the closing, or today while the cohort runs
    baseline: tuple[pd.Timestamp, pd.Timestamp]
    last_month: tuple[pd.Timestamp, pd.Timestamp]
    cohort: tuple[pd.Timestamp, pd.Timestamp]
    followup: tuple[pd.Timestamp, pd.Timestamp] | None  # closing to today, once past it


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


@dataclass(frozen=True)
class CohortEffect:
    """The median over mentees (posting, engagement) or accounts (growth) of one event's
    before and after values."""

    event_date: date
    kind: str
    title: str
    metric: str
    before: float | None
    after: float | None
    people: int
    with_gaps: int
    complete: bool


@dataclass(frozen=True)
class CohortSummary:
    data: CohortData
    today: date
    periods: Periods
    mentees: tuple[PersonSummary, ...]
    comparison: tuple[PersonSummary, ...]
    platform_growth: tuple[PlatformGrowth, ...]
    effects: tuple[CohortEffect, ...]
    goals: tuple[GoalStatus, ...]

    def _share(self, attr: str) -> float | None:
        values = [getattr(p, attr) for p in self.mentees]
        known = [v for v in values if v is not None]
        return sum(known) / len(known) if known else None

    @property
    def share_weekly_start(self) -> float | None:
        return self._share("weekly_at_start")

    @property
    def share_weekly_end(self) -> float | None:
        return self._share("weekly_at_end")

    @property
    def share_weekly_now(self) -> float | None:
        return self._share("weekly_now") if self.periods.followup else None

    def mean_platforms(self, when: str) -> float | None:
        values = [len(getattr(p, f"platforms_{when}")) for p in self.mentees]
        return sum(values) / len(values) if values else None

    @property
    def goals_reached(self) -> int:
        return sum(g.status == "reached" for g in self.goals)

    @property
    def accounts(self) -> tuple[AccountSummary, ...]:
        return tuple(a for p in (*self.mentees, *self.comparison) for a in p.accounts)

    @property
    def milestones(self) -> tuple[Milestone, ...]:
        return tuple(sorted((m for p in self.mentees for m in p.milestones), key=lambda m: m.at))


def periods(data: CohortData, today: date) -> Periods:
    kickoff, closing = data.kickoff, data.closing
    reference = min(today, closing)
    ref_end = as_moment(reference) + pd.Timedelta(days=1)
    k = as_moment(kickoff)
    month = pd.Timedelta(days=BASELINE_DAYS)
    followup = None
    if today > closing:
        followup = (
            as_moment(closing) + pd.Timedelta(days=1),
            as_moment(today) + pd.Timedelta(days=1),
        )
    return Periods(
        kickoff,
        closing,
        reference,
        (k - month, k),
        (ref_end - month, ref_end),
        (k, ref_end),
        followup,
    )


def _account(
    row: dict[str, Any],
    rows: AccountData | None,
    counts: Counts,
    data: CohortData,
    per: Periods,
) -> AccountSummary:
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


def polled_index(polled: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(polled, tz="UTC")


def _person_frames(
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


def _person(
    person: PersonInfo,
    posts: pd.DataFrame,
    rates: pd.DataFrame,
    accounts: tuple[AccountSummary, ...],
    milestones: tuple[Milestone, ...],
    goals: tuple[GoalStatus, ...],
    per: Periods,
) -> PersonSummary:
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


def _platform_growth(people: tuple[PersonSummary, ...], role: str) -> list[PlatformGrowth]:
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


def _goals(
    data: CohortData, indexes: list[int], mentee: int, accounts: Sequence[AccountData], day: date
) -> dict[int, GoalStatus]:
    """The statuses of the goals at ``indexes`` of ``data.goals``, all of one mentee."""
    if not indexes:
        return {}
    snaps, posts = frames(mentee, accounts)
    return {i: evaluate(data.goals[i][0], mentee, snaps, posts, day) for i in indexes}


class _EffectTally:
    """Each event's before and after values, gathered one mentee at a time: posts per week and
    median engagement per mentee, weekly follower growth (%) per account."""

    def __init__(self, events: pd.DataFrame, today: date) -> None:
        until = as_moment(today) + pd.Timedelta(days=1)
        self.windows: list[tuple[Any, Window | None, Window | None, bool]] = []
        for ev in events.itertuples(index=False):
            full_before, full_after = effect_windows(ev.date, EFFECT_DAYS)
            before, after = clip_window(full_before, until), clip_window(full_after, until)
            self.windows.append((ev, before, after, until >= full_after[1]))
        self.pairs: list[dict[str, list[tuple[float | None, float | None]]]] = [
            {"posts_per_week": [], "engagement": [], "follower_growth": []} for _ in self.windows
        ]
        self.gaps = [0] * len(self.windows)

    def add(self, posts: pd.DataFrame, rates: pd.DataFrame, counts: Iterable[Counts]) -> None:
        """One mentee's posts, engagement rates and the follower counts of her accounts."""
        counts = list(counts)
        for i, (_, before, after, _) in enumerate(self.windows):
            if before is None or after is None:
                continue
            pairs = self.pairs[i]
            pairs["posts_per_week"].append(
                (posts_per_week(posts, *before), posts_per_week(posts, *after))
            )
            pairs["engagement"].append(
                (median_engagement(rates, *before), median_engagement(rates, *after))
            )
            for c in counts:
                b, a = growth_of(c, *before), growth_of(c, *after)
                pairs["follower_growth"].append(
                    (
                        None if b.weekly is None else b.weekly * 100,
                        None if a.weekly is None else a.weekly * 100,
                    )
                )
                self.gaps[i] += b.gap or a.gap

    def effects(self) -> list[CohortEffect]:
        """The median over mentees (or accounts) of each event's before and after values."""
        out: list[CohortEffect] = []
        for (ev, before, after, complete), pairs, gaps in zip(
            self.windows, self.pairs, self.gaps, strict=True
        ):
            if before is None or after is None:
                # Nothing after the event has happened yet: there is no effect to show.
                for metric in ("posts_per_week", "engagement", "follower_growth"):
                    out.append(
                        CohortEffect(ev.date, ev.kind, ev.title, metric, None, None, 0, 0, False)
                    )
                continue
            for metric, n_gaps in (
                ("posts_per_week", 0),
                ("engagement", 0),
                ("follower_growth", gaps),
            ):
                both = [(b, a) for b, a in pairs[metric] if b is not None and a is not None]
                out.append(
                    CohortEffect(
                        ev.date,
                        ev.kind,
                        ev.title,
                        metric,
                        median_or_none([b for b, _ in both]),
                        median_or_none([a for _, a in both]),
                        len(both),
                        n_gaps,
                        complete,
                    )
                )
        return out


def summarise(data: CohortData, today: date) -> CohortSummary:
    """Every figure of the report and the programme page, as of ``today``.

    Works one person at a time over the arrays of ``data``: the small frames the metrics read
    are built per person and dropped before the next."""
    per = periods(data, today)
    rows_by: dict[int, list[AccountData]] = {}
    for acc in data.rows:
        rows_by.setdefault(acc.person_id, []).append(acc)
    by_account = {acc.account_id: acc for acc in data.rows}
    listed: dict[int, list[dict[str, Any]]] = {}
    for row in data.accounts.to_dict("records"):
        listed.setdefault(int(row["person_id"]), []).append(row)
    found = detect_accounts([a.rows for a in data.rows], per.kickoff, per.closing)
    milestones_by: dict[int, list[Milestone]] = {}
    for m in found:
        milestones_by.setdefault(m.person_id, []).append(m)
    goals_of: dict[int, list[int]] = {}
    for i, (_, mentee) in enumerate(data.goals):
        goals_of.setdefault(mentee, []).append(i)
    statuses: dict[int, GoalStatus] = {}
    tally = _EffectTally(data.events, today)
    people = []
    for person in data.people:
        accs = rows_by.get(person.id, [])
        counts = {a.account_id: a.counts() for a in accs}
        accounts = tuple(
            _account(
                row,
                by_account.get(row["account_id"]),
                counts.get(row["account_id"], NO_COUNTS),
                data,
                per,
            )
            for row in listed.get(person.id, [])
        )
        posts, rates = _person_frames(accs, counts)
        mine = goals_of.pop(person.id, [])
        statuses.update(_goals(data, mine, person.id, accs, today))
        if person.role == "mentee":
            tally.add(posts, rates, counts.values())
        people.append(
            _person(
                person,
                posts,
                rates,
                accounts,
                tuple(milestones_by.get(person.id, [])),
                tuple(statuses[i] for i in mine),
                per,
            )
        )
    for mentee, indexes in goals_of.items():  # goals of someone outside the people summarised
        statuses.update(_goals(data, indexes, mentee, [], today))
    mentees = tuple(p for p in people if p.person.role == "mentee")
    comparison = tuple(p for p in people if p.person.role == "comparison")
    growth = _platform_growth(mentees, "mentee") + _platform_growth(comparison, "comparison")
    return CohortSummary(
        data=data,
        today=today,
        periods=per,
        mentees=mentees,
        comparison=comparison,
        platform_growth=tuple(growth),
        effects=tuple(tally.effects()),
        goals=tuple(statuses[i] for i in range(len(data.goals))),
    )
