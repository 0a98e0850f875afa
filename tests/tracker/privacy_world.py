"""A small fictional programme for the data-protection tests: tandems with polled accounts,
goals, notes, logins, invitations, failed logins and audit entries, built through the same
functions the roster import and the poller use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import String, Table, Text, func, select

from connectors.demo import DemoConnector
from tracker.config import CohortEntry, PersonEntry
from tracker.polling.budget import Limit
from tracker.polling.engine import AccountJob, Engine
from tracker.polling.retry import RetryPolicy
from tracker.privacy.audit_write import record_view
from tracker.programme.structure import (
    Changes,
    get_person,
    upsert_cohort,
    upsert_person,
    upsert_tandem,
)
from tracker.store.db import Database
from tracker.store.models import (
    Account,
    Base,
    CheckinNote,
    Goal,
    Invite,
    LoginFailure,
    Tandem,
    User,
)

SIX_HOURS = timedelta(hours=6)


@dataclass(frozen=True)
class Someone:
    key: str
    name: str
    email: str
    handles: dict[str, str]  # platform -> handle

    @property
    def identifiers(self) -> list[str]:
        """Everything that names her in a string column."""
        return [self.key, self.name, self.email, *self.handles.values()]


def add_cohort(db: Database, key: str, start: date, end: date) -> None:
    with db.write() as session:
        upsert_cohort(
            session, CohortEntry(key=key, name=f"Kohorte {key}", start=start, end=end), Changes()
        )


def add_person(
    db: Database, who: Someone, role: str, cohort: str | None, consent: date | None
) -> None:
    entry = PersonEntry(
        key=who.key,
        name=who.name,
        role=role,  # type: ignore[arg-type]
        email=who.email,
        cohort=cohort,
        consent=consent,
        accounts=who.handles,
    )
    with db.write() as session:
        upsert_person(session, entry, Changes(), by="roster")


def add_tandem(db: Database, cohort: str, mentee: Someone, mentor: Someone) -> int:
    with db.write() as session:
        return upsert_tandem(session, cohort, mentee.key, mentor.key, Changes()).id


def account_ids(db: Database, who: Someone) -> list[int]:
    with db.session() as session:
        person = get_person(session, who.key)
        return list(session.scalars(select(Account.id).where(Account.person_id == person.id)))


def poll_once(
    db: Database, account_id: int, connector: DemoConnector, kind: str, at: datetime
) -> str:
    """Poll one account for ``kind`` at ``at`` through the engine, once, without retries;
    returns the outcome, or "no_consent" when nothing was polled."""
    with db.session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        job = AccountJob(account_id, account.platform, account.handle, (kind,))
    engine = Engine(
        db,
        lambda _platform: connector,
        limits=lambda _platform: Limit(10_000, 60.0, 1),
        retry=RetryPolicy(max_attempts=1),
        clock=lambda: at,
        max_threads=1,
        worker="test",
    )
    outcomes = engine.poll(job)
    return outcomes[0] if outcomes else "no_consent"


def poll_days(db: Database, who: Someone, first: datetime, days: int) -> None:
    """Poll her accounts' profiles daily and posts on the first and last day."""
    connector = DemoConnector({"seed": 3})
    for offset in range(days):
        moment = first + timedelta(days=offset)
        connector.clock = lambda m=moment: m  # type: ignore[misc]
        for account_id in account_ids(db, who):
            assert poll_once(db, account_id, connector, "profile", moment) == "ok"
            if offset in (0, days - 1):
                poll_once(db, account_id, connector, "posts", moment)


def person_id(db: Database, who: Someone) -> int:
    with db.session() as session:
        return get_person(session, who.key).id


def add_login(db: Database, who: Someone, role: str, at: datetime) -> None:
    pid = person_id(db, who)
    with db.write() as session:
        session.add(
            User(
                email=who.email,
                person_id=pid,
                role=role,
                password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                session_token="tok-" + who.key,
                created_at=at,
            )
        )


def add_goal(db: Database, tandem_id: int, title: str, by: str, at: datetime) -> None:
    with db.write() as session:
        session.add(
            Goal(tandem_id=tandem_id, title=title, kind="manual", created_by=by, created_at=at)
        )


def add_note(db: Database, tandem_id: int, author: Someone, text: str, at: datetime) -> None:
    pid = person_id(db, author)
    with db.write() as session:
        session.add(
            CheckinNote(tandem_id=tandem_id, author_id=pid, on=at.date(), text=text, created_at=at)
        )


