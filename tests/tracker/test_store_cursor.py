"""Reads straight on the DB-API cursor give what the same query through SQLAlchemy gives, on
each backend, with values bound by the driver (never formatted into the SQL)."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.base import utcnow
from tracker.programme.users import add_user
from tracker.store import cursor
from tracker.store.db import Database
from tracker.store.models import Person

USER_SQL = (
    'SELECT u.id, u.email, u.role, p."key" FROM user_account u '
    "LEFT JOIN person p ON p.id = u.person_id WHERE u.email = {mark}"
)


def _user(db: Database, email: str) -> int:
    with db.write() as session:
        session.add(
            Person(key="m-1", display_name="Mia Muster", role="mentee", created_at=utcnow())
        )
        session.flush()
        return add_user(session, email, "m-1", "mentee", "ein-langes-passwort-123").id


def test_pooled_first_reads_one_row_or_none(db: Database) -> None:
    email = "o'hara@example.invalid"  # a quote: bound by the driver, or the SQL would break
    uid = _user(db, email)
    assert cursor.pooled_first(db.engine, USER_SQL, [email]) == (uid, email, "mentee", "m-1")
    assert cursor.pooled_first(db.engine, USER_SQL, ["x' OR '1'='1"]) is None


def test_other_drivers_get_the_same_row_through_core(db: Database, monkeypatch: Any) -> None:
    email = "mia@example.invalid"
    uid = _user(db, email)
    monkeypatch.setattr(cursor, "_PLACEHOLDERS", {})
    assert cursor.placeholder(db.engine.dialect) is None
    assert cursor.pooled_first(db.engine, USER_SQL, [email]) == (uid, email, "mentee", "m-1")
    assert cursor.pooled_first(db.engine, USER_SQL, ["nobody@example.invalid"]) is None


@pytest.mark.parametrize("times", [1, 30])
def test_pooled_connections_go_back_to_the_pool(db: Database, times: int) -> None:
    _user(db, "mia@example.invalid")
    for _ in range(times):
        assert cursor.pooled_first(db.engine, USER_SQL, ["mia@example.invalid"])
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_prepared_rows_hold_the_values_core_gives(db: Database, monkeypatch: Any) -> None:
    """Dates, aware times, nullable numbers, text with quotes: each as Core converts it, on
    each backend, for every driver (Core itself where the cursor is not served)."""
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import bindparam, select

    from tracker.store.models import AuditEntry, Cohort, ProfileSnapshot, Programme

    with db.write() as session:
        programme = Programme(name="P")
        session.add(programme)
        session.flush()
        session.add(
            Cohort(
                programme_id=programme.id,
                key="c'1",
                name="Kohorte „Süd“",
                start=date(2026, 3, 29),
                end=date(2026, 10, 25),
            )
        )
        moment = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)
        for i in range(3):
            session.add(
                AuditEntry(
                    at=moment + timedelta(hours=i),
                    viewer="o'hara",
                    viewer_role=None if i else "mentor",
                    person_key=None,
                    surface="page.progress",
                    action="view",
                )
            )
    cohorts = select(Cohort.id, Cohort.key, Cohort.name, Cohort.start, Cohort.end).where(
        Cohort.key == bindparam("key")
    )
    entries = (
        select(AuditEntry.at, AuditEntry.viewer, AuditEntry.viewer_role)
        .where(AuditEntry.at >= bindparam("since"), AuditEntry.viewer == bindparam("viewer"))
        .order_by(AuditEntry.at)
    )
    snapshots = select(ProfileSnapshot.followers).where(
        ProfileSnapshot.account_id == bindparam("id")
    )
    cases = [
        (cohorts, {"key": "c'1"}),
        (entries, {"since": moment + timedelta(minutes=30), "viewer": "o'hara"}),
        (snapshots, {"id": 1}),
    ]
    for served in (True, False):
        if not served:
            monkeypatch.setattr(cursor, "_PLACEHOLDERS", {})
        with db.session() as session:
            conn = session.connection()
            for statement, params in cases:
                expected = [tuple(row) for row in conn.execute(statement, params)]
                assert cursor.prepared(conn, statement, params) == expected
                assert len(expected) == {cohorts: 1, entries: 2, snapshots: 0}[statement]
    with db.session() as session:
        found = cursor.prepared(session.connection(), entries, cases[1][1])
    assert [row[0] for row in found] == [moment + timedelta(hours=1), moment + timedelta(hours=2)]
    assert found[0][0].tzinfo is not None and found[0][2] is None
