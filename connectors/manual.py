"""The ``manual`` platform: counts a person enters with ``tracker record``, where no open API
serves (TikTok, LinkedIn, WhatsApp channels, Threads) or an API is unavailable.

There is nothing to fetch: the connector exists so that the registry knows the platform, and so
that a poll of a manual account fails with a message that says what to do instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.base import PostStats, ProfileStats
from connectors.errors import ConnectorError

PLATFORM = "manual"


def _explain(handle: str) -> ConnectorError:
    return ConnectorError(
        "manual accounts are not polled: their counts are entered by a person with "
        f"`tracker record PERSON {handle or 'PLATFORM'} --followers N`",
        platform=PLATFORM,
        handle=handle,
    )


class ManualConnector:
    """Fetches nothing; every call raises a ConnectorError explaining ``tracker record``."""

    platform = PLATFORM

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)

    def fetch_profile(self, handle: str) -> ProfileStats:
        """Raises ConnectorError: counts of manual accounts are entered, not fetched."""
        raise _explain(handle)

    def fetch_posts(
        self, handle: str, since: datetime | None = None, limit: int = 50
    ) -> list[PostStats]:
        """Raises ConnectorError: posts of manual accounts are not tracked."""
        raise _explain(handle)
