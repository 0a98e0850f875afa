"""Access and portability (GDPR Art. 15 and 20): every row about a person as a ZIP of JSON and
CSV files, one pair per table, with a README in German and English."""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import utcnow
from tracker.errors import PrivacyError
from tracker.privacy.audit_write import record_view, writer_for
from tracker.privacy.person_rows import (
    SECRET_COLUMNS,
    PersonScope,
    Selection,
    audit_rows,
    cohort_rows,
    owned_rows,
    resolve,
)
from tracker.store.db import Database
from tracker.tabular import MACHINE, csv_bytes

logger = logging.getLogger(__name__)

# The order of the files in the archive and in the README, with what each holds (de, en).
TABLE_DOCS: dict[str, tuple[str, str]] = {
    "person": (
        "Ihr Profil: Name, Rolle, E-Mail, Sprache, Kohorte und der Stand Ihrer Einwilligung.",
        "Your profile: name, role, email, language, cohort and the state of your consent.",
    ),
    "cohort": (
        "Der Durchgang (Kohorte), zu dem Sie gehören, mit Beginn und Ende.",
        "The cohort you belong to, with its start and end.",
    ),
    "account": (
        "Ihre öffentlichen Konten (Plattform, Handle) und ihr Abrufstatus.",
        "Your public accounts (platform, handle) and their polling state.",
    ),
    "profile_snapshot": (
        "Zählerstände Ihrer Profile je Abruf: Follower, Gefolgte, Beiträge.",
        "Counts of your profiles at each poll: followers, following, posts.",
    ),
    "post_metric": (
        "Kennzahlen Ihrer Beiträge: Kennung, Zeitpunkt, Art, Likes, Kommentare, Teilungen, "
        "Aufrufe, Link. Texte von Beiträgen werden nie gespeichert.",
        "Metrics of your posts: id, time, kind, likes, comments, shares, views, link. "
        "Post texts are never stored.",
    ),
    "poll_attempt": (
        "Jeder Abrufversuch Ihrer Konten mit Ergebnis (Protokoll des Abrufs).",
        "Every attempt to poll your accounts, with its outcome (the polling log).",
    ),
    "consent_event": (
        "Verlauf Ihrer Einwilligung: jede Erteilung und jeder Widerruf, mit Datum.",
        "History of your consent: every grant and withdrawal, with its date.",
    ),
    "letter_optin": (
        "Verlauf Ihrer Zustimmung zum Wochenbrief: jede Zusage und jede Abbestellung.",
        "History of your agreement to the weekly letter: every yes and every unsubscribe.",
    ),
    "letter": (
        "Die Wochenbriefe an Sie: Woche, Zustellstand, Versuche und Zeitpunkte.",
        "The weekly letters to you: week, delivery state, attempts and times.",
    ),
    "tandem": (
        "Ihre Tandems (Mentee und Mentorin, als interne Nummern).",
        "Your tandems (mentee and mentor, as internal numbers).",
    ),
    "goal": (
        "Ziele Ihrer Tandems.",
        "Goals of your tandems.",
    ),
    "checkin_note": (
        "Notizen zu Treffen Ihrer Tandems und Notizen, die Sie geschrieben haben.",
        "Notes of your tandems' meetings and notes you wrote.",
    ),
    "self_assessment_answer": (
        "Ihre Selbsteinschätzung je Runde (Auftakt, Halbzeit, Abschluss, Nachbefragung), jede "
        "Fassung mit Zeitpunkt, mit Ihrem Freitext; und Einschätzungen Ihrer Mentorin.",
        "Your self-assessment per round (kickoff, midpoint, closing, follow-up), every version "
        "with its time, with your free text; and your mentor's ratings.",
    ),
    "user_account": (
        "Ihr Zugang zum Dashboard, ohne Passwort-Hash und Sitzungsschlüssel.",
        "Your dashboard login, without password hash and session token.",
    ),
    "invite": (
        "Einladungen zum Dashboard an Ihre E-Mail-Adresse, ohne Einladungsschlüssel.",
        "Invitations to the dashboard sent to your email, without the invitation token.",
    ),
    "login_failure": (
        "Fehlgeschlagene Anmeldungen mit Ihrer E-Mail-Adresse (Zeit und IP-Adresse).",
        "Failed logins with your email address (time and IP address).",
    ),
    "audit_log": (
        "Protokoll: wer wann Ihre Daten angesehen hat, und was Sie angesehen haben.",
        "Audit log: who viewed your data and when, and what you viewed.",
    ),
}


def _value(value: Any) -> Any:
    """A JSON-ready value: dates and datetimes as ISO 8601 (datetimes in UTC)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _read(session: Session, selection: Selection) -> tuple[list[str], list[dict[str, Any]]]:
    hidden = SECRET_COLUMNS.get(selection.name, ())
    columns = [c for c in selection.table.c if c.name not in hidden]
    order = list(selection.table.primary_key.columns)
    stmt = select(*columns).where(selection.where).order_by(*order)
    rows = [{k: _value(v) for k, v in row._mapping.items()} for row in session.execute(stmt)]
    return [c.name for c in columns], rows


def collect(
    session: Session, scope: PersonScope
) -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
    """Per table (in ``TABLE_DOCS`` order): column names and the person's rows."""
    selections = {s.name: s for s in owned_rows(scope)}
    selections["cohort"] = cohort_rows(scope)
    selections["audit_log"] = audit_rows(scope)
    return {name: _read(session, selections[name]) for name in TABLE_DOCS}


