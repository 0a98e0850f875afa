"""``tracker poll`` and what ``tracker status`` says about polling, through the real CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.tracker.polling_world import add_account, add_person, spec, write_demo_config
from tracker.cli import main
from tracker.store.db import Database
from tracker.store.models import PollAttempt


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Database, list[str], dict[str, int]]:
    db = Database(f"sqlite:///{tmp_path / 'cli.db'}")
    db.upgrade()
    profiles = tmp_path / "profiles.json"
    profiles.write_text(
        json.dumps(
            {
                "erika": spec(),
                "gone": spec("not_found"),
                "locked": spec("auth_failed"),
                "quiet": spec(),
            }
        ),
        encoding="utf-8",
    )
    config = write_demo_config(tmp_path / "config.toml", db.url, profiles)
    ids = {
        "erika": add_account(db, add_person(db, "mentee-01"), "demo", "erika"),
        "gone": add_account(db, add_person(db, "mentee-02"), "demo", "gone"),
        "locked": add_account(db, add_person(db, "mentee-03"), "demo", "locked"),
        "quiet": add_account(db, add_person(db, "mentee-04", consent=None), "demo", "quiet"),
    }
    return db, ["--config", str(config)], ids


def row(out: str, platform: str) -> list[str]:
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if cells and cells[0] == platform:
            return cells[1:]
    raise AssertionError(f"no row for {platform} in:\n{out}")


def test_poll_shows_outcomes_per_platform(
    setup: tuple[Database, list[str], dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, args, ids = setup
    assert main([*args, "poll"]) == 0
    out = capsys.readouterr().out
    ok, not_found, unavailable, limited, auth, errors, deferred = map(int, row(out, "demo"))
    assert (ok, not_found, auth) == (2, 1, 1)  # erika's profile and posts; gone; locked
    assert (unavailable, limited, errors, deferred) == (0, 0, 0, 0)
    assert "1 account(s) not polled: no consent recorded" in out
    assert "credentials need action" in out
    with db.session() as s:
        polled = set(s.scalars(select(PollAttempt.account_id)))
    assert ids["quiet"] not in polled


def test_poll_one_account_polls_only_that_one(
    setup: tuple[Database, list[str], dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, args, ids = setup
    assert main([*args, "poll", "--account", str(ids["erika"])]) == 0
    with db.session() as s:
        polled = set(s.scalars(select(PollAttempt.account_id)))
    assert polled == {ids["erika"]}


def test_poll_for_an_unknown_person_says_so(
    setup: tuple[Database, list[str], dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    _db, args, _ids = setup
    assert main([*args, "poll", "--person", "nobody"]) == 2
    assert "no account to poll for person nobody" in capsys.readouterr().err


def test_status_tells_what_to_do_about_expired_credentials(
    setup: tuple[Database, list[str], dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    _db, args, _ids = setup
    main([*args, "poll"])
    capsys.readouterr()
    assert main([*args, "status"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "mentee-03 demo locked:" in out
    assert "the access token has expired" in out  # the platform's own words, kept as reason
    assert "scheduler: not running" in out


def test_consent_withdrawn_today_stops_polling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    db.upgrade()
    profiles = tmp_path / "p.json"
    profiles.write_text(json.dumps({"erika": spec()}), encoding="utf-8")
    config = write_demo_config(tmp_path / "c.toml", db.url, profiles)
    pid = add_person(db, "mentee-01", withdrawn=date.today())
    add_account(db, pid, "demo", "erika")
    assert main(["--config", str(config), "poll"]) == 0
    assert "not polled: no consent recorded" in capsys.readouterr().out
    with db.session() as s:
        assert s.scalars(select(PollAttempt)).all() == []
