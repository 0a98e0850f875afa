"""``tracker check --live``: one probe per platform, as a table of what works."""

from __future__ import annotations

import pytest
import responses
import respx

from tests.connectors.conftest import load
from tracker.cli import main
from tracker.config import Config
from tracker.polling.livecheck import live_check


@pytest.fixture
def net():
    """No real network: requests and httpx calls get only what a test registers."""
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False) as rsps,
        respx.mock(assert_all_called=False) as router,
    ):
        yield rsps, router


def test_rows_tell_reachable_authenticated_and_rate_limit(net, monkeypatch):
    rsps, router = net
    monkeypatch.setenv("TRACKER_X_BEARER_TOKEN", "AAAAlivecheckfaketoken0123456789")
    rsps.get(
        "https://api.twitter.com/2/users/by/username/xdevelopers",
        json=load("x", "user.json"),
        headers={"x-rate-limit-remaining": "14"},
    )
    router.get("https://public.api.bsky.app/xrpc/app.bsky.actor.getProfile").respond(
        json=load("bluesky", "profile.json")
    )
    config = Config.model_validate(
        {
            "platforms": {
                "x": {"bearer_token_env": "TRACKER_X_BEARER_TOKEN"},
                "facebook": {"access_token_env": "TRACKER_FB_UNSET"},
                "instagram": {"enabled": False},
            }
        }
    )
    rows = {r.platform: r for r in live_check(config, ("x", "facebook", "instagram", "bluesky"))}
    assert (rows["x"].reachable, rows["x"].authenticated, rows["x"].rate_remaining) == (
        True,
        True,
        14,
    )
    assert (rows["facebook"].reachable, rows["facebook"].authenticated) == (None, False)
    assert "TRACKER_FB_UNSET" in rows["facebook"].message
    assert rows["instagram"].message == "disabled in the config"
    assert (rows["bluesky"].reachable, rows["bluesky"].authenticated) == (True, None)


def test_unreachable_platform(net):
    config = Config()
    (row,) = live_check(config, ("mastodon",))  # nothing registered: the connection fails
    assert (row.reachable, row.authenticated) == (False, None)


def test_cli_prints_the_table_and_fails_when_something_is_broken(
    net, sqlite_db, capsys, monkeypatch
):
    from tracker.cli.command_context import console

    monkeypatch.setattr(console, "width", 250)  # one line per row
    url = sqlite_db.engine.url.render_as_string(hide_password=False)
    code = main(["--db", url, "check", "--live"])
    out = capsys.readouterr().out
    assert code == 1
    assert "Platforms (live)" in out
    for name in ("x", "facebook", "instagram", "bluesky", "mastodon", "blog"):
        assert name in out
    assert "TRACKER_X_BEARER_TOKEN" in out
