"""Goals per tandem: metric goals checked from the data, manual goals ticked by a person.

Metric goals (``Goal.metric``):

- ``posts_per_week``: at least ``target`` posts a week on ``platform`` (any platform when
  None) for ``weeks`` weeks running, counted in 7-day windows from the goal's creation day;
- ``followers``: ``target`` followers on ``platform`` by ``due`` (by default the cohort's
  closing);
- ``start_platform``: a first post on ``platform`` (for example: start a blog).

Status: ``reached`` (with the day), ``missed`` (the due day passed, or too few weeks are left),
``on_track`` (the recent data points towards the target) or ``open``; each with its evidence.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import PLATFORMS
from connectors.base import utcnow
from tracker.errors import NotFoundError, TrackerError
from tracker.metrics import (
    Counts,
    add_days_ns,
    counts_in_weeks,
    growth_of,
    local_days_ns,
    moment_ns,
    wall_at,
    week_edges,
)
from tracker.store.models import Account, Cohort, Goal, Person, ProgrammeEvent, Tandem
from tracker.store.read_arrays import ACCOUNT_BATCH, AccountData, accounts_data, from_frames

logger = logging.getLogger(__name__)

GOAL_KINDS = ("metric", "manual")
GOAL_METRICS = ("posts_per_week", "followers", "start_platform")
STATUSES = ("open", "on_track", "reached", "missed")
# Followers goals project the last four weeks' weekly growth to the due day.
PROJECTION_DAYS = 28


class GoalError(TrackerError):
    """A goal cannot be added or changed as asked."""

    exit_code = 2


@dataclass(frozen=True)
class Evidence:
    """One fact behind a status: a day, what it is (``label``) and its value."""

    on: date
    label: str  # week, followers, projected, first_post, done, due
    value: float | None = None


@dataclass(frozen=True)
class GoalSpec:
    """A goal as read from the store, usable after the session closed."""

    id: int
    tandem_id: int
    title: str
    kind: str
    metric: str | None
    platform: str | None
    target: float | None
    weeks: int | None
    due: date | None
    done_at: datetime | None
    done_by: str | None
    created_by: str | None
    created_at: datetime

    @classmethod
    def of(cls, goal: Goal) -> GoalSpec:
        return cls(**{f.name: getattr(goal, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class GoalStatus:
    goal_id: int
    tandem_id: int
    mentee_id: int
    title: str
    kind: str
    metric: str | None
    platform: str | None
    target: float | None
    weeks: int | None
    due: date | None
    status: str
    reached_on: date | None
    evidence: tuple[Evidence, ...]


# -- writing -----------------------------------------------------------------------------------


def find_tandem(session: Session, ref: str) -> Tandem:
    """The tandem by id, or the (single) tandem of a mentee by person key; raises
    NotFoundError or GoalError when ambiguous."""
    if ref.isdigit():
        tandem = session.get(Tandem, int(ref))
        if tandem is None:
            raise NotFoundError(f"no tandem with id {ref}")
        return tandem
    person = session.scalar(select(Person).where(Person.key == ref))
    if person is None:
        raise NotFoundError(f"no person with key {ref!r}")
    tandems = list(session.scalars(select(Tandem).where(Tandem.mentee_id == person.id)))
    if not tandems:
        raise NotFoundError(f"{ref!r} is not the mentee of any tandem")
    if len(tandems) > 1:
        ids = ", ".join(str(t.id) for t in tandems)
        raise GoalError(f"{ref!r} is in several tandems ({ids}): give the tandem id")
    return tandems[0]


def closing_day(session: Session, cohort_id: int) -> date:
    """The cohort's closing event, else its end."""
    closing = session.scalar(
        select(ProgrammeEvent.date)
        .where(ProgrammeEvent.cohort_id == cohort_id, ProgrammeEvent.kind == "closing")
        .order_by(ProgrammeEvent.date.desc())
    )
    if closing is not None:
        return closing
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFoundError(f"no cohort with id {cohort_id}")
    return cohort.end


