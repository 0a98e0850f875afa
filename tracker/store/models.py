"""The data model (SQLAlchemy 2). Counts, ids and timestamps only: no post texts, no follower lists.

Every datetime column holds UTC. SQLite returns naive values; ``UTCDateTime`` makes them aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("mentee", "mentor", "coordinator", "comparison")
EVENT_KINDS = ("kickoff", "workshop", "midpoint", "closing", "other")
ACCOUNT_STATES = ("active", "not_found", "unavailable", "auth_failed", "paused")
OUTCOMES = ("ok", "not_found", "unavailable", "rate_limited", "auth_failed", "error")
SNAPSHOT_SOURCES = ("poll", "manual", "demo")


class _SQLiteUTCText(sqlite.DATETIME):
    """SQLite DATETIME column whose text UTCDateTime writes and parses itself (C-speed
    isoformat/fromisoformat instead of per-field Python formatting)."""

    def bind_processor(self, dialect: Any) -> None:
        return None

    def result_processor(self, dialect: Any, coltype: Any) -> None:
        return None


def sqlite_utc_text(value: datetime) -> str:
    """How SQLite keeps an aware datetime: naive UTC text with microseconds."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given where UTC is required")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]  # without the "+00:00"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite keeps text: values are written as naive UTC with microseconds
    ("2026-03-01 12:00:00.000000", SQLAlchemy's own format) so that they sort and compare
    correctly as strings.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_SQLiteUTCText())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return sqlite_utc_text(value)
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value if value.tzinfo is UTC else value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), date: Date()}


class Programme(Base):
    __tablename__ = "programme"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Cohort(Base):
    __tablename__ = "cohort"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    start: Mapped[date]
    end: Mapped[date]
    events: Mapped[list[ProgrammeEvent]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="ProgrammeEvent.date"
    )


class ProgrammeEvent(Base):
    __tablename__ = "programme_event"
    __table_args__ = (UniqueConstraint("cohort_id", "date", "kind", "title"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    cohort: Mapped[Cohort] = relationship(back_populates="events")


@dataclass(frozen=True)
class PersonRef:
    """A person as a page that only reads her data needs her: plain values, no ORM object
    (loading one costs more than the query)."""

    id: int
    key: str
    display_name: str
    role: str
    cohort_id: int | None


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(8), default="de")
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"))
    consent_given: Mapped[date | None]
    consent_withdrawn: Mapped[date | None]
    # Comma-separated platforms the consent covers; None means every platform.
    consent_platforms: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    accounts: Mapped[list[Account]] = relationship(back_populates="person")
    cohort: Mapped[Cohort | None] = relationship()

    def consents_to(self, platform: str, on: date) -> bool:
        """True when this person's recorded consent covers ``platform`` on day ``on``."""
        if self.consent_given is None or self.consent_given > on:
            return False
        if self.consent_withdrawn is not None and self.consent_withdrawn <= on:
            return False
        if self.consent_platforms:
            return platform in {p.strip() for p in self.consent_platforms.split(",")}
        return True


class CohortMember(Base):
    """A person's role in one more cohort: a mentee who returns as a mentor, a mentor who comes
    back, a comparison account followed for a later cohort too. ``Person.cohort_id`` and
    ``Person.role`` stay her first (or only) membership; a row here for that same cohort
    overrides the role there."""

    __tablename__ = "cohort_member"
    __table_args__ = (UniqueConstraint("cohort_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))


class ConsentEvent(Base):
    """The history of consent: every give and withdraw, with who recorded it."""

    __tablename__ = "consent_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # given / withdrawn
    on: Mapped[date]
    platforms: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str | None] = mapped_column(String(200))


class Tandem(Base):
    __tablename__ = "tandem"
    __table_args__ = (UniqueConstraint("cohort_id", "mentee_id", "mentor_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    cohort: Mapped[Cohort] = relationship()
    mentee: Mapped[Person] = relationship(foreign_keys=[mentee_id])
    mentor: Mapped[Person] = relationship(foreign_keys=[mentor_id])


class Account(Base):
    __tablename__ = "account"
    __table_args__ = (
        UniqueConstraint("platform", "handle"),
        Index("uq_account_platform_platform_id", "platform", "platform_id", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    handle: Mapped[str] = mapped_column(String(300))
    platform_id: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), default="active")
    state_reason: Mapped[str | None] = mapped_column(Text)
    state_changed_at: Mapped[datetime | None]
    added_at: Mapped[datetime]
    # Scheduling: when each kind of poll is next due, and who holds a claim on it.
    next_profile_at: Mapped[datetime | None]
    next_posts_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None]
    person: Mapped[Person] = relationship(back_populates="accounts")


class ProfileSnapshot(Base):
    """One count of a profile, one per account and moment. Keyed by both: on SQLite the rows
    are stored in that order (a table without rowid), so an account's series lies together on
    disk, although the poller writes every account's snapshot of a moment at once."""

    __tablename__ = "profile_snapshot"
    __table_args__ = ({"sqlite_with_rowid": False},)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    taken_at: Mapped[datetime] = mapped_column(primary_key=True)
    followers: Mapped[int | None]
    following: Mapped[int | None]
    posts: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(8), default="poll")


class PostMetric(Base):
    __tablename__ = "post_metric"
    __table_args__ = (
        UniqueConstraint("account_id", "post_id"),
        # An account's posts of a period, in time order (the figures' read).
        Index("ix_post_metric_account_published", "account_id", "published_at"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    post_id: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))
    likes: Mapped[int | None]
    comments: Mapped[int | None]
    shares: Mapped[int | None]
    views: Mapped[int | None]
    url: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime]


class PollAttempt(Base):
    __tablename__ = "poll_attempt"
    __table_args__ = (Index("ix_poll_attempt_account_started", "account_id", "started_at"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # profile / posts
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(16))
    error_class: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(100))


class PlatformState(Base):
    """Shared pause and circuit-breaker state per platform or per instance (scope)."""

    __tablename__ = "platform_state"
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    paused_until: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str | None] = mapped_column(Text)


