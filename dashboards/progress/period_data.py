"""Everything the progress view shows for one mentee and one period, read in one go.

The page layout stays light (who, which period); this is what its callback computes, from one
read of the person's snapshots and posts (``dashboards.progress.account_arrays``): one pass over
each account's sorted arrays gives the follower lines (already at the drawn resolution), posts per
week, engagement, the "since the last workshop" summary and the milestones, with the pinned
definitions of ``tracker.metrics`` and ``tracker.metrics.milestones``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import utcnow
from dashboards.charts import EventMark, Line
from dashboards.progress import account_arrays as progress_read
from dashboards.progress.account_arrays import AccountData
from tracker import metrics
from tracker.cohort.since_kickoff import SinceKickoff, since_kickoff
from tracker.metrics import milestones
from tracker.programme import goals as goal_checks
from tracker.store.models import Account, Cohort, Goal, Person, Tandem

logger = logging.getLogger(__name__)

RANGES = ("all", "90", "28", "workshop")
BASELINE_DAYS = 28  # the programme view starts this long before the kickoff
MAX_POINTS = 160  # per line: longer series are drawn at a coarser step (last value per step)
WORKSHOP_KINDS = ("kickoff", "workshop", "midpoint")


@dataclass(frozen=True)
class GapNote:
    platform: str
    start: date
    end: date


@dataclass(frozen=True)
class SinceRow:
    platform: str
    delta: int | None
    posts: int


@dataclass(frozen=True)
class ProgressData:
    start: datetime
    end: datetime
    events: tuple[EventMark, ...]
    followers: tuple[Line, ...]
    posts_weekly: tuple[Line, ...]
    engagement: tuple[Line, ...]
    gaps: tuple[GapNote, ...]
    since_event: EventMark | None
    since: tuple[SinceRow, ...]
    milestones: tuple[milestones.Milestone, ...]
    goals: tuple[goal_checks.GoalStatus, ...]
    axis: tuple[str, str]  # the charts' time axis, ISO days
    since_kickoff: SinceKickoff | None  # None outside a cohort


def axis_range(
    choice: str, cohort: Cohort | None, start: datetime, now: datetime
) -> tuple[str, str]:
    """The time axis of the charts: the whole programme spans four weeks before the kickoff to
    the closing (to today while it runs); a shorter period spans itself."""
    end = now.date()
    if choice == "all" and cohort is not None and cohort.end < end:
        end = cohort.end
    return start.date().isoformat(), end.isoformat()


def cohort_events(session: Session, cohort_id: int | None) -> tuple[EventMark, ...]:
    return progress_read.events(session, cohort_id)


def period(
    choice: str, cohort: Cohort | None, events: tuple[EventMark, ...], now: datetime
) -> tuple[datetime, datetime]:
    """The [start, end] of a range choice; an unknown choice means the whole programme."""
    end = now
    if choice == "90":
        return now - timedelta(days=90), end
    if choice == "28":
        return now - timedelta(days=28), end
    if choice == "workshop":
        last = last_workshop(events, now.date())
        if last is not None:
            return datetime.combine(last.day, datetime.min.time(), tzinfo=UTC), end
    if cohort is not None:
        start = datetime.combine(cohort.start, datetime.min.time(), tzinfo=UTC)
        return start - timedelta(days=BASELINE_DAYS), end
    return now - timedelta(days=365), end


def last_workshop(events: tuple[EventMark, ...], today: date) -> EventMark | None:
    past = [e for e in events if e.kind in WORKSHOP_KINDS and e.day <= today]
    return past[-1] if past else None


_NS_DAY = 86_400 * 10**9
_NS_WEEK = 7 * _NS_DAY
_MONDAY = 4 * _NS_DAY  # 1970-01-05: weeks for the engagement chart run Monday to Sunday


def _local_day(moment: datetime) -> date:
    return moment.astimezone(metrics.programme_zone()).date()


def _step(start: datetime, end: datetime) -> timedelta:
    days = max(1, (end - start).days)
    return timedelta(days=max(1, -(-days // MAX_POINTS)))


def _iso(values_ns: np.ndarray) -> tuple[str, ...]:
    days = values_ns.astype("datetime64[ns]").astype("datetime64[D]")
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


def _by_platform(accounts: Sequence[AccountData]) -> dict[str, list[AccountData]]:
    out: dict[str, list[AccountData]] = {}
    for data in sorted(accounts, key=lambda d: (d.platform, d.rows.account_id)):
        out.setdefault(data.platform, []).append(data)
    return out


def _follower_lines(
    accounts: Sequence[AccountData], start: datetime, end: datetime
) -> tuple[tuple[Line, ...], tuple[GapNote, ...]]:
    """One line per account with a known count in the period, at most MAX_POINTS slots
    (the last known count of each slot); the gaps between known counts as notes."""
    lines: list[Line] = []
    notes: list[GapNote] = []
    step = _step(start, end)
    step_ns = int(step.total_seconds()) * 10**9
    start_ns, end_ns = metrics.as_moment(start).value, metrics.as_moment(end).value
    max_gap = max(metrics.MAX_GAP, step * 1.5)
    for platform, group in _by_platform(accounts).items():
        for data in group:
            counts = _known(data, start_ns)
            if not len(counts.times):  # e.g. a blog: no follower count exists, so no line
                continue
            grid, values = metrics.on_grid(counts, step_ns, int(counts.times[0]), end_ns)
            lines.append(Line(platform, _iso(grid), _values(values)))
            notes.extend(
                GapNote(platform, _local_day(g.start), _local_day(g.end))
                for g in metrics.gaps_in(counts.times, max_gap)
            )
    return tuple(lines), tuple(notes)


def _posted(group: Sequence[AccountData], since: int) -> np.ndarray:
    at = np.concatenate([d.rows.post_at for d in group])
    return at[at >= since]


def _weekly_posts(
    accounts: Sequence[AccountData], start: datetime, end: datetime
) -> tuple[Line, ...]:
    """Posts per complete 7-day window from ``start``, per platform with posts in the period."""
    start_ns, end_ns = metrics.as_moment(start).value, metrics.as_moment(end).value
    lines = []
    for platform, group in _by_platform(accounts).items():
        at = _posted(group, start_ns)
        counts = metrics.week_counts(at, start_ns, end_ns)
        if not len(at) or not len(counts):
            continue
        weeks = metrics.week_edges(start_ns, end_ns)[: len(counts)]
        lines.append(
            Line(platform, _iso(metrics.wall_ns(weeks)), _values(counts.astype("float64")))
        )
    return tuple(lines)


def _engagement(accounts: Sequence[AccountData], start: datetime) -> tuple[Line, ...]:
    """The median engagement rate of each calendar week (Monday to Sunday) per platform, over
    the posts of the period with a known rate; a week without one is a gap."""
    start_ns = metrics.as_moment(start).value
    lines = []
    for platform, group in _by_platform(accounts).items():
        at_parts, rate_parts = [], []
        for data in group:
            inside = data.rows.post_at >= start_ns
            at = data.rows.post_at[inside]
            followers = metrics.nearest_values(_known(data, np.iinfo("int64").min), at)
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
        lines.append(Line(platform, _iso(mondays), _values(medians, 2)))
    return tuple(lines)


def _since(accounts: Sequence[AccountData], event: EventMark | None) -> tuple[SinceRow, ...]:
    """Per platform: follower change from the first to the last known count since the event
    (None with fewer than two), and the posts published since."""
    if event is None:
        return ()
    at = metrics.as_moment(event.day).value
    out = []
    for platform, group in _by_platform(accounts).items():
        if not any(len(d.rows.snap_at) or len(d.rows.post_at) for d in group):
            continue
        times = np.concatenate([_known(d, at).times for d in group])
        values = np.concatenate([_known(d, at).values for d in group])
        order = np.argsort(times, kind="stable")
        delta = int(values[order[-1]] - values[order[0]]) if len(times) >= 2 else None
        out.append(SinceRow(platform, delta, len(_posted(group, at))))
    return tuple(out)


def goals_of(
    session: Session, person_id: int, accounts: Sequence[AccountData], today: date
) -> tuple[goal_checks.GoalStatus, ...]:
    """The goals of the person's tandems with their status checked against the data."""
    rows = session.scalars(
        select(Goal)
        .join(Tandem, Tandem.id == Goal.tandem_id)
        .where(Tandem.mentee_id == person_id)
        .order_by(Goal.id)
    ).all()
    if not rows:
        return ()
    snaps, posts = progress_read.frames(person_id, accounts)
    return tuple(
        goal_checks.evaluate(goal_checks.GoalSpec.of(g), person_id, snaps, posts, today)
        for g in rows
    )


