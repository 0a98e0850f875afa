"""Benchmark of the polling engine: 2,000 accounts over 5 platforms on the demo connector, with
50 ms and 100 ms simulated latency per request and a budget of C requests in flight per platform.

Prints, per latency, the wall time of one pass against the ideal (requests x latency / C, the
platforms in parallel) as a ratio, min and median over the runs; the budget violations seen by
an instrumented connector (requests in flight above C, requests per window above the budget)
and the peak RSS.

    python bench/poll.py [--accounts 2000] [--concurrency 8] [--latency 0.05 0.1] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.base import Connector, PostStats, ProfileStats  # noqa: E402
from tracker.config import Config  # noqa: E402
from tracker.polling.engine import Engine, connector_for  # noqa: E402
from tracker.polling.workers import claim, poll_claimed  # noqa: E402
from tracker.store.db import Database  # noqa: E402
from tracker.store.models import Account, Person, ProfileSnapshot  # noqa: E402

PLATFORMS = ("x", "facebook", "instagram", "bluesky", "blog")
SLACK = 0.05  # seconds between the engine's grant and the connector call, at most


class Meter:
    """Counts requests in flight and their start times, per platform."""

    def __init__(self, concurrency: int, per_window: int, window: float) -> None:
        self.concurrency = concurrency
        self.per_window = per_window
        self.window = window
        self.lock = threading.Lock()
        self.in_flight: dict[str, int] = defaultdict(int)
        self.peak: dict[str, int] = defaultdict(int)
        self.over: int = 0
        self.starts: dict[str, list[float]] = defaultdict(list)

    def enter(self, platform: str) -> None:
        with self.lock:
            self.in_flight[platform] += 1
            self.peak[platform] = max(self.peak[platform], self.in_flight[platform])
            if self.in_flight[platform] > self.concurrency:
                self.over += 1
            self.starts[platform].append(time.monotonic())

    def leave(self, platform: str) -> None:
        with self.lock:
            self.in_flight[platform] -= 1

    def window_violations(self) -> int:
        """Requests that started while the window before them already held the budget.

        The engine counts a request when it grants it; the meter sees it a moment later, when
        the connector is called. The window is shortened by that moment (SLACK) so that thread
        scheduling is not counted as a violation.
        """
        count = 0
        for starts in self.starts.values():
            first = 0
            ordered = sorted(starts)
            for i, moment in enumerate(ordered):
                while ordered[first] <= moment - (self.window - SLACK):
                    first += 1
                if i - first + 1 > self.per_window:
                    count += 1
        return count


class Metered:
    def __init__(self, inner: Connector, platform: str, meter: Meter) -> None:
        self.inner, self.platform, self.meter = inner, platform, meter

    def fetch_profile(self, handle: str) -> ProfileStats:
        self.meter.enter(self.platform)
        try:
            return self.inner.fetch_profile(handle)
        finally:
            self.meter.leave(self.platform)

    def fetch_posts(
        self, handle: str, since: datetime | None = None, limit: int = 50
    ) -> list[PostStats]:
        self.meter.enter(self.platform)
        try:
            return self.inner.fetch_posts(handle, since=since, limit=limit)
        finally:
            self.meter.leave(self.platform)


def handle_of(platform: str, i: int) -> str:
    return f"bench{i:05d}" if platform != "blog" else f"https://bench{i:05d}.example/"


def setup(db: Database, accounts: int, profiles_file: Path, platforms: tuple[str, ...]) -> None:
    # Young accounts keep the simulation's own work (it computes every day of a history) small
    # beside the engine's, which is what is measured here.
    today = datetime.now(UTC).date()
    born = (today - timedelta(days=21)).isoformat()
    spec: dict[str, Any] = {
        "born": born,
        "followers_at_birth": 300,
        "phases": [{"start": born, "growth": 0.01, "posts_per_week": 3}],
    }
    profiles = {}
    with db.write() as session:
        person = Person(
            key="bench",
            display_name="Bench Beispiel",
            role="comparison",
            consent_given=date(2020, 1, 1),
            created_at=datetime.now(UTC),
        )
        session.add(person)
        session.flush()
        for i in range(accounts):
            platform = platforms[i % len(platforms)]
            handle = handle_of(platform, i)
            profiles[handle] = spec
            session.add(
                Account(
                    person_id=person.id,
                    platform=platform,
                    handle=handle,
                    state="active",
                    added_at=datetime.now(UTC),
                )
            )
    profiles_file.write_text(json.dumps(profiles), encoding="utf-8")


@dataclass(frozen=True)
class Result:
    wall: float
    requests: int
    busiest: int
    ok: int
    other: int
    snapshots: int
    over_c: int
    peak: int
    over_window: int
    cpu: float  # seconds of CPU this process spent on the pass (all threads)


def one_pass(
    accounts: int,
    platforms: tuple[str, ...],
    c: int,
    latency: float,
    per_window: int,
    window: float,
) -> Result:
    """Poll ``accounts`` accounts spread over ``platforms`` once, on a fresh database."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.upgrade()
        profiles = Path(tmp) / "profiles.json"
        setup(db, accounts, profiles, platforms)
        budget = {"requests": per_window, "window": f"{window:g}s", "concurrency": c}
        demo = {"seed": 1, "profiles_file": str(profiles), "latency": latency}
        config = Config.model_validate(
            {
                "platforms": {
                    "demo": demo,
                    **{p: {"connector": "demo", "budget": budget} for p in platforms},
                }
            }
        )
        meter = Meter(c, per_window, window)
        engine = Engine.from_config(db, config, worker="bench")
        engine._factory = lambda platform: Metered(  # type: ignore[method-assign]
            connector_for(config, platform), platform, meter
        )
        for platform in platforms:  # build (and load the profiles) before the clock starts
            engine.connector(platform)
        started, cpu = time.perf_counter(), time.process_time()
        claimed = claim(db, "bench", datetime.now(UTC), schedule=engine.schedule, force=True)
        summary = poll_claimed(engine, claimed, "bench")
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        with db.session() as session:
            snapshots = session.query(ProfileSnapshot).count()
        db.dispose()
    return Result(
        wall=wall,
        requests=sum(len(s) for s in meter.starts.values()),
        busiest=max(len(s) for s in meter.starts.values()),
        ok=summary.total("ok"),
        other=summary.total() - summary.total("ok"),
        snapshots=snapshots,
        over_c=meter.over,
        peak=max(meter.peak.values()),
        over_window=meter.window_violations(),
        cpu=cpu,
    )


