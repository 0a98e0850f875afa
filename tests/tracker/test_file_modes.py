"""Files the tracker writes that hold personal data (the SQLite database, reports, exports)
are readable by their owner only, unless ``[tracker] file_mode`` says otherwise."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tracker.privacy_world import SPRING, WILMA, build_world
from tracker.cli import main
from tracker.store.db import Database


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask of a usual login shell (files 0644), restored afterwards."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_a_command_creates_is_private(tmp_path: Path) -> None:
    db_file = tmp_path / "data" / "tracker.db"
    assert main(["--db", f"sqlite:///{db_file}", "db", "upgrade"]) == 0
    files = [p for p in db_file.parent.iterdir() if p.name.startswith("tracker.db")]
    assert files
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}


@pytest.mark.parametrize("fmt", ["html", "xlsx", "csv"])
def test_reports_and_exports_are_private(tmp_path: Path, fmt: str) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    db = Database(url)
    db.upgrade()
    build_world(db)
    db.dispose()
    out = tmp_path / ("report" if fmt == "csv" else f"report.{fmt}")
    args = ["--db", url, "report", "--cohort", SPRING, "--out", str(out), "--format", fmt]
    assert main(args) == 0
    written = sorted(out.iterdir()) if out.is_dir() else [out]
    assert written and all(_mode(p) == 0o600 for p in written), [oct(_mode(p)) for p in written]
    export = tmp_path / "wilma.zip"
    assert main(["--db", url, "privacy", "export", WILMA.key, "--out", str(export)]) == 0
    assert _mode(export) == 0o600


def test_the_config_can_let_the_group_read(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[tracker]\nfile_mode = "0640"\n', encoding="utf-8")
    db_file = tmp_path / "tracker.db"
    assert main(["--config", str(config), "--db", f"sqlite:///{db_file}", "db", "upgrade"]) == 0
    assert _mode(db_file) == 0o640
