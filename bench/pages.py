"""Page weight and chart speed in Chromium, as a mentee on a phone sees them.

Builds a small programme (two mentees, three platforms, ninety days), serves it twice on
127.0.0.1, each in its own process, and drives Debian's Chromium (never a downloaded browser)
at 390x844 through the same visits on both:

- the *baseline*: scripts as plain Dash serves them (the full Plotly bundle, uncompressed),
- the *app*: as the dashboard serves them (compressed, fingerprinted and cached for a year,
  the cartesian Plotly bundle).

Per server it prints the bytes transferred (as the network counted them, compressed) of the
first visit (login and "Mein Fortschritt" with its charts), of each later page view and of a
reload, and the time from navigation to a drawn chart, first visit and later views; then the
app's figures as ratios of the baseline's and against the targets: first visit <= 1.5 MB,
each later view and reload <= 150 KB, chart visible <= 1.0 s after navigation.

Usage: python bench/pages.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "ein-langes-passwort-123"
EMAIL = "mentee-a@t.invalid"  # the test data's mentee
CHART = "#progress-followers .js-plotly-plot .main-svg .scatterlayer .trace"
FIRST_VISIT_MAX = 1_500_000
LATER_VIEW_MAX = 150_000
CHART_SECONDS_MAX = 1.0


def _webdata() -> Any:
    path = ROOT / "tests" / "dashboards" / "webdata.py"
    spec = importlib.util.spec_from_file_location("bench_webdata", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def build(db_path: Path) -> None:
    from tracker.store.db import Database

    db = Database(f"sqlite:///{db_path}")
    db.upgrade()
    _webdata().build(db)
    db.dispose()


def serve(db_path: str, port: int, lean: bool) -> None:
    """Run one server (in its own process: Dash keeps its script list per process)."""
    import logging

    from waitress import serve as run

    from dashboards.app import create_app
    from tracker.config import Config
    from tracker.store.db import Database

    logging.getLogger("waitress").setLevel(logging.ERROR)
    app = create_app(Config(), Database(f"sqlite:///{db_path}"), key="b" * 48, lean_static=lean)
    run(app.server, host="127.0.0.1", port=port, threads=4, _quiet=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not start")


class Meter:
    """Bytes the browser received over the network (compressed, headers included)."""

    def __init__(self, page: Any) -> None:
        self.bytes = 0
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.loadingFinished", self._finished)

    def _finished(self, event: dict[str, Any]) -> None:
        self.bytes += int(event.get("encodedDataLength", 0))

    def take(self) -> int:
        value, self.bytes = self.bytes, 0
        return value


def _chart_after(page: Any, action: Any) -> float:
    start = time.perf_counter()
    action()
    page.wait_for_selector(CHART, state="attached", timeout=30_000)
    return time.perf_counter() - start


def measure(browser: Any, base: str, repeat: int) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    meter = Meter(page)
    start = time.perf_counter()
    page.goto(f"{base}/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(CHART, state="attached", timeout=60_000)
    first_chart = time.perf_counter() - start
    page.wait_for_load_state("networkidle")
    first = meter.take()
    views, reloads, charts, loads = [], [], [], []
    for _ in range(repeat):
        # In the app: the menu's links change the page without reloading the scripts.
        page.click("a.nav-link[href='/protokoll']")
        page.wait_for_selector("#audit-table, main .card", timeout=30_000)
        page.wait_for_load_state("networkidle")
        views.append(meter.take())
        charts.append(_chart_after(page, lambda: page.click("a.nav-link[href='/fortschritt']")))
        page.wait_for_load_state("networkidle")
        views.append(meter.take())
        # Typed address or bookmark: a whole page load (scripts from the browser's cache).
        page.goto(f"{base}/protokoll")
        page.wait_for_selector("main h1", timeout=30_000)
        page.wait_for_load_state("networkidle")
        views.append(meter.take())
        loads.append(_chart_after(page, lambda: page.goto(f"{base}/fortschritt")))
        page.wait_for_load_state("networkidle")
        views.append(meter.take())
        page.reload()
        page.wait_for_selector(CHART, state="attached", timeout=30_000)
        page.wait_for_load_state("networkidle")
        reloads.append(meter.take())
    context.close()
    return {
        "first": first,
        "view": max(views),
        "reload": max(reloads),
        "first_chart": first_chart,
        "chart": statistics.median(charts),
        "chart_max": max(charts),
        "load": statistics.median(loads),
    }


def _kb(value: float) -> str:
    return f"{value / 1000:,.0f} KB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--serve", nargs=3, metavar=("DB", "PORT", "LEAN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.serve[2] == "1")
        return 0
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "pages.db"
        build(db_path)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for name, lean in (("baseline", "0"), ("app", "1")):
                port = _free_port()
                server = subprocess.Popen(
                    [sys.executable, __file__, "--serve", str(db_path), str(port), lean], env=env
                )
                try:
                    _wait(port)
                    results[name] = measure(browser, f"http://127.0.0.1:{port}", args.repeat)
                finally:
                    server.terminate()
                    server.wait(timeout=10)
            browser.close()
    rows = (
        ("first visit, transferred", "first", _kb, FIRST_VISIT_MAX),
        ("later page view (max), transferred", "view", _kb, LATER_VIEW_MAX),
        ("reload (max), transferred", "reload", _kb, LATER_VIEW_MAX),
        ("chart visible, first visit", "first_chart", lambda v: f"{v:.2f} s", None),
        ("chart visible after navigation (median)", "chart", lambda v: f"{v:.2f} s", None),
        ("chart visible after navigation (max)", "chart_max", lambda v: f"{v:.2f} s", 1.0),
        ("chart visible after a page load (median)", "load", lambda v: f"{v:.2f} s", None),
    )
    ok = True
    print(f"{'':42} {'baseline':>12} {'app':>12} {'app/base':>9}  target")
    for label, key, fmt, limit in rows:
        base, app = results["baseline"][key], results["app"][key]
        ratio = app / base if base else float("nan")
        verdict = ""
        if limit is not None:
            met = app <= limit
            ok = ok and met
            verdict = f"<= {fmt(limit)} {'met' if met else 'MISSED'}"
        print(f"{label:42} {fmt(base):>12} {fmt(app):>12} {ratio:>8.2f}x  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
