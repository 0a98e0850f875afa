"""Fixtures for the dashboard tests: a small programme, the app, and logged-in clients."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from dashboards.app import create_app
from tracker.config import Config
from tracker.store.db import Database


def _load(stem: str) -> Any:
    # Tests are imported in importlib mode: load the shared helpers by their path.
    name = f"dashboards_test_{stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{stem}.py"))
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


webdata = _load("webdata")
_dashcall = _load("dashcall")


@pytest.fixture
def dashcall() -> Any:
    """Helpers to call Dash callbacks as the browser does (see dashcall.py)."""
    return _dashcall


@pytest.fixture
def data(web_db: tuple[Database, Any]) -> Any:
    return web_db[1]


PASSWORD = webdata.PASSWORD
WebData = webdata.WebData
build = webdata.build
KEY = "k" * 48


@pytest.fixture
def web_db(tmp_path: Path) -> Iterator[tuple[Database, WebData]]:
    db = Database(f"sqlite:///{tmp_path / 'web.db'}")
    db.upgrade()
    data = build(db)
    yield db, data
    db.dispose()


@pytest.fixture
def app(web_db: tuple[Database, WebData]) -> Any:
    db, _data = web_db
    return create_app(Config(), db, key=KEY)


def csrf_of(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert match, "the form carries a CSRF token"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client)
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"}
    )


@pytest.fixture
def client_for(app: Any, web_db: tuple[Database, WebData]) -> Callable[[str], FlaskClient]:
    """A client logged in as ``anonymous``, ``mentee``, ``mentor_own``, ``mentor_other`` or
    ``coordinator``."""
    _db, data = web_db

    def make(role: str) -> FlaskClient:
        client = app.server.test_client()
        if role != "anonymous":
            response = login(client, data.emails[role])
            assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make
