"""Roster CSV import: people, their tandem partner, consent and handles, one row each.

All rows are checked before anything is written; a bad row is reported with its line number and
column and nothing of that import is written. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import PLATFORMS
from connectors.errors import BadHandle
from connectors.handles import normalize_handle
from tracker.config import PersonEntry
from tracker.errors import NotFoundError, RosterError
from tracker.programme.structure import Changes, upsert_person, upsert_tandem
from tracker.store.models import Cohort, Person

# Accepted header spellings (lower-cased, German and English) -> column.
HEADERS: dict[str, str] = {
    "key": "key",
    "schlüssel": "key",
    "schluessel": "key",
    "kennung": "key",
    "id": "key",
    "name": "name",
    "anzeigename": "name",
    "role": "role",
    "rolle": "role",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "cohort": "cohort",
    "kohorte": "cohort",
    "jahrgang": "cohort",
    "durchgang": "cohort",
    "partner": "partner",
    "partnerin": "partner",
    "tandem": "partner",
    "consent": "consent",
    "einwilligung": "consent",
    "zustimmung": "consent",
    "language": "language",
    "sprache": "language",
    "x": "x",
    "twitter": "x",
    "x/twitter": "x",
    "facebook": "facebook",
    "instagram": "instagram",
    "blog": "blog",
    "homepage": "blog",
    "website": "blog",
    "bluesky": "bluesky",
    "mastodon": "mastodon",
}
# Every platform of the connector registry that a person has a handle on.
PLATFORM_COLUMNS = tuple(p for p in PLATFORMS if p not in ("manual", "demo"))
ROLES = {
    "mentee": "mentee",
    "mentor": "mentor",
    "mentorin": "mentor",
    "coordinator": "coordinator",
    "koordination": "coordinator",
    "koordinatorin": "coordinator",
    "comparison": "comparison",
    "vergleich": "comparison",
    "vergleichsgruppe": "comparison",
}
REQUIRED = ("key", "name", "role")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NO = {"", "nein", "no", "-"}


@dataclass(frozen=True)
class RosterRow:
    line: int
    person: PersonEntry
    partner: str | None


def _bad(line: int, column: str, problem: str) -> str:
    return f"line {line}, column {column!r}: {problem}"


def parse_date(text: str) -> date:
    """ISO (2026-03-01) or German (01.03.2026) dates; raises ValueError."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (write 2026-03-01 or 01.03.2026)")


def parse_roster(text: str, source: str = "roster") -> list[RosterRow]:
    """Check every row; raises RosterError listing each bad row by line and column."""
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), dialect)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise RosterError(f"{source}: the file is empty") from exc
    columns: list[str | None] = []
    problems: list[str] = []
    for raw in header:
        name = HEADERS.get(raw.strip().lower())
        if name is None and raw.strip():
            problems.append(
                _bad(1, raw, "unknown column; known: " + ", ".join(sorted(set(HEADERS.values()))))
            )
        columns.append(name)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        problems.append(f"line 1: missing column(s) {', '.join(missing)}")
    if problems:
        raise RosterError(f"{source}: " + "; ".join(problems))
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        cells = {
            col: values[i].strip()
            for i, col in enumerate(columns)
            if col is not None and i < len(values)
        }
        row_problems: list[str] = []
        key = cells.get("key", "")
        if not _KEY.match(key):
            row_problems.append(
                _bad(
                    line,
                    "key",
                    f"{key!r} is not a key (lower-case letters, digits, dot, dash, underscore)",
                )
            )
        elif key in seen:
            row_problems.append(_bad(line, "key", f"{key!r} already on line {seen[key]}"))
        seen.setdefault(key, line)
        role = ROLES.get(cells.get("role", "").lower())
        if role is None:
            row_problems.append(
                _bad(
                    line,
                    "role",
                    f"unknown role {cells.get('role', '')!r}; "
                    "use mentee, mentor, coordinator or comparison",
                )
            )
        if not cells.get("name"):
            row_problems.append(_bad(line, "name", "empty"))
        email = cells.get("email") or None
        if email and not _EMAIL.match(email):
            row_problems.append(_bad(line, "email", f"{email!r} is not an e-mail address"))
        consent: date | None = None
        if cells.get("consent", "").lower() not in _NO:
            try:
                consent = parse_date(cells["consent"])
            except ValueError as exc:
                row_problems.append(
                    _bad(
                        line,
                        "consent",
                        f"{exc}; give the date consent was given, or leave it empty",
                    )
                )
        language = (cells.get("language") or "de").lower()
        if language not in ("de", "en"):
            row_problems.append(_bad(line, "language", f"{language!r}: use de or en"))
        accounts: dict[str, str] = {}
        for platform in PLATFORM_COLUMNS:
            handle = cells.get(platform, "")
            if not handle:
                continue
            try:
                accounts[platform] = normalize_handle(platform, handle)
            except BadHandle as exc:
                row_problems.append(_bad(line, platform, exc.message))
        if row_problems:
            problems.extend(row_problems)
            continue
        assert role is not None
        rows.append(
            RosterRow(
                line=line,
                person=PersonEntry(
                    key=key,
                    name=cells["name"],
                    role=role,  # type: ignore[arg-type]
                    email=email,
                    language=language,  # type: ignore[arg-type]
                    cohort=cells.get("cohort") or None,
                    consent=consent,
                    accounts=accounts,
                ),
                partner=cells.get("partner") or None,
            )
        )
    if problems:
        raise RosterError(f"{source}: nothing imported; " + "; ".join(problems))
    if not rows:
        raise RosterError(f"{source}: no rows below the header")
    return rows


