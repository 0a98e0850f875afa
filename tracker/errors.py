"""The tracker's error tree. The CLI alone turns these into messages and exit codes."""

from __future__ import annotations


class TrackerError(Exception):
    """Base of every error the tracker reports to a user."""

    exit_code = 1


class ConfigError(TrackerError):
    """The configuration file is missing, unreadable or invalid."""

    exit_code = 2


class RosterError(TrackerError):
    """A roster file has bad rows; nothing of it was written."""

    exit_code = 2


class NotFoundError(TrackerError):
    """A person, cohort, account or tandem named by the user does not exist."""

    exit_code = 2


class StoreError(TrackerError):
    """The database cannot be reached or is not at the expected schema version."""

    exit_code = 3


class PrivacyError(TrackerError):
    """A consent, export, erasure or retention request cannot be carried out as asked."""

    exit_code = 2


class BackupError(TrackerError):
    """A backup cannot be written, or a backup file cannot be restored (damaged, truncated,
    wrong passphrase, refused target)."""

    exit_code = 5


class SelfAssessmentError(TrackerError):
    """A self-assessment answer cannot be taken: the round is not open, or a value is bad.

    ``reason`` names the case ("closed", "not_open", "unknown_round", "no_cohort", "disabled",
    "bad_value", "too_long", "empty", "not_mentee") so pages can say it in the viewer's language.
    """

    exit_code = 2

    def __init__(self, message: str, reason: str, **details: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.details = details


class MailError(TrackerError):
    """The weekly letter cannot be composed or sent as asked (settings, week, recipient)."""

    exit_code = 2
