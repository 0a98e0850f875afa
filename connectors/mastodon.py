"""Mastodon through Mastodon.py: the instance comes from the handle ``@user@instance``.

Most instances serve public accounts without a token; some (``authorized fetch``, limited
federation) answer 401, and then an access token of any account on that instance helps.

Payload shapes: https://docs.joinmastodon.org/methods/accounts/#lookup and
https://docs.joinmastodon.org/methods/accounts/#statuses (``Link`` header paging with max_id).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mastodon import Mastodon
from mastodon import errors as me

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
from connectors.handles import normalize_mastodon
from connectors.http import env_hint, parse_time, protect, redact, timeout_of

logger = logging.getLogger(__name__)

PLATFORM = "mastodon"
DEFAULT_ENV = "TRACKER_MASTODON_ACCESS_TOKEN"
PAGE_MAX = 40  # the instance's cap per request


def _count(value: Any) -> int | None:
    number = int_or_none(value)
    return number if number is not None and number >= 0 else None


def parse_profile(
    payload: Mapping[str, Any], handle: str = "", fetched_at: datetime | None = None
) -> ProfileStats:
    """ProfileStats from an ``Account`` entity.

    "Hide your network" hides the lists, not the counts; servers that hide a count too
    (glitch-soc) report -1, which is unknown, not a number of followers.
    """
    return ProfileStats(
        platform=PLATFORM,
        handle=handle,
        platform_id=str(payload["id"]) if payload.get("id") is not None else None,
        display_name=payload.get("display_name") or None,
        followers=_count(payload.get("followers_count")),
        following=_count(payload.get("following_count")),
        posts=_count(payload.get("statuses_count")),
        fetched_at=fetched_at or utcnow(),
    )


def _kind(status: Mapping[str, Any]) -> str:
    media = status.get("media_attachments") or []
    if len(media) > 1:
        return "carousel"
    if media:
        kind = str(media[0].get("type") or "")
        return "video" if kind in ("video", "gifv") else "photo"
    if status.get("card"):
        return "link"
    return "text"


def parse_posts(items: Any) -> list[PostStats]:
    """PostStats from a list of ``Status`` entities; boosts and replies are skipped."""
    posts: list[PostStats] = []
    for status in items or []:
        if status.get("reblog") or status.get("in_reply_to_id"):
            continue
        published = parse_time(status.get("created_at"))
        if published is None or status.get("id") is None:
            logger.warning("mastodon: skipping a post without id or date")
            continue
        posts.append(
            PostStats(
                post_id=str(status["id"]),
                published_at=published,
                kind=_kind(status),
                likes=int_or_none(status.get("favourites_count")),
                comments=int_or_none(status.get("replies_count")),
                shares=int_or_none(status.get("reblogs_count")),
                views=None,  # Mastodon does not count views
                url=status.get("url") or status.get("uri"),
            )
        )
    return posts


class MastodonConnector:
    """The ``mastodon`` platform: any instance, read anonymously or with a token."""

    platform = PLATFORM

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)
        self.timeout = timeout_of(settings)
        self.token: str | None = settings.get("access_token") or None
        protect(self.token)
        self._clients: dict[str, Mastodon] = {}
        self.rate_remaining: int | None = None

    def client(self, instance: str) -> Mastodon:
        """A client for one instance; constructing it makes no request."""
        if instance not in self._clients:
            self._clients[instance] = Mastodon(
                access_token=self.token,
                api_base_url=f"https://{instance}",
                ratelimit_method="throw",  # the poller waits, not the library
                request_timeout=self.timeout,
                version_check_mode="none",  # no version request at construction
            )
        return self._clients[instance]

    def _map(self, exc: Exception, api: Mastodon, handle: str) -> ConnectorError:
        kw: dict[str, Any] = {"platform": PLATFORM, "handle": handle}
        text = redact(exc)
        if isinstance(exc, me.MastodonRatelimitError):
            reset = api.ratelimit_reset
            retry = max(float(reset) - time.time(), 0.0) if reset else None
            return RateLimited(f"rate limit reached: {text}", retry_after=retry, **kw)
        if isinstance(exc, me.MastodonNotFoundError):
            return AccountNotFound(f"no such account on this instance: {text}", **kw)
        if isinstance(exc, me.MastodonUnauthorizedError):
            if self.token:
                return AuthFailed(f"the instance refused the access token: {text}", **kw)
            return AuthFailed(
                "the instance refuses unauthenticated reads; create an access token on it "
                f"and {env_hint(self.settings, 'access_token', DEFAULT_ENV)}",
                **kw,
            )
        if isinstance(exc, me.MastodonServerError | me.MastodonNetworkError):
            return PlatformUnavailable(text, **kw)
        if isinstance(exc, me.MastodonAPIError):
            if "suspended" in text.lower() or "410" in text:
                return AccountUnavailable(text, **kw)
            if "403" in text:
                return AuthFailed(text, **kw)
            return BadResponse(text, **kw)
        return BadResponse(f"unreadable response: {text}", **kw)

    def _call(self, api: Mastodon, handle: str, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            result = getattr(api, method)(*args, **kwargs)
        except me.MastodonError as exc:
            raise self._map(exc, api, handle) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise BadResponse(
                f"unreadable response: {redact(exc)}", platform=PLATFORM, handle=handle
            ) from None
        finally:
            self.rate_remaining = int_or_none(api.ratelimit_remaining)
        return result

    def _lookup(self, name: str) -> tuple[Mastodon, Mapping[str, Any]]:
        user, instance = name.split("@", 1)
        api = self.client(instance)
        account = self._call(api, name, "account_lookup", user)
        if not isinstance(account, Mapping):
            raise BadResponse(
                "the lookup did not return an account", platform=PLATFORM, handle=name
            )
        if account.get("suspended"):
            raise AccountUnavailable("the account is suspended", platform=PLATFORM, handle=name)
        return api, account

    def fetch_profile(self, handle: str) -> ProfileStats:
        """Counts of the account; raises a ConnectorError subclass on failure."""
        name = normalize_mastodon(handle)
        _, account = self._lookup(name)
        return require_counts(parse_profile(account, name))

    def fetch_posts(
        self, handle: str, since: datetime | None = None, limit: int = 50
    ) -> list[PostStats]:
        """Own public posts (no boosts, no replies), newest first."""
        name = normalize_mastodon(handle)
        api, account = self._lookup(name)
        posts: list[PostStats] = []
        page = self._call(
            api,
            name,
            "account_statuses",
            account["id"],
            exclude_replies=True,
            exclude_reblogs=True,
            limit=min(PAGE_MAX, limit),
        )
        while page:
            batch = parse_posts(page)
            posts.extend(batch)
            if len(posts) >= limit:
                break
            if since is not None and batch and min(p.published_at for p in batch) < as_utc(since):
                break
            page = self._call(api, name, "fetch_next", page)
        return clip_posts(posts, since, limit)