def import_roster(session: Session, rows: list[RosterRow], source: str = "roster") -> Changes:
    """Write checked rows (the caller owns the transaction: on error nothing is kept).

    Raises RosterError naming the line of a row that does not fit the store (unknown cohort,
    unknown partner, a handle that belongs to someone else).
    """
    changes = Changes()
    known_cohorts = set(session.scalars(select(Cohort.key)))
    for row in rows:
        if row.person.cohort and row.person.cohort not in known_cohorts:
            raise RosterError(
                f"{source}: nothing imported; "
                + _bad(
                    row.line,
                    "cohort",
                    f"unknown cohort {row.person.cohort!r}; define it in "
                    "config.toml and run `tracker check`",
                )
            )
        try:
            upsert_person(session, row.person, changes, by=f"roster {source}")
        except NotFoundError as exc:
            raise RosterError(f"{source}: nothing imported; line {row.line}: {exc}") from exc
    for row in rows:
        if not row.partner:
            continue
        partner = session.scalar(select(Person).where(Person.key == row.partner))
        if partner is None:
            raise RosterError(
                f"{source}: nothing imported; "
                + _bad(row.line, "partner", f"unknown person {row.partner!r}")
            )
        mentee, mentor = (
            (row.person.key, row.partner)
            if row.person.role == "mentee"
            else (row.partner, row.person.key)
        )
        cohort = row.person.cohort or (partner.cohort.key if partner.cohort else None)
        if cohort is None:
            raise RosterError(
                f"{source}: nothing imported; "
                + _bad(row.line, "cohort", "a tandem needs a cohort")
            )
        try:
            upsert_tandem(session, cohort, mentee, mentor, changes)
        except NotFoundError as exc:
            raise RosterError(
                f"{source}: nothing imported; " + _bad(row.line, "partner", str(exc))
            ) from exc
    return changes


def read_roster_file(path: Path) -> list[RosterRow]:
    """Read and check a roster file; raises RosterError."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"{path}: cannot read: {exc.strerror}") from exc
    return parse_roster(decode_text_file(raw, path, what="roster"), str(path))


_SAVE_AS = "save it as a CSV file (in Excel: Speichern unter → „CSV UTF-8“) and import that"


def decode_text_file(raw: bytes, path: Path, what: str) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), else Windows-1252 as German Excel
    saves it. Raises RosterError naming the file and what to do for a workbook, UTF-16 text or
    anything else that is not text."""
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError(f"{path}: this is an Excel workbook, not a CSV file; {_SAVE_AS}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterError(f"{path}: the file is saved as UTF-16 („Unicode-Text“); {_SAVE_AS}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")  # spreadsheets on German Windows save this way
        except UnicodeDecodeError:
            text = "\x00"
    if "\x00" in text or any(ord(c) < 0x20 and c not in "\t\r\n" for c in text[:4096]):
        raise RosterError(
            f"{path}: this is not a text file; the {what} must be a CSV file ({_SAVE_AS})"
        )
    return text
