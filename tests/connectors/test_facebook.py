"""Facebook pages through the real facebook-sdk GraphAPI, served recorded Graph responses."""

from __future__ import annotations

import json
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
    BadResponse,
    PlatformUnavailable,
    RateLimited,
)
from connectors.facebook import FacebookConnector, parse_posts, parse_profile
from tests.connectors.conftest import load

TOKEN = "EAAGfakePageAccessTokenForTests0123456789abcdefZZ"
GRAPH = "https://graph.facebook.com/v23.0"


@pytest.fixture
def fb() -> FacebookConnector:
    conn = get_connector(
        "facebook",
        {"access_token": TOKEN, "access_token_env_name": "TRACKER_FACEBOOK_ACCESS_TOKEN"},
    )
    assert isinstance(conn, FacebookConnector)
    return conn


@pytest.fixture
def api():
    with responses.RequestsMock() as rsps:
        yield rsps


def graph_error(code: int, message: str, **extra: object) -> dict:
    return {"error": {"message": message, "type": "OAuthException", "code": code, **extra}}


def test_parse_profile_of_recorded_page():
    stats = parse_profile(load("facebook", "single_default_page.json"), "facebookapp")
    assert stats.platform_id == "20531316728"
    assert stats.display_name == "Facebook"
    assert stats.followers == 214507731  # fan_count: the page reports no followers_count
    assert (stats.following, stats.posts) == (None, None)


def test_parse_profile_prefers_followers_count_and_keeps_unknown_none():
    page = {"id": "1", "name": "P", "followers_count": 120, "fan_count": 99}
    assert parse_profile(page).followers == 120
    assert parse_profile({"id": "1", "name": "P"}).followers is None


def test_parse_posts_of_recorded_feed():
    posts = parse_posts(load("facebook", "feeds_default_fields_p1.json"))
    assert len(posts) == 5
    first = posts[0]
    assert first.post_id == "19292868552_10158349356748553"
    assert first.published_at == datetime(2021, 7, 9, 19, 9, 52, tzinfo=UTC)
    assert (first.likes, first.comments, first.shares) == (125, 13, 10)
    assert first.views is None
    assert first.url == "https://www.facebook.com/19292868552/posts/10158349356748553/"
    assert [p.kind for p in posts] == ["photo", "link", "photo", "photo", "video"]


def test_parse_posts_missing_summaries_are_none():
    payload = {"data": [{"id": "1_2", "created_time": "2025-03-01T10:00:00+0000"}]}
    (post,) = parse_posts(payload)
    assert (post.likes, post.comments, post.shares) == (None, None, None)
    assert post.kind == "text"


def test_fetch_profile_uses_a_current_graph_version_and_timeout(fb, api):
    call = api.get(
        f"{GRAPH}/facebookapp",
        json=load("facebook", "single_fields_page.json"),
        match=[
            matchers.query_param_matcher(
                {"fields": "id,name,username,followers_count,fan_count", "access_token": TOKEN}
            ),
            matchers.request_kwargs_matcher({"timeout": 20.0}),
        ],
    )
    stats = fb.fetch_profile("https://www.facebook.com/facebookapp/")
    assert stats.followers == 214507731
    assert call.call_count == 1


def test_graph_version_is_configurable(api):
    conn = get_connector("facebook", {"access_token": TOKEN, "graph_version": "22.0"})
    api.get(
        "https://graph.facebook.com/v22.0/facebookapp",
        json=load("facebook", "single_fields_page.json"),
    )
    assert conn.fetch_profile("facebookapp").platform_id == "20531316728"


@pytest.mark.parametrize(
    "spelling",
    [
        "facebookapp",
        "@facebookapp",
        "facebook.com/facebookapp",
        "https://m.facebook.com/facebookapp",
    ],
)
def test_handle_spellings(fb, api, spelling):
    api.get(f"{GRAPH}/facebookapp", json=load("facebook", "single_fields_page.json"))
    assert fb.fetch_profile(spelling).display_name == "Facebook"


def test_fetch_posts_follows_the_after_cursor(fb, api):
    first = api.get(
        f"{GRAPH}/19292868552/posts",
        json=load("facebook", "feeds_default_fields_p1.json"),
        match=[matchers.query_param_matcher({"limit": "20"}, strict_match=False)],
    )
    second = api.get(
        f"{GRAPH}/19292868552/posts",
        json=load("facebook", "feeds_default_fields_p2.json"),
        match=[matchers.query_param_matcher({"after": "after"}, strict_match=False)],
    )
    posts = fb.fetch_posts("19292868552", limit=20)
    assert len(posts) == 10  # p2 has no "next": paging stops there
    assert posts[-1].post_id == "19292868552_10158316421783553"
    assert (first.call_count, second.call_count) == (1, 1)


def test_fetch_posts_since_is_sent_and_applied(fb, api):
    call = api.get(
        f"{GRAPH}/19292868552/posts", json=load("facebook", "feeds_default_fields_p2.json")
    )
    since = datetime(2021, 6, 25, tzinfo=UTC)
    posts = fb.fetch_posts("19292868552", since=since, limit=50)
    assert [p.published_at.day for p in posts] == [29, 28]
    assert f"since={int(since.timestamp())}" in call.calls[0].request.url


