"""Retention: data is kept ``retention.months_after_cohort`` months after a cohort's end and
purged from the day after; exactly the people past retention go, everyone else stays whole."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.tracker.privacy_world import (
    KORA,
    SPRING,
    WILMA,
    Someone,
    add_cohort,
    add_goal,
    add_login,
    add_note,
    add_person,
    add_tandem,
    add_view,
    build_world,
    mentions,
    poll_days,
    row_counts,
)
from tracker.cli import main
from tracker.config import Config, RetentionSection
from tracker.privacy import export_person, kept_until, purge_expired, scheduled_purge
from tracker.privacy.retention import add_months
from tracker.store.db import Database
from tracker.store.models import AuditEntry, Cohort, Person, Tandem

OLD = "herbst22"
OLD_END = date(2022, 9, 30)
OLIVIA = Someone(
    "oldenburg", "Olivia Oldenburg", "olivia.oldenburg@beispiel.invalid", {"x": "ooldenburg"}
)
ROSA = Someone("regen", "Rosa Regen", "rosa.regen@beispiel.invalid", {})
# Mentor in the old cohort and again in the current one.
PAULA = Someone("pfeffer", "Paula Pfeffer", "paula.pfeffer@beispiel.invalid", {})
QUIRINA = Someone("quell", "Quirina Quell", "quirina.quell@beispiel.invalid", {"x": "qquell"})


def build_two_cohorts(db: Database) -> None:
    """The current spring cohort of the shared world, plus a cohort that ended in 2022."""
    build_world(db)
    add_cohort(db, OLD, date(2022, 2, 1), OLD_END)
    add_person(db, OLIVIA, "mentee", OLD, date(2021, 12, 1))
    add_person(db, ROSA, "mentor", OLD, date(2021, 12, 1))
    add_person(db, PAULA, "mentor", OLD, date(2021, 12, 1))
    add_person(db, QUIRINA, "mentee", SPRING, date(2025, 1, 10))
    old_tandem = add_tandem(db, OLD, OLIVIA, ROSA)
    add_tandem(db, OLD, OLIVIA, PAULA)
    add_tandem(db, SPRING, QUIRINA, PAULA)
    poll_days(db, OLIVIA, datetime(2022, 3, 1, 9, tzinfo=UTC), 3)
    poll_days(db, QUIRINA, datetime(2025, 3, 1, 9, tzinfo=UTC), 2)
    moment = datetime(2022, 4, 1, 12, tzinfo=UTC)
    add_login(db, OLIVIA, "mentee", moment)
    add_goal(db, old_tandem, "Blog starten", ROSA.email, moment)
    add_note(db, old_tandem, ROSA, "Gutes Gespräch.", moment)
    add_view(db, ROSA.key, "mentor", OLIVIA, "tandem")
    add_view(db, OLIVIA.email, "mentee", QUIRINA, "programme")


def config(months: int = 24) -> Config:
    return Config(retention=RetentionSection(months_after_cohort=months))


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2022, 9, 30), 24) == date(2024, 9, 30)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2023, 12, 31), 2) == date(2024, 2, 29)
    assert add_months(date(2023, 11, 15), 14) == date(2025, 1, 15)
    assert kept_until(OLD_END, 6) == date(2023, 3, 30)


def test_nothing_goes_on_the_last_day_of_retention(db: Database) -> None:
    build_two_cohorts(db)
    before = row_counts(db)
    report = purge_expired(db, config(), today=date(2024, 9, 30))
    assert report.people == () and report.total_deleted == 0
    assert row_counts(db) == before


def test_purge_deletes_exactly_the_people_past_retention(db: Database) -> None:
    build_two_cohorts(db)
    before = row_counts(db)
    spring_before = {k: export_person(db, k) for k in (WILMA.key, QUIRINA.key)}

    report = purge_expired(db, config(), today=date(2024, 10, 1))

    assert report.people == (OLIVIA.key, ROSA.key)
    assert [(c.key, c.kept_until) for c in report.cohorts] == [(OLD, date(2024, 9, 30))]
    after = row_counts(db)
    assert {t: before[t] - after[t] for t in before if before[t] != after[t]} == {
        **dict(report.deleted),
        "audit_log": -2,  # one "erase" entry per person purged
        "erasure_log": -2,  # and one pseudonymous entry in the erasure log
    }
    assert report.deleted["tandem"] == 2  # Olivia's two tandems of the old cohort
    assert report.deleted["goal"] == 1 and report.deleted["checkin_note"] == 1
    assert report.deleted["user_account"] == 1
    for gone in (OLIVIA, ROSA):
        assert mentions(db, gone) == []
    # The audit entry by Olivia about Quirina stays, under a pseudonym.
    assert report.pseudonymised["audit_log.viewer"] == 2
    with db.session() as session:
        # Paula mentors in the current cohort too: she stays, with that tandem only.
        paula = session.scalars(select(Person).where(Person.key == PAULA.key)).one()
        tandems = session.scalars(
            select(Tandem.cohort_id).where(Tandem.mentor_id == paula.id)
        ).all()
        assert len(tandems) == 1
        # Cohorts and their dates are programme facts, not personal data: they stay.
        assert set(session.scalars(select(Cohort.key))) == {SPRING, OLD}
        # The coordinator (in no cohort) is never purged by age.
        assert session.scalars(select(Person).where(Person.key == KORA.key)).one()
    # Everyone in the current cohort keeps every row (exports equal apart from their stamp);
    # only the name of Olivia, who viewed Quirina's data, is now a pseudonym in that entry.
    assert _tables(export_person(db, WILMA.key)) == _tables(spring_before[WILMA.key])
    quirina = _tables(export_person(db, QUIRINA.key))
    quirina_before = _tables(spring_before[QUIRINA.key])
    assert quirina.pop("audit_log.json") != quirina_before.pop("audit_log.json")
    quirina.pop("audit_log.csv"), quirina_before.pop("audit_log.csv")
    assert quirina == quirina_before


def test_dry_run_reports_the_same_and_changes_nothing(db: Database) -> None:
    build_two_cohorts(db)
    before = row_counts(db)
    dry = purge_expired(db, config(), today=date(2024, 10, 1), dry_run=True)
    assert row_counts(db) == before
    real = purge_expired(db, config(), today=date(2024, 10, 1))
    assert dry.dry_run and not real.dry_run
    assert (dry.people, dict(dry.deleted), dict(dry.pseudonymised)) == (
        real.people,
        dict(real.deleted),
        dict(real.pseudonymised),
    )


def test_the_configured_months_decide(db: Database) -> None:
    build_two_cohorts(db)
    # Six months after the spring cohort's end (2025-09-30): the spring people go too,
    # except the coordinator, who is in no cohort.
    report = purge_expired(db, config(6), today=date(2026, 4, 1))
    assert set(report.people) == {
        OLIVIA.key,
        ROSA.key,
        PAULA.key,
        QUIRINA.key,
        WILMA.key,
        "beispielhaft",
        "mondschein",
        "nebelhorn",
    }
    with db.session() as session:
        assert list(session.scalars(select(Person.key))) == [KORA.key]
        # Every audit entry that named a purged person now names a pseudonym.
        keys = set(session.scalars(select(AuditEntry.person_key)))
    assert all(k.startswith("erased-") for k in keys)


def test_scheduled_job_purges_by_todays_date(sqlite_db: Database, tmp_path: Path) -> None:
    build_two_cohorts(sqlite_db)
    config_file = tmp_path / "config.toml"
    config_file.write_text("[retention]\nmonths_after_cohort = 24\n", encoding="utf-8")
    scheduled_purge(sqlite_db.url, str(config_file))
    assert mentions(sqlite_db, OLIVIA) == []


def test_cli_purge_dry_run_names_what_it_would_delete(
    sqlite_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    build_two_cohorts(sqlite_db)
    before = row_counts(sqlite_db)
    assert main(["--db", sqlite_db.url, "privacy", "purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"cohort {OLD} ended 2022-09-30, kept until 2024-09-30" in out
    assert OLIVIA.key in out and "would delete" in out and "nothing deleted" in out
    assert row_counts(sqlite_db) == before
    (tmp_path / "config.toml").write_text("[retention]\nmonths_after_cohort = 240\n")
    assert main(["--db", sqlite_db.url, "privacy", "purge"]) == 0
    assert "nothing past retention (240 months" in capsys.readouterr().out
    assert row_counts(sqlite_db) == before


def _tables(archive: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return {n: z.read(n) for n in z.namelist() if n != "README.txt"}
