"""Security headers, including a Content-Security-Policy that Dash runs under without
``unsafe-eval``.

Dash's index page carries one inline script (``new DashRenderer()``) and a JSON config block;
the script is allowed by its hash (``Dash.csp_hashes``), the JSON block is not executed. Styles
need ``'unsafe-inline'``: Plotly adds ``<style>`` elements at run time. That allows CSS only,
never script.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, jsonify, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, bytes_to_int
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboards.request_context import app_state
from dashboards.static_files import is_static

logger = logging.getLogger(__name__)

CALLBACK_PATH = "/_dash-update-component"


def content_security_policy(script_hashes: Sequence[str]) -> str:
    """The policy for every response; ``script_hashes`` as ``'sha256-...'`` sources."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def request_is_tls() -> bool:
    """Whether the browser reached us over HTTPS: the public address is https, or the request
    says so (directly, or through a trusted proxy's X-Forwarded-Proto)."""
    return request.is_secure or app_state().config.web.base_url.startswith("https://")


# An unchanged session's cookie is signed again (its expiry moved on) at most this often: the
# lifetime still runs from the last minute of activity, and most requests sign nothing.
REFRESH_AFTER = timedelta(seconds=60)
VERIFIED_KEPT = 4096  # session cookies remembered as checked (the most recent ones)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, marked Secure whenever the request came over TLS, and
    never saved on a static response (those are the same for everyone and cached).

    A permanent session's cookie is renewed when it is older than ``REFRESH_AFTER`` or has
    changed, not on every request: signing it costs about as much as a page's login lookup."""

    def __init__(self) -> None:
        # Cookies whose signature was checked, with their content and signing time: a cookie
        # is sent unchanged for a minute of requests, and checking it costs more than the
        # login lookup. Keyed by the whole cookie (signature included), so only a cookie that
        # passed the check is found; its age is checked on every request.
        self._verified: OrderedDict[str, tuple[dict[str, Any], datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app)) or request_is_tls()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        lifetime = app.permanent_session_lifetime
        with self._lock:
            known = self._verified.get(value)
        if known is not None and datetime.now(UTC) - known[1] <= lifetime:
            data, signed_at = known
        else:
            signer = self.get_signing_serializer(app)
            if signer is None:
                return None
            try:
                data, signed_at = signer.loads(
                    value, max_age=int(lifetime.total_seconds()), return_timestamp=True
                )
            except BadSignature:
                return self.session_class()
            self._remember(value, data, signed_at)
        session = self.session_class(data)  # a copy: the request may change its session
        session.signed_at = signed_at  # type: ignore[attr-defined]
        return session

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or datetime.now(UTC) - signed_at >= REFRESH_AFTER

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if is_static(request.path):
            return
        super().save_session(app, session, response)  # type: ignore[arg-type]

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        serializer = super().get_signing_serializer(app)
        return None if serializer is None else _Remembering(serializer, self._remember)

    def _remember(self, value: str, data: dict[str, Any], signed_at: datetime) -> None:
        with self._lock:
            self._verified[value] = (data, signed_at)
            while len(self._verified) > VERIFIED_KEPT:
                self._verified.popitem(last=False)


class _Remembering(URLSafeTimedSerializer):
    """The session's serializer, which remembers each cookie it signs as checked: the next
    request brings back exactly that cookie, and checking a signature made a moment ago here
    would only cost time. Its content is remembered as a check would read it (a round trip
    through the serializer's JSON), its time as the cookie carries it."""

    def __init__(
        self,
        serializer: URLSafeTimedSerializer,
        remember: Callable[[str, dict[str, Any], datetime], None],
    ) -> None:
        self.__dict__.update(serializer.__dict__)
        self._signed = remember

    def dumps(self, obj: Any, salt: str | bytes | None = None) -> str:
        value = super().dumps(obj, salt)
        assert isinstance(value, str)
        payload = self.serializer.loads(self.serializer.dumps(obj))
        stamp = bytes_to_int(base64_decode(value.rsplit(".", 2)[1]))
        self._signed(value, payload, datetime.fromtimestamp(stamp, UTC))
        return value


def init_proxies(server: Flask, trusted: int) -> None:
    """Believe X-Forwarded-For and X-Forwarded-Proto from ``trusted`` proxies (none when 0):
    otherwise anybody could claim any address or scheme."""
    if trusted > 0:
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=trusted, x_proto=trusted
        )


def init_app(server: Flask, script_hashes: Callable[[], Sequence[str]]) -> None:
    """Add the security headers to every response of ``server``.

    ``script_hashes`` is asked at each response: Dash adds inline scripts (the pages' clientside
    callbacks) while it sets itself up at the first request."""
    server.session_interface = _SessionInterface()
    policies: dict[tuple[str, ...], str] = {}  # by script hashes: the same for every response

    @server.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        hashes = tuple(script_hashes())
        policy = policies.get(hashes)
        if policy is None:
            policy = policies.setdefault(hashes, content_security_policy(hashes))
        headers["Content-Security-Policy"] = policy
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = (
            "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        if request_is_tls():
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Pages and data about people are never kept in shared or browser caches; the
        # libraries' script bundles may be.
        if not request.path.startswith(("/_dash-component-suites/", "/assets/")):
            headers["Cache-Control"] = "no-store"
        return response


def _prop_spec(item: object) -> bool:
    """One input or state as the renderer sends it: ``{"id": ..., "property": ..., "value"}``."""
    return (
        isinstance(item, dict)
        and isinstance(item.get("id"), str | dict)
        and isinstance(item.get("property"), str)
    )


def _prop_list(items: object, expected: int) -> bool:
    """Inputs (or states): one entry per declared one, each a spec or (pattern-matching) a list
    of specs."""
    if not isinstance(items, list) or len(items) != expected:
        return False
    return all(
        _prop_spec(item) or (isinstance(item, list) and all(_prop_spec(part) for part in item))
        for item in items
    )


def callback_problem(body: object, callback_map: Mapping[str, Any]) -> str | None:
    """What is wrong with a callback request ``body`` (parsed JSON), or None when its shape
    matches a known callback: Dash would answer anything else with a server error."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "unknown output"
    spec = callback_map[output]
    outputs = body.get("outputs")
    if output.startswith(".."):
        count = len(output[2:-2].split("..."))
        if not isinstance(outputs, list) or len(outputs) != count:
            return "outputs do not match the output"
        if not all(isinstance(o, dict | list) for o in outputs):
            return "outputs do not match the output"
    elif not spec.get("no_output") and not isinstance(outputs, dict | list):
        return "outputs do not match the output"
    if not _prop_list(body.get("inputs"), len(spec.get("inputs", []))):
        return "inputs do not match the callback"
    if not _prop_list(body.get("state", []), len(spec.get("state", []))):
        return "state does not match the callback"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds is not a list of texts"
    return None


def init_callback_guard(server: Flask, callback_map: Mapping[str, Any]) -> None:
    """Answer a malformed callback request with 400 before Dash sees it (Dash raises on
    unknown outputs, wrong shapes and JSON nested deeper than Python's recursion limit)."""

    @server.before_request
    def _check_callback() -> Any:
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        try:
            # Parsed once: Dash reads the same parsed body (the request keeps it).
            body = request.get_json(force=True, cache=True) if request.get_data() else None
        except (BadRequest, RecursionError):
            problem: str | None = "the body is not valid JSON"
        else:
            problem = callback_problem(body, callback_map)
        if problem is None:
            return None
        logger.info("refused a malformed callback request: %s", problem)
        return jsonify({"error": f"malformed callback request: {problem}"}), 400
