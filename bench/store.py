"""Write 1,000,000 profile snapshots through the store's own write path and with a raw
``sqlite3.executemany`` into the same table, in the same run, and print both rates and the ratio.

Target: the store reaches at least half the raw rate.  Run: ``python bench/store.py [N]``.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors.base import ProfileStats
from tracker.store.db import Database
from tracker.store.models import Account, Person
from tracker.store.write import snapshot_row, write_snapshots

ACCOUNTS = 1_000
BATCH = 50_000
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def fresh_db(folder: Path, name: str, accounts: int = ACCOUNTS) -> Database:
    """A database with the schema, one person and ``accounts`` accounts (ids 1 to N)."""
    db = Database(f"sqlite:///{folder / name}")
    db.upgrade()
    with db.write() as s:
        person = Person(key="bench", display_name="Bench", role="mentee", created_at=T0)
        s.add(person)
        s.flush()
        s.add_all(
            Account(person_id=person.id, platform="demo", handle=f"acc{i}", added_at=T0)
            for i in range(accounts)
        )
    return db


def stats(n: int) -> list[tuple[int, ProfileStats]]:
    per_account = n // ACCOUNTS
    out = []
    for a in range(ACCOUNTS):
        for k in range(per_account):
            at = T0 + timedelta(hours=6 * k)
            out.append((a + 1, ProfileStats("demo", f"acc{a}", str(a), None, 100 + k, 50, k, at)))
    return out


def store_path(db: Database, items: list[tuple[int, ProfileStats]]) -> float:
    start = time.perf_counter()
    for i in range(0, len(items), BATCH):
        rows = [snapshot_row(acc, st) for acc, st in items[i : i + BATCH]]
        with db.write() as s:
            write_snapshots(s, rows)
    return time.perf_counter() - start


def raw_path(path: Path, items: list[tuple[int, ProfileStats]]) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    sql = (
        "INSERT INTO profile_snapshot (account_id, taken_at, followers, following, posts, "
        "source) VALUES (?, ?, ?, ?, ?, ?)"
    )
    start = time.perf_counter()
    for i in range(0, len(items), BATCH):
        rows = [
            (
                acc,
                st.fetched_at.replace(tzinfo=None).isoformat(sep=" "),
                st.followers,
                st.following,
                st.posts,
                "poll",
            )
            for acc, st in items[i : i + BATCH]
        ]
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    items = stats(n)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        raw_db = fresh_db(folder, "raw.db")
        raw_db.dispose()
        store_db = fresh_db(folder, "store.db")
        raw_s = raw_path(folder / "raw.db", items)
        store_s = store_path(store_db, items)
        with store_db.engine.connect() as conn:
            stored = conn.exec_driver_sql("SELECT count(*) FROM profile_snapshot").scalar()
        store_db.dispose()
    assert stored == len(items), f"store wrote {stored} of {len(items)} rows"
    raw_rate, store_rate = len(items) / raw_s, len(items) / store_s
    ratio = store_rate / raw_rate
    print(f"snapshots:           {len(items):,}")
    print(f"raw executemany:     {raw_rate:,.0f} rows/s ({raw_s:.1f} s)")
    print(f"store write path:    {store_rate:,.0f} rows/s ({store_s:.1f} s)")
    print(f"ratio store/raw:     {ratio:.2f} (target >= 0.50) {'ok' if ratio >= 0.5 else 'MISSED'}")
    return 0 if ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
