"""Login throttling: per account and address, per address, per account over all addresses;
a known device of the owner is never locked out by other people's failures; the client
address comes from X-Forwarded-For only through a trusted proxy."""

from __future__ import annotations

import re
from typing import Any

from dashboards.app import create_app
from tracker.config import Config

PASSWORD = "ein-langes-passwort-123"
WRONG = "falsches-passwort-999"


def _app(web_db: Any, trusted_proxies: int = 0) -> Any:
    db, _data = web_db
    config = Config.model_validate({"web": {"trusted_proxies": trusted_proxies}})
    return create_app(config, db, key="k" * 48)


def _login(client: Any, email: str, password: str, address: str, forwarded: str = "") -> int:
    environ = {"REMOTE_ADDR": address}
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    page = client.get("/login", environ_base=environ, headers=headers)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        environ_base=environ,
        headers=headers,
    )
    return int(response.status_code)


def test_a_flood_from_one_address_behind_the_proxy_does_not_stop_others(
    web_db: Any, data: Any
) -> None:
    app = _app(web_db, trusted_proxies=1)
    attacker = app.server.test_client()
    for n in range(30):
        status = _login(attacker, f"nobody{n}@t.invalid", WRONG, "127.0.0.1", "203.0.113.9")
        assert status == 401
    assert _login(attacker, "nobody@t.invalid", WRONG, "127.0.0.1", "203.0.113.9") == 429
    assert (
        _login(
            app.server.test_client(),
            data.emails["coordinator"],
            PASSWORD,
            "127.0.0.1",
            "198.51.100.7",
        )
        == 302
    )


def test_forwarded_addresses_are_not_believed_without_a_trusted_proxy(
    web_db: Any, data: Any
) -> None:
    app = _app(web_db)
    client = app.server.test_client()
    email = data.emails["mentee"]
    for n in range(5):
        assert _login(client, email, WRONG, "10.0.0.1", f"192.0.2.{n}") == 401
    assert _login(client, email, PASSWORD, "10.0.0.1", "192.0.2.99") == 429


def test_guesses_spread_over_many_addresses_hit_a_cap_per_account(web_db: Any, data: Any) -> None:
    app = _app(web_db)
    email = data.emails["mentee"]
    for n in range(20):
        assert _login(app.server.test_client(), email, WRONG, f"10.0.1.{n}") == 401
    assert _login(app.server.test_client(), email, PASSWORD, "10.0.2.1") == 429


def test_the_owner_on_her_known_device_is_not_locked_out(web_db: Any, data: Any) -> None:
    app = _app(web_db)
    email = data.emails["mentee"]
    phone = app.server.test_client()
    assert _login(phone, email, PASSWORD, "10.0.3.1") == 302
    # Someone else guesses from many addresses, and from her own (a shared address).
    for n in range(20):
        _login(app.server.test_client(), email, WRONG, f"10.0.4.{n}")
    for _ in range(5):
        _login(app.server.test_client(), email, WRONG, "10.0.3.1")
    assert _login(app.server.test_client(), email, PASSWORD, "10.0.3.1") == 429
    assert _login(phone, email, PASSWORD, "10.0.3.1") == 302


def test_a_known_device_is_throttled_too(web_db: Any, data: Any) -> None:
    app = _app(web_db)
    email = data.emails["mentee"]
    device = app.server.test_client()
    assert _login(device, email, PASSWORD, "10.0.5.1") == 302
    for _ in range(10):
        assert _login(device, email, WRONG, "10.0.5.1") == 401
    assert _login(device, email, PASSWORD, "10.0.5.1") == 429


def test_login_rotates_the_server_side_session_token(web_db: Any, data: Any) -> None:
    app = _app(web_db)
    first = app.server.test_client()
    assert _login(first, data.emails["mentee"], PASSWORD, "10.0.6.1") == 302
    assert first.get("/_dash-layout").status_code == 200
    second = app.server.test_client()
    assert _login(second, data.emails["mentee"], PASSWORD, "10.0.6.2") == 302
    # The session from before the new login has ended on the server.
    assert first.get("/_dash-layout").status_code == 401
    assert second.get("/_dash-layout").status_code == 200
