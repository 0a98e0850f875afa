"""The demo programme: a fictional cohort of 14 tandems in its final weeks, and an earlier cohort
that ended more than a year ago (``tracker.demo.demo_earlier``), filled by polling the simulated
``demo`` platform over simulated time through the real poller and store."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from connectors.demo import DemoConnector, DemoProfile, Phase
from tracker.config import CohortEntry, EventEntry, PersonEntry
from tracker.demo.demo_goals import add_demo_goals
from tracker.demo.demo_self_assessment import add_demo_self_assessment
from tracker.polling.budget import Limit
from tracker.polling.engine import Engine, Schedule
from tracker.polling.retry import RetryPolicy
from tracker.polling.workers import claim, poll_claimed
from tracker.programme.structure import (
    Changes,
    add_account,
    get_person,
    upsert_cohort,
    upsert_person,
    upsert_tandem,
)
from tracker.store.db import Database
from tracker.store.models import Account, CheckinNote, Cohort, Tandem

COHORT_KEY = "demo"
COHORT_DAYS = 240
# The demo's accounts carry real platform names; the demo config serves every platform through
# the simulated ``demo`` connector.
DEMO_PLATFORMS = ("facebook", "instagram", "x", "blog", "bluesky", "mastodon")

FIRST_NAMES = [
    "Annegret",
    "Birgit",
    "Cornelia",
    "Dagmar",
    "Elke",
    "Friederike",
    "Gisela",
    "Hannelore",
    "Ingrid",
    "Jutta",
    "Karin",
    "Lieselotte",
    "Monika",
    "Notburga",
]
LAST_NAMES = [
    "Ahrendt-Beispiel",
    "Brunnhuber",
    "Campe",
    "Drechsler",
    "Eggersmann",
    "Fensterle",
    "Gartenschläger",
    "Hollerbusch",
    "Immerfroh",
    "Jankowitz",
    "Kesselring",
    "Lindenmeyer",
    "Morgenroth",
    "Nachtigall",
]
MENTOR_NAMES = [
    "Alina",
    "Bente",
    "Carla",
    "Dilara",
    "Emma",
    "Fenja",
    "Greta",
    "Hanna",
    "Ida",
    "Jana",
    "Kaya",
    "Lea",
    "Mila",
    "Nele",
]
MENTOR_LAST = [
    "Apfelbaum",
    "Birkenfeld",
    "Dornbusch",
    "Erlenweg",
    "Fichtner",
    "Ginster",
    "Holunder",
    "Ilexhof",
    "Jasmin",
    "Kastanie",
    "Lärche",
    "Mohnfeld",
    "Nesselrode",
    "Olivier",
]
ROLES_LOCAL = ["Stadträtin", "Kreisrätin", "Gemeinderätin", "Ortsvorsteherin", "Bezirksverordnete"]


@dataclass(frozen=True)
class DemoPlan:
    today: date
    cohort: CohortEntry
    people: list[PersonEntry]
    tandems: list[tuple[str, str]]
    # account handle -> (person key, platform label, date tracking starts)
    accounts: dict[str, tuple[str, str, date]]
    profiles: dict[str, DemoProfile]


def plan(seed: int, today: date) -> DemoPlan:
    """Decide the whole demo from the seed: who, which platforms, when adopted, how it goes."""
    rng = random.Random(seed)
    start = today - timedelta(days=COHORT_DAYS - 18)
    end = start + timedelta(days=COHORT_DAYS)
    events = [
        EventEntry(date=start, kind="kickoff", title="Auftakt in Berlin"),
        EventEntry(
            date=start + timedelta(days=35), kind="workshop", title="Instagram für Einsteigerinnen"
        ),
        EventEntry(date=start + timedelta(days=84), kind="workshop", title="Storytelling"),
        EventEntry(date=start + timedelta(days=120), kind="midpoint", title="Halbzeit"),
        EventEntry(
            date=start + timedelta(days=168), kind="workshop", title="Politik und Privatsphäre"
        ),
        EventEntry(date=end, kind="closing", title="Abschlussveranstaltung"),
    ]
    cohort, workshops = demo_cohort(COHORT_KEY, events)
    people = [
        PersonEntry(
            key="coordinator",
            name="Koordination Demo",
            role="coordinator",
            email="coordinator@demo.invalid",
            consent=None,
        )
    ]
    tandems: list[tuple[str, str]] = []
    accounts: dict[str, tuple[str, str, date]] = {}
    profiles: dict[str, DemoProfile] = {}
    baseline = start - timedelta(days=21)
    for i in range(14):
        n = f"{i + 1:02d}"
        mentee, mentor = f"mentee-{n}", f"mentor-{n}"
        name = f"{FIRST_NAMES[i]} {LAST_NAMES[i]}"
        people += tandem_people(
            (mentee, name), (mentor, f"{MENTOR_NAMES[i]} {MENTOR_LAST[i]}"), COHORT_KEY, baseline
        )
        tandems.append((mentee, mentor))
        archetype = ("grower", "grower", "steady", "steady", "staller")[i % 5]
        platforms = rng.sample(DEMO_PLATFORMS[:4], k=4) + list(DEMO_PLATFORMS[4:])
        at_start = i % 3  # 0, 1 or 2 platforms before the kickoff
        adopt_count = {"grower": 3, "steady": 2, "staller": 1}[archetype]
        for j, platform in enumerate(platforms[: at_start + adopt_count]):
            handle = demo_handle(platform, FIRST_NAMES[i], LAST_NAMES[i])
            if j < at_start:
                born = start - timedelta(days=rng.randint(200, 1500))
                tracked = baseline
                base = rng.randint(60, 900)
                old_rate = rng.choice([0.0, 0.2, 0.5])
                phases = [Phase(born, rng.uniform(0.0, 0.004), old_rate, 0.0)]
            else:
                adopt = rng.choice(workshops) + timedelta(days=rng.randint(1, 12))
                if adopt >= today:
                    continue
                born = tracked = adopt
                base = rng.randint(3, 40)
                phases = []
            boost = rng.choice(workshops[:2]) + timedelta(days=rng.randint(0, 10))
            boost = max(boost, born)
            growth, rate, video = {
                "grower": (rng.uniform(0.03, 0.07), rng.uniform(2.0, 4.5), 0.25),
                "steady": (rng.uniform(0.008, 0.02), rng.uniform(0.9, 2.0), 0.1),
                "staller": (rng.uniform(-0.002, 0.004), rng.uniform(0.1, 0.6), 0.0),
            }[archetype]
            phases.append(Phase(boost, growth, rate, video))
            if archetype == "staller":
                phases.append(Phase(boost + timedelta(days=60), 0.0, 0.05, 0.0))
            profiles[handle] = mentee_profile(handle, name, (born, base), phases, platform, rng)
            accounts[handle] = (mentee, platform, tracked)
    # Two comparison politicians outside the programme, tracked the same way.
    for k in range(2):
        key = f"comparison-{k + 1:02d}"
        people.append(
            comparison_person(
                key,
                f"Vergleich {chr(65 + k)}. Musterfrau",
                f"VergleichMusterfrau{k + 1}",
                COHORT_KEY,
                (start, baseline),
                rng,
                (profiles, accounts),
            )
        )
    add_incidents(profiles, accounts, start, today)
    return DemoPlan(today, cohort, people, tandems, accounts, profiles)


def demo_cohort(key: str, events: list[EventEntry]) -> tuple[CohortEntry, list[date]]:
    """A demo cohort from the kickoff (first event) to the closing (last), named by its years,
    and the days of its workshops (the midpoint among them), when mentees pick up platforms."""
    start, end = events[0].date, events[-1].date
    years = f"{start.year}" if start.year == end.year else f"{start.year}/{end.year % 100:02d}"
    cohort = CohortEntry(
        key=key, name=f"Reverse Mentoring {years}", start=start, end=end, events=events
    )
    return cohort, [e.date for e in events if e.kind in ("workshop", "midpoint")]


def mentee_profile(
    handle: str,
    name: str,
    start: tuple[date, int],
    phases: list[Phase],
    platform: str,
    rng: random.Random,
) -> DemoProfile:
    """A mentee's simulated account: born with ``start`` (day, followers), growing and posting
    by ``phases``, with an engagement of its own; a blog has readers, not followers."""
    born, base = start
    return DemoProfile(
        handle=handle,
        display_name=name,
        born=born,
        followers_at_birth=base,
        phases=tuple(phases),
        engagement=rng.uniform(0.02, 0.08),
        has_followers=platform != "blog",
    )


def tandem_people(
    mentee: tuple[str, str], mentor: tuple[str, str], cohort: str, consent: date
) -> list[PersonEntry]:
    """A tandem's two people, each given as (key, name), with a demo e-mail address."""
    return [
        PersonEntry(
            key=key,
            name=name,
            role=role,
            cohort=cohort,
            email=f"{key}@demo.invalid",
            consent=consent,
        )
        for (key, name), role in ((mentee, "mentee"), (mentor, "mentor"))
    ]


