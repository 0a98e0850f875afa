"""X through the real tweepy Client, served documentation-shaped payloads by ``responses``."""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime

import pytest
import requests
import responses
from responses import matchers

from connectors import get_connector
from connectors.errors import (
    AccountNotFound,
    AccountUnavailable,
    AuthFailed,
    BadResponse,
    PlatformUnavailable,
    RateLimited,
)
from connectors.x import XConnector, parse_posts, parse_profile
from tests.connectors.conftest import load

TOKEN = "AAAAAAAAAAAAAAAAAAAAAFakeBearerTokenForTests0123456789abcdef"
USER_URL = "https://api.twitter.com/2/users/by/username/erika_beispiel"
TWEETS_URL = "https://api.twitter.com/2/users/1500000000000000001/tweets"


@pytest.fixture
def x() -> XConnector:
    conn = get_connector(
        "x", {"bearer_token": TOKEN, "bearer_token_env_name": "TRACKER_X_BEARER_TOKEN"}
    )
    assert isinstance(conn, XConnector)
    return conn


@pytest.fixture
def api():
    with responses.RequestsMock() as rsps:
        yield rsps


def test_parse_profile_reads_public_metrics():
    stats = parse_profile(load("x", "user.json"), "erika_beispiel")
    assert (stats.followers, stats.following, stats.posts) == (1532, 287, 4121)
    assert stats.platform_id == "1500000000000000001"
    assert stats.handle == "erika_beispiel"
    assert stats.display_name == "Erika Beispiel"


def test_parse_profile_missing_metrics_are_none_not_zero():
    payload = {"data": {"id": "1", "username": "a", "name": "A", "public_metrics": {}}}
    stats = parse_profile(payload, "a")
    assert (stats.followers, stats.following, stats.posts) == (None, None, None)


def test_parse_posts_kinds_metrics_and_missing_fields():
    first = parse_posts(load("x", "tweets_p1.json"), "erika_beispiel")
    second = parse_posts(load("x", "tweets_p2.json"), "erika_beispiel")
    assert [p.kind for p in first + second] == ["photo", "link", "video"]
    photo = first[0]
    assert (photo.likes, photo.comments, photo.shares, photo.views) == (41, 3, 5, 2210)
    assert photo.published_at == datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    assert photo.url == "https://x.com/erika_beispiel/status/1800000000000000003"
    # the second page's post has no quote_count and no impression_count
    assert second[0].shares == 9
    assert second[0].views is None


def test_fetch_profile_sends_bearer_and_timeout(x, api):
    call = api.get(
        USER_URL,
        json=load("x", "user.json"),
        headers={"x-rate-limit-remaining": "299"},
        match=[
            matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"}),
            matchers.query_param_matcher({"user.fields": "public_metrics,created_at"}),
            matchers.request_kwargs_matcher({"timeout": 20.0}),
        ],
    )
    stats = x.fetch_profile("@Erika_Beispiel")
    assert stats.followers == 1532
    assert call.call_count == 1
    assert x.rate_remaining == 299


@pytest.mark.parametrize(
    "spelling",
    [
        "erika_beispiel",
        "@Erika_Beispiel",
        "https://x.com/Erika_Beispiel",
        "twitter.com/erika_beispiel/",
    ],
)
def test_handle_spellings_reach_the_same_user(x, api, spelling):
    api.get(USER_URL, json=load("x", "user.json"))
    assert x.fetch_profile(spelling).platform_id == "1500000000000000001"


def test_unknown_username_is_an_errors_entry_not_an_exception(x, api):
    api.get(
        "https://api.twitter.com/2/users/by/username/nosuchmentee",
        json=load("x", "user_not_found.json"),
    )
    with pytest.raises(AccountNotFound) as info:
        x.fetch_profile("nosuchmentee")
    assert info.value.platform == "x"
    assert info.value.handle == "nosuchmentee"
    assert "Could not find user" in str(info.value)


def test_suspended_user_is_unavailable(x, api):
    api.get(
        "https://api.twitter.com/2/users/by/username/gesperrt_demo",
        json=load("x", "user_suspended.json"),
    )
    with pytest.raises(AccountUnavailable, match="suspended"):
        x.fetch_profile("gesperrt_demo")


@pytest.mark.parametrize("status", [401, 403])
def test_unauthorized_is_auth_failed_naming_the_variable(x, api, status):
    api.get(USER_URL, json=load("x", "unauthorized.json"), status=status)
    with pytest.raises(AuthFailed) as info:
        x.fetch_profile("erika_beispiel")
    assert "TRACKER_X_BEARER_TOKEN" in str(info.value)
    assert info.value.handle == "erika_beispiel"


