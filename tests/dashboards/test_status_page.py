"""The status page's account table: every account with its state, consent, last successful poll,
last attempt, failures and attempts of the last 7 days, followers (a dash when unknown) and
baseline; paused platforms with their end; sorting on the server by value."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from dashboards.i18n import fmt_datetime, fmt_int
from dashboards.progress.elements import find
from tracker.polling.budget import ScopeState
from tracker.polling.engine import write_state
from tracker.privacy.audit_write import writer_for
from tracker.programme.structure import Changes, add_account, get_person
from tracker.store.models import Account, AuditEntry, Person
from tracker.store.write import record_attempt, write_snapshots

DENIED = "nicht freigegeben"


def _account(session: Any, person_key: str, platform: str) -> Account:
    account = session.scalar(
        select(Account)
        .join(Person, Person.id == Account.person_id)
        .where(Person.key == person_key, Account.platform == platform)
    )
    assert account is not None
    return account


def _polls(web_db: Any) -> dict[str, Any]:
    """Poll attempts, a lost account, an unknown latest follower count, a new account never
    polled, and a paused platform; returns what the page should show for them."""
    db, data = web_db
    now = datetime.now(UTC)
    last_ok = now - timedelta(days=1) + timedelta(minutes=1)
    with db.write() as session:
        bluesky = _account(session, "mentee-a", "bluesky")
        insta = _account(session, "mentee-a", "instagram")
        berta = _account(session, "mentee-b", "bluesky")
        tries = [
            (bluesky.id, now - timedelta(days=10), "ok"),  # older than 7 days: not counted
            (bluesky.id, now - timedelta(days=3), "error"),
            (bluesky.id, now - timedelta(days=2), "rate_limited"),
            (bluesky.id, now - timedelta(days=1), "ok"),  # finishes at last_ok
            (insta.id, now - timedelta(hours=1), "not_found"),
        ]
        for account_id, started, outcome in tries:
            finished = last_ok if started == tries[3][1] else started
            record_attempt(
                session,
                account_id=account_id,
                kind="profile",
                started_at=started,
                finished_at=finished,
                outcome=outcome,
            )
        insta.state = "not_found"
        # The newest count of Berta's account has posts but no followers: unknown, not 0.
        write_snapshots(
            session,
            [
                {
                    "account_id": berta.id,
                    "taken_at": datetime.combine(data.today, time(23), tzinfo=UTC),
                    "followers": None,
                    "following": None,
                    "posts": 90,
                    "source": "manual",
                }
            ],
        )
        add_account(
            session, get_person(session, "mentee-b"), "mastodon", "@berta@social.example", Changes()
        )
    until = now + timedelta(hours=2)
    write_state(db, ScopeState("x", until, 3, "rate limited until the window resets"))
    return {"last_ok": last_ok, "until": until}


def _find(node: Any, ident: str) -> Any:
    """The props of the component with id ``ident`` in a Dash JSON response."""
    found = find(node, ident)
    return found["props"] if found is not None else None


def _status_page(client: Any, dashcall: Any) -> Any:
    router = next(d for d in dashcall.dependencies(client) if "_pages_content" in d["output"])
    response = dashcall.call(
        client, router, {"_pages_location.pathname": "/status", "_pages_location.search": ""}
    )
    assert response.status_code == 200
    return response.get_json()


def _rows(payload: Any) -> dict[str, dict[str, str]]:
    table = _find(payload, "status-accounts")
    assert table is not None, "the status page has the account table"
    return {row["handle"]: row for row in table["data"]}


def _sort(client: Any, dashcall: Any, sort_by: Any) -> list[dict[str, str]]:
    dep = next(d for d in dashcall.dependencies(client) if d["output"] == "status-accounts.data")
    response = dashcall.call(client, dep, {"status-accounts.sort_by": sort_by})
    assert response.status_code == 200
    return list(response.get_json()["response"]["status-accounts"]["data"])


def test_table_lists_every_account_with_state_and_counts(
    client_for: Any, dashcall: Any, web_db: Any, data: Any
) -> None:
    expected = _polls(web_db)
    payload = _status_page(client_for("coordinator"), dashcall)
    rows = _rows(payload)
    assert set(rows) == {
        "anna.bsky.social",
        "anna.beispiel",
        "berta.bsky.social",
        "berta@social.example",  # stored without the leading @
    }
    anna = rows["anna.bsky.social"]
    # Three attempts in the last 7 days, two of them failed; the one 10 days ago is not counted.
    assert (anna["failures"], anna["attempts"]) == ("2", "3")
    assert anna["state"] == "aktiv" and anna["outcome"] == "erfolgreich"
    assert anna["last_success"] == fmt_datetime(expected["last_ok"], "de")
    assert anna["consent"] == "ja" and anna["baseline"] == "ja"
    # The person's name is shown as the text it is (the table escapes it).
    assert anna["person"] == "<img src=x onerror=alert(1)>"
    # Daily counts from base 100, two more a day, ending 70 days after the first.
    assert anna["followers"] == fmt_int(100 + 2 * 70, "de")

    lost = rows["anna.beispiel"]
    assert lost["state"] == "nicht gefunden" and lost["outcome"] == "nicht gefunden"
    assert (lost["failures"], lost["attempts"]) == ("1", "1")
    assert lost["last_success"] == "–"

    never = rows["berta@social.example"]
    assert (never["failures"], never["attempts"]) == ("0", "0")
    assert never["last_attempt"] == "–" and never["last_data"] == "–"
    assert never["baseline"] == "nein"  # no count before the kickoff


def test_unknown_followers_show_as_a_dash_never_zero(
    client_for: Any, dashcall: Any, web_db: Any
) -> None:
    _polls(web_db)
    rows = _rows(_status_page(client_for("coordinator"), dashcall))
    assert rows["berta.bsky.social"]["followers"] == "–"
    assert rows["berta@social.example"]["followers"] == "–"
    assert rows["berta.bsky.social"]["last_data"] != "–"  # the row exists, only followers lack


def test_paused_platforms_show_until_when(client_for: Any, dashcall: Any, web_db: Any) -> None:
    expected = _polls(web_db)
    payload = _status_page(client_for("coordinator"), dashcall)
    paused = _find(payload, "status-paused")
    assert paused is not None
    text = str(paused)
    assert "rate limited until the window resets" in text
    assert fmt_datetime(expected["until"], "de") in text and "'X'" in text


def test_no_paused_platform_says_so(client_for: Any, dashcall: Any) -> None:
    payload = _status_page(client_for("coordinator"), dashcall)
    assert _find(payload, "status-paused") is None
    assert "Keine Plattform ist pausiert." in str(payload)


def test_sorting_is_by_value_with_unknown_last(client_for: Any, dashcall: Any, web_db: Any) -> None:
    _polls(web_db)
    client = client_for("coordinator")
    by_failures = _sort(client, dashcall, [{"column_id": "failures", "direction": "desc"}])
    assert [r["handle"] for r in by_failures[:2]] == ["anna.bsky.social", "anna.beispiel"]
    for direction in ("asc", "desc"):
        rows = _sort(client, dashcall, [{"column_id": "followers", "direction": direction}])
        shown = [r["followers"] for r in rows]
        assert shown[-2:] == ["–", "–"], direction  # unknown counts last either way
        assert "–" not in shown[:2]
    by_success = _sort(client, dashcall, [{"column_id": "last_success", "direction": "asc"}])
    assert by_success[0]["handle"] == "anna.bsky.social"


def test_sort_callback_ignores_forged_input_and_is_audited(
    client_for: Any, dashcall: Any, web_db: Any
) -> None:
    client = client_for("coordinator")
    for forged in ("followers", [{"column_id": "__class__", "direction": "asc"}], [1], None):
        rows = _sort(client, dashcall, forged)
        assert len(rows) == 3, forged  # the table as it is, in its default order
    db, _data = web_db
    writer_for(db).flush()
    with db.session() as session:
        surfaces = session.scalars(select(AuditEntry.surface)).all()
    assert "callback.status" in surfaces


def test_english_table(client_for: Any, dashcall: Any, web_db: Any) -> None:
    _polls(web_db)
    client = client_for("coordinator")
    client.set_cookie("lang", "en")
    payload = _status_page(client, dashcall)
    rows = _rows(payload)
    assert rows["anna.beispiel"]["state"] == "not found"
    assert rows["anna.bsky.social"]["outcome"] == "succeeded"
    table = _find(payload, "status-accounts")
    assert "Failures (7 days)" in [c["name"] for c in table["columns"]]


def test_mentee_and_mentors_get_no_rows(client_for: Any, dashcall: Any, web_db: Any) -> None:
    _polls(web_db)
    for role in ("mentee", "mentor_own", "mentor_other"):
        client = client_for(role)
        assert DENIED in str(_status_page(client, dashcall))
        assert _sort(client, dashcall, [{"column_id": "person", "direction": "asc"}]) == []


def test_what_to_do_is_said_in_the_viewers_language(
    client_for: Any, dashcall: Any, web_db: Any
) -> None:
    _polls(web_db)
    client = client_for("coordinator")
    german = str(_find(_status_page(client, dashcall), "status-actions"))
    assert "Handle mit der Person" in german and "check the handle" not in german
    client.set_cookie("lang", "en")
    english = str(_find(_status_page(client, dashcall), "status-actions"))
    assert "check the handle" in english


def test_a_letter_that_was_not_delivered_shows_with_the_servers_answer(
    client_for: Any, dashcall: Any, web_db: Any
) -> None:
    from tracker.store.models import Letter

    db, _data = web_db
    assert "Alle Wochenbriefe sind zugestellt." in str(
        _status_page(client_for("coordinator"), dashcall)
    )
    now = datetime.now(UTC)
    with db.write() as session:
        person = session.scalars(select(Person).where(Person.role == "mentee")).first()
        session.add(
            Letter(
                person_id=person.id,
                week="2026-W48",
                kind="mentee",
                status="failed",
                message_id="<2026-W48.x@beispiel.invalid>",
                attempts=2,
                next_attempt_at=now + timedelta(minutes=10),
                last_error="SMTPDataError: (451, b'Mailbox busy')",
                created_at=now,
            )
        )
        name = person.display_name
    letters = _find(_status_page(client_for("coordinator"), dashcall), "status-letters")
    assert letters is not None
    assert (
        f"{name}, Woche 2026-W48: nicht zugestellt, wird erneut versucht nach 2 Versuch(en)"
        in str(letters)
    )
    assert "451" in str(letters)
