"""Helpers the page modules share (not a page itself: it registers nothing)."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards.access import AccessDenied, require_role
from dashboards.i18n import t
from dashboards.request_context import current_viewer


def denied(lang: str) -> Any:
    """What a page or callback shows instead of data the viewer may not see."""
    return html.Div(t("denied", lang), className="denied card", role="alert")


def coordinators_only(lang: str) -> Any | None:
    """The denial a page shows a viewer who is not a coordinator; None for a coordinator."""
    try:
        require_role(current_viewer(), "coordinator")
    except AccessDenied:
        return denied(lang)
    return None
