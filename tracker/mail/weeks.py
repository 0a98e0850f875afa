"""Which seven days a letter covers and when it is due.

A letter belongs to the ISO week in which it is sent (``2026-W48``) and goes out on the
configured weekday and hour in the programme's time zone. It reports on the seven days before
its sending day: with the default Monday, the whole previous week, Monday to Sunday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracker.config import WEEKDAYS, MailSection
from tracker.errors import MailError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class LetterWeek:
    """A letter's week: its label, its sending day and the seven days it reports on."""

    label: str  # 2026-W48
    send_day: date
    start: date  # first day reported on
    end: date  # the day after the last day reported on (the sending day)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def parse_week(text: str, mail: MailSection) -> LetterWeek:
    """``2026-W48`` -> its LetterWeek; raises MailError for anything else."""
    match = _WEEK.match(text.strip())
    if not match:
        raise MailError(f"--week {text!r} is not an ISO week such as 2026-W48")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise MailError(f"--week {text!r}: {year} has no week {number}") from None
    return week_of(monday, mail)


def week_of(day: date, mail: MailSection) -> LetterWeek:
    """The letter week containing ``day``."""
    year, number, _ = day.isocalendar()
    send_day = date.fromisocalendar(year, number, WEEKDAYS.index(mail.weekday) + 1)
    return LetterWeek(f"{year}-W{number:02d}", send_day, send_day - timedelta(days=7), send_day)


def send_moment(week: LetterWeek, mail: MailSection, tz: str) -> datetime:
    """When the week's letters are due: the sending day at the configured hour, local time."""
    return datetime.combine(week.send_day, time(mail.hour), tzinfo=ZoneInfo(tz))


def current_week(now: datetime, mail: MailSection, tz: str) -> LetterWeek:
    """The letter week of ``now`` (aware) in the time zone ``tz``."""
    return week_of(now.astimezone(ZoneInfo(tz)).date(), mail)
