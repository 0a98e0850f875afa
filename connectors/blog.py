"""Blogs and homepages through their RSS or Atom feed (feedparser; fetched with requests).

The handle is a feed URL or a site URL; a site is resolved to its feed by autodiscovery
(``<link rel="alternate" type="application/rss+xml" href=...>``, or Atom). Fetches are
conditional (ETag, Last-Modified): an unchanged feed costs the site one empty 304 answer.

Formats: RSS 2.0 (https://www.rssboard.org/rss-specification), Atom (RFC 4287), and the
autodiscovery convention (https://www.rssboard.org/rss-autodiscovery).
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser
import requests

from connectors.base import PostStats, ProfileStats, clip_posts, utcnow
from connectors.errors import BadResponse, ConnectorError
from connectors.handles import normalize_blog
from connectors.http import (
    TimeoutSession,
    error_for_status,
    is_success,
    network_error,
    timeout_of,
)

logger = logging.getLogger(__name__)

PLATFORM = "blog"
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
_PARSEABLE = ("application/rss+xml", "application/atom+xml")
ACCEPT = "application/rss+xml, application/atom+xml, text/html;q=0.8, */*;q=0.5"
USER_AGENT = "mentoring-tracker/0.1 (feed reader)"


class _AlternateLinks(HTMLParser):
    """Collects ``<link rel="alternate" type="...rss/atom..." href>`` of a page, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.feeds: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("link", "a"):
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in _PARSEABLE and values.get("href"):
            self.feeds.append(values["href"])


def discover_feeds(html: str, base_url: str) -> list[str]:
    """Absolute URLs of the RSS/Atom feeds a page announces, in page order."""
    parser = _AlternateLinks()
    parser.feed(html)
    return [urljoin(base_url, href) for href in parser.feeds]


def _entry_time(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            # feedparser normalises dates to UTC struct_time
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def parse_profile(
    parsed: Mapping[str, Any], feed_url: str, handle: str = "", fetched_at: datetime | None = None
) -> ProfileStats:
    """ProfileStats of a feed: readers are not counted (None); a feed shows only recent posts,
    so the total is unknown too."""
    feed = parsed.get("feed") or {}
    return ProfileStats(
        platform=PLATFORM,
        handle=handle or feed_url,
        platform_id=feed_url,
        display_name=feed.get("title") or None,
        followers=None,
        following=None,
        posts=None,
        fetched_at=fetched_at or utcnow(),
    )


def parse_posts(parsed: Mapping[str, Any]) -> list[PostStats]:
    """One PostStats per entry with a date, newest first; no interaction counts are known."""
    posts: list[PostStats] = []
    for entry in parsed.get("entries") or []:
        published = _entry_time(entry)
        ident = entry.get("id") or entry.get("link")
        if published is None or not ident:
            logger.warning("blog: skipping an entry without id or date")
            continue
        posts.append(
            PostStats(
                post_id=str(ident)[:200],
                published_at=published,
                kind="article",
                url=entry.get("link"),
            )
        )
    posts.sort(key=lambda p: p.published_at, reverse=True)
    return posts


@dataclass
class _Cached:
    etag: str | None
    modified: str | None
    parsed: Any


class BlogConnector:
    """The ``blog`` platform: any site with an RSS or Atom feed; nothing to configure."""

    platform = PLATFORM

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.timeout = timeout_of(settings)
        self.session = TimeoutSession(self.timeout)
        self.session.headers["User-Agent"] = USER_AGENT
        self._feed_of: dict[str, str] = {}  # handle -> discovered feed URL
        self._cache: dict[str, _Cached] = {}  # feed URL -> last good answer
        self.rate_remaining: int | None = None

    def _get(self, url: str, handle: str, conditional: bool) -> requests.Response:
        headers = {"Accept": ACCEPT}
        cached = self._cache.get(url) if conditional else None
        if cached and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached and cached.modified:
            headers["If-Modified-Since"] = cached.modified
        kw: dict[str, Any] = {"platform": PLATFORM, "handle": handle}
        try:
            response = self.session.get(url, headers=headers)
        except requests.RequestException as exc:
            raise network_error(exc, **kw) from None
        if response.status_code == 304 or is_success(response.status_code):
            return response
        raise error_for_status(response.status_code, response.reason or "", **kw)

    def _parse(self, url: str, handle: str) -> Any:
        """The parsed feed at ``url`` (from cache when the site answers 304)."""
        response = self._get(url, handle, conditional=True)
        if response.status_code == 304 and url in self._cache:
            return self._cache[url].parsed
        return self._parse_body(url, handle, response)

    def _parse_body(self, url: str, handle: str, response: requests.Response) -> Any:
        parsed = feedparser.parse(
            response.content, response_headers={k.lower(): v for k, v in response.headers.items()}
        )
        if parsed.bozo and not parsed.entries and not parsed.feed.get("title"):
            raise BadResponse(
                f"{url} is not a readable feed ({parsed.get('bozo_exception')})",
                platform=PLATFORM,
                handle=handle,
            )
        if parsed.bozo:
            logger.warning(
                "blog %s: malformed feed accepted with %d entries (%s)",
                url,
                len(parsed.entries),
                type(parsed.get("bozo_exception")).__name__,
            )
        self._cache[url] = _Cached(
            response.headers.get("ETag"), response.headers.get("Last-Modified"), parsed
        )
        return parsed

    def resolve(self, handle: str) -> tuple[str, Any]:
        """(feed URL, parsed feed) for a feed or site URL; raises ConnectorError if no feed."""
        url = normalize_blog(handle)
        feed_url = self._feed_of.get(url, url)
        if feed_url in self._cache or feed_url != url:
            return feed_url, self._parse(feed_url, url)
        response = self._get(url, url, conditional=False)
        kind = response.headers.get("Content-Type", "").lower()
        if "html" in kind or response.content.lstrip()[:15].lower().startswith(
            (b"<!doctype html", b"<html")
        ):
            feeds = discover_feeds(response.text, response.url or url)
            if not feeds:
                raise ConnectorError(
                    f"no feed found at {url}: the page announces no RSS or Atom feed "
                    '(<link rel="alternate" type="application/rss+xml">); give the feed URL',
                    platform=PLATFORM,
                    handle=url,
                )
            self._feed_of[url] = feeds[0]
            return feeds[0], self._parse(feeds[0], url)
        return url, self._parse_body(url, url, response)

    def fetch_profile(self, handle: str) -> ProfileStats:
        """The feed's title; followers and post totals are unknown (None)."""
        feed_url, parsed = self.resolve(handle)
        return parse_profile(parsed, feed_url, normalize_blog(handle))

    def fetch_posts(
        self, handle: str, since: datetime | None = None, limit: int = 50
    ) -> list[PostStats]:
        """The feed's entries with dates (UTC), newest first."""
        _, parsed = self.resolve(handle)
        posts = parse_posts(parsed)
        return clip_posts(posts, since, limit)
