"""Counts entered on the administration page take the same path as ``tracker record``: the
same consent and date checks, and the same message when an entry is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tracker.cli import main
from tracker.config import PersonEntry
from tracker.programme.structure import Changes, upsert_person
from tracker.store.models import Account, Person, ProfileSnapshot

MANUAL = "admin-manual-message.children"


@pytest.fixture
def without_consent(web_db: Any) -> int:
    """A mentee whose consent is not recorded, with a TikTok account counted by hand."""
    db, _data = web_db
    entry = PersonEntry(
        key="mentee-c",
        name="Carla Ohnezustimmung",
        role="mentee",
        cohort="c1",
        accounts={"manual": "tiktok:mentee-c"},
    )
    with db.write() as session:
        upsert_person(session, entry, Changes())
    return _account_of(web_db, "mentee-c")


def _account_of(web_db: Any, key: str) -> int:
    db, _data = web_db
    with db.session() as session:
        account_id = session.scalar(
            select(Account.id).join(Person, Person.id == Account.person_id).where(Person.key == key)
        )
    assert account_id is not None
    return account_id


def _save(client: Any, dashcall: Any, account_id: int, day: str, followers: Any) -> str:
    dep = next(
        d
        for d in dashcall.dependencies(client)
        if dashcall.stripped(d["output"]).startswith(MANUAL)
    )
    response = dashcall.call(
        client,
        dep,
        {
            "admin-manual-save.n_clicks": 1,
            "admin-manual-account.value": account_id,
            "admin-manual-date.value": day,
            "admin-manual-followers.value": followers,
        },
    )
    assert response.status_code == 200
    return str(response.get_json()["response"]["admin-manual-message"]["children"])


def _snapshots(web_db: Any, account_id: int) -> list[int | None]:
    db, _data = web_db
    with db.session() as session:
        return list(
            session.scalars(
                select(ProfileSnapshot.followers).where(ProfileSnapshot.account_id == account_id)
            )
        )


def test_counts_of_a_person_without_consent_are_refused_with_the_clis_message(
    client_for: Any,
    dashcall: Any,
    web_db: Any,
    data: Any,
    without_consent: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    day = (data.today - timedelta(days=1)).isoformat()
    message = _save(client_for("coordinator"), dashcall, without_consent, day, 12)
    assert _snapshots(web_db, without_consent) == []  # special-category data: nothing stored
    assert "Nicht gespeichert" in message and "no consent recorded for tiktok" in message

    db, _data = web_db
    url = db.engine.url.render_as_string(hide_password=False)
    assert (
        main(["--db", url, "record", "mentee-c", "tiktok", "--followers", "12", "--at", day]) == 2
    )
    cli = capsys.readouterr().err.strip().removeprefix("error: ")
    assert cli in message  # the same clear error on both surfaces
    assert _snapshots(web_db, without_consent) == []


@pytest.mark.parametrize(
    ("days_ahead", "followers", "why"),
    [(3, 12, "lies in the future"), (-1, -4, "followers must be 0 or more")],
)
def test_a_future_day_or_a_negative_count_is_refused(
    client_for: Any,
    dashcall: Any,
    web_db: Any,
    data: Any,
    days_ahead: int,
    followers: int,
    why: str,
) -> None:
    account_id = _account_of(web_db, "mentee-b")
    before = _snapshots(web_db, account_id)
    day = (data.today + timedelta(days=days_ahead)).isoformat()
    message = _save(client_for("coordinator"), dashcall, account_id, day, followers)
    assert why in message
    assert _snapshots(web_db, account_id) == before


def test_counts_with_consent_are_stored_for_today(
    client_for: Any, dashcall: Any, web_db: Any, data: Any
) -> None:
    account_id = _account_of(web_db, "mentee-b")
    before = _snapshots(web_db, account_id)
    message = _save(client_for("coordinator"), dashcall, account_id, data.today.isoformat(), 4321)
    assert "Gespeichert" in message
    assert 4321 not in before and 4321 in _snapshots(web_db, account_id)
