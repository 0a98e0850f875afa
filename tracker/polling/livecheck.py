"""``tracker check --live``: one real request per enabled platform, to tell whether it answers,
whether the credentials work, and how much of the rate limit is left.

Each platform is probed with a well-known public account, so the check says nothing about
(and reads nothing of) the programme's participants.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from connectors import get_connector
from connectors.errors import (
    AccountNotFound,
    AccountUnavailable,
    AuthFailed,
    ConnectorError,
    PlatformUnavailable,
    RateLimited,
)
from tracker.config import Config, platform_settings

logger = logging.getLogger(__name__)

# A public account per platform that is expected to exist for years.
PROBES: dict[str, str] = {
    "x": "XDevelopers",
    "facebook": "facebook",
    "instagram": "instagram",
    "bluesky": "bsky.app",
    "mastodon": "@Mastodon@mastodon.social",
    "blog": "https://blog.python.org/",
}
CHECKED = tuple(PROBES)


@dataclass(frozen=True)
class LiveRow:
    """The outcome of probing one platform; None means "not known" or "not applicable"."""

    platform: str
    reachable: bool | None
    authenticated: bool | None
    rate_remaining: int | None
    message: str


def _credentials(name: str, settings: dict[str, object]) -> bool | None:
    """True when the platform's credentials are configured, False when required but missing,
    None when the platform is read without any (Bluesky, blogs, anonymous Mastodon or
    Instagram)."""
    if name == "x":
        return bool(settings.get("bearer_token"))
    if name == "facebook":
        return bool(settings.get("access_token"))
    if name == "instagram":
        if settings.get("mode") == "graph":
            return bool(settings.get("access_token") and settings.get("ig_user_id"))
        return True if settings.get("session_file") else None
    if name == "mastodon":
        return True if settings.get("access_token") else None
    return None


def _probe(name: str, config: Config) -> LiveRow:
    settings = platform_settings(config, name)
    creds = _credentials(name, settings)
    connector = None
    try:
        connector = get_connector(name, settings)
        connector.fetch_profile(PROBES[name])
    except AuthFailed as exc:
        # Without credentials nothing was sent: whether the platform answers is unknown.
        return LiveRow(name, None if creds is False else True, False, None, exc.message)
    except PlatformUnavailable as exc:
        return LiveRow(name, False, None, None, exc.message)
    except RateLimited as exc:
        wait = f"; retry in {exc.retry_after:.0f} s" if exc.retry_after is not None else ""
        return LiveRow(name, True, creds, 0, f"rate limited{wait}")
    except (AccountNotFound, AccountUnavailable) as exc:
        rate = getattr(connector, "rate_remaining", None)
        return LiveRow(name, True, creds, rate, f"probe account: {exc.message}")
    except ConnectorError as exc:
        return LiveRow(name, None, None, None, exc.message)
    return LiveRow(name, True, creds, getattr(connector, "rate_remaining", None), "ok")


def live_check(config: Config, platforms: tuple[str, ...] | None = None) -> list[LiveRow]:
    """Probe each enabled platform once (demo and manual are skipped: nothing to reach).

    A platform served by another connector (``connector = "demo"``) is skipped too.
    """
    rows: list[LiveRow] = []
    for name in platforms or CHECKED:
        section = config.platform(name)
        if not section.enabled:
            rows.append(LiveRow(name, None, None, None, "disabled in the config"))
            continue
        if section.connector and section.connector != name:
            rows.append(LiveRow(name, None, None, None, f"served by {section.connector}"))
            continue
        logger.info("probing %s", name)
        rows.append(_probe(name, config))
    return rows