def add_goal(
    session: Session,
    *,
    tandem_id: int,
    title: str,
    metric: str | None = None,
    platform: str | None = None,
    target: float | None = None,
    weeks: int | None = None,
    due: date | None = None,
    created_by: str | None = None,
    now: datetime | None = None,
) -> Goal:
    """Add a goal: a metric goal when ``metric`` is given, else a manual one; raises GoalError
    for an incomplete metric goal and NotFoundError for an unknown tandem."""
    tandem = session.get(Tandem, tandem_id)
    if tandem is None:
        raise NotFoundError(f"no tandem with id {tandem_id}")
    title = title.strip()
    if not title:
        raise GoalError("a goal needs a title")
    if metric is not None:
        if metric not in GOAL_METRICS:
            raise GoalError(f"unknown metric {metric!r}; use one of {', '.join(GOAL_METRICS)}")
        if platform is not None and platform not in PLATFORMS:
            raise GoalError(f"unknown platform {platform!r}")
        if metric in ("followers", "start_platform") and platform is None:
            raise GoalError(f"a {metric} goal needs a platform")
        if metric in ("posts_per_week", "followers") and (target is None or target <= 0):
            raise GoalError(f"a {metric} goal needs a positive target")
        if metric == "posts_per_week" and (weeks is None or weeks < 1):
            raise GoalError("a posts_per_week goal needs the number of weeks (at least 1)")
        if metric == "followers" and due is None:
            due = closing_day(session, tandem.cohort_id)
    goal = Goal(
        tandem_id=tandem_id,
        title=title,
        kind="metric" if metric else "manual",
        metric=metric,
        platform=platform,
        target=target,
        weeks=weeks,
        due=due,
        created_by=created_by,
        created_at=now or utcnow(),
    )
    session.add(goal)
    session.flush()
    logger.info("goal %s added to tandem %s", goal.id, tandem_id)
    return goal


def mark_done(session: Session, goal_id: int, by: str, now: datetime | None = None) -> Goal:
    """Tick a manual goal as reached; raises NotFoundError or GoalError (a metric goal)."""
    goal = session.get(Goal, goal_id)
    if goal is None:
        raise NotFoundError(f"no goal with id {goal_id}")
    if goal.kind != "manual":
        raise GoalError(f"goal {goal_id} is checked from the data and cannot be ticked")
    goal.done_at = now or utcnow()
    goal.done_by = by
    return goal


# -- checking ----------------------------------------------------------------------------------


def _status(
    goal: GoalSpec, mentee_id: int, status: str, reached: date | None, *ev: Evidence
) -> GoalStatus:
    return GoalStatus(
        goal_id=goal.id,
        tandem_id=goal.tandem_id,
        mentee_id=mentee_id,
        title=goal.title,
        kind=goal.kind,
        metric=goal.metric,
        platform=goal.platform,
        target=goal.target,
        weeks=goal.weeks,
        due=goal.due,
        status=status,
        reached_on=reached,
        evidence=tuple(ev),
    )


def evaluate(
    goal: GoalSpec, mentee_id: int, snaps: pd.DataFrame, posts: pd.DataFrame, today: date
) -> GoalStatus:
    """:func:`evaluate_rows` of the mentee's snapshot and post frames, as of ``today``."""
    return evaluate_rows(goal, mentee_id, from_frames(snaps, posts), today)


def _manual(goal: GoalSpec, mentee_id: int, today: date) -> GoalStatus:
    # As of ``today``: ticked later, it is not reached yet on an earlier day.
    if goal.done_at is not None and goal.done_at.date() <= today:
        day = goal.done_at.date()
        return _status(goal, mentee_id, "reached", day, Evidence(day, "done"))
    if goal.due is not None and today > goal.due:
        return _status(goal, mentee_id, "missed", None, Evidence(goal.due, "due"))
    return _status(goal, mentee_id, "open", None)


# -- checking on a mentee's account rows (``tracker.store.read_arrays``) ------------------------


def _ns(moment: datetime | date | pd.Timestamp) -> int:
    return moment_ns(moment)


def _utc(value_ns: int) -> pd.Timestamp:
    return pd.Timestamp(value_ns, tz="UTC")


