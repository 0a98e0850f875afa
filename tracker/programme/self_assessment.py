"""Self-assessment rounds and answers: when a round is open, taking a submission, reading the
current answers and their history.

A round opens on the day of its event (kickoff, midpoint, closing; the follow-up a configured
number of days after the closing) and stays open ``open_days`` days. While it is open a
submission may be corrected: every submission is kept with its time, the latest is the answer.
After it has closed a submission is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tracker.errors import SelfAssessmentError
from tracker.programme.questionnaire import FREE_TEXT_ID, Questionnaire
from tracker.store import cursor
from tracker.store.models import Cohort, Person, ProgrammeEvent, SelfAssessmentAnswer

logger = logging.getLogger(__name__)

RATERS = ("self", "mentor")
# The event kind each round opens at (the follow-up follows the closing).
ROUND_EVENT = {"kickoff": "kickoff", "midpoint": "midpoint", "closing": "closing"}


@dataclass(frozen=True)
class Round:
    """A round of the questionnaire in one cohort: open from ``opens`` to ``closes`` (both
    days included, in the programme's time zone)."""

    key: str
    opens: date
    closes: date

    def state(self, today: date) -> str:
        """ "upcoming", "open" or "closed" on ``today``."""
        if today < self.opens:
            return "upcoming"
        return "open" if today <= self.closes else "closed"

    def is_open(self, today: date) -> bool:
        return self.state(today) == "open"


@dataclass(frozen=True)
class Submission:
    """One submitted form: the values per item (None: left unanswered) and the free text."""

    person_id: int
    round: str
    rater: str
    rater_id: int | None
    submitted_at: datetime
    values: Mapping[str, int | None]
    text: str | None


def opening_days(
    questionnaire: Questionnaire,
    events: Sequence[tuple[date, str]],
    start: date,
    end: date,
) -> dict[str, date]:
    """The day each configured round opens: the first event of its kind; without one, the
    cohort's start (kickoff), its middle (midpoint) or its end (closing)."""
    first: dict[str, date] = {}
    for day, kind in sorted(events):
        first.setdefault(kind, day)
    fallback = {"kickoff": start, "midpoint": start + (end - start) / 2, "closing": end}
    days: dict[str, date] = {}
    for key in ("kickoff", "midpoint", "closing"):
        days[key] = first.get(ROUND_EVENT[key], fallback[key])
    days["followup"] = days["closing"] + timedelta(days=questionnaire.followup_days)
    return {key: days[key] for key in questionnaire.rounds}


def rounds_for(
    questionnaire: Questionnaire, events: Sequence[tuple[date, str]], start: date, end: date
) -> list[Round]:
    """The cohort's rounds in order, each open ``open_days`` days from its opening day."""
    span = timedelta(days=questionnaire.open_days - 1)
    return [
        Round(key, day, day + span)
        for key, day in opening_days(questionnaire, events, start, end).items()
    ]


# Built once (bound per call): a mentee's page reads them on every view, and building a
# statement costs about as much as running it.
_COHORT_EVENTS = select(ProgrammeEvent.date, ProgrammeEvent.kind).where(
    ProgrammeEvent.cohort_id == bindparam("cohort")
)
_ORDER = (SelfAssessmentAnswer.submitted_at, SelfAssessmentAnswer.id)


class _Answer(NamedTuple):
    """One stored answer, as :func:`_group` reads it."""

    person_id: int
    round: str
    rater: str
    rater_id: int | None
    submitted_at: datetime
    item: str
    value: int | None
    text: str | None


# The columns of ``_Answer``, read as plain rows on the cursor (a page view reads them; loading
# answer objects costs more than the query).
_ANSWER_COLUMNS = select(
    SelfAssessmentAnswer.person_id,
    SelfAssessmentAnswer.round,
    SelfAssessmentAnswer.rater,
    SelfAssessmentAnswer.rater_id,
    SelfAssessmentAnswer.submitted_at,
    SelfAssessmentAnswer.item,
    SelfAssessmentAnswer.value,
    SelfAssessmentAnswer.text,
)
_ANSWERS = _ANSWER_COLUMNS.where(SelfAssessmentAnswer.person_id == bindparam("person")).order_by(
    *_ORDER
)
_ANSWERS_BY = _ANSWER_COLUMNS.where(
    SelfAssessmentAnswer.person_id == bindparam("person"),
    SelfAssessmentAnswer.rater == bindparam("rater"),
).order_by(*_ORDER)


def cohort_rounds(
    session: Session,
    questionnaire: Questionnaire,
    cohort_id: int,
    events: Sequence[tuple[date, str]] | None = None,
    dates: tuple[date, date] | None = None,
) -> list[Round]:
    """The rounds of a stored cohort; raises SelfAssessmentError for an unknown cohort.
    ``events`` (the cohort's (day, kind) of its events) and ``dates`` (its first and last day):
    when the caller has read them."""
    if dates is None:
        cohort = session.get(Cohort, cohort_id)
        if cohort is None:
            raise SelfAssessmentError(f"no cohort with id {cohort_id}", "no_cohort")
        dates = (cohort.start, cohort.end)
    if events is None:
        events = [(d, k) for d, k in session.execute(_COHORT_EVENTS, {"cohort": cohort_id})]
    return rounds_for(questionnaire, list(events), *dates)


def open_round(rounds: Sequence[Round], today: date) -> Round | None:
    """The round open on ``today``, if any (the later one where two overlap)."""
    current = [r for r in rounds if r.is_open(today)]
    return current[-1] if current else None


def _clean_values(
    questionnaire: Questionnaire, values: Mapping[str, object]
) -> dict[str, int | None]:
    clean: dict[str, int | None] = {}
    for item_id, value in values.items():
        if questionnaire.item(item_id) is None:
            raise SelfAssessmentError(f"unknown item {item_id!r}", "bad_value", item=item_id)
        if value is None:
            clean[item_id] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise SelfAssessmentError(
                f"item {item_id!r}: {value!r} is not a whole number", "bad_value", item=item_id
            )
        if not questionnaire.low <= value <= questionnaire.high:
            raise SelfAssessmentError(
                f"item {item_id!r}: {value} is outside the scale "
                f"{questionnaire.low}-{questionnaire.high}",
                "bad_value",
                item=item_id,
            )
        clean[item_id] = value
    return {i.id: clean.get(i.id) for i in questionnaire.items}


def _clean_text(questionnaire: Questionnaire, text: object) -> str | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise SelfAssessmentError("the free text is not text", "bad_value", item=FREE_TEXT_ID)
    stripped = text.strip()
    limit = questionnaire.free_text.max_length
    if len(stripped) > limit:
        raise SelfAssessmentError(
            f"the free text has {len(stripped)} characters; at most {limit} are kept",
            "too_long",
            limit=limit,
        )
    return stripped or None


def submit(
    session: Session,
    questionnaire: Questionnaire,
    *,
    person: Person,
    round_key: str,
    values: Mapping[str, object],
    text: object = None,
    today: date,
    now: datetime,
    rater: str = "self",
    rater_id: int | None = None,
) -> Submission:
    """Store one submission of ``round_key`` for the mentee ``person`` (her own, or her
    mentor's rating with ``rater="mentor"``); the earlier ones stay as its history.

    Raises SelfAssessmentError when the questionnaire is off, the person is no mentee in a
    cohort, the round is not open on ``today`` (naming when it opens or when it closed), a value
    is off the scale, the free text is too long, or nothing was answered.
    """
    if not questionnaire.enabled:
        raise SelfAssessmentError("the self-assessment is switched off", "disabled")
    if rater not in RATERS or (rater == "mentor" and not questionnaire.mentor_rating):
        raise SelfAssessmentError(f"unknown rater {rater!r}", "bad_value")
    if person.role != "mentee" or person.cohort_id is None:
        raise SelfAssessmentError(
            f"{person.key} is not a mentee in a cohort: no self-assessment", "not_mentee"
        )
    rounds = {r.key: r for r in cohort_rounds(session, questionnaire, person.cohort_id)}
    chosen = rounds.get(round_key) if isinstance(round_key, str) else None
    if chosen is None:
        raise SelfAssessmentError(f"unknown round {round_key!r}", "unknown_round")
    state = chosen.state(today)
    if state == "upcoming":
        raise SelfAssessmentError(
            f"the {chosen.key} round opens on {chosen.opens.isoformat()}",
            "not_open",
            round=chosen.key,
            opens=chosen.opens,
        )
    if state == "closed":
        raise SelfAssessmentError(
            f"the {chosen.key} round closed on {chosen.closes.isoformat()}; "
            "answers can no longer be given or changed",
            "closed",
            round=chosen.key,
            closes=chosen.closes,
        )
    clean = _clean_values(questionnaire, values)
    free = _clean_text(questionnaire, text) if rater == "self" else None
    if all(v is None for v in clean.values()) and free is None:
        raise SelfAssessmentError("nothing was answered", "empty")

    def answer(item: str, value: int | None, text: str | None) -> SelfAssessmentAnswer:
        return SelfAssessmentAnswer(
            person_id=person.id,
            cohort_id=person.cohort_id,
            round=chosen.key,
            rater=rater,
            rater_id=rater_id,
            item=item,
            value=value,
            text=text,
            submitted_at=now,
        )

    rows = [answer(item_id, value, None) for item_id, value in clean.items()]
    rows.append(answer(FREE_TEXT_ID, None, free))
    session.add_all(rows)
    session.flush()
    logger.info("self-assessment %s (%s) stored for person %s", chosen.key, rater, person.id)
    return Submission(person.id, chosen.key, rater, rater_id, now, clean, free)


def _group(rows: Sequence[Any]) -> list[Submission]:
    """Rows ordered by submission time -> one Submission per (person, round, rater, time)."""
    grouped: dict[tuple[int, str, str, datetime], list[SelfAssessmentAnswer]] = {}
    for row in rows:
        grouped.setdefault((row.person_id, row.round, row.rater, row.submitted_at), []).append(row)
    out = []
    for (person_id, round_key, rater, at), answers in grouped.items():
        values = {a.item: a.value for a in answers if a.item != FREE_TEXT_ID}
        text = next((a.text for a in answers if a.item == FREE_TEXT_ID), None)
        out.append(Submission(person_id, round_key, rater, answers[0].rater_id, at, values, text))
    return out


def history(session: Session, person_id: int, rater: str | None = None) -> list[Submission]:
    """Every submission about the person (her own and her mentor's, or only ``rater``'s), oldest
    first."""
    if rater is None:
        rows = cursor.prepared(session.connection(), _ANSWERS, {"person": person_id})
    else:
        bound = {"person": person_id, "rater": rater}
        rows = cursor.prepared(session.connection(), _ANSWERS_BY, bound)
    return _group([_Answer(*row) for row in rows])


def current_answers(session: Session, person_id: int, rater: str = "self") -> dict[str, Submission]:
    """Round key -> the latest submission of that round by ``rater`` (the answer that counts)."""
    return current_by_rater(history(session, person_id, rater)).get(rater, {})


def current_by_rater(submissions: Sequence[Submission]) -> dict[str, dict[str, Submission]]:
    """Rater -> round key -> the latest of ``submissions`` (oldest first, as :func:`history`
    gives them) of that round by that rater."""
    latest: dict[str, dict[str, Submission]] = {}
    for submission in submissions:
        latest.setdefault(submission.rater, {})[submission.round] = submission
    return latest


def current_answers_of(
    session: Session, person_ids: Sequence[int], rater: str = "self"
) -> dict[int, dict[str, Submission]]:
    """:func:`current_answers` of many people in one query: person id -> round key -> the
    latest submission (people without any are left out)."""
    if not person_ids:
        return {}
    rows = session.scalars(
        select(SelfAssessmentAnswer)
        .where(
            SelfAssessmentAnswer.person_id.in_(list(person_ids)),
            SelfAssessmentAnswer.rater == rater,
        )
        .order_by(SelfAssessmentAnswer.submitted_at, SelfAssessmentAnswer.id)
    ).all()
    latest: dict[int, dict[str, Submission]] = {}
    for submission in _group(rows):
        latest.setdefault(submission.person_id, {})[submission.round] = submission
    return latest


def revisions(session: Session, person_id: int, rater: str = "self") -> dict[str, int]:
    """Round key -> how many times it was submitted (1: never corrected)."""
    counts: dict[str, int] = {}
    for submission in history(session, person_id, rater):
        counts[submission.round] = counts.get(submission.round, 0) + 1
    return counts
