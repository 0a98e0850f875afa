"""German throughout: error pages in the app's frame and the viewer's language, names and plain
words in the view log, dates typed as TT.MM.JJJJ in every form, roles in words."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from tracker.store.models import Goal, Person


def _router(client: Any, dashcall: Any, path: str) -> str:
    router = next(d for d in dashcall.dependencies(client) if "_pages_content" in d["output"])
    response = dashcall.call(
        client, router, {"_pages_location.pathname": path, "_pages_location.search": ""}
    )
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def _dep(client: Any, dashcall: Any, output_start: str) -> dict[str, Any]:
    return next(
        d
        for d in dashcall.dependencies(client)
        if dashcall.stripped(d["output"]).startswith(output_start)
    )


def test_a_refused_export_shows_a_german_page_in_the_app_frame(client_for: Any) -> None:
    client = client_for("mentee")
    response = client.get("/export/mentee-b.csv")  # another mentee's data
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    assert '<html lang="de">' in page
    assert "Seite nicht gefunden" in page and "Not Found" not in page
    # The app's header, with her navigation and the language switch.
    assert 'class="topbar"' in page and "Reverse Mentoring: Fortschritt" in page
    assert 'href="/fortschritt"' in page and "Mein Fortschritt" in page
    assert "Abmelden" in page and "English" in page
    assert "mentee-b" not in page  # says nothing about the person asked for


def test_an_english_viewer_gets_the_page_in_english(client_for: Any) -> None:
    client = client_for("coordinator")
    client.set_cookie("lang", "en")
    response = client.get("/report/no-such-cohort.html")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="en">' in page and "Page not found" in page
    assert "Programme" in page and "Log out" in page and "Seite nicht gefunden" not in page


def test_a_crash_shows_a_german_error_page_not_a_trace(app: Any, client_for: Any) -> None:
    def boom() -> str:
        raise RuntimeError("secret detail")

    app.server.add_url_rule("/boom", "boom", boom)
    response = client_for("mentee").get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Da ist etwas schiefgegangen" in page and 'class="topbar"' in page
    assert "secret detail" not in page and "Traceback" not in page


def test_an_unknown_address_inside_the_app_is_german(client_for: Any, dashcall: Any) -> None:
    client = client_for("mentee")
    page = _router(client, dashcall, "/gibt-es-nicht")
    assert "Seite nicht gefunden" in page and "Page not found" not in page
    client.set_cookie("lang", "en")
    assert "Page not found" in _router(client, dashcall, "/gibt-es-nicht")


def test_the_view_log_names_people_and_says_what_they_did(client_for: Any, dashcall: Any) -> None:
    mentor = client_for("mentor_own")
    assert "tandem-followers" in _router(mentor, dashcall, "/tandem")
    page = _router(client_for("mentee"), dashcall, "/protokoll")
    assert "Wer hat meine Daten angesehen?" in page
    assert "Mia Mentorin" in page and "Mentorin" in page
    assert "Tandem-Seite (angesehen)" in page
    assert "mentor-a" not in page and "page.tandem" not in page and "(view)" not in page


def test_the_coordinators_log_is_in_english_for_an_english_viewer(
    client_for: Any, dashcall: Any
) -> None:
    _router(client_for("mentor_own"), dashcall, "/tandem")
    coordinator = client_for("coordinator")
    coordinator.set_cookie("lang", "en")
    assert coordinator.get("/export/cohort/c1.csv").status_code == 200  # "export.cohort:c1"
    page = _router(coordinator, dashcall, "/protokoll")
    assert "Tandem page (viewed)" in page and "Mia Mentorin" in page and "Mentor" in page
    assert "Cohort as CSV (viewed)" in page and "export.cohort" not in page


def _save_goal(client: Any, dashcall: Any, tandem: int, due: str) -> str:
    response = dashcall.call(
        client,
        _dep(client, dashcall, "tandem-goal-message.children"),
        {
            "tandem-goal-save.n_clicks": 1,
            "tandem-choice.value": tandem,
            "tandem-goal-title.value": "Zehn Beiträge",
            "tandem-goal-due.value": due,
        },
    )
    assert response.status_code == 200
    return str(response.get_json()["response"]["tandem-goal-message"]["children"])


def test_a_goal_deadline_is_typed_the_german_way(
    client_for: Any, dashcall: Any, web_db: Any, data: Any
) -> None:
    client = client_for("mentor_own")
    assert "TT.MM.JJJJ" in _router(client, dashcall, "/tandem")  # the field's hint
    assert _save_goal(client, dashcall, data.tandem_a, "31.12.2026") == "Gespeichert."
    message = _save_goal(client, dashcall, data.tandem_a, "31.13.2026")
    assert "„31.13.2026“ ist kein Datum" in message and "TT.MM.JJJJ" in message
    db, _data = web_db
    with db.session() as session:
        dues = session.scalars(select(Goal.due).where(Goal.title == "Zehn Beiträge")).all()
    assert dues == [date(2026, 12, 31)]  # the bad date stored nothing


def test_consent_and_manual_counts_take_german_dates(
    client_for: Any, dashcall: Any, web_db: Any
) -> None:
    client = client_for("coordinator")
    assert "TT.MM.JJJJ" in _router(client, dashcall, "/verwaltung")
    consent = _dep(client, dashcall, "admin-consent-message.children")
    values = {
        "admin-consent-save.n_clicks": 1,
        "admin-consent-person.value": "mentee-b",
        "admin-consent-given.value": "01.02.2026",
    }
    saved = dashcall.call(client, consent, values).get_data(as_text=True)
    assert "Gespeichert" in saved
    db, _data = web_db
    with db.session() as session:
        person = session.scalar(select(Person).where(Person.key == "mentee-b"))
        assert person is not None and person.consent_given == date(2026, 2, 1)
    values["admin-consent-given.value"] = "1.2.26"
    refused = dashcall.call(client, consent, values).get_data(as_text=True)
    assert "ist kein Datum" in refused and "TT.MM.JJJJ" in refused

    manual = _dep(client, dashcall, "admin-manual-message.children")
    response = dashcall.call(
        client,
        manual,
        {
            "admin-manual-save.n_clicks": 1,
            "admin-manual-account.value": 1,
            "admin-manual-date.value": "32.01.2026",
            "admin-manual-followers.value": 10,
        },
    )
    text = response.get_json()["response"]["admin-manual-message"]["children"]
    assert text.startswith("Nicht gespeichert: „32.01.2026“ ist kein Datum")


def test_roles_are_words_on_the_admin_page(client_for: Any, dashcall: Any) -> None:
    client = client_for("coordinator")
    layout = _router(client, dashcall, "/verwaltung")
    assert "Vergleichsgruppe" in layout and "Koordination" in layout
    people = dashcall.call(
        client, _dep(client, dashcall, "admin-people.children"), {"admin-saved.data": 1}
    ).get_data(as_text=True)
    assert '"Mentorin"' in people and '"mentor"' not in people
