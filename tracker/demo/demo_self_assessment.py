"""Demo self-assessments: each mentee answers the rounds that have begun, a little more sure of
herself each time, with a wish in her own words; mentors rate some of their mentees."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from tracker.programme.questionnaire import Questionnaire
from tracker.programme.self_assessment import cohort_rounds, submit
from tracker.store.db import Database
from tracker.store.models import Cohort, Person, SelfAssessmentAnswer, Tandem

WISHES = (
    "Wie ich kurze Videos mit dem Handy drehe.",
    "Wie ich auf unfreundliche Kommentare ruhig antworte.",
    "Einen Redaktionsplan, der zu meinem Kalender passt.",
    "Was ich über Bürgersprechstunden posten darf.",
    "Wie ich mehr junge Leute in meinem Wahlkreis erreiche.",
    "Statistiken lesen: was sagt mir die Reichweite?",
)


def add_demo_self_assessment(
    db: Database,
    today: date,
    cohort_key: str = "demo",
    seed: int = 7,
    questionnaire: Questionnaire | None = None,
) -> int:
    """Answer every round of the cohort that has begun by ``today`` (the open one for all but
    the first mentee, so her page shows the prompt); returns the submissions added. Does
    nothing when the cohort has answers already."""
    q = questionnaire or Questionnaire()
    rng = random.Random(seed)
    added = 0
    with db.write() as session:
        cohort = session.scalar(select(Cohort).where(Cohort.key == cohort_key))
        if cohort is None or session.scalar(
            select(SelfAssessmentAnswer.id).where(SelfAssessmentAnswer.cohort_id == cohort.id)
        ):
            return 0
        rounds = [r for r in cohort_rounds(session, q, cohort.id) if r.opens <= today]
        mentees = session.execute(
            select(Person, Tandem.mentor_id)
            .join(Tandem, Tandem.mentee_id == Person.id)
            .where(Tandem.cohort_id == cohort.id)
            .order_by(Person.key)
        ).all()
        for index, (mentee, mentor_id) in enumerate(mentees):
            level = {item.id: rng.randint(q.low, q.low + 2) for item in q.items}
            for step, r in enumerate(rounds):
                if r.state(today) == "open" and index == 0:
                    continue  # her prompt stays visible in the demo
                day = min(r.opens + timedelta(days=1 + index % 6), r.closes, today)
                now = datetime.combine(day, time(19, index % 60), tzinfo=UTC)
                if step:
                    level = {k: min(q.high, v + rng.choice((0, 1, 1, 2))) for k, v in level.items()}
                values = {k: (None if rng.random() < 0.05 else v) for k, v in level.items()}
                submit(
                    session,
                    q,
                    person=mentee,
                    round_key=r.key,
                    values=values,
                    text=WISHES[(index + step) % len(WISHES)],
                    today=day,
                    now=now,
                )
                added += 1
                if q.mentor_rating and index % 3 != 2:
                    rated = {
                        k: max(q.low, min(q.high, v + rng.choice((-1, 0, 0, 1))))
                        for k, v in level.items()
                    }
                    submit(
                        session,
                        q,
                        person=mentee,
                        round_key=r.key,
                        values=rated,
                        today=day,
                        now=now + timedelta(hours=1),
                        rater="mentor",
                        rater_id=mentor_id,
                    )
                    added += 1
    return added
