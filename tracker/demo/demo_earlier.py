"""The demo's earlier cohort: eight fictional tandems whose programme ended more than a year ago,
with its own events, so that cohorts can be compared and the follow-up (+3, +6, +12 months after
its closing) is visible right after ``tracker demo``.

Two of its mentees withdrew their consent after the closing (they are "not followed" from then
on); one of its mentors and one of its mentees return as mentors of the current cohort.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from connectors.demo import DemoConnector, DemoProfile, Phase
from tracker.config import EventEntry, PersonEntry
from tracker.demo.demo_goals import add_demo_goals
from tracker.demo.demo_programme import (
    DEMO_PLATFORMS,
    DemoPlan,
    comparison_person,
    demo_cohort,
    demo_handle,
    mentee_profile,
    simulate,
    tandem_people,
)
from tracker.demo.demo_self_assessment import add_demo_self_assessment
from tracker.privacy.consent import withdraw_consent
from tracker.programme.structure import (
    Changes,
    get_person,
    upsert_cohort,
    upsert_person,
    upsert_tandem,
)
from tracker.store.db import Database
from tracker.store.models import Cohort, CohortMember

EARLIER_KEY = "demo-vorjahr"
EARLIER_DAYS = 210
# The closing lies this long before today: the +12 months follow-up has been reached.
CLOSED_DAYS_AGO = 400
# The earlier cohort is polled once a week in the simulation: its history is long, and a
# weekly count shows its course as well as a daily one at a fraction of the build time.
EARLIER_STEP_DAYS = 7

FIRST = ["Adelheid", "Brunhilde", "Christa", "Doris", "Edeltraud", "Frauke", "Gudrun", "Heike"]
LAST = [
    "Apfelgrün",
    "Bienenstich",
    "Contzen-Beispiel",
    "Distelmeier",
    "Efeuranke",
    "Feldhuber",
    "Glockenblum",
    "Heckenrose",
]
MENTOR_FIRST = ["Amira", "Bo", "Clara", "Derya", "Elif", "Frida", "Gesa", "Hedi"]
MENTOR_LAST = [
    "Ahornweg",
    "Buchenhain",
    "Zedernholz",
    "Dattelhof",
    "Eibenstock",
    "Flieder",
    "Gerstenfeld",
    "Hagebutt",
]


@dataclass(frozen=True)
class EarlierPlan:
    plan: DemoPlan
    withdrawals: tuple[tuple[str, date], ...]  # person key, consent withdrawn from
    returning: tuple[tuple[str, str], ...]  # person key, role in the current cohort


def plan_earlier(seed: int, today: date) -> EarlierPlan:
    """Decide the earlier cohort from the seed, as of ``today``."""
    rng = random.Random(seed * 31 + 1)
    end = today - timedelta(days=CLOSED_DAYS_AGO)
    start = end - timedelta(days=EARLIER_DAYS)
    events = [
        EventEntry(date=start, kind="kickoff", title="Auftakt in Leipzig"),
        EventEntry(date=start + timedelta(days=35), kind="workshop", title="Facebook-Grundlagen"),
        EventEntry(date=start + timedelta(days=105), kind="midpoint", title="Halbzeit"),
        EventEntry(
            date=start + timedelta(days=150), kind="workshop", title="Videos mit dem Smartphone"
        ),
        EventEntry(date=end, kind="closing", title="Abschlussfeier"),
    ]
    cohort, workshops = demo_cohort(EARLIER_KEY, events)
    baseline = start - timedelta(days=21)
    people: list[PersonEntry] = []
    tandems: list[tuple[str, str]] = []
    accounts: dict[str, tuple[str, str, date]] = {}
    profiles: dict[str, DemoProfile] = {}
    for i in range(len(FIRST)):
        n = f"{i + 1:02d}"
        mentee, mentor = f"vj-mentee-{n}", f"vj-mentor-{n}"
        name = f"{FIRST[i]} {LAST[i]}"
        people += tandem_people(
            (mentee, name), (mentor, f"{MENTOR_FIRST[i]} {MENTOR_LAST[i]}"), EARLIER_KEY, baseline
        )
        tandems.append((mentee, mentor))
        archetype = ("grower", "steady", "steady", "staller")[i % 4]
        platforms = rng.sample(DEMO_PLATFORMS[:4], k=3)
        at_start = i % 2
        adopt_count = {"grower": 2, "steady": 2, "staller": 1}[archetype]
        for j, platform in enumerate(platforms[: at_start + adopt_count]):
            handle = demo_handle(platform, FIRST[i], LAST[i])
            if j < at_start:
                born = start - timedelta(days=rng.randint(200, 1200))
                tracked = baseline
                base = rng.randint(80, 700)
                phases = [Phase(born, rng.uniform(0.0, 0.004), rng.choice([0.0, 0.3]), 0.0)]
            else:
                born = tracked = rng.choice(workshops) + timedelta(days=rng.randint(1, 12))
                base = rng.randint(3, 40)
                phases = []
            boost = max(rng.choice(workshops[:2]) + timedelta(days=rng.randint(0, 10)), born)
            growth, rate = {
                "grower": (rng.uniform(0.03, 0.06), rng.uniform(2.0, 4.0)),
                "steady": (rng.uniform(0.008, 0.02), rng.uniform(1.0, 2.0)),
                "staller": (rng.uniform(-0.002, 0.004), rng.uniform(0.1, 0.6)),
            }[archetype]
            phases.append(Phase(boost, growth, rate, 0.1))
            # After the closing: most keep going a little slower, the stallers stop.
            after = end + timedelta(days=rng.randint(10, 40))
            if archetype == "staller":
                phases.append(Phase(after, 0.0, 0.05, 0.0))
            else:
                phases.append(Phase(after, growth * 0.5, rate * 0.7, 0.1))
            profiles[handle] = mentee_profile(handle, name, (born, base), phases, platform, rng)
            accounts[handle] = (mentee, platform, tracked)
    people.append(
        comparison_person(
            "vj-vergleich-01",
            "Vergleich C. Beispielfrau",
            "VergleichBeispielfrau1",
            EARLIER_KEY,
            (start, baseline),
            rng,
            (profiles, accounts),
        )
    )
    return EarlierPlan(
        plan=DemoPlan(today, cohort, people, tandems, accounts, profiles),
        withdrawals=(
            ("vj-mentee-02", end + timedelta(days=50)),
            ("vj-mentee-06", end + timedelta(days=250)),
        ),
        returning=(("vj-mentor-03", "mentor"), ("vj-mentee-05", "mentor")),
    )


def build_earlier(
    db: Database,
    seed: int,
    today: date,
    changes: Changes,
    profile_every: timedelta,
) -> EarlierPlan:
    """Create the earlier cohort and poll its history through the poller, a pass a week."""
    earlier = plan_earlier(seed, today)
    demo_plan = earlier.plan
    with db.write() as session:
        upsert_cohort(session, demo_plan.cohort, changes)
        for person in demo_plan.people:
            upsert_person(session, person, changes, by="demo")
        for mentee, mentor in demo_plan.tandems:
            upsert_tandem(session, EARLIER_KEY, mentee, mentor, changes)
    for key, on in earlier.withdrawals:
        withdraw_consent(db, key, on, by="demo")
    connector = DemoConnector(
        {"seed": seed, "profiles": {h: p.to_dict() for h, p in demo_plan.profiles.items()}}
    )
    simulate(db, connector, demo_plan, changes, None, profile_every, step_days=EARLIER_STEP_DAYS)
    goals = add_demo_goals(db, today, EARLIER_KEY)
    if goals:
        changes.created["goals"] = changes.created.get("goals", 0) + goals
    add_demo_self_assessment(db, today, EARLIER_KEY, seed)
    return earlier


def add_returning(db: Database, earlier: EarlierPlan, cohort_key: str) -> int:
    """Link the earlier cohort's returning people to the current cohort in their new roles."""
    added = 0
    with db.write() as session:
        cohort = session.scalar(select(Cohort).where(Cohort.key == cohort_key))
        if cohort is None:
            return 0
        for key, role in earlier.returning:
            person = get_person(session, key)
            exists = session.scalar(
                select(CohortMember.id).where(
                    CohortMember.cohort_id == cohort.id, CohortMember.person_id == person.id
                )
            )
            if exists is None:
                session.add(CohortMember(cohort_id=cohort.id, person_id=person.id, role=role))
                added += 1
    return added
