"""Bluesky through the real atproto client against a public AppView, served by ``respx``."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
import respx

from connectors import get_connector
from connectors.bluesky import BlueskyConnector, parse_posts, parse_profile, post_url
from connectors.errors import (
    AccountNotFound,
    BadHandle,
    BadResponse,
    PlatformUnavailable,
    RateLimited,
)
from tests.connectors.conftest import load

APPVIEW = "https://public.api.bsky.app/xrpc"
PROFILE = f"{APPVIEW}/app.bsky.actor.getProfile"
FEED = f"{APPVIEW}/app.bsky.feed.getAuthorFeed"
HANDLE = "erika-beispiel.bsky.social"
DID = "did:plc:z72i7hdynmk6r22z27h6tvur"


@pytest.fixture
def bsky() -> BlueskyConnector:
    conn = get_connector("bluesky", {})
    assert isinstance(conn, BlueskyConnector)
    return conn


@pytest.fixture
def api():
    with respx.mock(assert_all_called=False) as router:
        yield router


def test_parse_profile_of_documented_shape():
    stats = parse_profile(load("bluesky", "profile.json"))
    assert (stats.followers, stats.following, stats.posts) == (842, 133, 219)
    assert stats.platform_id == DID
    assert stats.display_name == "Erika Beispiel"


def test_parse_profile_missing_counts_are_none():
    stats = parse_profile({"did": DID, "handle": HANDLE})
    assert (stats.followers, stats.following, stats.posts) == (None, None, None)


def test_parse_posts_skips_reposts_and_reads_metrics():
    posts = parse_posts(load("bluesky", "feed_p1.json"), DID)
    assert [p.kind for p in posts] == ["photo", "link"]
    first = posts[0]
    assert (first.likes, first.comments, first.shares, first.views) == (31, 2, 6, None)
    assert first.published_at == datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    assert first.url == f"https://bsky.app/profile/{HANDLE}/post/3lkq2b7xwn22a"
    (bare,) = parse_posts(load("bluesky", "feed_p2.json"), DID)
    assert (bare.likes, bare.comments, bare.shares) == (None, None, None)


def test_post_url_of_other_records_is_none():
    assert post_url(f"at://{DID}/app.bsky.feed.like/3abc", HANDLE) is None


def test_fetch_profile_through_the_appview_with_a_timeout(bsky, api):
    route = api.get(PROFILE, params={"actor": HANDLE}).respond(json=load("bluesky", "profile.json"))
    stats = bsky.fetch_profile("@Erika-Beispiel.bsky.social")
    assert stats.followers == 842
    assert route.call_count == 1
    request = route.calls[0].request
    assert "authorization" not in request.headers
    assert request.extensions["timeout"]["read"] == 20.0


@pytest.mark.parametrize(
    "spelling",
    ["erika-beispiel", "@erika-beispiel.bsky.social", f"https://bsky.app/profile/{HANDLE}"],
)
def test_handle_spellings(bsky, api, spelling):
    api.get(PROFILE, params={"actor": HANDLE}).respond(json=load("bluesky", "profile.json"))
    assert bsky.fetch_profile(spelling).platform_id == DID


def test_appview_is_settable(api):
    conn = get_connector("bluesky", {"appview": "https://api.bsky.example"})
    route = api.get("https://api.bsky.example/xrpc/app.bsky.actor.getProfile").respond(
        json=load("bluesky", "profile.json")
    )
    conn.fetch_profile(HANDLE)
    assert route.call_count == 1


def test_unknown_actor_is_account_not_found(bsky, api):
    api.get(PROFILE).respond(400, json=load("bluesky", "profile_not_found.json"))
    with pytest.raises(AccountNotFound, match="Profile not found") as info:
        bsky.fetch_profile("nosuch.bsky.social")
    assert (info.value.platform, info.value.handle) == ("bluesky", "nosuch.bsky.social")


def test_429_is_rate_limited_with_reset(bsky, api):
    reset = int(datetime.now(UTC).timestamp()) + 120
    api.get(PROFILE).respond(
        429,
        json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        headers={"ratelimit-remaining": "0", "ratelimit-reset": str(reset)},
    )
    with pytest.raises(RateLimited) as info:
        bsky.fetch_profile(HANDLE)
    assert info.value.retry_after is not None and 100 < info.value.retry_after <= 120


def test_5xx_and_timeouts_are_platform_unavailable(bsky, api):
    api.get(PROFILE).respond(503, text="unavailable")
    with pytest.raises(PlatformUnavailable):
        bsky.fetch_profile(HANDLE)
    api.get(FEED).mock(side_effect=httpx.ReadTimeout("read timed out"))
    with pytest.raises(PlatformUnavailable):
        bsky.fetch_posts(HANDLE)


def test_fetch_posts_pages_by_cursor_without_replies(bsky, api):
    first = api.get(FEED, params={"actor": HANDLE, "filter": "posts_no_replies", "limit": "50"})
    first.respond(json=load("bluesky", "feed_p1.json"))
    api.get(FEED, params={"cursor": "2025-03-12T17:05:00.000Z"}).respond(
        json=load("bluesky", "feed_p2.json")
    )
    posts = bsky.fetch_posts(HANDLE, limit=50)
    assert [p.published_at.day for p in posts] == [14, 12, 1]
    assert all(DID in p.post_id for p in posts)  # the repost of another account is left out


def test_fetch_posts_since_stops_paging(bsky, api):
    route = api.get(FEED).respond(json=load("bluesky", "feed_p1.json"))
    posts = bsky.fetch_posts(HANDLE, since=datetime(2025, 3, 13, tzinfo=UTC))
    assert [p.published_at.day for p in posts] == [14]
    assert route.call_count == 1


def test_bad_handle_is_refused(bsky, api):
    with pytest.raises(BadHandle):
        bsky.fetch_profile("not a handle!")


@pytest.mark.live
def test_live_profile():
    stats = get_connector("bluesky", {}).fetch_profile("bsky.app")
    assert stats.followers is not None and stats.followers > 0


def test_appview_address_is_accepted_with_or_without_xrpc() -> None:
    from connectors.bluesky import BlueskyConnector

    plain = BlueskyConnector({"appview": "https://appview.example/"})
    full = BlueskyConnector({"appview": "https://appview.example/xrpc"})
    assert plain.appview == full.appview == "https://appview.example/xrpc"


def test_an_error_status_with_an_empty_json_body_is_an_error(bsky, api):
    api.get(PROFILE).respond(503, json={})
    with pytest.raises(PlatformUnavailable):
        bsky.fetch_profile(HANDLE)


def test_a_profile_answer_without_any_count_is_a_bad_response(bsky, api):
    api.get(PROFILE).respond(200, json={"did": "did:plc:abc", "handle": HANDLE})
    with pytest.raises(BadResponse):
        bsky.fetch_profile(HANDLE)
