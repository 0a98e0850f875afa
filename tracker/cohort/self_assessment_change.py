"""Self-assessment figures: the cohort's median change per item from one round to another (with
n), and a mentee's measured figures at each round, to put beside her answers.

The change of one mentee is her later value minus her earlier one, both from her latest
submission of each round; mentees who left the item unanswered in either round are not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy.orm import Session

from tracker.metrics import (
    EFFECT_DAYS,
    adopted_platforms_at,
    consistency_at,
    median_or_none,
    moment_ns,
    posts_per_week_at,
)
from tracker.programme.questionnaire import MEASURES, Questionnaire
from tracker.programme.self_assessment import Round, current_answers_of
from tracker.store.read_arrays import PersonRead, person_accounts
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
    current = current_answers_of(session, mentees, "self")  # one query for the cohort
    for person_id in mentees:
        answers = current.get(person_id, {})
        if start in answers and end in answers:
            pairs.append((dict(answers[start].values), dict(answers[end].values)))
    return item_changes(pairs, [i.id for i in questionnaire.items])


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def measured_at_rounds(
    session: Session,
    person_id: int,
    rounds: Sequence[Round],
    today: date,
    read: PersonRead | None = None,
) -> dict[str, dict[str, float | None]]:
    """Round key -> measure -> her figure over the four weeks before the round opened
    (consistency: share of weeks with a post; posts per week; platforms with a post in the
    30 days before). Rounds not yet open are left out; None where nothing was polled before.
    ``read``: her rows already read for the same view, used when they cover the period."""
    opened = [r for r in rounds if r.opens <= today]
    if not opened:
        return {}
    first = min(r.opens for r in opened) - timedelta(days=EFFECT_DAYS + 7)
    last = max(r.opens for r in opened)
    start, end = _moment(first), _moment(last)
    if read is not None and read.covers(start, end):
        data = read.between(start, end)
    else:
        data = person_accounts(session, person_id, start, end)
    # Straight from the arrays: the rows are few and a frame costs more than the figures.
    snap_at = np.concatenate([d.rows.snap_at for d in data]) if data else np.empty(0, "int64")
    post_at = np.concatenate([d.rows.post_at for d in data]) if data else np.empty(0, "int64")
    platforms = np.repeat(
        np.array([d.platform for d in data], dtype=object), [len(d.rows.post_at) for d in data]
    )
    out: dict[str, dict[str, float | None]] = {}
    for r in opened:
        since = r.opens - timedelta(days=EFFECT_DAYS)
        polled = bool((snap_at < moment_ns(_moment(r.opens))).any())
        if not polled:
            out[r.key] = dict.fromkeys(MEASURES)
            continue
        out[r.key] = {
            "consistency": consistency_at(post_at, since, r.opens),
            "posts_per_week": posts_per_week_at(post_at, since, r.opens),
            "platforms": float(len(adopted_platforms_at(post_at, platforms, r.opens))),
        }
    return out
