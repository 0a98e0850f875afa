"""Engine and session set-up: SQLite by default (WAL, busy timeout, immediate write transactions),
any SQLAlchemy URL otherwise; Alembic migrations."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from tracker.errors import StoreError

logger = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///data/tracker.db"
BUSY_TIMEOUT_MS = 30_000
_WRITE = "tracker_write"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide between BEGIN and BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        # Deleted rows are overwritten with zeros, not left readable in free page space.
        cur.execute("PRAGMA secure_delete = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write transaction takes the write lock at its start, so two writers queue on the
        # busy timeout instead of failing half-way with "database is locked".
        if conn.get_execution_options().get(_WRITE, False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # a lock timeout is SQLAlchemy's error
        else:
            # A read's BEGIN takes no lock and cannot time out: straight on the driver's
            # connection, since every page view begins one and a statement through the engine
            # costs more than this one does.
            conn.connection.driver_connection.execute("BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; raises StoreError for an unusable URL."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"database URL {url!r} is not valid: {exc}") from exc
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database in (None, "", ":memory:"):
            kwargs["poolclass"] = StaticPool
            kwargs["connect_args"] = {"check_same_thread": False}
        else:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use database URL {parsed.render_as_string()}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    return engine


class Database:
    """One database: a read engine and an engine for write transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.write_engine = self.engine.execution_options(**{_WRITE: True})
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._write = sessionmaker(bind=self.write_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session; nothing it does is committed. Objects loaded in it stay readable
        after the block (closing detaches them without expiring their attributes)."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any exception."""
        with self._write() as session, session.begin():
            yield session

    def upgrade(self) -> None:
        """Bring the schema to the newest migration; raises StoreError if unreachable."""
        from tracker.store.migrate import upgrade

        upgrade(self)

    def check(self) -> str | None:
        """None when reachable and migrated; otherwise what is wrong."""
        from tracker.store.migrate import current_revision, head_revision

        try:
            with self.engine.connect() as conn:
                current = current_revision(conn)
        except OperationalError as exc:
            return f"cannot connect: {exc.orig}"
        if current is None:
            return "the database has no tables yet; run `tracker db upgrade`"
        if current != head_revision():
            return f"schema at {current}, newest is {head_revision()}; run `tracker db upgrade`"
        return None

    def checkpoint(self) -> None:
        """After deleting personal data: on SQLite, copy the write-ahead log into the database
        and truncate it, so deleted rows do not linger in the ``-wal`` file (with
        ``secure_delete`` the database pages themselves hold zeros). Other backends: nothing
        to do here (PostgreSQL: see the README on VACUUM and backups)."""
        if self.dialect != "sqlite":
            return
        with self.engine.connect() as conn:
            busy, _log, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            conn.commit()
        if busy:
            logger.warning("the write-ahead log could not be truncated yet (a reader is active)")

    def has_table(self, name: str) -> bool:
        return inspect(self.engine).has_table(name)

    def dispose(self) -> None:
        self.engine.dispose()
