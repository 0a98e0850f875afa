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
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from connectors.base import utcnow
from dashboards.charts import EventMark, Line
from dashboards.progress import account_arrays as progress_read
from dashboards.progress.account_arrays import AccountData
from tracker.cohort import progress_figures
from tracker.cohort.progress_figures import GapNote, SinceRow
from tracker.cohort.since_kickoff import SinceKickoff, since_kickoff
from tracker.metrics import milestones
from tracker.programme import goals as goal_checks
from tracker.store import cursor
from tracker.store.models import Account, Cohort, Goal, Person, PersonRef, Tandem
from tracker.store.read_arrays import PersonRead, person_read

logger = logging.getLogger(__name__)

RANGES = ("all", "90", "28", "workshop")
BASELINE_DAYS = 28  # the programme view starts this long before the kickoff
WORKSHOP_KINDS = ("kickoff", "workshop", "midpoint")


@dataclass(frozen=True)
class CohortDates:
    """A cohort as the figures need it: its first and last day."""

    id: int
    start: date
    end: date


# Built once (bound per call): the dates only, as plain values (loading a Cohort object costs
# twice the query).
_COHORT_DATES = select(Cohort.id, Cohort.start, Cohort.end).where(Cohort.id == bindparam("cohort"))


def cohort_dates(session: Session, cohort_id: int | None) -> CohortDates | None:
    if cohort_id is None:
        return None
    rows = cursor.prepared(session.connection(), _COHORT_DATES, {"cohort": cohort_id})
    return CohortDates(*rows[0]) if rows else None


@dataclass(frozen=True)
class ChartData:
    """The charts of one period: all that a change of the period redraws."""

    start: datetime
    end: datetime
    events: tuple[EventMark, ...]  # the events within the period
    followers: tuple[Line, ...]
    posts_weekly: tuple[Line, ...]
    engagement: tuple[Line, ...]
    gaps: tuple[GapNote, ...]
    axis: tuple[str, str]  # the charts' time axis, ISO days


@dataclass(frozen=True)
class ProgressData:
    """The charts of the period and the figures that do not depend on it."""

    charts: ChartData
    since_event: EventMark | None
    since: tuple[SinceRow, ...]
    milestones: tuple[milestones.Milestone, ...]
    goals: tuple[goal_checks.GoalStatus, ...]
    since_kickoff: SinceKickoff | None  # None outside a cohort
    read: PersonRead  # the rows read for this view, for other figures of the same page
    cohort: CohortDates | None  # her cohort and all its events, for other parts of the page
    programme: tuple[EventMark, ...]


def axis_range(
    choice: str, cohort: CohortDates | None, start: datetime, now: datetime
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
    choice: str, cohort: CohortDates | None, events: tuple[EventMark, ...], now: datetime
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


def _lines(series: Sequence[progress_figures.DaySeries]) -> tuple[Line, ...]:
    return tuple(Line(s.platform, s.x, s.y) for s in series)


# Built once (bound per call): building a statement costs about as much as running it. The
# goals' columns as GoalSpec holds them, read as plain rows (loading Goal objects costs twice the
# query).
_GOALS_OF_MENTEE = (
    select(*(getattr(Goal, f.name) for f in fields(goal_checks.GoalSpec)))
    .join(Tandem, Tandem.id == Goal.tandem_id)
    .where(Tandem.mentee_id == bindparam("mentee"))
    .order_by(Goal.id)
)


def goals_of(
    session: Session, person_id: int, accounts: Sequence[AccountData], today: date
) -> tuple[goal_checks.GoalStatus, ...]:
    """The goals of the person's tandems with their status checked against her rows, as the
    report checks them."""
    rows = cursor.prepared(session.connection(), _GOALS_OF_MENTEE, {"mentee": person_id})
    return tuple(
        goal_checks.evaluate_rows(goal_checks.GoalSpec(*row), person_id, accounts, today)
        for row in rows
    )


@dataclass(frozen=True)
class _Window:
    """What a view reads: the period, and the rows from ``read_from`` (every figure of the
    view is computed from these alone)."""

    cohort: CohortDates | None
    events: tuple[EventMark, ...]
    start: datetime
    end: datetime
    read: PersonRead
    accounts: list[AccountData]  # the read's rows from read_from


# The self-assessment's figures look at the four weeks before its first round: a week before
# the programme view starts.
SELF_ASSESSMENT_MARGIN = timedelta(days=7)


def _window(
    session: Session,
    person: Person | PersonRef,
    choice: str,
    now: datetime,
    margin: timedelta = SELF_ASSESSMENT_MARGIN,
) -> _Window:
    cohort = cohort_dates(session, person.cohort_id)
    events = cohort_events(session, person.cohort_id)
    start, end = period(choice, cohort, events, now)
    # One read covers the period, the whole programme (milestones), the "since the last
    # workshop" summary and, ``margin`` earlier, what the self-assessment looks at.
    read_from = min(start, period("all", cohort, events, now)[0])
    read = person_read(session, person.id, read_from - margin, end)
    return _Window(cohort, events, start, end, read, read.between(read_from, end))


def _charts(window: _Window, choice: str, now: datetime) -> ChartData:
    """The charts of the window's period."""
    start, end, accounts = window.start, window.end, window.accounts
    followers, gaps = progress_figures.follower_lines(accounts, start, end)
    return ChartData(
        start=start,
        end=end,
        events=tuple(e for e in window.events if start.date() <= e.day <= end.date()),
        followers=_lines(followers),
        posts_weekly=_lines(progress_figures.weekly_posts(accounts, start, end)),
        engagement=_lines(progress_figures.weekly_engagement(accounts, start)),
        gaps=gaps,
        axis=axis_range(choice, window.cohort, start, now),
    )


def load_charts(
    session: Session, person: Person | PersonRef, choice: str, now: datetime | None = None
) -> ChartData:
    """The charts of ``person`` over the period ``choice``, as :func:`load` gives them (the
    same rows, so the same values; without the self-assessment's margin, which no chart
    reads): what a change of the period redraws."""
    now = now or utcnow()
    return _charts(_window(session, person, choice, now, timedelta(0)), choice, now)


def load(
    session: Session, person: Person | PersonRef, choice: str, now: datetime | None = None
) -> ProgressData:
    """The progress of ``person`` over the period ``choice`` (see RANGES)."""
    now = now or utcnow()
    window = _window(session, person, choice, now)
    cohort, events, accounts = window.cohort, window.events, window.accounts
    charts = _charts(window, choice, now)
    workshop = last_workshop(events, now.date())
    found = milestones.detect_accounts(
        [a.rows for a in accounts],
        cohort.start if cohort else None,
        cohort.end if cohort else None,
    )
    goals = goals_of(session, person.id, accounts, now.date())
    return ProgressData(
        charts=charts,
        since_event=workshop,
        since=progress_figures.since_day(accounts, workshop.day if workshop else None),
        milestones=tuple(found),
        goals=goals,
        since_kickoff=since_kickoff(
            accounts, cohort.start, cohort.end, now.date(), goals, tuple(found)
        )
        if cohort is not None
        else None,
        read=window.read,
        cohort=cohort,
        programme=events,
    )


def accounts_of(session: Session, person_id: int) -> list[Account]:
    return list(
        session.scalars(
            select(Account).where(Account.person_id == person_id).order_by(Account.platform)
        )
    )
