"""The audit log: every view of a person's data records viewer, person, time and surface, and
every denied attempt (action ``denied``) records who tried what.

Page views hand their entries to ``ViewWriter``: it writes them at once when the database lets
it within a moment, and otherwise keeps them and retries in the background, so a long write by
another process (a roster import holding SQLite's write lock) neither loses an entry nor turns a
served page into an error.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from connectors.base import utcnow
from tracker.store.db import BUSY_TIMEOUT_MS, Database
from tracker.store.models import AuditEntry

logger = logging.getLogger(__name__)

DENIED = "denied"
# Denied attempts written per viewer and window, and over all viewers: a flood of forged
# requests is recorded (its start, and a count of the rest) without filling the disk.
DENIALS_PER_VIEWER = 20
DENIALS_OVERALL = 500
DENIAL_WINDOW = timedelta(minutes=10)
# At most this many denied entries are kept; older ones are dropped as new ones come.
DENIALS_KEPT = 10_000
# How long a page view waits for the write lock before leaving its entries to the retry.
QUICK_WAIT_MS = 200
MAX_WAITING = 100_000  # entries kept in memory while the database stays locked

# Built once: the web pages write an entry per view, and building the statement costs about
# as much as running it.
_INSERT = insert(AuditEntry.__table__)  # type: ignore[arg-type]


@dataclass(frozen=True)
class View:
    """One view (or change) of a person's data, not yet written."""

    viewer: str
    viewer_role: str | None
    person_key: str | None
    surface: str
    action: str = "view"
    at: datetime | None = field(default=None, compare=False)


def record_view(
    session: Session,
    *,
    viewer: str,
    viewer_role: str | None,
    person_key: str | None,
    surface: str,
    action: str = "view",
) -> None:
    """Add one audit entry to the caller's write transaction."""
    session.add(
        AuditEntry(
            at=utcnow(),
            viewer=viewer,
            viewer_role=viewer_role,
            person_key=person_key,
            surface=surface,
            action=action,
        )
    )


def record_views(conn: Connection, views: Sequence[View]) -> None:
    """Write ``views`` in one INSERT (executemany) on the caller's write transaction, stamped
    with their own time or now. Raises SQLAlchemy's errors when the database refuses them."""
    if not views:
        return
    now = utcnow()
    conn.execute(
        _INSERT,
        [
            {
                "at": v.at or now,
                "viewer": v.viewer,
                "viewer_role": v.viewer_role,
                "person_key": v.person_key,
                "surface": v.surface,
                "action": v.action,
            }
            for v in views
        ],
    )


def _prune_denials(conn: Connection) -> None:
    """Keep only the newest ``DENIALS_KEPT`` denied entries."""
    table = AuditEntry.__table__
    assert isinstance(table, Table)
    cutoff = conn.scalar(
        select(table.c.id)
        .where(table.c.action == DENIED)
        .order_by(table.c.id.desc())
        .offset(DENIALS_KEPT)
        .limit(1)
    )
    if cutoff is not None:
        conn.execute(delete(table).where(table.c.action == DENIED, table.c.id <= cutoff))


def _write(db: Database, views: Sequence[View], wait_ms: int) -> None:
    """One write transaction for ``views``; on SQLite waiting at most ``wait_ms`` for the lock.
    Raises SQLAlchemy's DBAPIError when the database stays locked or refuses."""
    sqlite = db.dialect == "sqlite"
    with db.write_engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        if sqlite:  # before BEGIN IMMEDIATE: how long that BEGIN waits for the lock
            raw.execute(f"PRAGMA busy_timeout = {wait_ms}")
        try:
            with conn.begin():
                record_views(conn, views)
                if any(v.action == DENIED for v in views):
                    _prune_denials(conn)
        finally:
            if sqlite:
                raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


class ViewWriter:
    """Writes audit entries of page views for one database, never failing the page: entries the
    database cannot take right now wait in memory and a background thread retries them."""

    def __init__(self, db: Database, quick_wait_ms: int = QUICK_WAIT_MS) -> None:
        self.db = db
        self.quick_wait_ms = quick_wait_ms
        self._waiting: deque[View] = deque()
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._denials: dict[str, deque[datetime]] = {}
        self._suppressed = 0

    def admit_denial(self, viewer: str, now: datetime | None = None) -> bool:
        """Whether a denied attempt of ``viewer`` is written (bounded per viewer and overall);
        the ones left out are counted into the log line of the next one written."""
        now = now or utcnow()
        since = now - DENIAL_WINDOW
        with self._lock:
            overall = 0
            for key in list(self._denials):
                times = self._denials[key]
                while times and times[0] <= since:
                    times.popleft()
                if not times:
                    del self._denials[key]
                else:
                    overall += len(times)
            mine = self._denials.setdefault(viewer[:320], deque())
            if len(mine) >= DENIALS_PER_VIEWER or overall >= DENIALS_OVERALL:
                self._suppressed += 1
                return False
            mine.append(now)
            if self._suppressed:
                logger.warning("%d denied attempts were not written (limit)", self._suppressed)
                self._suppressed = 0
            return True

    def write(self, views: Sequence[View]) -> None:
        """Write ``views`` (after any that still wait); keep them for the retry when the
        database is locked or unreachable. Never raises."""
        with self._lock:
            if self._waiting:  # keep the order: the retry thread writes them first
                self._keep(views)
                return
        try:
            _write(self.db, views, self.quick_wait_ms)
        except DBAPIError as exc:
            logger.warning("audit entries wait for the database (%s); retrying", exc.orig)
            with self._lock:
                self._keep(views)

    def _keep(self, views: Sequence[View]) -> None:
        """Add to the waiting entries and make sure the retry runs (caller holds the lock)."""
        for view in views:
            if len(self._waiting) >= MAX_WAITING:
                dropped = self._waiting.popleft()
                logger.error("audit entry dropped, too many waiting: %s", dropped.surface)
            self._waiting.append(view)
        if self._thread is None or not self._thread.is_alive():
            self._idle.clear()
            self._thread = threading.Thread(target=self._retry, name="audit-retry", daemon=True)
            self._thread.start()

    def _retry(self) -> None:
        pause = 0.05
        while True:
            with self._lock:
                batch = list(self._waiting)
                if not batch:
                    self._idle.set()
                    self._thread = None
                    return
            try:
                _write(self.db, batch, BUSY_TIMEOUT_MS)
            except DBAPIError as exc:
                logger.warning("audit entries still wait for the database (%s)", exc.orig)
                time.sleep(pause)
                pause = min(pause * 2, 5.0)
                continue
            with self._lock:
                for _ in batch:
                    self._waiting.popleft()
            pause = 0.05

    def flush(self, timeout: float = 60.0) -> bool:
        """Wait until no entry waits any more; False when ``timeout`` seconds pass first."""
        return self._idle.wait(timeout)

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)


_WRITERS: weakref.WeakKeyDictionary[Database, ViewWriter] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def writer_for(db: Database) -> ViewWriter:
    """The one ViewWriter of ``db`` in this process."""
    with _WRITERS_LOCK:
        writer = _WRITERS.get(db)
        if writer is None:
            writer = _WRITERS[db] = ViewWriter(db)
        return writer
