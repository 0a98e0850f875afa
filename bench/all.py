"""Every benchmark in ``bench/`` in turn (``make bench``), then one table of the figures each
printed against its target, with the machine and its load average at each start.

Each benchmark prints its own ratios against a baseline measured in the same run; this only
collects the lines that name a target. ``bench/pages.py`` (page weight in Chromium) runs on
its own: it needs the browser.

    python bench/all.py [--quick]   (--quick: smaller data, for a try-out)
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNS: tuple[tuple[str, list[str], list[str]], ...] = (
    # (script, arguments, arguments with --quick)
    ("store.py", [], ["200000"]),
    ("poll.py", [], ["--accounts", "500", "--runs", "1"]),
    ("web.py", ["--cpu"], ["--mentees", "200", "--repeat", "5", "--cpu"]),
    ("report.py", [], ["--mentees", "100", "--repeat", "1"]),
    # The report at the programme's scale of a large federation: 2,000 mentees, one run.
    (
        "report.py",
        ["--mentees", "2000", "--repeat", "1", "--no-frames"],
        ["--mentees", "200", "--repeat", "1", "--no-frames"],
    ),
    ("peers.py", [], ["--mentees", "60", "--snapshots", "40000", "--requests", "5"]),
)


def machine() -> str:
    cores = os.cpu_count()
    return f"{platform.machine()}, {cores} cores, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    rows: list[tuple[str, str, str]] = []
    failed = 0
    for script, full, quick in RUNS:
        argv = quick if args.quick else full
        label = f"{script} ({argv[1]})" if argv[:1] == ["--mentees"] else script
        load = f"{os.getloadavg()[0]:.1f}"
        print(f"== bench/{script} (load average {load})", flush=True)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(HERE / script), *argv],
            env=env,
            capture_output=True,
            text=True,
        )
        print(done.stdout, end="", flush=True)
        if done.returncode != 0:
            failed += 1
            print(done.stderr[-2000:], file=sys.stderr)
            rows.append((label, load, f"FAILED (exit {done.returncode})"))
        rows += [
            (label, load, line.strip()) for line in done.stdout.splitlines() if "target" in line
        ]
        print(f"   ({time.perf_counter() - started:.0f} s)\n", flush=True)
    print(f"Figures against their targets ({machine()}):")
    print(f"{'benchmark':18s} {'load':>5s}  figure")
    for label, load, line in rows:
        print(f"{label:18s} {load:>5s}  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
