"""Erasure (GDPR Art. 17): delete every row about a person; pseudonymise the records of what
others did with her data (and she with theirs), so that the audit log keeps its shape.

A dry run does the same work inside a transaction that is rolled back, so the counts it shows
are exactly what a real run deletes.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from tracker.ops.erasure_log import record_erasure
from tracker.privacy.audit_write import record_view, writer_for
from tracker.privacy.person_rows import ACTOR_COLUMNS, PersonScope, owned_rows, resolve, table_of
from tracker.store.db import Database
from tracker.store.models import AuditEntry

logger = logging.getLogger(__name__)

T = TypeVar("T")
PSEUDONYM_PREFIX = "erased-"


def new_pseudonym() -> str:
    """A random pseudonym: the same for every entry of one erased person, derived from nothing,
    so no one can compute it back to her (a hash of her email could be guessed)."""
    return PSEUDONYM_PREFIX + secrets.token_hex(8)


def _frozen(counts: dict[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(counts))


@dataclass(frozen=True)
class ErasurePlan:
    """What an erasure deleted (or, in a dry run, would delete), counted per table."""

    person_key: str
    display_name: str
    dry_run: bool
    # Rows deleted per table, in the order they are deleted; tables without rows are left out.
    deleted: Mapping[str, int] = field(default_factory=lambda: _frozen({}))
    # Rows rewritten per "table.column" whose value named her, now holding the pseudonym.
    pseudonymised: Mapping[str, int] = field(default_factory=lambda: _frozen({}))
    # The pseudonym that replaced her in the audit log; None in a dry run.
    pseudonym: str | None = None

    @property
    def total_deleted(self) -> int:
        return sum(self.deleted.values())

    @property
    def total_pseudonymised(self) -> int:
        return sum(self.pseudonymised.values())


class _Rollback(Exception):
    """Raised inside a write transaction to undo it after a dry run."""


def run_in_transaction(db: Database, work: Callable[[Session], T], *, dry_run: bool) -> T:
    """Run ``work`` in one write transaction; roll it back afterwards when ``dry_run``.

    After a real run the database is checkpointed, so the deleted rows leave the SQLite
    write-ahead log too."""
    result: list[T] = []
    try:
        with db.write() as session:
            result.append(work(session))
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    else:
        db.checkpoint()
    return result[0]


def erase_scope(
    session: Session, scope: PersonScope, pseudonym: str, *, reason: str = "erase"
) -> tuple[dict[str, int], dict[str, int]]:
    """Delete her rows and pseudonymise actor columns naming her, within ``session``; note her
    pseudonymous reference in the erasure log, so restoring an older backup erases her again.

    Returns (deleted per table, rewritten per table.column), zero counts left out.
    """
    record_erasure(session, scope.person_id, reason, datetime.now(UTC))
    deleted: dict[str, int] = {}
    for selection in owned_rows(scope):
        count = session.scalar(
            select(func.count()).select_from(selection.table).where(selection.where)
        )
        if count:
            session.execute(delete(selection.table).where(selection.where))
            deleted[selection.name] = int(count)
    rewritten: dict[str, int] = {}
    audit = table_of(AuditEntry)
    about = cast(
        CursorResult[Any],
        session.execute(
            update(audit).where(audit.c.person_key == scope.key).values(person_key=pseudonym)
        ),
    )
    if about.rowcount:
        rewritten["audit_log.person_key"] = about.rowcount
    for model, column_name in ACTOR_COLUMNS:
        table = table_of(model)
        column = table.c[column_name]
        result = cast(
            CursorResult[Any],
            session.execute(
                update(table)
                .where(func.lower(column).in_(scope.identities))
                .values({column_name: pseudonym})
            ),
        )
        if result.rowcount:
            rewritten[f"{table.name}.{column_name}"] = result.rowcount
    # The ORM identity map may hold the deleted rows; forget them so nothing writes them back.
    session.expire_all()
    return deleted, rewritten


def erase_person(
    db: Database, person_key: str, *, dry_run: bool, by: str | None = None
) -> ErasurePlan:
    """Delete every row about the person (logins and notes included, and the tandems she is in
    with their goals and notes); pseudonymise audit entries and actor columns that name her.

    With ``dry_run`` nothing changes and the plan counts what would be deleted. A real run adds
    an audit entry (action "erase") under the pseudonym. Raises NotFoundError for an unknown key.
    Audit entries of this process still on their way to the database are written first, so
    that none about her arrives after her erasure.
    """
    writer_for(db).flush()
    pseudonym = new_pseudonym()

    def work(session: Session) -> ErasurePlan:
        scope = resolve(session, person_key)
        deleted, rewritten = erase_scope(session, scope, pseudonym)
        if not dry_run:
            record_view(
                session,
                viewer=by or "system",
                viewer_role=None,
                person_key=pseudonym,
                surface="privacy erase",
                action="erase",
            )
        return ErasurePlan(
            person_key=scope.key,
            display_name=scope.display_name,
            dry_run=dry_run,
            deleted=_frozen(deleted),
            pseudonymised=_frozen(rewritten),
            pseudonym=None if dry_run else pseudonym,
        )

    plan = run_in_transaction(db, work, dry_run=dry_run)
    if not dry_run:
        logger.info(
            "erased person %s: %d rows deleted, %d pseudonymised",
            plan.pseudonym,  # her key must not reach the log after her erasure
            plan.total_deleted,
            plan.total_pseudonymised,
        )
    return plan
