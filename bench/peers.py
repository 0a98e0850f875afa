"""The project next to its peers, on the same generated database, interleaved (A B A B):

- ingest: the store's write path (``snapshot_row`` + ``write_snapshots``, a transaction per
  batch) against ``sqlite-utils`` ``upsert_all`` on the same unique key, each into a fresh
  copy of the same empty schema; ratio = sqlite-utils time / store time (target >= 1.2);
- the mentee page's chart request (the range callback that redraws her charts, over HTTP from
  its own server process) against ``datasette`` serving the same daily series (her accounts'
  snapshots since the programme view starts) as JSON over HTTP from its own process; ratio =
  page / datasette (target < 1.0).

Both servers listen on 127.0.0.1 and are stopped by the bench. Prints min / median of the
repeats and the load average at the time. Needs the ``bench`` extra (sqlite-utils, datasette).

    python bench/peers.py [--mentees 200] [--days 730] [--snapshots 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests
import sqlite_utils
from sqlalchemy import text

from dashboards.progress.period_data import BASELINE_DAYS
from tracker.programme.users import add_user
from tracker.store.db import Database
from tracker.store.write import write_snapshots

sys.path.insert(0, str(Path(__file__).parent))
import web
from store import fresh_db

BATCH = 20_000
ACCOUNTS = 500
T0 = datetime(2024, 1, 1, tzinfo=UTC)
SERIES = (
    "SELECT s.account_id, a.platform, s.taken_at, s.followers FROM profile_snapshot s "
    "JOIN account a ON a.id = s.account_id WHERE a.person_id = :pid AND s.taken_at >= :since "
    "ORDER BY s.account_id, s.taken_at"
)


def _times(
    run: Callable[[], float], other: Callable[[], float], repeat: int
) -> tuple[list[float], list[float]]:
    """``run`` and ``other`` alternately (A B A B ...), ``repeat`` times each."""
    a, b = [], []
    for _ in range(repeat):
        a.append(run())
        b.append(other())
    return a, b


def _fmt(values: list[float]) -> str:
    return f"{min(values) * 1000:8.1f} / {statistics.median(values) * 1000:8.1f} ms"


# -- ingest ------------------------------------------------------------------------------------


def _empty_schema(folder: Path) -> Path:
    """A database with the schema and the accounts, no snapshots: each run copies it."""
    fresh_db(folder, "empty.db", ACCOUNTS).dispose()
    return folder / "empty.db"


def _rows(n: int) -> list[dict[str, object]]:
    per = n // ACCOUNTS
    return [
        {
            "account_id": a + 1,
            "taken_at": T0 + timedelta(hours=6 * k),
            "followers": 100 + k,
            "following": 50,
            "posts": k,
            "source": "poll",
        }
        for a in range(ACCOUNTS)
        for k in range(per)
    ]


def _store_ingest(empty: Path, rows: list[dict[str, object]]) -> float:
    path = empty.with_name("store.db")
    shutil.copy(empty, path)
    db = Database(f"sqlite:///{path}")
    started = time.perf_counter()
    for i in range(0, len(rows), BATCH):
        with db.write() as s:
            write_snapshots(s, rows[i : i + BATCH])
    elapsed = time.perf_counter() - started
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM profile_snapshot")).scalar_one()
    db.dispose()
    assert stored == len(rows), (stored, len(rows))
    path.unlink()
    return elapsed


def _sqlite_utils_ingest(empty: Path, rows: list[dict[str, object]]) -> float:
    path = empty.with_name("peer.db")
    shutil.copy(empty, path)
    # The same text the store keeps for a time (naive UTC), so both write the same bytes.
    plain = [{**r, "taken_at": r["taken_at"].replace(tzinfo=None).isoformat(sep=" ")} for r in rows]  # type: ignore[attr-defined]
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    table = db.table("profile_snapshot")
    started = time.perf_counter()
    for i in range(0, len(plain), BATCH):
        with db.conn:
            table.upsert_all(plain[i : i + BATCH], pk=("account_id", "taken_at"), batch_size=BATCH)
    elapsed = time.perf_counter() - started
    stored = db.execute("SELECT count(*) FROM profile_snapshot").fetchone()[0]
    db.close()
    assert stored == len(rows), (stored, len(rows))
    path.unlink()
    return elapsed


# -- the chart request -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server for {url} exited with {proc.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit(f"server for {url} did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def serve(path: Path, port: int) -> None:
    """The dashboard on 127.0.0.1:``port``, a process of its own served as ``tracker serve``
    serves it (``dashboards.serve``: waitress, HTTP/1.1 with keep-alive, as datasette's server)."""
    from dashboards.app import create_app
    from dashboards.serve import serve as run
    from tracker.config import Config

    app = create_app(Config(), Database(f"sqlite:///{path}"), key="x" * 48)
    run(app, "127.0.0.1", port)


def _print_chart(page: list[float], served: list[float], series: int, load: float) -> None:
    # Ratio of each pair (A B measured next to each other), then their median.
    chart = statistics.median(a / b for a, b in zip(page, served, strict=True))
    print(f"mentee chart request, {series:,} snapshot rows in her series (load average {load:.1f})")
    print(f"  dashboard range callback  {_fmt(page)}")
    print(f"  datasette same series     {_fmt(served)}")
    print(f"  ratio page/datasette      {chart:.2f}x (target < 1.0)")


def _login(base: str, email: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    form = session.get(f"{base}/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf, "no login form"
    session.post(
        f"{base}/login",
        data={"email": email, "password": web.PASSWORD, "csrf_token": csrf.group(1)},
    )
    return session, session.cookies["_csrf_token"]


def _chart_request(session: requests.Session, base: str, token: str, key: str) -> float:
    """The range callback as the browser sends it (the whole programme, her default view)."""
    body = {
        "output": "progress-charts.children",
        "outputs": {"id": "progress-charts", "property": "children"},
        "inputs": [
            {"id": "progress-person", "property": "data", "value": key},
            {"id": "progress-range", "property": "value", "value": "all"},
        ],
        "changedPropIds": ["progress-range.value"],
    }
    started = time.perf_counter()
    response = session.post(
        f"{base}/_dash-update-component", json=body, headers={"X-CSRFToken": token}
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and b"progress-followers" in response.content
    return elapsed


def _datasette_request(session: requests.Session, base: str, pid: int, since: str) -> float:
    started = time.perf_counter()
    response = session.get(
        f"{base}/bench.json",
        params={"sql": SERIES, "pid": pid, "since": since, "_shape": "array"},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and len(response.json()) > 0, response.text[:200]
    return elapsed


def chart_vs_datasette(
    folder: Path, mentees: int, days: int, repeat: int
) -> tuple[list[float], list[float], int]:
    path = folder / "bench.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    web.generate(db, mentees, days)
    key = "m0001"
    with db.write() as s:
        add_user(s, f"{key}@example.invalid", key, "mentee", web.PASSWORD)
    with db.engine.connect() as conn:
        pid, start = conn.execute(
            text(
                "SELECT p.id, c.start FROM person p JOIN cohort c ON c.id = p.cohort_id "
                "WHERE p.key = :k"
            ),
            {"k": key},
        ).one()
        since = datetime.combine(date.fromisoformat(str(start)), datetime.min.time())
        since -= timedelta(days=BASELINE_DAYS)
        rows = len(conn.execute(text(SERIES), {"pid": pid, "since": since}).all())
    db.dispose()
    ours, theirs = _free_port(), _free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    app = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(path), "--port", str(ours)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(theirs),
            "--setting",
            "max_returned_rows",
            "100000",
            "--setting",
            "sql_time_limit_ms",
            "60000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base, peer_base = f"http://127.0.0.1:{ours}", f"http://127.0.0.1:{theirs}"
        _wait(f"{base}/login", app)
        _wait(f"{peer_base}/-/versions.json", peer)
        session, token = _login(base, f"{key}@example.invalid")
        peer_session = requests.Session()
        iso = since.isoformat(sep=" ")
        for _ in range(2):  # warm up both: imports, first-request set-up, page cache
            _chart_request(session, base, token, key)
            _datasette_request(peer_session, peer_base, pid, iso)
        a, b = _times(
            lambda: _chart_request(session, base, token, key),
            lambda: _datasette_request(peer_session, peer_base, pid, iso),
            repeat,
        )
    finally:
        _stop(app)
        _stop(peer)
    return a, b, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=200)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--snapshots", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, interleaved")
    parser.add_argument("--requests", type=int, default=15, help="chart requests per run")
    parser.add_argument("--chart-only", action="store_true", help="only the chart comparison")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.chart_only:
            load = os.getloadavg()[0]
            page, served, series = chart_vs_datasette(
                folder, args.mentees, args.days, args.repeat * args.requests
            )
            _print_chart(page, served, series, load)
            return 0
        empty = _empty_schema(folder)
        rows = _rows(args.snapshots)
        load_ingest = os.getloadavg()[0]
        store, peer = _times(
            lambda: _store_ingest(empty, rows),
            lambda: _sqlite_utils_ingest(empty, rows),
            args.repeat,
        )
        load_chart = os.getloadavg()[0]
        page, served, series = chart_vs_datasette(
            folder, args.mentees, args.days, args.repeat * args.requests
        )
    ingest = statistics.median(peer) / statistics.median(store)
    print(f"{len(rows):,} snapshots, {ACCOUNTS} accounts (load average {load_ingest:.1f})")
    print(f"  store write path          {_fmt(store)}")
    print(f"  sqlite-utils upsert_all   {_fmt(peer)}")
    print(f"  ratio sqlite-utils/store  {ingest:.2f}x (target >= 1.2)")
    _print_chart(page, served, series, load_chart)
    return 0


if __name__ == "__main__":
    sys.exit(main())
