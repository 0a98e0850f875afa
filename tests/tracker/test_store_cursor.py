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
