"""The demo: a fictional cohort in its final weeks, filled through the poller and the store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.cli import main
from tracker.cohort.cohort_comparison import compare
from tracker.cohort.self_assessment_change import cohort_changes
from tracker.demo.demo_earlier import EARLIER_KEY, plan_earlier
from tracker.demo.demo_programme import build, plan
from tracker.demo.demo_self_assessment import add_demo_self_assessment
from tracker.programme.questionnaire import Questionnaire
from tracker.programme.self_assessment import current_answers
from tracker.store.db import Database
from tracker.store.models import Account, Cohort, Person, PollAttempt, ProfileSnapshot, Tandem


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    build(db, seed=3)
    return db


def test_cohort_is_in_its_final_weeks_with_its_events(demo_db: Database) -> None:
    today = datetime.now(UTC).date()
    with demo_db.session() as s:
        cohort = s.scalars(select(Cohort).where(Cohort.key == "demo")).one()
        kinds = [e.kind for e in cohort.events]
        titles = [e.title for e in cohort.events]
    assert 200 <= (cohort.end - cohort.start).days <= 260
    assert cohort.start < today <= cohort.end
    assert (cohort.end - today).days <= 42
    assert kinds[0] == "kickoff" and kinds[-1] == "closing" and "midpoint" in kinds
    assert "Instagram für Einsteigerinnen" in titles and "Storytelling" in titles


def test_fourteen_tandems_with_keys_and_a_coordinator(demo_db: Database) -> None:
    with demo_db.session() as s:
        keys = set(s.scalars(select(Person.key)))
        tandems = s.scalar(
            select(func.count())
            .select_from(Tandem)
            .join(Cohort, Cohort.id == Tandem.cohort_id)
            .where(Cohort.key == "demo")
        )
    assert {f"mentee-{i:02d}" for i in range(1, 15)} <= keys
    assert {f"mentor-{i:02d}" for i in range(1, 15)} <= keys
    assert "coordinator" in keys and tandems == 14


def test_mentees_start_small_and_adopt_platforms_during_the_cohort(demo_db: Database) -> None:
    with demo_db.session() as s:
        cohort = s.scalars(select(Cohort).where(Cohort.key == "demo")).one()
        rows = s.execute(
            select(Person.key, Account.platform, func.min(ProfileSnapshot.taken_at))
            .join(Account, Account.person_id == Person.id)
            .join(ProfileSnapshot, ProfileSnapshot.account_id == Account.id)
            .where(Person.role == "mentee", Person.cohort_id == cohort.id)
            .group_by(Person.key, Account.platform)
        ).all()
    at_start: dict[str, int] = {}
    later = 0
    for key, _platform, first in rows:
        if first.date() < cohort.start:
            at_start[key] = at_start.get(key, 0) + 1
        else:
            later += 1
    assert all(n <= 2 for n in at_start.values())
    assert later >= 14  # platforms adopted during the cohort


def test_history_comes_through_the_poller(demo_db: Database) -> None:
    with demo_db.session() as s:
        attempts = s.scalar(select(func.count()).select_from(PollAttempt))
        snaps = s.scalar(select(func.count()).select_from(ProfileSnapshot))
    assert attempts and snaps and attempts >= snaps


def test_same_seed_same_plan() -> None:
    today = datetime(2026, 11, 27, tzinfo=UTC).date()
    a, b = plan(5, today), plan(5, today)
    assert a.profiles == b.profiles and a.accounts == b.accounts
    assert plan(6, today).profiles != a.profiles


def test_names_are_fictional() -> None:
    real = Path(__file__).resolve().parents[3] / "shared" / "programme.txt"
    if not real.exists():
        pytest.skip("programme text not beside the project")
    text = real.read_text(encoding="utf-8")
    demo = plan(7, datetime.now(UTC).date())
    earlier = plan_earlier(7, datetime.now(UTC).date()).plan
    for person in [*demo.people, *earlier.people]:
        *_, family = person.name.split()
        assert person.name not in text
        assert family not in text, family


def test_status_lists_mentee_01_with_her_accounts(
    demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", demo_db.url, "status"]) == 0
    out = capsys.readouterr().out
    assert "mentee-01" in out
    with demo_db.session() as s:
        platforms = set(
            s.scalars(select(Account.platform).join(Person).where(Person.key == "mentee-01"))
        )
    assert platforms and all(p in out for p in platforms)


def test_every_mentee_answered_the_begun_self_assessment_rounds(demo_db: Database) -> None:
    db = demo_db
    q = Questionnaire()
    with db.session() as session:
        demo_id = session.scalar(select(Cohort.id).where(Cohort.key == "demo"))
        mentees = session.scalars(
            select(Person).where(Person.role == "mentee", Person.cohort_id == demo_id)
        ).all()
        assert len(mentees) == 14
        rated = 0
        for mentee in mentees:
            answers = current_answers(session, mentee.id)
            # The cohort is in its final weeks: kickoff and midpoint are past, the closing ahead.
            assert set(answers) == {"kickoff", "midpoint"}, mentee.key
            assert all(
                v is None or q.low <= v <= q.high
                for a in answers.values()
                for v in a.values.values()
            )
            assert all(a.text for a in answers.values())
            rated += bool(current_answers(session, mentee.id, "mentor"))
        assert 5 <= rated < 14
        cohort_id = session.scalar(select(Cohort.id).where(Cohort.key == "demo"))
        changes = cohort_changes(session, q, cohort_id, "kickoff", "midpoint")  # type: ignore[arg-type]
    assert all(c.n >= 10 for c in changes)
    assert all(c.median_change is not None and c.median_change >= 0 for c in changes)
    # Running it again adds nothing.
    assert add_demo_self_assessment(db, date.today(), "demo", 3) == 0
    # The earlier cohort answered its kickoff and closing rounds: its change per item is known.
    with db.session() as session:
        before = session.scalar(select(Cohort.id).where(Cohort.key == EARLIER_KEY))
        earlier = cohort_changes(session, q, before)  # type: ignore[arg-type]
    assert earlier and all(c.n >= 4 and c.median_change is not None for c in earlier)


def test_an_earlier_cohort_has_ended_with_its_follow_up_visible(demo_db: Database) -> None:
    today = datetime.now(UTC).date()
    with demo_db.session() as s:
        old, new = compare(s, [EARLIER_KEY, "demo"], today)
        titles = [
            e.title for e in s.scalars(select(Cohort).where(Cohort.key == EARLIER_KEY)).one().events
        ]
    assert old.key == EARLIER_KEY and old.ended and not new.ended
    assert "Abschlussfeier" in titles and "Auftakt in Berlin" not in titles  # its own events
    assert old.mentees == 8 and new.mentees == 14  # returning people are no mentees in 2nd
    assert [f.months for f in old.followups] == [3, 6, 12]
    assert all(f.reached and f.figures is not None for f in old.followups)
    # Two mentees withdrew after the closing: one before +3 months, one before +12 months.
    assert [f.not_followed for f in old.followups] == [1, 1, 2]
    assert old.final.goals_total > 0 and old.final.growth_on("facebook") is not None
    assert any(g.role == "comparison" for g in old.final.growth)  # its own comparison account


def test_this_weeks_letters_are_previewed_for_the_demo(demo_db: Database, tmp_path: Path) -> None:
    from tracker.config import Config
    from tracker.mail.delivery import write_previews
    from tracker.mail.weeks import current_week

    config = Config()
    week = current_week(datetime.now(UTC), config.mail, config.tracker.timezone)
    keys = ("mentee-01", "mentor-01", "coordinator")
    paths = write_previews(demo_db, config, week, tmp_path, keys)
    assert [p.name for p in paths] == [f"wochenbrief-{week.label}-{k}.html" for k in keys]
    with demo_db.session() as s:
        names = dict(s.execute(select(Person.key, Person.display_name)).tuples().all())
    for key, path in zip(keys, paths, strict=True):
        page = path.read_text(encoding="utf-8")
        assert f"Guten Tag {names[key]}," in page
        assert "data:image/png;base64," in page and "cid:" not in page
