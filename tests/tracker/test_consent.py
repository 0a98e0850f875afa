"""Consent: polling only with it; a withdrawal stops polling within one cycle."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from connectors.demo import DemoConnector
from tests.tracker.privacy_world import (
    BERTA,
    CONSENT,
    SIX_HOURS,
    SPRING,
    T0,
    WILMA,
    Someone,
    account_ids,
    add_person,
    build_world,
    poll_once,
    row_counts,
)
from tracker.cli import main
from tracker.config import PersonEntry
from tracker.errors import NotFoundError, PrivacyError
from tracker.privacy import (
    consent_history,
    consent_list,
    consent_status,
    give_consent,
    withdraw_consent,
)
from tracker.programme.structure import Changes, get_person, upsert_person
from tracker.store.db import Database
from tracker.store.models import Account, PollAttempt, PostMetric, ProfileSnapshot


def _platform_account(db: Database, platform: str) -> int:
    with db.session() as session:
        return session.scalars(
            select(Account.id).where(
                Account.id.in_(account_ids(db, WILMA)), Account.platform == platform
            )
        ).one()


def _poll(db: Database, account_id: int, kind: str, moment: datetime = T0) -> str:
    connector = DemoConnector({"seed": 3})
    connector.clock = lambda: moment  # type: ignore[method-assign]
    return poll_once(db, account_id, connector, kind, moment)


def _stored(db: Database, account_id: int) -> tuple[int, int, int]:
    with db.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).where(model.account_id == account_id)) or 0
            for model in (ProfileSnapshot, PostMetric, PollAttempt)
        )


def test_withdrawal_stops_polling_at_the_next_cycle(db: Database) -> None:
    build_world(db)
    account = _platform_account(db, "bluesky")
    later = T0 + timedelta(days=10)
    assert _poll(db, account, "profile", later) == "ok"
    assert _poll(db, account, "posts", later) == "ok"

    status = withdraw_consent(db, WILMA.key, later.date(), by="test")
    assert status.withdrawn == later.date() and not status.active_on(later.date())
    before = row_counts(db)
    held = _stored(db, account)
    next_cycle = later + SIX_HOURS
    for kind in ("profile", "posts"):
        assert _poll(db, account, kind, next_cycle) == "no_consent"
    # Nothing written: no snapshot, no post, not even an attempt row.
    assert _stored(db, account) == held
    assert row_counts(db) == before
    # Berta is unaffected.
    with db.session() as session:
        assert get_person(session, BERTA.key).consents_to("bluesky", next_cycle.date())


def test_a_withdrawal_dated_ahead_stops_polling_from_that_day(db: Database) -> None:
    build_world(db)
    account = _platform_account(db, "x")
    stop = T0.date() + timedelta(days=20)
    withdraw_consent(db, WILMA.key, stop, by="test")
    assert _poll(db, account, "profile", T0 + timedelta(days=19)) == "ok"
    assert _poll(db, account, "profile", T0 + timedelta(days=20)) == "no_consent"


def test_consent_for_some_platforms_only_polls_those(db: Database) -> None:
    build_world(db)
    status = give_consent(db, WILMA.key, CONSENT, ["X ", "instagram"], by="coordinator@x.invalid")
    assert status.platforms == ("instagram", "x")
    assert _poll(db, _platform_account(db, "x"), "profile") == "ok"
    bluesky = _platform_account(db, "bluesky")
    held = _stored(db, bluesky)
    assert _poll(db, bluesky, "profile") == "no_consent"
    assert _stored(db, bluesky) == held


def test_polling_without_any_consent_writes_nothing(db: Database) -> None:
    build_world(db)
    olga = Someone("ohne", "Olga Ohnezu", "olga.ohnezu@beispiel.invalid", {"x": "ohnezu"})
    add_person(db, olga, "mentee", SPRING, None)
    with db.session() as session:
        pid = get_person(session, "ohne").id
        account = session.scalars(select(Account.id).where(Account.person_id == pid)).one()
    assert _poll(db, account, "profile") == "no_consent"
    assert _stored(db, account) == (0, 0, 0)


def test_history_keeps_every_change_and_repeats_add_nothing(db: Database) -> None:
    build_world(db)
    withdraw_consent(db, WILMA.key, date(2025, 5, 1), by="a")
    withdraw_consent(db, WILMA.key, date(2025, 6, 1), by="b")  # later: the earlier one stands
    give_consent(db, WILMA.key, date(2025, 7, 1), ["x"], by="c")
    give_consent(db, WILMA.key, date(2025, 7, 1), ["x"], by="c")  # the same again
    history = consent_history(db, WILMA.key)
    assert [(h.action, h.on, h.platforms, h.recorded_by) for h in history] == [
        ("given", CONSENT, None, "roster"),
        ("withdrawn", date(2025, 5, 1), None, "a"),
        ("given", date(2025, 7, 1), ("x",), "c"),
    ]
    status = consent_status(db, WILMA.key)
    assert status.withdrawn is None and status.covers("x", date(2025, 7, 1))
    assert not status.covers("bluesky", date(2025, 7, 1))


def test_roster_sync_does_not_undo_a_withdrawal(db: Database) -> None:
    """Re-applying the roster (whose consent column still holds the old date) must not give
    consent back that the person withdrew."""
    build_world(db)
    withdraw_consent(db, WILMA.key, date(2025, 5, 1), by="coordinator")
    entry = PersonEntry(
        key=WILMA.key,
        name=WILMA.name,
        role="mentee",
        email=WILMA.email,
        cohort=SPRING,
        consent=CONSENT,
        accounts=WILMA.handles,
    )
    with db.write() as session:
        upsert_person(session, entry, Changes(), by="roster")
    status = consent_status(db, WILMA.key)
    assert status.withdrawn == date(2025, 5, 1)
    assert not status.active_on(date(2025, 6, 1))
    # A newer consent in the roster (given after the withdrawal) does count.
    renewed = entry.model_copy(update={"consent": date(2025, 8, 1)})
    with db.write() as session:
        upsert_person(session, renewed, Changes(), by="roster")
    assert consent_status(db, WILMA.key).active_on(date(2025, 8, 1))


def test_bad_requests_are_clear_errors(db: Database) -> None:
    build_world(db)
    with pytest.raises(PrivacyError, match="unknown platform 'myspace'"):
        give_consent(db, WILMA.key, CONSENT, ["x", "myspace"], by="t")
    with pytest.raises(PrivacyError, match="at least one platform"):
        give_consent(db, WILMA.key, CONSENT, [" "], by="t")
    with pytest.raises(NotFoundError):
        withdraw_consent(db, "niemand", CONSENT, by="t")


def test_consent_list_shows_everyone_with_their_state(db: Database) -> None:
    build_world(db)
    withdraw_consent(db, BERTA.key, date(2025, 5, 1), by="t")
    rows = {r.person_key: r for r in consent_list(db)}
    assert len(rows) == 5
    day = date(2025, 6, 1)
    assert rows[WILMA.key].active_on(day)
    assert not rows[BERTA.key].active_on(day)
    assert rows["koordination"].given is None and not rows["koordination"].active_on(day)
    assert rows[WILMA.key].cohort_key == SPRING


def test_cli_consent_commands(
    sqlite_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    build_world(sqlite_db)
    db = ["--db", sqlite_db.url]
    assert main([*db, "consent", "withdraw", WILMA.key, "--on", "2025-05-01"]) == 0
    assert "withdrawn from 2025-05-01" in capsys.readouterr().out
    assert (
        main(
            [*db, "consent", "give", BERTA.key, "--on", "2025-04-01", "--platforms", "x,instagram"]
        )
        == 0
    )
    assert "platforms: instagram,x" in capsys.readouterr().out
    assert consent_status(sqlite_db, BERTA.key).platforms == ("instagram", "x")
    assert main([*db, "consent", "give", BERTA.key, "--on", "1.4.2025"]) == 2
    assert "not a date" in capsys.readouterr().err
    assert main([*db, "consent", "give", BERTA.key, "--platforms", "friendster"]) == 2
    assert "unknown platform 'friendster'" in capsys.readouterr().err
    assert main([*db, "consent", "list"]) == 0
    out = capsys.readouterr().out
    wilma_line = next(line for line in out.splitlines() if WILMA.key in line)
    assert "2025-05-01" in wilma_line and wilma_line.rstrip(" │").endswith("no")
    assert "5 people" in out
