"""Scripts and styles as a phone on a slow line should get them: compressed (br or gzip),
fingerprinted and cached for a year, without cookies, and Plotly as the small cartesian bundle
(line and bar charts are all the dashboard draws) served from this package, never a CDN.

Static responses are the same for everyone: they never carry ``Set-Cookie`` or ``Vary: Cookie``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from dash import Dash, dcc
from dash.development.base_component import ComponentRegistry
from flask import Flask, Response, request
from flask_compress import Compress

HERE = Path(__file__).resolve().parent
PLOTLY_BUNDLE = "vendor/plotly-cartesian.min.js"
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")
YEAR = 365 * 86400
CACHED_BYTES = 32 * 1024 * 1024  # compressed static files kept in memory, at most


def is_static(path: str) -> bool:
    return path.startswith(STATIC_PREFIXES)


class _StaticCache:
    """Compressed static files by algorithm and URL (the URL carries the fingerprint); pages
    and data are never stored."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._items.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not is_static(key.partition(";")[2]):
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._size += len(value)
            while self._size > CACHED_BYTES and self._items:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


def _cache_key(req: Any) -> str:
    return str(req.full_path)


def _static_headers(response: Response) -> Response:
    """Cache headers for static files; no cookies on them."""
    if not is_static(request.path):
        return response
    del response.headers["Set-Cookie"]
    vary = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    kept = [v for v in vary if v.lower() != "cookie"]
    if kept:
        response.headers["Vary"] = ", ".join(kept)
    else:
        response.headers.pop("Vary", None)
    # Dash fingerprints library files in their path, assets with ?m=<mtime>.
    fingerprinted = request.path.startswith("/_dash-component-suites/") or "m" in request.args
    if fingerprinted and response.status_code == 200:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def use_small_plotly(app: Dash) -> None:
    """Serve the cartesian Plotly bundle of this package instead of the full one (4.8 MB)."""
    import dashboards

    ComponentRegistry.registry.add("dashboards")
    dcc._js_dist[:] = [  # type: ignore[attr-defined]
        entry
        for entry in dcc._js_dist  # type: ignore[attr-defined]
        if entry.get("namespace") not in ("plotly", "dashboards")
    ]
    # A plain script of the page (fingerprinted, cached for a year): the graphs find
    # window.Plotly and never ask for the full bundle.
    dcc._js_dist.append(  # type: ignore[attr-defined]
        {"relative_package_path": PLOTLY_BUNDLE, "namespace": "dashboards"}
    )
    assert (HERE / PLOTLY_BUNDLE).is_file(), PLOTLY_BUNDLE
    assert dashboards.__version__


def init_app(server: Flask) -> None:
    """Compression and cookie-free, cached static files (then :func:`use_small_plotly`).

    Call before the other ``after_request`` hooks are registered: Flask runs them in reverse,
    so this one sees the response last."""
    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=5,
        COMPRESS_CACHE_BACKEND=_StaticCache,
        COMPRESS_CACHE_KEY=_cache_key,
    )
    server.after_request(_static_headers)
    Compress(server)


LOCALE_SCRIPT = HERE / "assets" / "plotly-locale-de.js"


def plotly_locale_script(lang: str) -> str:
    """Script registering Plotly's German locale and making it the default, for pages that
    embed plotly.js themselves (the HTML report); empty for English."""
    if lang != "de":
        return ""
    return LOCALE_SCRIPT.read_text(encoding="utf-8") + '\nPlotly.setPlotConfig({locale: "de"});\n'
