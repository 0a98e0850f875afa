"""What every command shares: the config and the database, loaded once when first asked for."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tracker.config import DEFAULT_CONFIG, Config, load_config
from tracker.metrics import set_timezone
from tracker.store.db import Database

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
    _config: Config | None = field(default=None, repr=False)
    _db: Database | None = field(default=None, repr=False)

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
                hint = f"; for the demo add --config {DEMO_CONFIG}"
            missing = missing_sqlite_file(url)
            if missing is not None:
                raise StoreError(
                    f"{missing}: no database there; run `tracker db upgrade` to create it{hint}"
                )
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


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj
