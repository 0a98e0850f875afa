"""Platform connectors behind one small contract; see ``connectors.base``."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from connectors.base import Connector, PostStats, ProfileStats
from connectors.errors import ConnectorError

# One explicit registry: platform name -> "module:Class". Modules load on first use so that a
# missing optional library only affects its own platform.
REGISTRY: dict[str, str] = {
    "x": "connectors.x:XConnector",
    "facebook": "connectors.facebook:FacebookConnector",
    "instagram": "connectors.instagram:InstagramConnector",
    "blog": "connectors.blog:BlogConnector",
    "bluesky": "connectors.bluesky:BlueskyConnector",
    "mastodon": "connectors.mastodon:MastodonConnector",
    "demo": "connectors.demo:DemoConnector",
    "manual": "connectors.manual:ManualConnector",
}

PLATFORMS: tuple[str, ...] = tuple(REGISTRY)


def get_connector(platform: str, settings: Mapping[str, Any] | None = None) -> Connector:
    """Build the connector for ``platform``; raises ConnectorError for an unknown platform."""
    target = REGISTRY.get(platform)
    if target is None:
        known = ", ".join(sorted(REGISTRY))
        raise ConnectorError(f"unknown platform {platform!r}; known: {known}", platform=platform)
    module_name, class_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    connector: Connector = cls(dict(settings or {}))
    return connector


__all__ = ["PLATFORMS", "REGISTRY", "Connector", "PostStats", "ProfileStats", "get_connector"]
