"""What every command shares: the config and the database, loaded once when first asked for."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import typer
from rich.console import Console

from tracker.config import Config, load_config
from tracker.store.db import Database

console = Console()
err_console = Console(stderr=True)
if not console.is_terminal:
    # Piped or redirected output (files, scripts, `| less`): do not squeeze tables to 80 columns.
    console.width = 200


@dataclass
class State:
    config_path: str | None
    db_url: str | None
    _config: Config | None = field(default=None, repr=False)
    _db: Database | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
            # Files written from here on (database, reports, exports) get the configured
            # permissions: by default readable by their owner only.
            os.umask(self._config.tracker.umask)
        return self._config

    @property
    def db(self) -> Database:
        """The database, checked to be reachable and migrated (StoreError says what to do)."""
        if self._db is None:
            db = Database(self.config.database_url(self.db_url))
            problem = db.check()
            if problem:
                from tracker.errors import StoreError

                raise StoreError(f"{db.engine.url.render_as_string()}: {problem}")
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
