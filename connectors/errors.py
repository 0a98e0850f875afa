"""The connector error tree: every failure a platform can hand us, as one exception family."""

from __future__ import annotations


class ConnectorError(Exception):
    """A platform call failed; carries the platform and the handle it was about."""

    def __init__(self, message: str, *, platform: str = "", handle: str = "") -> None:
        super().__init__(message)
        self.platform = platform
        self.handle = handle
        self.message = message

    def __str__(self) -> str:
        where = f"{self.platform}:{self.handle}" if self.platform or self.handle else ""
        return f"{where}: {self.message}" if where else self.message


class AccountNotFound(ConnectorError):
    """The account is gone, was renamed away, or never existed."""


class AccountUnavailable(ConnectorError):
    """The account exists but cannot be read: private, suspended or age-gated."""


class RateLimited(ConnectorError):
    """The platform asks us to slow down; ``retry_after`` is seconds to wait, if known."""

    def __init__(
        self,
        message: str,
        *,
        platform: str = "",
        handle: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, platform=platform, handle=handle)
        self.retry_after = retry_after


class AuthFailed(ConnectorError):
    """Credentials are missing, invalid or expired."""


class PlatformUnavailable(ConnectorError):
    """The platform did not answer usefully: 5xx, timeout or network failure."""


class BadResponse(ConnectorError):
    """The platform answered with a payload we cannot read."""


class BadHandle(ConnectorError):
    """The handle is not one this platform can have (a user error, before any request)."""
