"""Consent on the web: the coordinator chooses the platforms it covers (none ticked: all of
them), the people list shows each person's consent, and nobody else can record consent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from dashboards.i18n import fmt_date
from tracker.store.models import ConsentEvent, Person

DENIED = "nicht freigegeben"
CONSENT = "admin-consent-message.children"


def _dep(client: Any, dashcall: Any, output_start: str) -> dict[str, Any]:
    return next(
        d
        for d in dashcall.dependencies(client)
        if dashcall.stripped(d["output"]).startswith(output_start)
    )


def _give(client: Any, dashcall: Any, day: str, platforms: Any, person: str = "mentee-b") -> str:
    response = dashcall.call(
        client,
        _dep(client, dashcall, CONSENT),
        {
            "admin-consent-save.n_clicks": 1,
            "admin-consent-person.value": person,
            "admin-consent-given.value": day,
            "admin-consent-platforms.value": platforms,
        },
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _consent(web_db: Any, key: str = "mentee-b") -> tuple[Any, str | None, int]:
    db, _data = web_db
    with db.session() as session:
        person = session.scalar(select(Person).where(Person.key == key))
        assert person is not None
        events = session.scalar(
            select(func.count())
            .select_from(ConsentEvent)
            .where(ConsentEvent.person_id == person.id)
        )
        return person.consent_given, person.consent_platforms, int(events or 0)


def _people_row(client: Any, dashcall: Any, key: str) -> str:
    response = dashcall.call(
        client, _dep(client, dashcall, "admin-people.children"), {"admin-saved.data": 1}
    )
    rows = response.get_json()["response"]["admin-people"]["children"]["props"]["children"][1]
    for row in rows["props"]["children"]:
        cells = [cell["props"]["children"] for cell in row["props"]["children"]]
        if cells[0] == key:
            return " | ".join(str(c) for c in cells)
    raise AssertionError(f"{key} is not in the people list")


def test_consent_records_the_chosen_platforms(
    client_for: Any, dashcall: Any, web_db: Any, data: Any
) -> None:
    client = client_for("coordinator")
    day = data.today.isoformat()
    assert "Gespeichert" in _give(client, dashcall, day, ["instagram", "bluesky"])
    given, platforms, _events = _consent(web_db)
    assert given == data.today and platforms == "bluesky,instagram"
    assert "Bluesky, Instagram" in _people_row(client, dashcall, "mentee-b")

    # None ticked: the consent covers every platform again.
    assert "Gespeichert" in _give(client, dashcall, day, [])
    assert _consent(web_db)[1] is None
    assert "alle Plattformen" in _people_row(client, dashcall, "mentee-b")


def test_people_list_shows_consent_given_and_withdrawn(
    client_for: Any, dashcall: Any, data: Any
) -> None:
    client = client_for("coordinator")
    dep = _dep(client, dashcall, CONSENT)
    response = dashcall.call(
        client,
        dep,
        {
            "admin-consent-save.n_clicks": 1,
            "admin-consent-person.value": "mentee-a",
            "admin-consent-withdrawn.value": data.today.isoformat(),
        },
    )
    assert "Gespeichert" in response.get_data(as_text=True)
    row = _people_row(client, dashcall, "mentee-a")
    given = data.start - timedelta(days=30)  # as webdata records it
    assert f"| {fmt_date(given, 'de')} | {fmt_date(data.today, 'de')} |" in row
    assert "alle Plattformen" in row
    # Someone who never consented shows a dash for the platforms, not "all platforms".
    assert _people_row(client, dashcall, "mentor-a").endswith("| – | – | – | 0 | ")


def test_forged_platforms_are_refused(
    client_for: Any, dashcall: Any, web_db: Any, data: Any
) -> None:
    client = client_for("coordinator")
    before = _consent(web_db)
    for forged in (["myspace"], "bluesky", [{"p": "x"}], ["demo"]):
        text = _give(client, dashcall, data.today.isoformat(), forged)
        assert "Nicht gespeichert" in text, forged
    assert _consent(web_db) == before


def test_mentee_and_mentors_cannot_record_consent(
    client_for: Any, dashcall: Any, web_db: Any, data: Any
) -> None:
    before = _consent(web_db)
    for role in ("mentee", "mentee_other", "mentor_own", "mentor_other"):
        text = _give(client_for(role), dashcall, data.today.isoformat(), ["x"])
        assert DENIED in text and "Gespeichert" not in text, role
    assert _consent(web_db) == before


def test_form_offers_the_platforms_and_explains_none_ticked(client_for: Any, dashcall: Any) -> None:
    client = client_for("coordinator")
    router = _dep(client, dashcall, "_pages_content")
    response = dashcall.call(
        client, router, {"_pages_location.pathname": "/verwaltung", "_pages_location.search": ""}
    )
    text = response.get_data(as_text=True)
    assert "admin-consent-platforms" in text
    assert "alle Plattformen" in text  # the help text: none ticked covers every platform
    for value in ("x", "facebook", "instagram", "blog", "bluesky", "mastodon", "manual"):
        assert f'"value": "{value}"' in text or f'"value":"{value}"' in text
    assert '"value":"demo"' not in text and '"value": "demo"' not in text