def add_view(db: Database, viewer: str, role: str, about: Someone, surface: str) -> None:
    with db.write() as session:
        record_view(session, viewer=viewer, viewer_role=role, person_key=about.key, surface=surface)


WILMA = Someone(
    "wunderlich",
    "Wilma Wunderlich",
    "wilma.wunderlich@beispiel.invalid",
    {"bluesky": "wilma-wunderlich.bsky.social", "x": "wwunderlich"},
)
BERTA = Someone(
    "beispielhaft",
    "Berta Beispielhaft",
    "berta.beispielhaft@beispiel.invalid",
    {"bluesky": "berta-beispielhaft.bsky.social", "instagram": "berta.beispielhaft"},
)
MIRA = Someone("mondschein", "Mira Mondschein", "mira.mondschein@beispiel.invalid", {})
NORA = Someone("nebelhorn", "Nora Nebelhorn", "nora.nebelhorn@beispiel.invalid", {})
KORA = Someone("koordination", "Kora Koordinata", "kora.koordinata@beispiel.invalid", {})

SPRING = "fruehling"
START, END = date(2025, 2, 1), date(2025, 9, 30)
CONSENT = date(2025, 1, 15)
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    tandem_wilma: int
    tandem_berta: int


def build_world(db: Database) -> World:
    """Two tandems in one cohort (Wilma with Mira, Berta with Nora) and a coordinator (Kora).

    Everything that can name a person is filled: polled data, goals, notes (one by the
    coordinator in Wilma's tandem), logins, an invitation, failed logins (one with Wilma's
    email in other letter case) and audit entries by and about each of them.
    """
    add_cohort(db, SPRING, START, END)
    add_person(db, KORA, "coordinator", None, None)
    for mentee, mentor in ((WILMA, MIRA), (BERTA, NORA)):
        add_person(db, mentee, "mentee", SPRING, CONSENT)
        add_person(db, mentor, "mentor", SPRING, CONSENT)
    tw = add_tandem(db, SPRING, WILMA, MIRA)
    tb = add_tandem(db, SPRING, BERTA, NORA)
    poll_days(db, WILMA, T0, 4)
    poll_days(db, BERTA, T0, 4)
    for who, role in (
        (WILMA, "mentee"),
        (BERTA, "mentee"),
        (KORA, "coordinator"),
        (MIRA, "mentor"),
    ):
        add_login(db, who, role, T0)
    add_goal(db, tw, "Zweimal pro Woche posten", MIRA.email, T0)
    add_goal(db, tb, "Ein Reel im Monat", KORA.email, T0)
    add_note(db, tw, MIRA, "Erste Schritte auf Bluesky besprochen.", T0)
    add_note(db, tw, KORA, "Tandem läuft gut.", T0)
    add_note(db, tb, NORA, "Instagram-Profil eingerichtet.", T0)
    with db.write() as session:
        session.add(
            Invite(
                token_hash="h" * 64,
                email=WILMA.email,
                person_id=None,
                role="mentee",
                created_at=T0,
                expires_at=T0 + timedelta(days=7),
            )
        )
        session.add(LoginFailure(email=WILMA.email.upper(), address="192.0.2.7", at=T0))
        session.add(LoginFailure(email=BERTA.email, address="192.0.2.8", at=T0))
    add_view(db, KORA.email, "coordinator", WILMA, "programme")
    add_view(db, WILMA.email, "mentee", WILMA, "mentee")
    add_view(db, MIRA.key, "mentor", WILMA, "tandem")
    add_view(db, NORA.email, "mentor", BERTA, "tandem")
    add_view(db, KORA.email, "coordinator", BERTA, "programme")
    return World(tw, tb)


def all_tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def row_counts(db: Database) -> dict[str, int]:
    """Rows per table of the data model."""
    with db.session() as session:
        return {
            t.name: int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in all_tables()
        }


def tandem_ids(db: Database) -> set[int]:
    with db.session() as session:
        return set(session.scalars(select(Tandem.id)))


def mentions(db: Database, who: Someone) -> list[str]:
    """Every table.column whose value contains one of her identifiers (any letter case)."""
    needles = [n.lower() for n in who.identifiers]
    found = []
    with db.session() as session:
        for table in all_tables():
            for column in table.c:
                if not isinstance(column.type, String | Text):
                    continue
                for needle in needles:
                    hit = session.scalar(
                        select(func.count())
                        .select_from(table)
                        .where(func.lower(column).contains(needle, autoescape=True))
                    )
                    if hit:
                        found.append(f"{table.name}.{column.name} ~ {needle}")
    return found
