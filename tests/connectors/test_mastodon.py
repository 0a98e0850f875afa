"""Mastodon through the real Mastodon.py client, served responses recorded from a Mastodon."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
import requests
import responses
from responses import matchers

from connectors import get_connector
from connectors.errors import (
    AccountNotFound,
    AuthFailed,
    BadHandle,
    BadResponse,
    PlatformUnavailable,
    RateLimited,
)
from connectors.mastodon import MastodonConnector, parse_posts, parse_profile
from tests.connectors.conftest import load

BASE = "https://social.example/api/v1"
ACCOUNT_ID = "117020565966271181"
HANDLE = "@mastodonpy_test@social.example"
TOKEN = "mstdnFakeAccessTokenForTests0123456789abcdef"


@pytest.fixture
def api():
    with responses.RequestsMock() as rsps:
        yield rsps


@pytest.fixture
def masto() -> MastodonConnector:
    conn = get_connector("mastodon", {})
    assert isinstance(conn, MastodonConnector)
    return conn


def serve(api, url: str, name: str, **kw):
    recorded = load("mastodon", name)
    return api.get(
        url, json=recorded["body"], status=recorded["status"], headers=recorded["headers"], **kw
    )


def test_parse_profile_of_recorded_account():
    stats = parse_profile(
        load("mastodon", "account_lookup.json")["body"], "mastodonpy_test@social.example"
    )
    assert stats.platform_id == ACCOUNT_ID
    assert (stats.followers, stats.following, stats.posts) == (0, 0, 0)  # a new account: real zeros
    assert stats.display_name == "John Lennon"


def test_parse_profile_hidden_or_missing_counts_are_none():
    stats = parse_profile({"id": "1", "followers_count": -1, "statuses_count": 12})
    assert (stats.followers, stats.following, stats.posts) == (None, None, 12)


def test_parse_posts_of_recorded_statuses():
    posts = parse_posts(load("mastodon", "statuses_p1.json")["body"])
    assert len(posts) == 5
    assert posts[0].post_id == "117020580518794573"
    assert posts[0].published_at == datetime(2026, 8, 1, 13, 52, 34, 108000, tzinfo=UTC)
    assert (posts[0].likes, posts[0].comments, posts[0].shares, posts[0].views) == (0, 0, 0, None)
    assert posts[0].url == "http://localhost:3000/@mastodonpy_test/117020580518794573"
    assert {p.kind for p in posts} == {"text"}


def test_parse_posts_skips_boosts_and_replies():
    base = {"created_at": "2025-03-01T10:00:00Z", "favourites_count": 1}
    items = [
        {**base, "id": "1"},
        {**base, "id": "2", "reblog": {"id": "9"}},
        {**base, "id": "3", "in_reply_to_id": "8"},
        {**base, "id": "4", "media_attachments": [{"type": "video"}]},
    ]
    posts = parse_posts(items)
    assert [p.post_id for p in posts] == ["1", "4"]
    assert posts[1].kind == "video"
    assert posts[0].shares is None


def test_fetch_profile_lookup_without_token_and_with_timeout(masto, api):
    call = serve(
        api,
        f"{BASE}/accounts/lookup",
        "account_lookup.json",
        match=[
            matchers.query_param_matcher({"acct": "mastodonpy_test"}),
            matchers.request_kwargs_matcher({"timeout": 20.0}),
        ],
    )
    stats = masto.fetch_profile(HANDLE)
    assert stats.platform_id == ACCOUNT_ID
    assert stats.handle == "mastodonpy_test@social.example"
    assert "Authorization" not in call.calls[0].request.headers
    assert masto.rate_remaining == 299


@pytest.mark.parametrize(
    "spelling",
    [
        "@mastodonpy_test@social.example",
        "mastodonpy_test@social.example",
        "https://social.example/@mastodonpy_test",
        "https://social.example/@mastodonpy_test/",
    ],
)
def test_handle_spellings(masto, api, spelling):
    serve(api, f"{BASE}/accounts/lookup", "account_lookup.json")
    assert masto.fetch_profile(spelling).platform_id == ACCOUNT_ID


def test_handle_without_instance_is_refused_before_any_request(masto, api):
    with pytest.raises(BadHandle, match="@user@instance"):
        masto.fetch_profile("mastodonpy_test")
    assert len(api.calls) == 0


def test_recorded_404_is_account_not_found(masto, api):
    serve(api, f"{BASE}/accounts/lookup", "account_lookup_404.json")
    with pytest.raises(AccountNotFound) as info:
        masto.fetch_profile("@kljadklajsdkljlkjlkjlkjasdasd@social.example")
    assert info.value.platform == "mastodon"
    assert info.value.handle == "kljadklajsdkljlkjlkjlkjasdasd@social.example"


def test_401_without_token_hints_at_a_token(api):
    conn = get_connector("mastodon", {"access_token_env_name": "TRACKER_MASTODON_ACCESS_TOKEN"})
    api.get(
        f"{BASE}/accounts/lookup",
        json={"error": "This API requires an authenticated user"},
        status=401,
    )
    with pytest.raises(AuthFailed, match="TRACKER_MASTODON_ACCESS_TOKEN"):
        conn.fetch_profile(HANDLE)


def test_429_is_rate_limited_without_waiting(masto, api):
    reset = datetime.fromtimestamp(datetime.now(UTC).timestamp() + 300, UTC)
    api.get(
        f"{BASE}/accounts/lookup",
        json={"error": "Too many requests"},
        status=429,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat()},
    )
    with pytest.raises(RateLimited) as info:
        masto.fetch_profile(HANDLE)
    assert info.value.retry_after is not None and 250 < info.value.retry_after <= 300


def test_5xx_and_network_errors_are_platform_unavailable(masto, api):
    api.get(f"{BASE}/accounts/lookup", body="bad gateway", status=502)
    with pytest.raises(PlatformUnavailable):
        masto.fetch_profile(HANDLE)
    api.get("https://down.example/api/v1/accounts/lookup", body=requests.ConnectTimeout("timeout"))
    with pytest.raises(PlatformUnavailable):
        masto.fetch_profile("@someone@down.example")


def test_fetch_posts_pages_with_max_id_excluding_boosts_and_replies(masto, api):
    serve(api, f"{BASE}/accounts/lookup", "account_lookup.json")
    first = serve(
        api,
        f"{BASE}/accounts/{ACCOUNT_ID}/statuses",
        "statuses_p1.json",
        match=[
            matchers.query_param_matcher(
                {"exclude_replies": "1", "exclude_reblogs": "1", "limit": "10"}
            )
        ],
    )
    second = serve(
        api,
        f"{BASE}/accounts/{ACCOUNT_ID}/statuses",
        "statuses_p2.json",
        match=[matchers.query_param_matcher({"max_id": "117020580489281910"}, strict_match=False)],
    )
    posts = masto.fetch_posts(HANDLE, limit=10)
    assert len(posts) == 10
    assert posts[-1].post_id == "117020580452511285"
    assert (first.call_count, second.call_count) == (1, 1)


def test_fetch_posts_stops_at_since(masto, api):
    serve(api, f"{BASE}/accounts/lookup", "account_lookup.json")
    serve(api, f"{BASE}/accounts/{ACCOUNT_ID}/statuses", "statuses_p1.json")
    since = datetime(2026, 8, 1, 13, 52, 34, tzinfo=UTC)
    posts = masto.fetch_posts(HANDLE, since=since, limit=10)
    assert [p.post_id for p in posts] == ["117020580518794573"]
    assert len(api.calls) == 2  # no second page once older posts appeared


def test_token_is_sent_and_never_logged(api, all_logs):
    conn = get_connector("mastodon", {"access_token": TOKEN})
    call = serve(api, f"{BASE}/accounts/lookup", "account_lookup.json")
    conn.fetch_profile(HANDLE)
    assert call.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    api.get(f"{BASE}/accounts/lookup", json={"error": "The access token is invalid"}, status=401)
    with pytest.raises(AuthFailed) as info:
        conn.fetch_profile(HANDLE)
    assert TOKEN not in str(info.value)
    assert TOKEN not in all_logs()


@pytest.mark.live
def test_live_lookup():
    settings = {"access_token": os.environ.get("TRACKER_MASTODON_ACCESS_TOKEN")}
    stats = get_connector("mastodon", settings).fetch_profile("@Mastodon@mastodon.social")
    assert stats.followers is not None and stats.followers > 0


def test_an_account_answer_without_any_count_is_a_bad_response(masto, api):
    api.get(f"{BASE}/accounts/lookup", json={"id": "1", "username": "erika", "acct": "erika"})
    with pytest.raises(BadResponse):
        masto.fetch_profile("@erika@social.example")
