"""Logins: the server-rendered /login form, /logout, invitations, and the login gate.

Sessions are Flask-Login sessions in Flask's signed cookie (HttpOnly, SameSite=Lax, Secure over
HTTPS). The cookie carries the user id and the user's current session token; the token is
rotated at every login and logout, so a login or logout ends every earlier session on the
server side. Failed logins are throttled by ``login_limits`` (Flask-Limiter).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask_login import LoginManager, UserMixin, login_user, logout_user

from dashboards import login_limits, security
from dashboards.i18n import current_language, t
from dashboards.request_context import Viewer, app_state, current_viewer
from tracker.programme import users
from tracker.store import cursor

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)
CSRF_FIELD = "csrf_token"
CSRF_COOKIE = "_csrf_token"  # read by the Dash renderer, sent back as the X-CSRFToken header
CSRF_HEADER = "X-CSRFToken"
# Reachable without a login; everything else requires one (deny by default).
PUBLIC_PATHS = ("/login", "/logout", "/healthz", "/favicon.ico", "/_favicon.ico")
PUBLIC_PREFIXES = ("/invite/", "/assets/", "/lang/", "/abmelden/")


class LoginUser(UserMixin):  # type: ignore[misc]
    """A logged-in user as Flask-Login sees it; ``viewer`` is what scoping uses."""

    def __init__(self, viewer: Viewer, token: str) -> None:
        self.viewer = viewer
        self._token = token

    def get_id(self) -> str:
        return f"{self.viewer.user_id}:{self._token}"


# The loader runs on every request: one lookup by primary key of only the columns a Viewer
# needs, straight on a pooled DB-API connection (SQLAlchemy's execution layer costs more than
# the query).
_USER_SQL = (
    'SELECT u.id, u.email, u.role, u.person_id, u.active, u.session_token, p."key" '
    "FROM user_account u LEFT JOIN person p ON p.id = u.person_id WHERE u.id = {mark}"
)
_UserRow = tuple[int, str, str, int | None, bool, str | None, str | None]


def _load_user(user_id: str) -> LoginUser | None:
    """The user of a session cookie (``<id>:<session token>``), or None when the id is unknown,
    the login inactive or the token no longer current. Flask-Login calls it once per request."""
    uid, _, token = user_id.partition(":")
    if not uid.isdigit() or not token:
        return None
    row = cursor.pooled_first(app_state().db.engine, _USER_SQL, [int(uid)])
    if row is None:
        return None
    ident, email, role, person_id, active, current, person_key = cast(_UserRow, row)
    # Constant-time comparison: the token is a bearer secret.
    if not active or not current or not hmac.compare_digest(current, token):
        return None
    return LoginUser(Viewer(ident, email, role, person_id, person_key), token)


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def csrf_ok(given: str | None) -> bool:
    expected = session.get(CSRF_FIELD)
    return bool(given) and isinstance(expected, str) and hmac.compare_digest(expected, given or "")


def _address() -> str:
    return login_limits.client_address()


def safe_next(target: str | None) -> str:
    """Only a local path is followed after login (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    # Browsers read "/\\host" as "//host"; control characters are dropped before parsing.
    odd = "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return "/" if odd else target


def _page(template: str, status: int = 200, **values: Any) -> tuple[str, int]:
    lang = current_language()
    html = render_template(
        template, t=lambda key, **kw: t(key, lang, **kw), lang=lang, csrf=csrf_token(), **values
    )
    return html, status


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method in ("GET", "HEAD"):
        message = t("login.out") if request.args.get("out") else None
        return _page("login.html", message=message, next=safe_next(request.args.get("next")))
    email = (request.form.get("email") or "").strip()[:320]
    password = request.form.get("password") or ""
    target = safe_next(request.form.get("next"))
    if not csrf_ok(request.form.get(CSRF_FIELD)):
        return _page("login.html", 400, error=t("login.csrf"), email=email, next=target)
    # Failed attempts are counted and throttled by ``login_limits`` around this view.
    viewer = None
    with app_state().db.write() as db_session:
        user = users.authenticate(db_session, email, password, _address())
        if user is not None:
            person_key = user.person.key if user.person else None
            viewer = Viewer(user.id, user.email, user.role, user.person_id, person_key)
            token = user.session_token or ""
    if viewer is None:
        return _page("login.html", 401, error=t("login.failed"), email=email, next=target)
    # A fresh session at login: nothing from before the login is carried over.
    session.clear()
    session.permanent = True
    login_user(LoginUser(viewer, token))
    csrf_token()
    logger.info("login of %s (%s)", viewer.label, viewer.role)
    response = redirect(target)
    login_limits.remember_device(response, email)
    return response


def _throttled(_error: Exception) -> Any:
    """Too many failed logins (Flask-Limiter's 429): the login form says so."""
    if request.path != "/login":
        return jsonify({"error": "too many requests"}), 429
    email = (request.form.get("email") or "").strip()[:320]
    logger.warning("login throttled from %s", _address())
    target = safe_next(request.form.get("next"))
    return _page("login.html", 429, error=t("login.throttled"), email=email, next=target)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    viewer = current_viewer()
    if viewer is not None:
        if not csrf_ok(request.form.get(CSRF_FIELD)):
            abort(400)
        with app_state().db.write() as db_session:
            users.end_session(db_session, viewer.user_id)
    logout_user()
    session.clear()
    return redirect("/login?out=1")


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invite(token: str) -> Any:
    state = app_state()
    with state.db.session() as db_session:
        try:
            found = users.find_invite(db_session, token)
            email = found.email
        except users.InviteInvalid:
            return _page("invite.html", 410, invalid=True)
    if request.method in ("GET", "HEAD"):
        return _page("invite.html", email=email)
    if not csrf_ok(request.form.get(CSRF_FIELD)):
        return _page("invite.html", 400, email=email, error=t("login.csrf"))
    password = request.form.get("password") or ""
    if password != (request.form.get("repeat") or ""):
        return _page("invite.html", 400, email=email, error=t("invite.mismatch"))
    problem = users.password_problem(password, [email])
    if problem:
        return _page("invite.html", 400, email=email, error=problem)
    try:
        with state.db.write() as db_session:
            users.accept_invite(db_session, token, password)
    except users.InviteInvalid:
        return _page("invite.html", 410, invalid=True)
    return redirect("/login")


def _gate() -> Any:
    """Every request needs a login, except the few public paths (deny by default)."""
    path = request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    viewer = current_viewer()
    if viewer is None:
        if path.startswith(("/_", "/export/")):
            return jsonify({"error": "login required"}), 401
        return redirect(f"/login?next={path}")
    g.viewer = viewer
    # Dash's renderer echoes the CSRF cookie in this header; a cross-site page cannot.
    dash_post = request.method == "POST" and path.startswith("/_dash-")
    if dash_post and not csrf_ok(request.headers.get(CSRF_HEADER)):
        return jsonify({"error": "missing or wrong CSRF token"}), 403
    return None


def _csrf_cookie(response: Response) -> Response:
    token = session.get(CSRF_FIELD)
    if isinstance(token, str) and request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=False,  # the renderer must read it; it is useless without the session
            samesite="Strict",
            secure=security.request_is_tls(),
            path="/",
        )
    return response


def init_app(server: Flask) -> None:
    """Sessions, Flask-Login, the login routes and the login gate."""
    manager = LoginManager()
    manager.session_protection = "basic"
    manager.user_loader(_load_user)
    manager.init_app(server)
    server.register_blueprint(bp)
    login_limits.init_app(server, "auth.login")
    server.register_error_handler(429, _throttled)
    server.before_request(_gate)
    server.after_request(_csrf_cookie)
