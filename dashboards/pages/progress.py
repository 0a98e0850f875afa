"""Mentee page "Mein Fortschritt": her own growth; mentors and coordinators open it with
``?person=<key>`` for a mentee in their scope."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, callback, dcc, html
from sqlalchemy import select

from dashboards.context import app_state, current_viewer
from dashboards.i18n import current_language, t
from dashboards.pages.common import denied
from dashboards.progress_data import RANGES, load
from dashboards.progress_view import notes_list, progress_body, range_selector
from dashboards.scope import AccessDenied, authorize_person
from tracker.models import CheckinNote, Tandem

dash.register_page(__name__, path="/fortschritt", name="Mein Fortschritt", order=1)


def layout(person: str | None = None, **_: Any) -> Any:
    viewer = current_viewer()
    lang = current_language()
    key = person or (viewer.person_key if viewer else None)
    with app_state().db.session() as session:
        try:
            target = authorize_person(session, viewer, key, "page.progress")
        except AccessDenied:
            return denied(lang)
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
                    range_selector("progress-range", lang),
                    html.Div(downloads, className="downloads"),
                ],
                className="toolbar",
            ),
            dcc.Loading(html.Div(id="progress-body"), type="dot"),
        ],
        className="page page-progress",
    )


@callback(
    Output("progress-body", "children"),
    Input("progress-person", "data"),
    Input("progress-range", "value"),
)
def show_progress(person_key: Any, choice: Any) -> Any:
    """Charts and summaries of the person; the key comes from the browser, so it is checked."""
    lang = current_language()
    viewer = current_viewer()
    with app_state().db.session() as session:
        try:
            person = authorize_person(session, viewer, person_key, "callback.progress")
        except AccessDenied:
            return denied(lang)
        data = load(session, person, choice if choice in RANGES else "all")
        notes = list(
            session.scalars(
                select(CheckinNote)
                .join(Tandem, Tandem.id == CheckinNote.tandem_id)
                .where(Tandem.mentee_id == person.id)
                .order_by(CheckinNote.on.desc(), CheckinNote.id.desc())
            )
        )
    from dashboards.progress_view import goal_items

    return [
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
