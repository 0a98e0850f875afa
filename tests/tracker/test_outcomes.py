"""The one table from connector errors to outcomes, account states, budget and schedule."""

from __future__ import annotations

import inspect

import pytest

from connectors import errors
from connectors.errors import (
    AccountNotFound,
    AccountUnavailable,
    AuthFailed,
    BadHandle,
    BadResponse,
    ConnectorError,
    PlatformUnavailable,
    RateLimited,
)
from tracker.polling.outcomes import OK, OTHER, VERDICTS, IdentityConflict, verdict_of


def test_every_connector_error_has_a_verdict() -> None:
    # a new error class in connectors.errors gets a decided meaning, not a silent fallback
    classes = {
        cls
        for _name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, ConnectorError)
    }
    covered = {cls for cls, _ in VERDICTS}
    assert classes - covered <= {BadHandle}  # a handle error is a ConnectorError: "error"
    assert verdict_of(BadHandle("x")) == OTHER


@pytest.mark.parametrize(
    ("error", "outcome", "state"),
    [
        (None, "ok", "active"),
        (AccountNotFound("gone"), "not_found", "not_found"),
        (AccountUnavailable("private"), "unavailable", "unavailable"),
        (AuthFailed("expired"), "auth_failed", "auth_failed"),
        (RateLimited("slow down", retry_after=5), "rate_limited", None),
        (PlatformUnavailable("HTTP 503"), "error", None),
        (BadResponse("no count"), "error", None),
        (IdentityConflict("taken"), "error", "paused"),
        (RuntimeError("bug"), "error", None),
    ],
)
def test_outcome_and_account_state_of_each_answer(
    error: BaseException | None, outcome: str, state: str | None
) -> None:
    verdict = verdict_of(error)
    assert (verdict.outcome, verdict.state) == (outcome, state)


def test_only_account_answers_count_as_the_platform_working() -> None:
    answered = [cls for cls, v in VERDICTS if v.platform_answered]
    assert PlatformUnavailable not in answered and RateLimited not in answered
    assert AccountNotFound in answered and BadResponse in answered
    assert OK.platform_answered and not OTHER.platform_answered
    assert [cls for cls, v in VERDICTS if v.stays_due] == [RateLimited]
