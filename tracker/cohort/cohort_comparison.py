"""Cohorts side by side: the figures of the single-cohort summary, week by week from each
cohort's kickoff (week 0 … week N), and for a cohort that has ended the same figures 3, 6 and
12 months after its closing (the follow-up).

Every figure is one of :class:`tracker.cohort.cohort_summary.CohortSummary`, computed by
``summarise`` as of the day in question: this module only chooses the days and the people.
The follow-up counts the mentees who still consent to be polled on its day; a mentee whose
consent ended after the closing is "not followed" (left out of every follow-up figure), never
a growth of zero. A person linked to a cohort in several ways is one person there
(``tracker.store.read_frames.cohort_roles``).
"""

from __future__ import annotations

import calendar
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.cohort.cohort_summary import CohortSummary, summarise
from tracker.cohort.self_assessment_change import ItemChange, cohort_changes
from tracker.errors import NotFoundError
from tracker.metrics import local_today
from tracker.programme.questionnaire import Questionnaire
from tracker.store.models import Person
from tracker.store.read_cohort import CohortData, load_cohort

logger = logging.getLogger(__name__)

FOLLOWUP_MONTHS = (3, 6, 12)
MAX_COHORTS = 8
# Points per cohort line at most: a long cohort is drawn every second (third ...) week. Each
# point is a whole cohort summary, so this bounds the time a comparison takes.
MAX_POINTS = 18


@dataclass(frozen=True)
class PlatformFigure:
    """Median follower growth (percent) on one platform over the accounts measured (n)."""

    platform: str
    role: str  # mentee / comparison
    median_percent: float | None
    n: int


@dataclass(frozen=True)
class Figures:
    """One cohort's figures on one day, over ``mentees`` mentees (n)."""

    day: date
    mentees: int
    share_weekly: float | None  # share of mentees posting every week of the last four
    platforms_per_mentee: float | None
    growth: tuple[PlatformFigure, ...]  # kickoff to day; follow-up: closing to day
    goals_reached: int
    goals_total: int

    def growth_on(self, platform: str, role: str = "mentee") -> PlatformFigure | None:
        return next((g for g in self.growth if g.platform == platform and g.role == role), None)


@dataclass(frozen=True)
class Week:
    week: float  # weeks since the kickoff (whole weeks but for a last point as of today)
    figures: Figures


@dataclass(frozen=True)
class FollowUp:
    """The figures ``months`` after the closing, over the mentees still followed."""

    months: int
    day: date
    reached: bool  # False while the day lies ahead: no figures yet
    followed: int  # mentees who still consent to be polled on the day
    not_followed: int  # mentees whose consent ended (or never covered the day)
    figures: Figures | None


@dataclass(frozen=True)
class EventMark:
    week: float  # days since the kickoff / 7
    day: date
    kind: str
    title: str


@dataclass(frozen=True)
class CohortComparison:
    key: str
    name: str
    kickoff: date
    closing: date
    today: date
    mentees: int
    comparison: int  # comparison-group people of this cohort
    weeks: tuple[Week, ...]
    followups: tuple[FollowUp, ...]  # empty while the cohort runs
    self_assessment: tuple[ItemChange, ...] | None  # None: no questionnaire with both rounds
    events: tuple[EventMark, ...]

    @property
    def ended(self) -> bool:
        """True once the closing day has begun; before it, figures are "as of" ``today``."""
        return self.today >= self.closing

    @property
    def final(self) -> Figures:
        """The figures at the closing, or as of today while the cohort runs."""
        return self.weeks[-1].figures

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(sorted({g.platform for w in self.weeks for g in w.figures.growth}))


def figures_at(summary: CohortSummary) -> Figures:
    """The comparison's figures of a summary: at its reference day (closing or today)."""
    return Figures(
        day=summary.periods.reference,
        mentees=len(summary.mentees),
        share_weekly=summary.share_weekly_end,
        platforms_per_mentee=summary.mean_platforms("closing"),
        growth=tuple(
            PlatformFigure(g.platform, g.role, g.median_percent, g.measured)
            for g in summary.platform_growth
        ),
        goals_reached=summary.goals_reached,
        goals_total=len(summary.goals),
    )


def followup_figures(summary: CohortSummary, day: date) -> Figures:
    """The comparison's figures after the closing: posting and platforms on ``day``, growth
    from the closing to ``day``."""
    return Figures(
        day=day,
        mentees=len(summary.mentees),
        share_weekly=summary.share_weekly_now,
        platforms_per_mentee=summary.mean_platforms_now,
        growth=tuple(
            PlatformFigure(g.platform, g.role, g.followup_percent, g.followup_measured)
            for g in summary.platform_growth
        ),
        goals_reached=summary.goals_reached,
        goals_total=len(summary.goals),
    )


