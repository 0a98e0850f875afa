"""One mentee's figures since the kickoff, as the first card of "Mein Fortschritt" and of her
mentor's tandem page shows them: per account the followers at the kickoff and now, posts per
week before the programme and in the last month, her next goal and her latest milestone.

The periods are the cohort summary's (``tracker.cohort.periods``): growth from the kickoff to
the reference day (the closing, or today while the cohort runs), posts per week in the 28 days
before the kickoff and in the 28 days before the reference day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.cohort.periods import periods_between
from tracker.metrics import Growth, growth_of, posts_per_week_at
from tracker.metrics.milestones import Milestone
from tracker.programme.goals import GoalStatus
from tracker.store.read_arrays import AccountData


@dataclass(frozen=True)
class AccountSince:
    """One account since the kickoff. ``growth`` has None values when fewer than two counts
    are known (a blog has none); posts per week are None for a period not yet begun."""

    platform: str
    account_id: int
    growth: Growth
    posts_per_week_before: float | None
    posts_per_week_now: float | None


@dataclass(frozen=True)
class SinceKickoff:
    kickoff: date
    reference: date  # the last day counted: the closing, or today while the cohort runs
    accounts: tuple[AccountSince, ...]
    next_goal: GoalStatus | None
    latest_milestone: Milestone | None


def next_goal(goals: Sequence[GoalStatus]) -> GoalStatus | None:
    """The goal still to reach that is due first (goals without a deadline after those with
    one); a goal reached or missed is no next goal."""
    open_goals = [g for g in goals if g.status not in ("reached", "missed")]
    if not open_goals:
        return None
    return min(open_goals, key=lambda g: (g.due is None, g.due or date.max, g.goal_id))


def since_kickoff(
    accounts: Sequence[AccountData],
    kickoff: date,
    closing: date,
    today: date,
    goals: Sequence[GoalStatus] = (),
    milestones: Sequence[Milestone] = (),
) -> SinceKickoff:
    """The since-kickoff figures of one person's ``accounts`` (read from at least 28 days
    before the kickoff)."""
    per = periods_between(kickoff, closing, today)
    out = []
    for acc in sorted(accounts, key=lambda a: (a.platform, a.account_id)):
        posts = acc.rows.post_at
        out.append(
            AccountSince(
                platform=acc.platform,
                account_id=acc.account_id,
                growth=growth_of(acc.known, *per.cohort),
                posts_per_week_before=posts_per_week_at(posts, *per.baseline)
                if per.baseline[1].date() <= today
                else None,
                posts_per_week_now=posts_per_week_at(posts, *per.last_month)
                if per.kickoff <= today
                else None,
            )
        )
    latest = max(milestones, key=lambda m: m.at) if milestones else None
    return SinceKickoff(kickoff, per.reference, tuple(out), next_goal(goals), latest)
