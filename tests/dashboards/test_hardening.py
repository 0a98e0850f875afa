"""Attacks on the running dashboard that must end in a clean answer: off-site redirects,
malformed callbacks, bad form input, cookies and headers behind TLS, audited denials."""

from __future__ import annotations

import json
from typing import Any

import pytest

REFERERS = (
    "//evil.example/phish",
    "http://localhost//evil.example/phish",
    "http://localhost/\\evil.example/phish",
    "https://evil.example/phish",
)


@pytest.mark.parametrize("referer", REFERERS)
def test_language_switch_never_redirects_off_site(client_for: Any, referer: str) -> None:
    response = client_for("anonymous").get("/lang/en", headers={"Referer": referer})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_goes_back_to_the_local_page(client_for: Any) -> None:
    response = client_for("mentee").get(
        "/lang/en", headers={"Referer": "http://localhost/fortschritt?range=90"}
    )
    assert response.headers["Location"] == "/fortschritt?range=90"


def _post_callback(client: Any, body: Any) -> Any:
    from dashboards.auth import CSRF_COOKIE, CSRF_HEADER

    cookie = client.get_cookie(CSRF_COOKIE)
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        "/_dash-update-component",
        data=raw,
        content_type="application/json",
        headers={CSRF_HEADER: cookie.value},
    )


MALFORMED = {
    "object without callback": {"foo": 1},
    "list": [],
    "deep nesting": "[" * 50_000 + "]" * 50_000,
    "deep nesting in a value": '{"output": "progress-charts.children", "inputs": [{"value": '
    + "[" * 50_000
    + "]" * 50_000
    + "}]}",
    "unknown output": {
        "output": "no-such.children",
        "outputs": {"id": "no-such", "property": "children"},
        "inputs": [],
        "changedPropIds": [],
    },
    "inputs not a list": {
        "output": "progress-charts.children",
        "outputs": {"id": "progress-charts", "property": "children"},
        "inputs": "mentee-a",
    },
    "too few inputs": {
        "output": "progress-charts.children",
        "outputs": {"id": "progress-charts", "property": "children"},
        "inputs": [{"id": "progress-person", "property": "data", "value": "mentee-a"}],
    },
    "input without id": {
        "output": "progress-charts.children",
        "outputs": {"id": "progress-charts", "property": "children"},
        "inputs": [{"value": 1}, {"value": 2}],
    },
    "not json": "{'output': ",
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_callback_requests_get_400(client_for: Any, name: str) -> None:
    response = _post_callback(client_for("coordinator"), MALFORMED[name])
    assert response.status_code == 400, response.get_data(as_text=True)[:200]
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_well_formed_callback_still_answers(client_for: Any, dashcall: Any) -> None:
    client = client_for("mentee")
    progress = next(
        d for d in dashcall.dependencies(client) if d["output"] == "progress-charts.children"
    )
    response = dashcall.call(
        client, progress, {"progress-person.data": "mentee-a", "progress-range.value": "all"}
    )
    assert response.status_code == 200
    assert "progress-followers" in response.get_data(as_text=True)


BAD_HANDLES = (
    ("bluesky", "erika@social"),
    ("bluesky", "<img src=x>.bsky.social"),
    ("blog", "javascript:alert(1)"),
)


@pytest.mark.parametrize(("platform", "handle"), BAD_HANDLES)
def test_admin_add_account_with_a_bad_handle_shows_the_error(
    client_for: Any, dashcall: Any, web_db: Any, platform: str, handle: str
) -> None:
    from sqlalchemy import func, select

    from tracker.store.models import Account

    db, _data = web_db
    with db.session() as session:
        before = session.scalar(select(func.count()).select_from(Account))
    client = client_for("coordinator")
    dep = next(
        d
        for d in dashcall.dependencies(client)
        if d["output"].startswith("..admin-account-message.children")
    )
    response = dashcall.call(
        client,
        dep,
        {
            "admin-account-save.n_clicks": 1,
            "admin-account-person.value": "mentee-b",
            "admin-account-platform.value": platform,
            "admin-account-handle.value": handle,
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    message = response.get_json()["response"]["admin-account-message"]["children"]
    assert message.startswith("Nicht gespeichert:"), message
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == before


def _tls_app(web_db: Any, web: dict[str, Any]) -> Any:
    from dashboards.app import create_app
    from tracker.config import Config

    db, _data = web_db
    return create_app(Config.model_validate({"web": web}), db, key="k" * 48)


def _cookies_after_login(app: Any, data: Any, headers: dict[str, str]) -> tuple[Any, list[str]]:
    """Log in and switch the language; every Set-Cookie header seen on the way."""
    import re

    client = app.server.test_client()
    seen: list[str] = []
    page = client.get("/login", headers=headers)
    seen += page.headers.getlist("Set-Cookie")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token
    login = client.post(
        "/login",
        data={"email": data.emails["mentee"], "password": PASSWORD, "csrf_token": token.group(1)},
        headers=headers,
    )
    assert login.status_code == 302
    seen += login.headers.getlist("Set-Cookie")
    for path in ("/fortschritt", "/lang/en"):
        response = client.get(path, headers=headers)
        seen += response.headers.getlist("Set-Cookie")
    return response, seen


PASSWORD = "ein-langes-passwort-123"


def test_behind_https_every_cookie_is_secure_and_hsts_is_sent(web_db: Any, data: Any) -> None:
    app = _tls_app(web_db, {"base_url": "https://tracker.example"})
    response, cookies = _cookies_after_login(app, data, {})
    names = {c.split("=", 1)[0] for c in cookies}
    assert {"tracker_session", "_csrf_token", "lang"} <= names
    for cookie in cookies:
        assert "; Secure" in cookie, cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_trusted_proxy_saying_https_turns_on_hsts_and_secure(web_db: Any, data: Any) -> None:
    app = _tls_app(web_db, {"trusted_proxies": 1})
    response, cookies = _cookies_after_login(app, data, {"X-Forwarded-Proto": "https"})
    assert cookies and all("; Secure" in c for c in cookies)
    assert "Strict-Transport-Security" in response.headers


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(web_db: Any, data: Any) -> None:
    app = _tls_app(web_db, {})
    response, cookies = _cookies_after_login(app, data, {"X-Forwarded-Proto": "https"})
    assert cookies and not any("; Secure" in c for c in cookies)
    assert "Strict-Transport-Security" not in response.headers


def _progress_call(client: Any, dashcall: Any, person: str) -> Any:
    dep = next(
        d for d in dashcall.dependencies(client) if d["output"] == "progress-charts.children"
    )
    return dashcall.call(
        client, dep, {"progress-person.data": person, "progress-range.value": "all"}
    )


def _denied_entries(db: Any, settle: float = 2.0) -> list[Any]:
    """The denied entries, once their number has stopped changing (they are written after the
    response, possibly by a retry)."""
    import time

    from sqlalchemy import select

    from tracker.store.models import AuditEntry

    def read() -> list[Any]:
        with db.session() as session:
            return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "denied")))

    entries, deadline = read(), time.monotonic() + settle
    while time.monotonic() < deadline:
        time.sleep(0.1)
        entries = read()
    return entries


