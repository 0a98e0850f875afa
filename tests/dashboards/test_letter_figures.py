"""A letter's figures are the dashboard's figures for the same person and week: the programme
page's growth since the kickoff, "Mein Fortschritt"'s milestones and goal statuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from dashboards.progress.period_data import load
from tests.tracker.mail_world import mail_config
from tests.tracker.privacy_world import SPRING, T0, WILMA, build_world, poll_days
from tracker.cohort.cohort_summary import summarise
from tracker.mail.delivery import preview
from tracker.mail.letter_figures import cohort_week
from tracker.mail.weeks import parse_week
from tracker.programme.goals import add_goal, find_tandem
from tracker.programme.structure import get_person
from tracker.store.db import Database
from tracker.store.read_arrays import accounts_data
from tracker.store.read_cohort import load_cohort
from tracker.text.formatting import fmt_int


def test_the_letter_shows_the_dashboards_figures(sqlite_db: Database) -> None:
    build_world(sqlite_db)
    poll_days(sqlite_db, WILMA, T0 + timedelta(days=4), 20)
    with sqlite_db.write() as session:
        tandem = find_tandem(session, WILMA.key).id
        add_goal(
            session,
            tandem_id=tandem,
            title="Jede Woche posten",
            metric="posts_per_week",
            target=3,
            weeks=4,
            created_by="test",
            now=T0,
        )
        add_goal(
            session,
            tandem_id=tandem,
            title="1.000 auf Bluesky",
            metric="followers",
            platform="bluesky",
            target=1000,
            created_by="test",
            now=T0,
        )
    config = mail_config(25)
    week = parse_week("2025-W12", config.mail)  # 10.03. to 16.03.2025
    with sqlite_db.session() as session:
        letter = cohort_week(session, SPRING, week)
        wilma = get_person(session, WILMA.key)
        mine = letter.mentee(wilma.id)
        assert mine is not None
        # The programme page (and the report): growth since the kickoff per account.
        # The programme page of the week's last day (cohort summary over the data known then).
        end = datetime.combine(week.end, time(), UTC) - timedelta(microseconds=1)
        data = load_cohort(session, SPRING)
        person_of = dict(zip(data.accounts["account_id"], data.accounts["person_id"], strict=True))
        clipped = replace(data, rows=tuple(accounts_data(session, person_of, end=end)))
        programme = summarise(clipped, week.last_day)
        person = next(p for p in programme.mentees if p.person.id == wilma.id)
        known: dict[str, list[int]] = {}
        for account in person.accounts:
            values = known.setdefault(account.platform, [])
            if account.growth.absolute is not None:
                values.append(account.growth.absolute)
        by_platform = {k: sum(v) if v else None for k, v in known.items()}
        assert {p.platform: p.since_kickoff for p in mine.platforms} == by_platform
        # "Mein Fortschritt" as of the letter's last day: goal statuses and milestones.
        page = load(session, wilma, "all", now=end)
    assert {g.goal_id: g for g in page.goals} == {g.goal_id: g for g in person.goals}
    assert mine.next_goal in page.goals
    in_week = [m for m in page.milestones if week.start <= m.at.date() < week.end]
    assert list(mine.milestones) == in_week
    # The numbers the reader sees are these numbers, formatted.
    composed = preview(sqlite_db, config, WILMA.key, week, None)
    assert composed is not None
    for platform, since in by_platform.items():
        # An unknown growth is shown as a dash, never as 0.
        assert f"{fmt_int(since, 'de', signed=True)} seit dem Auftakt" in composed.text, platform
