"""Bluesky through atproto against the public AppView: no account, no login, no cost.

Payload shapes: https://docs.bsky.app/docs/api/app-bsky-actor-get-profile and
https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed (``feed[].post``, ``reason`` for
reposts, ``cursor``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx
from atproto_client import Client
from atproto_client import exceptions as ae
from atproto_client.models.utils import get_model_as_dict
from atproto_client.request import Request

from connectors.base import (
    PostStats,
    ProfileStats,
    as_utc,
    clip_posts,
    int_or_none,
    require_counts,
    utcnow,
)
from connectors.errors import (
    AccountNotFound,
    AccountUnavailable,
    AuthFailed,
    BadResponse,
    ConnectorError,
    PlatformUnavailable,
    RateLimited,
)
from connectors.handles import normalize_bluesky
from connectors.http import parse_retry_after, parse_time, redact, timeout_of

logger = logging.getLogger(__name__)

PLATFORM = "bluesky"
DEFAULT_APPVIEW = "https://public.api.bsky.app/xrpc"
PAGE_MAX = 100
_EMBED_KINDS = {
    "app.bsky.embed.images#view": "photo",
    "app.bsky.embed.video#view": "video",
    "app.bsky.embed.external#view": "link",
}


def parse_profile(
    payload: Mapping[str, Any], handle: str = "", fetched_at: datetime | None = None
) -> ProfileStats:
    """ProfileStats from an ``app.bsky.actor.getProfile`` body (``profileViewDetailed``)."""
    return ProfileStats(
        platform=PLATFORM,
        handle=str(payload.get("handle") or handle).lower(),
        platform_id=payload.get("did"),
        display_name=payload.get("displayName") or None,
        followers=int_or_none(payload.get("followersCount")),
        following=int_or_none(payload.get("followsCount")),
        posts=int_or_none(payload.get("postsCount")),
        fetched_at=fetched_at or utcnow(),
    )


def _kind(post: Mapping[str, Any]) -> str:
    embed = post.get("embed") or {}
    kind = str(embed.get("$type") or embed.get("py_type") or "")
    if kind == "app.bsky.embed.recordWithMedia#view":
        kind = str((embed.get("media") or {}).get("$type") or "")
    if kind == "app.bsky.embed.images#view" and len(embed.get("images") or []) > 1:
        return "carousel"
    return _EMBED_KINDS.get(kind, "text")


def post_url(uri: str, author: str) -> str | None:
    """The bsky.app address of an ``at://did/app.bsky.feed.post/rkey`` post."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != "app.bsky.feed.post":
        return None
    return f"https://bsky.app/profile/{author or parts[0]}/post/{parts[2]}"


def parse_posts(payload: Mapping[str, Any], did: str | None = None) -> list[PostStats]:
    """PostStats from an ``app.bsky.feed.getAuthorFeed`` page.

    Reposts of others carry a ``reason`` and are skipped, as are posts by another author.
    """
    posts: list[PostStats] = []
    for item in payload.get("feed") or []:
        if item.get("reason"):
            continue
        post = item.get("post") or {}
        author = post.get("author") or {}
        if did and author.get("did") and author.get("did") != did:
            continue
        record = post.get("record") or {}
        published = parse_time(record.get("createdAt")) or parse_time(post.get("indexedAt"))
        uri = post.get("uri")
        if published is None or not uri:
            logger.warning("bluesky: skipping a post without uri or date")
            continue
        reposts = int_or_none(post.get("repostCount"))
        quotes = int_or_none(post.get("quoteCount"))
        posts.append(
            PostStats(
                post_id=str(uri),
                published_at=published,
                kind=_kind(post),
                likes=int_or_none(post.get("likeCount")),
                comments=int_or_none(post.get("replyCount")),
                shares=None if reposts is None else reposts + (quotes or 0),
                views=None,  # Bluesky does not count views
                url=post_url(str(uri), str(author.get("handle") or "")),
            )
        )
    return posts


