"""Cohorts side by side: every figure of the comparison and of the follow-up recomputed from the
raw rows with SQL; a person in two cohorts counted once in each; consent that ended after the
closing is "not followed", never zero growth."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import bindparam, text

from tests.tracker import cohort_world as world
from tracker.cohort.cohort_comparison import (
    CohortComparison,
    Figures,
    add_months,
    compare,
    week_days,
)
from tracker.errors import NotFoundError
from tracker.store.db import Database
from tracker.store.models import UTCDateTime

BERLIN = ZoneInfo("Europe/Berlin")


def midnight(day: date) -> datetime:
    """The start of ``day`` in the programme's time zone, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=BERLIN).astimezone(UTC)


def _q(sql: str, *times: str) -> text:  # type: ignore[valid-type]
    return text(sql).bindparams(*(bindparam(t, type_=UTCDateTime()) for t in times))


POSTS = _q(
    "SELECT count(*) FROM post_metric p JOIN account a ON a.id = p.account_id "
    "WHERE a.person_id = :pid AND p.published_at >= :a AND p.published_at < :b",
    "a",
    "b",
)
PLATFORMS = _q(
    "SELECT DISTINCT a.platform FROM post_metric p JOIN account a ON a.id = p.account_id "
    "WHERE a.person_id = :pid AND p.published_at >= :a AND p.published_at < :b",
    "a",
    "b",
)
COUNTS = _q(
    "SELECT s.followers FROM profile_snapshot s WHERE s.account_id = :acc "
    "AND s.followers IS NOT NULL AND s.taken_at >= :a AND s.taken_at < :b ORDER BY s.taken_at",
    "a",
    "b",
)
ACCOUNTS = text("SELECT a.id, a.platform FROM account a WHERE a.person_id = :pid ORDER BY a.id")
PEOPLE = text(
    "SELECT p.id, p.role FROM person p WHERE p.cohort_id = (SELECT id FROM cohort WHERE key = :c) "
    "UNION SELECT m.person_id, m.role FROM cohort_member m "
    "WHERE m.cohort_id = (SELECT id FROM cohort WHERE key = :c)"
)
CONSENTING = text(
    "SELECT id FROM person WHERE consent_given <= :d "
    "AND (consent_withdrawn IS NULL OR consent_withdrawn > :d)"
)
GOALS = (
    "SELECT count(*), count(CASE WHEN g.done_at < :until THEN 1 END) FROM goal g "
    "JOIN tandem t ON t.id = g.tandem_id "
    "WHERE t.cohort_id = (SELECT id FROM cohort WHERE key = :c) AND t.mentee_id IN ({ids})"
)


@pytest.fixture
def built(db: Database) -> Database:
    world.build(db)
    return db


@pytest.fixture
def cohorts(built: Database) -> dict[str, CohortComparison]:
    with built.session() as session:
        found = compare(session, ["c2026", "c2025"], world.TODAY)
    return {c.key: c for c in found}


def roles_in(conn: object, cohort: str) -> dict[int, str]:
    """Person id -> role in the cohort; a membership row wins over the person's own cohort."""
    rows = conn.execute(PEOPLE, {"c": cohort}).all()  # type: ignore[attr-defined]
    own = dict(rows)
    for pid, role in conn.execute(  # type: ignore[attr-defined]
        text(
            "SELECT m.person_id, m.role FROM cohort_member m "
            "WHERE m.cohort_id = (SELECT id FROM cohort WHERE key = :c)"
        ),
        {"c": cohort},
    ):
        own[pid] = role
    return own


def raw_figures(
    db: Database,
    cohort: str,
    people: set[int],
    day: date,
    growth_from: date,
) -> dict[str, object]:
    """The comparison's figures over ``people`` (mentees, plus the comparison group for
    growth) on ``day``, from SQL over the raw rows."""
    end = midnight(day + timedelta(days=1))
    with db.engine.connect() as conn:
        roles = roles_in(conn, cohort)
        mentees = sorted(p for p in people if roles.get(p) == "mentee")
        weekly = 0
        platforms = 0
        for pid in mentees:
            weeks = [
                conn.execute(
                    POSTS,
                    {
                        "pid": pid,
                        "a": midnight(day + timedelta(days=1 - 7 * (k + 1))),
                        "b": midnight(day + timedelta(days=1 - 7 * k)),
                    },
                ).scalar_one()
                for k in range(4)
            ]
            weekly += all(n > 0 for n in weeks)
            platforms += len(
                conn.execute(
                    PLATFORMS,
                    {"pid": pid, "a": midnight(day + timedelta(days=1 - 30)), "b": end},
                ).all()
            )
        growth: dict[tuple[str, str], list[float]] = {}
        for pid in sorted(p for p in people if roles.get(p) in ("mentee", "comparison")):
            for acc, platform in conn.execute(ACCOUNTS, {"pid": pid}):
                values = (
                    conn.execute(COUNTS, {"acc": acc, "a": midnight(growth_from), "b": end})
                    .scalars()
                    .all()
                )
                if len(values) >= 2:
                    growth.setdefault((platform, roles[pid]), []).append(
                        (values[-1] - values[0]) / values[0] * 100
                    )
        total, reached = conn.execute(
            _q(GOALS.format(ids=",".join(map(str, mentees)) or "NULL"), "until"),
            {"c": cohort, "until": end},
        ).one()
    return {
        "mentees": len(mentees),
        "share_weekly": weekly / len(mentees) if mentees else None,
        "platforms_per_mentee": platforms / len(mentees) if mentees else None,
        "growth": {k: (statistics.median(v), len(v)) for k, v in growth.items()},
        "goals": (reached, total),
    }


