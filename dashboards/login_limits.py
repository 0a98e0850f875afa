"""Login throttling with Flask-Limiter: failed logins are counted per account and address, per
address, and per account over all addresses, so neither a guesser on one address nor one
spread over many addresses gets far.

A browser that has logged in to an account before carries a signed device cookie for it
("known device", the OWASP device-cookie scheme). Its attempts are counted on their own (per
account and device), so the owner on her phone is not locked out by someone else's failures,
from another address or from a flood on her own (a shared office or proxy address).

Counters live in the server's memory (``tracker serve`` is one process) and forget after the
window; keys hold a hash of the e-mail address, never the address itself.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask, Response, request
from flask_limiter import Limiter
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse

from dashboards import security
from tracker.programme.users import normalize_email

ACCOUNT_ADDRESS_LIMIT = "5 per 15 minutes"  # one account from one address
ADDRESS_LIMIT = "30 per 15 minutes"  # one address over all accounts
ACCOUNT_LIMIT = "20 per hour"  # one account over all addresses
DEVICE_LIMIT = "10 per 15 minutes"  # one account from one known device
DEVICE_COOKIE = "tracker_device"
DEVICE_AGE = timedelta(days=180)
_SALT = "tracker-known-device"


def client_address() -> str:
    """The client's address: the connection's, or (``[web] trusted_proxies``) the one the
    trusted proxy forwarded; ProxyFix has put it in ``remote_addr`` then."""
    return request.remote_addr or "unknown"


def _account() -> str:
    return _account_of(str(request.form.get("email") or ""))


def _serializer() -> URLSafeTimedSerializer:
    from flask import current_app

    return URLSafeTimedSerializer(current_app.secret_key or "", salt=_SALT)


def _device() -> str | None:
    """The device token of a valid device cookie for the account being logged in to."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=int(DEVICE_AGE.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != _account():
        return None
    device = data.get("d")
    return device if isinstance(device, str) else None


def _known_device() -> bool:
    return _device() is not None


def _unknown_device() -> bool:
    return _device() is None


def _failed(response: Response) -> bool:
    """Only a refused password counts (the login answers 401)."""
    return response.status_code == 401


def remember_device(response: BaseResponse, email: str) -> None:
    """Mark this browser as a known device of ``email`` (after a successful login)."""
    token = _serializer().dumps({"a": _account_of(email), "d": secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=int(DEVICE_AGE.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=security.request_is_tls(),
        path="/login",
    )


def _account_of(email: str) -> str:
    return hashlib.sha256(normalize_email(email)[:320].encode("utf-8")).hexdigest()[:32]


def init_app(server: Flask, endpoint: str) -> Limiter:
    """Throttle failed POSTs to the view of ``endpoint``; a breach raises Flask-Limiter's 429
    (the app's error handler renders it)."""
    limiter = Limiter(
        client_address,
        app=server,
        storage_uri="memory://",
        strategy="moving-window",
        headers_enabled=False,
    )
    # Only the login form is throttled: every other request is let through before the
    # limiter looks for limits that could apply to it.
    limiter.request_filter(lambda: request.endpoint != endpoint)
    rules = (
        (ACCOUNT_ADDRESS_LIMIT, lambda: f"{_account()}|{client_address()}", _known_device),
        (ADDRESS_LIMIT, client_address, _known_device),
        (ACCOUNT_LIMIT, _account, _known_device),
        (DEVICE_LIMIT, lambda: f"{_account()}|{_device()}", _unknown_device),
    )
    view: Any = server.view_functions[endpoint]
    for number, (limit, key, exempt) in enumerate(rules):
        view = limiter.limit(
            limit,
            key_func=key,
            methods=["POST"],
            deduct_when=_failed,
            exempt_when=exempt,
            scope=f"login-{number}",
        )(view)
    server.view_functions[endpoint] = view
    return limiter
