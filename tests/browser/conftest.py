"""A served dashboard and Debian's Chromium for the browser tests. Never downloads a browser:
without /usr/bin/chromium the tests skip locally and fail in CI."""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


def _webdata() -> Any:
    name = "dashboards_test_webdata"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "dashboards" / "webdata.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The app on 127.0.0.1 and a free port, served by waitress in a thread."""
    from waitress.server import create_server

    from dashboards.app import create_app
    from tracker.config import Config
    from tracker.store.db import Database

    tmp = tmp_path_factory.mktemp("web")
    db = Database(f"sqlite:///{tmp / 'web.db'}")
    db.upgrade()
    data = _webdata().build(db)
    app = create_app(Config(), db, key="b" * 48)
    server = create_server(app.server, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", data
    server.close()
    thread.join(timeout=5)
    db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("CI=true but /usr/bin/chromium is missing: install Debian's chromium")
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
