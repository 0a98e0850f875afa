"""Mentee page: server time against the raw SQL reads it needs, and the chart payload.

Generates 1,000 mentees × 5 platforms × 2 years of daily snapshots (and weekly posts) with the
store's bulk writer, in the order the poller writes them (every account's snapshot of a day,
day by day), then, in the same run, times:

- the raw SQL reads the page needs (person, cohort, events, snapshots, posts, goals, notes),
- a page view as the browser loads it: ``/_dash-layout`` and the page router callback, whose
  layout renders the charts for the default period, plus every callback that fires on load
  (today none: the range callback waits for a change), through Flask's test client, and
- a change of the date range (the range callback), reported on its own.

Every timed request is cold: each repeat logs in as a mentee whose page was never requested
before, and the raw reads use yet other mentees. Prints the ratio of a page view to the raw
reads (target: at most 2×) and the size of the chart payload (target: < 300 KB).
Usage: python bench/web.py [--mentees 1000] [--days 730] [--repeat 15] [--db PATH] [--cpu]
(``--db`` keeps the generated database at PATH and reuses it on the next run.)
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import statistics
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from connectors.base import PostStats
from dashboards.app import create_app
from dashboards.progress.elements import walk
from dashboards.progress.period_data import BASELINE_DAYS
from tracker.config import CohortEntry, Config, EventEntry
from tracker.privacy.audit_write import writer_for
from tracker.programme.structure import Changes, upsert_cohort
from tracker.programme.users import add_user
from tracker.store.db import Database
from tracker.store.models import Account, Person
from tracker.store.write import write_posts, write_snapshots

PLATFORMS = ("facebook", "instagram", "x", "bluesky", "mastodon")
PASSWORD = "bench-passwort-123"
# Wall time by default; --cpu times the process's CPU instead (the server and the SQLite reads
# both run in this process), which a loaded machine does not inflate.
CLOCK = time.perf_counter


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
    # In the order the poller writes them: every account's snapshot of a day, day by day.
    for d, taken in enumerate(moments):
        for n, account_id in enumerate(ids):
            batch.append(
                {
                    "account_id": account_id,
                    "taken_at": taken + timedelta(hours=9),
                    "followers": 50 + (n * 37) % 900 + d // 3,
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


# Every read a view makes (the SQL the page sends, checked by
# tests/dashboards/test_page_views.py), each written plainly: the login lookup of each of its two
# requests (the frame and the page), then the page's own reads.
LOGIN_READ = (
    'SELECT u.id, u.email, u.role, u.person_id, u.active, u.session_token, p."key" '
    "FROM user_account u LEFT JOIN person p ON p.id = u.person_id WHERE u.id = :uid"
)
RAW_READS = (
    "SELECT id, key, display_name, cohort_id FROM person WHERE key = :key",
    # The cohort's dates: the default period starts BASELINE_DAYS before its start.
    'SELECT start, "end" FROM cohort WHERE id = :cohort',
    "SELECT date, kind, title FROM programme_event WHERE cohort_id = :cohort ORDER BY date",
    "SELECT a.person_id, s.account_id, a.platform, a.handle, s.taken_at, s.followers, "
    "s.following, s.posts, s.source FROM profile_snapshot s JOIN account a ON a.id = s.account_id "
    "WHERE a.person_id = :pid AND s.taken_at >= :since ORDER BY s.account_id, s.taken_at",
    "SELECT a.person_id, p.account_id, a.platform, p.post_id, p.published_at, p.kind, p.likes, "
    "p.comments, p.shares, p.views FROM post_metric p JOIN account a ON a.id = p.account_id "
    "WHERE a.person_id = :pid AND p.published_at >= :since ORDER BY p.account_id, p.published_at",
    "SELECT g.* FROM goal g JOIN tandem t ON t.id = g.tandem_id WHERE t.mentee_id = :pid",
    "SELECT n.* FROM checkin_note n JOIN tandem t ON t.id = n.tandem_id WHERE t.mentee_id = :pid",
    "SELECT * FROM self_assessment_answer WHERE person_id = :pid ORDER BY submitted_at, id",
)


def raw_reads(db: Database, key: str, uid: int) -> float:
    """The reads a view of ``key``'s page needs, each once (the login lookup once per request,
    as ``uid``); only the period start is computed."""
    started = CLOCK()
    with db.engine.connect() as conn:
        for _request in range(2):
            conn.execute(text(LOGIN_READ), {"uid": uid}).one()
        pid, _key, _name, cohort = conn.execute(text(RAW_READS[0]), {"key": key}).one()
        start, _end = conn.execute(text(RAW_READS[1]), {"cohort": cohort}).one()
        conn.execute(text(RAW_READS[2]), {"cohort": cohort}).all()
        since = datetime.combine(date.fromisoformat(str(start)), datetime.min.time())
        since -= timedelta(days=BASELINE_DAYS)  # naive: SQLite keeps naive UTC text
        for sql in RAW_READS[3:]:
            conn.execute(text(sql), {"pid": pid, "since": since}).all()
    return CLOCK() - started


def _rendered(node: object) -> dict[str, dict[str, object]]:
    """The components of a rendered Dash layout (JSON) by id, with their props."""
    return {
        e["props"]["id"]: e["props"] for e in walk(node) if isinstance(e["props"].get("id"), str)
    }


def on_load(deps: list[dict[str, Any]], ids: Iterable[str]) -> list[dict[str, Any]]:
    """The server callbacks the browser fires when components with ``ids`` mount."""
    present = set(ids)
    return [
        dep
        for dep in deps
        if not dep.get("clientside_function")
        and not dep.get("prevent_initial_call")
        and any(i["id"] in present for i in dep["inputs"])
    ]


def _fire(client: Any, dep: dict[str, Any], props: dict[str, dict[str, Any]], token: str) -> Any:
    """A callback fired on load, with the values the rendered layout gives its inputs."""

    def spec(text: str) -> dict[str, Any]:
        ident, prop = text.rsplit(".", 1)
        return {"id": ident, "property": prop}

    output = dep["output"]
    multi = output.startswith("..")
    outputs = [spec(o) for o in output[2:-2].split("...")] if multi else spec(output)

    def values(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**i, "value": props.get(i["id"], {}).get(i["property"])} for i in items]

    response = client.post(
        "/_dash-update-component",
        json={
            "output": output,
            "outputs": outputs,
            "inputs": values(dep["inputs"]),
            "state": values(dep["state"]),
            "changedPropIds": [],
        },
        headers={"X-CSRFToken": token},
    )
    assert response.status_code in (200, 204), (output, response.status_code)
    return response


def _router_call(client: Any, router: dict[str, Any], token: str) -> Any:
    return client.post(
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


def view(
    client: Any, deps: list[dict[str, Any]], router: dict[str, Any], token: str
) -> tuple[float, int]:
    """A page view as the browser requests it: the layout, the page router and every callback
    that fires on load; returns seconds and the payload bytes."""
    started = CLOCK()
    client.get("/_dash-layout")
    response = _router_call(client, router, token)
    elapsed = CLOCK() - started
    size = len(response.data)
    # Finding what fires is the browser's work, so it is not timed; each call it makes is.
    props = _rendered(response.get_json())
    for dep in on_load(deps, props):
        started = CLOCK()
        fired = _fire(client, dep, props, token)
        elapsed += CLOCK() - started
        size += len(fired.data)
    assert response.status_code == 200, response.status_code
    assert b"progress-followers" in response.data
    assert b"nicht freigegeben" not in response.data
    return elapsed, size


def range_change(client: Any, token: str, key: str) -> tuple[float, int]:
    """The range callback as the browser sends it when the viewer picks the last 90 days."""
    started = CLOCK()
    response = client.post(
        "/_dash-update-component",
        json={
            "output": "progress-charts.children",
            "outputs": {"id": "progress-charts", "property": "children"},
            "inputs": [
                {"id": "progress-person", "property": "data", "value": key},
                {"id": "progress-range", "property": "value", "value": "90"},
            ],
            "changedPropIds": ["progress-range.value"],
        },
        headers={"X-CSRFToken": token},
    )
    elapsed = CLOCK() - started
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
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", type=Path, help="keep the generated database here and reuse it")
    parser.add_argument("--cpu", action="store_true", help="time CPU instead of wall time")
    args = parser.parse_args()
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        db = Database(f"sqlite:///{path}")
        if args.db is None or not path.exists():
            db.upgrade()
            t0 = time.perf_counter()
            generate(db, args.mentees, args.days)
            rows = args.mentees * len(PLATFORMS) * args.days
            print(f"generated {rows:,} snapshots in {time.perf_counter() - t0:.0f} s")
        run(db, args.mentees, args.repeat)
        writer_for(db).flush()  # the views' audit entries, before the database goes
        db.dispose()


def run(db: Database, mentees: int, repeat: int) -> None:
    # Distinct mentees: one to warm up imports, one per timed page, one per raw read. A reused
    # database already has logins for earlier runs' mentees: take ones never logged in.
    with db.session() as session:
        users = session.execute(text("SELECT count(*) FROM user_account")).scalar_one()
    first = mentees // 4 + users
    keys = [f"m{first + i:04d}" for i in range(repeat + 1)]
    raw_keys = [f"m{first + repeat + 1 + i:04d}" for i in range(repeat + 1)]
    if first + 2 * (repeat + 1) > mentees:  # each run logs in 2 × (repeat + 1) of them
        raise SystemExit("the kept database has no unseen mentees left: remove it")
    with db.write() as session:
        for key in keys + raw_keys:
            add_user(session, f"{key}@example.invalid", key, "mentee", PASSWORD)
    with db.session() as session:
        uid = {
            row.email: row.id for row in session.execute(text("SELECT email, id FROM user_account"))
        }
    raw_users = [(key, uid[f"{key}@example.invalid"]) for key in raw_keys]
    app = create_app(Config(), db, key="x" * 48)
    logins = [(login(app, f"{key}@example.invalid"), key) for key in keys]
    deps = logins[0][0][0].get("/_dash-dependencies").get_json()
    router = next(d for d in deps if "_pages_content" in d["output"])
    (client, token), key = logins[0]
    view(client, deps, router, token)  # warm up: imports, first-request set-up
    range_change(client, token, key)
    raw_reads(db, *raw_users[0])
    # As ``tracker serve`` does once started: start-up's objects stay out of full collections,
    # so that one does not land, by chance, in either side of a pair.
    gc.collect()
    gc.freeze()
    views, changes, raws, size, change_size = [], [], [], 0, 0
    for ((client, token), key), raw_user in zip(logins[1:], raw_users[1:], strict=True):
        elapsed, size = view(client, deps, router, token)
        views.append(elapsed)
        raws.append(raw_reads(db, *raw_user))
        elapsed, change_size = range_change(client, token, key)
        changes.append(elapsed)
    view_ms = statistics.median(views) * 1000
    change_ms = statistics.median(changes) * 1000
    raw_ms = statistics.median(raws) * 1000
    # Each view next to the raw reads of the same round: the ratio of each pair, min / median.
    pairs = sorted(v / r for v, r in zip(views, raws, strict=True))
    clock = "CPU" if CLOCK is time.process_time else "wall"
    print(f"load average: {os.getloadavg()[0]:.1f}; {clock} time")
    print(
        f"mentee page view (layout + callbacks on load), cold: {min(views) * 1000:.1f} / "
        f"{view_ms:.1f} ms (min / median of {repeat} mentees, each seen for the first time)"
    )
    print(f"raw SQL reads it needs: {min(raws) * 1000:.1f} / {raw_ms:.1f} ms")
    print(
        f"ratio: {pairs[0]:.2f} / {statistics.median(pairs):.2f}x (min / median of the pairs; "
        "target <= 2x)"
    )
    print(f"chart payload per page: {size / 1024:.0f} KB (target < 300 KB)")
    print(
        f"range change (one callback, last 90 days):           {change_ms:.1f} ms "
        f"({change_ms / raw_ms:.1f}x the raw reads, {change_size / 1024:.0f} KB)"
    )


if __name__ == "__main__":
    main()
