"""A simulated platform: plausible, deterministic (seeded) profile and post histories.

It serves the demo and load tests through the same contract as the real connectors. What an
account does is read from a profile spec (``settings["profiles"]`` or the JSON file named by
``settings["profiles_file"]``); a handle without a spec gets one derived from the seed and the
handle. Failure modes let tests and the demo exercise the poller: ``not_found``,
``unavailable``, ``rate_limited``, ``auth_failed``, ``flaky`` (every other call fails),
``down`` (the platform is unreachable), ``timeout`` (the request times out, as a raw
``TimeoutError`` the way a client library may let one escape) and ``malformed`` (a payload that
cannot be read).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from connectors.base import PostStats, ProfileStats, as_utc, clip_posts, utcnow
from connectors.errors import (
    AccountNotFound,
    AccountUnavailable,
    AuthFailed,
    BadResponse,
    PlatformUnavailable,
    RateLimited,
)

FAILURE_MODES = (
    "not_found",
    "unavailable",
    "rate_limited",
    "auth_failed",
    "flaky",
    "down",
    "timeout",
    "malformed",
)
_KINDS = ("text", "photo", "video", "link", "carousel", "reel")


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts."""
    return _unit_of("|".join(map(str, parts)))


def _unit_of(text: str) -> float:
    """``_unit`` of parts already joined with "|"."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass(frozen=True)
class Phase:
    """From ``start`` on: weekly follower growth (0.02 = 2 %) and posts per week."""

    start: date
    growth: float
    posts_per_week: float
    video_share: float = 0.0


@dataclass(frozen=True)
class DemoProfile:
    handle: str
    display_name: str
    born: date
    followers_at_birth: int
    phases: tuple[Phase, ...]
    engagement: float = 0.04  # interactions per follower per post, before noise
    following: int = 150
    failure: str | None = None
    platform_id: str | None = None
    # Blogs and homepages have readers, not followers: the count is unknown, not zero.
    has_followers: bool = True
    # The failure mode holds from this day on (None: always).
    failure_from: date | None = None
    # Days (first, last) on which the platform does not answer for this account.
    outages: tuple[tuple[date, date], ...] = ()

    @classmethod
    def from_dict(cls, handle: str, data: Mapping[str, Any]) -> DemoProfile:
        phases = tuple(
            Phase(
                date.fromisoformat(p["start"]),
                float(p["growth"]),
                float(p["posts_per_week"]),
                float(p.get("video_share", 0.0)),
            )
            for p in data["phases"]
        )
        return cls(
            handle=handle,
            display_name=data.get("display_name", handle),
            born=date.fromisoformat(data["born"]),
            followers_at_birth=int(data["followers_at_birth"]),
            phases=phases,
            engagement=float(data.get("engagement", 0.04)),
            following=int(data.get("following", 150)),
            failure=data.get("failure"),
            platform_id=data.get("platform_id"),
            has_followers=bool(data.get("has_followers", True)),
            failure_from=date.fromisoformat(data["failure_from"])
            if data.get("failure_from")
            else None,
            outages=tuple(
                (date.fromisoformat(a), date.fromisoformat(b)) for a, b in data.get("outages", ())
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "display_name": self.display_name,
            "born": self.born.isoformat(),
            "followers_at_birth": self.followers_at_birth,
            "phases": [
                {
                    "start": p.start.isoformat(),
                    "growth": p.growth,
                    "posts_per_week": p.posts_per_week,
                    "video_share": p.video_share,
                }
                for p in self.phases
            ],
            "engagement": self.engagement,
            "following": self.following,
            "failure": self.failure,
            "platform_id": self.platform_id,
            "has_followers": self.has_followers,
            "failure_from": self.failure_from.isoformat() if self.failure_from else None,
            "outages": [[a.isoformat(), b.isoformat()] for a, b in self.outages],
        }


def derived_profile(seed: int, handle: str, today: date) -> DemoProfile:
    """A profile for a handle with no spec: an account some years old with a steady habit."""
    born = today - timedelta(days=int(365 + 900 * _unit(seed, handle, "born")))
    growth = 0.001 + 0.012 * _unit(seed, handle, "growth")
    return DemoProfile(
        handle=handle,
        display_name=handle,
        born=born,
        followers_at_birth=int(20 + 400 * _unit(seed, handle, "base")),
        phases=(Phase(born, growth, 0.5 + 4 * _unit(seed, handle, "rate"), 0.1),),
    )


class DemoConnector:
    """The ``demo`` platform. ``clock`` may be replaced to run over simulated time."""

    platform = "demo"

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.seed = int(settings.get("seed") or 7)
        self.latency = float(settings.get("latency") or 0.0)
        profiles: dict[str, Any] = dict(settings.get("profiles") or {})
        if settings.get("profiles_file"):
            path = Path(str(settings["profiles_file"]))
            if path.exists():
                profiles.update(json.loads(path.read_text(encoding="utf-8")))
        self.profiles = {h: DemoProfile.from_dict(h, d) for h, d in profiles.items()}
        self.clock: Callable[[], datetime] = utcnow
        self.calls = 0
        self._totals: dict[str, list[int]] = {}
        self._days: dict[
            str,
            tuple[DemoProfile, dict[date, tuple[int, ...]], dict[date, tuple[float, float]]],
        ] = {}

    # -- the model -------------------------------------------------------------------------
    def profile(self, handle: str) -> DemoProfile:
        spec = self.profiles.get(handle)
        return spec or derived_profile(self.seed, handle, self.clock().date())

    @staticmethod
    def _phase_at(spec: DemoProfile, day: date) -> Phase | None:
        current = None
        for phase in spec.phases:
            if phase.start <= day:
                current = phase
        return current

    def followers_at(self, spec: DemoProfile, moment: datetime) -> int:
        """Compound growth through the phases, with small deterministic day-to-day noise."""
        day = moment.date()
        if day < spec.born:
            return 0
        value, noise = self._day_followers(spec, day)
        hours = moment.hour / 24
        value *= 1 + noise + 0.0005 * hours
        return max(round(value), 0)

    def _day_followers(self, spec: DemoProfile, day: date) -> tuple[float, float]:
        """The compound growth up to ``day`` and the day's noise, computed once per day."""
        days = self._spec_cache(spec)[1]
        found = days.get(day)
        if found is None:
            value = float(spec.followers_at_birth)
            boundaries = [*(p.start for p in spec.phases if p.start < day), day]
            for phase, (start, end) in zip(spec.phases, pairwise(boundaries), strict=False):
                start = max(start, spec.born)
                weeks = max((end - start).days, 0) / 7
                value *= (1 + phase.growth) ** weeks
            found = days[day] = (value, 0.004 * (_unit(self.seed, spec.handle, day) - 0.5))
        return found

    def _spec_cache(
        self, spec: DemoProfile
    ) -> tuple[dict[date, tuple[int, ...]], dict[date, tuple[float, float]]]:
        """What was drawn per day for ``spec``'s handle: post hours and follower counts. A
        derived spec moves with the date, so a changed spec starts afresh."""
        entry = self._days.get(spec.handle)
        if entry is None or (entry[0] is not spec and entry[0] != spec):
            entry = self._days[spec.handle] = (spec, {}, {})
        return entry[1], entry[2]

    def _hours_in(
        self, spec: DemoProfile, days: dict[date, tuple[int, ...]], day: date
    ) -> tuple[int, ...]:
        """The hours of the posts published on ``day``, one per post in index order.

        They depend on the spec and the day alone, so they are drawn once (into ``days``, the
        spec's cache): a profile poll counts them, a posts poll builds the posts, and later
        polls read the same days again.
        """
        hours = days.get(day)
        if hours is None:
            hours = days[day] = self._draw_hours(spec, day)
        return hours

    def _draw_hours(self, spec: DemoProfile, day: date) -> tuple[int, ...]:
        phase = self._phase_at(spec, day)
        if day < spec.born or phase is None or phase.posts_per_week <= 0:
            return ()
        rate = phase.posts_per_week / 7
        # a Poisson draw from a deterministic uniform: few posts a day, mostly none
        u = _unit(self.seed, spec.handle, day, "n")
        count, p, cumulative = 0, math.exp(-rate), math.exp(-rate)
        while u > cumulative and count < 6:
            count += 1
            p *= rate / count
            cumulative += p
        return tuple(7 + int(14 * _unit(self.seed, spec.handle, day, i, "h")) for i in range(count))

    def posts_between(
        self, spec: DemoProfile, first: date, last: date, until: datetime | None = None
    ) -> list[PostStats]:
        """Posts published from ``first`` to ``last`` (inclusive) and not after ``until``
        (default now), oldest first."""
        posts: list[PostStats] = []
        clock = self.clock()
        now = until or clock
        days = self._spec_cache(spec)[0]
        day = max(first, spec.born)
        while day <= last:
            hours = self._hours_in(spec, days, day)
            if hours:
                phase = self._phase_at(spec, day)
                assert phase is not None  # a day with posts has a phase
                for i, hour in enumerate(hours):
                    published = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
                    if published <= now:
                        posts.append(self._post(spec, published, i, phase, clock))
            day += timedelta(days=1)
        return posts

    def _count_until(self, spec: DemoProfile, last: date) -> int:
        """Posts published up to the end of ``last``, from a per-handle running total."""
        cache = self._totals.setdefault(spec.handle, [])
        days = self._spec_cache(spec)[0]
        first = spec.born
        while len(cache) <= (last - first).days:
            day = first + timedelta(days=len(cache))
            cache.append((cache[-1] if cache else 0) + len(self._hours_in(spec, days, day)))
        return cache[(last - first).days] if last >= first else 0

    def _post(
        self, spec: DemoProfile, published: datetime, index: int, phase: Phase, now: datetime
    ) -> PostStats:
        key = f"{self.seed}|{spec.handle}|{published.isoformat()}|{index}|"
        if _unit_of(key + "video") < phase.video_share:
            kind = "reel" if _unit_of(key + "reel") < 0.5 else "video"
        else:
            kind = ("text", "photo", "link", "carousel", "photo")[int(5 * _unit_of(key + "kind"))]
        followers = self.followers_at(spec, published)
        age_days = max((now - published).total_seconds() / 86400, 0)
        settle = 1 - math.exp(-age_days * 1.5)  # interactions arrive over the first days
        quality = 0.4 + 1.2 * _unit_of(key + "q")
        interactions = followers * spec.engagement * quality * settle
        post_id = f"{spec.handle}-{published:%Y%m%d%H}-{index}"
        return PostStats(
            post_id=post_id,
            published_at=published,
            kind=kind,
            likes=int(interactions * 0.8),
            comments=int(interactions * 0.12),
            shares=int(interactions * 0.08),
            views=int(followers * 1.6 * settle) if kind in ("video", "reel") else None,
            url=f"https://demo.invalid/{spec.handle}/{post_id}",
        )

    # -- failure modes ---------------------------------------------------------------------
    def _enter(self, spec: DemoProfile) -> None:
        self.calls += 1
        if self.latency:
            time.sleep(self.latency)
        kw = {"platform": self.platform, "handle": spec.handle}
        today = self.clock().date()
        if any(first <= today <= last for first, last in spec.outages):
            raise PlatformUnavailable("HTTP 503 from the platform", **kw)
        mode = spec.failure
        if mode is None or (spec.failure_from is not None and today < spec.failure_from):
            return
        if mode == "not_found":
            raise AccountNotFound("no such account", **kw)
        if mode == "unavailable":
            raise AccountUnavailable("the account is private", **kw)
        if mode == "rate_limited":
            raise RateLimited("too many requests", retry_after=60.0, **kw)
        if mode == "auth_failed":
            raise AuthFailed("the access token has expired", **kw)
        if mode == "timeout":
            raise TimeoutError("the read timed out")
        if mode == "malformed":
            raise BadResponse("the payload is not valid JSON", **kw)
        if mode == "down" or (mode == "flaky" and self.calls % 2 == 1):
            raise PlatformUnavailable("HTTP 503 from the platform", **kw)

    # -- the contract ----------------------------------------------------------------------
    def fetch_profile(self, handle: str) -> ProfileStats:
        spec = self.profile(handle)
        self._enter(spec)
        now = self.clock()
        posts = self._count_until(spec, now.date() - timedelta(days=1)) + len(
            self.posts_between(spec, now.date(), now.date())
        )
        return ProfileStats(
            platform=self.platform,
            handle=handle,
            platform_id=spec.platform_id
            or f"demo-{hashlib.blake2b(handle.encode(), digest_size=6).hexdigest()}",
            display_name=spec.display_name,
            followers=self.followers_at(spec, now) if spec.has_followers else None,
            following=spec.following if spec.has_followers else None,
            posts=posts,
            fetched_at=now,
        )

    def fetch_posts(
        self, handle: str, since: datetime | None = None, limit: int = 50
    ) -> list[PostStats]:
        spec = self.profile(handle)
        self._enter(spec)
        now = self.clock()
        first = as_utc(since).date() if since else max(spec.born, now.date() - timedelta(days=120))
        posts = self.posts_between(spec, first, now.date())
        return clip_posts(list(reversed(posts)), since, limit)
