"""Instagram's ``instaloader`` mode: the public web profile, anonymously or with a saved session.

Instagram often refuses anonymous reads from servers (HTTP 429, or 401 "Please wait a few
minutes"); those become RateLimited, never a sleep. The graph mode (``connectors.instagram``) is
the dependable choice for professional accounts.

Payload shapes are those instaloader 4.16 reads: the logged-out profile page embeds its GraphQL
results as ``<script type="application/json">`` with ``__bbox.result.data.xig_user_by_username``
(``InstaloaderContext.get_page_data``, ``Profile.from_username``, ``Profile.get_posts``); the
posts are Instagram's ``media`` objects (``code``, ``pk``, ``taken_at``, ``media_type``,
``product_type``, ``like_count``, ``comment_count``, ``play_count``/``view_count``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

import instaloader
from instaloader import exceptions as ie

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
from connectors.http import parse_time, redact

logger = logging.getLogger(__name__)

PLATFORM = "instagram"
_STATUS = re.compile(r"\b(\d{3}) [A-Z]")
# Instagram's media_type: 1 image, 2 video, 8 carousel; product_type "clips" is a reel.
_MEDIA_KINDS = {1: "photo", 2: "video", 8: "carousel"}


class _MustWait(Exception):
    """Raised by the rate controller instead of sleeping; the connector adds the handle."""

    def __init__(self, seconds: float | None) -> None:
        super().__init__(f"wait {seconds} s")
        self.seconds = seconds


class RaisingRateController(instaloader.RateController):
    """instaloader's rate controller, but a needed wait raises instead of sleeping for minutes."""

    def sleep(self, secs: float) -> None:
        raise _MustWait(secs)

    def handle_429(self, query_type: str) -> None:
        # Called before a retry after a 429; we never retry (max_connection_attempts=1), but
        # if it is ever called, ask the poller to come back later rather than print and wait.
        raise _MustWait(None)


def _count(node: Mapping[str, Any], edge: str, flat: str) -> int | None:
    nested = node.get(edge)
    if isinstance(nested, Mapping) and "count" in nested:
        return int_or_none(nested.get("count"))
    return int_or_none(node.get(flat))


def parse_profile(
    node: Mapping[str, Any], handle: str = "", fetched_at: datetime | None = None
) -> ProfileStats:
    """ProfileStats from an instaloader profile node (page or legacy GraphQL format)."""
    media = _count(node, "edge_owner_to_timeline_media", "media_count")
    if media is None:
        media = int_or_none(node.get("all_media_count"))
    ident = node.get("pk") or node.get("id")
    return ProfileStats(
        platform=PLATFORM,
        handle=str(node.get("username") or handle).lower(),
        platform_id=str(ident) if ident is not None else None,
        display_name=node.get("full_name") or None,
        followers=_count(node, "edge_followed_by", "follower_count"),
        following=_count(node, "edge_follow", "following_count"),
        posts=media,
        fetched_at=fetched_at or utcnow(),
    )


def _kind(media: Mapping[str, Any]) -> str:
    if media.get("product_type") == "clips":
        return "reel"
    return _MEDIA_KINDS.get(int_or_none(media.get("media_type")) or 0, "photo")


def parse_posts(items: Iterable[Mapping[str, Any]]) -> list[PostStats]:
    """PostStats from Instagram media objects; a hidden like count stays None."""
    posts: list[PostStats] = []
    for media in items:
        published = parse_time(media.get("taken_at"))
        ident = media.get("pk") or media.get("id")
        if published is None or ident is None:
            logger.warning("instagram: skipping a post without id or date")
            continue
        code = media.get("code") or media.get("shortcode")
        views = media.get("play_count")
        if views is None:
            views = media.get("view_count")
        posts.append(
            PostStats(
                post_id=str(ident),
                published_at=published,
                kind=_kind(media),
                likes=int_or_none(media.get("like_count")),
                comments=int_or_none(media.get("comment_count")),
                shares=None,  # Instagram does not publish share counts
                views=int_or_none(views),
                url=f"https://www.instagram.com/p/{code}/" if code else None,
            )
        )
    return posts


