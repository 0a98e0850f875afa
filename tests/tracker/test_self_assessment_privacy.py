"""Self-assessment answers are personal data: in her export, gone after her erasure, and a
mentor's ratings go with the mentor too."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from sqlalchemy import func, select

from tests.tracker.privacy_world import (
    BERTA,
    MIRA,
    START,
    T0,
    WILMA,
    build_world,
    mentions,
    person_id,
)
from tracker.privacy import erase_person, export_person
from tracker.programme.questionnaire import DEFAULT_ITEMS, Questionnaire
from tracker.programme.self_assessment import current_answers, submit
from tracker.store.db import Database
from tracker.store.models import Person, SelfAssessmentAnswer

ROWS_PER_SUBMISSION = len(DEFAULT_ITEMS) + 1  # the items and the free text
WISH = "Wilma Wunschlos möchte Reels lernen"


def _answers(db: Database) -> None:
    """Wilma answers the kickoff twice (a correction), Mira rates her, Berta answers once."""
    q = Questionnaire()
    with db.write() as session:
        wilma = session.get(Person, person_id(db, WILMA))
        berta = session.get(Person, person_id(db, BERTA))
        assert wilma is not None and berta is not None
        for hour, value in ((0, 2), (1, 3)):
            submit(
                session,
                q,
                person=wilma,
                round_key="kickoff",
                values={"plan": value},
                text=WISH,
                today=START,
                now=T0 + timedelta(hours=hour),
            )
        submit(
            session,
            q,
            person=wilma,
            round_key="kickoff",
            values={"plan": 1},
            today=START,
            now=T0,
            rater="mentor",
            rater_id=person_id(db, MIRA),
        )
        submit(
            session,
            q,
            person=berta,
            round_key="kickoff",
            values={"plan": 4},
            text="Berta will Videos",
            today=START,
            now=T0,
        )


def _export(db: Database, key: str) -> list[dict[str, object]]:
    with zipfile.ZipFile(io.BytesIO(export_person(db, key))) as archive:
        return json.loads(archive.read("self_assessment_answer.json"))  # type: ignore[no-any-return]


def test_export_holds_her_answers_every_version_and_her_mentors_rating(db: Database) -> None:
    build_world(db)
    _answers(db)
    rows = _export(db, WILMA.key)
    assert len(rows) == 3 * ROWS_PER_SUBMISSION
    wilma = person_id(db, WILMA)
    assert {r["person_id"] for r in rows} == {wilma}
    plan = sorted((r["rater"], r["submitted_at"], r["value"]) for r in rows if r["item"] == "plan")
    assert [(rater, value) for rater, _at, value in plan] == [
        ("mentor", 1),
        ("self", 2),
        ("self", 3),
    ]
    assert [r["text"] for r in rows if r["item"] == "wish" and r["rater"] == "self"] == [WISH] * 2
    assert "Berta will Videos" not in json.dumps(_export(db, WILMA.key))
    # The mentor's export holds the ratings she gave.
    mentor_rows = _export(db, MIRA.key)
    assert len(mentor_rows) == ROWS_PER_SUBMISSION
    assert {r["rater"] for r in mentor_rows} == {"mentor"}


def test_erasure_removes_her_answers_and_keeps_others(db: Database) -> None:
    build_world(db)
    _answers(db)
    plan = erase_person(db, WILMA.key, dry_run=True)
    assert plan.deleted["self_assessment_answer"] == 3 * ROWS_PER_SUBMISSION
    erase_person(db, WILMA.key, dry_run=False)
    assert not [m for m in mentions(db, WILMA) if "self_assessment" in m]
    with db.session() as session:
        left = session.scalars(select(SelfAssessmentAnswer)).all()
        assert {r.text for r in left if r.text} == {"Berta will Videos"}
        assert len(left) == ROWS_PER_SUBMISSION


def test_erasing_the_mentor_removes_her_ratings_not_the_mentees_answers(db: Database) -> None:
    build_world(db)
    _answers(db)
    wilma = person_id(db, WILMA)
    plan = erase_person(db, MIRA.key, dry_run=False)
    assert plan.deleted["self_assessment_answer"] == ROWS_PER_SUBMISSION
    with db.session() as session:
        assert current_answers(session, wilma, "mentor") == {}
        assert current_answers(session, wilma, "self")["kickoff"].values["plan"] == 3
        count = session.scalar(select(func.count()).select_from(SelfAssessmentAnswer))
    assert count == 3 * ROWS_PER_SUBMISSION
