"""Two cohorts with known data, for the comparison tests: "c2025" has ended (kickoff 6 January,
closing 3 March 2025), "c2026" runs (kickoff 5 January 2026, closing 2 March 2026); the tests
look at them on 16 February 2026.

c2025: mentees Anna (posts every third day on X, grows 5 a day), Berta (posts every fortnight;
her consent ended on 1 May 2025, after the closing), Carla (posts daily; a mentee again in 2026,
and linked to 2025 twice), Emma (a mentee in 2025, a mentor in 2026); Vera is the comparison
account. c2026: Dora and Carla; Vera is followed for this cohort too. Every name is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tracker.store.db import Database
from tracker.store.models import (
    Account,
    Cohort,
    CohortMember,
    Goal,
    Person,
    PostMetric,
    ProfileSnapshot,
    ProgrammeEvent,
    Tandem,
)

TODAY = date(2026, 2, 16)
K25, C25 = date(2025, 1, 6), date(2025, 3, 3)
K26, C26 = date(2026, 1, 5), date(2026, 3, 2)
NOW = datetime(2026, 2, 16, 18, tzinfo=UTC)


@dataclass(frozen=True)
class Spec:
    key: str
    name: str
    role: str
    cohort: str
    platforms: dict[str, tuple[int, int]]  # platform -> (followers at the first day, per day)
    post_every: int  # days between posts (0: none)
    withdrawn: date | None = None


PEOPLE = (
    Spec("anna", "Anna Apfel", "mentee", "c2025", {"x": (100, 5), "instagram": (40, 1)}, 3),
    Spec("berta", "Berta Birne", "mentee", "c2025", {"x": (300, 2)}, 14, date(2025, 5, 1)),
    Spec("carla", "Carla Kirsche", "mentee", "c2025", {"instagram": (80, 3)}, 1),
    Spec("emma", "Emma Erdbeer", "mentee", "c2025", {"x": (50, 0)}, 0),
    Spec("vera", "Vera Vergleich", "comparison", "c2025", {"x": (500, 1)}, 5),
    Spec("dora", "Dora Dattel", "mentee", "c2026", {"x": (20, 4), "bluesky": (10, 2)}, 2),
    Spec("mara", "Mara Mentorin", "mentor", "c2025", {}, 0),
)
FIRST_DAY = K25 - timedelta(days=35)


def build(db: Database) -> None:
    with db.write() as s:
        cohorts = {}
        for key, kick, close in (("c2025", K25, C25), ("c2026", K26, C26)):
            c = Cohort(key=key, name=f"Jahrgang {key[1:]}", start=kick, end=close)
            c.events = [
                ProgrammeEvent(date=kick, kind="kickoff", title="Auftakt"),
                ProgrammeEvent(date=kick + timedelta(days=21), kind="workshop", title="Reels"),
                ProgrammeEvent(date=close, kind="closing", title="Abschluss"),
            ]
            s.add(c)
            cohorts[key] = c
        s.flush()
        people = {}
        for spec in PEOPLE:
            p = Person(
                key=spec.key,
                display_name=spec.name,
                role=spec.role,
                cohort_id=cohorts[spec.cohort].id,
                consent_given=FIRST_DAY,
                consent_withdrawn=spec.withdrawn,
                created_at=NOW,
            )
            s.add(p)
            people[spec.key] = p
        s.flush()
        s.add_all(
            [
                # Carla: linked to 2025 a second time, and a mentee again in 2026.
                CohortMember(
                    cohort_id=cohorts["c2025"].id, person_id=people["carla"].id, role="mentee"
                ),
                CohortMember(
                    cohort_id=cohorts["c2026"].id, person_id=people["carla"].id, role="mentee"
                ),
                # Emma returns as a mentor; Vera is compared with 2026 as well.
                CohortMember(
                    cohort_id=cohorts["c2026"].id, person_id=people["emma"].id, role="mentor"
                ),
                CohortMember(
                    cohort_id=cohorts["c2026"].id, person_id=people["vera"].id, role="comparison"
                ),
            ]
        )
        tandem = Tandem(
            cohort_id=cohorts["c2025"].id, mentee_id=people["anna"].id, mentor_id=people["mara"].id
        )
        s.add(tandem)
        s.flush()
        for title, done in (("Profilbild", date(2025, 2, 1)), ("Redaktionsplan", None)):
            s.add(
                Goal(
                    tandem_id=tandem.id,
                    title=title,
                    kind="manual",
                    done_at=datetime.combine(done, time(12), tzinfo=UTC) if done else None,
                    created_at=NOW,
                )
            )
        for spec in PEOPLE:
            last = min(TODAY, spec.withdrawn - timedelta(days=1)) if spec.withdrawn else TODAY
            for platform, (base, per_day) in spec.platforms.items():
                account = Account(
                    person_id=people[spec.key].id,
                    platform=platform,
                    handle=f"{spec.key}-{platform}",
                    added_at=NOW,
                )
                s.add(account)
                s.flush()
                day, i = FIRST_DAY, 0
                while day <= last:
                    at = datetime.combine(day, time(10), tzinfo=UTC)
                    s.add(
                        ProfileSnapshot(
                            account_id=account.id,
                            taken_at=at,
                            followers=base + per_day * i,
                            source="demo",
                        )
                    )
                    if spec.post_every and i % spec.post_every == 0:
                        s.add(
                            PostMetric(
                                account_id=account.id,
                                post_id=f"{spec.key}-{platform}-{i}",
                                published_at=at + timedelta(hours=2),
                                kind="text",
                                likes=1,
                                comments=0,
                                shares=0,
                                updated_at=at,
                            )
                        )
                    day += timedelta(days=1)
                    i += 1
