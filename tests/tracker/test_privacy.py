"""Export (Art. 15/20) and erasure (Art. 17): her data, all of it, and nobody else's; after
erasure, no row anywhere names her."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Integer, func, select, update

from tests.tracker.privacy_world import (
    BERTA,
    KORA,
    MIRA,
    NORA,
    T0,
    WILMA,
    account_ids,
    add_goal,
    add_note,
    all_tables,
    build_world,
    mentions,
    person_id,
    row_counts,
)
from tracker.cli import main
from tracker.errors import NotFoundError, PrivacyError
from tracker.privacy import erase_person, export_person, write_export
from tracker.privacy.export import TABLE_DOCS
from tracker.store.db import Database
from tracker.store.models import (
    AuditEntry,
    Goal,
    Person,
    PostMetric,
    ProfileSnapshot,
    Tandem,
)


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def tables_of(files: dict[str, bytes]) -> dict[str, list[dict[str, object]]]:
    return {
        name.removesuffix(".json"): json.loads(body)
        for name, body in files.items()
        if name.endswith(".json")
    }


def references(db: Database, person: int, accounts: list[int], tandems: list[int]) -> list[str]:
    """Every integer foreign key that still points at her, her accounts or her tandems."""
    targets = {"person": person, "account": accounts, "tandem": tandems}
    found = []
    with db.session() as session:
        for table in all_tables():
            for column in table.c:
                for fk in column.foreign_keys:
                    ids = targets.get(fk.column.table.name)
                    if ids is None or not isinstance(column.type, Integer):
                        continue
                    wanted = ids if isinstance(ids, list) else [ids]
                    if session.scalar(
                        select(func.count()).select_from(table).where(column.in_(wanted))
                    ):
                        found.append(f"{table.name}.{column.name}")
    return found


# -- export -----------------------------------------------------------------------------------


def test_export_holds_all_of_her_data_and_nobody_elses(db: Database) -> None:
    world = build_world(db)
    files = read_zip(export_person(db, WILMA.key))
    tables = tables_of(files)

    assert set(tables) == set(TABLE_DOCS)
    assert [p["key"] for p in tables["person"]] == [WILMA.key]
    assert {a["handle"] for a in tables["account"]} == set(WILMA.handles.values())
    hers = set(account_ids(db, WILMA))
    with db.session() as session:
        snapshots = session.scalar(select(func.count()).where(ProfileSnapshot.account_id.in_(hers)))
        posts = session.scalar(select(func.count()).where(PostMetric.account_id.in_(hers)))
    assert snapshots and len(tables["profile_snapshot"]) == snapshots
    assert posts and len(tables["post_metric"]) == posts
    assert {r["account_id"] for r in tables["poll_attempt"]} == hers
    assert [t["id"] for t in tables["tandem"]] == [world.tandem_wilma]
    assert [g["title"] for g in tables["goal"]] == ["Zweimal pro Woche posten"]
    assert sorted(n["text"] for n in tables["checkin_note"]) == [
        "Erste Schritte auf Bluesky besprochen.",
        "Tandem läuft gut.",
    ]
    assert [c["action"] for c in tables["consent_event"]] == ["given"]
    assert [u["email"] for u in tables["user_account"]] == [WILMA.email]
    assert [i["email"] for i in tables["invite"]] == [WILMA.email]
    assert [f["email"] for f in tables["login_failure"]] == [WILMA.email.upper()]
    # Views of her data by everyone, and her own views.
    assert sorted((a["viewer"], a["person_key"]) for a in tables["audit_log"]) == sorted(
        [(KORA.email, WILMA.key), (WILMA.email, WILMA.key), (MIRA.key, WILMA.key)]
    )

    everything = b"\n".join(files.values()).decode("utf-8").lower()
    for other in (BERTA, NORA):
        for identifier in other.identifiers:
            assert identifier.lower() not in everything, identifier


def test_export_leaves_out_credentials(db: Database) -> None:
    build_world(db)
    files = read_zip(export_person(db, WILMA.key))
    login = tables_of(files)["user_account"][0]
    assert "password_hash" not in login
    assert "session_token" not in login
    assert "token_hash" not in tables_of(files)["invite"][0]
    everything = b"".join(files.values())
    assert b"argon2" not in everything
    assert b"tok-" not in everything


def test_export_csv_matches_json_and_readme_explains_every_file(db: Database) -> None:
    build_world(db)
    files = read_zip(export_person(db, WILMA.key))
    for name, rows in tables_of(files).items():
        text = files[f"{name}.csv"].decode("utf-8-sig")
        parsed = list(csv.DictReader(io.StringIO(text)))
        assert len(parsed) == len(rows), name
        for row, original in zip(parsed, rows, strict=True):
            assert row["id" if "id" in row else next(iter(row))] == str(
                original["id" if "id" in original else next(iter(original))]
            )
    readme = files["README.txt"].decode("utf-8")
    assert "Datenauskunft" in readme and "Data export" in readme
    for name in TABLE_DOCS:
        assert f"{name}.json / {name}.csv" in readme
    snapshot_rows = len(tables_of(files)["profile_snapshot"])
    assert f"profile_snapshot.csv (Zeilen: {snapshot_rows})" in readme


def test_export_by_a_viewer_is_audited(db: Database) -> None:
    build_world(db)
    export_person(db, WILMA.key, viewer=KORA.email, viewer_role="coordinator", surface="web")
    with db.session() as session:
        actions = session.execute(
            select(AuditEntry.viewer, AuditEntry.action).where(AuditEntry.person_key == WILMA.key)
        ).all()
    assert (KORA.email, "export") in actions


def test_export_of_unknown_person_is_an_error(db: Database) -> None:
    build_world(db)
    with pytest.raises(NotFoundError, match="no person with key 'niemand'"):
        export_person(db, "niemand")


def test_write_export_refuses_to_overwrite_and_is_private(
    sqlite_db: Database, tmp_path: Path
) -> None:
    build_world(sqlite_db)
    out = tmp_path / "wilma.zip"
    size = write_export(sqlite_db, WILMA.key, out)
    assert out.stat().st_size == size
    assert out.stat().st_mode & 0o077 == 0
    with pytest.raises(PrivacyError, match="exists already"):
        write_export(sqlite_db, WILMA.key, out)
    assert write_export(sqlite_db, WILMA.key, out, overwrite=True) > 0


# -- erasure ----------------------------------------------------------------------------------


def test_dry_run_counts_exactly_and_changes_nothing(db: Database) -> None:
    world = build_world(db)
    before = row_counts(db)
    plan = erase_person(db, WILMA.key, dry_run=True)
    assert row_counts(db) == before
    assert plan.dry_run and plan.pseudonym is None
    assert plan.deleted["person"] == 1
    assert plan.deleted["tandem"] == 1
    assert plan.deleted["checkin_note"] == 2
    assert plan.deleted["login_failure"] == 1
    assert plan.pseudonymised["audit_log.person_key"] == 3

    real = erase_person(db, WILMA.key, dry_run=False)
    after = row_counts(db)
    assert dict(real.deleted) == dict(plan.deleted)
    for table, n in plan.deleted.items():
        assert before[table] - after[table] == n, table
    # Only the erasure's own audit entry is new.
    assert after["audit_log"] == before["audit_log"] + 1
    assert world.tandem_berta  # her partner tandem is untouched (checked below)


def test_after_erasure_no_row_names_her(db: Database) -> None:
    world = build_world(db)
    pid = person_id(db, WILMA)
    accounts = account_ids(db, WILMA)
    assert mentions(db, WILMA)  # the scan finds her before

    erase_person(db, WILMA.key, dry_run=False, by=KORA.email)

    assert mentions(db, WILMA) == []
    assert references(db, pid, accounts, [world.tandem_wilma]) == []
    with pytest.raises(NotFoundError):
        export_person(db, WILMA.key)
    with pytest.raises(NotFoundError):
        erase_person(db, WILMA.key, dry_run=True)


def test_erasure_keeps_everyone_elses_data(db: Database) -> None:
    world = build_world(db)
    before = read_zip(export_person(db, BERTA.key))
    erase_person(db, WILMA.key, dry_run=False)
    after = read_zip(export_person(db, BERTA.key))
    assert tables_of(after) == tables_of(before)
    with db.session() as session:
        assert session.get(Tandem, world.tandem_berta) is not None
        assert session.scalar(select(func.count()).select_from(Goal)) == 1


def test_audit_entries_keep_their_shape_under_one_pseudonym(db: Database) -> None:
    build_world(db)
    plan = erase_person(db, WILMA.key, dry_run=False, by=KORA.email)
    assert plan.pseudonym is not None and plan.pseudonym.startswith("erased-")
    with db.session() as session:
        about = session.execute(
            select(AuditEntry.viewer, AuditEntry.action).where(
                AuditEntry.person_key == plan.pseudonym
            )
        ).all()
    # Coordinator, mentor and she herself viewed her data; the erasure is recorded too.
    assert sorted(about) == sorted(
        [
            (KORA.email, "view"),
            (MIRA.key, "view"),
            (plan.pseudonym, "view"),
            (KORA.email, "erase"),
        ]
    )
    # A second erasure draws a different pseudonym: it is not derived from who she was.
    other = erase_person(db, BERTA.key, dry_run=False)
    assert other.pseudonym != plan.pseudonym


def test_erasing_a_coordinator_pseudonymises_what_she_did_for_others(db: Database) -> None:
    world = build_world(db)
    plan = erase_person(db, KORA.key, dry_run=False)
    assert mentions(db, KORA) == []
    assert plan.pseudonymised["audit_log.viewer"] == 2
    assert plan.pseudonymised["goal.created_by"] == 1
    with db.session() as session:
        goal = session.scalars(select(Goal).where(Goal.tandem_id == world.tandem_berta)).one()
        # The goal she set for another tandem stays, without her name.
        assert goal.created_by == plan.pseudonym
    # Her note in Wilma's tandem went with her; Mira's note there stays.
    texts = [n["text"] for n in tables_of(read_zip(export_person(db, WILMA.key)))["checkin_note"]]
    assert texts == ["Erste Schritte auf Bluesky besprochen."]


def test_foreign_keys_are_what_the_scan_checks() -> None:
    """The reference scan relies on integer foreign keys; a string key to a person would slip
    through it, so none may exist."""
    for table in all_tables():
        for column in table.c:
            if column.foreign_keys:
                assert isinstance(column.type, Integer), f"{table.name}.{column.name}"


# -- the commands -----------------------------------------------------------------------------


@pytest.fixture
def cli(sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    build_world(sqlite_db)
    return sqlite_db


def test_cli_erase_without_yes_deletes_nothing(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    before = row_counts(cli)
    assert main(["--db", cli.url, "privacy", "erase", WILMA.key]) == 0
    out = capsys.readouterr().out
    assert "would delete" in out and "nothing deleted" in out and "--yes" in out
    assert row_counts(cli) == before
    assert main(["--db", cli.url, "privacy", "erase", WILMA.key, "--yes"]) == 0
    assert "rows deleted" in capsys.readouterr().out
    assert mentions(cli, WILMA) == []


def test_cli_export_writes_zip_and_errors_in_one_line(
    cli: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export.zip"
    assert main(["--db", cli.url, "privacy", "export", WILMA.key, "--out", str(out)]) == 0
    assert tables_of(read_zip(out.read_bytes()))["person"][0]["key"] == WILMA.key
    assert main(["--db", cli.url, "privacy", "export", WILMA.key, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists already" in err
    assert main(["--db", cli.url, "privacy", "export", "niemand", "--out", "x.zip"]) == 2
    assert "no person with key 'niemand'" in capsys.readouterr().err


def test_cli_audit_lists_views_of_one_person(
    cli: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", cli.url, "privacy", "audit", "--person", BERTA.key]) == 0
    out = capsys.readouterr().out
    assert NORA.email in out and KORA.email in out
    assert MIRA.key not in out
    assert "2 entries" in out


FORMULA = '=HYPERLINK("http://x","y")'


def test_cli_export_neutralises_formulas_in_every_csv(
    cli: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A goal, note or name typed as a spreadsheet formula reaches the CSV files of the export
    as text (apostrophe first), never as a formula; the JSON keeps it exactly as typed."""
    world_tandem = tables_of(read_zip(export_person(cli, WILMA.key)))["tandem"][0]["id"]
    add_goal(cli, world_tandem, FORMULA, MIRA.email, T0)
    add_note(cli, world_tandem, WILMA, "@SUM(1+1)*cmd|' /C calc'!A0", T0)
    with cli.write() as session:
        session.execute(
            update(Person).where(Person.key == WILMA.key).values(display_name="+" + FORMULA)
        )
    out = tmp_path / "wilma.zip"
    assert main(["--db", cli.url, "privacy", "export", WILMA.key, "--out", str(out)]) == 0
    files = read_zip(out.read_bytes())

    def cells(name: str, column: str) -> list[str]:
        text = files[f"{name}.csv"].decode("utf-8-sig")
        return [row[column] for row in csv.DictReader(io.StringIO(text))]

    assert "'" + FORMULA in cells("goal", "title")
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells("checkin_note", "text")
    assert cells("person", "display_name") == ["'+" + FORMULA]
    for name in ("goal", "checkin_note", "person"):
        for row in csv.reader(io.StringIO(files[f"{name}.csv"].decode("utf-8-sig"))):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), (name, row)
    # JSON is for programs: kept exactly as typed.
    assert FORMULA in [g["title"] for g in tables_of(files)["goal"]]
