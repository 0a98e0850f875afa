"""Benchmark of the impact report on a large cohort.

Generates 500 mentees x 5 platforms x 2 years of daily snapshots (plus posts, about two a week
per account, and a few goals), then prints the report build time against the time to merely
read the same rows from the database in the same run (into frames with
``tracker.store.read_frames``, into arrays with ``tracker.store.read_arrays`` as the report does,
and with a plain ``sqlite3`` cursor into numpy columns: the baseline), and the peak RSS of each
step. The plain read, the project's read and the HTML report run interleaved ``--repeat`` times.
Each step runs in a fresh process of its own, so its peak RSS is not the generator's.

    .venv/bin/python bench/report.py [--mentees 500] [--days 730] [--repeat 3]
                                     [--keep DIR [--reuse]]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from tracker.store.db import Database
from tracker.store.models import Account, Cohort, Goal, Person, PostMetric, ProgrammeEvent, Tandem
from tracker.store.write import write_snapshots

PLATFORMS = ("facebook", "instagram", "x", "bluesky", "mastodon")
REPORT_DAY = date(2026, 6, 30)


def generate(db: Database, mentees: int, days: int, seed: int = 1) -> tuple[date, list[int]]:
    """Fill the database; returns the report day and the mentees' person ids."""
    rng = random.Random(seed)
    today = REPORT_DAY
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


def plain_read(path: Path, accounts: list[int], batch: int = 96) -> tuple[int, int]:
    """The baseline: the report's rows (the same queries, the same batches of accounts) through
    a plain ``sqlite3`` cursor into numpy columns (ids, ns times, float counts)."""
    import numpy as np

    from tracker.store.read_arrays import _BULK_POSTS, _BULK_SNAPSHOTS

    conn = sqlite3.connect(path)
    snapshots = posts = 0
    for i in range(0, len(accounts), batch):
        ids = ",".join(str(a) for a in accounts[i : i + batch])
        rows = conn.execute(_BULK_SNAPSHOTS.format(ids=ids, bounds="")).fetchall()
        acc, _plat, at, followers, counted = zip(*rows, strict=True)
        columns = (
            np.array(acc, dtype="int64"),
            np.array(at, dtype="datetime64[ns]").astype("int64"),
            np.array(followers, dtype="float64"),
            np.array(counted, dtype="float64"),
        )
        snapshots += len(columns[0])
        rows = conn.execute(_BULK_POSTS.format(ids=ids, bounds="")).fetchall()
        acc, _plat, at, _kind, *parts = zip(*rows, strict=True)
        columns = (
            np.array(acc, dtype="int64"),
            np.array(at, dtype="datetime64[ns]").astype("int64"),
            np.array(parts, dtype="float64"),
        )
        posts += len(columns[0])
    conn.close()
    return snapshots, posts


def _phase(name: str, db_url: str, today: date) -> dict[str, float]:
    """Run one measured step in this (fresh) process: its time and the peak RSS."""
    from dashboards.report.html_report import write_report
    from tracker.store import read_arrays as arrays
    from tracker.store import read_frames as series
    from tracker.store.models import Account, Person

    db = Database(db_url)
    where = Path(db_url.removeprefix("sqlite:///")).parent
    with db.session() as session:
        mentees = list(session.scalars(select(Person.id).where(Person.role == "mentee")))
        person_of = {
            int(a): int(p)
            for a, p in session.execute(
                select(Account.id, Account.person_id).where(Account.person_id.in_(mentees))
            )
        }
    imports = peak_rss_mb()  # the interpreter, the libraries and the ids: before any work
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    if name == "frames":
        with db.session() as session:
            snaps = series.snapshots(session, mentees)
            posts = series.posts(session, mentees)
        out["snapshots"], out["posts"] = len(snaps), len(posts)
    elif name == "plain":
        path = Path(db_url.removeprefix("sqlite:///"))
        out["snapshots"], out["posts"] = plain_read(path, sorted(person_of))
    elif name == "arrays":
        with db.session() as session:
            rows = arrays.accounts_data(session, person_of)
        out["snapshots"] = sum(len(a.rows.snap_at) for a in rows)
        out["posts"] = sum(len(a.rows.post_at) for a in rows)
    elif name == "html":
        (path,) = write_report(db, "bench", where / "report.html", today=today)
        out["size"] = path.stat().st_size
    elif name == "csv":
        write_report(db, "bench", where / "tables", fmt="csv", today=today)
    else:
        raise ValueError(f"unknown phase {name!r}")
    out["seconds"] = time.perf_counter() - t0
    out["peak_rss_mb"] = peak_rss_mb()
    out["imports_rss_mb"] = imports
    db.dispose()
    return out


