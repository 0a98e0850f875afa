"""The audit log: every view of a person's data records viewer, person, time and surface, and
every denied attempt (action ``denied``) records who tried what.

Page views hand their entries to ``ViewWriter``: a thread of its own writes them, the entries of
the views of about ``GATHER_SECONDS`` in one transaction, so a page never waits for the write
lock; when the database is locked (a roster import holding SQLite's write lock) or unreachable,
the entries wait in memory and the thread retries, so neither is an entry lost nor a served
page turned into an error. Readers of the log in the same process call ``flush`` first; the
entries still waiting when the process ends are written on the way out.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, Table, delete, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from connectors.base import utcnow
from tracker.store.db import Database
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
# How long the first entry waits for others to share its transaction: short enough that the
# log is current when its reader looks, long enough that busy minutes write a batch at a time.
GATHER_SECONDS = 0.05
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


def _write(db: Database, views: Sequence[View]) -> None:
    """One write transaction for ``views``. Raises SQLAlchemy's DBAPIError when the database
    stays locked (on SQLite, longer than its busy timeout) or refuses."""
    with db.write_engine.connect() as conn, conn.begin():
        record_views(conn, views)
        if any(v.action == DENIED for v in views):
            _prune_denials(conn)


class ViewWriter:
    """Writes audit entries of page views for one database, never failing or holding up the
    page: a thread of its own writes them in batches, and keeps the ones the database cannot
    take right now until it can."""

    def __init__(self, db: Database, gather_seconds: float = GATHER_SECONDS) -> None:
        self.db = db
        self.gather_seconds = gather_seconds
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
        """Hand ``views`` (stamped with their time) to the writing thread, after any that still
        wait; they are written within about ``gather_seconds``. Never raises, never waits for
        the database."""
        if not views:
            return
        now = utcnow()
        stamped = [v if v.at is not None else replace(v, at=now) for v in views]
        with self._lock:
            for view in stamped:
                if len(self._waiting) >= MAX_WAITING:
                    dropped = self._waiting.popleft()
                    logger.error("audit entry dropped, too many waiting: %s", dropped.surface)
                self._waiting.append(view)
            if self._thread is None or not self._thread.is_alive():
                self._idle.clear()
                self._thread = threading.Thread(target=self._run, name="audit-write", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        pause = 0.05
        time.sleep(self.gather_seconds)
        while True:
            with self._lock:
                batch = list(self._waiting)
                if not batch:
                    self._idle.set()
                    self._thread = None
                    return
            try:
                _write(self.db, batch)
            except DBAPIError as exc:
                logger.warning("audit entries wait for the database (%s)", exc.orig)
                time.sleep(pause)
                pause = min(pause * 2, 5.0)
                continue
            with self._lock:
                for _ in batch:
                    self._waiting.popleft()
            pause = 0.05

    def flush(self, timeout: float = 60.0) -> bool:
        """Wait until every entry handed over is written; False when ``timeout`` seconds pass
        first."""
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


def flush_all(timeout: float = 30.0) -> None:
    """Write the entries still waiting in every writer of this process (at its end)."""
    with _WRITERS_LOCK:
        writers = list(_WRITERS.values())
    for writer in writers:
        if not writer.flush(timeout):
            logger.error("%d audit entries could not be written before exit", writer.waiting)


atexit.register(flush_all)
