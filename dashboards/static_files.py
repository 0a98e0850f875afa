"""Scripts and styles as a phone on a slow line should get them: compressed (br or gzip),
fingerprinted and cached for a year, without cookies, and Plotly as the small cartesian bundle
(line and bar charts are all the dashboard draws) served from this package, never a CDN.

Static responses are the same for everyone: they never carry ``Set-Cookie`` or ``Vary: Cookie``.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import brotli
from dash import Dash, dcc
from dash.development.base_component import ComponentRegistry
from flask import Flask, Response, current_app, request
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


# Pages and data are made for one request and compressed on each: at this quality brotli takes
# a fifth of the time of the static files' and the result is a tenth larger, a few hundred
# bytes, well within the first round trip of any connection.
PAGE_BR_QUALITY = 2
PAGE_GZIP_LEVEL = 1
MIN_SIZE = 500  # smaller responses gain less than the header costs


def _accepted(header: str) -> set[str]:
    """The encodings an Accept-Encoding header accepts (a quality of 0 refuses one)."""
    found = set()
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            if float(quality) > 0:
                found.add(name.strip())
        except ValueError:
            continue
    return found


def _compress_page(response: Response) -> Response:
    """Pages, callback answers and exports compressed quickly (static files are left to
    Flask-Compress, which keeps them compressed at a higher quality)."""
    if (
        is_static(request.path)
        or response.direct_passthrough
        or response.is_streamed
        or not 200 <= response.status_code < 300
        or "Content-Encoding" in response.headers
        or response.mimetype not in current_app.config["COMPRESS_MIMETYPES"]
    ):
        return response
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = "Accept-Encoding"
    elif "accept-encoding" not in vary.lower():
        response.headers["Vary"] = f"{vary}, Accept-Encoding"
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    accepted = _accepted(request.headers.get("Accept-Encoding", ""))
    if "br" in accepted:
        response.set_data(brotli.compress(data, quality=PAGE_BR_QUALITY))
        response.headers["Content-Encoding"] = "br"
    elif "gzip" in accepted:
        response.set_data(gzip.compress(data, compresslevel=PAGE_GZIP_LEVEL))
        response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(server: Flask) -> None:
    """Compression and cookie-free, cached static files (then :func:`use_small_plotly`).

    Call before the other ``after_request`` hooks are registered: Flask runs them in reverse,
    so these see the response last (the pages' compression first, then Flask-Compress, which
    leaves a response already compressed alone)."""
    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=5,
        COMPRESS_CACHE_BACKEND=_StaticCache,
        COMPRESS_CACHE_KEY=_cache_key,
    )
    server.after_request(_static_headers)
    Compress(server)
    server.after_request(_compress_page)


LOCALE_SCRIPT = HERE / "assets" / "plotly-locale-de.js"


def plotly_locale_script(lang: str) -> str:
    """Script registering Plotly's German locale and making it the default, for pages that
    embed plotly.js themselves (the HTML report); empty for English."""
    if lang != "de":
        return ""
    return LOCALE_SCRIPT.read_text(encoding="utf-8") + '\nPlotly.setPlotConfig({locale: "de"});\n'
