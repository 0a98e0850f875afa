"""What each answer of a platform means for the poll: the one table from connector errors to the
attempt's outcome, the account's state, the platform's budget and the account's schedule."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.errors import (
    AccountNotFound,
    AccountUnavailable,
    AuthFailed,
    BadResponse,
    ConnectorError,
    PlatformUnavailable,
    RateLimited,
)


class IdentityConflict(ConnectorError):
    """The handle now belongs to a different platform account than the one tracked."""


@dataclass(frozen=True)
class Verdict:
    """What one answer means.

    ``outcome``: the attempt's outcome as recorded and counted. ``state``: the account state it
    moves to (None: the state stays). ``platform_answered``: the platform itself worked (only the
    account is the matter), which the budget's breaker counts as a success. ``ends_turn``: the
    account's next kind would meet the same answer, so it is not asked this pass. ``recheck``:
    the account is looked at again only after the schedule's recheck delay. ``stays_due``: the
    schedule does not move on (asked again as soon as the platform allows).
    """

    outcome: str
    state: str | None
    platform_answered: bool
    ends_turn: bool = False
    recheck: bool = False
    stays_due: bool = False


OK = Verdict("ok", "active", platform_answered=True)
# Any other failure (a bug, a library's own exception): recorded, the account's state stays.
OTHER = Verdict("error", None, platform_answered=False)

# First match wins: IdentityConflict is a ConnectorError, so it comes first.
VERDICTS: tuple[tuple[type[BaseException], Verdict], ...] = (
    (IdentityConflict, Verdict("error", "paused", True, ends_turn=True)),
    (AccountNotFound, Verdict("not_found", "not_found", True, ends_turn=True, recheck=True)),
    (AccountUnavailable, Verdict("unavailable", "unavailable", True, ends_turn=True, recheck=True)),
    (AuthFailed, Verdict("auth_failed", "auth_failed", True, ends_turn=True, recheck=True)),
    (BadResponse, Verdict("error", None, True)),
    (RateLimited, Verdict("rate_limited", None, False, ends_turn=True, stays_due=True)),
    (PlatformUnavailable, Verdict("error", None, False)),
    (ConnectorError, OTHER),
)

# The account was erased while its poll was under way: nothing is kept.
GONE = Verdict("gone", None, platform_answered=True, ends_turn=True)
# Work left for later because the platform's scope is paused or out of budget.
DEFERRED = Verdict("deferred", None, platform_answered=False, ends_turn=True)


def verdict_of(error: BaseException | None) -> Verdict:
    """The verdict of an answer: OK for None, else the table's row for the error's class."""
    if error is None:
        return OK
    for cls, verdict in VERDICTS:
        if isinstance(error, cls):
            return verdict
    return OTHER