_NS_DAY = 86_400 * 10**9
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _day_of(value_ns: int) -> date:
    """The programme's local day of a UTC moment (int ns)."""
    return date.fromordinal(_EPOCH_ORDINAL + wall_at(value_ns) // _NS_DAY)


def _accounts_on(accounts: Sequence[AccountData], platform: str | None) -> list[AccountData]:
    return [a for a in accounts if platform is None or a.platform == platform]


def _post_times(accounts: Sequence[AccountData]) -> np.ndarray:
    """Publication times of the accounts' posts, oldest first."""
    parts = [a.rows.post_at for a in accounts]
    at = np.concatenate(parts) if parts else np.empty(0, "int64")
    return np.sort(at, kind="stable")


def _rows_posts(
    goal: GoalSpec, mentee_id: int, accounts: Sequence[AccountData], today: date
) -> GoalStatus:
    """Posts a week: reached in the week that ends a run of ``weeks`` weeks at the target, on
    the day of the post that met it; missed when the weeks left before the due day cannot make
    the run."""
    target, weeks = float(goal.target or 0), int(goal.weeks or 1)
    start = goal.created_at.date()
    end = min(today, goal.due + timedelta(days=1)) if goal.due else today
    at = _post_times(_accounts_on(accounts, goal.platform))
    first, last = _ns(start), _ns(end)
    edges = week_edges(first, last)
    counts = counts_in_weeks(at, edges).tolist()  # week_counts, in the edges made once
    starts = edges[: len(counts)].tolist() if counts else []

    def week(i: int) -> Evidence:
        return Evidence(_day_of(starts[i]), "week", float(counts[i]))

    run = 0
    for i, count in enumerate(counts):
        run = run + 1 if count >= target else 0
        if run == weeks:
            # Reached with the post that met the target in the last week of the run.
            lo = int(np.searchsorted(at, starts[i], "left"))
            hi = int(np.searchsorted(at, add_days_ns(starts[i], 7), "left"))
            on = _day_of(int(at[lo:hi][math.ceil(target) - 1]))
            ev = [week(j) for j in range(i - weeks + 1, i + 1)]
            return _status(goal, mentee_id, "reached", on, *ev)
    ev = [week(j) for j in range(max(len(counts) - weeks, 0), len(counts))]
    if goal.due is not None:
        next_start = add_days_ns(_ns(start), 7 * len(counts))
        left = max(int(local_days_ns(next_start, add_days_ns(_ns(goal.due), 1)) // 7), 0)
        if run + left < weeks:
            return _status(goal, mentee_id, "missed", None, *ev, Evidence(goal.due, "due"))
    return _status(goal, mentee_id, "on_track" if run > 0 else "open", None, *ev)


def _rows_followers(
    goal: GoalSpec, mentee_id: int, accounts: Sequence[AccountData], today: date
) -> GoalStatus:
    """Followers: reached on the first known count at the target; else on track when the last
    four weeks' growth of the largest account, carried to the due day, reaches it."""
    target = float(goal.target or 0)
    limit = add_days_ns(_ns(goal.due), 1) if goal.due is not None else None
    known: list[tuple[int, np.ndarray, np.ndarray]] = []  # account, times, counts (float)
    for a in _accounts_on(accounts, goal.platform):
        keep = ~np.isnan(a.rows.followers)
        if limit is not None:
            keep &= a.rows.snap_at < limit
        known.append((a.account_id, a.rows.snap_at[keep], a.rows.followers[keep]))
    times = np.concatenate([k[1] for k in known]) if known else np.empty(0, "int64")
    values = np.concatenate([k[2] for k in known]) if known else np.empty(0)
    hit = np.flatnonzero(values >= target)
    if len(hit):
        # The earliest, ordered as the frame check sorts them (same sort, same ties).
        first = hit[np.argsort(times[hit], kind="quicksort")[0]]
        day = _day_of(int(times[first]))
        return _status(
            goal, mentee_id, "reached", day, Evidence(day, "followers", float(values[first]))
        )
    evidence: list[Evidence] = []
    projected: float | None = None
    if len(times):
        # The account with the highest count (the first of them by account id).
        best = max(
            sorted((acc, float(v.max())) for acc, _, v in known if len(v)),
            key=lambda pair: pair[1],
        )[0]
        at, counts = next((t, v) for acc, t, v in known if acc == best)
        order = np.argsort(at, kind="quicksort")
        at, counts = at[order], counts[order]
        last_ns = int(at[-1])
        last_day = _day_of(last_ns)
        last = float(counts[-1])
        evidence.append(Evidence(last_day, "followers", last))
        recent = growth_of(
            Counts(at, counts.astype("int64")), _utc(last_ns - PROJECTION_DAYS * _NS_DAY)
        )
        if goal.due is not None and recent.weekly is not None and not recent.gap:
            weeks_left = max((goal.due - last_day).days, 0) / 7
            projected = last * (1 + recent.weekly) ** weeks_left
            evidence.append(Evidence(goal.due, "projected", round(projected)))
    if goal.due is not None and today > goal.due:
        return _status(goal, mentee_id, "missed", None, *evidence, Evidence(goal.due, "due"))
    on_track = projected is not None and projected >= target
    return _status(goal, mentee_id, "on_track" if on_track else "open", None, *evidence)


def _rows_start(
    goal: GoalSpec, mentee_id: int, accounts: Sequence[AccountData], today: date
) -> GoalStatus:
    """Starting a platform: reached with the first post there; on track while an account on it
    is tracked already."""
    mine = _accounts_on(accounts, goal.platform)
    at = _post_times(mine)
    if len(at):
        day = _day_of(int(at[0]))
        return _status(goal, mentee_id, "reached", day, Evidence(day, "first_post"))
    if goal.due is not None and today > goal.due:
        return _status(goal, mentee_id, "missed", None, Evidence(goal.due, "due"))
    # An account on the platform is tracked already: the first post is near.
    has_account = any(len(a.rows.snap_at) for a in mine)
    return _status(goal, mentee_id, "on_track" if has_account else "open", None)


def evaluate_rows(
    goal: GoalSpec, mentee_id: int, accounts: Sequence[AccountData], today: date
) -> GoalStatus:
    """The goal's status from the mentee's account rows, as of ``today`` (the one goal check:
    page, report, letter and CLI). Raises GoalError for an unknown metric."""
    if goal.kind == "manual":
        return _manual(goal, mentee_id, today)
    if goal.metric == "posts_per_week":
        return _rows_posts(goal, mentee_id, accounts, today)
    if goal.metric == "followers":
        return _rows_followers(goal, mentee_id, accounts, today)
    if goal.metric == "start_platform":
        return _rows_start(goal, mentee_id, accounts, today)
    raise GoalError(f"goal {goal.id} has an unknown metric {goal.metric!r}")


def cohort_goals(session: Session, cohort_id: int) -> list[tuple[GoalSpec, int]]:
    """Every goal of the cohort's tandems with the tandem's mentee id, by tandem and id."""
    rows = session.execute(
        select(Goal, Tandem.mentee_id)
        .join(Tandem, Tandem.id == Goal.tandem_id)
        .where(Tandem.cohort_id == cohort_id)
        .order_by(Goal.tandem_id, Goal.id)
    ).all()
    return [(GoalSpec.of(goal), int(mentee)) for goal, mentee in rows]


def evaluate_all(
    goals: list[tuple[GoalSpec, int]], snaps: pd.DataFrame, posts: pd.DataFrame, today: date
) -> list[GoalStatus]:
    """Statuses of many goals from frames already in hand, splitting them by mentee once.

    Whole-cohort frames cost about a gigabyte at 500 mentees with two years of daily snapshots:
    :func:`check_goals` reads from the store a batch of mentees at a time instead."""
    snaps_by = dict(tuple(snaps.groupby("person_id"))) if not snaps.empty else {}
    posts_by = dict(tuple(posts.groupby("person_id"))) if not posts.empty else {}
    return [
        evaluate(
            goal,
            mentee,
            snaps_by.get(mentee, snaps.iloc[:0]),
            posts_by.get(mentee, posts.iloc[:0]),
            today,
        )
        for goal, mentee in goals
    ]


def _mentee_groups(
    mentees: Sequence[int], accounts_of: dict[int, list[int]], batch: int
) -> Iterator[list[int]]:
    """Consecutive mentees with about ``batch`` accounts between them (one query each)."""
    group: list[int] = []
    size = 0
    for mentee in mentees:
        group.append(mentee)
        size += len(accounts_of.get(mentee, ()))
        if size >= batch:
            yield group
            group, size = [], 0
    if group:
        yield group


def check_goals(
    session: Session,
    goals: Sequence[tuple[GoalSpec, int]],
    today: date,
    batch: int = ACCOUNT_BATCH,
) -> list[GoalStatus]:
    """Statuses of many ``(goal, mentee id)`` pairs, in their order, as of ``today``.

    Each mentee's snapshots and posts are read from the store into compact arrays
    (``tracker.store.read_arrays``), about ``batch`` accounts per query, and checked on the
    rows of that mentee alone (:func:`evaluate_rows`); memory stays bounded whatever the size
    of the cohort. Manual goals read no
    rows. Raises GoalError for a goal with an unknown metric."""
    needed = sorted({mentee for goal, mentee in goals if goal.kind != "manual"})
    accounts_of: dict[int, list[int]] = {}
    if needed:
        for account_id, person_id in session.execute(
            select(Account.id, Account.person_id)
            .where(Account.person_id.in_(needed))
            .order_by(Account.id)
        ):
            accounts_of.setdefault(int(person_id), []).append(int(account_id))
    indexes: dict[int, list[int]] = {}
    for i, (_, mentee) in enumerate(goals):
        indexes.setdefault(mentee, []).append(i)
    out: dict[int, GoalStatus] = {}
    for group in _mentee_groups(needed, accounts_of, batch):
        person_of = {a: m for m in group for a in accounts_of.get(m, ())}
        rows: dict[int, list[AccountData]] = {}
        if person_of:
            for acc in accounts_data(session, person_of, batch=batch):
                rows.setdefault(acc.person_id, []).append(acc)
        for mentee in group:
            mine = rows.pop(mentee, [])
            for i in indexes.pop(mentee):
                out[i] = evaluate_rows(goals[i][0], mentee, mine, today)
    # Mentees with manual goals only.
    for mentee, rest in indexes.items():
        for i in rest:
            out[i] = evaluate_rows(goals[i][0], mentee, [], today)
    return [out[i] for i in range(len(goals))]
