"""The Graph API through facebook-sdk, shared by Facebook pages and Instagram's graph mode.

facebook-sdk 3.1 (its last release, 2018) accepts only Graph API versions up to 3.1, all long
retired; its constructor raises for anything newer. We construct it without a version and set
``graph.version`` afterwards: the SDK builds every URL as ``{version}/{path}``.

Error codes: https://developers.facebook.com/docs/graph-api/guides/error-handling and
https://developers.facebook.com/docs/graph-api/overview/rate-limiting
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import facebook
import requests

from connectors.errors import (
    AccountNotFound,
    AccountUnavailable,
    AuthFailed,
    BadResponse,
    ConnectorError,
    PlatformUnavailable,
    RateLimited,
)
from connectors.http import (
    TimeoutSession,
    env_hint,
    error_for_status,
    is_success,
    network_error,
    parse_retry_after,
    protect,
    redact,
)

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_VERSION = "v23.0"
# Application-, user- and page-level throttling, and "too many calls" variants.
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, *range(80001, 80015)})
AUTH_CODES = frozenset({102, 190, 463, 467, 10})
SERVER_CODES = frozenset({1, 2})


def normalize_version(value: str | None) -> str:
    """'23.0', 'v23.0' or None -> 'v23.0' (the default is a current version)."""
    text = (value or DEFAULT_GRAPH_VERSION).strip()
    return text if text.startswith("v") else f"v{text}"


def _json_header(headers: Mapping[str, str], name: str) -> Any:
    """The JSON object in header ``name`` (either case); None when missing or not JSON."""
    raw = headers.get(name.lower()) or headers.get(name)
    if not raw:
        return None
    try:
        usage = json.loads(raw)
    except ValueError:
        return None
    return usage if isinstance(usage, Mapping) else None


def usage_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds until access returns, from ``X-Business-Use-Case-Usage`` when Meta tells it."""
    usage = _json_header(headers, "X-Business-Use-Case-Usage")
    if usage is None:
        return None
    minutes = [
        entry.get("estimated_time_to_regain_access")
        for entries in usage.values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, Mapping)
    ]
    known = [float(m) for m in minutes if isinstance(m, int | float)]
    return max(known) * 60 if known and max(known) > 0 else None


def usage_remaining(headers: Mapping[str, str]) -> int | None:
    """Percent of the app's call budget left, from ``X-App-Usage`` (Meta reports percent used)."""
    usage = _json_header(headers, "X-App-Usage")
    if usage is None:
        return None
    used = [v for v in usage.values() if isinstance(v, int | float)]
    return max(0, 100 - int(max(used))) if used else None


class GraphClient:
    """A facebook-sdk GraphAPI with a timeout, a current version, and errors mapped."""

    def __init__(
        self,
        *,
        platform: str,
        access_token: str | None,
        version: str | None,
        timeout: float,
        settings: Mapping[str, Any],
        default_env: str,
    ) -> None:
        self.platform = platform
        self.token = access_token or None
        protect(self.token)
        self.settings = settings
        self.default_env = default_env
        self.session = TimeoutSession(timeout)
        self.graph = facebook.GraphAPI(
            access_token=self.token, timeout=timeout, session=self.session
        )
        # facebook-sdk 3.1 rejects versions above 3.1 in its constructor; set it afterwards.
        self.graph.version = normalize_version(version)
        self.rate_remaining: int | None = None

    def hint(self) -> str:
        return env_hint(self.settings, "access_token", self.default_env)

    def get(self, handle: str, path: str, **args: Any) -> Mapping[str, Any]:
        """GET ``{version}/{path}`` with ``args``; raises a ConnectorError subclass on failure."""
        kw: dict[str, Any] = {"platform": self.platform, "handle": handle}
        if not self.token:
            raise AuthFailed(f"no Graph API access token configured: {self.hint()}", **kw)
        self.session.last_response = None
        try:
            result = self.graph.request(f"{self.graph.version}/{path}", args)
        except facebook.GraphAPIError as exc:
            raise self._map_error(exc, handle) from None
        except requests.RequestException as exc:
            raise network_error(exc, **kw) from None
        except (KeyError, ValueError) as exc:
            # no content-type header, or a body that claims JSON but is not
            raise self._status_error(handle, f"unreadable response ({redact(exc)})") from None
        finally:
            last = self.session.last_response
            if last is not None:
                # The URL carries the access token: log it only through redact().
                logger.debug("Graph API GET %s -> %s", redact(last.url), last.status_code)
                remaining = usage_remaining(last.headers)
                if remaining is not None:
                    self.rate_remaining = remaining
        last = self.session.last_response
        if last is not None and not is_success(last.status_code):
            # facebook-sdk 3.1 returns any JSON body without an ``error`` key as the result,
            # whatever the status: a 503 with ``{}`` from a proxy is not an empty page.
            raise self._status_error(handle, last.reason or "no reason given")
        if not isinstance(result, Mapping):
            raise BadResponse("the response is not a JSON object", **kw)
        return result

    def _status_error(self, handle: str, message: str) -> ConnectorError:
        last = self.session.last_response
        kw: dict[str, Any] = {"platform": self.platform, "handle": handle}
        if last is not None and not is_success(last.status_code):
            return error_for_status(
                last.status_code,
                message,
                retry_after=parse_retry_after(last.headers.get("Retry-After")),
                auth_hint=self.hint(),
                **kw,
            )
        return BadResponse(message, **kw)

    def _map_error(self, exc: facebook.GraphAPIError, handle: str) -> ConnectorError:
        kw: dict[str, Any] = {"platform": self.platform, "handle": handle}
        code = exc.code if isinstance(exc.code, int) else None
        message = redact(exc.message if isinstance(exc.message, str) else exc)
        last = self.session.last_response
        headers: Mapping[str, str] = last.headers if last is not None else {}
        if code is None:
            # Not a Graph error body: a proxy's HTML error page, an empty 5xx, and the like.
            return self._status_error(handle, message)
        if code == 190:
            return AuthFailed(
                f"the access token is invalid or has expired ({message}); create a new one "
                f"and {self.hint()}",
                **kw,
            )
        if code in AUTH_CODES or 200 <= code <= 299:
            return AuthFailed(f"permission missing (#{code}): {message}; {self.hint()}", **kw)
        if code in RATE_LIMIT_CODES:
            return RateLimited(
                f"Graph API rate limit (#{code}): {message}",
                retry_after=usage_retry_after(headers),
                **kw,
            )
        if code == 100 and "does not exist" in message:
            # Meta words a missing object and a missing permission the same way; the message
            # names the permission (e.g. Page Public Content Access) when that is the cause.
            return AccountNotFound(f"no such page or account (#{code}): {message}", **kw)
        if code == 803 or (code == 100 and "nonexisting" in message.lower()):
            return AccountNotFound(f"(#{code}) {message}", **kw)
        if code == 110:
            # Business discovery answers "Invalid user id" (subcode 2207013) both for a username
            # that does not exist and for one that is not a professional account.
            return AccountNotFound(
                f"(#{code}) {message}: no such account, or not a professional "
                "(business or creator) account",
                **kw,
            )
        if code in SERVER_CODES or (last is not None and last.status_code >= 500):
            return PlatformUnavailable(f"Graph API (#{code}): {message}", **kw)
        if "restricted" in message.lower():  # age- or country-restricted pages
            return AccountUnavailable(f"(#{code}) {message}", **kw)
        return BadResponse(f"Graph API error (#{code}): {message}", **kw)