def comparison_person(
    key: str,
    name: str,
    handle: str,
    cohort: str,
    dates: tuple[date, date],
    rng: random.Random,
    into: tuple[dict[str, DemoProfile], dict[str, tuple[str, str, date]]],
) -> PersonEntry:
    """A comparison politician outside the programme with one steady Facebook page, tracked
    from the baseline; ``dates`` is (cohort start, baseline), her profile and account go
    ``into`` (profiles, accounts)."""
    start, baseline = dates
    profiles, accounts = into
    born = start - timedelta(days=900)
    profiles[handle] = DemoProfile(
        handle=handle,
        display_name=key,
        born=born,
        followers_at_birth=rng.randint(200, 700),
        phases=(Phase(born, 0.003, 0.7, 0.0),),
    )
    accounts[handle] = (key, "facebook", baseline)
    return PersonEntry(key=key, name=name, role="comparison", cohort=cohort, consent=baseline)


def add_incidents(
    profiles: dict[str, DemoProfile],
    accounts: dict[str, tuple[str, str, date]],
    start: date,
    today: date,
) -> None:
    """What a real programme meets, so the demo shows how the tracker handles it: a platform
    outage (a gap in the charts, never a drop to zero), an account set to private, and a page
    renamed away (both listed as needing action)."""

    def first_of(person: str, platforms: tuple[str, ...]) -> str | None:
        return next(
            (h for h, (p, plat, _t) in accounts.items() if p == person and plat in platforms), None
        )

    outage = first_of("mentee-03", ("facebook", "instagram", "x", "bluesky", "mastodon"))
    if outage:
        first = max(start + timedelta(days=130), profiles[outage].born + timedelta(days=7))
        profiles[outage] = replace(profiles[outage], outages=((first, first + timedelta(days=8)),))
    private = first_of("mentee-09", ("instagram", "facebook", "x"))
    if private:
        profiles[private] = replace(
            profiles[private], failure="unavailable", failure_from=today - timedelta(days=12)
        )
    renamed = first_of("comparison-02", ("facebook",))
    if renamed:
        profiles[renamed] = replace(
            profiles[renamed], failure="not_found", failure_from=today - timedelta(days=20)
        )


