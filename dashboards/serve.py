"""Serving the dashboard with waitress (a production WSGI server; never Dash's debug server)."""

from __future__ import annotations

import gc
import logging
import signal
import sys

from dash import Dash

logger = logging.getLogger(__name__)


def exit_on_terminate() -> None:
    """End the process normally on SIGTERM (how a service manager stops it), so that its exit
    handlers run: the audit entries still waiting are written (``tracker.privacy.audit_write``)."""
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))


def serve(app: Dash, host: str, port: int, threads: int = 8) -> None:
    """Serve until interrupted or terminated."""
    from waitress import serve as waitress_serve

    exit_on_terminate()
    logger.info("serving the dashboard on http://%s:%s", host, port)
    # What start-up made (imports, the app, its layouts) lives as long as the process: kept
    # out of the collector's full passes, which otherwise walk it every few requests and hold
    # a response for tens of milliseconds.
    gc.freeze()
    waitress_serve(app.server, host=host, port=port, threads=threads, ident="tracker")
