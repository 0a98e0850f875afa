"""Values and the protocol every connector shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, runtime_checkable

from connectors.errors import BadResponse

PostKind = Literal["text", "photo", "video", "link", "carousel", "reel", "article"]
POST_KINDS: tuple[str, ...] = ("text", "photo", "video", "link", "carousel", "reel", "article")


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as aware UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def int_or_none(value: Any) -> int | None:
    """An int from a payload value, or None when the platform did not say (never 0 for unknown)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


@dataclass(frozen=True, slots=True)
class ProfileStats:
    """Counts of one public profile at one moment; None where the platform does not tell."""

    platform: str
    handle: str
    platform_id: str | None
    display_name: str | None
    followers: int | None
    following: int | None
    posts: int | None
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class PostStats:
    """Public metrics of one post; no text is kept."""

    post_id: str
    published_at: datetime
    kind: str
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    views: int | None = None
    url: str | None = None


@runtime_checkable
class Connector(Protocol):
    """What the poller needs of a platform."""

    platform: str

    def fetch_profile(self, handle: str) -> ProfileStats:
        """Counts of the public profile; raises a ConnectorError subclass on failure."""
        ...

    def fetch_posts(
        self, handle: str, since: datetime | None = None, limit: int = 50
    ) -> list[PostStats]:
        """Recent own posts (newest first), at most ``limit``, none older than ``since``."""
        ...


def require_counts(stats: ProfileStats) -> ProfileStats:
    """``stats`` unchanged when it holds at least one count; raises BadResponse otherwise.

    A platform that tells counts never answers a real profile with none: an empty body (``{}``
    behind a proxy, a half-served error page) is a failure, not an account with unknown counts.
    """
    if stats.followers is None and stats.following is None and stats.posts is None:
        raise BadResponse(
            "the profile answer holds no count (followers, following or posts)",
            platform=stats.platform,
            handle=stats.handle,
        )
    return stats


def clip_posts(posts: list[PostStats], since: datetime | None, limit: int) -> list[PostStats]:
    """At most ``limit`` of ``posts`` (in their order), none published before ``since``."""
    if since is not None:
        start = as_utc(since)
        posts = [p for p in posts if p.published_at >= start]
    return posts[:limit]


# Requests time out after this many seconds unless a platform's settings say otherwise.
DEFAULT_TIMEOUT = 20.0
