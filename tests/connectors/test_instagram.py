"""Instagram in both modes: instaloader (the real library against a served profile page) and
graph (the real facebook-sdk against recorded business discovery responses)."""

from __future__ import annotations

import os
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
    PlatformUnavailable,
    RateLimited,
)
from connectors.instagram import InstagramConnector
from connectors.instagram import parse_posts as parse_graph_posts
from connectors.instagram import parse_profile as parse_graph_profile
from connectors.instagram_web import page_user, parse_posts, parse_profile
from tests.connectors.conftest import load, text

PAGE = "https://www.instagram.com/erika.beispiel/"
TOKEN = "IGQVJfakeInstagramGraphTokenForTests0123456789"
IG_USER = "17841406338772941"
GRAPH = f"https://graph.facebook.com/v23.0/{IG_USER}"


@pytest.fixture
def api():
    with responses.RequestsMock() as rsps:
        yield rsps


@pytest.fixture
def web() -> InstagramConnector:
    conn = get_connector("instagram", {"mode": "instaloader"})
    assert isinstance(conn, InstagramConnector)
    return conn


@pytest.fixture
def graph() -> InstagramConnector:
    conn = get_connector(
        "instagram",
        {"mode": "graph", "access_token": TOKEN, "ig_user_id": IG_USER, "graph_version": "v23.0"},
    )
    assert isinstance(conn, InstagramConnector)
    return conn


def serve_page(api, body: str, url: str = PAGE, status: int = 200, **kw):
    return api.get(url, body=body, status=status, content_type="text/html", **kw)


# -- instaloader mode: pure parsers ---------------------------------------------------------
def test_parse_profile_page_format_and_legacy_format():
    import json
    import re

    import instaloader.instaloadercontext as ic

    html = text("instagram", "profile_page.html")
    page = [
        d
        for m in re.finditer(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S)
        for d in ic._embedded_query_data(json.loads(m.group(1)))
    ]
    stats = parse_profile(page_user(page))
    assert (stats.followers, stats.following, stats.posts) == (2150, 310, 187)
    assert stats.platform_id == "48000000001"
    legacy = {"id": "5", "username": "x", "edge_followed_by": {"count": 7}, "edge_follow": {}}
    stats = parse_profile(legacy)
    assert (stats.followers, stats.following, stats.posts) == (7, None, None)


def test_parse_posts_kinds_and_hidden_likes():
    media = [
        {
            "pk": "1",
            "code": "A",
            "taken_at": 1741944600,
            "media_type": 2,
            "product_type": "clips",
            "like_count": 3,
            "comment_count": 1,
            "play_count": 50,
        },
        {"pk": "2", "code": "B", "taken_at": 1741799100, "media_type": 8, "comment_count": 0},
        {"pk": "3", "code": "C", "taken_at": 1740830400, "media_type": 1},
    ]
    posts = parse_posts(media)
    assert [p.kind for p in posts] == ["reel", "carousel", "photo"]
    assert posts[0].views == 50
    assert posts[1].likes is None  # hidden like count: unknown, not 0
    assert posts[1].comments == 0
    assert posts[2].comments is None
    assert posts[0].url == "https://www.instagram.com/p/A/"
    assert posts[0].published_at == datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


# -- instaloader mode through the library ---------------------------------------------------
def test_fetch_profile_reads_the_profile_page_with_a_timeout(web, api):
    call = serve_page(
        api,
        text("instagram", "profile_page.html"),
        match=[matchers.request_kwargs_matcher({"timeout": 20.0})],
    )
    stats = web.fetch_profile("https://www.instagram.com/Erika.Beispiel/")
    assert (stats.followers, stats.following, stats.posts) == (2150, 310, 187)
    assert stats.display_name == "Erika Beispiel"
    assert stats.handle == "erika.beispiel"
    assert call.call_count == 1


@pytest.mark.parametrize(
    "spelling", ["erika.beispiel", "@Erika.Beispiel", "instagram.com/erika.beispiel"]
)
def test_handle_spellings(web, api, spelling):
    serve_page(api, text("instagram", "profile_page.html"))
    assert web.fetch_profile(spelling).platform_id == "48000000001"


