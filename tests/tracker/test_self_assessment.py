"""Self-assessment: the questionnaire config, rounds, submissions (once, corrected while open,
refused after), and the cohort's median change per item."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker.cohort.self_assessment_change import cohort_changes, item_changes, measured_at_rounds
from tracker.config import CohortEntry, EventEntry, PersonEntry, load_config
from tracker.errors import ConfigError, SelfAssessmentError
from tracker.programme.questionnaire import DEFAULT_ITEMS, Questionnaire
from tracker.programme.self_assessment import (
    cohort_rounds,
    current_answers,
    history,
    open_round,
    rounds_for,
    submit,
)
from tracker.programme.structure import Changes, upsert_cohort, upsert_person
from tracker.store.db import Database
from tracker.store.models import Cohort, Person, SelfAssessmentAnswer

KICKOFF = date(2026, 3, 1)
MIDPOINT = date(2026, 6, 15)
CLOSING = date(2026, 10, 30)
Q = Questionnaire()


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_default_questionnaire_has_eight_items_in_german_and_english() -> None:
    config = load_config(Path(__file__).parents[2] / "config.example.toml")
    q = config.self_assessment
    assert len(q.items) == 8 and (q.low, q.high) == (1, 5)
    assert q.item("plan") is not None and q.item("plan").de == "Ich plane meine Beiträge"  # type: ignore[union-attr]
    assert all(i.en and i.de != i.en for i in q.items)
    assert q.free_text.de == "Was möchte ich als Nächstes lernen?"
    assert q.rounds == ("kickoff", "midpoint", "closing", "followup")


@pytest.mark.parametrize(
    ("body", "where", "what"),
    [
        ('[self_assessment]\nscale = "1-10"\n', "self_assessment.scale", "unknown scale '1-10'"),
        (
            '[self_assessment]\n[[self_assessment.items]]\nid = "plan"\nde = "a"\nen = "b"\n'
            '[[self_assessment.items]]\nid = "plan"\nde = "c"\nen = "d"\n',
            "self_assessment",
            "items[2].id: duplicate item id 'plan' (also items[1])",
        ),
        (
            '[self_assessment]\n[[self_assessment.items]]\nid = "plan"\nde = "a"\nen = "b"\n'
            'measure = "likes"\n',
            "self_assessment.items[1].measure",
            "unknown measure 'likes'",
        ),
        (
            '[self_assessment]\nrounds = ["kickoff", "halftime"]\n',
            "self_assessment.rounds",
            "rounds[2]: unknown round 'halftime'",
        ),
        (
            '[self_assessment]\n[[self_assessment.items]]\nid = "plan"\nde = "a"\n',
            "self_assessment.items[1].en",
            "Field required",
        ),
        ("[self_assessment]\nopen_days = 0\n", "self_assessment.open_days", "greater than"),
        ('[self_assessment]\nskale = "1-5"\n', "self_assessment.skale", "unknown key"),
    ],
)
def test_bad_questionnaire_names_the_key(tmp_path: Path, body: str, where: str, what: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load_config(_config(tmp_path, body))
    message = str(exc.value)
    assert f"config.toml: {where}" in message
    assert what in message


def test_own_items_replace_the_default(tmp_path: Path) -> None:
    config = load_config(
        _config(
            tmp_path,
            '[self_assessment]\nscale = "1-4"\nopen_days = 10\n'
            '[[self_assessment.items]]\nid = "video"\nde = "Ich drehe Videos"\n'
            'en = "I make videos"\n',
        )
    )
    q = config.self_assessment
    assert [i.id for i in q.items] == ["video"] and q.high == 4 and q.open_days == 10


def test_rounds_open_at_their_events_for_the_configured_days() -> None:
    events = [(KICKOFF, "kickoff"), (date(2026, 4, 1), "workshop"), (MIDPOINT, "midpoint")]
    rounds = rounds_for(Q, events, KICKOFF, CLOSING)
    assert [(r.key, r.opens, r.closes) for r in rounds] == [
        ("kickoff", KICKOFF, KICKOFF + timedelta(days=27)),
        ("midpoint", MIDPOINT, MIDPOINT + timedelta(days=27)),
        # No closing event: the cohort's end; the follow-up 90 days after it.
        ("closing", CLOSING, CLOSING + timedelta(days=27)),
        ("followup", CLOSING + timedelta(days=90), CLOSING + timedelta(days=117)),
    ]
    assert open_round(rounds, KICKOFF + timedelta(days=27)).key == "kickoff"  # type: ignore[union-attr]
    assert open_round(rounds, KICKOFF + timedelta(days=28)) is None
    assert rounds[1].state(MIDPOINT - timedelta(days=1)) == "upcoming"


def _programme(db: Database) -> dict[str, Person]:
    cohort = CohortEntry(
        key="c1",
        name="Kohorte",
        start=KICKOFF,
        end=CLOSING,
        events=[
            EventEntry(date=KICKOFF, kind="kickoff", title="Auftakt"),
            EventEntry(date=MIDPOINT, kind="midpoint", title="Halbzeit"),
            EventEntry(date=CLOSING, kind="closing", title="Abschluss"),
        ],
    )
    people = [
        PersonEntry(key=f"m{n}", name=f"Mentee {n}", role="mentee", cohort="c1") for n in range(5)
    ] + [PersonEntry(key="mentor", name="Mia Mentorin", role="mentor", cohort="c1")]
    changes = Changes()
    with db.write() as session:
        upsert_cohort(session, cohort, changes)
        return {p.key: upsert_person(session, p, changes) for p in people}


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_a_round_is_answered_corrected_while_open_and_refused_after(db: Database) -> None:
    _programme(db)
    day = KICKOFF + timedelta(days=3)
    with db.write() as session:
        person = session.scalar(select(Person).where(Person.key == "m0"))
        assert person is not None
        submit(
            session,
            Q,
            person=person,
            round_key="kickoff",
            values={"plan": 2},
            text="Videos <b>drehen</b>",
            today=day,
            now=_at(day, 9),
        )
        submit(
            session,
            Q,
            person=person,
            round_key="kickoff",
            values={"plan": 3, "privacy": 1},
            text="Videos drehen",
            today=day + timedelta(days=1),
            now=_at(day, 18),
        )
    with db.session() as session:
        answers = current_answers(session, person.id)
        assert answers["kickoff"].values["plan"] == 3
        assert answers["kickoff"].values["privacy"] == 1
        assert answers["kickoff"].values["audience"] is None  # left out: unknown, not 0
        assert answers["kickoff"].text == "Videos drehen"
        # Every change is kept with its time.
        kept = history(session, person.id)
        assert [(s.submitted_at, s.values["plan"], s.text) for s in kept] == [
            (_at(day, 9), 2, "Videos <b>drehen</b>"),
            (_at(day, 18), 3, "Videos drehen"),
        ]
    late = KICKOFF + timedelta(days=28)
    with db.write() as session, pytest.raises(SelfAssessmentError) as exc:
        person = session.scalar(select(Person).where(Person.key == "m0"))
        submit(
            session,
            Q,
            person=person,
            round_key="kickoff",
            values={"plan": 5},  # type: ignore[arg-type]
            today=late,
            now=_at(late),
        )
    assert exc.value.reason == "closed"
    assert "closed on 2026-03-28" in str(exc.value)
    with db.session() as session:
        count = len(session.scalars(select(SelfAssessmentAnswer)).all())
        assert count == 2 * (len(DEFAULT_ITEMS) + 1)  # the refused one wrote nothing


@pytest.mark.parametrize(
    ("values", "text", "reason"),
    [
        ({"plan": 6}, None, "bad_value"),
        ({"plan": 0}, None, "bad_value"),
        ({"plan": True}, None, "bad_value"),
        ({"plan": "3"}, None, "bad_value"),
        ({"nope": 3}, None, "bad_value"),
        ({}, "x" * 501, "too_long"),
        ({}, "   ", "empty"),
    ],
)
def test_bad_answers_are_refused(db: Database, values: dict, text: str | None, reason: str) -> None:
    _programme(db)
    with db.write() as session, pytest.raises(SelfAssessmentError) as exc:
        person = session.scalar(select(Person).where(Person.key == "m1"))
        submit(
            session,
            Q,
            person=person,
            round_key="kickoff",
            values=values,
            text=text,  # type: ignore[arg-type]
            today=KICKOFF,
            now=_at(KICKOFF),
        )
    assert exc.value.reason == reason


def test_upcoming_round_and_mentor_are_refused(db: Database) -> None:
    _programme(db)
    with db.write() as session:
        person = session.scalar(select(Person).where(Person.key == "m1"))
        mentor = session.scalar(select(Person).where(Person.key == "mentor"))
        with pytest.raises(SelfAssessmentError, match="opens on 2026-06-15"):
            submit(
                session,
                Q,
                person=person,
                round_key="midpoint",
                values={"plan": 3},  # type: ignore[arg-type]
                today=KICKOFF,
                now=_at(KICKOFF),
            )
        with pytest.raises(SelfAssessmentError) as exc:
            submit(
                session,
                Q,
                person=mentor,
                round_key="kickoff",
                values={"plan": 3},  # type: ignore[arg-type]
                today=KICKOFF,
                now=_at(KICKOFF),
            )
        assert exc.value.reason == "not_mentee"


def test_mentor_rating_is_kept_apart_and_has_no_free_text(db: Database) -> None:
    people = _programme(db)
    with db.write() as session:
        person = session.get(Person, people["m2"].id)
        submit(
            session,
            Q,
            person=person,
            round_key="kickoff",
            values={"plan": 4},  # type: ignore[arg-type]
            text="nur für mich",
            today=KICKOFF,
            now=_at(KICKOFF),
            rater="mentor",
            rater_id=people["mentor"].id,
        )
    with db.session() as session:
        assert current_answers(session, people["m2"].id, "self") == {}
        rated = current_answers(session, people["m2"].id, "mentor")["kickoff"]
        assert rated.values["plan"] == 4 and rated.text is None
        assert rated.rater_id == people["mentor"].id


def test_cohort_median_change_counts_only_mentees_with_both_rounds(db: Database) -> None:
    people = _programme(db)
    kickoff = {"m0": 1, "m1": 2, "m2": 2, "m3": 4, "m4": 3}
    closing = {"m0": 4, "m1": 3, "m2": 5, "m3": None}  # m3 skipped it, m4 never answered
    with db.write() as session:
        for key, value in kickoff.items():
            submit(
                session,
                Q,
                person=session.get(Person, people[key].id),  # type: ignore[arg-type]
                round_key="kickoff",
                values={"plan": value, "privacy": 3},
                today=KICKOFF,
                now=_at(KICKOFF),
            )
        for key, value in closing.items():
            submit(
                session,
                Q,
                person=session.get(Person, people[key].id),  # type: ignore[arg-type]
                round_key="closing",
                values={"plan": value, "privacy": 3},
                today=CLOSING,
                now=_at(CLOSING),
            )
        cohort_id = session.scalar(select(Cohort.id))
    with db.session() as session:
        changes = {c.item: c for c in cohort_changes(session, Q, cohort_id)}  # type: ignore[arg-type]
    # Changes 3, 1, 3 -> median 3, n = 3.
    assert (changes["plan"].median_change, changes["plan"].n) == (3.0, 3)
    assert (changes["plan"].median_start, changes["plan"].median_end) == (2.0, 4.0)
    assert (changes["privacy"].median_change, changes["privacy"].n) == (0.0, 4)
    # Nobody answered: unknown, never 0.
    assert (changes["audience"].median_change, changes["audience"].n) == (None, 0)


def test_item_changes_pairs_each_person_with_herself() -> None:
    answers = [({"a": 1}, {"a": 5}), ({"a": 5}, {"a": 4}), ({"a": None}, {"a": 2})]
    (change,) = item_changes(answers, ["a"])
    assert (change.median_change, change.n) == (1.5, 2)


def test_measured_figures_at_rounds_are_unknown_without_polled_data(db: Database) -> None:
    people = _programme(db)
    with db.session() as session:
        cohort_id = session.scalar(select(Cohort.id))
        rounds = cohort_rounds(session, Q, cohort_id)  # type: ignore[arg-type]
        measured = measured_at_rounds(session, people["m0"].id, rounds, MIDPOINT)
    assert set(measured) == {"kickoff", "midpoint"}
    assert measured["kickoff"] == {"consistency": None, "posts_per_week": None, "platforms": None}