class BlueskyConnector:
    """The ``bluesky`` platform, read through a public AppView."""

    platform = PLATFORM

    def __init__(self, settings: Mapping[str, Any]) -> None:
        appview = str(settings.get("appview") or DEFAULT_APPVIEW).rstrip("/")
        # People write the AppView's address; the XRPC endpoints live under /xrpc.
        self.appview = appview if appview.endswith("/xrpc") else f"{appview}/xrpc"
        self.timeout = timeout_of(settings)
        self._client: Client | None = None
        self.rate_remaining: int | None = None

    def client(self) -> Client:
        if self._client is None:
            # No login: the public AppView serves profiles and feeds to anyone.
            request = Request(timeout=httpx.Timeout(self.timeout))
            self._client = Client(base_url=self.appview, request=request)
        return self._client

    def _map(self, exc: Exception, handle: str) -> ConnectorError:
        kw: dict[str, Any] = {"platform": PLATFORM, "handle": handle}
        response = getattr(exc, "response", None)
        content = getattr(response, "content", None)
        error = str(getattr(content, "error", "") or "")
        message = str(getattr(content, "message", "") or "") or redact(exc)
        if isinstance(exc, ae.RateLimitExceededError):
            retry = exc.retry_after
            if retry is None and exc.reset_at is not None:
                retry = max((exc.reset_at - utcnow()).total_seconds(), 0.0)
            return RateLimited(f"HTTP 429: {message}", retry_after=retry, **kw)
        if isinstance(exc, ae.BadRequestError):
            if error == "AccountTakedown" or "suspended" in message.lower():
                return AccountUnavailable(message, **kw)
            if error == "AccountDeactivated":
                return AccountUnavailable(message, **kw)
            if "not found" in message.lower() or error in ("NotFound", "InvalidRequest"):
                return AccountNotFound(message, **kw)
            return BadResponse(f"HTTP 400: {message}", **kw)
        if isinstance(exc, ae.UnauthorizedError):
            return AuthFailed(f"the AppView {self.appview} refused the request: {message}", **kw)
        if isinstance(exc, ae.NetworkError):
            return PlatformUnavailable(f"{self.appview}: {redact(exc)}", **kw)
        if isinstance(exc, ae.RequestException):
            status = getattr(response, "status_code", 0) or 0
            if status >= 500:
                return PlatformUnavailable(f"HTTP {status}: {message}", **kw)
            if status == 404:
                return AccountNotFound(f"HTTP 404: {message}", **kw)
            headers = getattr(response, "headers", {}) or {}
            if status == 429:
                return RateLimited(
                    message, retry_after=parse_retry_after(headers.get("retry-after")), **kw
                )
            return BadResponse(f"HTTP {status}: {message}", **kw)
        return BadResponse(f"unreadable response: {redact(exc)}", **kw)

    def _query(self, handle: str, method: str, params: dict[str, Any]) -> dict[str, Any]:
        client = self.client()
        try:
            if method == "profile":
                result = client.app.bsky.actor.get_profile(params=params)
            else:
                result = client.app.bsky.feed.get_author_feed(params=params)
        except ConnectorError:
            raise
        except Exception as exc:  # atproto raises its own tree and pydantic errors
            raise self._map(exc, handle) from None
        return get_model_as_dict(result)

    def fetch_profile(self, handle: str) -> ProfileStats:
        """Counts of the profile; raises a ConnectorError subclass on failure."""
        name = normalize_bluesky(handle)
        return require_counts(parse_profile(self._query(name, "profile", {"actor": name}), name))

    def fetch_posts(
        self, handle: str, since: datetime | None = None, limit: int = 50
    ) -> list[PostStats]:
        """Own posts and threads' first posts (no replies, no reposts of others), newest first."""
        name = normalize_bluesky(handle)
        did = name if name.startswith("did:") else None
        posts: list[PostStats] = []
        cursor: str | None = None
        while len(posts) < limit:
            params: dict[str, Any] = {
                "actor": name,
                "filter": "posts_no_replies",
                "limit": min(PAGE_MAX, max(1, limit - len(posts))),
            }
            if cursor:
                params["cursor"] = cursor
            payload = self._query(name, "feed", params)
            if did is None:
                did = next(
                    (
                        (i.get("post") or {}).get("author", {}).get("did")
                        for i in payload.get("feed") or []
                        if not i.get("reason")
                    ),
                    None,
                )
            page = parse_posts(payload, did)
            posts.extend(page)
            cursor = payload.get("cursor")
            oldest = min((p.published_at for p in page), default=None)
            if not cursor or not payload.get("feed"):
                break
            if since is not None and oldest is not None and oldest < as_utc(since):
                break
        return clip_posts(posts, since, limit)
