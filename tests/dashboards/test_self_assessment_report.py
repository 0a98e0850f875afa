"""The cohort's median change per self-assessment item, as the impact report and the
programme page show it, recomputed here from the raw answer rows with SQL."""

from __future__ import annotations

import re
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from tracker.programme.questionnaire import Questionnaire
from tracker.programme.self_assessment import submit
from tracker.store.db import Database
from tracker.store.models import Cohort, Person

WISH = "Geheimer Wunsch von Berta"
Q = Questionnaire()

# The answer that counts is each mentee's latest submission of a round.
LATEST = text(
    """
    SELECT a.person_id, a.round, a.item, a.value
    FROM self_assessment_answer a JOIN person p ON p.id = a.person_id
    WHERE p.role = 'mentee' AND a.rater = 'self' AND a.value IS NOT NULL
      AND a.submitted_at = (
        SELECT MAX(b.submitted_at) FROM self_assessment_answer b
        WHERE b.person_id = a.person_id AND b.round = a.round AND b.rater = 'self')
    """
)


def _answer(db: Database, later: str = "closing") -> None:
    """Both mentees answer the kickoff (one corrects it) and a ``later`` round; a mentor rates."""
    with db.write() as session:
        cohort = session.scalar(select(Cohort).where(Cohort.key == "c1"))
        assert cohort is not None
        people = {p.key: p for p in session.scalars(select(Person))}
        kickoff = cohort.start
        closing = cohort.end if later == "closing" else cohort.start + timedelta(days=30)
        at = datetime.now(UTC) - timedelta(days=40)
        plan = [
            ("mentee-a", "kickoff", kickoff, {"plan": 1, "privacy": 2, "audience": 3}, at),
            (
                "mentee-a",
                "kickoff",
                kickoff,
                {"plan": 2, "privacy": 2, "audience": 3},
                at + timedelta(hours=1),
            ),
            ("mentee-b", "kickoff", kickoff, {"plan": 3, "privacy": 4}, at),
            (
                "mentee-a",
                later,
                closing,
                {"plan": 5, "privacy": 3, "audience": 2},
                at + timedelta(days=2),
            ),
            (
                "mentee-b",
                later,
                closing,
                {"plan": 4, "privacy": 4, "audience": 5},
                at + timedelta(days=2),
            ),
        ]
        for key, round_key, day, values, when in plan:
            submit(
                session,
                Q,
                person=people[key],
                round_key=round_key,
                values=values,
                text=WISH if key == "mentee-b" else None,
                today=day,
                now=when,
            )
        submit(
            session,
            Q,
            person=people["mentee-a"],
            round_key=later,
            values={"plan": 1},
            today=closing,
            now=at,
            rater="mentor",
            rater_id=people["mentor-a"].id,
        )


def _expected(db: Database, later: str = "closing") -> dict[str, tuple[float, int]]:
    """Per item: the median of ``later`` minus kickoff over mentees with both, and n."""
    with db.session() as session:
        rows = session.execute(LATEST).all()
    values: dict[tuple[int, str, str], int] = {(p, r, i): v for p, r, i, v in rows}
    out = {}
    for item in ("plan", "privacy", "audience"):
        changes = [
            values[(p, later, item)] - values[(p, "kickoff", item)]
            for p in {p for p, _r, _i in values}
            if (p, later, item) in values and (p, "kickoff", item) in values
        ]
        out[item] = (statistics.median(changes), len(changes))
    return out


def _row(html: str, statement: str) -> list[str]:
    match = re.search(rf"<tr><td>{re.escape(statement)}</td>(.*?)</tr>", html, re.S)
    assert match, statement
    return re.findall(r'<td class="n">([^<]*)</td>', match.group(1))


def _section(html: str) -> str:
    return html[html.index('id="self-assessment"') : html.index('id="goals"')]


def test_report_shows_the_median_change_recomputed_from_sql(
    client_for: Any, web_db: tuple[Database, Any]
) -> None:
    # Before the closing round has begun the report compares the kickoff with the midpoint,
    # as the programme page does.
    db, _data = web_db
    _answer(db, later="midpoint")
    expected = _expected(db, later="midpoint")
    # plan: +3 and +1 -> 2 (n 2); privacy: +1 and 0 -> 0.5; audience: only mentee-a has both.
    assert expected == {"plan": (2, 2), "privacy": (0.5, 2), "audience": (-1, 1)}
    response = client_for("coordinator").get("/report/c1.html")
    assert response.status_code == 200
    section = _section(response.get_data(as_text=True))
    assert "zur Halbzeit" in section and "zum Abschluss" not in section
    for item, (change, n) in expected.items():
        label = Q.item(item).de  # type: ignore[union-attr]
        cells = _row(section, label)
        sign = "+" if change > 0 else ""
        assert cells[2] == f"{sign}{change:.1f}".replace(".", ","), (item, cells)
        assert cells[3] == str(n), (item, cells)
    assert _row(section, Q.item("routine").de) == ["–", "–", "–", "0"]  # type: ignore[union-attr]
    # The funders' section names nobody and holds no free text.
    for secret in (WISH, "Berta", "mentee-a", "mentee-b"):
        assert secret not in section


def test_after_the_closing_began_the_report_compares_kickoff_and_closing(
    web_db: tuple[Database, Any],
) -> None:
    from dashboards.report.html_report import build_summary, report_html

    db, _data = web_db
    _answer(db)
    expected = _expected(db)
    assert expected == {"plan": (2, 2), "privacy": (0.5, 2), "audience": (-1, 1)}
    with db.session() as session:
        end = session.scalars(select(Cohort.end).where(Cohort.key == "c1")).one()
    summary = build_summary(db, "c1", today=end + timedelta(days=1))
    section = _section(report_html(db, summary, "de", Q))
    assert "zum Abschluss" in section and "zur Halbzeit" not in section
    for item, (change, n) in expected.items():
        cells = _row(section, Q.item(item).de)  # type: ignore[union-attr]
        sign = "+" if change > 0 else ""
        assert cells[2] == f"{sign}{change:.1f}".replace(".", ","), (item, cells)
        assert cells[3] == str(n), (item, cells)


def test_programme_page_shows_the_change_to_the_midpoint_before_the_closing(
    client_for: Any, web_db: tuple[Database, Any], dashcall: Any
) -> None:
    db, _data = web_db
    _answer(db, later="midpoint")
    client = client_for("coordinator")
    deps = dashcall.dependencies(client)
    programme = next(d for d in deps if "programme-body" in d["output"])
    response = dashcall.call(
        client, programme, {"programme-cohort.value": "c1", "programme-sort.value": "name"}
    )
    body = response.get_data(as_text=True)
    assert "programme-self-assessment" in body
    assert "vom Auftakt zur Halbzeit (der Abschluss steht noch aus)" in body
    assert '"+2,0"' in body and '"+0,5"' in body and '"-1,0"' in body
    assert WISH not in body