def _ascii(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
    return "".join(c for c in text.lower().translate(table) if c.isalnum())


def demo_handle(platform: str, first: str, last: str) -> str:
    """A handle of the platform's own form, clearly fictional (reserved .example domains)."""
    given, family = _ascii(first), _ascii(last.split("-")[0])
    return {
        "facebook": f"{given.title()}{family.title()}Politik",
        "instagram": f"{given}.{family}",
        "x": f"{given[0]}_{family}"[:15],
        "blog": f"https://{given}-{family}.example/",
        "bluesky": f"{given}-{family}.bsky.social",
        "mastodon": f"{given}@social.example",
    }[platform]


def write_profiles(plan_: DemoPlan, path: Path, *more: DemoPlan) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {h: p.to_dict() for plan in (plan_, *more) for h, p in plan.profiles.items()}
    path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")


def build(
    db: Database,
    seed: int = 7,
    today: date | None = None,
    profiles_file: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    profile_every: timedelta = timedelta(hours=6),
    earlier: bool = True,
) -> tuple[DemoPlan, Changes]:
    """Create the demo programme and poll its history, day by day, up to now; with
    ``earlier`` first the earlier, finished cohort (polled a pass a week)."""
    # Imported here: the earlier cohort's module builds on this one's plan and simulation.
    from tracker.demo.demo_earlier import add_returning, build_earlier

    today = today or datetime.now(UTC).date()
    demo_plan = plan(seed, today)
    changes = Changes()
    before = build_earlier(db, seed, today, changes, profile_every) if earlier else None
    with db.write() as session:
        upsert_cohort(session, demo_plan.cohort, changes)
        for person in demo_plan.people:
            upsert_person(session, person, changes, by="demo")
        for mentee, mentor in demo_plan.tandems:
            upsert_tandem(session, COHORT_KEY, mentee, mentor, changes)
    if before is not None:
        add_returning(db, before, COHORT_KEY)
    if profiles_file is not None:
        write_profiles(demo_plan, profiles_file, *([before.plan] if before else []))
    settings: dict[str, Any] = {
        "seed": seed,
        # Every account the demo holds: the last pass polls them all.
        "profiles": {
            h: p.to_dict()
            for plan_ in (demo_plan, *([before.plan] if before else []))
            for h, p in plan_.profiles.items()
        },
    }
    connector = DemoConnector(settings)
    simulate(db, connector, demo_plan, changes, progress, profile_every)
    goals = add_demo_goals(db, demo_plan.today, COHORT_KEY)
    if goals:
        changes.created["goals"] = goals
    notes = add_demo_notes(db, demo_plan)
    if notes:
        changes.created["notes"] = notes
    answers = add_demo_self_assessment(db, demo_plan.today, COHORT_KEY, seed)
    if answers:
        changes.created["self-assessments"] = answers
    return demo_plan, changes


NOTE_TEXTS = (
    "Erstes Treffen: Ziele fürs Programm besprochen, Profilbild und Kurzbeschreibung überarbeitet.",
    "Gemeinsam einen Redaktionsplan für die nächsten vier Wochen angelegt.",
    "Nach dem Workshop: erste Story ausprobiert, Rückfragen zu Hashtags geklärt.",
    "Halbzeit-Gespräch: was gut läuft, wo es hakt; nächstes Ziel festgelegt.",
)


def add_demo_notes(db: Database, demo_plan: DemoPlan) -> int:
    """Dated check-in notes by each mentor, at plausible moments of the cohort."""
    events = [e.date for e in demo_plan.cohort.events if e.date <= demo_plan.today]
    added = 0
    with db.write() as session:
        tandems = session.execute(
            select(Tandem.id, Tandem.mentor_id)
            .join(Cohort, Cohort.id == Tandem.cohort_id)
            .where(Cohort.key == COHORT_KEY)
        ).all()
        for index, (tandem_id, mentor_id) in enumerate(tandems):
            if session.scalar(select(CheckinNote.id).where(CheckinNote.tandem_id == tandem_id)):
                continue
            for day, text in zip(events, NOTE_TEXTS, strict=False):
                on = day + timedelta(days=3 + index % 5)
                if on > demo_plan.today:
                    continue
                session.add(
                    CheckinNote(
                        tandem_id=tandem_id,
                        author_id=mentor_id,
                        on=on,
                        text=text,
                        created_at=datetime.combine(on, time(18), tzinfo=UTC),
                    )
                )
                added += 1
    return added


def simulate(
    db: Database,
    connector: DemoConnector,
    demo_plan: DemoPlan,
    changes: Changes,
    progress: Callable[[int, int], None] | None,
    profile_every: timedelta,
    step_days: int = 1,
) -> None:
    """Walk simulated time from the first tracking day to now through the polling engine:
    accounts are added on the day the coordinator would have added them, and each day's pass
    polls what the schedule says is due (profiles daily, posts weekly, everything on the last
    day). With ``step_days`` a pass runs every that many days (and on the last day)."""
    first = min(t for _, _, t in demo_plan.accounts.values())
    now = datetime.now(UTC)
    days = (demo_plan.today - first).days + 1
    clock = [datetime.combine(first, time(9, 30), tzinfo=UTC)]
    engine = Engine(
        db,
        lambda _platform: connector,
        limits=lambda _platform: Limit(10**9, 60.0, 1),
        schedule=Schedule(profile_every=profile_every, posts_every=timedelta(days=7)),
        retry=RetryPolicy(max_attempts=1),
        clock=lambda: clock[0],
        sleep=lambda _seconds: None,
        worker="demo",
        # one lane: the simulated platform answers at once, so threads would only queue on the
        # database's write lock
        max_threads=1,
    )
    ids: dict[str, int] = {}
    offsets = list(range(0, days, step_days))
    if offsets[-1] != days - 1:
        offsets.append(days - 1)
    for offset in offsets:
        day = first + timedelta(days=offset)
        moment = datetime.combine(day, time(9, 30), tzinfo=UTC)
        if day == demo_plan.today:
            moment = min(moment, now)
        clock[0] = moment
        connector.clock = lambda m=moment: m  # type: ignore[misc]
        for handle, (person_key, platform, tracked) in demo_plan.accounts.items():
            if tracked <= day and handle not in ids:
                ids[handle] = _ensure_account(db, person_key, platform, handle, changes)
        claimed = claim(db, "demo", moment, schedule=engine.schedule)
        poll_claimed(engine, claimed, "demo")
        if day == demo_plan.today:
            final = claim(db, "demo", moment, schedule=engine.schedule, force=True)
            posts_only = tuple(replace(j, kinds=("posts",)) for j in final.jobs)
            poll_claimed(engine, replace(final, jobs=posts_only), "demo")
        if progress:
            progress(offset + 1, days)


def _ensure_account(
    db: Database, person_key: str, platform: str, handle: str, changes: Changes
) -> int:
    with db.write() as session:
        existing = session.scalar(
            select(Account).where(Account.platform == platform, Account.handle == handle)
        )
        if existing is not None:
            return existing.id
        account = add_account(session, get_person(session, person_key), platform, handle, changes)
        return account.id


def write_demo_config(path: Path, url: str, profiles: Path, seed: int, port: int) -> None:
    """A config for the demo database: every platform served by the simulated connector."""
    lines = [
        "# Written by `tracker demo`: every platform is simulated by the demo connector.",
        "[tracker]",
        f'database_url = "{url}"',
        "",
        "[web]",
        f"port = {port}",
        f'base_url = "http://127.0.0.1:{port}"',
        "",
        "[platforms.demo]",
        f"seed = {seed}",
        f'profiles_file = "{profiles.resolve()}"',
    ]
    for platform in DEMO_PLATFORMS:
        lines += ["", f"[platforms.{platform}]", 'connector = "demo"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
