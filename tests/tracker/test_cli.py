"""The command line: every command has help; user errors are one line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.cli import app, main


def test_help_lists_every_command_with_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("check", "db", "roster", "demo", "status"):
        assert name in out
    import typer.main

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help or command.short_help, f"`tracker {name}` has no help text"


def test_check_says_to_upgrade_a_fresh_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert main(["--db", url, "check"]) == 3
    assert "tracker db upgrade" in capsys.readouterr().out
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "check"]) == 0


def test_commands_on_an_unmigrated_database_say_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", f"sqlite:///{tmp_path / 'x.db'}", "status"])
    err = capsys.readouterr().err
    assert code == 3
    assert "tracker db upgrade" in err and "Traceback" not in err


def test_a_bad_database_url_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", "nonsense://", "status"])
    err = capsys.readouterr().err
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_roster_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    main(["--db", url, "db", "upgrade"])
    code = main(["--db", url, "roster", "import", str(tmp_path / "missing.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "missing.csv" in err and "cannot read" in err


def test_a_command_module_that_does_not_import_fails_the_cli_loudly() -> None:
    # Never a CLI that quietly lacks `tracker record` because its module did not import.
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['tracker.cli.record_commands'] = None\n"
        "import tracker.cli\n"
        "print('commands:', sorted(c.name or c.callback.__name__ "
        "for c in tracker.cli.app.registered_commands))\n"
    )
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=False
    )
    assert run.returncode != 0, run.stdout
    assert "tracker.cli.record_commands" in run.stderr


def test_a_bad_option_value_is_one_line_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # typer.BadParameter is typer's own copy of click's exception: never a traceback.
    code = main(["report", "--cohort", "c1", "--out", str(tmp_path / "r"), "--format", "pdf"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--format" in err and "html, csv, xlsx" in err and "Traceback" not in err