def week_days(
    kickoff: date, reference: date, max_points: int = MAX_POINTS
) -> list[tuple[float, date]]:
    """(week, day) from the kickoff (week 0) every seven days up to ``reference``, which is
    always the last point; every second (third ...) week where there would be more than
    ``max_points``."""
    weeks = max(0, (reference - kickoff).days) / 7
    stride = max(1, math.ceil((weeks + 1) / max(1, max_points - 1)))
    out: list[tuple[float, date]] = []
    week = 0
    while kickoff + timedelta(days=7 * week) < reference:
        out.append((float(week), kickoff + timedelta(days=7 * week)))
        week += stride
    out.append((max(0, (reference - kickoff).days) / 7, reference))
    return out


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def consenting(session: Session, person_ids: Sequence[int], day: date) -> set[int]:
    """The people whose recorded consent to be polled covers ``day``."""
    if not person_ids:
        return set()
    rows = session.execute(
        select(Person.id, Person.consent_given, Person.consent_withdrawn).where(
            Person.id.in_(list(person_ids))
        )
    )
    return {
        pid
        for pid, given, withdrawn in rows
        if given is not None and given <= day and (withdrawn is None or withdrawn > day)
    }


def only_people(data: CohortData, keep: set[int]) -> CohortData:
    """``data`` restricted to the people in ``keep`` (their accounts, rows and goals)."""
    accounts = data.accounts[data.accounts["person_id"].isin(sorted(keep))]
    kept_accounts = {int(a) for a in accounts["account_id"]}
    return replace(
        data,
        people=tuple(p for p in data.people if p.id in keep),
        accounts=accounts,
        rows=tuple(r for r in data.rows if r.account_id in kept_accounts),
        health={a: h for a, h in data.health.items() if a in kept_accounts},
        goals=tuple(g for g in data.goals if g[1] in keep),
    )


def followups(session: Session, data: CohortData, today: date) -> list[FollowUp]:
    """The follow-up figures of a cohort that has ended (none while it runs)."""
    if today < data.closing:
        return []
    mentees = data.role_ids("mentee")
    others = {p.id for p in data.people if p.role != "mentee"}
    out = []
    for months in FOLLOWUP_MONTHS:
        day = add_months(data.closing, months)
        if day > today:
            out.append(FollowUp(months, day, False, 0, 0, None))
            continue
        followed = consenting(session, mentees, day)
        summary = summarise(only_people(data, followed | others), day)
        out.append(
            FollowUp(
                months,
                day,
                True,
                len(followed),
                len(mentees) - len(followed),
                followup_figures(summary, day),
            )
        )
    return out


def compare_cohort(
    session: Session,
    key: str,
    today: date,
    questionnaire: Questionnaire | None = None,
) -> CohortComparison:
    """One cohort's weekly and follow-up figures as of ``today``; raises NotFoundError."""
    data = load_cohort(session, key)
    reference = min(today, data.closing)
    weeks = tuple(
        Week(week, figures_at(summarise(data, day)))
        for week, day in week_days(data.kickoff, reference)
    )
    events = tuple(
        EventMark((day - data.kickoff).days / 7, day, str(kind), str(title))
        for day, kind, title in zip(
            data.events["date"], data.events["kind"], data.events["title"], strict=True
        )
    )
    changes = (
        cohort_changes(session, questionnaire, data.cohort_id)
        if questionnaire is not None
        and questionnaire.enabled
        and {"kickoff", "closing"} <= set(questionnaire.rounds)
        else None
    )
    return CohortComparison(
        key=data.key,
        name=data.name,
        kickoff=data.kickoff,
        closing=data.closing,
        today=today,
        mentees=len(data.role_ids("mentee")),
        comparison=len(data.role_ids("comparison")),
        weeks=weeks,
        followups=tuple(followups(session, data, today)),
        self_assessment=tuple(changes) if changes is not None else None,
        events=events,
    )


def compare(
    session: Session,
    keys: Sequence[str],
    today: date | None = None,
    questionnaire: Questionnaire | None = None,
) -> tuple[CohortComparison, ...]:
    """The cohorts ``keys`` side by side, oldest kickoff first, as of ``today`` (the
    programme's local today when None). Raises NotFoundError for an unknown key or when no
    (or too many) cohorts are named."""
    unique = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    if not unique:
        raise NotFoundError("name at least one cohort to compare")
    if len(unique) > MAX_COHORTS:
        raise NotFoundError(f"compare at most {MAX_COHORTS} cohorts at once")
    day = today or local_today()
    found = [compare_cohort(session, key, day, questionnaire) for key in unique]
    return tuple(sorted(found, key=lambda c: c.kickoff))