class Heartbeat(Base):
    __tablename__ = "heartbeat"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    beat_at: Mapped[datetime]
    pid: Mapped[int | None]
    host: Mapped[str | None] = mapped_column(String(200))


class Goal(Base):
    __tablename__ = "goal"
    id: Mapped[int] = mapped_column(primary_key=True)
    tandem_id: Mapped[int] = mapped_column(ForeignKey("tandem.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))  # metric / manual
    # Metric goals: which metric, on which platform, reaching which target, over what span.
    metric: Mapped[str | None] = mapped_column(String(32))
    platform: Mapped[str | None] = mapped_column(String(16))
    target: Mapped[float | None] = mapped_column(Float)
    weeks: Mapped[int | None]
    due: Mapped[date | None]
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class CheckinNote(Base):
    __tablename__ = "checkin_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    tandem_id: Mapped[int] = mapped_column(ForeignKey("tandem.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    # Bumped at login and logout so that a stolen session cookie stops working.
    session_token: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
    person: Mapped[Person | None] = relationship()


class Invite(Base):
    __tablename__ = "invite"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginFailure(Base):
    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_email_at", "email", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class AuditEntry(Base):
    """Who looked at whose data, where and when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_person_at", "person_key", "at"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime]
    viewer: Mapped[str] = mapped_column(
        String(320)
    )  # email or person key; pseudonymised on erasure
    viewer_role: Mapped[str | None] = mapped_column(String(16))
    person_key: Mapped[str | None] = mapped_column(String(64))
    surface: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32), default="view")


class ErasureRecord(Base):
    """One erased person, by a pseudonymous reference only (a hash of her row id and creation
    time), so that a restore of an older backup can erase her again."""

    __tablename__ = "erasure_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(64), unique=True)
    erased_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(16))  # erase / purge


class BackupRecord(Base):
    """A backup that was written completely: when, where, how big, its checksum."""

    __tablename__ = "backup_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(index=True)
    path: Mapped[str] = mapped_column(String(1000))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    encrypted: Mapped[bool] = mapped_column(Boolean)


class SelfAssessmentAnswer(Base):
    """One answer of a self-assessment round: a scale value for an item, or the free text.

    Rows are only ever added: one submission writes a row per item with the same
    ``submitted_at``; the latest submission of a round is the answer, earlier ones its history.
    ``rater`` is "self" for the mentee's own answers and "mentor" for her mentor's rating.
    """

    __tablename__ = "self_assessment_answer"
    __table_args__ = (
        Index("ix_self_assessment_answer_person_round", "person_id", "round", "submitted_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    round: Mapped[str] = mapped_column(String(16))
    rater: Mapped[str] = mapped_column(String(8))
    rater_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    item: Mapped[str] = mapped_column(String(32))
    value: Mapped[int | None]
    # The free-text answer ("Was möchte ich als Nächstes lernen?"), at most 2,000 characters.
    text: Mapped[str | None] = mapped_column(String(2000))
    submitted_at: Mapped[datetime]


class LetterOptin(Base):
    """The history of a person's agreement to the weekly letter: every yes and no, and who
    recorded it (the last entry decides)."""

    __tablename__ = "letter_optin"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # given / withdrawn
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str | None] = mapped_column(String(200))


class Letter(Base):
    """One weekly letter to one person: recorded before it is sent and again after, so that
    a restart neither sends it twice nor skips it."""

    __tablename__ = "letter"
    __table_args__ = (UniqueConstraint("person_id", "week", name="uq_letter_person_week"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    week: Mapped[str] = mapped_column(String(8))  # ISO week, e.g. 2026-W48
    kind: Mapped[str] = mapped_column(String(16))  # mentee / mentor / coordinator
    # pending, sending, sent, failed (retried later), given_up, skipped (no opt-in any more)
    status: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
