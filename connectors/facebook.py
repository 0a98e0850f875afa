"""Facebook pages through the Graph API (facebook-sdk), with a page or app access token.

Reading public pages you do not manage needs the app feature "Page Public Content Access" (or
"Page Public Metadata Access" for counts only), granted by Meta's app review.

Payload shapes: https://developers.facebook.com/docs/graph-api/reference/page/ (fields
``followers_count``, ``fan_count``, ``name``) and
https://developers.facebook.com/docs/graph-api/reference/page/feed/ (``reactions``,
``comments`` summaries, ``shares.count``, cursor paging).
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
from connectors.graph import GraphClient
from connectors.handles import normalize_facebook
from connectors.http import parse_time, timeout_of

logger = logging.getLogger(__name__)

PLATFORM = "facebook"
DEFAULT_ENV = "TRACKER_FACEBOOK_ACCESS_TOKEN"
PAGE_FIELDS = "id,name,username,followers_count,fan_count"
POST_FIELDS = (
    "id,created_time,permalink_url,status_type,attachments{media_type},shares,"
    "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
)
PAGE_MAX = 100

_ATTACHMENT_KINDS = {
    "photo": "photo",
    "video": "video",
    "video_inline": "video",
    "video_autoplay": "video",
    "album": "carousel",
    "link": "link",
    "share": "link",
    "note": "article",
}
_STATUS_KINDS = {
    "added_photos": "photo",
    "added_video": "video",
    "shared_story": "link",
    "created_note": "article",
    "mobile_status_update": "text",
    "wall_post": "text",
}


def parse_profile(
    payload: Mapping[str, Any], handle: str = "", fetched_at: datetime | None = None
) -> ProfileStats:
    """ProfileStats from a page object.

    ``followers_count`` is the page's audience; pages that report only ``fan_count`` (likes,
    the older measure) are counted by that instead. Neither known: None.
    """
    followers = int_or_none(payload.get("followers_count"))
    if followers is None:
        followers = int_or_none(payload.get("fan_count"))
    return ProfileStats(
        platform=PLATFORM,
        handle=str(payload.get("username") or handle),
        platform_id=str(payload["id"]) if payload.get("id") is not None else None,
        display_name=payload.get("name"),
        followers=followers,
        following=None,  # pages follow no one in the Graph API's sense
        posts=None,  # the Graph API gives no post total for a page
        fetched_at=fetched_at or utcnow(),
    )


def _summary_count(post: Mapping[str, Any], edge: str) -> int | None:
    summary = (post.get(edge) or {}).get("summary") or {}
    return int_or_none(summary.get("total_count"))


def _kind(post: Mapping[str, Any]) -> str:
    for attachment in (post.get("attachments") or {}).get("data") or []:
        media_type = str(attachment.get("media_type") or attachment.get("type") or "")
        if media_type in _ATTACHMENT_KINDS:
            return _ATTACHMENT_KINDS[media_type]
    return _STATUS_KINDS.get(str(post.get("status_type") or ""), "text")


def parse_posts(payload: Mapping[str, Any]) -> list[PostStats]:
    """PostStats from a page's ``posts`` (or ``feed``) page; no message text is kept."""
    posts: list[PostStats] = []
    for post in payload.get("data") or []:
        published = parse_time(post.get("created_time"))
        if published is None or post.get("id") is None:
            logger.warning("facebook: skipping a post without id or date")
            continue
        shares = post.get("shares")
        posts.append(
            PostStats(
                post_id=str(post["id"]),
                published_at=published,
                kind=_kind(post),
                likes=_summary_count(post, "reactions"),
                comments=_summary_count(post, "comments"),
                # The API leaves out ``shares`` both for "never shared" and "not told"; only a
                # present count is a count.
                shares=int_or_none(shares.get("count")) if isinstance(shares, Mapping) else None,
                views=None,  # post impressions need page insights permission, not public
                url=post.get("permalink_url"),
            )
        )
    return posts


def next_cursor(payload: Mapping[str, Any]) -> str | None:
    """The ``after`` cursor when the page says there is a next page."""
    paging = payload.get("paging") or {}
    if not paging.get("next"):
        return None
    cursor = (paging.get("cursors") or {}).get("after")
    return str(cursor) if cursor else None


class FacebookConnector:
    """The ``facebook`` platform: public pages by name or numeric id."""

    platform = PLATFORM

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.api = GraphClient(
            platform=PLATFORM,
            access_token=settings.get("access_token"),
            version=settings.get("graph_version"),
            timeout=timeout_of(settings),
            settings=settings,
            default_env=DEFAULT_ENV,
        )

    @property
    def rate_remaining(self) -> int | None:
        """Percent of the app's Graph API budget left at the last call, if Meta said."""
        return self.api.rate_remaining

    def fetch_profile(self, handle: str) -> ProfileStats:
        """Page counts; raises a ConnectorError subclass on failure."""
        name = normalize_facebook(handle)
        payload = self.api.get(name, name, fields=PAGE_FIELDS)
        return require_counts(parse_profile(payload, name))

    def fetch_posts(
        self, handle: str, since: datetime | None = None, limit: int = 50
    ) -> list[PostStats]:
        """The page's own recent posts with reaction, comment and share counts, newest first."""
        name = normalize_facebook(handle)
        posts: list[PostStats] = []
        cursor: str | None = None
        while len(posts) < limit:
            args: dict[str, Any] = {
                "fields": POST_FIELDS,
                "limit": min(PAGE_MAX, limit - len(posts)),
            }
            if since is not None:
                args["since"] = int(as_utc(since).timestamp())
            if cursor:
                args["after"] = cursor
            payload = self.api.get(name, f"{name}/posts", **args)
            posts.extend(parse_posts(payload))
            cursor = next_cursor(payload)
            if not cursor:
                break
        return clip_posts(posts, since, limit)
