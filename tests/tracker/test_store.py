"""The store's rules: idempotent upserts, None is not 0, immediate write transactions."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from connectors.base import PostStats, ProfileStats
from tracker.store.db import Database
from tracker.store.migrate import head_revision
from tracker.store.models import Account, Person, PostMetric, ProfileSnapshot
from tracker.store.write import snapshot_row, write_posts, write_snapshots

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _account(db: Database) -> int:
    with db.write() as s:
        person = Person(key="mentee-x", display_name="Erika Beispiel", role="mentee", created_at=T0)
        s.add(person)
        s.flush()
        acc = Account(
            person_id=person.id, platform="mastodon", handle="erika@social.example", added_at=T0
        )
        s.add(acc)
        s.flush()
        return acc.id


def _stats(followers: int | None, at: datetime = T0) -> ProfileStats:
    return ProfileStats("mastodon", "erika@social.example", "1", "Erika", followers, None, 7, at)


def test_migrations_reach_head(db: Database) -> None:
    assert db.check() is None
    with db.engine.connect() as conn:
        version = conn.execute(text("select version_num from alembic_version")).scalar()
    assert version == head_revision()


def test_snapshot_upsert_is_idempotent(db: Database) -> None:
    acc = _account(db)
    with db.write() as s:
        write_snapshots(s, [snapshot_row(acc, _stats(100))])
    with db.write() as s:
        write_snapshots(s, [snapshot_row(acc, _stats(105))])  # same slot, newer count
    with db.session() as s:
        rows = s.execute(select(ProfileSnapshot.followers)).scalars().all()
    assert rows == [105]


def test_unknown_counts_stay_unknown(db: Database) -> None:
    acc = _account(db)
    with db.write() as s:
        write_snapshots(s, [snapshot_row(acc, _stats(None))])
    with db.session() as s:
        snap = s.scalars(select(ProfileSnapshot)).one()
    assert snap.followers is None and snap.following is None and snap.posts == 7
    assert snap.taken_at == T0 and snap.taken_at.tzinfo is not None


def test_a_later_write_of_the_same_slot_never_replaces_a_known_count_with_null(
    db: Database,
) -> None:
    acc = _account(db)
    good = ProfileStats("facebook", "erika", "1", "Erika", 151, None, 59, T0)
    empty = ProfileStats("facebook", "erika", "1", "Erika", None, None, None, T0)
    with db.write() as s:
        write_snapshots(s, [snapshot_row(acc, good)])
    with db.write() as s:
        write_snapshots(s, [snapshot_row(acc, empty)])
    with db.write() as s:  # a count that became known is still taken
        write_snapshots(s, [snapshot_row(acc, replace(empty, following=3))])
    with db.session() as s:
        snap = s.scalars(select(ProfileSnapshot)).one()
    assert (snap.followers, snap.following, snap.posts) == (151, 3, 59)


def test_post_upsert_keeps_one_row_per_post(db: Database) -> None:
    acc = _account(db)
    post = PostStats("p1", T0, "photo", likes=3, comments=None, shares=0)
    with db.write() as s:
        write_posts(s, acc, [post], T0)
    with db.write() as s:
        write_posts(
            s,
            acc,
            [PostStats("p1", T0, "photo", likes=9, comments=2, shares=0)],
            T0 + timedelta(days=1),
        )
    with db.session() as s:
        rows = s.scalars(select(PostMetric)).all()
    assert [(r.likes, r.comments) for r in rows] == [(9, 2)]


def test_a_failed_write_leaves_nothing(db: Database) -> None:
    acc = _account(db)
    with pytest.raises(RuntimeError), db.write() as s:
        write_snapshots(s, [snapshot_row(acc, _stats(1))])
        raise RuntimeError("crash between two writes")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ProfileSnapshot)) == 0


def test_sqlite_uses_wal_and_a_busy_timeout(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_two_writers_queue_instead_of_failing(sqlite_db: Database) -> None:
    """Write transactions take the lock at BEGIN, so a second writer waits on the busy timeout
    rather than failing with 'database is locked' half-way."""
    acc = _account(sqlite_db)
    errors: list[BaseException] = []
    started = threading.Event()

    def slow_writer() -> None:
        try:
            with sqlite_db.write() as s:
                write_snapshots(s, [snapshot_row(acc, _stats(1, T0 + timedelta(hours=1)))])
                started.set()
                threading.Event().wait(0.5)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=slow_writer)
    thread.start()
    started.wait(5)
    other = Database(sqlite_db.url)
    with other.write() as s:  # waits for the first writer
        write_snapshots(s, [snapshot_row(acc, _stats(2, T0 + timedelta(hours=2)))])
    with other.session() as s:  # a reader is never blocked
        assert s.scalar(select(func.count()).select_from(ProfileSnapshot)) == 2
    thread.join()
    other.dispose()
    assert not errors


def test_migrations_match_the_models(db: Database) -> None:
    """A model change without its Alembic migration would fail here, not in production."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from tracker.store.models import Base

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def _snapshot_rows(db: Database) -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                select(
                    ProfileSnapshot.account_id,
                    ProfileSnapshot.taken_at,
                    ProfileSnapshot.followers,
                    ProfileSnapshot.following,
                    ProfileSnapshot.posts,
                    ProfileSnapshot.source,
                ).order_by(ProfileSnapshot.account_id, ProfileSnapshot.taken_at)
            )
        ]


