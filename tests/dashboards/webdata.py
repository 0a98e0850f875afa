"""A small fictional programme for the dashboard tests, written with the store's own functions:
three tandems (mentee-a in two), a coordinator, logins for each, two months of daily counts
with a gap, posts, a goal and a check-in note. The first mentee's display name is an HTML
injection attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from connectors.base import PostStats
from tracker.config import CohortEntry, EventEntry, PersonEntry
from tracker.programme.goals import add_goal
from tracker.programme.structure import Changes, upsert_cohort, upsert_person, upsert_tandem
from tracker.programme.users import add_user
from tracker.store.db import Database
from tracker.store.models import CheckinNote, Tandem
from tracker.store.write import write_posts, write_snapshots

PASSWORD = "ein-langes-passwort-123"
EVIL_NAME = "<img src=x onerror=alert(1)>"
EVIL_EVENT = "<b>Workshop</b><img src=x onerror=alert(2)>"
GAP_DAYS = (20, 21, 22, 23)  # no counts on these days: a gap, never a zero


@dataclass(frozen=True)
class WebData:
    today: date
    start: date
    tandem_a: int
    tandem_b: int
    emails: dict[str, str]  # role label -> login email


def build(db: Database, today: date | None = None) -> WebData:
    today = today or datetime.now(UTC).date()
    start = today - timedelta(days=50)
    changes = Changes()
    events = [
        EventEntry(date=start, kind="kickoff", title="Auftakt"),
        EventEntry(date=start + timedelta(days=14), kind="workshop", title=EVIL_EVENT),
        EventEntry(date=start + timedelta(days=30), kind="midpoint", title="Halbzeit"),
    ]
    cohort = CohortEntry(
        key="c1", name="Testkohorte", start=start, end=today + timedelta(days=60), events=events
    )
    people = [
        PersonEntry(key="coord", name="Koordination", role="coordinator", email="coord@t.invalid"),
        PersonEntry(
            key="mentee-a",
            name=EVIL_NAME,
            role="mentee",
            cohort="c1",
            consent=start - timedelta(days=30),
            accounts={"bluesky": "anna.bsky.social", "instagram": "anna.beispiel"},
        ),
        PersonEntry(
            key="mentee-b",
            name="Berta Beispiel",
            role="mentee",
            cohort="c1",
            consent=start - timedelta(days=30),
            accounts={"bluesky": "berta.bsky.social"},
        ),
        PersonEntry(key="mentor-a", name="Mia Mentorin", role="mentor", cohort="c1"),
        PersonEntry(key="mentor-b", name="Nora Mentorin", role="mentor", cohort="c1"),
        PersonEntry(key="mentor-c", name="Lea Mentorin", role="mentor", cohort="c1"),
    ]
    with db.write() as session:
        upsert_cohort(session, cohort, changes)
        persons = {p.key: upsert_person(session, p, changes) for p in people}
        ta = upsert_tandem(session, "c1", "mentee-a", "mentor-a", changes)
        tb = upsert_tandem(session, "c1", "mentee-b", "mentor-b", changes)
        # A second tandem of mentee-a: its mentor is no member of tandem a.
        upsert_tandem(session, "c1", "mentee-a", "mentor-c", changes)
        rows = []
        for person_key, base in (("mentee-a", 100), ("mentee-b", 400)):
            for account in persons[person_key].accounts:
                for offset in range(-20, 51):
                    if account.platform == "bluesky" and offset in GAP_DAYS:
                        continue
                    taken = datetime.combine(start + timedelta(days=offset), time(9), tzinfo=UTC)
                    rows.append(
                        {
                            "account_id": account.id,
                            "taken_at": taken,
                            "followers": base + 2 * (offset + 20),
                            "following": 50,
                            "posts": 10 + offset // 3 + 20,
                            "source": "poll",
                        }
                    )
                posts = [
                    PostStats(
                        post_id=f"{account.id}-{n}",
                        published_at=datetime.combine(
                            start + timedelta(days=3 * n), time(12), tzinfo=UTC
                        ),
                        kind="photo",
                        likes=5 + n,
                        comments=1,
                        shares=None,
                    )
                    for n in range(16)
                ]
                write_posts(session, account.id, posts, datetime.now(UTC))
        write_snapshots(session, rows)
        add_goal(session, tandem_id=ta.id, title="Jede Woche posten <script>x</script>")
        session.add(
            CheckinNote(
                tandem_id=ta.id,
                author_id=persons["mentor-a"].id,
                on=today,
                text="Erstes Treffen <em>gut</em>",
                created_at=datetime.now(UTC),
            )
        )
        emails = {
            "coordinator": "coord@t.invalid",
            "mentee": "mentee-a@t.invalid",
            "mentee_other": "mentee-b@t.invalid",
            "mentor_own": "mentor-a@t.invalid",
            "mentor_other": "mentor-b@t.invalid",
            "mentor_second": "mentor-c@t.invalid",
        }
        add_user(session, emails["coordinator"], None, "coordinator", PASSWORD)
        add_user(session, emails["mentee"], "mentee-a", "mentee", PASSWORD)
        add_user(session, emails["mentee_other"], "mentee-b", "mentee", PASSWORD)
        add_user(session, emails["mentor_own"], "mentor-a", "mentor", PASSWORD)
        add_user(session, emails["mentor_other"], "mentor-b", "mentor", PASSWORD)
        add_user(session, emails["mentor_second"], "mentor-c", "mentor", PASSWORD)
        assert isinstance(ta, Tandem) and isinstance(tb, Tandem)
        return WebData(today, start, ta.id, tb.id, emails)