def test_a_denied_callback_is_audited_with_who_what_and_when(
    client_for: Any, dashcall: Any, web_db: Any
) -> None:
    from connectors.base import utcnow

    db, _data = web_db
    before = utcnow()
    response = _progress_call(client_for("mentor_other"), dashcall, "mentee-a")
    assert "nicht freigegeben" in response.get_data(as_text=True)
    [entry] = _denied_entries(db)
    assert entry.viewer == "mentor-b" and entry.viewer_role == "mentor"
    assert entry.person_key == "mentee-a"
    assert "progress-charts.children" in entry.surface
    assert entry.at.replace(tzinfo=before.tzinfo) >= before.replace(microsecond=0)


def test_a_flood_of_denied_callbacks_is_written_only_up_to_a_bound(
    client_for: Any, dashcall: Any, web_db: Any
) -> None:
    db, _data = web_db
    client = client_for("mentor_other")
    for n in range(100):
        _progress_call(client, dashcall, "mentee-a" if n % 2 else f"forged-{n}")
    entries = _denied_entries(db)
    # The start of the flood is on record; the rest is only counted.
    assert 10 <= len(entries) <= 20
    # A forged key is not copied into the log.
    assert {e.person_key for e in entries} == {"mentee-a", None}


def test_page_views_keep_working_while_another_process_holds_the_write_lock(
    client_for: Any, dashcall: Any, web_db: Any
) -> None:
    """A long import holds SQLite's write lock: the page is served at once, and its audit
    entry is written once the lock is free."""
    import sqlite3
    import time

    from sqlalchemy import select

    from tracker.store.models import AuditEntry

    db, _data = web_db
    client = client_for("mentee")
    path = db.engine.url.database
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # what a roster import holds while it runs
    try:
        started = time.monotonic()
        response = _progress_call(client, dashcall, "mentee-a")
        took = time.monotonic() - started
        assert response.status_code == 200
        assert "progress-followers" in response.get_data(as_text=True)
        assert took < 10, took
        layout = client.get("/_dash-layout")
        assert layout.status_code == 200
    finally:
        other.execute("COMMIT")
        other.close()
    deadline = time.monotonic() + 30
    surfaces: list[str] = []
    while "callback.progress" not in surfaces and time.monotonic() < deadline:
        time.sleep(0.1)
        with db.session() as session:
            surfaces = list(
                session.scalars(
                    select(AuditEntry.surface).where(AuditEntry.person_key == "mentee-a")
                )
            )
    assert "callback.progress" in surfaces


def test_the_invitation_page_refuses_a_weak_password_saying_why(app: Any, web_db: Any) -> None:
    import re

    from tracker.programme.users import create_invite

    db, _data = web_db
    with db.write() as session:
        link = create_invite(session, "neu@t.invalid", "mentee-b", "mentee", "http://x")
    path = link.url.removeprefix("http://x")
    client = app.server.test_client()
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    weak = " " * 12
    response = client.post(
        path, data={"password": weak, "repeat": weak, "csrf_token": token.group(1)}
    )
    assert response.status_code == 400
    assert "zu leicht zu erraten" in response.get_data(as_text=True)
