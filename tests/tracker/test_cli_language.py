"""The command line speaks the programme's language: German unless the config's
``[tracker] language`` (or --lang) says English, with plurals that agree with the number."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.tracker.privacy_world import Someone, add_cohort, add_person
from tracker.cli import main
from tracker.store.db import Database

ERIKA = Someone("mentee-01", "Erika Beispiel", "erika@example.org", {"mastodon": "erika@s.example"})
GERDA = Someone(
    "mentee-02",
    "Gerda Probe",
    "gerda@example.org",
    {"mastodon": "gerda@s.example", "bluesky": "gerda.bsky.social"},
)


@pytest.fixture
def german(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_LANG", raising=False)


def _config(tmp_path: Path, language: str | None) -> str:
    path = tmp_path / f"config-{language}.toml"
    line = f'language = "{language}"\n' if language else ""
    path.write_text(f"[tracker]\n{line}", encoding="utf-8")
    return str(path)


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.mark.usefixtures("german")
def test_messages_follow_the_configured_language_with_plurals(
    sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_cohort(sqlite_db, "c1", date(2026, 2, 1), date(2026, 9, 30))
    add_person(sqlite_db, ERIKA, "mentee", "c1", date(2026, 1, 15))
    db = ["--db", sqlite_db.url]

    out = _out(capsys, "--config", _config(tmp_path, None), *db, "status")
    assert "1 Konto\n" in out and "Einwilligung" in out and "Abrufdienst: läuft nicht" in out
    out = _out(capsys, "--config", _config(tmp_path, "en"), *db, "status")
    assert "1 account\n" in out and "scheduler: not running" in out
    # --lang (TRACKER_LANG) overrides the config for one run.
    out = _out(capsys, "--config", _config(tmp_path, "en"), "--lang", "de", *db, "consent", "list")
    assert "1 Person, 1 heute mit Einwilligung" in out

    add_person(sqlite_db, GERDA, "mentee", "c1", None)
    out = _out(capsys, "--config", _config(tmp_path, None), *db, "status")
    assert "3 Konten\n" in out
    out = _out(capsys, "--config", _config(tmp_path, None), *db, "consent", "list")
    assert "2 Personen, 1 heute mit Einwilligung" in out
    out = _out(capsys, "--config", _config(tmp_path, "en"), *db, "consent", "list")
    assert "2 people, 1 with consent today" in out


@pytest.mark.usefixtures("german")
def test_an_error_is_one_german_line_with_its_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["--config", _config(tmp_path, None), "--db", f"sqlite:///{tmp_path / 'x.db'}", "status"]
    )
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith("Fehler: ") and len(err.strip().splitlines()) == 1
    assert "tracker db upgrade" in err


def test_an_unknown_language_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "fr", "status"]) == 2
    assert "--lang" in capsys.readouterr().err
