"""What every command shares: the config and the database, loaded once when first asked for."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tracker.config import DEFAULT_CONFIG, Config, load_config
from tracker.errors import TrackerError
from tracker.metrics import set_timezone
from tracker.store.db import Database
from tracker.text import DEFAULT_LANGUAGE, LANGUAGES, plural, text
from tracker.text.formatting import fmt_int

console = Console()
err_console = Console(stderr=True)
if not console.is_terminal:
    # Piped or redirected output (files, scripts, `| less`): do not squeeze tables to 80 columns.
    console.width = 200

DEMO_CONFIG = Path("data") / "demo.toml"  # written by `tracker demo`


def config_path(given: str | None) -> str | None:
    """The config file to read: the one given (--config or TRACKER_CONFIG), else
    ./config.toml, else the demo's when `tracker demo` ran in this folder (said on stderr)."""
    if given is not None or "TRACKER_CONFIG" in os.environ or Path(DEFAULT_CONFIG).exists():
        return given
    if DEMO_CONFIG.is_file():
        typer.echo(
            f"no {DEFAULT_CONFIG} here: using the demo's {DEMO_CONFIG} "
            "(--config FILE reads another)",
            err=True,
        )
        return str(DEMO_CONFIG)
    return None


def missing_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL when it does not exist (connecting would create it empty)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    name = parsed.database
    if not parsed.drivername.startswith("sqlite") or not name or name == ":memory:":
        return None
    if name.startswith("file:") or parsed.query.get("mode") == "memory":
        return None
    path = Path(name)
    return None if path.exists() else path


@dataclass
class State:
    config_path: str | None
    db_url: str | None
    lang_given: str | None = None
    _config: Config | None = field(default=None, repr=False)
    _db: Database | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        global _current
        _current = self

    @property
    def lang(self) -> str:
        """The language of messages: --lang (TRACKER_LANG), else the config's
        ``[tracker] language``; German when the config cannot be read (its error is shown)."""
        if self.lang_given in LANGUAGES:
            return str(self.lang_given)
        try:
            return self.config.tracker.language
        except TrackerError:
            return DEFAULT_LANGUAGE

    def t(self, key: str, **values: object) -> str:
        """The message ``cli.<key>`` in the language of messages."""
        return text(f"cli.{key}", self.lang, **values)

    def day(self, value: str | None, option: str) -> date | None:
        """The day ``value`` (YYYY-MM-DD) given for ``option``; None when not given. A bad
        one is a usage error (exit code 2) naming the option."""
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise typer.BadParameter(self.t("bad_day"), param_hint=option) from exc

    def n(self, key: str, number: float, **values: object) -> str:
        """The plural form of ``cli.<key>`` for ``number`` (shown as ``{count}``)."""
        values.setdefault("count", fmt_int(number, self.lang))
        return plural(f"cli.{key}", number, self.lang, **values)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(config_path(self.config_path))
            # The programme's days and weeks are those of its time zone.
            set_timezone(self._config.tracker.timezone)
            # Files written from here on (database, reports, exports) get the configured
            # permissions: by default readable by their owner only.
            os.umask(self._config.tracker.umask)
        return self._config

    @property
    def db(self) -> Database:
        """The database, checked to be reachable and migrated (StoreError says what to do).
        Never creates one: a missing SQLite file is an error."""
        if self._db is None:
            from tracker.errors import StoreError

            url = self.config.database_url(self.db_url)
            hint = ""
            if self.config_path is None and DEMO_CONFIG.is_file():
                hint = self.t("db.demo_hint", config=DEMO_CONFIG)
            missing = missing_sqlite_file(url)
            if missing is not None:
                raise StoreError(self.t("db.missing", file=missing, hint=hint))
            db = Database(url)
            problem = db.check()
            if problem:
                db.dispose()
                raise StoreError(f"{db.engine.url.render_as_string()}: {problem}{hint}")
            self._db = db
        return self._db

    def raw_db(self) -> Database:
        """The database without the schema check (for ``db upgrade`` and ``demo``)."""
        if self._db is None:
            self._db = Database(self.config.database_url(self.db_url))
        return self._db


_current: State | None = None


def message(key: str, **values: object) -> str:
    """A message of the CLI itself (``cli.<key>``) in the language of the running command."""
    lang = _current.lang if _current is not None else DEFAULT_LANGUAGE
    return text(f"cli.{key}", lang, **values)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj
