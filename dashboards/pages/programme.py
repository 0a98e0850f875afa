"""Programme page for coordinators: the cohort table (sortable), small multiples, the effect of
the programme's events, and downloads (impact report, CSV)."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
from dash import Input, Output, callback, dcc, html

from dashboards.access import AccessDenied, audit, require_role
from dashboards.charts import sparkline
from dashboards.i18n import current_language, fmt_date, fmt_decimal, fmt_int, fmt_percent, t
from dashboards.pages.common import denied
from dashboards.programme.cohort_table import SORT_KEYS, CohortView, cohorts, load_cohort, sort_rows
from dashboards.progress.self_assessment_form import cohort_card
from dashboards.request_context import app_state, current_viewer
from tracker.store.models import Cohort

dash.register_page(__name__, path="/programm", name="Programm", order=3)

SORT_LABELS = {
    "name": "col.name",
    "followers": "col.followers",
    "growth": "col.growth",
    "posts_week": "col.posts_week",
    "goals": "col.goals",
    "problems": "col.health",
}


def layout(cohort: str | None = None, **_: Any) -> Any:
    lang = current_language()
    try:
        require_role(current_viewer(), "coordinator")
    except AccessDenied:
        return denied(lang)
    with app_state().db.session() as session:
        found = cohorts(session)
    if not found:
        return html.Div([html.H1(t("programme.title", lang)), html.P(t("chart.no_data", lang))])
    keys = [c.key for c in found]
    chosen = cohort if cohort in keys else keys[0]
    return html.Div(
        [
            html.H1(t("programme.title", lang)),
            html.Div(
                [
                    dcc.Dropdown(
                        id="programme-cohort",
                        options=[{"label": c.name, "value": c.key} for c in found],
                        value=chosen,
                        clearable=False,
                        style={"minWidth": "260px"},
                    ),
                    html.Div(
                        [
                            html.Span(t("programme.sort", lang), className="label"),
                            dcc.Dropdown(
                                id="programme-sort",
                                options=[
                                    {"label": t(SORT_LABELS[k], lang), "value": k}
                                    for k in SORT_KEYS
                                ],
                                value="name",
                                clearable=False,
                                style={"minWidth": "200px"},
                            ),
                        ],
                        className="range-row",
                    ),
                    html.Div(id="programme-downloads", className="downloads"),
                ],
                className="toolbar",
            ),
            dcc.Loading(html.Div(id="programme-body"), type="dot"),
        ],
        className="page page-programme",
    )


def _table(view: CohortView, sort: str, lang: str) -> Any:
    head = html.Tr(
        [
            html.Th(t("col.name", lang)),
            html.Th(t("col.platforms", lang), className="num"),
            html.Th(t("col.followers", lang), className="num"),
            html.Th(t("col.growth", lang), className="num"),
            html.Th(t("col.posts_week", lang), className="num"),
            html.Th(t("col.goals", lang), className="num"),
            html.Th(t("col.health", lang)),
            html.Th(t("col.csv", lang)),
        ]
    )
    body = []
    for row in sort_rows(view.rows, sort):
        health = (
            html.Span(t("health.ok", lang), className="state-ok")
            if row.problems == 0
            else html.Span(f"{t('health.attention', lang)} ({row.problems})", className="state-bad")
        )
        body.append(
            html.Tr(
                [
                    html.Td(dcc.Link(row.name, href=f"/fortschritt?person={row.key}")),
                    html.Td(fmt_int(row.platforms, lang), className="num"),
                    html.Td(fmt_int(row.followers, lang), className="num"),
                    html.Td(fmt_percent(row.growth, lang, signed=True), className="num"),
                    html.Td(fmt_decimal(row.posts_week, lang), className="num"),
                    html.Td(f"{row.goals_reached} / {row.goals_total}", className="num"),
                    html.Td(health),
                    html.Td(html.A("CSV", href=f"/export/{row.key}.csv")),
                ]
            )
        )
    return html.Table([html.Thead(head), html.Tbody(body)], className="data", id="programme-table")


def _effects(view: CohortView, lang: str) -> Any:
    rows = [
        html.Tr(
            [
                html.Td(e.title),
                html.Td(fmt_date(date.fromisoformat(e.day), lang)),
                html.Td(fmt_decimal(e.before, lang, 2), className="num"),
                html.Td(fmt_decimal(e.after, lang, 2) if e.complete else "…", className="num"),
            ]
        )
        for e in view.effects
    ]
    head = html.Tr(
        [
            html.Th(t("col.event", lang)),
            html.Th(t("chart.date", lang)),
            html.Th(t("col.before", lang), className="num"),
            html.Th(t("col.after", lang), className="num"),
        ]
    )
    return html.Table([html.Thead(head), html.Tbody(rows)], className="data")


@callback(
    Output("programme-body", "children"),
    Output("programme-downloads", "children"),
    Input("programme-cohort", "value"),
    Input("programme-sort", "value"),
)
def show_programme(cohort_key: Any, sort: Any) -> Any:
    lang = current_language()
    try:
        viewer = require_role(current_viewer(), "coordinator")
    except AccessDenied:
        return denied(lang), []
    with app_state().db.session() as session:
        from sqlalchemy import select

        cohort = session.scalar(select(Cohort).where(Cohort.key == str(cohort_key)))
        if cohort is None:
            return denied(lang), []
        view = load_cohort(session, cohort)
        self_assessment = cohort_card(session, cohort, lang)
    audit(viewer, None, f"page.programme:{cohort.key}")
    multiples = [
        html.Div(
            dcc.Graph(
                figure=sparkline(line, view.events, name, lang),
                config={"displayModeBar": False},
                style={"height": "160px"},
            ),
            className="card",
        )
        for name, line in view.lines
    ]
    downloads = [
        html.A(
            t("programme.report", lang), href=f"/report/{cohort.key}.html", className="button-link"
        ),
        html.A(
            t("programme.csv", lang),
            href=f"/export/cohort/{cohort.key}.csv",
            className="button-link",
        ),
    ]
    body = [
        html.Section(
            [html.H3(t("programme.table", lang)), _table(view, str(sort), lang)], className="card"
        ),
        html.Section(
            [html.H3(t("programme.multiples", lang)), html.Div(multiples, className="multiples")],
            className="card",
        ),
        html.Section(
            [
                html.H3(t("programme.effects", lang)),
                html.P(t("programme.effects_note", lang), className="muted"),
                _effects(view, lang),
            ],
            className="card",
        ),
        *self_assessment,
    ]
    return body, downloads
