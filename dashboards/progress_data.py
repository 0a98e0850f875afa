"""Everything the progress view shows for one mentee and one period, read in one go.

The page layout stays light (who, which period); this is what its callback computes: the
frames from ``tracker.series``, the pinned metrics, and the values the figures are drawn from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import utcnow
from tracker import goals as goal_checks
from tracker import metrics, milestones, series
from tracker.models import Account, Cohort, Goal, Person, Tandem

logger = logging.getLogger(__name__)

RANGES = ("all", "90", "28", "workshop")
BASELINE_DAYS = 28  # the programme view starts this long before the kickoff
MAX_POINTS = 160  # per line: longer series are drawn at a coarser step (last value per step)
WORKSHOP_KINDS = ("kickoff", "workshop", "midpoint")


@dataclass(frozen=True)
class EventMark:
    day: date
    kind: str
    title: str


@dataclass(frozen=True)
class Line:
    platform: str
    x: tuple[str, ...]  # ISO dates: short and exact in the JSON sent to the browser
    y: tuple[float | None, ...]


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


def cohort_events(session: Session, cohort_id: int | None) -> tuple[EventMark, ...]:
    if cohort_id is None:
        return ()
    frame = series.events(session, cohort_id)
    return tuple(EventMark(r.date, r.kind, r.title) for r in frame.itertuples(index=False))


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


def _step(start: datetime, end: datetime) -> timedelta:
    days = max(1, (end - start).days)
    return timedelta(days=max(1, -(-days // MAX_POINTS)))


def _iso(values: tuple[datetime, ...] | pd.DatetimeIndex) -> tuple[str, ...]:
    return tuple(v.strftime("%Y-%m-%d") for v in values)


def _follower_lines(
    snaps: pd.DataFrame, start: datetime, end: datetime
) -> tuple[tuple[Line, ...], tuple[GapNote, ...]]:
    lines: list[Line] = []
    notes: list[GapNote] = []
    step = _step(start, end)
    for platform, rows in snaps.groupby("platform", sort=True):
        known = rows[rows["followers"].notna()]
        if known.empty:  # e.g. a blog: no follower count exists, so no line at all
            continue
        for _account, acc in known.groupby("account_id", sort=True):
            first = max(acc["taken_at"].iloc[0].to_pydatetime(), start)
            plot = metrics.plot_series(acc, every=step, start=first, end=end)
            lines.append(Line(str(platform), _iso(plot.x), plot.y))
            notes.extend(
                GapNote(str(platform), g.start.date(), g.end.date())
                for g in plot.gaps
                if g.end >= start
            )
    return tuple(lines), tuple(notes)


def _weekly_posts(posts: pd.DataFrame, start: datetime, end: datetime) -> tuple[Line, ...]:
    lines = []
    for platform, rows in posts.groupby("platform", sort=True):
        counts = metrics.weekly_post_counts(rows, start, end)
        if counts.empty:
            continue
        lines.append(
            Line(str(platform), _iso(counts.index), tuple(float(v) for v in counts.to_numpy()))
        )
    return tuple(lines)


def _engagement(posts: pd.DataFrame, snaps: pd.DataFrame) -> tuple[Line, ...]:
    if posts.empty:
        return ()
    rates = metrics.engagement_rates(posts, snaps)
    rates = rates[rates["rate"].notna()]
    lines = []
    for platform, rows in rates.groupby("platform", sort=True):
        weekly = (
            rows.set_index("published_at")["rate"]
            .astype("float64")
            .resample("W-MON", label="left", closed="left")
            .median()
        )
        ys = tuple(None if pd.isna(v) else round(float(v), 2) for v in weekly.to_numpy())
        lines.append(Line(str(platform), _iso(weekly.index), ys))
    return tuple(lines)


def _since(
    snaps: pd.DataFrame, posts: pd.DataFrame, event: EventMark | None
) -> tuple[SinceRow, ...]:
    if event is None:
        return ()
    at = metrics.as_moment(event.day)
    out = []
    platforms = sorted(set(snaps["platform"]) | set(posts["platform"]))
    for platform in platforms:
        rows = snaps[(snaps["platform"] == platform) & (snaps["taken_at"] >= at)]
        growth = metrics.follower_growth(rows)
        count = int(((posts["platform"] == platform) & (posts["published_at"] >= at)).sum())
        out.append(SinceRow(platform, growth.absolute, count))
    return tuple(out)


def goals_of(
    session: Session, person_id: int, snaps: pd.DataFrame, posts: pd.DataFrame, today: date
) -> tuple[goal_checks.GoalStatus, ...]:
    """The goals of the person's tandems with their status checked against the data."""
    rows = session.scalars(
        select(Goal)
        .join(Tandem, Tandem.id == Goal.tandem_id)
        .where(Tandem.mentee_id == person_id)
        .order_by(Goal.id)
    ).all()
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
    # One read of each table covers the period, the whole programme (milestones) and the
    # "since the last workshop" summary.
    read_from = min(start, period("all", cohort, events, now)[0])
    snaps = series.snapshots(session, [person.id], read_from, end)
    posts = series.posts(session, [person.id], read_from, end)
    ts = metrics.as_moment(start)
    in_snaps = snaps[snaps["taken_at"] >= ts]
    in_posts = posts[posts["published_at"] >= ts]
    followers, gaps = _follower_lines(in_snaps, start, end)
    found = milestones.detect(
        snaps, posts, cohort.start if cohort else None, cohort.end if cohort else None
    )
    return ProgressData(
        start=start,
        end=end,
        events=tuple(e for e in events if start.date() <= e.day <= end.date()),
        followers=followers,
        posts_weekly=_weekly_posts(in_posts, start, end),
        engagement=_engagement(in_posts, snaps),
        gaps=gaps,
        since_event=workshop,
        since=_since(snaps, posts, workshop),
        milestones=tuple(found),
        goals=goals_of(session, person.id, snaps, posts, now.date()),
    )


def accounts_of(session: Session, person_id: int) -> list[Account]:
    return list(
        session.scalars(
            select(Account).where(Account.person_id == person_id).order_by(Account.platform)
        )
    )
