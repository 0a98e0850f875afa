"""Programme page for coordinators: the cohort table (sortable), growth, posting and engagement
per platform, goals reached, the effect of the programme's events, small multiples, and
downloads (impact report, CSV). Every figure comes from ``tracker.cohort.cohort_summary``, the
same summary the impact report formats, under the report's labels."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, callback, dcc, html

from dashboards.access import AccessDenied, audit, require_role
from dashboards.charts import event_label, sparkline
from dashboards.i18n import current_language, fmt_date, fmt_decimal, fmt_int, fmt_percent, t
from dashboards.pages.common import coordinators_only, denied
from dashboards.programme.cohort_table import SORT_KEYS, CohortView, cohort_view, sort_rows
from dashboards.progress.self_assessment_form import cohort_card
from dashboards.request_context import app_state, current_viewer
from tracker.cohort.cohort_summary import CohortSummary, load_summary
from tracker.cohort.event_effects import effect_key, effect_platforms, effects_by_event
from tracker.errors import NotFoundError
from tracker.explain import explain_metric, platform_name
from tracker.programme.structure import cohorts
from tracker.store.models import Cohort
from tracker.text import Section

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
    if (refused := coordinators_only(lang)) is not None:
        return refused
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


def _data_table(table_id: str, heads: list[str], rows: list[list[str]]) -> Any:
    """A table whose first column labels each row and whose other cells are figures."""
    head = html.Tr([html.Th(h, className="num" if i else None) for i, h in enumerate(heads)])
    body = [
        html.Tr([html.Td(c, className="num" if i else None) for i, c in enumerate(row)])
        for row in rows
    ]
    return html.Table([html.Thead(head), html.Tbody(body)], className="data", id=table_id)


def _pct(value: float | None, lang: str) -> str:
    """A fraction as percent with two decimals (0.0479 -> 4,79 %)."""
    return "–" if value is None else f"{fmt_decimal(value * 100, lang, 2)} %"


def _growth(summary: CohortSummary, lang: str) -> Any:
    """Follower growth per platform: every account counted, the median over those measured."""
    text = Section("report", lang)
    rows = [
        [
            platform_name(g.platform, lang),
            fmt_int(g.accounts, lang),
            fmt_int(g.measured, lang),
            _pct(g.median_weekly, lang),
        ]
        for g in summary.platform_growth
        if g.role == "mentee"
    ]
    heads = [text["platform"], text["accounts"], f"{text['measured']} ({text['n']})"]
    return _data_table("programme-growth", [*heads, text["weekly_rate"]], rows)


def _posting(summary: CohortSummary, lang: str) -> Any:
    """Posting and engagement per platform, medians over the mentees with an account there."""
    text = Section("report", lang)
    rows = [
        [
            platform_name(g.platform, lang),
            fmt_int(g.people, lang),
            fmt_decimal(g.posts_per_week_baseline, lang, 2),
            fmt_decimal(g.posts_per_week_last_month, lang, 2),
            f"{fmt_decimal(g.engagement_baseline, lang, 2)} ({g.engaged_baseline})",
            f"{fmt_decimal(g.engagement_last_month, lang, 2)} ({g.engaged_last_month})",
        ]
        for g in summary.platform_growth
        if g.role == "mentee"
    ]
    heads = [
        text["platform"],
        f"{text['with_account']} ({text['n']})",
        f"{text['posts_per_week']}: {text['baseline']}",
        text["last_month"],
        f"{text['engagement']}: {text['baseline']} ({text['n']})",
        f"{text['last_month']} ({text['n']})",
    ]
    return _data_table("programme-posting", heads, rows)


def _effects(summary: CohortSummary, lang: str) -> Any:
    """Per event: each metric before -> after with its n; engagement per platform."""
    text = Section("report", lang)
    platforms = effect_platforms(summary.effects)
    keys = ["posts_per_week", "follower_growth"] + [effect_key("engagement", p) for p in platforms]
    rows = []
    for event in effects_by_event(summary.effects):
        cells = [event_label(event.kind, event.title, lang), fmt_date(event.event_date, lang)]
        if not event.complete:
            cells[1] += f" ({text['partial']})"
        for key in keys:
            e = event.by_key.get(key)
            cells.append(
                "–"
                if e is None
                else f"{fmt_decimal(e.before, lang, 2)} → {fmt_decimal(e.after, lang, 2)}"
                f" ({text['n']} = {e.people})"
            )
        rows.append(cells)
    heads = ["", "", text["posts_per_week"], text["metric_followers"]]
    heads += [text["engagement_on"].format(platform=platform_name(p, lang)) for p in platforms]
    # Wide (a column per platform): scrolls sideways inside its card on a small screen.
    return html.Div(_data_table("programme-effects", heads, rows), style={"overflowX": "auto"})


def _goals(summary: CohortSummary, lang: str) -> Any:
    text = Section("report", lang)
    reached = (
        f"{fmt_int(summary.goals_reached, lang)} {text['of']} {fmt_int(len(summary.goals), lang)}"
    )
    return html.P(
        [html.Span(f"{text['goals_reached']}: "), html.Strong(reached)], id="programme-goals"
    )


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
    key = str(cohort_key)
    try:
        with app_state().db.session() as session:
            summary = load_summary(session, key)
            orm_cohort = session.get(Cohort, summary.data.cohort_id)
            self_assessment = cohort_card(session, orm_cohort, lang) if orm_cohort else []
    except NotFoundError:
        return denied(lang), []
    view = cohort_view(summary)
    cohort = summary.data
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
        html.A(
            t("programme.raw_csv", lang),
            href=f"/export/cohort/{cohort.key}/snapshots.csv",
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
                _goals(summary, lang),
                html.H3(Section("report", lang)["growth_by_platform"]),
                _growth(summary, lang),
                html.H3(Section("report", lang)["posting_by_platform"]),
                _posting(summary, lang),
            ],
            className="card",
        ),
        html.Section(
            [
                html.H3(t("programme.effects", lang)),
                html.P(explain_metric("event_effect", lang).text, className="muted"),
                _effects(summary, lang),
            ],
            className="card",
        ),
        *self_assessment,
    ]
    return body, downloads
