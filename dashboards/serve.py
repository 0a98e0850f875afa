"""Serving the dashboard with waitress (a production WSGI server; never Dash's debug server)."""

from __future__ import annotations

import logging

from dash import Dash

logger = logging.getLogger(__name__)


def serve(app: Dash, host: str, port: int, threads: int = 8) -> None:
    """Serve until interrupted."""
    from waitress import serve as waitress_serve

    logger.info("serving the dashboard on http://%s:%s", host, port)
    waitress_serve(app.server, host=host, port=port, threads=threads, ident="tracker")
