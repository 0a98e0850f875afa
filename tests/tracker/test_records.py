"""``tracker record``: counts entered by hand land in the store as manual snapshots."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tracker.cli import main
from tracker.config import PersonEntry
from tracker.programme.structure import Changes, upsert_person
from tracker.store.db import Database
from tracker.store.models import Account, ProfileSnapshot


@pytest.fixture
def url(sqlite_db: Database) -> str:
    with sqlite_db.write() as session:
        for key, consent in (
            ("anna-m", date(2024, 1, 1)),
            ("bea-k", date(2024, 1, 1)),
            ("ohne-zustimmung", None),
        ):
            upsert_person(
                session,
                PersonEntry(key=key, name=f"Person {key}", role="mentee", consent=consent),
                Changes(),
            )
    return sqlite_db.engine.url.render_as_string(hide_password=False)


def snapshots(
    db: Database,
) -> list[tuple[str, str, datetime, int | None, int | None, int | None, str]]:
    with db.session() as session:
        rows = session.execute(
            select(
                Account.platform,
                Account.handle,
                ProfileSnapshot.taken_at,
                ProfileSnapshot.followers,
                ProfileSnapshot.following,
                ProfileSnapshot.posts,
                ProfileSnapshot.source,
            )
            .join(Account, Account.id == ProfileSnapshot.account_id)
            .order_by(ProfileSnapshot.taken_at)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_record_stores_a_manual_snapshot(url, sqlite_db, capsys):
    code = main(
        [
            "--db",
            url,
            "record",
            "anna-m",
            "TikTok",
            "--followers",
            "1234",
            "--posts",
            "56",
            "--at",
            "2025-03-14",
        ]
    )
    assert code == 0
    assert snapshots(sqlite_db) == [
        ("manual", "tiktok:anna-m", datetime(2025, 3, 14, 12, tzinfo=UTC), 1234, None, 56, "manual")
    ]
    assert "1,234 followers" in capsys.readouterr().out


def test_second_entry_reuses_the_account_and_people_do_not_collide(url, sqlite_db):
    assert (
        main(["--db", url, "record", "anna-m", "tiktok", "--followers", "10", "--at", "2025-03-01"])
        == 0
    )
    assert (
        main(
            [
                "--db",
                url,
                "record",
                "anna-m",
                "tiktok",
                "--followers",
                "12",
                "--following",
                "3",
                "--at",
                "2025-03-08T18:30",
            ]
        )
        == 0
    )
    assert (
        main(["--db", url, "record", "bea-k", "tiktok", "--followers", "99", "--at", "2025-03-08"])
        == 0
    )
    rows = snapshots(sqlite_db)
    assert [(r[1], r[3]) for r in rows] == [
        ("tiktok:anna-m", 10),
        ("tiktok:bea-k", 99),
        ("tiktok:anna-m", 12),
    ]
    # a naive time is the programme's zone (Europe/Berlin, UTC+1 in March)
    assert rows[2][2] == datetime(2025, 3, 8, 17, 30, tzinfo=UTC)
    assert rows[2][4] == 3


def test_same_moment_twice_replaces_the_count(url, sqlite_db):
    for n in ("10", "11"):
        assert (
            main(
                [
                    "--db",
                    url,
                    "record",
                    "anna-m",
                    "linkedin",
                    "--followers",
                    n,
                    "--at",
                    "2025-03-01",
                ]
            )
            == 0
        )
    assert [r[3] for r in snapshots(sqlite_db)] == [11]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["anna-m", "tiktok", "--followers", "-5"], "followers must be 0 or more"),
        (["anna-m", "tiktok", "--followers", "5", "--posts", "-1"], "posts must be 0 or more"),
        (["anna-m", "tiktok", "--followers", "5", "--at", "2999-01-01"], "in the future"),
        (["anna-m", "tiktok", "--followers", "5", "--at", "14.03.2025"], "is not a date"),
        (["niemand", "tiktok", "--followers", "5"], "no person with key 'niemand'"),
        (["anna-m", "tik tok!", "--followers", "5"], "short label"),
        (["ohne-zustimmung", "tiktok", "--followers", "5"], "no consent"),
    ],
)
def test_bad_input_is_one_clear_line_and_nothing_is_stored(url, sqlite_db, capsys, args, message):
    code = main(["--db", url, "record", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert snapshots(sqlite_db) == []


def test_just_now_is_not_the_future(url, sqlite_db):
    moment = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M+00:00")
    assert (
        main(["--db", url, "record", "anna-m", "threads", "--followers", "7", "--at", moment]) == 0
    )
    assert [r[3] for r in snapshots(sqlite_db)] == [7]


def test_a_day_is_stored_at_noon_and_today_before_noon_is_not_the_future() -> None:
    from tracker.programme.manual_entry import RecordError, moment_of_day

    morning = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert moment_of_day(date(2026, 3, 1), morning) == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert moment_of_day(date(2026, 3, 2), morning) == morning
    with pytest.raises(RecordError, match="lies in the future"):
        moment_of_day(date(2026, 3, 3), morning)


def test_a_count_no_account_can_have_is_refused(url, sqlite_db, capsys):
    args = ["anna-m", "tiktok", "--followers", "99999999999999"]
    assert main(["--db", url, "record", *args]) == 2
    assert "not a count an account can have" in capsys.readouterr().err
    assert snapshots(sqlite_db) == []