def test_fetch_posts_from_the_page_newest_first(web, api):
    serve_page(api, text("instagram", "profile_page.html"))
    posts = web.fetch_posts("erika.beispiel", limit=50)
    assert [p.post_id for p in posts] == [
        "3580000000000000003",
        "3580000000000000002",
        "3580000000000000001",
    ]
    assert [p.kind for p in posts] == ["reel", "carousel", "photo"]
    assert (posts[0].likes, posts[0].comments, posts[0].views) == (240, 18, 5120)
    assert posts[2].likes is None


def test_fetch_posts_since_and_limit(web, api):
    serve_page(api, text("instagram", "profile_page.html"))
    posts = web.fetch_posts("erika.beispiel", since=datetime(2025, 3, 10, tzinfo=UTC), limit=1)
    assert [p.post_id for p in posts] == ["3580000000000000003"]


def test_private_profile_counts_are_public_but_posts_unavailable(web, api):
    url = "https://www.instagram.com/privat.beispiel/"
    serve_page(api, text("instagram", "private_page.html"), url=url)
    assert web.fetch_profile("privat.beispiel").followers == 98
    with pytest.raises(AccountUnavailable, match="private") as info:
        web.fetch_posts("privat.beispiel")
    assert info.value.handle == "privat.beispiel"


def test_unknown_profile_404_is_account_not_found(web, api):
    serve_page(
        api,
        "<html>Sorry, this page isn't available.</html>",
        status=404,
        url="https://www.instagram.com/nosuch.profile/",
    )
    with pytest.raises(AccountNotFound) as info:
        web.fetch_profile("nosuch.profile")
    assert (info.value.platform, info.value.handle) == ("instagram", "nosuch.profile")


def test_page_without_profile_data_is_account_not_found(web, api):
    serve_page(api, "<html><body>nothing embedded</body></html>")
    with pytest.raises(AccountNotFound):
        web.fetch_profile("erika.beispiel")


def test_429_is_rate_limited(web, api):
    serve_page(api, "Too Many Requests", status=429)
    with pytest.raises(RateLimited):
        web.fetch_profile("erika.beispiel")


def test_401_please_wait_is_rate_limited(web, api):
    api.get(
        PAGE,
        json={
            "message": "Please wait a few minutes before you try again.",
            "require_login": True,
            "status": "fail",
        },
        status=401,
    )
    with pytest.raises(RateLimited, match="wait a few minutes"):
        web.fetch_profile("erika.beispiel")


def test_login_redirect_is_auth_failed(web, api):
    api.get(
        PAGE,
        status=302,
        headers={"Location": "https://www.instagram.com/accounts/login/?next=/erika.beispiel/"},
    )
    with pytest.raises(AuthFailed, match="session_file"):
        web.fetch_profile("erika.beispiel")


def test_5xx_and_timeouts_are_platform_unavailable(web, api):
    serve_page(api, "oops", status=503)
    with pytest.raises(PlatformUnavailable):
        web.fetch_profile("erika.beispiel")
    api.get("https://www.instagram.com/other.profile/", body=requests.ReadTimeout("timed out"))
    with pytest.raises(PlatformUnavailable):
        web.fetch_profile("other.profile")


def test_rate_controller_raises_instead_of_sleeping(web, api):
    serve_page(api, text("instagram", "profile_page.html"))
    web.fetch_profile("erika.beispiel")
    controller = web.web.context()._rate_controller
    now = time.monotonic()
    # as if 75 page loads had happened in the last minutes: instaloader would sleep ~11 min
    controller._query_timestamps["other"] = [now - 60] * 75
    started = time.monotonic()
    with pytest.raises(RateLimited) as info:
        web.fetch_profile("erika.beispiel")
    assert time.monotonic() - started < 5
    assert info.value.retry_after is not None and info.value.retry_after > 60
    assert len(api.calls) == 1  # the second fetch made no request


def test_missing_session_file_is_auth_failed(tmp_path, api):
    conn = get_connector(
        "instagram", {"mode": "instaloader", "session_file": str(tmp_path / "none")}
    )
    with pytest.raises(AuthFailed, match="session_file"):
        conn.fetch_profile("erika.beispiel")


def test_unknown_mode_is_refused():
    with pytest.raises(Exception, match="mode"):
        get_connector("instagram", {"mode": "scrape"})


