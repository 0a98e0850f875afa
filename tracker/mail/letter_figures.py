"""Every figure of a weekly letter, taken from the computations the dashboard shows.

Since the kickoff, milestones and goals come from the cohort summary
(``tracker.cohort.cohort_summary.summarise``, the programme page's and the report's figures);
the week's follower change and posts apply the pinned metric definitions
(``tracker.metrics.growth_of``, ``posts_per_week``, ``weekly_post_counts``) to the letter's
seven days. Nothing here formats: ``tracker.mail.compose`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from tracker.cohort.cohort_summary import CohortSummary, summarise
from tracker.cohort.person_summary import PersonSummary, person_frames
from tracker.mail.weeks import LetterWeek
from tracker.metrics import as_moment, growth_of, posts_per_week, weekly_post_counts
from tracker.metrics.milestones import Milestone
from tracker.programme.goals import GoalStatus
from tracker.store.read_arrays import AccountData
from tracker.store.read_cohort import load_cohort

CHART_WEEKS = 6
# No post for this many days or more: the tip says so.
QUIET_DAYS = 10
OPEN_STATES = ("open", "on_track")


@dataclass(frozen=True)
class PlatformWeek:
    platform: str
    week: int | None  # follower change over the letter's seven days; None when unknown
    since_kickoff: int | None  # the programme page's growth from the kickoff


@dataclass(frozen=True)
class EventInfo:
    day: date
    kind: str
    title: str


@dataclass(frozen=True)
class MenteeWeek:
    """One mentee's week, as her letter (and her mentor's) shows it."""

    person_id: int
    key: str
    name: str
    platforms: tuple[PlatformWeek, ...]
    posts: float | None  # posts in the seven days (posts per week over one week)
    posts_goal: float | None  # the weekly target of her first open posting goal
    milestones: tuple[Milestone, ...]  # reached in the seven days
    next_goal: GoalStatus | None
    at_risk: tuple[GoalStatus, ...]  # open goals with a due day the data does not point to
    days_since_post: int | None  # before the sending day; None without any post
    weekly_posts: tuple[int, ...]  # the last CHART_WEEKS seven-day windows, oldest first
    tip: str  # catalogue key under "letter.tip."


@dataclass(frozen=True)
class ActionRow:
    person: str
    platform: str
    handle: str
    state: str
    last_outcome: str | None


@dataclass(frozen=True)
class CohortWeek:
    """One cohort's week: its mentees' figures and what the coordinator should look at."""

    key: str
    name: str
    week: LetterWeek
    mentees: tuple[MenteeWeek, ...]
    next_event: EventInfo | None
    needs_action: tuple[ActionRow, ...]

    @property
    def posts(self) -> float | None:
        known = [m.posts for m in self.mentees if m.posts is not None]
        return sum(known) if known else None

    @property
    def followers(self) -> int | None:
        known = [p.week for m in self.mentees for p in m.platforms if p.week is not None]
        return sum(known) if known else None

    @property
    def milestones(self) -> int:
        return sum(len(m.milestones) for m in self.mentees)

    @property
    def weekly_posts(self) -> tuple[int, ...]:
        if not self.mentees:
            return (0,) * CHART_WEEKS
        return tuple(sum(w) for w in zip(*(m.weekly_posts for m in self.mentees), strict=True))

    def mentee(self, person_id: int) -> MenteeWeek | None:
        return next((m for m in self.mentees if m.person_id == person_id), None)


def _sum(values: Sequence[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _platforms(
    accounts: Sequence[AccountData], summary: PersonSummary, week: LetterWeek
) -> tuple[PlatformWeek, ...]:
    by_platform: dict[str, tuple[list[int | None], list[int | None]]] = {}
    rows = {a.account_id: a for a in accounts}
    for acc in summary.accounts:
        weekly, since = by_platform.setdefault(acc.platform, ([], []))
        since.append(acc.growth.absolute)
        data = rows.get(acc.account_id)
        weekly.append(growth_of(data.counts(), week.start, week.end).absolute if data else None)
    return tuple(
        PlatformWeek(platform, _sum(weekly), _sum(since))
        for platform, (weekly, since) in sorted(by_platform.items())
    )


def _next_goal(goals: Sequence[GoalStatus]) -> GoalStatus | None:
    pending = [g for g in goals if g.status in OPEN_STATES]
    pending.sort(key=lambda g: (g.due is None, g.due or date.max, g.goal_id))
    return pending[0] if pending else None


def _tip(
    posts: pd.DataFrame,
    days: int | None,
    m_posts: float | None,
    goal: float | None,
    at_risk: Sequence[GoalStatus],
    milestones: Sequence[Milestone],
) -> str:
    """The one plain-language tip the mentee's data calls for, most pressing first."""
    if posts.empty:
        return "first_post"
    if days is not None and days >= QUIET_DAYS:
        return "quiet"
    if at_risk:
        return "goal_at_risk"
    if goal is not None and m_posts is not None and m_posts < goal:
        return "below_goal"
    if milestones:
        return "milestone"
    return "steady"


