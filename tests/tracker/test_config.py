"""The config loader: the example is complete and documented; bad files say where and why."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from tracker.cli import main
from tracker.config import Config, PlatformSection, load_config, parse_duration, platform_settings
from tracker.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.toml"


def _fields(model: type[BaseModel], prefix: str = "") -> dict[str, type[BaseModel] | None]:
    out: dict[str, type[BaseModel] | None] = {}
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        out[prefix + name] = None
        annotation = info.annotation
        for candidate in getattr(annotation, "__args__", ()) or (annotation,):
            inner = getattr(candidate, "__args__", ()) or (candidate,)
            for item in inner:
                if isinstance(item, type) and issubclass(item, BaseModel):
                    out.update(_fields(item, f"{prefix}{name}."))
    return out


def test_example_loads_with_every_section() -> None:
    config = load_config(EXAMPLE)
    assert config.schedule.profile_every.total_seconds() == 6 * 3600
    assert {"x", "facebook", "instagram", "bluesky", "mastodon", "blog"} <= set(config.platforms)
    assert config.people[0].accounts["instagram"] == "@erika.beispiel"


def test_every_key_is_documented_in_the_example() -> None:
    """Each key the loader knows appears in the example with a comment line above it (or in the
    shared comment block for keys every platform table takes)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    documented: set[str] = set()
    for i, line in enumerate(lines):
        match = re.match(r"\s*([a-z_]+)\s*=", line)
        if match and i > 0 and lines[i - 1].lstrip().startswith("#"):
            documented.add(match.group(1))
        for shared in re.findall(r"^#\s+([a-z_]+) = ", line):
            documented.add(shared)
    documented |= {
        "budget",
        "events",
        "tracker",
        "schedule",
        "retention",
        "web",
        "backup",
        "mail",
        "platforms",
        "cohorts",
        "people",
        "tandems",
        "self_assessment",
        "items",
        "free_text",
    }  # tables, documented by their heading comment
    leaves = {path.split(".")[-1] for path in _fields(Config)}
    missing = sorted(leaves - documented)
    assert not missing, f"keys without a comment in config.example.toml: {missing}"


def test_every_key_in_the_example_is_known() -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    known = {path.split(".")[-1] for path in _fields(Config)}
    platform_keys = set(PlatformSection.model_fields)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in known and key not in platform_keys and not isinstance(value, dict):
                    raise AssertionError(f"unknown key {key!r} in the example")
                if key != "accounts":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text('[tracker]\nlanguage = "de"\nport = = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.toml.*line 3"):
        load_config(bad)


def test_unknown_key_names_the_key_and_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text('[schedule]\nprofile_interval = "6h"\nprofil_interval = "1h"\n')
    with pytest.raises(ConfigError) as exc:
        load_config(bad)
    assert "schedule.profil_interval" in str(exc.value)
    assert "line 3" in str(exc.value)
    assert "unknown key" in str(exc.value)


def test_bad_value_in_a_list_names_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text(
        '[[people]]\nkey = "a"\nname = "A"\nrole = "mentee"\n'
        '[[people]]\nkey = "b"\nname = "B"\nrole = "boss"\n'
    )
    with pytest.raises(ConfigError, match=r"people\[2\]\.role"):
        load_config(bad)


def test_bad_duration_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text('[schedule]\nprofile_interval = "six hours"\n')
    with pytest.raises(ConfigError, match="profile_interval"):
        load_config(bad)
    assert parse_duration("15m").total_seconds() == 900


def test_cli_exits_2_with_one_line_for_a_bad_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[tracker\n")
    code = main(["--config", str(bad), "check"])
    err = capsys.readouterr().err
    assert code == 2
    assert "config.toml" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_secrets_resolve_from_the_environment_only() -> None:
    config = load_config(EXAMPLE)
    settings = platform_settings(config, "x", {"TRACKER_X_BEARER_TOKEN": "s3cret"})
    assert settings["bearer_token"] == "s3cret"
    assert settings["bearer_token_env_name"] == "TRACKER_X_BEARER_TOKEN"
    unset = platform_settings(config, "x", {})
    assert "bearer_token" not in unset  # the connector reports AuthFailed naming the variable


def test_a_platform_without_a_named_variable_reads_its_default_one() -> None:
    config = Config()
    settings = platform_settings(config, "mastodon", {"TRACKER_MASTODON_ACCESS_TOKEN": "tok"})
    assert settings["access_token"] == "tok"
    assert settings["access_token_env_name"] == "TRACKER_MASTODON_ACCESS_TOKEN"
    assert "access_token" not in platform_settings(config, "bluesky", {"X": "y"})
