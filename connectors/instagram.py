"""Instagram, in one of two modes (setting ``mode``):

- ``graph`` (recommended): the official business discovery through the Graph API (facebook-sdk).
  Needs an access token and the tracker's own Instagram professional account id
  (``ig_user_id``); reads professional (business or creator) accounts only.
- ``instaloader`` (the default): the public web profile, anonymously or with a saved session
  (``connectors.instagram_web``). Needs nothing, but Instagram often refuses servers.

Graph payload shapes: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/
reference/ig-user/business_discovery (``followers_count``, ``follows_count``, ``media_count``,
``media{like_count,comments_count,timestamp,media_type,permalink}``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.base import (
    PostStats,
    ProfileStats,
    as_utc,
    clip_posts,
    int_or_none,
    require_counts,
    utcnow,
)
from connectors.errors import AccountNotFound, AuthFailed, BadResponse
from connectors.graph import GraphClient
from connectors.handles import normalize_instagram
from connectors.http import env_hint, parse_time, timeout_of
from connectors.instagram_web import InstaloaderMode

logger = logging.getLogger(__name__)

PLATFORM = "instagram"
DEFAULT_ENV = "TRACKER_INSTAGRAM_ACCESS_TOKEN"
MODES = ("instaloader", "graph")
PROFILE_FIELDS = "id,username,name,followers_count,follows_count,media_count"
MEDIA_FIELDS = "id,like_count,comments_count,timestamp,media_type,media_product_type,permalink"
PAGE_MAX = 50


def parse_profile(
    payload: Mapping[str, Any], handle: str = "", fetched_at: datetime | None = None
) -> ProfileStats:
    """ProfileStats from a business discovery response (``{"business_discovery": {...}}``)."""
    found = payload.get("business_discovery")
    if not isinstance(found, Mapping):
        raise AccountNotFound(
            "business discovery returned no account", platform=PLATFORM, handle=handle
        )
    return ProfileStats(
        platform=PLATFORM,
        handle=str(found.get("username") or handle).lower(),
        platform_id=str(found["id"]) if found.get("id") is not None else None,
        display_name=found.get("name"),
        followers=int_or_none(found.get("followers_count")),
        following=int_or_none(found.get("follows_count")),
        posts=int_or_none(found.get("media_count")),
        fetched_at=fetched_at or utcnow(),
    )


def _kind(media: Mapping[str, Any]) -> str:
    if media.get("media_product_type") == "REELS":
        return "reel"
    return {"IMAGE": "photo", "VIDEO": "video", "CAROUSEL_ALBUM": "carousel"}.get(
        str(media.get("media_type") or ""), "photo"
    )


def parse_posts(payload: Mapping[str, Any]) -> list[PostStats]:
    """PostStats from a business discovery media page; hidden like counts stay None."""
    media = ((payload.get("business_discovery") or {}).get("media") or {}).get("data") or []
    posts: list[PostStats] = []
    for item in media:
        published = parse_time(item.get("timestamp"))
        if published is None or item.get("id") is None:
            logger.warning("instagram: skipping a post without id or date")
            continue
        posts.append(
            PostStats(
                post_id=str(item["id"]),
                published_at=published,
                kind=_kind(item),
                likes=int_or_none(item.get("like_count")),
                comments=int_or_none(item.get("comments_count")),
                shares=None,
                views=None,  # not offered by business discovery
                url=item.get("permalink"),
            )
        )
    return posts


def next_cursor(payload: Mapping[str, Any]) -> str | None:
    media = (payload.get("business_discovery") or {}).get("media") or {}
    if not media.get("data"):
        return None
    cursor = ((media.get("paging") or {}).get("cursors") or {}).get("after")
    return str(cursor) if cursor else None


class InstagramConnector:
    """The ``instagram`` platform in ``instaloader`` or ``graph`` mode."""

    platform = PLATFORM

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)
        self.mode = str(settings.get("mode") or "instaloader")
        if self.mode not in MODES:
            raise BadResponse(
                f"unknown instagram mode {self.mode!r}; use 'instaloader' or 'graph'",
                platform=PLATFORM,
            )
        self.timeout = timeout_of(settings)
        self.ig_user_id = str(settings.get("ig_user_id") or "") or None
        self.web = InstaloaderMode(settings, self.timeout)
        self.api = GraphClient(
            platform=PLATFORM,
            access_token=settings.get("access_token"),
            version=settings.get("graph_version"),
            timeout=self.timeout,
            settings=settings,
            default_env=DEFAULT_ENV,
        )

    @property
    def rate_remaining(self) -> int | None:
        return self.api.rate_remaining if self.mode == "graph" else None

    def _discover(self, name: str, fields: str) -> Mapping[str, Any]:
        if not self.ig_user_id:
            hint = env_hint(self.settings, "access_token", DEFAULT_ENV)
            raise AuthFailed(
                "graph mode needs ig_user_id, the id of the tracker's own Instagram "
                f"professional account, and an access token ({hint})",
                platform=PLATFORM,
                handle=name,
            )
        return self.api.get(
            name, self.ig_user_id, fields=f"business_discovery.username({name}){{{fields}}}"
        )

    def fetch_profile(self, handle: str) -> ProfileStats:
        """Follower, following and post counts; raises a ConnectorError subclass on failure."""
        name = normalize_instagram(handle)
        if self.mode == "instaloader":
            return self.web.fetch_profile(name)
        return require_counts(parse_profile(self._discover(name, PROFILE_FIELDS), name))

    def fetch_posts(
        self, handle: str, since: datetime | None = None, limit: int = 50
    ) -> list[PostStats]:
        """Recent posts with like and comment counts, newest first."""
        name = normalize_instagram(handle)
        if self.mode == "instaloader":
            return self.web.fetch_posts(name, since, limit)
        posts: list[PostStats] = []
        cursor: str | None = None
        while len(posts) < limit:
            size = min(PAGE_MAX, limit - len(posts))
            after = f".after({cursor})" if cursor else ""
            payload = self._discover(name, f"media.limit({size}){after}{{{MEDIA_FIELDS}}}")
            page = parse_posts(payload)
            posts.extend(page)
            cursor = next_cursor(payload)
            if not cursor or (since and page and min(p.published_at for p in page) < as_utc(since)):
                break
        return clip_posts(posts, since, limit)