def _run_phase(name: str, db_url: str, today: date) -> dict[str, float]:
    """One step in a child process, so that its peak RSS is its own (not the generator's)."""
    done = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--db", db_url, "--today", today.isoformat()],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=500)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--keep", type=Path, help="Directory to keep the database and report in.")
    parser.add_argument(
        "--reuse", action="store_true", help="Reuse the database kept in --keep (no generation)."
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed step")
    parser.add_argument(
        "--no-frames", dest="frames", action="store_false", help="skip the pandas frame read"
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)  # internal: one measured step
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--today", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        result = _phase(args.phase, args.db, date.fromisoformat(args.today))
        print(json.dumps(result))
        return 0
    where = args.keep or Path(tempfile.mkdtemp(prefix="bench-report-"))
    where.mkdir(parents=True, exist_ok=True)
    db_path = where / "bench.db"
    url = f"sqlite:///{db_path}"
    if args.reuse and db_path.exists():
        today = REPORT_DAY
        print(f"reusing {db_path}")
    else:
        db_path.unlink(missing_ok=True)
        db = Database(url)
        db.upgrade()
        t0 = time.perf_counter()
        today, _ = generate(db, args.mentees, args.days)
        db.dispose()
        print(f"generated in {time.perf_counter() - t0:.1f} s", flush=True)

    load = os.getloadavg()[0]
    frames = _run_phase("frames", url, today) if args.frames else None
    # Interleaved (plain, project, plain, project ...): the ratio of each pair, then the median.
    plains, reads, htmls = [], [], []
    for _ in range(args.repeat):
        plains.append(_run_phase("plain", url, today))
        reads.append(_run_phase("arrays", url, today))
        htmls.append(_run_phase("html", url, today))
    tables = _run_phase("csv", url, today)
    plain, read, html = (min(r, key=lambda s: s["seconds"]) for r in (plains, reads, htmls))
    assert (plain["snapshots"], plain["posts"]) == (read["snapshots"], read["posts"])

    def spread(runs: list[dict[str, float]]) -> str:
        times = [r["seconds"] for r in runs]
        return f"{min(times):6.2f} / {statistics.median(times):6.2f} s"

    print(f"rows: {read['snapshots']:,.0f} snapshots, {read['posts']:,.0f} posts")
    print(f"load average at the start: {load:.1f}; min / median of {args.repeat}")
    print("                                       time            peak RSS  (after imports)")
    for label, runs in (
        *((("read into frames (pandas)", [frames]),) if frames else ()),
        ("plain sqlite3 + numpy", plains),
        ("read into arrays (project)", reads),
        ("build the HTML report", htmls),
        ("build the CSV tables", [tables]),
    ):
        step = min(runs, key=lambda s: s["seconds"])
        print(
            f"{label:30s} {spread(runs)} {step['peak_rss_mb']:9.0f} MB"
            f"  ({step['imports_rss_mb']:.0f} MB)"
        )
    read_ratio = statistics.median(
        r["seconds"] / p["seconds"] for r, p in zip(reads, plains, strict=True)
    )
    html_ratio = statistics.median(
        h["seconds"] / r["seconds"] for h, r in zip(htmls, reads, strict=True)
    )
    print(f"array read / plain sqlite3 + numpy: {read_ratio:.2f}x (target <= 1.2)")
    print(f"HTML report / array read:           {html_ratio:.2f}x (target <= 1.5)")
    print(f"CSV tables / array read:            {tables['seconds'] / read['seconds']:.2f}x")
    print(f"report size: {html['size'] / 1e6:.1f} MB")
    if args.keep:
        print(f"files kept in {where}")
    else:
        shutil.rmtree(where)
    return 0


if __name__ == "__main__":
    sys.exit(main())
