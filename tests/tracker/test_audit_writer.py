"""Audit entries of page views: handed to a writer thread, written in batches in the order and
at the time of the views, never lost while the database is locked, and written on the way out
of the process."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from tracker.privacy.audit_write import View, ViewWriter
from tracker.store.db import Database
from tracker.store.models import AuditEntry


def _entries(db: Database) -> list[tuple[str, str | None, str]]:
    with db.session() as session:
        rows = session.execute(
            select(AuditEntry.viewer, AuditEntry.person_key, AuditEntry.surface).order_by(
                AuditEntry.id
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_views_are_written_together_in_their_order_with_their_own_time(db: Database) -> None:
    writer = ViewWriter(db, gather_seconds=1.0)
    writer.write([View("mentor-a", "mentor", "mentee-a", "page.tandem")])
    first_at = time.time()
    time.sleep(0.05)
    writer.write([View("mentee-a", "mentee", "mentee-a", "page.progress")] * 2)
    assert _entries(db) == []  # the first waits up to a second for company
    assert writer.flush(10)
    assert _entries(db) == [
        ("mentor-a", "mentee-a", "page.tandem"),
        ("mentee-a", "mentee-a", "page.progress"),
        ("mentee-a", "mentee-a", "page.progress"),
    ]
    with db.session() as session:
        times = session.scalars(select(AuditEntry.at).order_by(AuditEntry.id)).all()
    assert abs(times[0].timestamp() - first_at) < 0.5  # the view's time, not the write's
    assert times[0] < times[1]


def test_a_locked_database_holds_up_neither_the_page_nor_loses_an_entry(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'locked.db'}")
    db.upgrade()
    other = db.engine.raw_connection()
    other.execute("BEGIN IMMEDIATE")  # another process's long write (a roster import)
    writer = ViewWriter(db, gather_seconds=0.0)
    started = time.perf_counter()
    writer.write([View("coordinator", "coordinator", "mentee-a", "page.progress")])
    assert time.perf_counter() - started < 0.1
    time.sleep(0.3)
    assert writer.waiting == 1
    other.rollback()
    other.close()
    assert writer.flush(40)
    assert _entries(db) == [("coordinator", "mentee-a", "page.progress")]
    db.dispose()


def _entries_after(tmp_path: Path, then: str, gather: float) -> list[tuple[str, str | None, str]]:
    """The entries in a new database after a process hands one entry to its writer (which
    waits ``gather`` seconds for company), runs ``then`` and ends; asserts a normal end."""
    path = tmp_path / "ended.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    script = (
        "import os, signal, time\n"
        "from dashboards.serve import exit_on_terminate\n"
        "from tracker.privacy.audit_write import View, writer_for\n"
        "from tracker.store.db import Database\n"
        f"writer = writer_for(Database('sqlite:///{path}'))\n"
        f"writer.gather_seconds = {gather}\n"
        "writer.write([View('mentee-a', 'mentee', 'mentee-a', 'page.progress')])\n"
        f"{then}\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, timeout=60, check=False)
    assert done.returncode == 0
    db = Database(f"sqlite:///{path}")
    try:
        return _entries(db)
    finally:
        db.dispose()


def test_entries_still_waiting_are_written_when_the_process_ends(tmp_path: Path) -> None:
    written = _entries_after(tmp_path, "pass", gather=1.0)
    assert written == [("mentee-a", "mentee-a", "page.progress")]


def test_entries_still_waiting_are_written_when_the_server_is_stopped(tmp_path: Path) -> None:
    # As ``tracker serve`` does; without it, SIGTERM ends the process before its exit handlers.
    then = "exit_on_terminate(); os.kill(os.getpid(), signal.SIGTERM); time.sleep(30)"
    written = _entries_after(tmp_path, then, gather=5.0)
    assert written == [("mentee-a", "mentee-a", "page.progress")]
