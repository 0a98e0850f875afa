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
    "deep nesting in a value": '{"output": "progress-body.children", "inputs": [{"value": '
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
        "output": "progress-body.children",
        "outputs": {"id": "progress-body", "property": "children"},
        "inputs": "mentee-a",
    },
    "too few inputs": {
        "output": "progress-body.children",
        "outputs": {"id": "progress-body", "property": "children"},
        "inputs": [{"id": "progress-person", "property": "data", "value": "mentee-a"}],
    },
    "input without id": {
        "output": "progress-body.children",
        "outputs": {"id": "progress-body", "property": "children"},
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
        d for d in dashcall.dependencies(client) if d["output"] == "progress-body.children"
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
