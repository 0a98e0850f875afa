"""The letter's unsubscribe link: works without login, for its own person only, and stops the
next letter."""

from __future__ import annotations

import base64
import json
import re
from email.message import EmailMessage

from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer

from dashboards.app import create_app
from tests.tracker.mail_world import SECRET, WEEK, Inbox, mail_config, smtp_server, transport
from tests.tracker.privacy_world import BERTA, WILMA, build_world
from tracker.config import Config
from tracker.mail.delivery import send_week
from tracker.mail.optin import give_optin, optin_history
from tracker.mail.tokens import unsubscribe_token
from tracker.mail.weeks import parse_week
from tracker.programme.structure import get_person
from tracker.store.db import Database

__all__ = ["smtp_server"]
BY = "cli:test"


def _client(db: Database) -> FlaskClient:
    return create_app(Config(), db, key=SECRET).server.test_client()


def _path(message: EmailMessage) -> str:
    match = re.fullmatch(r"<https://[^/]+(/abmelden/[\w.-]+)>", message["List-Unsubscribe"])
    assert match
    return match.group(1)


def _letters(db: Database, port: int, week: str) -> None:
    config = mail_config(port)
    send_week(db, config, transport(config), SECRET, parse_week(week, config.mail))


def test_the_link_in_the_letter_unsubscribes_without_login_for_the_next_letter(
    sqlite_db: Database, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    build_world(sqlite_db)
    give_optin(sqlite_db, WILMA.key, BY)
    _letters(sqlite_db, port, WEEK)
    path = _path(inbox.to(WILMA.email)[0])
    client = _client(sqlite_db)
    page = client.get(path)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Möchten Sie den Wochenbrief nicht mehr erhalten?" in body
    assert [e.action for e in optin_history(sqlite_db, WILMA.key)] == ["given"]  # asking only
    done = client.post(path)
    assert done.status_code == 200
    assert "Sie erhalten keinen Wochenbrief mehr" in done.get_data(as_text=True)
    history = optin_history(sqlite_db, WILMA.key)
    assert [(e.action, e.recorded_by) for e in history] == [
        ("given", BY),
        ("withdrawn", "unsubscribe link"),
    ]
    _letters(sqlite_db, port, "2025-W12")
    assert len(inbox.to(WILMA.email)) == 1


def test_one_click_post_from_a_mail_program_works(sqlite_db: Database) -> None:
    build_world(sqlite_db)
    give_optin(sqlite_db, WILMA.key, BY)
    with sqlite_db.session() as session:
        wilma = get_person(session, WILMA.key)
        token = unsubscribe_token(SECRET, wilma.id, wilma.key)
    response = _client(sqlite_db).post(f"/abmelden/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert optin_history(sqlite_db, WILMA.key)[-1].action == "withdrawn"


def test_the_page_speaks_english_to_english_readers(sqlite_db: Database) -> None:
    build_world(sqlite_db)
    with sqlite_db.write() as session:
        wilma = get_person(session, WILMA.key)
        wilma.language = "en"
        token = unsubscribe_token(SECRET, wilma.id, wilma.key)
    page = _client(sqlite_db).get(f"/abmelden/{token}")
    assert "Do you no longer want to receive the weekly letter?" in page.get_data(as_text=True)


def test_a_link_cannot_unsubscribe_another_person(sqlite_db: Database) -> None:
    build_world(sqlite_db)
    give_optin(sqlite_db, BERTA.key, BY)
    with sqlite_db.session() as session:
        wilma = get_person(session, WILMA.key)
        berta = get_person(session, BERTA.key)
        token = unsubscribe_token(SECRET, wilma.id, wilma.key)
        berta_id = berta.id
    signature = token.rsplit(".", 1)[1]
    swapped = (
        base64.urlsafe_b64encode(
            json.dumps({"id": berta_id, "key": BERTA.key}, separators=(",", ":")).encode()
        )
        .decode()
        .rstrip("=")
    )
    forged = [
        f"{swapped}.{signature}",  # Wilma's signature on Berta's name
        unsubscribe_token("ein-anderer-schluessel-" + "x" * 20, berta_id, BERTA.key),
        # Signed with the app's key but for another purpose (as a session cookie is).
        URLSafeSerializer(SECRET, salt="cookie-session").dumps({"id": berta_id, "key": BERTA.key}),
        # A real token of Berta's id with another key (a later person under a reused id).
        unsubscribe_token(SECRET, berta_id, WILMA.key),
    ]
    client = _client(sqlite_db)
    for token_ in forged:
        response = client.post(f"/abmelden/{token_}")
        assert response.status_code == 404, token_
        assert "Dieser Link ist ungültig" in response.get_data(as_text=True)
    assert [e.action for e in optin_history(sqlite_db, BERTA.key)] == ["given"]


def test_the_unsubscribe_route_is_public_but_nothing_else_becomes_public(
    sqlite_db: Database,
) -> None:
    build_world(sqlite_db)
    client = _client(sqlite_db)
    assert client.get("/abmelden/irgendwas").status_code == 404
    assert client.get("/fortschritt").status_code == 302  # still behind the login
