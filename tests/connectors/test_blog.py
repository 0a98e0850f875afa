"""Blogs: feedparser parsing feeds fetched with requests (served by ``responses``)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import feedparser
import pytest
import requests
import responses
from responses import matchers

from connectors import get_connector
from connectors.blog import BlogConnector, discover_feeds, parse_posts, parse_profile
from connectors.errors import (
    AccountNotFound,
    BadResponse,
    ConnectorError,
    PlatformUnavailable,
    RateLimited,
)
from tests.connectors.conftest import text

SITE = "https://erika-beispiel.example/"
FEED = "https://erika-beispiel.example/feed/"
RSS = "application/rss+xml"


@pytest.fixture
def blog() -> BlogConnector:
    conn = get_connector("blog", {"timeout": 7})
    assert isinstance(conn, BlogConnector)
    return conn


@pytest.fixture
def api():
    with responses.RequestsMock() as rsps:
        yield rsps


def test_discover_feeds_resolves_relative_links_in_page_order():
    feeds = discover_feeds(text("blog", "site.html"), SITE)
    assert feeds == [FEED, "https://erika-beispiel.example/comments/feed/"]
    assert discover_feeds(text("blog", "no_feed.html"), SITE) == []


def test_parse_rss_dates_in_utc_and_undated_entries_skipped():
    parsed = feedparser.parse(text("blog", "rss.xml"))
    posts = parse_posts(parsed)
    assert [p.post_id for p in posts] == [
        "https://erika-beispiel.example/?p=412",
        "https://erika-beispiel.example/?p=398",
    ]
    assert posts[0].published_at == datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    assert posts[0].kind == "article"
    assert (posts[0].likes, posts[0].comments, posts[0].shares, posts[0].views) == (None,) * 4
    assert posts[0].url == "https://erika-beispiel.example/2025/03/haushalt/"


def test_parse_atom_uses_published_else_updated():
    posts = parse_posts(feedparser.parse(text("blog", "atom.xml")))
    assert [p.published_at for p in posts] == [
        datetime(2025, 3, 10, 6, 0, tzinfo=UTC),
        datetime(2025, 1, 5, 12, 0, tzinfo=UTC),
    ]


def test_profile_has_unknown_followers_not_zero():
    stats = parse_profile(feedparser.parse(text("blog", "rss.xml")), FEED, SITE)
    assert (stats.followers, stats.following, stats.posts) == (None, None, None)
    assert stats.display_name == "Erika Beispiel – Aus dem Stadtrat"
    assert stats.platform_id == FEED


def test_site_url_is_resolved_by_autodiscovery(blog, api):
    api.get(SITE, body=text("blog", "site.html"), content_type="text/html")
    api.get(FEED, body=text("blog", "rss.xml"), content_type=RSS)
    stats = blog.fetch_profile("erika-beispiel.example")
    assert stats.platform_id == FEED
    assert stats.handle == "https://erika-beispiel.example"  # the canonical handle


def test_feed_url_directly_with_timeout(blog, api):
    call = api.get(
        FEED,
        body=text("blog", "rss.xml"),
        content_type=RSS,
        match=[matchers.request_kwargs_matcher({"timeout": 7.0})],
    )
    posts = blog.fetch_posts(FEED, limit=1)
    assert len(posts) == 1
    assert call.call_count == 1


def test_conditional_get_reuses_the_feed_on_304(blog, api):
    api.get(SITE, body=text("blog", "site.html"), content_type="text/html")
    api.get(
        FEED,
        body=text("blog", "rss.xml"),
        content_type=RSS,
        headers={"ETag": '"v1"', "Last-Modified": "Fri, 14 Mar 2025 10:00:00 GMT"},
    )
    first = blog.fetch_posts(SITE)
    again = api.get(
        FEED,
        status=304,
        match=[
            matchers.header_matcher(
                {"If-None-Match": '"v1"', "If-Modified-Since": "Fri, 14 Mar 2025 10:00:00 GMT"}
            )
        ],
    )
    second = blog.fetch_posts(SITE)
    assert second == first
    assert again.call_count == 1
    assert [c.request.url for c in api.calls].count(SITE) == 1  # discovery happened once


def test_since_filters_entries(blog, api):
    api.get(FEED, body=text("blog", "rss.xml"), content_type=RSS)
    posts = blog.fetch_posts(FEED, since=datetime(2025, 3, 1, tzinfo=UTC))
    assert len(posts) == 1


def test_page_without_feed_says_no_feed_found(blog, api):
    api.get(SITE, body=text("blog", "no_feed.html"), content_type="text/html")
    with pytest.raises(ConnectorError, match="no feed found") as info:
        blog.fetch_profile(SITE)
    assert (info.value.platform, info.value.handle) == ("blog", SITE)


def test_malformed_feed_with_entries_is_accepted_with_a_warning(blog, api, caplog):
    url = "https://rat-und-tat.example/feed.xml"
    api.get(url, body=text("blog", "malformed.xml"), content_type=RSS)
    with caplog.at_level(logging.WARNING, logger="connectors.blog"):
        posts = blog.fetch_posts(url)
    assert [p.url for p in posts] == ["https://rat-und-tat.example/sitzung"]
    assert "malformed feed accepted" in caplog.text


def test_garbage_is_bad_response(blog, api):
    url = "https://kaputt.example/feed"
    api.get(url, body=b"\x00\x01 not a feed", content_type="application/octet-stream")
    with pytest.raises(BadResponse):
        blog.fetch_posts(url)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (404, AccountNotFound),
        (410, AccountNotFound),
        (429, RateLimited),
        (503, PlatformUnavailable),
    ],
)
def test_http_errors(blog, api, status, error):
    api.get(FEED, status=status)
    with pytest.raises(error):
        blog.fetch_posts(FEED)


def test_timeout_is_platform_unavailable(blog, api):
    api.get(FEED, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(PlatformUnavailable, match="timed out"):
        blog.fetch_profile(FEED)


@pytest.mark.live
def test_live_feed():
    posts = get_connector("blog", {}).fetch_posts("https://blog.python.org/", limit=5)
    assert posts
