"""What every request of the dashboard shares: the app's config and database, and the viewer."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_login import current_user

from tracker.config import Config
from tracker.store.db import Database

EXTENSION = "tracker"


@dataclass(frozen=True)
class AppState:
    config: Config
    db: Database
    demo: bool


@dataclass(frozen=True)
class Viewer:
    """The logged-in person as scoping sees her: never built from browser input."""

    user_id: int
    email: str
    role: str
    person_id: int | None
    person_key: str | None

    @property
    def label(self) -> str:
        """How the audit log names the viewer."""
        return self.person_key or self.email


def app_state() -> AppState:
    """The state of the app serving the current request."""
    state = current_app.extensions[EXTENSION]
    assert isinstance(state, AppState)
    return state


def current_viewer() -> Viewer | None:
    """The viewer of the current request, or None when nobody is logged in."""
    if not current_user or not current_user.is_authenticated:
        return None
    viewer = getattr(current_user, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else None
