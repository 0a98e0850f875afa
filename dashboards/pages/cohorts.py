"""Cohorts side by side, for coordinators: the figures of each cohort from its kickoff (week 0)
on, the follow-up of cohorts that ended, a chart per figure with one line per cohort. Every
figure comes from ``tracker.cohort.cohort_comparison``, arranged as the comparison report
(``dashboards.report.cohort_report``) arranges it."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, callback, dcc, html

from dashboards.access import AccessDenied, audit, require_role
from dashboards.i18n import current_language, t
from dashboards.pages.common import coordinators_only, denied
from dashboards.progress.components import graph_config
from dashboards.report.cohort_report import (
    TextTable,
    charts,
    events_table,
    final_table,
    followup_table,
    growth_table,
    self_assessment_table,
    state_line,
)
from dashboards.request_context import app_state, current_viewer
from tracker.cohort.cohort_comparison import MAX_COHORTS, compare
from tracker.errors import NotFoundError
from tracker.programme.structure import cohorts

dash.register_page(__name__, path="/jahrgaenge", name="Jahrgänge", order=4)

DEFAULT_COHORTS = 3


def layout(**_: Any) -> Any:
    lang = current_language()
    if (refused := coordinators_only(lang)) is not None:
        return refused
    with app_state().db.session() as session:
        found = cohorts(session)  # newest first
    if not found:
        return html.Div([html.H1(t("compare.title", lang)), html.P(t("compare.none", lang))])
    return html.Div(
        [
            html.H1(t("compare.title", lang)),
            html.P(t("compare.intro", lang), className="muted"),
            html.Div(
                [
                    html.Label(t("compare.choose", lang), htmlFor="cohorts-choice"),
                    dcc.Dropdown(
                        id="cohorts-choice",
                        options=[{"label": c.name, "value": c.key} for c in found],
                        value=[c.key for c in found[:DEFAULT_COHORTS]],
                        multi=True,
                        clearable=False,
                        style={"width": "100%"},
                    ),
                ],
                className="cohorts-toolbar",
                style={"display": "flex", "flexDirection": "column", "gap": "0.3rem"},
            ),
            dcc.Loading(html.Div(id="cohorts-body"), type="dot"),
        ],
        className="page page-cohorts",
    )


def _table(tt: TextTable) -> Any:
    # The first column names the figure: it wraps, so the cohorts' columns stay in view.
    label = {"whiteSpace": "normal", "minWidth": "8em"}
    head = html.Tr(
        [
            html.Th(h, className="num" if i else None, style=None if i else label)
            for i, h in enumerate(tt.heads)
        ]
    )
    body = [
        html.Tr(
            [
                html.Td(c, className="num" if i else None, style=None if i else label)
                for i, c in enumerate(row)
            ]
        )
        for row in tt.rows
    ]
    # A cohort per column: on a phone the table scrolls inside its card, never the page.
    return html.Div(
        html.Table([html.Thead(head), html.Tbody(body)], className="data", id=tt.ident),
        className="table-scroll",
        style={"overflowX": "auto"},
    )


@callback(Output("cohorts-body", "children"), Input("cohorts-choice", "value"))
def show_cohorts(keys: Any) -> Any:
    lang = current_language()
    try:
        viewer = require_role(current_viewer(), "coordinator")
    except AccessDenied:
        return denied(lang)
    if isinstance(keys, str):
        keys = [keys]
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        return denied(lang)
    chosen = keys[:MAX_COHORTS]
    if not chosen:
        return html.P(t("compare.none", lang))
    questionnaire = app_state().config.self_assessment
    try:
        with app_state().db.session() as session:
            found = compare(session, chosen, questionnaire=questionnaire)
    except NotFoundError:
        return denied(lang)
    audit(viewer, None, f"page.cohorts:{','.join(c.key for c in found)}")
    followup = followup_table(found, lang)
    sa = self_assessment_table(found, lang, questionnaire)
    config = graph_config(lang)
    figures = [
        html.Section(
            [html.H3(title), dcc.Graph(figure=fig, config=config, className="cohorts-chart")],
            className="card",
        )
        for title, fig in charts(found, lang, questionnaire)
    ]
    return [
        html.Section(
            [
                html.Ul(
                    [html.Li([html.Strong(c.name), f": {state_line(c, lang)}"]) for c in found]
                ),
                html.H3(t("compare.table", lang)),
                _table(final_table(found, lang)),
                html.H3(t("compare.growth_table", lang)),
                _table(growth_table(found, lang)),
            ],
            className="card",
        ),
        html.Section(
            [
                html.H3(t("compare.followup", lang)),
                html.P(t("compare.followup_intro", lang), className="muted"),
                _table(followup) if followup else html.P(t("compare.followup_none", lang)),
            ],
            className="card",
            id="cohorts-followup-card",
        ),
        *figures,
        *(
            [
                html.Section(
                    [html.H3(t("compare.self_assessment", lang)), _table(sa)], className="card"
                )
            ]
            if sa
            else []
        ),
        html.Section(
            [html.H3(t("compare.events", lang)), _table(events_table(found, lang))],
            className="card",
        ),
    ]
