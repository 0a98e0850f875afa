"""Self-assessment figures: the cohort's median change per item from one round to another (with
n), and a mentee's measured figures at each round, to put beside her answers.

The change of one mentee is her later value minus her earlier one, both from her latest
submission of each round; mentees who left the item unanswered in either round are not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import NotFoundError
from tracker.metrics import EFFECT_DAYS, adopted_platforms, consistency, median_or_none
from tracker.metrics import posts_per_week as weekly_posts
from tracker.programme.questionnaire import MEASURES, Questionnaire
from tracker.programme.self_assessment import Round, current_answers
from tracker.store.models import Cohort
from tracker.store.read_arrays import frames, person_accounts
from tracker.store.read_frames import cohort_roles


@dataclass(frozen=True)
class ItemChange:
    """One item's median change over the cohort's mentees who answered it in both rounds."""

    item: str
    median_start: float | None
    median_end: float | None
    median_change: float | None
    n: int  # mentees counted (answered the item in both rounds)


def item_changes(
    answers: Sequence[tuple[dict[str, int | None], dict[str, int | None]]],
    item_ids: Sequence[str],
) -> list[ItemChange]:
    """Per item: medians over people of (start, end, end - start), from each person's pair of
    start and end values; a person counts for an item when both of her values are known."""
    out = []
    for item in item_ids:
        pairs: list[tuple[int, int]] = []
        for start, end in answers:
            a, b = start.get(item), end.get(item)
            if a is not None and b is not None:
                pairs.append((a, b))
        out.append(
            ItemChange(
                item=item,
                median_start=median_or_none([float(a) for a, _ in pairs]),
                median_end=median_or_none([float(b) for _, b in pairs]),
                median_change=median_or_none([float(b - a) for a, b in pairs]),
                n=len(pairs),
            )
        )
    return out


def cohort_changes(
    session: Session,
    questionnaire: Questionnaire,
    cohort_id: int,
    start: str = "kickoff",
    end: str = "closing",
) -> list[ItemChange]:
    """The cohort's median change per item from round ``start`` to round ``end`` (mentees'
    own answers only; no names, no free text)."""
    roles = cohort_roles(session, cohort_id)
    mentees = sorted(pid for pid, role in roles.items() if role == "mentee")
    pairs = []
    for person_id in mentees:
        answers = current_answers(session, person_id, "self")
        if start in answers and end in answers:
            pairs.append((dict(answers[start].values), dict(answers[end].values)))
    return item_changes(pairs, [i.id for i in questionnaire.items])


def cohort_changes_by_key(
    session: Session, questionnaire: Questionnaire, cohort_key: str
) -> list[ItemChange] | None:
    """``cohort_changes`` from kickoff to closing for the cohort ``cohort_key``; None when the
    questionnaire is off or does not ask both rounds. Raises NotFoundError for an unknown key."""
    if not questionnaire.enabled or not {"kickoff", "closing"} <= set(questionnaire.rounds):
        return None
    cohort_id = session.scalar(select(Cohort.id).where(Cohort.key == cohort_key))
    if cohort_id is None:
        raise NotFoundError(f"no cohort with key {cohort_key!r}")
    return cohort_changes(session, questionnaire, cohort_id)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def measured_at_rounds(
    session: Session, person_id: int, rounds: Sequence[Round], today: date
) -> dict[str, dict[str, float | None]]:
    """Round key -> measure -> her figure over the four weeks before the round opened
    (consistency: share of weeks with a post; posts per week; platforms with a post in the
    30 days before). Rounds not yet open are left out; None where nothing was polled before."""
    opened = [r for r in rounds if r.opens <= today]
    if not opened:
        return {}
    first = min(r.opens for r in opened) - timedelta(days=EFFECT_DAYS + 7)
    last = max(r.opens for r in opened)
    data = person_accounts(session, person_id, _moment(first), _moment(last))
    snaps, posts = frames(person_id, data)
    out: dict[str, dict[str, float | None]] = {}
    for r in opened:
        since = r.opens - timedelta(days=EFFECT_DAYS)
        polled = bool(len(snaps)) and bool((snaps["taken_at"] < _moment(r.opens)).any())
        if not polled:
            out[r.key] = dict.fromkeys(MEASURES)
            continue
        out[r.key] = {
            "consistency": consistency(posts, since, r.opens),
            "posts_per_week": weekly_posts(posts, since, r.opens),
            "platforms": float(len(adopted_platforms(posts, r.opens))),
        }
    return out