def load(
    session: Session, person: Person, choice: str, now: datetime | None = None
) -> ProgressData:
    """The progress of ``person`` over the period ``choice`` (see RANGES)."""
    now = now or utcnow()
    cohort = session.get(Cohort, person.cohort_id) if person.cohort_id else None
    events = cohort_events(session, person.cohort_id)
    start, end = period(choice, cohort, events, now)
    workshop = last_workshop(events, now.date())
    # One read covers the period, the whole programme (milestones) and the "since the last
    # workshop" summary.
    read_from = min(start, period("all", cohort, events, now)[0])
    accounts = progress_read.accounts(session, person.id, read_from, end)
    followers, gaps = _follower_lines(accounts, start, end)
    found = milestones.detect_accounts(
        [a.rows for a in accounts],
        cohort.start if cohort else None,
        cohort.end if cohort else None,
    )
    goals = goals_of(session, person.id, accounts, now.date())
    return ProgressData(
        start=start,
        end=end,
        events=tuple(e for e in events if start.date() <= e.day <= end.date()),
        followers=followers,
        posts_weekly=_weekly_posts(accounts, start, end),
        engagement=_engagement(accounts, start),
        gaps=gaps,
        since_event=workshop,
        since=_since(accounts, workshop),
        milestones=tuple(found),
        goals=goals,
        axis=axis_range(choice, cohort, start, now),
        since_kickoff=since_kickoff(
            accounts, cohort.start, cohort.end, now.date(), goals, tuple(found)
        )
        if cohort is not None
        else None,
    )


def accounts_of(session: Session, person_id: int) -> list[Account]:
    return list(
        session.scalars(
            select(Account).where(Account.person_id == person_id).order_by(Account.platform)
        )
    )
