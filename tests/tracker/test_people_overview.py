"""The administration page's people list and form choices, read in tracker."""

from __future__ import annotations

from datetime import date

from tests.tracker.privacy_world import Someone, add_cohort, add_person, add_tandem
from tracker.programme.people_overview import form_choices, people_overview
from tracker.store.db import Database

ERIKA = Someone("mentee-01", "Erika Beispiel", "erika@example.org", {"mastodon": "erika@s.example"})
GERDA = Someone(
    "mentee-02",
    "Gerda Probe",
    "gerda@example.org",
    {"x": "gerda_p", "bluesky": "gerda.bsky.social"},
)
MARA = Someone("mentor-01", "Mara Muster", "mara@example.org", {})


def test_people_with_consent_accounts_and_mentors(sqlite_db: Database) -> None:
    add_cohort(sqlite_db, "c1", date(2026, 2, 1), date(2026, 9, 30))
    add_person(sqlite_db, ERIKA, "mentee", "c1", date(2026, 1, 15))
    add_person(sqlite_db, GERDA, "mentee", "c1", None)
    add_person(sqlite_db, MARA, "mentor", "c1", None)
    add_tandem(sqlite_db, "c1", ERIKA, MARA)
    with sqlite_db.session() as session:
        rows = people_overview(session)
        choices = form_choices(session)
    shown = [(r.consent.person_key, r.consent.given, r.accounts, r.mentors) for r in rows]
    assert shown == [
        ("mentee-01", date(2026, 1, 15), 1, ("Mara Muster",)),
        ("mentee-02", None, 2, ()),
        ("mentor-01", None, 0, ()),
    ]
    assert [key for key, _name, _role in choices.people] == ["mentee-01", "mentee-02", "mentor-01"]
    assert choices.cohorts == [("c1", "Kohorte c1")]
    assert [(a.person_name, a.platform, a.handle) for a in choices.accounts] == [
        ("Erika Beispiel", "mastodon", "erika@s.example"),
        ("Gerda Probe", "bluesky", "gerda.bsky.social"),
        ("Gerda Probe", "x", "gerda_p"),
    ]
