"""The command line for someone who just ran the demo: a read command never creates a
database, the demo's config is found in its folder, and every file written is listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.cli import main
from tracker.store.db import Database


def test_a_read_command_never_creates_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    code = main(["report", "--cohort", "demo", "--out", str(tmp_path / "out.html")])
    err = capsys.readouterr().err
    assert code == 3
    assert "tracker db upgrade" in err and "Traceback" not in err
    assert not (tmp_path / "data" / "tracker.db").exists()
    assert not list(tmp_path.rglob("*.db"))


def test_the_demo_config_is_found_without_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    (tmp_path / "data").mkdir()
    demo_db = tmp_path / "data" / "demo.db"
    Database(f"sqlite:///{demo_db}").upgrade()
    (tmp_path / "data" / "demo.toml").write_text(
        f'[tracker]\ndatabase_url = "sqlite:///{demo_db}"\n', encoding="utf-8"
    )
    code = main(["check"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "data/demo.toml" in captured.err
    assert not (tmp_path / "data" / "tracker.db").exists()


def test_without_the_demo_config_the_error_names_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "demo.toml").write_text("", encoding="utf-8")
    (tmp_path / "config.toml").write_text("", encoding="utf-8")  # a project config without a db
    code = main(["report", "--cohort", "demo", "--out", str(tmp_path / "out.html")])
    err = capsys.readouterr().err
    assert code == 3
    assert "--config data/demo.toml" in err
    assert not (tmp_path / "data" / "tracker.db").exists()
