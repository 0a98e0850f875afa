"""Counts entered by a person, for platforms without an open API (TikTok, LinkedIn, WhatsApp
channels, Threads) or while an API is unavailable: the one path ``tracker record`` and the
administration page's form both take, with the same checks and the same messages.

Entries are stored like polled snapshots, marked ``source="manual"``. ``tracker record`` writes
to an account of platform ``manual`` whose handle starts with the platform label
(``tiktok:<person key>``); the form writes to the account chosen in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import NotFoundError, TrackerError
from tracker.programme.structure import Changes, add_account, get_person
from tracker.store.models import Account, Person
from tracker.store.write import write_snapshots

LABEL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
# Clocks differ a little; a count "from the future" by more than this is a typing mistake.
FUTURE_SLACK = timedelta(minutes=5)
# The store keeps counts as 64-bit integers; no account has more followers than people exist.
MAX_COUNT = 10**12


class RecordError(TrackerError):
    """A manual entry was refused: the message says which value and why."""

    exit_code = 2


@dataclass(frozen=True)
class ManualCounts:
    """Counts read off a platform; None where the person did not see one (never 0)."""

    followers: int | None = None
    following: int | None = None
    posts: int | None = None


def check_counts(counts: ManualCounts) -> ManualCounts:
    """``counts`` unchanged; raises RecordError for a negative or impossible count, or when
    no count is given at all."""
    for name in ("followers", "following", "posts"):
        value = getattr(counts, name)
        if value is None:
            continue
        if value < 0:
            raise RecordError(f"{name} must be 0 or more, not {value}")
        if value > MAX_COUNT:
            raise RecordError(f"{name} {value} is not a count an account can have")
    if counts.followers is None and counts.following is None and counts.posts is None:
        raise RecordError("give at least one count (followers, following or posts)")
    return counts


def check_label(text: str) -> str:
    """A platform label such as ``tiktok``, lower-cased; raises RecordError otherwise."""
    label = text.strip().lower()
    if not LABEL.match(label):
        raise RecordError(
            f"platform {text!r}: use a short label of letters, digits, - or _ (e.g. tiktok)"
        )
    return label


def _future(text: str) -> RecordError:
    return RecordError(f"{text} lies in the future; counts can only be recorded as seen")


def moment_of_day(day: date, now: datetime) -> datetime:
    """The moment a count entered for ``day`` is stored at: noon UTC (so the day stays the same
    in every European zone), or now for today before noon. Raises RecordError for a later day."""
    moment = datetime.combine(day, time(12), UTC)
    if moment > now + FUTURE_SLACK:
        if day > now.astimezone(UTC).date():
            raise _future(day.isoformat())
        moment = now  # today, before noon: as seen so far
    return moment


def parse_moment(text: str | None, timezone: str, now: datetime) -> datetime:
    """'2025-03-14' (see ``moment_of_day``) or '2025-03-14T18:30' (in the programme's time zone
    unless an offset is given) -> aware UTC; now when empty.

    Raises RecordError for an unreadable or future moment.
    """
    if not text:
        return now
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return moment_of_day(date.fromisoformat(value), now)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(
            f"--at {text!r} is not a date: write 2025-03-14 or 2025-03-14T18:30"
        ) from None
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    moment = (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(UTC)
    if moment > now + FUTURE_SLACK:
        raise _future(text)
    return moment


def manual_account(session: Session, person: Person, label: str) -> Account:
    """The person's manual account for ``label``, created if missing.

    Handles are unique per platform, so the handle carries the person (``tiktok:anna``); an
    account imported from a roster as ``tiktok:@name`` is found and used as well.
    """
    accounts = session.scalars(
        select(Account).where(Account.person_id == person.id, Account.platform == "manual")
    ).all()
    for account in accounts:
        if account.handle == label or account.handle.split(":", 1)[0] == label:
            return account
    return add_account(session, person, "manual", f"{label}:{person.key}", Changes())


def _label_of(account: Account) -> str:
    """The platform a count of ``account`` is about (``tiktok`` for ``manual`` ``tiktok:anna``)."""
    if account.platform == "manual":
        return account.handle.split(":", 1)[0]
    return account.platform


def _check_consent(person: Person, label: str, day: date) -> None:
    if not (person.consents_to(label, day) or person.consents_to("manual", day)):
        raise RecordError(
            f"{person.key} has no consent recorded for {label} on {day}; "
            "record her consent first (roster import)"
        )


def record_on_account(
    session: Session, account: Account, taken_at: datetime, counts: ManualCounts, now: datetime
) -> Account:
    """Store one manual snapshot of ``account`` at ``taken_at``.

    Raises RecordError for a bad count, a moment in the future, or a moment her consent does
    not cover; nothing is stored then.
    """
    check_counts(counts)
    if taken_at > now + FUTURE_SLACK:
        raise _future(f"{taken_at:%Y-%m-%d %H:%M} UTC")
    label = _label_of(account)
    _check_consent(account.person, label, taken_at.date())
    write_snapshots(
        session,
        [
            {
                "account_id": account.id,
                "taken_at": taken_at,
                "followers": counts.followers,
                "following": counts.following,
                "posts": counts.posts,
                "source": "manual",
            }
        ],
    )
    return account


def record_for_person(
    session: Session,
    person_key: str,
    label: str,
    taken_at: datetime,
    counts: ManualCounts,
    now: datetime,
) -> Account:
    """Store one manual snapshot on the person's manual account for ``label``.

    Raises NotFoundError for an unknown person and RecordError as ``record_on_account``; the
    account is only created when the entry is accepted.
    """
    person = get_person(session, person_key)
    label = check_label(label)
    check_counts(counts)
    if taken_at > now + FUTURE_SLACK:
        raise _future(f"{taken_at:%Y-%m-%d %H:%M} UTC")
    _check_consent(person, label, taken_at.date())
    return record_on_account(session, manual_account(session, person, label), taken_at, counts, now)


def record_on_day(
    session: Session, account_id: int, day: date, counts: ManualCounts, now: datetime
) -> Account:
    """Store counts seen on ``day`` on the account ``account_id`` (the administration form).

    Raises NotFoundError for an unknown account and RecordError as ``record_on_account``.
    """
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError(f"no account with id {account_id}")
    return record_on_account(session, account, moment_of_day(day, now), counts, now)
