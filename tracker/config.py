"""Configuration: one TOML file, validated with pydantic. Secrets are named, never written in it.

A platform table names the environment variable that holds each secret (``bearer_token_env =
"TRACKER_X_BEARER_TOKEN"``); ``platform_settings`` resolves them at the moment a connector is
built, so a secret is never stored in the database or echoed into a log line.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from connectors import PLATFORMS
from tracker.errors import ConfigError
from tracker.programme.questionnaire import Questionnaire

DEFAULT_CONFIG = "config.toml"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """'90s', '15m', '6h', '1d', '2w' -> timedelta; raises ValueError otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration such as '15m', '6h' or '1d'")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrackerSection(Strict):
    database_url: str | None = None
    timezone: str = "Europe/Berlin"
    language: Literal["de", "en"] = "de"
    programme_name: str = "Reverse Mentoring"
    # Permissions of the files the tracker writes (database, reports, exports): octal.
    file_mode: str = Field("0600", pattern=r"^0?[0-7]{3}$")

    @property
    def umask(self) -> int:
        """The process umask that creates files with ``file_mode`` (and directories with the
        matching search bits)."""
        mode = int(self.file_mode, 8)
        return 0o777 & ~(mode | ((mode & 0o444) >> 2))


class ScheduleSection(Strict):
    profile_interval: str = "6h"
    posts_interval: str = "24h"
    posts_limit: int = Field(50, ge=1, le=500)
    max_attempts: int = Field(4, ge=1, le=10)
    backoff_base: str = "2s"
    backoff_cap: str = "5m"
    breaker_failures: int = Field(5, ge=1)
    breaker_cooldown: str = "15m"

    @field_validator(
        "profile_interval", "posts_interval", "backoff_base", "backoff_cap", "breaker_cooldown"
    )
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def profile_every(self) -> timedelta:
        return parse_duration(self.profile_interval)

    @property
    def posts_every(self) -> timedelta:
        return parse_duration(self.posts_interval)


class Budget(Strict):
    requests: int = Field(ge=1)
    window: str
    concurrency: int = Field(1, ge=1, le=64)

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def window_seconds(self) -> float:
        return parse_duration(self.window).total_seconds()


