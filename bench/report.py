"""Benchmark of the impact report on a large cohort.

Generates 500 mentees x 5 platforms x 2 years of daily snapshots (plus posts, about two a week
per account, and a few goals), then prints the report build time against the time to merely
read the same rows from the database in the same run, and the peak RSS.

    .venv/bin/python bench/report.py [--mentees 500] [--days 730] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from tracker import series
from tracker.db import Database
from tracker.models import Account, Cohort, Goal, Person, PostMetric, ProgrammeEvent, Tandem
from tracker.store import write_snapshots

PLATFORMS = ("facebook", "instagram", "x", "bluesky", "mastodon")


def generate(db: Database, mentees: int, days: int, seed: int = 1) -> tuple[date, list[int]]:
    """Fill the database; returns the report day and the mentees' person ids."""
    rng = random.Random(seed)
    today = date(2026, 6, 30)
    first = today - timedelta(days=days - 1)
    kickoff = today - timedelta(days=240)
    now = datetime.now(UTC)
    with db.write() as s:
        cohort = Cohort(key="bench", name="Benchmark", start=kickoff, end=today + timedelta(20))
        for offset, kind, title in (
            (0, "kickoff", "Auftakt"),
            (40, "workshop", "Instagram"),
            (120, "midpoint", "Halbzeit"),
            (180, "workshop", "Video"),
            (260, "closing", "Abschluss"),
        ):
            cohort.events.append(
                ProgrammeEvent(date=kickoff + timedelta(days=offset), kind=kind, title=title)
            )
        s.add(cohort)
        s.flush()
        people = [
            Person(
                key=f"{role}-{i:04d}",
                display_name=f"{role.title()} {i:04d}",
                role=role,
                cohort_id=cohort.id,
                consent_given=first,
                created_at=now,
            )
            for i in range(mentees)
            for role in ("mentee", "mentor")
        ]
        s.add_all(people)
        s.flush()
        pairs = [(people[2 * i], people[2 * i + 1]) for i in range(mentees)]
        tandems = [Tandem(cohort_id=cohort.id, mentee_id=a.id, mentor_id=b.id) for a, b in pairs]
        s.add_all(tandems)
        s.flush()
        for t in tandems:
            s.add_all(
                [
                    Goal(
                        tandem_id=t.id,
                        title="2 posts a week",
                        kind="metric",
                        metric="posts_per_week",
                        platform="instagram",
                        target=2,
                        weeks=4,
                        due=today,
                        created_at=datetime.combine(kickoff, datetime.min.time(), UTC),
                    ),
                    Goal(
                        tandem_id=t.id,
                        title="500 followers",
                        kind="metric",
                        metric="followers",
                        platform="facebook",
                        target=500,
                        due=today,
                        created_at=datetime.combine(kickoff, datetime.min.time(), UTC),
                    ),
                ]
            )
        accounts = [
            Account(
                person_id=m.id,
                platform=p,
                handle=f"{m.key}-{p}",
                platform_id=f"{m.key}-{p}",
                state="active",
                added_at=now,
            )
            for m, _ in pairs
            for p in PLATFORMS
        ]
        s.add_all(accounts)
        s.flush()
        account_ids = [a.id for a in accounts]
        mentee_ids = [m.id for m, _ in pairs]
    start = datetime.combine(first, datetime.min.time(), UTC) + timedelta(hours=6)
    with db.write_engine.begin() as conn:
        for account_id in account_ids:
            base, growth = rng.randint(10, 2000), rng.uniform(-0.0005, 0.004)
            rows = [
                {
                    "account_id": account_id,
                    "taken_at": start + timedelta(days=d),
                    "followers": int(base * (1 + growth) ** d),
                    "following": 150,
                    "posts": d // 3,
                    "source": "poll",
                }
                for d in range(days)
                if rng.random() > 0.01  # about one failed poll in a hundred
            ]
            write_snapshots(conn, rows)
            posts = [
                {
                    "account_id": account_id,
                    "post_id": f"{account_id}-{d}",
                    "published_at": start + timedelta(days=d, hours=rng.randint(1, 14)),
                    "kind": rng.choice(("text", "photo", "video", "reel", "link")),
                    "likes": rng.randint(0, 50),
                    "comments": rng.randint(0, 5),
                    "shares": rng.randint(0, 3),
                    "views": None,
                    "url": None,
                    "updated_at": now,
                }
                for d in range(days)
                if rng.random() < 2 / 7
            ]
            conn.execute(insert(PostMetric), posts)
    return today, mentee_ids


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=500)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--keep", type=Path, help="Directory to keep the database and report in.")
    args = parser.parse_args(argv)
    where = args.keep or Path(tempfile.mkdtemp(prefix="bench-report-"))
    where.mkdir(parents=True, exist_ok=True)
    db_path = where / "bench.db"
    db_path.unlink(missing_ok=True)
    db = Database(f"sqlite:///{db_path}")
    db.upgrade()
    t0 = time.perf_counter()
    today, mentee_ids = generate(db, args.mentees, args.days)
    print(f"generated in {time.perf_counter() - t0:.1f} s", flush=True)

    t0 = time.perf_counter()
    with db.session() as session:
        snaps = series.snapshots(session, mentee_ids)
        posts = series.posts(session, mentee_ids)
    read = time.perf_counter() - t0
    print(f"rows: {len(snaps):,} snapshots, {len(posts):,} posts")
    del snaps, posts

    from dashboards.report import write_report

    out = where / "report.html"
    t0 = time.perf_counter()
    write_report(db, "bench", out, today=today)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_report(db, "bench", where / "tables", fmt="csv", today=today)
    tables = time.perf_counter() - t0
    size = out.stat().st_size
    print(f"read the rows:        {read:6.1f} s")
    print(f"build the HTML report:{build:6.1f} s  ({build / read:.1f}x the read; target <= 5x)")
    print(f"build the CSV tables: {tables:6.1f} s  ({tables / read:.1f}x the read)")
    print(f"report size:          {size / 1e6:6.1f} MB")
    print(f"peak RSS:             {peak_rss_mb():6.0f} MB")
    print(f"files in {where}")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