def mentee_week(
    summary: PersonSummary, accounts: Sequence[AccountData], week: LetterWeek
) -> MenteeWeek:
    """The letter's figures of one mentee from her cohort summary and account rows."""
    counts = {a.account_id: a.counts() for a in accounts}
    posts, _rates = person_frames(accounts, counts)
    before = posts[posts["published_at"] < as_moment(week.end)]
    last = before["published_at"].max() if not before.empty else None
    days = (week.end - last.date()).days if last is not None else None
    in_week = posts_per_week(posts, week.start, week.end)
    goals = summary.goals
    posting = [g for g in goals if g.metric == "posts_per_week" and g.status in OPEN_STATES]
    goal = posting[0].target if posting else None
    at_risk = tuple(g for g in goals if g.status == "open" and g.due is not None)
    reached = tuple(m for m in summary.milestones if week.start <= m.at.date() < week.end)
    chart_start = week.end - timedelta(days=7 * CHART_WEEKS)
    chart = weekly_post_counts(posts, chart_start, week.end)
    return MenteeWeek(
        person_id=summary.person.id,
        key=summary.person.key,
        name=summary.person.name,
        platforms=_platforms(accounts, summary, week),
        posts=in_week,
        posts_goal=goal,
        milestones=reached,
        next_goal=_next_goal(goals),
        at_risk=at_risk,
        days_since_post=days,
        weekly_posts=tuple(int(c) for c in chart.tolist()),
        tip=_tip(posts, days, in_week, goal, at_risk, reached),
    )


def _next_event(summary: CohortSummary, after: date) -> EventInfo | None:
    events = summary.data.events
    for row in events.sort_values("date").itertuples():
        day = row.date if isinstance(row.date, date) else pd.Timestamp(row.date).date()
        if day >= after:
            return EventInfo(day, str(row.kind), str(row.title))
    return None


def cohort_week_of(summary: CohortSummary, week: LetterWeek) -> CohortWeek:
    """The week of every mentee of an already summarised cohort."""
    rows_by: dict[int, list[AccountData]] = {}
    for acc in summary.data.rows:
        rows_by.setdefault(acc.person_id, []).append(acc)
    names = {p.id: p.name for p in summary.data.people}
    mentees = tuple(mentee_week(p, rows_by.get(p.person.id, []), week) for p in summary.mentees)
    action = tuple(
        ActionRow(names.get(a.person_id, ""), a.platform, a.handle, a.state, a.last_outcome)
        for p in summary.mentees
        for a in p.accounts
        if a.in_error
    )
    data = summary.data
    return CohortWeek(data.key, data.name, week, mentees, _next_event(summary, week.end), action)


def _until(acc: AccountData, end_ns: int) -> AccountData:
    """The account's rows before ``end_ns``: what the dashboard showed at that moment."""
    rows = acc.rows
    snaps = int(np.searchsorted(rows.snap_at, end_ns, "left"))
    posts = int(np.searchsorted(rows.post_at, end_ns, "left"))
    clipped = replace(
        rows,
        snap_at=rows.snap_at[:snaps],
        followers=rows.followers[:snaps],
        post_at=rows.post_at[:posts],
        video=rows.video[:posts],
    )
    return replace(acc, rows=clipped, interactions=acc.interactions[:posts])


def cohort_week(session: Session, cohort_key: str, week: LetterWeek) -> CohortWeek:
    """The week of a cohort's mentees as the dashboard showed it at the end of the week's
    last day: the cohort summary of that day over the data known by then.

    Raises NotFoundError for an unknown cohort."""
    data = load_cohort(session, cohort_key)
    end_ns = as_moment(week.end).value
    data = replace(data, rows=tuple(_until(a, end_ns) for a in data.rows))
    return cohort_week_of(summarise(data, week.last_day), week)