def test_missing_token_fails_before_any_request(api):
    conn = get_connector("x", {"bearer_token_env_name": "MY_X_TOKEN"})
    with pytest.raises(AuthFailed, match="set MY_X_TOKEN"):
        conn.fetch_profile("erika_beispiel")
    assert len(api.calls) == 0


def test_429_is_rate_limited_with_retry_after_from_reset(x, api):
    reset = int(time.time()) + 600
    api.get(
        USER_URL,
        json=load("x", "too_many_requests.json"),
        status=429,
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )
    with pytest.raises(RateLimited) as info:
        x.fetch_profile("erika_beispiel")
    assert info.value.retry_after is not None
    assert 590 <= info.value.retry_after <= 600


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_platform_unavailable(x, api, status):
    api.get(USER_URL, body="upstream error", status=status)
    with pytest.raises(PlatformUnavailable, match=str(status)):
        x.fetch_profile("erika_beispiel")


def test_timeout_is_platform_unavailable(x, api):
    api.get(USER_URL, body=requests.Timeout("read timed out"))
    with pytest.raises(PlatformUnavailable, match="timed out"):
        x.fetch_profile("erika_beispiel")


def test_non_json_body_is_bad_response(x, api):
    api.get(USER_URL, body="<html>maintenance</html>", content_type="text/html")
    with pytest.raises(BadResponse):
        x.fetch_profile("erika_beispiel")


def test_fetch_posts_pages_excludes_retweets_and_replies(x, api):
    api.get(USER_URL, json=load("x", "user.json"))
    first = api.get(
        TWEETS_URL,
        json=load("x", "tweets_p1.json"),
        match=[matchers.query_param_matcher({"exclude": "retweets,replies"}, strict_match=False)],
    )
    second = api.get(
        TWEETS_URL,
        json=load("x", "tweets_p2.json"),
        match=[
            matchers.query_param_matcher(
                {"pagination_token": "7140dibdnow9c7btw3z2vwioavpvutgzrzm9icis4ndix"},
                strict_match=False,
            )
        ],
    )
    posts = x.fetch_posts("erika_beispiel", limit=10)
    assert [p.post_id for p in posts] == [
        "1800000000000000003",
        "1800000000000000002",
        "1800000000000000001",
    ]
    assert first.call_count == 1
    assert second.call_count == 1


def test_fetch_posts_respects_limit_and_since(x, api):
    api.get(USER_URL, json=load("x", "user.json"))
    call = api.get(TWEETS_URL, json=load("x", "tweets_p1.json"))
    since = datetime(2025, 3, 13, tzinfo=UTC)
    posts = x.fetch_posts("erika_beispiel", since=since, limit=1)
    assert [p.post_id for p in posts] == ["1800000000000000003"]
    sent = call.calls[0].request.url
    assert "start_time=2025-03-13T00%3A00%3A00Z" in sent
    assert "max_results=5" in sent  # the endpoint's minimum


def test_no_secret_in_any_log_line(x, api, all_logs):
    api.get(USER_URL, json=load("x", "user.json"))
    api.get(TWEETS_URL, json=load("x", "tweets_p2.json"))
    x.fetch_posts("erika_beispiel")
    api.get(
        "https://api.twitter.com/2/users/by/username/someone_else",
        json=load("x", "unauthorized.json"),
        status=401,
    )
    with pytest.raises(AuthFailed) as info:
        x.fetch_profile("someone_else")
    logs = all_logs()
    assert "Making API request" in logs  # tweepy did log its request, headers included
    assert TOKEN not in logs
    assert TOKEN not in str(info.value)
    assert re.search(r"Bearer \*\*\*", logs)


@pytest.mark.live
def test_live_lookup():
    token = os.environ.get("TRACKER_X_BEARER_TOKEN")
    if not token:
        pytest.skip("TRACKER_X_BEARER_TOKEN is not set")
    stats = get_connector("x", {"bearer_token": token}).fetch_profile("XDevelopers")
    assert stats.followers is not None and stats.followers > 0


def test_an_error_status_with_an_empty_json_body_is_an_error(x, api):
    api.get(USER_URL, json={}, status=503)
    with pytest.raises(PlatformUnavailable):
        x.fetch_profile("erika_beispiel")


def test_a_user_answer_without_any_count_is_a_bad_response(x, api):
    api.get(USER_URL, json={"data": {"id": "1", "username": "erika_beispiel"}})
    with pytest.raises(BadResponse):
        x.fetch_profile("erika_beispiel")
