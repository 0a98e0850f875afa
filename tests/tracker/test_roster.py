"""Roster CSV import: German or English headers, idempotent, all-or-nothing with line numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.cli import main
from tracker.config import CohortEntry
from tracker.errors import RosterError
from tracker.programme.roster import import_roster, parse_roster
from tracker.programme.structure import Changes, upsert_cohort
from tracker.store.db import Database
from tracker.store.models import Account, Person, Tandem

GOOD = """key,name,role,email,cohort,partner,consent,instagram,mastodon,x
mentee-01,Erika Beispiel,mentee,erika@example.org,c1,mentor-01,2026-01-15,@Erika.Beispiel,@erika@social.example,https://x.com/Erika_B
mentor-01,Mara Muster,mentor,mara@example.org,c1,,,,,
"""

GERMAN = """Schlüssel;Name;Rolle;E-Mail;Kohorte;Partnerin;Einwilligung;Instagram
mentee-02;Gerda Probe;Mentee;;c1;mentor-02;15.01.2026;gerda.probe
mentor-02;Nina Test;Mentorin;;c1;;;
"""


@pytest.fixture
def cohort_db(db: Database) -> Database:
    with db.write() as s:
        upsert_cohort(
            s,
            CohortEntry(key="c1", name="C1", start=date(2026, 2, 1), end=date(2026, 9, 30)),
            Changes(),
        )
    return db


def _counts(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Person)) or 0,
            s.scalar(select(func.count()).select_from(Account)) or 0,
            s.scalar(select(func.count()).select_from(Tandem)) or 0,
        )


def test_import_creates_people_accounts_and_tandem(cohort_db: Database) -> None:
    rows = parse_roster(GOOD)
    with cohort_db.write() as s:
        import_roster(s, rows)
    with cohort_db.session() as s:
        erika = s.scalars(select(Person).where(Person.key == "mentee-01")).one()
        handles = {a.platform: a.handle for a in erika.accounts}
    assert erika.consent_given == date(2026, 1, 15)
    assert handles == {
        "instagram": "erika.beispiel",
        "mastodon": "erika@social.example",
        "x": "erika_b",
    }
    assert _counts(cohort_db) == (2, 3, 1)


def test_reimport_updates_and_never_duplicates(cohort_db: Database) -> None:
    for text in (GOOD, GOOD.replace("Erika Beispiel", "Erika Beispiel-Neu")):
        with cohort_db.write() as s:
            import_roster(s, parse_roster(text))
    assert _counts(cohort_db) == (2, 3, 1)
    with cohort_db.session() as s:
        assert s.scalar(select(Person.display_name).where(Person.key == "mentee-01")) == (
            "Erika Beispiel-Neu"
        )


def test_german_headers_semicolons_and_dates(cohort_db: Database) -> None:
    with cohort_db.write() as s:
        import_roster(s, parse_roster(GERMAN))
    with cohort_db.session() as s:
        gerda = s.scalars(select(Person).where(Person.key == "mentee-02")).one()
    assert gerda.consent_given == date(2026, 1, 15)
    assert _counts(cohort_db) == (2, 1, 1)


def test_unknown_role_on_line_3_is_named_and_nothing_is_written(
    cohort_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = GOOD.replace("mentor-01,Mara Muster,mentor", "mentor-01,Mara Muster,chef")
    path = tmp_path / "roster.csv"
    path.write_text(bad, encoding="utf-8")
    code = main(["--db", cohort_db.url, "roster", "import", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "line 3" in err and "'role'" in err and "chef" in err
    assert _counts(cohort_db) == (0, 0, 0)


@pytest.mark.parametrize(
    ("old", "new", "column"),
    [
        ("2026-01-15", "15/01/2026", "consent"),
        ("@Erika.Beispiel", "@erika beispiel!", "instagram"),
        ("@erika@social.example", "erika", "mastodon"),
        ("erika@example.org", "erika-at-example", "email"),
    ],
)
def test_bad_cells_are_named_by_line_and_column(old: str, new: str, column: str) -> None:
    with pytest.raises(RosterError) as exc:
        parse_roster(GOOD.replace(old, new))
    assert f"line 2, column '{column}'" in str(exc.value)


def test_unknown_cohort_rolls_back_the_whole_import(cohort_db: Database) -> None:
    text = GOOD.replace(
        "mentor-01,Mara Muster,mentor,mara@example.org,c1",
        "mentor-01,Mara Muster,mentor,mara@example.org,c9",
    )
    with pytest.raises(RosterError, match=r"line 3.*c9"), cohort_db.write() as s:
        import_roster(s, parse_roster(text))
    assert _counts(cohort_db) == (0, 0, 0)


def test_unknown_partner_is_reported(cohort_db: Database) -> None:
    text = GOOD.replace(",mentor-01,2026", ",mentor-99,2026")
    with (
        pytest.raises(RosterError, match=r"line 2, column 'partner'.*mentor-99"),
        cohort_db.write() as s,
    ):
        import_roster(s, parse_roster(text))
    assert _counts(cohort_db) == (0, 0, 0)


def test_unknown_column_and_missing_required_columns() -> None:
    with pytest.raises(RosterError, match="unknown column"):
        parse_roster("key,name,role,tiktok\na,b,mentee,c\n")
    with pytest.raises(RosterError, match="missing column"):
        parse_roster("key,name\na,b\n")
