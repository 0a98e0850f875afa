"""Logins: throttling, session renewal, logout, invitations, CSRF, headers, and the secret key."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from connectors.base import utcnow
from dashboards.app import create_app
from tracker.config import Config
from tracker.errors import ConfigError
from tracker.programme.users import UserError, create_invite, hash_password

PASSWORD = "ein-langes-passwort-123"


def _csrf(client: Any) -> str:
    import re

    text = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match
    return match.group(1)


def _login(client: Any, email: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": _csrf(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def test_login_with_right_password_opens_the_role_home(app: Any, data: Any) -> None:
    client = app.server.test_client()
    response = _login(client, data.emails["mentee"], PASSWORD)
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/fortschritt")
    assert client.get("/_dash-layout").status_code == 200


def test_wrong_password_is_refused_without_telling_which_part_was_wrong(
    app: Any, data: Any
) -> None:
    client = app.server.test_client()
    wrong_password = _login(client, data.emails["mentee"], "falsches-passwort-999")
    unknown_email = _login(client, "nobody@t.invalid", PASSWORD)
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert "stimmen nicht" in wrong_password.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


def test_five_failures_throttle_that_account_from_that_address(app: Any, data: Any) -> None:
    client = app.server.test_client()
    email = data.emails["mentee"]
    for _ in range(5):
        assert _login(client, email, "falsches-passwort-999").status_code == 401
    # Even the right password is refused while throttled.
    assert _login(client, email, PASSWORD).status_code == 429
    # Another address, and another account from the same address, are not affected.
    assert _login(app.server.test_client(), email, PASSWORD, "10.0.0.2").status_code == 302
    other = app.server.test_client()
    assert _login(other, data.emails["coordinator"], PASSWORD).status_code == 302


def test_session_is_renewed_at_login(app: Any, data: Any) -> None:
    client = app.server.test_client()
    before_token = _csrf(client)
    before_cookie = client.get_cookie("tracker_session").value
    _login(client, data.emails["mentee"], PASSWORD)
    after_cookie = client.get_cookie("tracker_session").value
    assert after_cookie != before_cookie
    # The token from before the login does not work any more.
    response = client.post("/logout", data={"csrf_token": before_token})
    assert response.status_code == 400


def _session_cookies(response: Any) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("tracker_session=")]


def test_session_cookie_is_renewed_a_minute_after_it_was_signed_not_on_every_request(
    app: Any, data: Any, monkeypatch: Any
) -> None:
    client = app.server.test_client()
    _login(client, data.emails["mentee"], PASSWORD)
    client.get("/_dash-layout")  # makes the session's CSRF token: a change, so it is saved
    assert _session_cookies(client.get("/_dash-layout")) == []
    monkeypatch.setattr("dashboards.security.REFRESH_AFTER", timedelta(0))
    renewed = _session_cookies(client.get("/_dash-layout"))
    assert len(renewed) == 1 and "Expires=" in renewed[0]
    assert client.get("/_dash-layout").status_code == 200


def test_session_signed_longer_ago_than_its_lifetime_is_a_logout(
    app: Any, data: Any, monkeypatch: Any
) -> None:
    import itsdangerous.timed

    client = app.server.test_client()
    now = itsdangerous.timed.time.time()
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: now - 13 * 3600)
    _login(client, data.emails["mentee"], PASSWORD)  # signed 13 hours ago
    assert client.get("/_dash-layout").status_code == 200  # 13 hours ago, it was fresh
    monkeypatch.undo()
    assert client.get("/_dash-layout").status_code == 401


def test_a_cookie_the_server_just_signed_is_not_checked_again_and_a_forged_one_is_refused(
    app: Any, data: Any, monkeypatch: Any
) -> None:
    """The cookie a response set comes back with the next request: its signature was made here
    a moment ago, so that request is not held up checking it. Any other cookie still is."""
    from itsdangerous import URLSafeTimedSerializer

    client = app.server.test_client()
    _login(client, data.emails["mentee"], PASSWORD)
    client.get("/_dash-layout")  # the session's CSRF token is added: a new cookie is signed
    checks: list[str] = []
    real_loads = URLSafeTimedSerializer.loads

    def counted(self: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        checks.append(value)
        return real_loads(self, value, *args, **kwargs)

    monkeypatch.setattr(URLSafeTimedSerializer, "loads", counted)
    assert client.get("/_dash-layout").status_code == 200
    assert checks == []  # taken as signed here, with its content and time
    cookie = client.get_cookie("tracker_session").value
    payload, stamp, signature = cookie.rsplit(".", 2)
    forged = app.server.test_client()
    forged.set_cookie("tracker_session", f"{payload}.{stamp}.{signature[::-1]}")
    assert forged.get("/_dash-layout").status_code == 401
    assert len(checks) == 1  # a cookie not signed here is checked, and refused


def test_logout_ends_the_session_on_the_server(app: Any, data: Any) -> None:
    client = app.server.test_client()
    _login(client, data.emails["mentor_own"], PASSWORD)
    stolen = client.get_cookie("tracker_session").value
    token = client.get_cookie("_csrf_token").value
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/_dash-layout").status_code == 401
    # A copy of the cookie taken before the logout is worthless afterwards.
    replay = app.server.test_client()
    replay.set_cookie("tracker_session", stolen)
    assert replay.get("/_dash-layout").status_code == 401
    assert replay.get("/export/mentee-a.csv").status_code == 401


def test_login_form_without_csrf_token_is_rejected(app: Any, data: Any) -> None:
    client = app.server.test_client()
    client.get("/login")
    response = client.post("/login", data={"email": data.emails["mentee"], "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/_dash-layout").status_code == 401


def test_login_does_not_redirect_off_site(app: Any, data: Any) -> None:
    client = app.server.test_client()
    token = _csrf(client)
    response = client.post(
        "/login",
        data={
            "email": data.emails["mentee"],
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert response.headers["Location"] == "/"


def _invite(web_db: Any, ttl: timedelta = timedelta(days=7), now: Any = None) -> str:
    db, _data = web_db
    with db.write() as session:
        link = create_invite(
            session, "new@t.invalid", "mentee-b", "mentee", "http://x", ttl=ttl, now=now
        )
    return link.url.removeprefix("http://x")


def test_invite_sets_a_password_once(app: Any, web_db: Any) -> None:
    path = _invite(web_db)
    client = app.server.test_client()
    page = client.get(path)
    assert page.status_code == 200 and "new@t.invalid" in page.get_data(as_text=True)
    token = _csrf(client)
    too_short = client.post(path, data={"password": "kurz", "repeat": "kurz", "csrf_token": token})
    assert too_short.status_code == 400
    good = {"password": "mein-neues-passwort", "repeat": "mein-neues-passwort", "csrf_token": token}
    assert client.post(path, data=good).status_code == 302
    assert _login(client, "new@t.invalid", "mein-neues-passwort").status_code == 302
    # Used up: the same link cannot set a password again.
    other = app.server.test_client()
    assert other.get(path).status_code == 410
    good["csrf_token"] = _csrf(other)
    assert other.post(path, data=good).status_code == 410


def test_expired_invite_is_refused(app: Any, web_db: Any) -> None:
    path = _invite(web_db, ttl=timedelta(days=7), now=utcnow() - timedelta(days=8))
    client = app.server.test_client()
    assert client.get(path).status_code == 410
    assert "abgelaufen" in client.get(path).get_data(as_text=True)


def test_short_passwords_are_not_accepted() -> None:
    with pytest.raises(UserError):
        hash_password("elf-zeichen")
    assert hash_password("zwölf-zeichen").startswith("$argon2")


def test_security_headers_and_a_policy_without_eval(app: Any, client_for: Any) -> None:
    client = client_for("mentee")
    for path in ("/login", "/fortschritt", "/_dash-layout"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "unsafe-eval" not in policy
        assert "script-src 'self' 'sha256-" in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cache-Control"] == "no-store"
    cookie = client.get_cookie("tracker_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_session_cookie_is_secure_behind_https(web_db: Any) -> None:
    db, _data = web_db
    config = Config.model_validate({"web": {"base_url": "https://tracker.example"}})
    app = create_app(config, db, key="k" * 48)
    assert app.server.config["SESSION_COOKIE_SECURE"] is True


def test_serving_needs_a_secret_key_outside_demo(web_db: Any, monkeypatch: Any) -> None:
    db, _data = web_db
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="TRACKER_SECRET_KEY"):
        create_app(Config(), db)
    demo = create_app(Config(), db, demo=True)
    assert len(demo.server.config["SECRET_KEY"]) >= 32
    assert demo.server.debug is False


def test_healthz_tells_nothing_personal(client_for: Any) -> None:
    body = client_for("anonymous").get("/healthz").get_json()
    assert set(body) == {"status", "heartbeat_age_seconds", "last_success_at"}
    assert body["status"] == "degraded" and body["heartbeat_age_seconds"] is None


def test_export_csv_keeps_unknown_empty(client_for: Any) -> None:
    text = client_for("mentee").get("/export/mentee-a.csv?machine=1").get_data(as_text=True)
    header = text.splitlines()[0]
    assert header == "platform,handle,taken_at,followers,following,posts,source"
    assert "anna.bsky.social" in text
    # shares are unknown for every post: empty cells, never 0
    post_rows = text.split("\r\n\r\n")[1].splitlines()[1:]
    assert post_rows and all(row.endswith(",") for row in post_rows)


def test_language_switch_sets_english(client_for: Any) -> None:
    client = client_for("mentee")
    client.get("/lang/en")
    assert "Log in" in client.get("/login").get_data(as_text=True)
    client.get("/lang/de")
    assert "Anmelden" in client.get("/login").get_data(as_text=True)


def test_csv_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    from dashboards.exports import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("@handle") == "'@handle"
    assert _cell(None) == "" and _cell(0) == "0"
