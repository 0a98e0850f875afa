"""Retention: data about the people of a cohort is kept until ``retention.months_after_cohort``
months after the cohort's end, and deleted from the day after.

What is deleted is everything an erasure deletes, for each person whose every cohort is past
retention: snapshots, post metrics and poll attempts of her accounts, the accounts, goals and
notes of her tandems, the tandems, her consent history, logins and invitations, and finally
the person; audit entries naming her are pseudonymised. A person linked to a cohort still within
retention (say, a mentor who came back for a later cohort) is kept whole. People in no cohort at
all (coordinators, say) are never purged by age: they are erased by hand when they leave.
Cohorts and their events stay: dates and titles of a programme are not personal data.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.config import Config, load_config
from tracker.errors import ConfigError
from tracker.privacy.audit_write import record_view
from tracker.privacy.erase import erase_scope, new_pseudonym, run_in_transaction
from tracker.privacy.person_rows import resolve
from tracker.store.db import Database
from tracker.store.models import Cohort, Person, Tandem

logger = logging.getLogger(__name__)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def kept_until(cohort_end: date, months: int) -> date:
    """The last day data of a cohort ending on ``cohort_end`` is kept."""
    return add_months(cohort_end, months)


def local_today(config: Config) -> date:
    """Today in the programme's time zone; raises ConfigError for an unknown zone."""
    try:
        zone = ZoneInfo(config.tracker.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"tracker.timezone: unknown time zone {config.tracker.timezone!r}"
        ) from exc
    return datetime.now(zone).date()


@dataclass(frozen=True)
class ExpiredCohort:
    key: str
    name: str
    end: date
    kept_until: date


@dataclass(frozen=True)
class PurgeReport:
    """What a purge deleted (or, in a dry run, would delete)."""

    today: date
    months: int
    dry_run: bool
    cohorts: tuple[ExpiredCohort, ...] = ()
    # Keys of the people deleted, as they were before the purge.
    people: tuple[str, ...] = field(default=(), repr=False)
    deleted: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    pseudonymised: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def total_deleted(self) -> int:
        return sum(self.deleted.values())


def expired_people(session: Session, months: int, today: date) -> tuple[list[Cohort], list[str]]:
    """Cohorts past retention on ``today``, and the keys of people all of whose cohorts are."""
    cohorts = {c.id: c for c in session.scalars(select(Cohort))}
    expired = {cid for cid, c in cohorts.items() if kept_until(c.end, months) < today}
    linked: dict[int, set[int]] = {}
    for pid, cid in session.execute(select(Person.id, Person.cohort_id)):
        if cid is not None:
            linked.setdefault(pid, set()).add(cid)
    for cid, mentee, mentor in session.execute(
        select(Tandem.cohort_id, Tandem.mentee_id, Tandem.mentor_id)
    ):
        linked.setdefault(mentee, set()).add(cid)
        linked.setdefault(mentor, set()).add(cid)
    doomed = [pid for pid, cids in linked.items() if cids and cids <= expired]
    keys = (
        sorted(session.scalars(select(Person.key).where(Person.id.in_(doomed)))) if doomed else []
    )
    past = sorted((cohorts[c] for c in expired), key=lambda c: (c.end, c.key))
    return past, keys


def purge_expired(
    db: Database,
    config: Config,
    *,
    dry_run: bool = False,
    today: date | None = None,
    by: str = "retention",
) -> PurgeReport:
    """Delete the people (and all their rows) whose cohorts all ended more than
    ``config.retention.months_after_cohort`` months before ``today`` (default: today in the
    programme's time zone). One transaction; a dry run rolls it back and changes nothing."""
    months = config.retention.months_after_cohort
    day = today or local_today(config)

    def work(session: Session) -> PurgeReport:
        cohorts, keys = expired_people(session, months, day)
        deleted: dict[str, int] = {}
        rewritten: dict[str, int] = {}
        for key in keys:
            # Resolved one at a time: a tandem erased with its mentee is not counted again
            # with its mentor.
            scope = resolve(session, key)
            pseudonym = new_pseudonym()
            gone, renamed = erase_scope(session, scope, pseudonym, reason="purge")
            for name, n in gone.items():
                deleted[name] = deleted.get(name, 0) + n
            for name, n in renamed.items():
                rewritten[name] = rewritten.get(name, 0) + n
            record_view(
                session,
                viewer=by,
                viewer_role=None,
                person_key=pseudonym,
                surface="privacy purge",
                action="erase",
            )
        return PurgeReport(
            today=day,
            months=months,
            dry_run=dry_run,
            cohorts=tuple(
                ExpiredCohort(c.key, c.name, c.end, kept_until(c.end, months)) for c in cohorts
            ),
            people=tuple(keys),
            deleted=MappingProxyType(deleted),
            pseudonymised=MappingProxyType(rewritten),
        )

    report = run_in_transaction(db, work, dry_run=dry_run)
    if not dry_run and report.people:
        logger.info(
            "retention purge: %d people past retention, %d rows deleted",
            len(report.people),
            report.total_deleted,
        )
    return report


def scheduled_purge(db_url: str, config_path: str | None = None) -> None:
    """The daily retention job (``tracker.privacy.retention:scheduled_purge``), with arguments
    a job store can serialise. Raises ConfigError or StoreError when it cannot run."""
    config = load_config(config_path)
    db = Database(db_url)
    try:
        report = purge_expired(db, config)
    finally:
        db.dispose()
    logger.info(
        "retention job: %d people, %d rows deleted", len(report.people), report.total_deleted
    )