def page_user(page: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The profile a logged-out profile page embeds (merged over its queries), or {}."""
    user: dict[str, Any] = {}
    for data in page:
        found = data.get("xig_user_by_username")
        if isinstance(found, Mapping):
            user.update(found)
    return user


def page_media(user: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The posts the profile page embeds (its first page of the timeline)."""
    timeline = user.get("polaris_ordered_timeline_connection") or {}
    return [e["node"] for e in timeline.get("edges") or [] if isinstance(e.get("node"), Mapping)]


def map_error(exc: BaseException, handle: str) -> ConnectorError:
    """The connector error an instaloader exception stands for."""
    kw: dict[str, Any] = {"platform": PLATFORM, "handle": handle}
    text = redact(exc)
    if isinstance(exc, _MustWait):
        return RateLimited("Instagram asks us to slow down", retry_after=exc.seconds, **kw)
    if isinstance(exc, ie.ProfileNotExistsException | ie.QueryReturnedNotFoundException):
        return AccountNotFound(text, **kw)
    if isinstance(exc, ie.PrivateProfileNotFollowedException):
        return AccountUnavailable(f"the profile is private: {text}", **kw)
    if isinstance(exc, ie.LoginRequiredException):
        if "private" in text.lower():
            return AccountUnavailable(f"the profile is private: {text}", **kw)
        return AuthFailed(
            f"Instagram requires a login ({text}); give a saved instaloader session as "
            'session_file, or use mode = "graph"',
            **kw,
        )
    if isinstance(exc, ie.LoginException | ie.AbortDownloadException):
        return AuthFailed(f"Instagram refused the session ({text}); renew session_file", **kw)
    if isinstance(exc, ie.BadResponseException):
        return BadResponse(text, **kw)
    chain: list[BaseException] = [exc]
    while chain[-1].__cause__ is not None and len(chain) < 5:
        chain.append(chain[-1].__cause__)  # type: ignore[arg-type]
    status = _STATUS.search(text)
    code = int(status.group(1)) if status else None
    if any(isinstance(e, ie.TooManyRequestsException) for e in chain) or code == 429:
        return RateLimited(f"HTTP 429 from Instagram: {text}", retry_after=None, **kw)
    if "please wait a few minutes" in text.lower():
        # Instagram's 401 for too many anonymous reads: a rate limit, not bad credentials.
        return RateLimited(f"Instagram asks to wait a few minutes: {text}", **kw)
    if code is not None and code >= 500:
        return PlatformUnavailable(text, **kw)
    if isinstance(exc, ie.ConnectionException):
        return PlatformUnavailable(text, **kw)
    return BadResponse(text, **kw)


class InstaloaderMode:
    """Profile counts and recent posts of public profiles through instaloader."""

    def __init__(self, settings: Mapping[str, Any], timeout: float) -> None:
        self.session_file = settings.get("session_file") or None
        self.timeout = timeout
        self._context: instaloader.InstaloaderContext | None = None

    def context(self) -> instaloader.InstaloaderContext:
        """The instaloader context (built on first use; no request is made here)."""
        if self._context is None:
            context = instaloader.InstaloaderContext(
                sleep=False,
                quiet=True,
                max_connection_attempts=1,  # the poller retries, with backoff
                request_timeout=self.timeout,
                rate_controller=RaisingRateController,
                iphone_support=False,
            )
            if self.session_file:
                path = Path(str(self.session_file)).expanduser()
                # instaloader's session files are named session-USERNAME by default
                username = path.name.removeprefix("session-") or "session"
                try:
                    with path.open("rb") as file:
                        context.load_session_from_file(username, file)
                except OSError as exc:
                    raise AuthFailed(
                        f"cannot read the Instagram session_file {path}: {exc.strerror}",
                        platform=PLATFORM,
                    ) from None
            self._context = context
        return self._context

    def _guard(self, handle: str, call: Any) -> Any:
        try:
            return call()
        except ConnectorError:
            raise
        except (ie.InstaloaderException, _MustWait) as exc:
            raise map_error(exc, handle) from None

    def fetch_profile(self, name: str) -> ProfileStats:
        context = self.context()
        profile = self._guard(name, lambda: instaloader.Profile.from_username(context, name))
        # The node holds every count the page showed; Profile's properties would fetch again
        # for a missing one, and a missing count must stay None.
        return require_counts(parse_profile(profile._node, name))

    def fetch_posts(self, name: str, since: datetime | None, limit: int) -> list[PostStats]:
        context = self.context()
        if context.is_logged_in:
            items = self._guard(name, lambda: self._session_media(context, name, since, limit))
        else:
            page = self._guard(name, lambda: context.get_page_data(f"{name}/"))
            user = page_user(page)
            if not user.get("pk"):
                raise AccountNotFound(
                    f"profile {name} does not exist", platform=PLATFORM, handle=name
                )
            if user.get("is_private"):
                raise AccountUnavailable("the profile is private", platform=PLATFORM, handle=name)
            # Logged out, Instagram shows the newest posts (12) on the page; more needs a session.
            items = page_media(user)
        posts = sorted(parse_posts(items), key=lambda p: p.published_at, reverse=True)
        return clip_posts(posts, since, limit)

    @staticmethod
    def _session_media(
        context: instaloader.InstaloaderContext, name: str, since: datetime | None, limit: int
    ) -> list[Mapping[str, Any]]:
        profile = instaloader.Profile.from_username(context, name)
        items: list[Mapping[str, Any]] = []
        older = 0
        for post in islice(profile.get_posts(), limit + 3):
            media = post._node.get("iphone_struct") or {}
            items.append(media)
            published = parse_time(media.get("taken_at"))
            # Pinned posts come first whatever their age; stop after a few older ones in a row.
            if since is not None and published is not None and published < as_utc(since):
                older += 1
                if older >= 3:
                    break
            else:
                older = 0
        return items