class PlatformSection(BaseModel):
    """A platform's table. Keys ending in ``_env`` name environment variables holding secrets."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    # Serve this platform through another connector ("demo" simulates it).
    connector: str | None = None
    timeout: float = Field(20.0, gt=0, le=300)
    budget: Budget | None = None
    # x
    bearer_token_env: str | None = None
    # facebook, instagram (graph), mastodon
    access_token_env: str | None = None
    graph_version: str | None = None
    # instagram
    mode: Literal["instaloader", "graph"] | None = None
    session_file: str | None = None
    ig_user_id: str | None = None
    # bluesky
    appview: str | None = None
    # demo
    latency: float | None = Field(None, ge=0)
    seed: int | None = None
    profiles_file: str | None = None


class RetentionSection(Strict):
    months_after_cohort: int = Field(24, ge=1, le=240)


class WebSection(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8050, ge=1, le=65535)
    base_url: str = "http://127.0.0.1:8050"
    secret_key_env: str = "TRACKER_SECRET_KEY"
    # Reverse proxies in front of the dashboard whose X-Forwarded-For/-Proto headers are
    # believed (0: none; the client address is the connection's).
    trusted_proxies: int = Field(0, ge=0, le=5)


class BackupSection(Strict):
    # Where `tracker run` writes its daily backup; empty: no daily backup.
    directory: str = ""
    # Hour (UTC) of the daily backup.
    hour: int = Field(2, ge=0, le=23)
    # Keep the newest this many backups (0: no limit by count) ...
    keep: int = Field(14, ge=0)
    # ... and none older than this many days (0: no limit by age). The newest is always kept.
    keep_days: int = Field(0, ge=0)
    # Environment variable holding the passphrase that encrypts backups; empty: unencrypted.
    passphrase_env: str = ""


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class MailSection(Strict):
    """The weekly letter: when it goes out and through which SMTP server."""

    enabled: bool = False
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    hour: int = Field(8, ge=0, le=23)
    host: str | None = None
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    user: str | None = None
    password_env: str | None = None
    sender: str | None = None
    reply_to: str | None = None
    timeout: float = Field(30.0, gt=0, le=300)
    max_attempts: int = Field(6, ge=1, le=20)
    retry_base: str = "5m"

    @field_validator("retry_base")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class EventEntry(Strict):
    date: date
    kind: Literal["kickoff", "workshop", "midpoint", "closing", "other"]
    title: str = Field(min_length=1, max_length=200)


class CohortEntry(Strict):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str
    start: date
    end: date
    events: list[EventEntry] = []

    @model_validator(mode="after")
    def _end_after_start(self) -> CohortEntry:
        if self.end < self.start:
            raise ValueError(
                f"cohort {self.key!r} ends ({self.end}) before it starts ({self.start}); "
                "swap start and end"
            )
        return self


class PersonEntry(Strict):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    role: Literal["mentee", "mentor", "coordinator", "comparison"]
    email: str | None = None
    language: Literal["de", "en"] = "de"
    cohort: str | None = None
    consent: date | None = None
    accounts: dict[str, str] = {}


class TandemEntry(Strict):
    cohort: str
    mentee: str
    mentor: str


# The platforms of the connector registry (one list for config, consent, goals and forms).
PLATFORM_NAMES = PLATFORMS


class Config(Strict):
    tracker: TrackerSection = TrackerSection()
    schedule: ScheduleSection = ScheduleSection()
    retention: RetentionSection = RetentionSection()
    web: WebSection = WebSection()
    backup: BackupSection = BackupSection()
    mail: MailSection = MailSection()
    platforms: dict[str, PlatformSection] = {}
    cohorts: list[CohortEntry] = []
    people: list[PersonEntry] = []
    tandems: list[TandemEntry] = []
    self_assessment: Questionnaire = Questionnaire()
    source: str | None = Field(None, exclude=True)

    @field_validator("platforms")
    @classmethod
    def _known_platforms(cls, value: dict[str, PlatformSection]) -> dict[str, PlatformSection]:
        unknown = sorted(set(value) - set(PLATFORM_NAMES))
        if unknown:
            raise ValueError(f"unknown platform {unknown[0]!r}; known: {', '.join(PLATFORM_NAMES)}")
        return value

    def database_url(self, override: str | None = None) -> str:
        """--db, then TRACKER_DATABASE_URL, then the config, then ./data/tracker.db."""
        from tracker.store.db import DEFAULT_URL

        return (
            override
            or os.environ.get("TRACKER_DATABASE_URL")
            or self.tracker.database_url
            or DEFAULT_URL
        )

    def platform(self, name: str) -> PlatformSection:
        return self.platforms.get(name, PlatformSection())


# The environment variable read for a platform's secret when its table names none.
DEFAULT_SECRET_ENV: dict[str, dict[str, str]] = {
    "x": {"bearer_token_env": "TRACKER_X_BEARER_TOKEN"},
    "facebook": {"access_token_env": "TRACKER_FACEBOOK_ACCESS_TOKEN"},
    "instagram": {"access_token_env": "TRACKER_INSTAGRAM_ACCESS_TOKEN"},
    "mastodon": {"access_token_env": "TRACKER_MASTODON_ACCESS_TOKEN"},
}


def platform_settings(
    config: Config, name: str, environ: dict[str, str] | None = None
) -> dict[str, Any]:
    """A connector's settings: the platform table with each ``*_env`` resolved from the
    environment (``bearer_token_env`` -> ``bearer_token``), the platform's default variable
    where the table names none. A missing variable leaves the key out, so the connector reports
    AuthFailed naming what to set."""
    env = os.environ if environ is None else environ
    section = config.platform(name)
    settings: dict[str, Any] = {}
    values = section.model_dump(exclude={"budget", "enabled", "connector"})
    for key, default in DEFAULT_SECRET_ENV.get(name, {}).items():
        values[key] = values.get(key) or default
    for key, value in values.items():
        if value is None:
            continue
        if key.endswith("_env"):
            secret = env.get(value)
            settings[f"{key[:-4]}_env_name"] = value
            if secret:
                settings[key[:-4]] = secret
        else:
            settings[key] = value
    return settings


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None


def _where(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """A readable key path such as ``people[3].role`` ("people" entry 3 counted from 1)."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item + 1}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _config_text(file: Path) -> str:
    """The config file's text: UTF-8, a byte-order mark accepted. Raises ConfigError for
    UTF-16 and other encodings, saying what to do."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror}") from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(f"{file}: saved as UTF-16; save the config as UTF-8 (no other encoding)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{file}: not UTF-8 text (byte {exc.start}); save the config as UTF-8"
        ) from exc


def load_config(path: str | Path | None = None, *, required: bool = False) -> Config:
    """Load and validate the config. With no file: defaults, unless ``required``.

    Raises ConfigError naming the file, the key and (for syntax errors) the line.
    """
    explicit = path is not None or "TRACKER_CONFIG" in os.environ
    file = Path(path or os.environ.get("TRACKER_CONFIG") or DEFAULT_CONFIG)
    if not file.exists():
        if explicit or required:
            raise ConfigError(f"{file}: config file not found (copy config.example.toml to start)")
        return Config()
    text = _config_text(file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: TOML syntax error: {exc}") from exc
    try:
        return Config.model_validate({**data, "source": str(file)})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = _where(tuple(err["loc"]), data)
        leaf = next((p for p in reversed(err["loc"]) if isinstance(p, str)), None)
        line = _line_of(text, leaf) if leaf else None
        at = f" (line {line})" if line else ""
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key; see config.example.toml for the keys there are"
        raise ConfigError(f"{file}: {key}{at}: {msg}{more}") from exc
