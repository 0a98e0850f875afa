"""The page for an address the app does not know, in the viewer's language (Dash shows it
inside the app's frame)."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from dashboards.i18n import current_language, t

dash.register_page(__name__, path="/404", name="404")


def layout(**_: Any) -> Any:
    lang = current_language()
    return html.Div(
        html.Section(
            [
                html.H1(t("error.404.title", lang)),
                html.P(t("error.404.text", lang)),
                html.P(dcc.Link(t("error.home", lang), href="/", className="button-link")),
            ],
            className="card error-page",
            role="alert",
            id="not-found",
        ),
        className="page page-not-found",
    )