def test_recorded_missing_object_error_is_account_not_found(fb, api):
    api.get(f"{GRAPH}/nosuchpage", json=load("facebook", "error_data.json"), status=400)
    with pytest.raises(AccountNotFound) as info:
        fb.fetch_profile("nosuchpage")
    assert info.value.platform == "facebook"
    assert info.value.handle == "nosuchpage"
    assert "Page Public Content Access" in str(info.value)  # Meta's hint survives


def test_expired_token_says_so(fb, api):
    body = graph_error(
        190, "Error validating access token: Session has expired on Friday.", error_subcode=463
    )
    api.get(f"{GRAPH}/facebookapp", json=body, status=400)
    with pytest.raises(AuthFailed) as info:
        fb.fetch_profile("facebookapp")
    assert "expired" in str(info.value)
    assert "TRACKER_FACEBOOK_ACCESS_TOKEN" in str(info.value)


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_throttling_codes_are_rate_limited(fb, api, code):
    usage = {
        "20531316728": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}]
    }
    api.get(
        f"{GRAPH}/facebookapp",
        json=graph_error(code, f"(#{code}) Application request limit reached"),
        status=400,
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
    )
    with pytest.raises(RateLimited) as info:
        fb.fetch_profile("facebookapp")
    assert info.value.retry_after == 420


def test_non_json_5xx_is_platform_unavailable(fb, api):
    api.get(
        f"{GRAPH}/facebookapp",
        body="<html>502 Bad Gateway</html>",
        status=502,
        content_type="text/html",
    )
    with pytest.raises(PlatformUnavailable, match="502"):
        fb.fetch_profile("facebookapp")


def test_graph_unknown_error_is_platform_unavailable(fb, api):
    api.get(
        f"{GRAPH}/facebookapp", json=graph_error(2, "Service temporarily unavailable"), status=500
    )
    with pytest.raises(PlatformUnavailable):
        fb.fetch_profile("facebookapp")


def test_other_graph_error_is_bad_response(fb, api):
    api.get(f"{GRAPH}/facebookapp", json=graph_error(100, "Tried accessing field (x)"), status=400)
    with pytest.raises(BadResponse):
        fb.fetch_profile("facebookapp")


def test_missing_token_names_the_variable(api):
    conn = get_connector("facebook", {"access_token_env_name": "FB_TOKEN"})
    with pytest.raises(AuthFailed, match="set FB_TOKEN"):
        conn.fetch_profile("facebookapp")
    assert len(api.calls) == 0


def test_connection_error_hides_the_token_in_the_url(fb, api, all_logs):
    api.get(
        f"{GRAPH}/facebookapp",
        body=requests.ConnectionError(
            f"Max retries exceeded with url: /v23.0/facebookapp?access_token={TOKEN}"
        ),
    )
    with pytest.raises(PlatformUnavailable) as info:
        fb.fetch_profile("facebookapp")
    assert TOKEN not in str(info.value)
    assert TOKEN not in all_logs()


def test_no_secret_in_any_log_line(fb, api, all_logs):
    api.get(f"{GRAPH}/facebookapp", json=load("facebook", "single_fields_page.json"))
    api.get(f"{GRAPH}/facebookapp/posts", json=load("facebook", "feeds_default_fields_p2.json"))
    fb.fetch_profile("facebookapp")
    fb.fetch_posts("facebookapp")
    logs = all_logs()
    assert "access_token=***" in logs  # the request URL was logged, token masked
    assert TOKEN not in logs


@pytest.mark.live
def test_live_page():
    token = os.environ.get("TRACKER_FACEBOOK_ACCESS_TOKEN")
    if not token:
        pytest.skip("TRACKER_FACEBOOK_ACCESS_TOKEN is not set")
    stats = get_connector("facebook", {"access_token": token}).fetch_profile("facebook")
    assert stats.followers is not None and stats.followers > 0


@pytest.mark.parametrize(
    ("status", "error"),
    [(503, PlatformUnavailable), (502, PlatformUnavailable), (404, AccountNotFound)],
)
def test_an_error_status_with_an_empty_json_body_is_an_error(fb, api, status, error):
    # A proxy answering 503 with ``{}``: facebook-sdk hands the empty object back as a page.
    api.get(f"{GRAPH}/facebookapp", json={}, status=status)
    with pytest.raises(error) as info:
        fb.fetch_profile("facebookapp")
    assert f"HTTP {status}" in str(info.value)
    api.get(f"{GRAPH}/facebookapp/posts", json={"data": []}, status=status)
    with pytest.raises(error):
        fb.fetch_posts("facebookapp")


def test_a_page_answer_without_any_count_is_a_bad_response(fb, api):
    api.get(f"{GRAPH}/facebookapp", json={"id": "20531316728", "name": "Facebook"})
    with pytest.raises(BadResponse) as info:
        fb.fetch_profile("facebookapp")
    assert "no count" in str(info.value)
    api.get(f"{GRAPH}/facebookapp", json={})
    with pytest.raises(BadResponse):
        fb.fetch_profile("facebookapp")