TARGETS = {0.05: 1.3, 0.1: 1.1}  # ratio to the ideal, per latency


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8, help="C, per platform")
    parser.add_argument(
        "--latency", type=float, nargs="+", default=[0.05, 0.1], help="seconds per request"
    )
    parser.add_argument("--runs", type=int, default=3, help="passes per latency")
    args = parser.parse_args()
    c = args.concurrency
    print(f"accounts: {args.accounts} on {len(PLATFORMS)} platforms, C {c} per platform")
    over_c = 0
    for latency in args.latency:
        # 1. Concurrency bound: the window is wide enough never to bind.
        runs = [
            one_pass(args.accounts, PLATFORMS, c, latency, 100_000, 10.0) for _ in range(args.runs)
        ]
        ratios = sorted(r.wall / (r.busiest * latency / c) for r in runs)
        r = runs[0]
        over_c += sum(x.over_c for x in runs)
        target = TARGETS.get(latency)
        print(
            f"latency {latency * 1000:.0f} ms: {r.requests} requests ({r.busiest} on the busiest "
            f"platform), ideal {r.busiest * latency / c:.2f}s; ok {r.ok}, other {r.other}, "
            f"snapshots {r.snapshots}"
        )
        print(
            f"  ratio to ideal: min {ratios[0]:.2f} / median {statistics.median(ratios):.2f} / "
            f"max {ratios[-1]:.2f} over {len(runs)} runs"
            + (f" (target <= {target})" if target else "")
            + f"; {sum(x.over_c for x in runs)} above C (peak {max(x.peak for x in runs)})"
        )
        # CPU per request does not depend on how busy the machine is, the wall time does.
        cpu_ms = sorted(x.cpu / x.requests * 1000 for x in runs)
        bound = latency / (c * len(PLATFORMS)) * 1000
        print(
            f"  CPU per request: min {cpu_ms[0]:.2f} / median {statistics.median(cpu_ms):.2f} ms "
            f"(the pass can reach its ideal on one core only below {bound:.2f} ms)"
        )
    # 2. Window bound: 40 requests per second where C alone would allow 8 / 20 ms = 400.
    w = one_pass(150, ("x",), c, 0.02, 40, 1.0)
    window_ideal = (w.requests - 40) / 40  # the first window's worth goes at once
    print(
        f"window check: {w.requests} requests at 40/1s: {w.wall:.2f}s (at least "
        f"{window_ideal:.2f}s), {w.over_window} above the window budget, {w.over_c} above C "
        "(target 0)"
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss_mb:.0f} MB (target < 150 MB)")
    return 0 if over_c == w.over_c == w.over_window == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
