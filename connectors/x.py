"""X (formerly Twitter) through tweepy's API v2 ``Client`` with an app-only bearer token.

Reads cost money: X bills API reads per request (see the README, "Platforms"). One profile
poll is one user lookup; one posts poll is one user lookup (cached per connector) plus one
request per page of up to 100 posts.

Payload shapes follow the X API v2 reference:
https://docs.x.com/x-api/users/get-user-by-username and
https://docs.x.com/x-api/users/get-posts (``public_metrics``, ``meta.next_token``, ``errors``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import requests
import tweepy

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
    PlatformUnavailable,
    RateLimited,
)
from connectors.handles import normalize_x
from connectors.http import (
    TimeoutSession,
    env_hint,
    error_for_status,
    is_success,
    network_error,
    parse_time,
    protect,
    redact,
    seconds_until,
    timeout_of,
)

logger = logging.getLogger(__name__)

PLATFORM = "x"
DEFAULT_ENV = "TRACKER_X_BEARER_TOKEN"
USER_FIELDS = ["public_metrics", "created_at"]
TWEET_FIELDS = ["created_at", "public_metrics", "attachments", "entities"]
MEDIA_FIELDS = ["type"]
PAGE_MAX = 100  # the endpoint's max_results bound is 5..100


def _errors_of(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    errors = payload.get("errors") or []
    return [e for e in errors if isinstance(e, Mapping)]


def _raise_for_errors(payload: Mapping[str, Any], handle: str) -> None:
    """An ``errors`` entry without ``data`` is how v2 reports a missing or suspended user."""
    errors = _errors_of(payload)
    if not errors:
        raise BadResponse(
            "the response has neither data nor errors", platform=PLATFORM, handle=handle
        )
    first = errors[0]
    detail = str(first.get("detail") or first.get("title") or "error")
    kw: dict[str, Any] = {"platform": PLATFORM, "handle": handle}
    if "suspended" in detail.lower() or first.get("title") == "Forbidden":
        raise AccountUnavailable(detail, **kw)
    if str(first.get("type", "")).endswith("resource-not-found") or "Not Found" in str(
        first.get("title", "")
    ):
        raise AccountNotFound(detail, **kw)
    raise BadResponse(detail, **kw)


def parse_profile(
    payload: Mapping[str, Any], handle: str = "", fetched_at: datetime | None = None
) -> ProfileStats:
    """ProfileStats from a ``GET /2/users/by/username/:username`` body.

    Raises AccountNotFound / AccountUnavailable for an ``errors`` body, BadResponse otherwise.
    """
    data = payload.get("data")
    if not isinstance(data, Mapping):
        _raise_for_errors(payload, handle)
        raise AssertionError("unreachable")  # pragma: no cover
    metrics = data.get("public_metrics") or {}
    return ProfileStats(
        platform=PLATFORM,
        handle=str(data.get("username") or handle).lower(),
        platform_id=str(data["id"]) if data.get("id") is not None else None,
        display_name=data.get("name"),
        followers=int_or_none(metrics.get("followers_count")),
        following=int_or_none(metrics.get("following_count")),
        posts=int_or_none(metrics.get("tweet_count")),
        fetched_at=fetched_at or utcnow(),
    )


def _kind(tweet: Mapping[str, Any], media_types: Mapping[str, str]) -> str:
    keys = (tweet.get("attachments") or {}).get("media_keys") or []
    types = [media_types.get(k) for k in keys]
    if len(keys) > 1:
        return "carousel"
    if types and types[0] in ("video", "animated_gif"):
        return "video"
    if types and types[0] == "photo":
        return "photo"
    if keys:  # media we could not resolve is still media
        return "photo"
    if (tweet.get("entities") or {}).get("urls"):
        return "link"
    return "text"


def _shares(metrics: Mapping[str, Any]) -> int | None:
    retweets = int_or_none(metrics.get("retweet_count"))
    quotes = int_or_none(metrics.get("quote_count"))
    if retweets is None:
        return quotes
    return retweets + (quotes or 0)


def parse_posts(payload: Mapping[str, Any], username: str = "") -> list[PostStats]:
    """PostStats from a ``GET /2/users/:id/tweets`` page; posts without a date are skipped."""
    media = (payload.get("includes") or {}).get("media") or []
    media_types = {
        str(m.get("media_key")): str(m.get("type")) for m in media if isinstance(m, Mapping)
    }
    posts: list[PostStats] = []
    for tweet in payload.get("data") or []:
        published = parse_time(tweet.get("created_at"))
        if published is None or tweet.get("id") is None:
            logger.warning("x: skipping a post without id or date")
            continue
        metrics = tweet.get("public_metrics") or {}
        post_id = str(tweet["id"])
        posts.append(
            PostStats(
                post_id=post_id,
                published_at=published,
                kind=_kind(tweet, media_types),
                likes=int_or_none(metrics.get("like_count")),
                comments=int_or_none(metrics.get("reply_count")),
                shares=_shares(metrics),
                views=int_or_none(metrics.get("impression_count")),
                url=f"https://x.com/{username or 'i'}/status/{post_id}",
            )
        )
    return posts


class XConnector:
    """The ``x`` platform: app-only (bearer token) reads of public accounts."""

    platform = PLATFORM

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)
        self.timeout = timeout_of(settings)
        self._token: str | None = settings.get("bearer_token") or None
        protect(self._token)
        self._client: tweepy.Client | None = None
        self._user_ids: dict[str, str] = {}
        self.rate_remaining: int | None = None

    # -- plumbing --------------------------------------------------------------------------
    def client(self, handle: str = "") -> tweepy.Client:
        """The tweepy client; raises AuthFailed when no bearer token is configured."""
        if not self._token:
            hint = env_hint(self.settings, "bearer_token", DEFAULT_ENV)
            raise AuthFailed(
                f"no X bearer token configured: {hint}",
                platform=PLATFORM,
                handle=handle,
            )
        if self._client is None:
            # return_type=Response keeps the headers (rate-limit remaining) and the raw JSON
            # for our own parsers; tweepy never waits on its own here.
            client = tweepy.Client(
                bearer_token=self._token, return_type=requests.Response, wait_on_rate_limit=False
            )
            # tweepy sets no request timeout (4.14): give its session one.
            client.session = TimeoutSession(self.timeout)
            self._client = client
        return self._client

    def _call(self, handle: str, method: str, **params: Any) -> Mapping[str, Any]:
        client = self.client(handle)
        kw: dict[str, Any] = {"platform": PLATFORM, "handle": handle}
        try:
            response = getattr(client, method)(**params)
        except tweepy.TooManyRequests as exc:
            raise RateLimited(
                "X rate limit reached", retry_after=seconds_until(exc.reset_time), **kw
            ) from None
        except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
            status = exc.response.status_code
            raise AuthFailed(
                f"HTTP {status}: {redact(exc)} (check the bearer token and the app's access "
                f"level; {env_hint(self.settings, 'bearer_token', DEFAULT_ENV)})",
                **kw,
            ) from None
        except tweepy.NotFound as exc:
            raise AccountNotFound(f"HTTP 404: {redact(exc)}", **kw) from None
        except tweepy.TwitterServerError as exc:
            raise PlatformUnavailable(
                f"HTTP {exc.response.status_code}: {redact(exc)}", **kw
            ) from None
        except tweepy.HTTPException as exc:
            raise BadResponse(f"HTTP {exc.response.status_code}: {redact(exc)}", **kw) from None
        except requests.RequestException as exc:
            raise network_error(exc, **kw) from None
        if not is_success(response.status_code):  # tweepy raises for >= 400 only
            raise error_for_status(response.status_code, response.reason or "", **kw)
        remaining = response.headers.get("x-rate-limit-remaining")
        self.rate_remaining = int_or_none(remaining)
        try:
            body = response.json()
        except ValueError:
            raise BadResponse("the response is not JSON", **kw) from None
        if not isinstance(body, Mapping):
            raise BadResponse("the response is not a JSON object", **kw)
        return body

    # -- the contract ----------------------------------------------------------------------
    def fetch_profile(self, handle: str) -> ProfileStats:
        """Public counts of the account; raises a ConnectorError subclass on failure."""
        name = normalize_x(handle)
        payload = self._call(name, "get_user", username=name, user_fields=USER_FIELDS)
        stats = require_counts(parse_profile(payload, name))
        if stats.platform_id:
            self._user_ids[name] = stats.platform_id
        return stats

    def fetch_posts(
        self, handle: str, since: datetime | None = None, limit: int = 50
    ) -> list[PostStats]:
        """Own recent posts (no retweets, no replies), newest first."""
        name = normalize_x(handle)
        user_id = self._user_ids.get(name) or self.fetch_profile(name).platform_id
        if user_id is None:
            raise BadResponse("the user lookup gave no id", platform=PLATFORM, handle=name)
        posts: list[PostStats] = []
        token: str | None = None
        while len(posts) < limit:
            params: dict[str, Any] = {
                "id": user_id,
                "exclude": ["retweets", "replies"],
                "max_results": max(5, min(PAGE_MAX, limit - len(posts))),
                "tweet_fields": TWEET_FIELDS,
                "expansions": ["attachments.media_keys"],
                "media_fields": MEDIA_FIELDS,
            }
            if since is not None:
                params["start_time"] = as_utc(since)
            if token:
                params["pagination_token"] = token
            payload = self._call(name, "get_users_tweets", **params)
            if "data" not in payload and _errors_of(payload):
                _raise_for_errors(payload, name)
            posts.extend(parse_posts(payload, name))
            token = (payload.get("meta") or {}).get("next_token")
            if not token:
                break
        return clip_posts(posts, since, limit)
