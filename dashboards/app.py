"""The dashboard's app factory: a Flask server with logins, and Dash pages on it.

Pages live in ``dashboards/pages`` (``register_page``, a ``layout(**kwargs)`` built per request,
module-level callbacks, ids prefixed with the page name). Every page, callback and route asks
``dashboards.access`` whose data the viewer may see.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dash
from dash import Dash
from flask import Flask, redirect, request

from dashboards import access as scope
from dashboards import auth, error_pages, exports, health, security, static_files, unsubscribe
from dashboards.i18n import COOKIE, LANGUAGES, current_language, t
from dashboards.progress.elements import Layout, dcc, html, plain
from dashboards.request_context import EXTENSION, AppState, current_viewer
from tracker.config import Config
from tracker.errors import ConfigError
from tracker.metrics import set_timezone
from tracker.store.db import Database

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SESSION_LIFETIME = timedelta(hours=12)
HOME = {"mentee": "/fortschritt", "mentor": "/tandem", "coordinator": "/programm"}
NAV = {
    "mentee": (("/fortschritt", "nav.progress"), ("/protokoll", "nav.myviews")),
    "mentor": (("/tandem", "nav.tandem"),),
    "coordinator": (
        ("/programm", "nav.programme"),
        ("/jahrgaenge", "nav.cohorts"),
        ("/tandem", "nav.tandem"),
        ("/status", "nav.status"),
        ("/verwaltung", "nav.admin"),
        ("/protokoll", "nav.audit"),
    ),
}


def secret_key(config: Config, demo: bool) -> str:
    """The session signing key from the environment; a random one per start in demo mode.

    Raises ConfigError outside demo mode when the variable is not set (no fallback key)."""
    value = os.environ.get(config.web.secret_key_env, "")
    if value:
        if len(value) < 32:
            raise ConfigError(f"{config.web.secret_key_env} must have at least 32 characters")
        return value
    if demo:
        return secrets.token_urlsafe(48)
    raise ConfigError(
        f"set {config.web.secret_key_env} to a long random value before serving the dashboard "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
    )


@functools.cache
def _page_container() -> Any:
    """Dash's page container (location, content, store), as elements: it never changes."""
    return plain(dash.page_container)


def shell() -> Any:
    """The frame around every page: navigation for the viewer's role, language, logout.

    Built of elements (plain dicts, as the progress page): the frame is asked for on every page
    load, and Dash's component classes cost more than the rest of that request."""
    viewer = current_viewer()
    lang = current_language()
    other = "en" if lang == "de" else "de"
    links: list[Any] = []
    right: list[Any] = [
        html.A(t("nav.language", lang), href=f"/lang/{other}", className="nav-lang", id="lang")
    ]
    if viewer is not None:
        links = [
            dcc.Link(t(key, lang), href=href, className="nav-link")
            for href, key in NAV.get(viewer.role, ())
        ]
        right.append(
            html.Form(
                [
                    dcc.Input(type="hidden", name=auth.CSRF_FIELD, value=auth.csrf_token()),
                    html.Button(t("nav.logout", lang), type="submit", className="nav-logout"),
                ],
                action="/logout",
                method="POST",
                className="nav-form",
            )
        )
    return Layout(
        html.Div(
            [
                html.Header(
                    [
                        html.Span(t("app.title", lang), className="brand"),
                        html.Nav(links, className="nav"),
                        html.Div(right, className="nav-right"),
                    ],
                    className="topbar",
                ),
                html.Main(_page_container(), className="content"),
            ],
            lang=lang,
        )
    )


def _with_lang(app: Dash) -> None:
    """Dash's page with the viewer's language on <html> (screen readers and hyphenation)."""
    plain = app.interpolate_index

    def interpolate_index(**kwargs: Any) -> str:
        page = plain(**kwargs)
        return page.replace("<html>", f'<html lang="{current_language()}">', 1)

    app.interpolate_index = interpolate_index  # type: ignore[method-assign,assignment]


def _language(code: str) -> Any:
    """The language switch: remember the choice and go back to the page it came from."""
    back = "/"
    referrer = request.referrer
    if referrer:
        parts = urlsplit(referrer)
        if parts.netloc == request.host:
            # Only a local path: "http://host//evil.example/x" must not lead off-site.
            back = auth.safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    response = redirect(back)
    if code in LANGUAGES:
        response.set_cookie(
            COOKIE,
            code,
            max_age=365 * 86400,
            samesite="Lax",
            httponly=True,
            secure=security.request_is_tls(),
        )
    return response


def _home() -> Any:
    if request.path == "/":
        viewer = current_viewer()
        if viewer is not None and viewer.role in HOME:
            return redirect(HOME[viewer.role])
    return None


def create_app(
    config: Config,
    db: Database,
    *,
    demo: bool = False,
    key: str | None = None,
    lean_static: bool = True,
) -> Dash:
    """The Dash app (its Flask server is ``.server``). Raises ConfigError without a secret key
    outside demo mode. ``key`` overrides the environment (tests). ``lean_static=False`` serves
    scripts as plain Dash does (full Plotly, uncompressed): the baseline of bench/pages.py."""
    server = Flask("dashboards", template_folder=str(HERE / "templates"), static_folder=None)
    secure = config.web.base_url.startswith("https://")
    server.config.update(
        SECRET_KEY=key or secret_key(config, demo),
        SESSION_COOKIE_NAME="tracker_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    server.extensions[EXTENSION] = AppState(config=config, db=db, demo=demo)
    set_timezone(config.tracker.timezone)  # the programme's local days and weeks
    if lean_static:
        static_files.init_app(server)
    security.init_proxies(server, config.web.trusted_proxies)
    auth.init_app(server)
    server.before_request(_home)
    server.after_request(scope.flush_audit)
    server.add_url_rule("/lang/<code>", "language", _language)
    server.register_blueprint(exports.bp)
    server.register_blueprint(health.bp)
    server.register_blueprint(unsubscribe.bp)
    error_pages.init_app(server, NAV)
    app = Dash(
        "dashboards",
        server=server,  # type: ignore[arg-type]
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title="Reverse Mentoring",
        update_title=None,  # type: ignore[arg-type]
        suppress_callback_exceptions=True,
        serve_locally=True,
        compress=False,
        # Dash turns async endpoints on whenever asgiref is importable (datasette, a bench
        # peer, brings it): each request would then start a thread and an event loop.
        use_async=False,
    )
    if lean_static:
        static_files.use_small_plotly(app)
    _with_lang(app)
    app.layout = shell
    security.init_app(server, app.csp_hashes)
    security.init_callback_guard(server, app.callback_map)
    return app
