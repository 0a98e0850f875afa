"""The self-assessment as the pages show it: a mentee's rounds with their state, her answers,
her mentor's rating and her measured figures; and which rounds a cohort's median change per
item spans (kickoff to closing, or to the midpoint before the closing round has begun).

Rounds and answers come from ``tracker.programme.self_assessment``, figures from
``tracker.cohort.self_assessment_change``; the pages only format these views. Callers have
authorised the person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from tracker.cohort.self_assessment_change import ItemChange, cohort_changes, measured_at_rounds
from tracker.config import Config
from tracker.privacy.retention import local_today
from tracker.programme.questionnaire import Questionnaire
from tracker.programme.self_assessment import (
    Round,
    cohort_rounds,
    current_by_rater,
    history,
    open_round,
)
from tracker.store.models import Cohort, Person, PersonRef
from tracker.store.read_arrays import PersonRead


@dataclass(frozen=True)
class RoundView:
    """One round as shown: its window, her answers, her mentor's rating and her figures."""

    round: Round
    state: str  # upcoming / open / closed
    values: Mapping[str, int | None] | None  # None: not answered
    mentor_values: Mapping[str, int | None] | None
    text: str | None
    submitted_at: datetime | None
    measured: Mapping[str, float | None] | None  # None: the round has not begun


@dataclass(frozen=True)
class PersonView:
    """A mentee's self-assessment as her page, her mentor and the coordinator see it."""

    questionnaire: Questionnaire
    person_key: str
    today: date
    rounds: tuple[RoundView, ...]
    open: Round | None

    @property
    def answered(self) -> bool:
        return any(r.values is not None for r in self.rounds)

    @property
    def rated(self) -> bool:
        return any(r.mentor_values is not None for r in self.rounds)

    def round_view(self, key: str) -> RoundView | None:
        return next((r for r in self.rounds if r.round.key == key), None)

    @property
    def next_round(self) -> Round | None:
        upcoming = [r.round for r in self.rounds if r.state == "upcoming"]
        return upcoming[0] if upcoming else None


def person_view(
    session: Session,
    config: Config,
    person: Person | PersonRef,
    read: PersonRead | None = None,
    events: Sequence[tuple[date, str]] | None = None,
    dates: tuple[date, date] | None = None,
) -> PersonView | None:
    """Her rounds and answers; None when the questionnaire is off or she is no mentee in a
    cohort (then there is nothing to ask or show). ``read``: her rows the page read already;
    ``events`` and ``dates``: her cohort's (day, kind) of its events and its first and last
    day, when the page read them."""
    questionnaire = config.self_assessment
    if not questionnaire.enabled or person.role != "mentee" or person.cohort_id is None:
        return None
    today = local_today(config)
    rounds = cohort_rounds(session, questionnaire, person.cohort_id, events, dates)
    answers = current_by_rater(history(session, person.id))  # both raters in one query
    own = answers.get("self", {})
    rated = answers.get("mentor", {}) if questionnaire.mentor_rating else {}
    measured = measured_at_rounds(session, person.id, rounds, today, read)
    views = []
    for r in rounds:
        mine = own.get(r.key)
        theirs = rated.get(r.key)
        views.append(
            RoundView(
                round=r,
                state=r.state(today),
                values=mine.values if mine else None,
                mentor_values=theirs.values if theirs else None,
                text=mine.text if mine else None,
                submitted_at=mine.submitted_at if mine else None,
                measured=measured.get(r.key),
            )
        )
    return PersonView(questionnaire, person.key, today, tuple(views), open_round(rounds, today))


def cohort_change_span(
    session: Session, questionnaire: Questionnaire, cohort_id: int, today: date
) -> tuple[str, list[ItemChange]] | None:
    """The cohort's median change per item from the kickoff to the closing, or, before the
    closing round has begun on ``today``, to the midpoint; with the later round's key. None
    when the questionnaire is off or asks neither later round. The programme page and the
    report both show this."""
    if not questionnaire.enabled or "kickoff" not in questionnaire.rounds:
        return None
    begun = {r.key for r in cohort_rounds(session, questionnaire, cohort_id) if r.opens <= today}
    asked = [k for k in ("closing", "midpoint") if k in questionnaire.rounds]
    if not asked:
        return None
    end = next((k for k in asked if k in begun), asked[0])
    return end, cohort_changes(session, questionnaire, cohort_id, "kickoff", end)


def cohort_view(
    session: Session, config: Config, cohort: Cohort
) -> tuple[str, list[ItemChange]] | None:
    """:func:`cohort_change_span` as of today in the programme's time zone."""
    return cohort_change_span(session, config.self_assessment, cohort.id, local_today(config))
