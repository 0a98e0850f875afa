"""Mentee page "Mein Fortschritt": her own growth; mentors and coordinators open it with
``?person=<key>`` for a mentee in their scope.

The layout renders the default period itself, so a page view is one request; the callback
runs only when the viewer picks another period, redraws only the charts (the summaries do not
depend on the period), and checks the person again (the key comes back from the browser).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, callback
from sqlalchemy.orm import Session

from dashboards.access import AccessDenied, authorize_person_ref
from dashboards.i18n import current_language, t
from dashboards.pages.common import denied
from dashboards.progress.components import (
    goal_items,
    mentee_notes,
    notes_list,
    progress_body,
    progress_charts,
    range_selector,
)
from dashboards.progress.elements import dcc, html
from dashboards.progress.period_data import RANGES, ProgressData, load, load_charts
from dashboards.progress.self_assessment_form import mentee_section, register_answer_callback
from dashboards.request_context import app_state, current_viewer
from tracker.store.models import Person, PersonRef

dash.register_page(__name__, path="/fortschritt", name="Mein Fortschritt", order=1)
register_answer_callback()

DEFAULT_RANGE = RANGES[0]


def layout(person: str | None = None, **_: Any) -> Any:
    viewer = current_viewer()
    lang = current_language()
    key = person or (viewer.person_key if viewer else None)
    with app_state().db.session() as session:
        try:
            target = authorize_person_ref(session, viewer, key, "page.progress")
        except AccessDenied:
            return denied(lang)
        body, data = _body(session, target, DEFAULT_RANGE, lang)
        sa_prompt, sa_card = mentee_section(
            session,
            target,
            viewer is not None and target.id == viewer.person_id,
            lang,
            data.read,
            [(e.day, e.kind) for e in data.programme],
            (data.cohort.start, data.cohort.end) if data.cohort else None,
        )
    own = viewer is not None and target.id == viewer.person_id
    title = t("progress.title", lang) if own else t("progress.title_of", lang, name="")
    heading = [html.H1(title)] if own else [html.H1([title, html.Span(target.display_name)])]
    downloads: list[Any] = [
        html.A(t("export.csv", lang), href=f"/export/{target.key}.csv", className="button-link")
    ]
    if own:
        downloads.append(
            html.A(t("export.mine", lang), href="/export/mine.zip", className="button-link")
        )
    return html.Div(
        [
            *heading,
            html.P(target.display_name if own else "", className="subtitle"),
            dcc.Store(id="progress-person", data=target.key),
            html.Div(
                [
                    range_selector("progress-range", lang, DEFAULT_RANGE),
                    html.Div(downloads, className="downloads"),
                ],
                className="toolbar",
            ),
            *sa_prompt,
            dcc.Loading(html.Div(body, id="progress-body"), type="dot"),
            *sa_card,
        ],
        className="page page-progress",
    )


@callback(
    Output("progress-charts", "children"),
    Input("progress-person", "data"),
    Input("progress-range", "value"),
    # The layout already shows the default period: this runs when the viewer changes it.
    prevent_initial_call=True,
)
def show_progress(person_key: Any, choice: Any) -> Any:
    """The person's charts of the chosen period (the summaries above them do not depend on
    it); the key comes from the browser, so it is checked."""
    lang = current_language()
    viewer = current_viewer()
    with app_state().db.session() as session:
        try:
            person = authorize_person_ref(session, viewer, person_key, "callback.progress")
        except AccessDenied:
            return denied(lang)
        charts = load_charts(session, person, choice if choice in RANGES else DEFAULT_RANGE)
    return progress_charts(charts, lang, "progress-")


def _body(
    session: Session, person: Person | PersonRef, choice: str, lang: str
) -> tuple[list[Any], ProgressData]:
    """Charts, summaries, goals and check-in notes of a person the caller has authorised, and
    what was read for them (the self-assessment reuses her rows and the cohort's events)."""
    data = load(session, person, choice)
    notes = mentee_notes(session, person.id)
    children = [
        *progress_body(data, lang, "progress-"),
        html.Div(
            [
                html.Section(
                    [html.H3(t("goals.title", lang)), goal_items(data, lang)], className="card"
                ),
                html.Section(
                    [html.H3(t("notes.title", lang)), notes_list(notes, lang)], className="card"
                ),
            ],
            className="row two",
        ),
    ]
    return children, data
