"""The cohort summary on arrays gives the figures the frame-based metrics give: every person
figure and event effect of the demo programme, on several days (before the closing, at it, in
the follow-up), and each mentee's goals as checked one person at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tracker.cohort.cohort_summary import CohortSummary, summarise
from tracker.cohort.event_effects import EffectTally
from tracker.cohort.periods import periods
from tracker.cohort.person_posts import median_of
from tracker.cohort.person_summary import (
    NO_COUNTS,
    account_summary,
    person_frames,
    person_summary,
)
from tracker.demo import demo_programme as demo
from tracker.metrics import Counts, coverage, coverage_at, gap_count, gaps_in
from tracker.programme.goals import GoalStatus, evaluate, evaluate_rows
from tracker.store.db import Database
from tracker.store.read_arrays import AccountData, frames
from tracker.store.read_cohort import CohortData, load_cohort


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CohortData, date]]:
    where: Path = tmp_path_factory.mktemp("demo")
    db = Database(f"sqlite:///{where / 'demo.db'}")
    db.upgrade()
    plan, _ = demo.build(db, earlier=False)
    with db.session() as s:
        data = load_cohort(s, "demo")
    yield data, plan.today
    db.dispose()


def _by_frames(data: CohortData, today: date) -> tuple[list, list, list[GoalStatus]]:
    """The people, effects and goals as the summary computed them from small frames per
    person (person_frames, person_summary, EffectTally.add, goals.evaluate)."""
    per = periods(data, today)
    rows_by: dict[int, list[AccountData]] = {}
    for acc in data.rows:
        rows_by.setdefault(acc.person_id, []).append(acc)
    by_account = {acc.account_id: acc for acc in data.rows}
    listed: dict[int, list[dict]] = {}
    for row in data.accounts.to_dict("records"):
        listed.setdefault(int(row["person_id"]), []).append(row)
    tally = EffectTally(data.events, today)
    goals: dict[int, GoalStatus] = {}
    people = []
    for person in data.people:
        accs = rows_by.get(person.id, [])
        counts: dict[int, Counts] = {a.account_id: a.counts() for a in accs}
        accounts = tuple(
            account_summary(
                row,
                by_account.get(row["account_id"]),
                counts.get(row["account_id"], NO_COUNTS),
                data,
                per,
            )
            for row in listed.get(person.id, [])
        )
        posts, rates = person_frames(accs, counts)
        snaps, post_frame = frames(person.id, accs)
        mine = [i for i, (_, m) in enumerate(data.goals) if m == person.id]
        for i in mine:
            goals[i] = evaluate(data.goals[i][0], person.id, snaps, post_frame, today)
        if person.role == "mentee":
            tally.add(posts, rates, counts.values())
        people.append(
            person_summary(
                person,
                posts,
                rates,
                accounts,
                (),
                tuple(goals[i] for i in mine),
                per,
                counts,
            )
        )
    return people, tally.effects(), [goals[i] for i in range(len(data.goals))]


def _days(data: CohortData, today: date) -> list[date]:
    return [
        data.kickoff + timedelta(days=3),
        today,
        data.closing,
        data.closing + timedelta(days=45),
    ]


def test_summary_on_arrays_equals_the_frame_figures(world: tuple[CohortData, date]) -> None:
    data, today = world
    for day in _days(data, today):
        summary: CohortSummary = summarise(data, day)
        people, effects, goals = _by_frames(data, day)
        mine = [*summary.mentees, *summary.comparison]
        expected = [p for p in people if p.person.role == "mentee"] + [
            p for p in people if p.person.role == "comparison"
        ]
        assert len(mine) == len(expected) > 0
        for got, want in zip(mine, expected, strict=True):
            # Milestones are detected for the whole cohort at once, the same way on both paths.
            assert got == type(got)(**{**want.__dict__, "milestones": got.milestones}), day
        assert list(summary.effects) == effects, day
        assert list(summary.goals) == goals, day
    # The demo has what the comparison needs to mean something.
    assert any(p.posts_per_week_baseline for p in summary.mentees)
    assert any(f.engagement_last_month is not None for p in summary.mentees for f in p.per_platform)
    assert any(e.people for e in summary.effects if e.metric == "engagement")
    assert {g.status for g in summary.goals} > {"reached"}


def test_unknown_stays_none_on_arrays(world: tuple[CohortData, date]) -> None:
    """A platform without follower counts has no engagement rate: None, never 0."""
    data, today = world
    summary = summarise(data, today)
    rates = [f.engagement_baseline for p in summary.mentees for f in p.per_platform]
    assert None in rates and 0 not in rates


def test_goals_checked_on_frames_equal_the_check_on_rows_for_every_person_and_day(
    world: tuple[CohortData, date],
) -> None:
    """Frames (as exports and tests hold them) come back as the same rows: every demo goal
    checked against every person's frames (not only its mentee's) has the status it has on
    her rows."""
    data, today = world
    rows_by: dict[int, list[AccountData]] = {}
    for acc in data.rows:
        rows_by.setdefault(acc.person_id, []).append(acc)
    for day in _days(data, today):
        for person in data.people:
            accs = rows_by.get(person.id, [])
            snaps, posts = frames(person.id, accs)
            for goal, _ in data.goals:
                assert evaluate_rows(goal, person.id, accs, day) == evaluate(
                    goal, person.id, snaps, posts, day
                )


def test_median_of_is_numpys_median() -> None:
    rng = np.random.default_rng(7)
    for n in range(0, 40):
        values = rng.uniform(0, 5, n) / rng.uniform(1, 900)
        values[rng.random(n) < 0.2] = np.nan
        known = values[~np.isnan(values)]
        expected = float(np.median(known)) if len(known) else None
        assert median_of(values) == expected


def test_gap_count_and_coverage_at_measure_as_gaps_in_and_coverage() -> None:
    rng = np.random.default_rng(11)
    day = 86_400 * 10**9
    for n in (0, 1, 2, 5, 80):
        steps = rng.choice([day, day + 123_456_789, 2 * day + 7, 3 * day - 1], size=n)
        times = (1_767_000_000 * 10**9 + np.cumsum(steps)).astype("int64")
        gaps = gaps_in(times)
        assert gap_count(times) == (len(gaps), max(g.days for g in gaps) if gaps else None)
        if n:
            first, last = (
                pd.Timestamp(int(times[0]), tz="UTC"),
                pd.Timestamp(int(times[-1]), tz="UTC"),
            )
            index = pd.DatetimeIndex(times, tz="UTC")
            assert coverage_at(times, int(times[0]), int(times[-1])) == coverage(index, first, last)
