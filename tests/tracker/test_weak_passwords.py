"""Weak passwords (long enough, but easy to guess) are refused for new logins, password
resets and invitations, with a German message saying why."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tracker.cli import main
from tracker.config import PersonEntry
from tracker.programme.structure import Changes, upsert_person
from tracker.programme.users import (
    UserError,
    accept_invite,
    add_user,
    authenticate,
    create_invite,
)
from tracker.store.db import Database
from tracker.store.models import Invite, User

WEAK = ("aaaaaaaaaaaa", " " * 12, "passwort1234", "qwertzuiopü1")
GOOD = "kaffee-wolke-fahrrad-tisch"


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    db = Database(url)
    db.upgrade()
    with db.write() as session:
        upsert_person(session, PersonEntry(key="ada", name="Ada", role="mentee"), Changes())
    db.dispose()
    return url


@pytest.mark.parametrize("weak", WEAK)
def test_users_add_refuses_a_weak_password_saying_why_in_german(
    url: str, weak: str, monkeypatch: Any, capsys: Any
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(weak + "\n"))
    args = ["--db", url, "users", "add", "ada@x.invalid", "--person", "ada", "--role", "mentee"]
    assert main([*args, "--password-stdin"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "Das Passwort ist zu leicht zu erraten" in err
    with Database(url).session() as session:
        assert session.scalars(select(User)).all() == []


def test_a_password_change_to_a_weak_one_is_refused_and_the_old_one_kept(url: str) -> None:
    db = Database(url)
    with db.write() as session:
        add_user(session, "ada@x.invalid", "ada", "mentee", GOOD)
    with pytest.raises(UserError, match="zu leicht zu erraten"), db.write() as session:
        add_user(session, "ada@x.invalid", "ada", "mentee", "aaaaaaaaaaaa")
    with db.write() as session:
        assert authenticate(session, "ada@x.invalid", GOOD, "a") is not None


def test_a_password_like_the_email_address_is_refused(url: str) -> None:
    db = Database(url)
    with pytest.raises(UserError, match="zu leicht"), db.write() as session:
        add_user(
            session, "wunderbar.gartenzwerg@x.invalid", "ada", "mentee", "wunderbargartenzwerg"
        )


@pytest.mark.parametrize("weak", WEAK[:2])
def test_an_invitation_refuses_a_weak_password(url: str, weak: str) -> None:
    db = Database(url)
    with db.write() as session:
        link = create_invite(session, "ada@x.invalid", "ada", "mentee", "http://x")
    token = link.url.rsplit("/", 1)[1]
    with pytest.raises(UserError, match="zu leicht zu erraten"), db.write() as session:
        accept_invite(session, token, weak)
    with db.session() as session:
        assert session.scalars(select(Invite)).one().used_at is None
        assert session.scalars(select(User)).all() == []
    with db.write() as session:
        accept_invite(session, token, GOOD)