def as_found(figures: Figures) -> dict[str, object]:
    return {
        "mentees": figures.mentees,
        "share_weekly": figures.share_weekly,
        "platforms_per_mentee": figures.platforms_per_mentee,
        "growth": {
            (g.platform, g.role): (pytest.approx(g.median_percent), g.n)
            for g in figures.growth
            if g.n
        },
        "goals": (figures.goals_reached, figures.goals_total),
    }


def test_cohorts_come_oldest_first_with_their_state(cohorts: dict[str, CohortComparison]) -> None:
    old, new = cohorts["c2025"], cohorts["c2026"]
    assert old.ended and not new.ended
    assert old.final.day == world.C25  # figures at the closing
    assert new.final.day == world.TODAY  # "Stand 16.02.2026"
    assert [w.week for w in old.weeks][:3] == [0.0, 1.0, 2.0]
    assert old.weeks[-1].week == 8.0  # closing 8 weeks after the kickoff
    assert new.weeks[-1].week == 6.0
    assert [(e.week, e.kind) for e in old.events] == [
        (0.0, "kickoff"),
        (3.0, "workshop"),
        (8.0, "closing"),
    ]


def test_a_person_in_two_cohorts_is_counted_once_in_each(
    cohorts: dict[str, CohortComparison],
) -> None:
    # Carla: her own cohort 2025 plus a membership row for it, and a mentee in 2026 again.
    # Emma: a mentee in 2025, a mentor in 2026 (not a mentee there).
    assert cohorts["c2025"].mentees == 4  # anna, berta, carla, emma
    assert cohorts["c2026"].mentees == 2  # dora, carla
    assert cohorts["c2025"].comparison == 1 and cohorts["c2026"].comparison == 1
    x_2025 = cohorts["c2025"].final.growth_on("instagram")
    assert x_2025 is not None and x_2025.n == 2  # anna's and carla's, carla's once


@pytest.mark.parametrize("key", ["c2025", "c2026"])
def test_every_week_equals_the_raw_sql(
    built: Database, cohorts: dict[str, CohortComparison], key: str
) -> None:
    c = cohorts[key]
    with built.engine.connect() as conn:
        everyone = set(roles_in(conn, key))
    for week in c.weeks[::3] + c.weeks[-1:]:
        raw = raw_figures(built, key, everyone, week.figures.day, c.kickoff)
        assert as_found(week.figures) == raw, (key, week.week)


def test_known_figures_at_the_2025_closing(cohorts: dict[str, CohortComparison]) -> None:
    final = cohorts["c2025"].final
    # Anna (every 3rd day) and Carla (daily) post every week; Berta (fortnightly) and Emma
    # (never) do not.
    assert final.share_weekly == 0.5
    assert final.goals_reached == 1 and final.goals_total == 2
    week2 = cohorts["c2025"].weeks[2].figures
    assert week2.goals_reached == 0  # the goal was ticked on 1 February, in week 3


def test_follow_up_equals_the_raw_sql_over_the_mentees_still_followed(
    built: Database, cohorts: dict[str, CohortComparison]
) -> None:
    c = cohorts["c2025"]
    assert [(f.months, f.day, f.reached) for f in c.followups] == [
        (3, date(2025, 6, 3), True),
        (6, date(2025, 9, 3), True),
        (12, date(2026, 3, 3), False),  # still ahead on 16 February 2026: no figures
    ]
    assert c.followups[2].figures is None
    with built.engine.connect() as conn:
        roles = roles_in(conn, "c2025")
    for f in c.followups[:2]:
        with built.engine.connect() as conn:
            consenting = {r for (r,) in conn.execute(CONSENTING, {"d": f.day})}
        followed = {p for p in roles if p in consenting}
        mentees = {p for p in roles if roles[p] == "mentee"}
        assert f.followed == len(followed & mentees) == 3
        assert f.not_followed == 1  # Berta: consent ended on 1 May 2025
        assert f.figures is not None
        raw = raw_figures(built, "c2025", followed, f.day, c.closing + timedelta(days=1))
        assert as_found(f.figures) == raw, f.months
        # Berta's X account is not in the follow-up: no zero growth in her place.
        x = f.figures.growth_on("x")
        assert x is not None and x.n == 2  # anna's and emma's


def test_the_running_cohort_has_no_follow_up(cohorts: dict[str, CohortComparison]) -> None:
    assert cohorts["c2026"].followups == ()


def test_unknown_or_no_cohort_is_a_clear_error(built: Database) -> None:
    with built.session() as session:
        with pytest.raises(NotFoundError, match="nope"):
            compare(session, ["c2025", "nope"], world.TODAY)
        with pytest.raises(NotFoundError, match="at least one"):
            compare(session, [" ", ""], world.TODAY)


def test_week_days_end_on_the_reference_day() -> None:
    kick = date(2026, 1, 5)
    assert week_days(kick, date(2026, 1, 19)) == [
        (0.0, kick),
        (1.0, date(2026, 1, 12)),
        (2.0, date(2026, 1, 19)),
    ]
    assert week_days(kick, date(2026, 1, 15))[-1] == (10 / 7, date(2026, 1, 15))
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
