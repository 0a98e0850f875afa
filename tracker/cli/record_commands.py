"""``tracker record``: counts entered by a person, for platforms without an open API (TikTok,
LinkedIn, WhatsApp channels, Threads) or while an API is unavailable.

They are stored like polled snapshots, marked ``source="manual"``, on an account of platform
``manual`` whose handle starts with the platform label (``tiktok:<person key>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import utcnow
from tracker.cli.command_context import console, state
from tracker.errors import TrackerError
from tracker.programme.structure import Changes, add_account, get_person
from tracker.store.models import Account, Person
from tracker.store.write import write_snapshots

LABEL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
# Clocks differ a little; a count "from the future" by more than this is a typing mistake.
FUTURE_SLACK = timedelta(minutes=5)


class RecordError(TrackerError):
    """A manual entry was refused: the message says which value and why."""

    exit_code = 2


@dataclass(frozen=True)
class ManualEntry:
    """Counts a person read off a platform at one moment."""

    person_key: str
    label: str
    taken_at: datetime
    followers: int
    following: int | None = None
    posts: int | None = None


def parse_moment(text: str | None, timezone: str, now: datetime) -> datetime:
    """'2025-03-14' (noon, so the day stays the same in every European zone) or
    '2025-03-14T18:30' (in the programme's time zone unless an offset is given) -> aware UTC.

    Raises RecordError for an unreadable or future moment.
    """
    if not text:
        return now
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            moment = datetime.combine(date.fromisoformat(value), time(12), UTC)
        else:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    except ValueError:
        raise RecordError(
            f"--at {text!r} is not a date: write 2025-03-14 or 2025-03-14T18:30"
        ) from None
    moment = moment.astimezone(UTC)
    if moment > now + FUTURE_SLACK:
        raise RecordError(f"--at {text} lies in the future; counts can only be recorded as seen")
    return moment


MAX_COUNT = 2_147_483_647  # the largest count a database column holds on every backend


def _count(name: str, value: int | None) -> int | None:
    if value is not None and value < 0:
        raise RecordError(f"--{name} must be 0 or more, not {value}")
    if value is not None and value > MAX_COUNT:
        raise RecordError(f"--{name} {value} is too large: at most {MAX_COUNT:,}; check the number")
    return value


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


def record_counts(session: Session, entry: ManualEntry) -> Account:
    """Store one manual snapshot; raises NotFoundError for an unknown person and RecordError
    when the person's consent does not cover the moment."""
    person = get_person(session, entry.person_key)
    day = entry.taken_at.date()
    if not (person.consents_to(entry.label, day) or person.consents_to("manual", day)):
        raise RecordError(
            f"{person.key} has no consent recorded for {entry.label} on {day}; "
            "record her consent first (roster import)"
        )
    account = manual_account(session, person, entry.label)
    write_snapshots(
        session,
        [
            {
                "account_id": account.id,
                "taken_at": entry.taken_at,
                "followers": entry.followers,
                "following": entry.following,
                "posts": entry.posts,
                "source": "manual",
            }
        ],
    )
    return account


def record(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="Key of the person, as in `tracker status`."),
    platform: str = typer.Argument(
        ..., help="Platform label, e.g. tiktok, linkedin, whatsapp, threads."
    ),
    followers: int = typer.Option(..., "--followers", help="Followers (or subscribers) seen."),
    following: int = typer.Option(None, "--following", help="Accounts she follows, if shown."),
    posts: int = typer.Option(None, "--posts", help="Number of posts, if shown."),
    at: str = typer.Option(
        None, "--at", help="When the counts were read: 2025-03-14 or 2025-03-14T18:30 [now]."
    ),
) -> None:
    """Record counts read off a platform by hand (TikTok, LinkedIn, WhatsApp channels, ...)."""
    label = platform.strip().lower()
    if not LABEL.match(label):
        raise RecordError(
            f"platform {platform!r}: use a short label of letters, digits, - or _ (e.g. tiktok)"
        )
    st = state(ctx)
    entry = ManualEntry(
        person_key=person,
        label=label,
        taken_at=parse_moment(at, st.config.tracker.timezone, utcnow()),
        followers=_count("followers", followers) or 0,
        following=_count("following", following),
        posts=_count("posts", posts),
    )
    with st.db.write() as session:
        account = record_counts(session, entry)
        handle = account.handle
    console.print(
        f"recorded {label} for {person} ({handle}): {entry.followers:,} followers"
        f" at {entry.taken_at:%Y-%m-%d %H:%M} UTC"
    )


def register(app: typer.Typer) -> None:
    app.command()(record)
