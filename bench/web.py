"""Mentee page: server time against the raw SQL reads it needs, and the chart payload.

Generates 1,000 mentees × 5 platforms × 2 years of daily snapshots (and weekly posts) with the
store's bulk writer, then, in the same run, times:

- the raw SQL reads the page needs (person, events, snapshots, posts, goals, notes), and
- the page as the browser loads it: ``/_dash-layout``, the page router callback and the
  progress callback (layout and callbacks), through Flask's test client.

Every timed request is cold: each repeat logs in as a mentee whose page was never requested
before, and the raw reads use yet other mentees. Prints the ratio (target: at most 3×) and the
size of the chart payload (target: < 300 KB).
Usage: python bench/web.py [--mentees 1000] [--days 730] [--repeat 7]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from connectors.base import PostStats
from dashboards.app import create_app
from tracker.config import CohortEntry, Config, EventEntry
from tracker.db import Database
from tracker.models import Account, Person
from tracker.programme import Changes, upsert_cohort
from tracker.store import write_posts, write_snapshots
from tracker.users import add_user

PLATFORMS = ("facebook", "instagram", "x", "bluesky", "mastodon")
PASSWORD = "bench-passwort-123"


def generate(db: Database, mentees: int, days: int) -> date:
    today = datetime.now(UTC).date()
    first = today - timedelta(days=days)
    start = today - timedelta(days=200)
    events = [
        EventEntry(date=start, kind="kickoff", title="Auftakt"),
        EventEntry(date=start + timedelta(days=40), kind="workshop", title="Workshop 1"),
        EventEntry(date=start + timedelta(days=90), kind="midpoint", title="Halbzeit"),
        EventEntry(date=start + timedelta(days=150), kind="workshop", title="Workshop 2"),
    ]
    cohort = CohortEntry(
        key="bench", name="Bench", start=start, end=today + timedelta(days=40), events=events
    )
    now = datetime.now(UTC)
    with db.write() as session:
        cohort_row = upsert_cohort(session, cohort, Changes())
        for i in range(mentees):
            person = Person(
                key=f"m{i:04d}",
                display_name=f"Mentee {i:04d}",
                role="mentee",
                cohort_id=cohort_row.id,
                consent_given=first,
                created_at=now,
            )
            session.add(person)
            session.flush()
            for platform in PLATFORMS:
                session.add(
                    Account(
                        person_id=person.id,
                        platform=platform,
                        handle=f"{platform}-{i:04d}",
                        state="active",
                        added_at=now,
                    )
                )
        session.flush()
        ids = [a for (a,) in session.execute(text("SELECT id FROM account ORDER BY id"))]
    moments = [
        datetime.combine(first + timedelta(days=d), datetime.min.time(), UTC) for d in range(days)
    ]
    batch: list[dict[str, object]] = []
    for n, account_id in enumerate(ids):
        base = 50 + (n * 37) % 900
        for d, taken in enumerate(moments):
            batch.append(
                {
                    "account_id": account_id,
                    "taken_at": taken + timedelta(hours=9),
                    "followers": base + d // 3,
                    "following": 100,
                    "posts": d // 4,
                    "source": "poll",
                }
            )
        if len(batch) >= 200_000:
            with db.write() as session:
                write_snapshots(session, batch)
            batch = []
    if batch:
        with db.write() as session:
            write_snapshots(session, batch)
    with db.write() as session:
        for account_id in ids:
            posts = [
                PostStats(
                    post_id=str(w),
                    published_at=moments[0] + timedelta(days=7 * w, hours=12),
                    kind="photo",
                    likes=10 + w % 7,
                    comments=w % 3,
                    shares=1,
                )
                for w in range(days // 7)
            ]
            write_posts(session, account_id, posts, now)
    return today


RAW_READS = (
    "SELECT id, key, display_name, cohort_id FROM person WHERE key = :key",
    "SELECT date, kind, title FROM programme_event WHERE cohort_id = :cohort ORDER BY date",
    "SELECT a.person_id, s.account_id, a.platform, a.handle, s.taken_at, s.followers, "
    "s.following, s.posts, s.source FROM profile_snapshot s JOIN account a ON a.id = s.account_id "
    "WHERE a.person_id = :pid AND s.taken_at >= :since ORDER BY s.account_id, s.taken_at",
    "SELECT a.person_id, p.account_id, a.platform, p.post_id, p.published_at, p.kind, p.likes, "
    "p.comments, p.shares, p.views FROM post_metric p JOIN account a ON a.id = p.account_id "
    "WHERE a.person_id = :pid AND p.published_at >= :since ORDER BY p.account_id, p.published_at",
    "SELECT g.* FROM goal g JOIN tandem t ON t.id = g.tandem_id WHERE t.mentee_id = :pid",
    "SELECT n.* FROM checkin_note n JOIN tandem t ON t.id = n.tandem_id WHERE t.mentee_id = :pid",
)


def raw_reads(db: Database, key: str, since: datetime) -> float:
    started = time.perf_counter()
    with db.engine.connect() as conn:
        pid, _key, _name, cohort = conn.execute(text(RAW_READS[0]), {"key": key}).one()
        conn.execute(text(RAW_READS[1]), {"cohort": cohort}).all()
        naive = since.replace(tzinfo=None)  # SQLite keeps naive UTC text
        for sql in RAW_READS[2:]:
            conn.execute(text(sql), {"pid": pid, "since": naive}).all()
    return time.perf_counter() - started


def page(
    client: object, deps: dict[str, dict[str, object]], token: str, key: str
) -> tuple[float, int]:
    """Layout plus callbacks as the browser requests them; returns seconds and payload bytes."""
    started = time.perf_counter()
    client.get("/_dash-layout")  # type: ignore[attr-defined]
    router = deps["router"]
    client.post(  # type: ignore[attr-defined]
        "/_dash-update-component",
        json={
            "output": router["output"],
            "outputs": [
                {"id": "_pages_content", "property": "children"},
                {"id": "_pages_store", "property": "data"},
            ],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": "/fortschritt"},
                {"id": "_pages_location", "property": "search", "value": ""},
            ],
            "state": [],
            "changedPropIds": ["_pages_location.pathname"],
        },
        headers={"X-CSRFToken": token},
    )
    response = client.post(  # type: ignore[attr-defined]
        "/_dash-update-component",
        json={
            "output": "progress-body.children",
            "outputs": {"id": "progress-body", "property": "children"},
            "inputs": [
                {"id": "progress-person", "property": "data", "value": key},
                {"id": "progress-range", "property": "value", "value": "all"},
            ],
            "changedPropIds": ["progress-range.value"],
        },
        headers={"X-CSRFToken": token},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and b"progress-followers" in response.data
    return elapsed, len(response.data)


def login(app: object, email: str) -> tuple[object, str]:
    """A test client logged in as ``email`` and its CSRF token."""
    client = app.server.test_client()  # type: ignore[attr-defined]
    form = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf.group(1)})
    return client, client.get_cookie("_csrf_token").value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.upgrade()
        t0 = time.perf_counter()
        generate(db, args.mentees, args.days)
        rows = args.mentees * len(PLATFORMS) * args.days
        print(f"generated {rows:,} snapshots in {time.perf_counter() - t0:.0f} s")
        # Distinct mentees: one to warm up imports, one per timed page, one per raw read.
        first = args.mentees // 4
        keys = [f"m{first + i:04d}" for i in range(args.repeat + 1)]
        raw_keys = [f"m{first + args.repeat + 1 + i:04d}" for i in range(args.repeat + 1)]
        with db.write() as session:
            for key in keys:
                add_user(session, f"{key}@example.invalid", key, "mentee", PASSWORD)
        app = create_app(Config(), db, key="x" * 48)
        logins = [(login(app, f"{key}@example.invalid"), key) for key in keys]
        outputs = [d["output"] for d in logins[0][0][0].get("/_dash-dependencies").get_json()]
        deps = {"router": {"output": next(o for o in outputs if "_pages_content" in o)}}
        with db.session() as session:
            cohort_start = session.execute(text("SELECT start FROM cohort")).scalar_one()
        since = datetime.combine(
            date.fromisoformat(str(cohort_start)), datetime.min.time(), UTC
        ) - timedelta(days=28)
        (client, token), key = logins[0]
        page(client, deps, token, key)  # warm up: imports, first-request set-up
        raw_reads(db, raw_keys[0], since)
        pages, raws, size = [], [], 0
        for ((client, token), key), raw_key in zip(logins[1:], raw_keys[1:], strict=True):
            elapsed, size = page(client, deps, token, key)
            pages.append(elapsed)
            raws.append(raw_reads(db, raw_key, since))
        page_ms = statistics.median(pages) * 1000
        raw_ms = statistics.median(raws) * 1000
        print(
            f"mentee page (layout + callbacks), cold: {page_ms:.1f} ms "
            f"(median of {args.repeat} mentees, each seen for the first time)"
        )
        print(f"raw SQL reads it needs:                 {raw_ms:.1f} ms")
        print(f"ratio: {page_ms / raw_ms:.1f}x (target <= 3x)")
        print(f"chart payload per page: {size / 1024:.0f} KB (target < 300 KB)")
        db.dispose()


if __name__ == "__main__":
    main()
