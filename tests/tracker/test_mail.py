"""The weekly letter against a real SMTP server on 127.0.0.1: once, with both parts and the
right headers, never twice after a restart, retried when refused, only with opt-in."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.tracker.mail_world import SECRET, WEEK, Inbox, mail_config, smtp_server, transport
from tests.tracker.privacy_world import BERTA, KORA, MIRA, NORA, WILMA, build_world
from tracker.cli import main
from tracker.mail.delivery import deliver_due, letter_problems, send_week
from tracker.mail.optin import give_optin, optin_history, withdraw_optin
from tracker.mail.weeks import parse_week
from tracker.privacy.consent import withdraw_consent
from tracker.privacy.erase import erase_person
from tracker.privacy.export import export_person
from tracker.programme.structure import get_person
from tracker.store.db import Database
from tracker.store.models import Letter

__all__ = ["smtp_server"]  # the fixture, imported for pytest

NOW = datetime(2025, 3, 10, 8, 5, tzinfo=UTC)
BY = "cli:test"


def _parts(message: EmailMessage) -> dict[str, EmailMessage]:
    return {part.get_content_type(): part for part in message.walk()}


def _send(db: Database, port: int, now: datetime = NOW) -> object:
    config = mail_config(port)
    return send_week(db, config, transport(config), SECRET, parse_week(WEEK, config.mail), now=now)


def test_the_letter_arrives_once_with_both_parts_headers_and_umlauts(
    db: Database, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    build_world(db)
    give_optin(db, WILMA.key, BY)
    _send(db, port)
    _send(db, port)  # the same week again: already sent, nothing goes out
    assert [rcpt for rcpt, _ in inbox.received] == [[WILMA.email]]
    message = inbox.to(WILMA.email)[0]
    assert message["Subject"] == "Ihr Wochenbrief: 03.03.2025 bis 09.03.2025"
    assert message["To"] == f"Wilma Wunderlich <{WILMA.email}>"
    assert message["Reply-To"] == "koordination@beispiel.invalid"
    assert parsedate_to_datetime(message["Date"]) == NOW
    with db.session() as session:
        row = session.scalars(select(Letter)).one()
        assert (row.status, row.attempts, row.week) == ("sent", 1, WEEK)
        assert message["Message-ID"].strip() == row.message_id
    unsubscribe = message["List-Unsubscribe"]
    assert re.fullmatch(r"<https://fortschritt\.beispiel\.invalid/abmelden/[\w.-]+>", unsubscribe)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = _parts(message)
    assert message.get_content_type() == "multipart/alternative"
    assert set(parts) >= {"text/plain", "text/html", "image/png", "multipart/related"}
    plain = parts["text/plain"].get_content()
    html = parts["text/html"].get_content()
    for words in ("Beiträge", "Nächster Termin", "Tipp der Woche", "Meilensteine"):
        assert words in plain and words in html
    assert "https://fortschritt.beispiel.invalid/fortschritt" in plain
    # The chart travels inside the message: the HTML points at its Content-ID, nowhere else.
    cid = parts["image/png"]["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html
    assert parts["image/png"].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r'src="(https?:)?//', html)


def test_english_for_people_whose_language_is_english(
    sqlite_db: Database, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    build_world(sqlite_db)
    with sqlite_db.write() as session:
        get_person(session, WILMA.key).language = "en"
    give_optin(sqlite_db, WILMA.key, BY)
    _send(sqlite_db, port)
    message = inbox.to(WILMA.email)[0]
    assert message["Subject"] == "Your weekly letter: 3 Mar 2025 to 9 Mar 2025"
    assert "Tip of the week" in _parts(message)["text/plain"].get_content()


def test_nobody_without_opt_in_receives_anything(
    sqlite_db: Database, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    build_world(sqlite_db)
    give_optin(sqlite_db, BERTA.key, BY)
    withdraw_optin(sqlite_db, BERTA.key, BY)  # said yes, then no: the last word counts
    _send(sqlite_db, port)
    assert inbox.received == []
    with sqlite_db.session() as session:
        assert session.scalars(select(Letter)).all() == []


def test_a_withdrawal_stops_the_next_letter_already_recorded(
    sqlite_db: Database, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    build_world(sqlite_db)
    give_optin(sqlite_db, WILMA.key, BY)
    inbox.refuse = 1  # the first attempt fails, the letter waits for its retry
    report = _send(sqlite_db, port)
    assert report.failed == [WILMA.key]  # type: ignore[attr-defined]
    withdraw_optin(sqlite_db, WILMA.key, BY)
    config = mail_config(port)
    later = NOW + timedelta(hours=1)
    again = deliver_due(sqlite_db, config, transport(config), SECRET, now=later)
    assert again.skipped == [WILMA.key]
    assert inbox.received == []


class Crash(BaseException):
    """The process dies (like SIGKILL): nothing after this point runs."""


def test_a_restart_mid_batch_sends_no_letter_twice_and_skips_none(
    db: Database, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    build_world(db)
    people = (WILMA, BERTA, MIRA, NORA, KORA)
    for who in people:
        give_optin(db, who.key, BY)
    config = mail_config(port)
    real = transport(config)

    class DiesOnThird:
        calls = 0

        def send(self, message: EmailMessage) -> None:
            self.calls += 1
            if self.calls == 3:
                raise Crash
            real.send(message)

    week = parse_week(WEEK, config.mail)
    with pytest.raises(Crash):
        send_week(db, config, DiesOnThird(), SECRET, week, now=NOW)
    assert len(inbox.received) == 2
    # Restarted at once: everything not yet sent goes out; the letter in flight at the crash
    # waits until its claim has expired, then goes out too.
    send_week(db, config, real, SECRET, week, now=NOW + timedelta(minutes=1))
    assert len(inbox.received) == 4
    send_week(db, config, real, SECRET, week, now=NOW + timedelta(minutes=11))
    send_week(db, config, real, SECRET, week, now=NOW + timedelta(minutes=30))
    received = sorted(rcpt[0] for rcpt, _ in inbox.received)
    assert received == sorted(who.email for who in people)
    with db.session() as session:
        assert {r.status for r in session.scalars(select(Letter))} == {"sent"}


def test_a_refusing_server_is_retried_with_backoff_and_shows_on_the_status_page(
    db: Database, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    build_world(db)
    give_optin(db, WILMA.key, BY)
    inbox.refuse = 2
    config = mail_config(port)
    _send(db, port)
    with db.session() as session:
        problems = letter_problems(session)
    assert [(p.person_name, p.week, p.status, p.attempts) for p in problems] == [
        ("Wilma Wunderlich", WEEK, "failed", 1)
    ]
    assert "451" in (problems[0].error or "")
    # Not before the wait (5 minutes, then 10) has passed.
    for minutes, expected in ((4, 0), (5, 0), (14, 0), (15, 1)):
        deliver_due(db, config, transport(config), SECRET, now=NOW + timedelta(minutes=minutes))
        assert len(inbox.received) == expected, minutes
    with db.session() as session:
        assert letter_problems(session) == []
        assert session.scalars(select(Letter.attempts)).one() == 3


def test_the_mentor_letter_shows_her_tandem_partner_only(
    sqlite_db: Database, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    build_world(sqlite_db)
    give_optin(sqlite_db, MIRA.key, BY)
    give_optin(sqlite_db, KORA.key, BY)
    withdraw_consent(sqlite_db, NORA.key, date(2025, 3, 1), BY)
    _send(sqlite_db, port)
    mentor = _parts(inbox.to(MIRA.email)[0])["text/plain"].get_content()
    assert WILMA.name in mentor and BERTA.name not in mentor
    assert "Ziele, die Hilfe brauchen" in mentor
    digest = _parts(inbox.to(KORA.email)[0])["text/plain"].get_content()
    assert "Die Woche in drei Zahlen" in digest and "2 Mentees" in digest
    consent = digest.split("Ohne gültige Einwilligung", 1)[1]
    assert f"- {NORA.name} (Mentorin)" in consent and WILMA.name not in consent


def test_opt_in_history_is_exported_and_erased(sqlite_db: Database, tmp_path: Path) -> None:
    build_world(sqlite_db)
    give_optin(sqlite_db, WILMA.key, BY)
    withdraw_optin(sqlite_db, WILMA.key, "unsubscribe link")
    assert [e.action for e in optin_history(sqlite_db, WILMA.key)] == ["given", "withdrawn"]
    archive = zipfile.ZipFile(io.BytesIO(export_person(sqlite_db, WILMA.key)))
    rows = json.loads(archive.read("letter_optin.json"))
    assert [(r["action"], r["recorded_by"]) for r in rows] == [
        ("given", BY),
        ("withdrawn", "unsubscribe link"),
    ]
    plan = erase_person(sqlite_db, WILMA.key, dry_run=False)
    assert plan.deleted["letter_optin"] == 2


def test_check_names_a_missing_mail_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[mail]\nenabled = true\nsender = "wochenbrief@beispiel.invalid"\n')
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["--config", str(config), "--db", url, "db", "upgrade"]) == 0
    assert main(["--config", str(config), "--db", url, "check"]) == 2
    out = capsys.readouterr().out
    assert "mail: mail.host: name the SMTP server" in out
    assert "TRACKER_SECRET_KEY" in out


def test_preview_writes_the_letter_without_sending(
    sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_world(sqlite_db)
    url = sqlite_db.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "brief.html"
    code = main(["--db", url, "mail", "preview", WILMA.key, "--week", WEEK, "--out", str(out)])
    assert code == 0, capsys.readouterr()
    html = out.read_text(encoding="utf-8")
    assert "Guten Tag Wilma Wunderlich" in html and "data:image/png;base64," in html
    with sqlite_db.session() as session:
        assert session.scalars(select(Letter)).all() == []
    assert (
        main(["--db", url, "mail", "preview", WILMA.key, "--week", "2025-48", "--out", str(out)])
        == 2
    )
    assert "not an ISO week such as 2026-W48" in capsys.readouterr().err


def test_the_commands_opt_in_list_and_send(
    sqlite_db: Database,
    smtp_server: tuple[Inbox, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox, port = smtp_server
    build_world(sqlite_db)
    monkeypatch.setenv("TRACKER_SECRET_KEY", SECRET)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[mail]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'sender = "Reverse Mentoring <wochenbrief@beispiel.invalid>"\n',
        encoding="utf-8",
    )
    url = sqlite_db.engine.url.render_as_string(hide_password=False)
    base = ["--config", str(config), "--db", url]
    assert main([*base, "mail", "optin", WILMA.key]) == 0
    assert main([*base, "mail", "send", "--week", WEEK, "--dry-run"]) == 0
    table = capsys.readouterr().out
    assert re.search(rf"{WILMA.key}[\s│]+mentee[\s│]+would be sent", table)
    assert re.search(rf"{BERTA.key}[\s│]+mentee[\s│]+no opt-in", table)
    assert inbox.received == []
    assert main([*base, "mail", "send", "--week", WEEK]) == 0
    assert "1 recorded, 1 sent, 0 failed" in capsys.readouterr().out
    assert main([*base, "mail", "send", "--week", WEEK]) == 0
    assert "0 recorded, 0 sent" in capsys.readouterr().out
    assert [rcpt for rcpt, _ in inbox.received] == [[WILMA.email]]


def test_check_is_quiet_while_the_letter_is_switched_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    text = example.read_text(encoding="utf-8").replace(
        'database_url = "sqlite:///data/tracker.db"\n', ""
    )
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["--config", str(config), "--db", url, "db", "upgrade"]) == 0
    assert main(["--config", str(config), "--db", url, "check"]) == 0
    assert "mail:" not in capsys.readouterr().out
