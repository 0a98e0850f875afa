"""A few goals per demo tandem, set as a mentor would a week after the kickoff."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from tracker.programme.goals import add_goal, closing_day
from tracker.store.db import Database
from tracker.store.models import Account, Cohort, Goal, Person, ProfileSnapshot, Tandem

logger = logging.getLogger(__name__)

TARGETS = (100, 200, 500, 1000, 2000, 5000, 10_000, 100_000)


def add_demo_goals(db: Database, today: date, cohort_key: str = "demo") -> int:
    """Add goals to each tandem of the demo cohort that has none yet; returns how many."""
    added = 0
    with db.write() as session:
        cohort = session.scalar(select(Cohort).where(Cohort.key == cohort_key))
        if cohort is None:
            return 0
        closing = closing_day(session, cohort.id)
        set_on = datetime.combine(cohort.start + timedelta(days=7), time(18), tzinfo=UTC)
        tandems = session.execute(
            select(Tandem, Person.key)
            .join(Person, Person.id == Tandem.mentor_id)
            .where(Tandem.cohort_id == cohort.id)
            .order_by(Tandem.id)
        ).all()
        with_goals = set(session.scalars(select(Goal.tandem_id).distinct()))
        for n, (tandem, mentor_key) in enumerate(tandems):
            if tandem.id in with_goals:
                continue
            first_seen = session.execute(
                select(
                    Account.platform,
                    func.min(ProfileSnapshot.taken_at),
                    func.min(ProfileSnapshot.followers),
                )
                .outerjoin(ProfileSnapshot, ProfileSnapshot.account_id == Account.id)
                .where(Account.person_id == tandem.mentee_id)
                .group_by(Account.id, Account.platform)
            ).all()
            # Accounts tracked before the kickoff; the demo adds the others as they start.
            early = {
                p: followers or 0
                for p, first, followers in first_seen
                if first is not None and first.date() < cohort.start
            }
            platforms = {p for p, _, _ in first_seen}
            by = mentor_key
            posting = "instagram" if "instagram" in platforms else sorted(platforms or {"x"})[0]
            names = {"instagram": "Instagram", "facebook": "Facebook", "x": "X", "blog": "im Blog"}
            label = names.get(posting, posting.title())
            on = "" if posting == "blog" else "auf "
            goals = [
                {
                    "title": f"Mindestens 2 Beiträge pro Woche {on}{label}, 4 Wochen lang",
                    "metric": "posts_per_week",
                    "platform": posting,
                    "target": 2,
                    "weeks": 4,
                    "due": closing,
                },
            ]
            follow = "facebook" if "facebook" in early else next(iter(sorted(early)), None)
            if follow is not None and follow != "blog":
                # A round number a little beyond reach at the start: some make it, some not.
                target = next(t for t in TARGETS if t > early[follow] * (1.3 + 0.4 * (n % 2)))
                goals.append(
                    {
                        "title": f"{target:,} Follower auf ".replace(",", ".")
                        + f"{names.get(follow, follow)} bis zur Abschlussveranstaltung",
                        "metric": "followers",
                        "platform": follow,
                        "target": target,
                        "due": closing,
                    }
                )
            if "blog" not in early:
                goals.append(
                    {
                        "title": "Einen Blog starten",
                        "metric": "start_platform",
                        "platform": "blog",
                        "due": closing,
                    }
                )
            goals.append({"title": "Profilbild und Kurzbeschreibung überarbeiten"})
            for spec in goals:
                add_goal(session, tandem_id=tandem.id, created_by=by, now=set_on, **spec)  # type: ignore[arg-type]
                added += 1
            manual = session.scalars(
                select(Goal).where(Goal.tandem_id == tandem.id, Goal.kind == "manual")
            ).first()
            if manual is not None and n % 3 != 2:
                done_on = set_on + timedelta(days=10 + n)
                if done_on.date() <= today:
                    manual.done_at, manual.done_by = done_on, by
    logger.info("%d demo goals added", added)
    return added
