"""The cohort at a glance, for the programme page: one row per mentee, small multiples and the
effect of the programme's events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import utcnow
from dashboards.charts import EventMark, Line
from dashboards.progress_data import BASELINE_DAYS, cohort_events
from tracker import goals, metrics, series
from tracker.models import Account, Cohort

STALE = timedelta(days=2)


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


def load_cohort(session: Session, cohort: Cohort, now: datetime | None = None) -> CohortView:
    now = now or utcnow()
    people = series.cohort_people(session, cohort)
    ids = [p.id for p in people]
    kickoff = datetime.combine(cohort.start, datetime.min.time(), tzinfo=UTC)
    start = kickoff - timedelta(days=BASELINE_DAYS)
    snaps = series.snapshots(session, ids, start, now)
    posts = series.posts(session, ids, start, now)
    accounts = list(session.scalars(select(Account).where(Account.person_id.in_(ids))))
    statuses = goals.evaluate_all(goals.cohort_goals(session, cohort.id), snaps, posts, now.date())
    events = cohort_events(session, cohort.id)
    snaps_by = dict(tuple(snaps.groupby("person_id"))) if not snaps.empty else {}
    posts_by = dict(tuple(posts.groupby("person_id"))) if not posts.empty else {}
    rows, lines = [], []
    for person in people:
        mine = snaps_by.get(person.id, snaps.iloc[:0])
        mine_posts = posts_by.get(person.id, posts.iloc[:0])
        followers_now, first_sum, last_sum = 0, 0, 0
        known_now = False
        best: tuple[int, Line | None] = (-1, None)
        for account_id, acc in mine.groupby("account_id"):
            growth = metrics.follower_growth(acc, kickoff, now)
            latest = metrics.known_counts(acc)
            if latest.empty:
                continue
            value = int(latest["followers"].iloc[-1])
            followers_now += value
            known_now = True
            if growth.start_value is not None and growth.end_value is not None:
                first_sum += growth.start_value
                last_sum += growth.end_value
            if value > best[0]:
                plot = metrics.plot_series(acc, every=timedelta(days=7), start=start, end=now)
                platform = str(acc["platform"].iloc[0])
                xs = tuple(x.strftime("%Y-%m-%d") for x in plot.x)
                best = (value, Line(platform, xs, plot.y))
            del account_id
        mine_accounts = [a for a in accounts if a.person_id == person.id]
        last_seen = mine.groupby("account_id")["taken_at"].max() if not mine.empty else pd.Series()
        problems = sum(
            1
            for a in mine_accounts
            if a.state != "active"
            or a.id not in last_seen.index
            or now - last_seen[a.id].to_pydatetime() > STALE
        )
        mine_goals = [s for s in statuses if s.mentee_id == person.id]
        rows.append(
            MenteeRow(
                key=person.key,
                name=person.display_name,
                platforms=len(mine_accounts),
                followers=followers_now if known_now else None,
                growth=(last_sum - first_sum) / first_sum if first_sum > 0 else None,
                posts_week=metrics.posts_per_week(mine_posts, now - timedelta(days=28), now),
                goals_reached=sum(1 for s in mine_goals if s.status == "reached"),
                goals_total=len(mine_goals),
                problems=problems,
            )
        )
        lines.append((person.display_name, best[1]))
    frame = pd.DataFrame(
        [(cohort.id, e.day, e.kind, e.title) for e in events], columns=series.EVENT_COLUMNS
    )
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