def test_snapshots_keyed_by_account_and_time_keep_every_row_both_ways(db: Database) -> None:
    """Migration 0008 keys the snapshots by (account, time), stored in that order on SQLite,
    and back: every row, unknown counts included, survives both ways, and the slot stays
    unique."""
    from alembic import command

    from tracker.store.migrate import alembic_config, upgrade

    first = _account(db)
    with db.write() as s:
        owner = s.scalars(select(Account.person_id).where(Account.id == first)).one()
        second = Account(person_id=owner, platform="x", handle="e", added_at=T0)
        s.add(second)
        s.flush()
        for day in range(5):  # as the poller writes: every account's count of a moment at once
            for account in (first, second.id):
                followers = None if (day, account) == (2, first) else 100 + day
                stats = _stats(followers, T0 + timedelta(days=day))
                write_snapshots(s, [snapshot_row(account, stats)])
    before = _snapshot_rows(db)
    assert len(before) == 10 and before[2][2] is None

    config = alembic_config()
    with db.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")
    with db.engine.connect() as conn:
        ids = conn.execute(text("SELECT count(DISTINCT id) FROM profile_snapshot")).scalar_one()
    assert ids == 10 and _snapshot_rows(db) == before
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO profile_snapshot (account_id, taken_at, followers, following, "
                "posts, source) SELECT account_id, taken_at, 1, 1, 1, 'poll' FROM "
                "profile_snapshot LIMIT 1"
            )
        )

    upgrade(db)
    assert _snapshot_rows(db) == before
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            ddl = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'profile_snapshot'")
            ).scalar_one()
            assert ddl.rstrip().upper().endswith("WITHOUT ROWID")
            plan = " ".join(
                str(row[-1])
                for row in conn.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT followers FROM profile_snapshot "
                        "WHERE account_id = 1 AND taken_at >= '2026-01-01'"
                    )
                )
            )
            assert "PRIMARY KEY" in plan  # the rows themselves, in key order
        else:
            key = conn.execute(
                text(
                    "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                    "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = "
                    "'profile_snapshot'::regclass AND i.indisprimary ORDER BY a.attnum"
                )
            ).scalars()
            assert list(key) == ["account_id", "taken_at"]
    with db.write() as s:  # the same slot again: still one row, the known count kept
        write_snapshots(s, [snapshot_row(first, _stats(None, T0))])
    assert _snapshot_rows(db) == before
