"""Serving the dashboard with waitress (a production WSGI server; never Dash's debug server)."""

from __future__ import annotations

import gc
import logging

from dash import Dash

logger = logging.getLogger(__name__)


def serve(app: Dash, host: str, port: int, threads: int = 8) -> None:
    """Serve until interrupted."""
    from waitress import serve as waitress_serve

    logger.info("serving the dashboard on http://%s:%s", host, port)
    # What start-up made (imports, the app, its layouts) lives as long as the process: kept
    # out of the collector's full passes, which otherwise walk it every few requests and hold
    # a response for tens of milliseconds.
    gc.freeze()
    waitress_serve(app.server, host=host, port=port, threads=threads, ident="tracker")
