"""Security headers, including a Content-Security-Policy that Dash runs under without
``unsafe-eval``.

Dash's index page carries one inline script (``new DashRenderer()``) and a JSON config block;
the script is allowed by its hash (``Dash.csp_hashes``), the JSON block is not executed. Styles
need ``'unsafe-inline'``: Plotly adds ``<style>`` elements at run time. That allows CSS only,
never script.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Flask, Response, request


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


def init_app(server: Flask, script_hashes: Callable[[], Sequence[str]]) -> None:
    """Add the security headers to every response of ``server``.

    ``script_hashes`` is asked at each response: Dash adds inline scripts (the pages' clientside
    callbacks) while it sets itself up at the first request."""

    @server.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(script_hashes())
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = (
            "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Pages and data about people are never kept in shared or browser caches; the
        # libraries' script bundles may be.
        if not request.path.startswith(("/_dash-component-suites/", "/assets/")):
            headers["Cache-Control"] = "no-store"
        return response
