"""What the platform modules share: timeouts, HTTP status to error mapping, and log redaction.

Platform modules only call their library and parse; the rules for "how long do we wait", "what
does a 429 mean" and "no secret in any log line" live here, once.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from connectors.base import DEFAULT_TIMEOUT
from connectors.errors import (
    AccountNotFound,
    AuthFailed,
    BadResponse,
    ConnectorError,
    PlatformUnavailable,
    RateLimited,
)

logger = logging.getLogger(__name__)

# Loggers of the client libraries that may print request URLs or headers at DEBUG level
# (tweepy prints the Authorization header; urllib3 prints URLs, and the Graph API carries its
# access token in the query string).
LIBRARY_LOGGERS = (
    "tweepy",
    "tweepy.client",
    "urllib3",
    "urllib3.connectionpool",
    "requests",
    "facebook",
    "mastodon",
    "instaloader",
    "httpx",
    "httpcore",
    "httpcore.http11",
    "httpcore.connection",
    "atproto",
    "atproto_client",
    "feedparser",
    "connectors",
)

REDACTED = "***"
# Query parameters that carry secrets in URLs, whatever the value.
_SECRET_PARAMS = re.compile(
    r"(?i)\b(access_token|input_token|fb_exchange_token|client_secret|appsecret_proof|"
    r"sessionid|bearer_token)=([^&\s'\"<>]+)"
)
_BEARER = re.compile(r"(?i)\b(Bearer)\s+[A-Za-z0-9._~+/%=-]{8,}")


def timeout_of(settings: Mapping[str, Any]) -> float:
    """The request timeout in seconds from a platform's settings (``timeout``), else the default."""
    value = settings.get("timeout")
    try:
        seconds = float(value) if value is not None else DEFAULT_TIMEOUT
    except (TypeError, ValueError):
        seconds = DEFAULT_TIMEOUT
    return seconds if seconds > 0 else DEFAULT_TIMEOUT


def env_hint(settings: Mapping[str, Any], key: str, default_env: str) -> str:
    """'set TRACKER_X_BEARER_TOKEN': which environment variable should hold the secret ``key``."""
    name = settings.get(f"{key}_env_name") or default_env
    return f"set {name}"


class _Secrets:
    """The secrets this process has been given, to be masked wherever text leaves a connector."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str | None) -> None:
        # Very short values would mask ordinary words; real tokens are long.
        if value and len(value) >= 6:
            with self._lock:
                self._values.add(value)

    def redact(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, REDACTED)
        text = _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
        return _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


SECRETS = _Secrets()


def redact(text: object) -> str:
    """``text`` as a string with every known secret and every token-like URL parameter masked."""
    return SECRETS.redact(str(text))


class RedactingFilter(logging.Filter):
    """Rewrites a log record's message with secrets masked (the record is kept, not dropped)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the library's problem, not a reason to leak
            return True
        cleaned = SECRETS.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # Format the traceback now, redacted, so that handlers reuse our text.
            record.exc_text = SECRETS.redact(
                logging.Formatter().formatException(record.exc_info)  # type: ignore[arg-type]
            )
        return True


_FILTER = RedactingFilter()
_installed = False


def install_log_redaction() -> None:
    """Attach the redacting filter to every library logger that might print a secret.

    A logger's filters see only records created on that very logger, so each one is named.
    Idempotent.
    """
    global _installed
    if _installed:
        return
    for name in LIBRARY_LOGGERS:
        log = logging.getLogger(name)
        if _FILTER not in log.filters:
            log.addFilter(_FILTER)
    _installed = True


def protect(secret: str | None) -> None:
    """Register a secret to be masked in logs and error messages, and install the log filter."""
    SECRETS.add(secret)
    install_log_redaction()


class TimeoutSession(requests.Session):
    """A requests session that always passes a timeout (most client libraries set none)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout
        self.last_response: requests.Response | None = None
        self.hooks["response"].append(self._remember)

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_response = response

    def request(  # type: ignore[override]
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)


def seconds_until(epoch: float | int | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds from now until a Unix timestamp (never negative), or None when not known."""
    if epoch is None:
        return None
    return max(float(epoch) - now(), 0.0)


def parse_retry_after(value: str | None) -> float | None:
    """A ``Retry-After`` header (seconds or an HTTP date) as seconds from now, or None."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def error_for_status(
    status: int,
    message: str,
    *,
    platform: str,
    handle: str,
    retry_after: float | None = None,
    auth_hint: str = "",
) -> ConnectorError:
    """The connector error an HTTP status stands for (the caller raises it)."""
    text = redact(message)
    kw: dict[str, Any] = {"platform": platform, "handle": handle}
    if status in (401, 403):
        hint = f" ({auth_hint})" if auth_hint else ""
        return AuthFailed(f"HTTP {status}: {text}{hint}", **kw)
    if status in (404, 410):
        return AccountNotFound(f"HTTP {status}: {text}", **kw)
    if status == 429:
        return RateLimited(f"HTTP 429: {text}", retry_after=retry_after, **kw)
    if status >= 500:
        return PlatformUnavailable(f"HTTP {status}: {text}", **kw)
    return BadResponse(f"HTTP {status}: {text}", **kw)


def is_success(status: int) -> bool:
    """True for a 2xx answer; anything else is an error whatever its body says."""
    return 200 <= status < 300


def network_error(exc: BaseException, *, platform: str, handle: str) -> PlatformUnavailable:
    """A timeout or connection failure as PlatformUnavailable, with secrets masked."""
    kind = "timed out" if isinstance(exc, requests.Timeout) else "could not be reached"
    return PlatformUnavailable(
        f"the platform {kind}: {redact(exc)}", platform=platform, handle=handle
    )


def parse_time(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO-8601 string, a datetime, or a Unix timestamp; else None.

    Accepts the spellings the platforms use: ``2024-05-01T10:00:00.000Z``,
    ``2021-07-09T19:09:52+0000`` (Graph API) and naive values taken as UTC.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    # +0000 -> +00:00 (fromisoformat in 3.11 accepts both, but be explicit for odd inputs)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
