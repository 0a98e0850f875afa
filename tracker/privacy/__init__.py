"""Data protection built in: consent, export (Art. 15 and 20 GDPR), erasure (Art. 17),
retention and reading the audit log. The CLI and the web administration both call these."""

from __future__ import annotations

from tracker.privacy.audit_read import AuditRecord, audit_entries
from tracker.privacy.consent import (
    ConsentRecord,
    ConsentStatus,
    consent_history,
    consent_list,
    consent_status,
    give_consent,
    parse_platforms,
    withdraw_consent,
)
from tracker.privacy.erase import ErasurePlan, erase_person
from tracker.privacy.export import export_person, write_export
from tracker.privacy.retention import (
    ExpiredCohort,
    PurgeReport,
    kept_until,
    purge_expired,
    scheduled_purge,
)

__all__ = [
    "AuditRecord",
    "ConsentRecord",
    "ConsentStatus",
    "ErasurePlan",
    "ExpiredCohort",
    "PurgeReport",
    "audit_entries",
    "consent_history",
    "consent_list",
    "consent_status",
    "erase_person",
    "export_person",
    "give_consent",
    "kept_until",
    "parse_platforms",
    "purge_expired",
    "scheduled_purge",
    "withdraw_consent",
    "write_export",
]
