"""The cohort at a glance, for the programme page: one row per mentee, small multiples and the
effect of the programme's events.

The rows are read into compact per-account arrays (``tracker.store.read_arrays``); small frames are
built per mentee only for the metrics that read frames, never for the whole cohort."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import utcnow
from dashboards.charts import EventMark, Line
from dashboards.progress.period_data import BASELINE_DAYS, cohort_events
from tracker import metrics
from tracker.programme import goals
from tracker.store import read_arrays as arrays
from tracker.store import read_frames as series
from tracker.store.models import Account, Cohort, Person
from tracker.store.read_arrays import AccountData

STALE = timedelta(days=2)
WEEK_NS = 7 * 86_400 * 10**9  # the step of the small lines


@dataclass(frozen=True)
class MenteeRow:
    key: str
    name: str
    platforms: int
    followers: int | None
    growth: float | None  # fraction since the kickoff, over accounts known at both ends
    posts_week: float | None
    goals_reached: int
    goals_total: int
    problems: int  # accounts that need attention


@dataclass(frozen=True)
class Effect:
    title: str
    day: str
    before: float | None
    after: float | None
    complete: bool


@dataclass(frozen=True)
class CohortView:
    cohort: Cohort
    rows: tuple[MenteeRow, ...]
    lines: tuple[tuple[str, Line | None], ...]  # (mentee name, her largest account's line)
    events: tuple[EventMark, ...]
    effects: tuple[Effect, ...]


def cohorts(session: Session) -> list[Cohort]:
    return list(session.scalars(select(Cohort).order_by(Cohort.start.desc())))


def _line(acc: AccountData, counts: metrics.Counts, start: datetime, end: datetime) -> Line:
    """The account's last known count of each week (epoch-aligned, as ``plot_series``)."""
    grid, values = metrics.on_grid(counts, WEEK_NS, _ns(start), _ns(end))
    days = grid.astype("datetime64[ns]").astype("datetime64[D]").astype(str).tolist()
    ys = [None if v != v else v for v in values.tolist()]  # NaN is the only v != v
    return Line(acc.platform, tuple(days), tuple(ys))


def _ns(moment: datetime) -> int:
    return int(metrics.as_moment(moment).as_unit("ns").value)


def _mentee(
    person: Person,
    accounts: list[Account],
    data: list[AccountData],
    statuses: list[goals.GoalStatus],
    kickoff: datetime,
    start: datetime,
    now: datetime,
) -> tuple[MenteeRow, Line | None]:
    followers_now, first_sum, last_sum = 0, 0, 0
    known_now = False
    best: tuple[int, Line | None] = (-1, None)
    last_seen: dict[int, datetime] = {}
    for acc in data:
        if not len(acc.rows.snap_at):
            continue
        last_seen[acc.account_id] = pd.Timestamp(int(acc.rows.snap_at[-1]), tz=UTC).to_pydatetime()
        counts = acc.counts()
        if not len(counts.times):
            continue
        growth = metrics.growth_of(counts, kickoff, now)
        value = int(counts.values[-1])
        followers_now += value
        known_now = True
        if growth.start_value is not None and growth.end_value is not None:
            first_sum += growth.start_value
            last_sum += growth.end_value
        if value > best[0]:
            best = (value, _line(acc, counts, start, now))
    problems = sum(
        1
        for a in accounts
        if a.state != "active" or a.id not in last_seen or now - last_seen[a.id] > STALE
    )
    _, posts = arrays.frames(person.id, data)
    row = MenteeRow(
        key=person.key,
        name=person.display_name,
        platforms=len(accounts),
        followers=followers_now if known_now else None,
        growth=(last_sum - first_sum) / first_sum if first_sum > 0 else None,
        posts_week=metrics.posts_per_week(posts, now - timedelta(days=28), now),
        goals_reached=sum(1 for s in statuses if s.status == "reached"),
        goals_total=len(statuses),
        problems=problems,
    )
    return row, best[1]


def load_cohort(session: Session, cohort: Cohort, now: datetime | None = None) -> CohortView:
    """The cohort's mentees from 28 days before the kickoff to ``now``, read into compact
    arrays a batch of accounts at a time (``tracker.store.read_arrays``)."""
    now = now or utcnow()
    people = series.cohort_people(session, cohort)
    ids = [p.id for p in people]
    kickoff = datetime.combine(cohort.start, datetime.min.time(), tzinfo=UTC)
    start = kickoff - timedelta(days=BASELINE_DAYS)
    accounts = list(session.scalars(select(Account).where(Account.person_id.in_(ids))))
    data = arrays.accounts_data(session, {a.id: a.person_id for a in accounts}, start, now)
    data_by: dict[int, list[AccountData]] = {}
    for acc in data:
        data_by.setdefault(acc.person_id, []).append(acc)
    pending: dict[int, list[goals.GoalSpec]] = {}
    for goal, mentee in goals.cohort_goals(session, cohort.id):
        pending.setdefault(mentee, []).append(goal)
    statuses: dict[int, list[goals.GoalStatus]] = {}
    for mentee, specs in pending.items():
        # Small frames of one mentee at a time, for the goal checks.
        snaps, posts = arrays.frames(mentee, data_by.get(mentee, []))
        statuses[mentee] = [goals.evaluate(g, mentee, snaps, posts, now.date()) for g in specs]
    events = cohort_events(session, cohort.id)
    rows, lines = [], []
    for person in people:
        row, line = _mentee(
            person,
            [a for a in accounts if a.person_id == person.id],
            data_by.get(person.id, []),
            statuses.get(person.id, []),
            kickoff,
            start,
            now,
        )
        rows.append(row)
        lines.append((person.display_name, line))
    frame = pd.DataFrame(
        [(cohort.id, e.day, e.kind, e.title) for e in events], columns=series.EVENT_COLUMNS
    )
    published = np.concatenate([a.rows.post_at for a in data]) if data else np.empty(0, "int64")
    posts = pd.DataFrame({"published_at": pd.to_datetime(published, utc=True)})
    effects = []
    for eff in metrics.event_effects(frame, posts=posts, today=now.date()):
        count = max(1, len(people))
        effects.append(
            Effect(
                eff.title,
                eff.event_date.isoformat(),
                None if eff.before is None else eff.before / count,
                None if eff.after is None else eff.after / count,
                eff.complete,
            )
        )
    return CohortView(cohort, tuple(rows), tuple(lines), events, tuple(effects))


SORT_KEYS = ("name", "followers", "growth", "posts_week", "goals", "problems")


def sort_rows(rows: tuple[MenteeRow, ...], key: str) -> list[MenteeRow]:
    """Rows by ``key``: names A-Z, numbers largest first, unknown values last."""
    if key == "name" or key not in SORT_KEYS:
        return sorted(rows, key=lambda r: r.name.casefold())

    def value(row: MenteeRow) -> float | None:
        if key == "goals":
            return float(row.goals_reached)
        raw = getattr(row, key)
        return None if raw is None else float(raw)

    known = [r for r in rows if value(r) is not None]
    unknown = [r for r in rows if value(r) is None]
    return sorted(known, key=lambda r: value(r) or 0.0, reverse=True) + unknown