# Machine-readable (portability), with a byte-order mark so spreadsheet programs read umlauts.
EXPORT_CSV = replace(MACHINE, name="export", bom=True)


def _csv(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> bytes:
    """One table as CSV through the project's one writer: text that a spreadsheet would run as
    a formula (a goal or note starting with ``=``) is neutralised, as in every other CSV."""
    return csv_bytes(columns, ([row[c] for c in columns] for row in rows), EXPORT_CSV)


def readme(scope: PersonScope, counts: Mapping[str, int], made_at: datetime) -> str:
    """The README.txt of an export: what it is, what each file holds, in German and English."""
    lines = [
        f"Datenauskunft für {scope.display_name} ({scope.key})",
        f"Erstellt am {made_at:%Y-%m-%d %H:%M} UTC",
        "",
        "Dieses Archiv enthält alle Daten, die der Mentoring-Tracker über Sie gespeichert hat",
        "(Auskunft nach Art. 15 DSGVO, Datenübertragbarkeit nach Art. 20 DSGVO). Jede Tabelle",
        "liegt zweimal bei: als JSON (maschinenlesbar) und als CSV (für Tabellenprogramme,",
        "UTF-8). Zeitangaben sind in UTC. Eine leere Datei heißt: dazu ist nichts gespeichert.",
        "",
        "Dateien:",
    ]
    for name, (de, _en) in TABLE_DOCS.items():
        lines.append(f"  {name}.json / {name}.csv (Zeilen: {counts.get(name, 0)}): {de}")
    lines += [
        "",
        "Löschen lassen können Sie diese Daten jederzeit (Art. 17 DSGVO): wenden Sie sich an die",
        "Koordination Ihres Programms.",
        "",
        "-" * 72,
        "",
        f"Data export for {scope.display_name} ({scope.key})",
        f"Made on {made_at:%Y-%m-%d %H:%M} UTC",
        "",
        "This archive holds every piece of data the mentoring tracker keeps about you (right of",
        "access, Art. 15 GDPR; data portability, Art. 20 GDPR). Each table comes twice: as JSON",
        "(machine-readable) and as CSV (for spreadsheets, UTF-8). Times are in UTC. An empty",
        "file means nothing of that kind is stored.",
        "",
        "Files:",
    ]
    for name, (_de, en) in TABLE_DOCS.items():
        lines.append(f"  {name}.json / {name}.csv (rows: {counts.get(name, 0)}): {en}")
    lines += [
        "",
        "You may have this data erased at any time (Art. 17 GDPR): ask your programme's",
        "coordinator.",
        "",
    ]
    return "\n".join(lines)


def export_person(
    db: Database,
    person_key: str,
    *,
    viewer: str | None = None,
    viewer_role: str | None = None,
    surface: str = "export",
) -> bytes:
    """A ZIP archive of every row about the person (JSON and CSV per table, README.txt).

    With ``viewer`` given, the export is recorded in the audit log (action "export").
    Raises NotFoundError when no person has that key (also after her erasure). Audit entries
    of this process still on their way to the database are written first.
    """
    writer_for(db).flush()
    with db.session() as session:
        scope = resolve(session, person_key)
        tables = collect(session, scope)
    made_at = utcnow()
    counts = {name: len(rows) for name, (_cols, rows) in tables.items()}
    buffer = io.BytesIO()
    stamp = made_at.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def put(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)

        put("README.txt", readme(scope, counts, made_at).encode("utf-8"))
        for name, (columns, rows) in tables.items():
            body = json.dumps(rows, ensure_ascii=False, indent=1)
            put(f"{name}.json", body.encode("utf-8"))
            put(f"{name}.csv", _csv(columns, rows))
    if viewer is not None:
        with db.write() as session:
            record_view(
                session,
                viewer=viewer,
                viewer_role=viewer_role,
                person_key=scope.key,
                surface=surface,
                action="export",
            )
    logger.info("exported %d rows about person %s", sum(counts.values()), scope.key)
    return buffer.getvalue()


def write_export(
    db: Database,
    person_key: str,
    out: Path,
    *,
    overwrite: bool = False,
    viewer: str | None = None,
    viewer_role: str | None = None,
    surface: str = "export",
) -> int:
    """Write the export to ``out`` (readable by the owner only); returns its size in bytes.

    Raises PrivacyError when ``out`` exists and ``overwrite`` is false or it cannot be written,
    NotFoundError for an unknown person.
    """
    if out.exists() and not overwrite:
        raise PrivacyError(f"{out} exists already; choose another file or remove it first")
    data = export_person(db, person_key, viewer=viewer, viewer_role=viewer_role, surface=surface)
    directory = out.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed, so a half-written archive is never left behind.
        fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".zip", dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o600)
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise PrivacyError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return len(data)
