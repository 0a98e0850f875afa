"""Logins from the command line: users add (password on stdin), users invite, serve's key."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tracker.cli import main
from tracker.config import PersonEntry
from tracker.programme.structure import Changes, upsert_person
from tracker.programme.users import accept_invite, authenticate, end_session
from tracker.store.db import Database
from tracker.store.models import Invite, User


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    db = Database(url)
    db.upgrade()
    with db.write() as session:
        upsert_person(session, PersonEntry(key="ada", name="Ada", role="mentee"), Changes())
    db.dispose()
    return url


def test_users_add_reads_the_password_from_stdin(url: str, monkeypatch: Any) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("ein-sehr-langes-passwort\n"))
    args = ["--db", url, "users", "add", "Ada@Example.invalid", "--person", "ada"]
    assert main([*args, "--role", "mentee", "--password-stdin"]) == 0
    db = Database(url)
    with db.write() as session:
        user = authenticate(session, "ada@example.invalid", "ein-sehr-langes-passwort", "a")
        assert user is not None and user.role == "mentee"
        # The hash is argon2 and the password itself is stored nowhere.
        assert user.password_hash and user.password_hash.startswith("$argon2id$")


def test_users_add_refuses_a_short_password_and_a_wrong_role(url: str, monkeypatch: Any) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("kurz\n"))
    base = ["--db", url, "users", "add", "a@x.invalid", "--person", "ada", "--password-stdin"]
    assert main([*base, "--role", "mentee"]) != 0
    monkeypatch.setattr("sys.stdin", io.StringIO("ein-sehr-langes-passwort\n"))
    assert main([*base, "--role", "mentor"]) != 0  # Ada is a mentee in the roster
    with Database(url).session() as session:
        assert session.scalars(select(User)).all() == []


def test_users_invite_prints_a_one_time_link(url: str, capsys: Any) -> None:
    args = ["--db", url, "users", "invite", "ada@x.invalid", "--person", "ada", "--role", "mentee"]
    assert main(args) == 0
    link = next(line for line in capsys.readouterr().out.splitlines() if "/invite/" in line)
    token = link.rsplit("/", 1)[1]
    db = Database(url)
    with db.session() as session:
        stored = session.scalars(select(Invite)).one()
        assert token not in stored.token_hash  # only a hash of the token is kept
    with db.write() as session:
        user = accept_invite(session, token, "mein-eigenes-passwort")
        assert user.email == "ada@x.invalid"
    with db.write() as session, pytest.raises(Exception, match="not valid"):
        accept_invite(session, token, "noch-ein-passwort-123")


def test_logout_rotates_the_session_token(url: str, monkeypatch: Any) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("ein-sehr-langes-passwort\n"))
    main(
        [
            "--db",
            url,
            "users",
            "add",
            "a@x.invalid",
            "--person",
            "ada",
            "--role",
            "mentee",
            "--password-stdin",
        ]
    )
    db = Database(url)
    with db.write() as session:
        user = authenticate(session, "a@x.invalid", "ein-sehr-langes-passwort", "a")
        assert user is not None
        before = user.session_token
        end_session(session, user.id)
        assert user.session_token != before


def test_serve_refuses_to_start_without_a_secret_key(
    url: str, monkeypatch: Any, capsys: Any
) -> None:
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    assert main(["--db", url, "serve", "--port", "1"]) == 2
    assert "TRACKER_SECRET_KEY" in capsys.readouterr().err
