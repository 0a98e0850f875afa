"""The deployment files in deploy/: systemd units that systemd accepts, hardened, and an
environment template that names every secret the example config refers to."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
INSTALLED_TRACKER = "/opt/mentoring-tracker/bin/tracker"


def test_there_is_a_unit_for_run_and_for_serve() -> None:
    commands = {
        re.search(r"^ExecStart=(.*)$", u.read_text(), re.M).group(1)  # type: ignore[union-attr]
        for u in UNITS
    }
    assert commands == {f"{INSTALLED_TRACKER} run", f"{INSTALLED_TRACKER} serve"}


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_unit_is_hardened(unit: Path) -> None:
    settings: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    assert settings["User"] == ["tracker"]
    assert settings["Restart"] == ["on-failure"]
    for key in ("ProtectSystem",):
        assert settings[key] == ["strict"]
    for key in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices"):
        assert settings[key] == ["yes"], key
    assert "/var/lib/mentoring-tracker" in settings["ReadWritePaths"][0].split()
    assert settings["EnvironmentFile"] == ["/etc/mentoring-tracker/tracker.env"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is absent")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    """``systemd-analyze verify`` with the unit's command pointed at this installation's
    ``tracker`` (verify checks that the program exists). Warnings count as failures."""
    tracker = Path(sys.executable).with_name("tracker")
    if not tracker.exists():
        pytest.skip("the tracker script is not installed next to this Python")
    for unit in UNITS:
        text = unit.read_text().replace(INSTALLED_TRACKER, str(tracker))
        (tmp_path / unit.name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / u.name) for u in UNITS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "" and result.stdout.strip() == "", result.stderr


def test_environment_template_names_every_secret_of_the_example_config() -> None:
    config = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    named: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("_env") and isinstance(value, str) and value:
                    named.add(value)
                walk(value)

    walk(config)
    template = (ROOT / "deploy" / "tracker.env.example").read_text(encoding="utf-8")
    present = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", template, re.M))
    assert named and named <= present, sorted(named - present)
    assert "TRACKER_SECRET_KEY" in present and "TRACKER_BACKUP_PASSPHRASE" in present
