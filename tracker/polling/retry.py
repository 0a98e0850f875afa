"""Which failures are worth another try, and how long to wait before it.

Only a platform that did not answer usefully (``PlatformUnavailable``: 5xx, timeouts, network) is
retried, with capped exponential backoff and jitter, a bounded number of times. An account that
is gone, private or needs fresh credentials is not retried: its state changes instead, and the
schedule looks at it again later.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import requests

from connectors.errors import ConnectorError, PlatformUnavailable
from tracker.config import ScheduleSection, parse_duration

# Failures a client library may let escape instead of wrapping them: all mean "try again later".
TIMEOUTS: tuple[type[BaseException], ...] = (
    TimeoutError,
    ConnectionError,
    requests.Timeout,
    requests.ConnectionError,
)


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``max_attempts`` tries; the wait before try n+1 grows as ``base * 2**(n-1)`` up to
    ``cap`` seconds, of which a random half is taken off (so that many accounts that failed at
    the same moment do not all come back at the same moment)."""

    max_attempts: int = 4
    base: float = 2.0
    cap: float = 300.0

    @classmethod
    def from_schedule(cls, schedule: ScheduleSection) -> RetryPolicy:
        return cls(
            max_attempts=schedule.max_attempts,
            base=parse_duration(schedule.backoff_base).total_seconds(),
            cap=parse_duration(schedule.backoff_cap).total_seconds(),
        )

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed try number ``attempt`` (counted from 1)."""
        ceiling = min(self.cap, self.base * 2 ** max(attempt - 1, 0))
        draw = (rng or random).random()
        return ceiling / 2 + draw * ceiling / 2

    def should_retry(self, error: BaseException, attempt: int) -> bool:
        """True when ``error`` after try ``attempt`` deserves another try."""
        return attempt < self.max_attempts and is_retryable(error)


def is_retryable(error: BaseException) -> bool:
    """Platform outages and timeouts are; everything about the account itself is not."""
    return isinstance(error, (PlatformUnavailable, *TIMEOUTS))


def as_connector_error(error: BaseException, platform: str, handle: str) -> ConnectorError:
    """A raw timeout or network failure as ``PlatformUnavailable``; connector errors unchanged."""
    if isinstance(error, ConnectorError):
        return error
    kind = "timed out" if isinstance(error, TimeoutError | requests.Timeout) else "failed"
    return PlatformUnavailable(
        f"the request {kind} ({type(error).__name__})", platform=platform, handle=handle
    )