# -- graph mode -----------------------------------------------------------------------------
def test_parse_graph_profile_and_posts_of_recorded_responses():
    stats = parse_graph_profile(load("instagram", "user_fields.json"))
    assert (stats.followers, stats.posts) == (64976, 436)
    assert stats.following is None  # not asked for in that recording
    assert stats.platform_id == "17841407673135339"
    posts = parse_graph_posts(load("instagram", "medias_p1.json"))
    assert [(p.likes, p.comments, p.kind) for p in posts] == [(87, 11, "photo"), (186, 16, "photo")]
    assert posts[0].url == "https://www.instagram.com/p/CSr71Gzlqo4/"
    videos = parse_graph_posts(load("instagram", "discovery_medias_p1.json"))
    assert [p.kind for p in videos] == ["video", "video", "video", "photo", "video"]
    assert videos[3].likes == 8008


def test_graph_fetch_profile_asks_business_discovery(graph, api):
    field = (
        "business_discovery.username(facebookfordevelopers)"
        "{id,username,name,followers_count,follows_count,media_count}"
    )
    call = api.get(
        GRAPH,
        json=load("instagram", "user_fields.json"),
        match=[matchers.query_param_matcher({"fields": field, "access_token": TOKEN})],
    )
    stats = graph.fetch_profile("@facebookfordevelopers")
    assert stats.followers == 64976
    assert call.call_count == 1


def test_graph_fetch_posts_pages_with_after_cursor(graph, api):
    api.get(
        GRAPH,
        json=load("instagram", "medias_p1.json"),
        match=[matchers.query_param_matcher({}, strict_match=False)],
    )
    api.get(GRAPH, json=load("instagram", "medias_p2.json"))
    api.get(GRAPH, json={"business_discovery": {"media": {"data": []}, "id": "1"}, "id": IG_USER})
    posts = graph.fetch_posts("facebookfordevelopers", limit=10)
    assert len(posts) == 4
    assert posts[2].post_id == "17939347456563225"
    assert ".after(after)" in api.calls[1].request.url.replace("%28", "(").replace("%29", ")")


def test_graph_unknown_or_personal_account_is_not_found(graph, api):
    api.get(
        GRAPH,
        status=400,
        json={
            "error": {
                "message": "Invalid user id",
                "type": "OAuthException",
                "code": 110,
                "error_subcode": 2207013,
                "fbtrace_id": "A1",
            }
        },
    )
    with pytest.raises(AccountNotFound, match="professional"):
        graph.fetch_profile("privatperson")


def test_graph_expired_token_is_auth_failed(graph, api):
    api.get(
        GRAPH,
        status=400,
        json={
            "error": {
                "message": "Error validating access token: Session has expired",
                "type": "OAuthException",
                "code": 190,
            }
        },
    )
    with pytest.raises(AuthFailed, match="expired"):
        graph.fetch_profile("facebookfordevelopers")


def test_graph_needs_ig_user_id(api):
    conn = get_connector("instagram", {"mode": "graph", "access_token": TOKEN})
    with pytest.raises(AuthFailed, match="ig_user_id"):
        conn.fetch_profile("facebookfordevelopers")
    assert len(api.calls) == 0


def test_graph_no_secret_in_logs(graph, api, all_logs):
    api.get(GRAPH, json=load("instagram", "user_fields.json"))
    graph.fetch_profile("facebookfordevelopers")
    logs = all_logs()
    assert "access_token=***" in logs
    assert TOKEN not in logs


@pytest.mark.live
def test_live_profile():
    settings = {"mode": os.environ.get("TRACKER_INSTAGRAM_MODE", "instaloader")}
    if settings["mode"] == "graph":
        token = os.environ.get("TRACKER_INSTAGRAM_ACCESS_TOKEN")
        ig_user = os.environ.get("TRACKER_INSTAGRAM_IG_USER_ID")
        if not (token and ig_user):
            pytest.skip("TRACKER_INSTAGRAM_ACCESS_TOKEN and TRACKER_INSTAGRAM_IG_USER_ID not set")
        settings.update(access_token=token, ig_user_id=ig_user)
    stats = get_connector("instagram", settings).fetch_profile("instagram")
    assert stats.followers is not None and stats.followers > 0
