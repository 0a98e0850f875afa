"""Error pages (403, 404, 500 ...) in the viewer's language, inside the app's frame: the same
header with the navigation for her role, and a way back."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from dashboards import auth
from dashboards.i18n import current_language, t
from dashboards.request_context import current_viewer
from tracker.text import has_text

logger = logging.getLogger(__name__)

Nav = Mapping[str, Sequence[tuple[str, str]]]


def error_page(code: int, nav: Nav) -> tuple[str, int]:
    """The page for HTTP status ``code``: a known code's own text, else the general one."""
    lang = current_language()
    viewer = current_viewer()
    kind = str(code) if has_text(f"error.{code}.title") else "other"
    links = [(href, t(key, lang)) for href, key in nav.get(viewer.role, ())] if viewer else []
    body = render_template(
        "error.html",
        lang=lang,
        other="en" if lang == "de" else "de",
        t=lambda key, **kw: t(key, lang, **kw),
        title=t(f"error.{kind}.title", lang),
        text=t(f"error.{kind}.text", lang),
        code=code,
        links=links,
        viewer=viewer,
        csrf=auth.csrf_token() if viewer else "",
        csrf_field=auth.CSRF_FIELD,
    )
    return body, code


def init_app(server: Flask, nav: Nav) -> None:
    """Answer every HTTP error with an error page in the app's frame."""

    def on_http_error(exc: HTTPException) -> Any:
        if exc.code is None or exc.code < 400:
            return exc
        response = exc.get_response()
        body, code = error_page(exc.code, nav)
        response.set_data(body)
        response.content_type = "text/html; charset=utf-8"
        response.status_code = code
        return response

    def on_crash(exc: InternalServerError) -> Any:
        original = getattr(exc, "original_exception", None)
        if original is not None:
            logger.error("unhandled error", exc_info=original)
        return error_page(500, nav)

    server.register_error_handler(HTTPException, on_http_error)
    server.register_error_handler(InternalServerError, on_crash)
