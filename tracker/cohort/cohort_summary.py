"""The cohort summary: every figure of the programme page, the impact report (HTML, CSV, XLSX)
and ``tracker report``, computed here once and only formatted there.

Cohort figures are medians over mentees (growth: over accounts) and carry their n. The periods
compared are defined in ``tracker.cohort.periods``, the per-account and per-person figures in
``tracker.cohort.person_summary``, the effect of each programme event in
``tracker.cohort.event_effects``; this module puts them together for a whole cohort, one person
at a time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tracker.cohort.event_effects import CohortEffect, EffectTally
from tracker.cohort.periods import BASELINE_DAYS, Periods, periods
from tracker.cohort.person_posts import Moments, PersonPosts
from tracker.cohort.person_summary import (
    NO_COUNTS,
    AccountSummary,
    PeriodSpans,
    PersonSummary,
    PlatformGrowth,
    PlatformPosting,
    account_summary,
    person_summary_of,
    platform_growth,
)
from tracker.metrics import local_today, median_or_none
from tracker.metrics.milestones import Milestone, detect_accounts
from tracker.programme.goals import GoalStatus, evaluate_rows
from tracker.store.read_arrays import AccountData
from tracker.store.read_cohort import CohortData, load_cohort

__all__ = [
    "BASELINE_DAYS",
    "AccountSummary",
    "CohortEffect",
    "CohortSummary",
    "Periods",
    "PersonSummary",
    "PlatformGrowth",
    "PlatformPosting",
    "periods",
    "summarise",
]

logger = logging.getLogger(__name__)


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
    def mean_platforms_now(self) -> float | None:
        """Active platforms per mentee at follow-up time (None before the closing)."""
        if self.periods.followup is None or not self.mentees:
            return None
        return sum(len(p.platforms_now or ()) for p in self.mentees) / len(self.mentees)

    @property
    def goals_reached(self) -> int:
        return sum(g.status == "reached" for g in self.goals)

    @property
    def closed(self) -> bool:
        """True once the closing event's day has begun: end figures are "at closing", before
        it they are "as of" ``today``."""
        return self.today >= self.periods.closing

    def median(self, attr: str) -> tuple[float | None, int]:
        """The median of a mentee figure (an attribute of :class:`PersonSummary`) over the
        mentees who have it, and how many they are (n)."""
        known = [v for p in self.mentees if (v := getattr(p, attr)) is not None]
        return median_or_none(known), len(known)

    def growth_of(self, platform: str, role: str = "mentee") -> PlatformGrowth | None:
        return next(
            (g for g in self.platform_growth if g.platform == platform and g.role == role), None
        )

    @property
    def accounts(self) -> tuple[AccountSummary, ...]:
        return tuple(a for p in (*self.mentees, *self.comparison) for a in p.accounts)

    @property
    def milestones(self) -> tuple[Milestone, ...]:
        return tuple(sorted((m for p in self.mentees for m in p.milestones), key=lambda m: m.at))


def load_summary(session: Session, cohort_key: str, today: date | None = None) -> CohortSummary:
    """Load the cohort and compute every figure as of ``today`` (the programme's local today
    when None); raises NotFoundError for an unknown cohort."""
    return summarise(load_cohort(session, cohort_key), today or local_today())


def summarise(data: CohortData, today: date) -> CohortSummary:
    """Every figure of the report and the programme page, as of ``today``.

    Works one person at a time over the arrays of ``data``: each person's posts are searched
    once for every window the summary counts in (``tracker.cohort.person_posts``), goals are
    checked on her rows; no frame per person."""
    per = periods(data, today)
    moments = Moments()
    spans = PeriodSpans.of(per, moments)
    tally = EffectTally(data.events, today, moments)
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
    goals = data.goals
    people = []
    for person in data.people:
        accs = rows_by.get(person.id, [])
        counts = {a.account_id: a.counts() for a in accs}
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
        posts = PersonPosts(accs, counts, moments)
        mine = goals_of.pop(person.id, [])
        for i in mine:
            statuses[i] = evaluate_rows(goals[i][0], person.id, accs, today)
        if person.role == "mentee":
            tally.add_posts(posts, counts.values())
        people.append(
            person_summary_of(
                person,
                posts,
                accounts,
                tuple(milestones_by.get(person.id, [])),
                tuple(statuses[i] for i in mine),
                spans,
                counts,
            )
        )
    for mentee, indexes in goals_of.items():  # goals of someone outside the people summarised
        for i in indexes:
            statuses[i] = evaluate_rows(goals[i][0], mentee, [], today)
    mentees = tuple(p for p in people if p.person.role == "mentee")
    comparison = tuple(p for p in people if p.person.role == "comparison")
    growth = platform_growth(mentees, "mentee") + platform_growth(comparison, "comparison")
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
