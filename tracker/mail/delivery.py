"""Sending each letter exactly once.

A letter for a person and week is a row of ``letter``, written before anything is sent
(``pending``). Sending claims the row (``sending``, with the moment), hands the message to the
SMTP server and records the result (``sent``, or ``failed`` with the next attempt after a
doubling wait, ``given_up`` after the last attempt). A restart finds every letter where it was
left: pending ones are sent, sent ones never again. Only a process that dies between the
server's acceptance and the ``sent`` record leaves a claim behind; after ``LEASE`` it is sent
again with the same Message-ID, which mail programs show once.

Opt-in is checked again right before each letter: a withdrawal stops the next letter.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.base import utcnow
from tracker.config import Config, parse_duration
from tracker.errors import MailError, NotFoundError
from tracker.mail.compose import (
    Letter as ComposedLetter,
)
from tracker.mail.compose import (
    Links,
    Recipient,
    coordinator_letter,
    mentee_letter,
    mentor_letter,
    preview_html,
    to_message,
)
from tracker.mail.letter_figures import CohortWeek, cohort_week
from tracker.mail.optin import opted_in, opted_in_ids
from tracker.mail.smtp import Transport
from tracker.mail.tokens import unsubscribe_token
from tracker.mail.weeks import LetterWeek, current_week, parse_week, send_moment
from tracker.privacy.consent import consent_statuses
from tracker.programme.scope import scope_for
from tracker.store.db import Database
from tracker.store.models import Cohort, Letter, Person

logger = logging.getLogger(__name__)

LETTER_ROLES = ("mentee", "mentor", "coordinator")
# A claim older than this belongs to a process that died while sending.
LEASE = timedelta(minutes=10)
PREVIEW_TOKEN = "vorschau"


@dataclass
class SendReport:
    week: str | None
    planned: int = 0
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class Composer:
    """Composes letters of one week, summarising each cohort once."""

    def __init__(self, session: Session, config: Config, week: LetterWeek, secret: str | None):
        self.session = session
        self.config = config
        self.week = week
        self.secret = secret
        self._cohorts: dict[int, CohortWeek] = {}

    def cohort(self, cohort_id: int) -> CohortWeek:
        if cohort_id not in self._cohorts:
            key = self.session.scalar(select(Cohort.key).where(Cohort.id == cohort_id))
            if key is None:
                raise NotFoundError(f"no cohort with id {cohort_id}")
            self._cohorts[cohort_id] = cohort_week(self.session, key, self.week)
        return self._cohorts[cohort_id]

    def links(self, person: Person) -> Links:
        token = (
            unsubscribe_token(self.secret, person.id, person.key) if self.secret else PREVIEW_TOKEN
        )
        base = self.config.web.base_url.rstrip("/")
        return Links(base, f"{base}/abmelden/{token}")

    def compose(self, person: Person) -> ComposedLetter | None:
        """The person's letter, holding only what her role lets her see on the dashboard;
        None when there is nothing to write about (a mentor without tandem, a mentee outside
        any cohort). Raises MailError for a person who gets no letters (no e-mail, no role)."""
        if person.role not in LETTER_ROLES:
            raise MailError(
                f"{person.key!r} is a {person.role}: only {', '.join(LETTER_ROLES)} get letters"
            )
        if not person.email:
            raise MailError(f"{person.key!r} has no e-mail address")
        r = Recipient(
            person.id, person.key, person.display_name, person.email, person.language, person.role
        )
        scope = scope_for(self.session, person.role, person.id)
        links = self.links(person)
        if person.role == "mentee":
            if person.cohort_id is None:
                return None
            c = self.cohort(person.cohort_id)
            mine = c.mentee(person.id)
            if mine is None or not scope.allows(mine.person_id):
                return None
            return mentee_letter(r, mine, self.week, c.next_event, links)
        if person.role == "mentor":
            partners = []
            mentees = (
                self.session.scalars(
                    select(Person)
                    .where(Person.id.in_(sorted(scope.person_ids)))
                    .order_by(Person.display_name)
                ).all()
                if scope.person_ids
                else []
            )
            for mentee in mentees:
                if mentee.cohort_id is None or not scope.allows(mentee.id):
                    continue
                c = self.cohort(mentee.cohort_id)
                m = c.mentee(mentee.id)
                if m is not None:
                    partners.append((m, c.next_event))
            if not partners:
                return None
            return mentor_letter(r, partners, self.week, links)
        # coordinator: every cohort running during the week (scope: everyone)
        cohorts = self.session.scalars(
            select(Cohort)
            .where(Cohort.start <= self.week.last_day, Cohort.end >= self.week.start)
            .order_by(Cohort.start, Cohort.key)
        ).all()
        weeks = [self.cohort(c.id) for c in cohorts if scope.everyone]
        keys = {c.key for c in cohorts}
        missing = [
            s
            for s in consent_statuses(self.session)
            if s.role in ("mentee", "mentor")
            and s.cohort_key in keys
            and not s.active_on(self.week.last_day)
        ]
        return coordinator_letter(r, weeks, missing, self.week, links)


def _domain(sender: str | None) -> str:
    _, addr = parseaddr(sender or "")
    return addr.rpartition("@")[2] or "localhost"


def plan_week(db: Database, config: Config, week: LetterWeek, now: datetime | None = None) -> int:
    """Record a pending letter for everyone who agreed and has none for ``week`` yet;
    returns how many were added."""
    now = now or utcnow()
    added = 0
    with db.write() as session:
        wanted = opted_in_ids(session)
        people = session.scalars(
            select(Person)
            .where(Person.role.in_(LETTER_ROLES), Person.email.is_not(None))
            .order_by(Person.id)
        ).all()
        have = set(session.scalars(select(Letter.person_id).where(Letter.week == week.label)))
        for person in people:
            if person.id not in wanted or person.id in have:
                continue
            try:
                with session.begin_nested():
                    session.add(
                        Letter(
                            person_id=person.id,
                            week=week.label,
                            kind=person.role,
                            status="pending",
                            message_id=f"<{week.label}.{uuid.uuid4().hex[:20]}@{_domain(config.mail.sender)}>",
                            attempts=0,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
                added += 1
            except IntegrityError:  # another process recorded it a moment ago
                continue
    return added


def _due(now: datetime) -> Any:
    return or_(
        and_(Letter.status.in_(("pending", "failed")), Letter.next_attempt_at <= now),
        and_(Letter.status == "sending", Letter.claimed_at < now - LEASE),
    )


def _claim(db: Database, now: datetime, week: str | None) -> int | None:
    """Claim the next due letter (compare-and-set, so two processes never take the same)."""
    with db.write() as session:
        stmt = select(Letter.id).where(_due(now)).order_by(Letter.id).limit(1)
        if week is not None:
            stmt = stmt.where(Letter.week == week)
        letter_id = session.scalar(stmt)
        if letter_id is None:
            return None
        result = cast(
            CursorResult[Any],
            session.execute(
                update(Letter)
                .where(Letter.id == letter_id, _due(now))
                .values(status="sending", claimed_at=now, attempts=Letter.attempts + 1)
            ),
        )
        return letter_id if result.rowcount == 1 else None


def _finish(db: Database, letter_id: int, **values: Any) -> None:
    with db.write() as session:
        session.execute(update(Letter).where(Letter.id == letter_id).values(**values))


def deliver_due(
    db: Database,
    config: Config,
    transport: Transport,
    secret: str,
    *,
    now: datetime | None = None,
    week: str | None = None,
) -> SendReport:
    """Send every letter that is due (of ``week`` only, if given) and record each outcome."""
    now = now or utcnow()
    report = SendReport(week)
    sender = config.mail.sender or ""
    # One read session composes the whole batch, so each cohort is summarised once per week.
    with db.session() as read:
        composers: dict[str, Composer] = {}
        while True:
            letter_id = _claim(db, now, week)
            if letter_id is None:
                return report
            with db.session() as fresh:  # opt-in as it stands right now
                row = fresh.get(Letter, letter_id)
                assert row is not None
                label, message_id, attempts = row.week, row.message_id, row.attempts
                wants = opted_in(fresh, row.person_id)
                person = read.get(Person, row.person_id, populate_existing=True)
            assert person is not None
            if not wants or not person.email:
                _finish(db, letter_id, status="skipped", last_error=None)
                report.skipped.append(person.key)
                continue
            composer = composers.get(label)
            if composer is None:
                composer = Composer(read, config, parse_week(label, config.mail), secret)
                composers[label] = composer
            try:
                letter = composer.compose(person)
            except MailError as exc:
                _finish(db, letter_id, status="skipped", last_error=str(exc)[:500])
                report.skipped.append(person.key)
                continue
            if letter is None:
                _finish(db, letter_id, status="skipped", last_error="nothing to report")
                report.skipped.append(person.key)
                continue
            r = Recipient(
                person.id,
                person.key,
                person.display_name,
                person.email,
                person.language,
                person.role,
            )
            message = to_message(
                letter,
                r,
                sender=sender,
                reply_to=config.mail.reply_to,
                message_id=message_id,
                unsubscribe=composer.links(person).unsubscribe,
                now=now,
            )
            key = person.key
            _deliver(db, config, transport, report, letter_id, message, key, label, attempts, now)


def _deliver(
    db: Database,
    config: Config,
    transport: Transport,
    report: SendReport,
    letter_id: int,
    message: EmailMessage,
    key: str,
    label: str,
    attempts: int,
    now: datetime,
) -> None:
    """Hand one message to the server and record what happened."""
    base = parse_duration(config.mail.retry_base)
    try:
        transport.send(message)
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        if attempts >= config.mail.max_attempts:
            _finish(db, letter_id, status="given_up", last_error=error)
            report.given_up.append(key)
            logger.error("letter %s for %s given up after %d attempts", label, key, attempts)
        else:
            wait = base * 2 ** (attempts - 1)
            _finish(db, letter_id, status="failed", last_error=error, next_attempt_at=now + wait)
            report.failed.append(key)
            logger.warning("letter %s for %s failed (attempt %d): %s", label, key, attempts, error)
        return
    _finish(db, letter_id, status="sent", sent_at=utcnow(), last_error=None)
    report.sent.append(key)
    logger.info("letter %s sent to %s", label, key)


def send_week(
    db: Database,
    config: Config,
    transport: Transport,
    secret: str,
    week: LetterWeek,
    *,
    now: datetime | None = None,
) -> SendReport:
    """Record and send the letters of ``week`` (those already sent are left alone)."""
    planned = plan_week(db, config, week, now)
    report = deliver_due(db, config, transport, secret, now=now, week=week.label)
    report.planned = planned
    return report


def run_due(
    db: Database, config: Config, transport: Transport, secret: str, now: datetime | None = None
) -> SendReport | None:
    """The weekly job: once this week's sending moment has passed, record its letters; then
    send whatever is due (retries of earlier weeks included). None while the mail is off."""
    if not config.mail.enabled:
        return None
    now = now or utcnow()
    week = current_week(now, config.mail, config.tracker.timezone)
    planned = 0
    if now >= send_moment(week, config.mail, config.tracker.timezone):
        planned = plan_week(db, config, week, now)
    report = deliver_due(db, config, transport, secret, now=now)
    report.planned = planned
    return report


def preview(
    db: Database, config: Config, person_key: str, week: LetterWeek, secret: str | None
) -> ComposedLetter | None:
    """The person's letter for ``week`` without recording or sending anything.

    Raises NotFoundError for an unknown person, MailError for one who gets no letters."""
    with db.session() as session:
        person = session.scalar(select(Person).where(Person.key == person_key))
        if person is None:
            raise NotFoundError(f"no person with key {person_key!r}")
        return Composer(session, config, week, secret).compose(person)


def dry_run(db: Database, config: Config, week: LetterWeek) -> list[tuple[str, str, str]]:
    """Who would get a letter for ``week``: (person key, role, what happens)."""
    out = []
    with db.session() as session:
        wanted = opted_in_ids(session)
        rows = {
            r.person_id: r.status
            for r in session.scalars(select(Letter).where(Letter.week == week.label))
        }
        people = session.scalars(
            select(Person).where(Person.role.in_(LETTER_ROLES)).order_by(Person.role, Person.key)
        ).all()
        for p in people:
            if p.id not in wanted:
                what = "no opt-in"
            elif not p.email:
                what = "no e-mail address"
            elif p.id in rows:
                what = f"already recorded: {rows[p.id]}"
            else:
                what = "would be sent"
            out.append((p.key, p.role, what))
    return out


@dataclass(frozen=True)
class LetterProblem:
    """A letter that has not reached its reader (for the status page)."""

    person_key: str
    person_name: str
    week: str
    status: str  # failed (retried), given_up, sending (claimed longer than LEASE)
    attempts: int
    next_attempt_at: datetime | None
    error: str | None


def letter_problems(session: Session, now: datetime | None = None) -> list[LetterProblem]:
    """Letters that failed, were given up or hang in a claim older than LEASE, newest first."""
    now = now or utcnow()
    rows = session.execute(
        select(Letter, Person.key, Person.display_name)
        .join(Person, Person.id == Letter.person_id)
        .where(
            or_(
                Letter.status.in_(("failed", "given_up")),
                and_(Letter.status == "sending", Letter.claimed_at < now - LEASE),
            )
        )
        .order_by(Letter.week.desc(), Person.display_name)
    ).all()
    return [
        LetterProblem(
            key,
            name,
            row.week,
            row.status,
            row.attempts,
            row.next_attempt_at if row.status == "failed" else None,
            row.last_error,
        )
        for row, key, name in rows
    ]


def write_previews(
    db: Database, config: Config, week: LetterWeek, directory: Path, people: Sequence[str]
) -> list[Path]:
    """Write the letters of ``people`` for ``week`` as HTML files (charts embedded) into
    ``directory``; people with nothing to report are left out."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for key in people:
        letter = preview(db, config, key, week, None)
        if letter is None:
            continue
        path = directory / f"wochenbrief-{week.label}-{key}.html"
        path.write_text(preview_html(letter), encoding="utf-8")
        written.append(path)
    return written
