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


def test_entries_still_waiting_are_written_when_the_process_ends(tmp_path: Path) -> None:
    path = tmp_path / "exit.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    script = (
        "from tracker.privacy.audit_write import View, writer_for\n"
        "from tracker.store.db import Database\n"
        f"writer = writer_for(Database('sqlite:///{path}'))\n"
        "writer.gather_seconds = 1.0\n"
        "writer.write([View('mentee-a', 'mentee', 'mentee-a', 'page.progress')])\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", script], check=True, cwd=root, timeout=60)
    db = Database(f"sqlite:///{path}")
    assert _entries(db) == [("mentee-a", "mentee-a", "page.progress")]
    db.dispose()


def test_entries_still_waiting_are_written_when_the_server_is_stopped(tmp_path: Path) -> None:
    path = tmp_path / "term.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    script = (
        "import os, signal, time\n"
        "from dashboards.serve import exit_on_terminate\n"
        "from tracker.privacy.audit_write import View, writer_for\n"
        "from tracker.store.db import Database\n"
        "exit_on_terminate()\n"
        f"writer = writer_for(Database('sqlite:///{path}'))\n"
        "writer.gather_seconds = 5.0\n"
        "writer.write([View('mentor-a', 'mentor', 'mentee-a', 'page.tandem')])\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "time.sleep(30)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, timeout=60, check=False)
    assert done.returncode == 0
    db = Database(f"sqlite:///{path}")
    assert _entries(db) == [("mentor-a", "mentee-a", "page.tandem")]
    db.dispose()
