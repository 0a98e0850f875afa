"""Helpers the page modules share (not a page itself: it registers nothing)."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards.i18n import t


def denied(lang: str) -> Any:
    """What a page or callback shows instead of data the viewer may not see."""
    return html.Div(t("denied", lang), className="denied card", role="alert")
