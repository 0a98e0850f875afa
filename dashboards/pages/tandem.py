"""Tandem page: a mentor sees her mentees' progress, sets and ticks goals, and keeps dated
check-in notes (visible to the tandem and the coordinators)."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import utcnow
from dashboards.access import AccessDenied, authorize_tandem, scope_of
from dashboards.i18n import current_language, t
from dashboards.pages.common import denied
from dashboards.progress.components import (
    goal_items,
    notes_list,
    progress_body,
    range_selector,
    tandem_notes,
)
from dashboards.progress.period_data import RANGES, load
from dashboards.progress.self_assessment_form import register_rating_callback, tandem_section
from dashboards.request_context import Viewer, app_state, current_viewer
from tracker.errors import TrackerError
from tracker.programme import goals
from tracker.store.models import CheckinNote, Goal, Person, Tandem
from tracker.text.formatting import parse_date

dash.register_page(__name__, path="/tandem", name="Tandem", order=2)
register_rating_callback()

MAX_NOTE = 4000
DEFAULT_RANGE = RANGES[0]


def _tandems(session: Any, viewer: Any) -> list[tuple[Tandem, Person]]:
    """The tandems whose mentee is in the viewer's scope (mentors: their own)."""
    scope = scope_of(session, viewer)
    stmt = select(Tandem, Person).join(Person, Person.id == Tandem.mentee_id)
    if viewer is not None and viewer.role == "mentor":
        stmt = stmt.where(Tandem.mentor_id == viewer.person_id)
    elif not scope.everyone:
        return []
    return [
        (tandem, person) for tandem, person in session.execute(stmt.order_by(Person.display_name))
    ]


def layout(tandem: str | None = None, **_: Any) -> Any:
    viewer = current_viewer()
    lang = current_language()
    if viewer is None or viewer.role not in ("mentor", "coordinator"):
        return denied(lang)
    with app_state().db.session() as session:
        rows = _tandems(session, viewer)
        if not rows:
            return html.Div([html.H1(t("tandem.title", lang)), html.P(t("tandem.none", lang))])
        options = [{"label": person.display_name, "value": tdm.id} for tdm, person in rows]
        chosen = rows[0][0].id
        if tandem and tandem.isdigit() and any(tdm.id == int(tandem) for tdm, _p in rows):
            chosen = int(tandem)
        try:
            shown = authorize_tandem(session, viewer, chosen, "page.tandem")
        except AccessDenied:
            return denied(lang)
        body = _body(session, viewer, shown, DEFAULT_RANGE, lang)
    return html.Div(
        [
            html.H1(t("tandem.title", lang)),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label(t("tandem.choose", lang), htmlFor="tandem-choice"),
                            dcc.Dropdown(
                                id="tandem-choice", options=options, value=chosen, clearable=False
                            ),
                        ],
                        className="chooser",
                    ),
                    range_selector("tandem-range", lang, DEFAULT_RANGE),
                ],
                className="toolbar",
            ),
            dcc.Store(id="tandem-saved", data=0),
            # The mentee's progress first ("Seit dem Auftakt" on top), then the forms.
            dcc.Loading(html.Div(body, id="tandem-body"), type="dot"),
            html.Div(
                [
                    html.Section(
                        [
                            html.H3(t("goals.new", lang)),
                            html.Div(
                                [
                                    dcc.Input(
                                        id="tandem-goal-title",
                                        type="text",
                                        maxLength=300,
                                        placeholder=t("goals.new", lang),
                                    ),
                                    dcc.Input(
                                        id="tandem-goal-due",
                                        type="text",
                                        placeholder=t("date.placeholder", lang),
                                    ),
                                    html.Button(
                                        t("goals.save", lang),
                                        id="tandem-goal-save",
                                        className="primary",
                                    ),
                                ],
                                className="form-grid",
                            ),
                            html.Div(id="tandem-goal-message", className="message"),
                        ],
                        className="card",
                    ),
                    html.Section(
                        [
                            html.H3(t("notes.new", lang)),
                            dcc.Textarea(
                                id="tandem-note-text",
                                maxLength=MAX_NOTE,
                                placeholder=t("notes.placeholder", lang),
                                style={"width": "100%", "height": "5rem"},
                            ),
                            html.Button(
                                t("notes.add", lang), id="tandem-note-save", className="primary"
                            ),
                            html.Div(id="tandem-note-message", className="message"),
                        ],
                        className="card",
                    ),
                ],
                className="row two",
            ),
        ],
        className="page page-tandem",
    )


@callback(
    Output("tandem-body", "children"),
    Input("tandem-choice", "value"),
    Input("tandem-range", "value"),
    Input("tandem-saved", "data"),
    # The layout already shows the chosen tandem's default period: this runs on a change.
    prevent_initial_call=True,
)
def show_tandem(tandem_id: Any, choice: Any, _saved: Any) -> Any:
    """The tandem's progress, goals and notes; the id comes from the browser, so it is checked."""
    lang = current_language()
    viewer = current_viewer()
    with app_state().db.session() as session:
        try:
            tandem = authorize_tandem(session, viewer, tandem_id, "callback.tandem")
        except AccessDenied:
            return denied(lang)
        return _body(session, viewer, tandem, choice if choice in RANGES else DEFAULT_RANGE, lang)


def _body(session: Session, viewer: Viewer | None, tandem: Tandem, choice: str, lang: str) -> Any:
    """The mentee's progress with the tandem's goals and notes, for a tandem the caller has
    authorised; goals can be ticked by the tandem's mentor and coordinators."""
    mentee = tandem.mentee
    data = load(session, mentee, choice)
    notes = tandem_notes(session, tandem.id)
    editable = viewer is not None and (
        viewer.role == "coordinator" or tandem.mentor_id == viewer.person_id
    )
    # "Seit dem Auftakt" first, then the tandem's goals and notes, then the charts.
    kickoff, *progress = progress_body(data, lang, "tandem-")
    return [
        html.H2(mentee.display_name),
        kickoff,
        html.Div(
            [
                html.Section(
                    [html.H3(t("goals.title", lang)), goal_items(data, lang, editable, "tandem-")],
                    className="card",
                ),
                html.Section(
                    [html.H3(t("notes.title", lang)), notes_list(notes, lang)], className="card"
                ),
            ],
            className="row two",
        ),
        *tandem_section(session, viewer, tandem, lang),
        *progress,
    ]


@callback(
    Output("tandem-goal-message", "children"),
    Output("tandem-saved", "data", allow_duplicate=True),
    Input("tandem-goal-save", "n_clicks"),
    State("tandem-choice", "value"),
    State("tandem-goal-title", "value"),
    State("tandem-goal-due", "value"),
    State("tandem-saved", "data"),
    prevent_initial_call=True,
)
def save_goal(_clicks: Any, tandem_id: Any, title: Any, due: Any, saved: Any) -> Any:
    lang = current_language()
    viewer = current_viewer()
    if not isinstance(title, str) or not title.strip():
        return t("goals.empty_title", lang), dash.no_update
    try:
        due_day = parse_date(due, lang)
    except ValueError as exc:
        return t("admin.error", lang, why=str(exc)), dash.no_update
    with app_state().db.write() as session:
        try:
            tandem = authorize_tandem(session, viewer, tandem_id, "callback.goal", write=True)
        except AccessDenied:
            return t("denied", lang), dash.no_update
        try:
            goals.add_goal(
                session,
                tandem_id=tandem.id,
                title=title.strip()[:300],
                due=due_day,
                created_by=viewer.label if viewer else None,
            )
        except TrackerError as exc:
            return t("admin.error", lang, why=str(exc)), dash.no_update
    return t("goals.saved", lang), (saved or 0) + 1


@callback(
    Output("tandem-saved", "data", allow_duplicate=True),
    Input({"type": "tandem-goal-done", "goal": ALL}, "n_clicks"),
    State("tandem-saved", "data"),
    prevent_initial_call=True,
)
def tick_goal(clicks: Any, saved: Any) -> Any:
    viewer = current_viewer()
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return dash.no_update
    goal_id = trigger.get("goal")
    if not isinstance(goal_id, int) or isinstance(goal_id, bool):
        return dash.no_update
    with app_state().db.write() as session:
        goal = session.get(Goal, goal_id)
        if goal is None:
            return dash.no_update
        try:
            authorize_tandem(session, viewer, goal.tandem_id, "callback.goal", write=True)
            goals.mark_done(session, goal.id, by=viewer.label if viewer else "")
        except (AccessDenied, TrackerError):
            return dash.no_update
    return (saved or 0) + 1


@callback(
    Output("tandem-note-message", "children"),
    Output("tandem-saved", "data", allow_duplicate=True),
    Output("tandem-note-text", "value"),
    Input("tandem-note-save", "n_clicks"),
    State("tandem-choice", "value"),
    State("tandem-note-text", "value"),
    State("tandem-saved", "data"),
    prevent_initial_call=True,
)
def save_note(_clicks: Any, tandem_id: Any, text: Any, saved: Any) -> Any:
    lang = current_language()
    viewer = current_viewer()
    if not isinstance(text, str) or not text.strip():
        return t("admin.missing", lang), dash.no_update, dash.no_update
    with app_state().db.write() as session:
        try:
            tandem = authorize_tandem(session, viewer, tandem_id, "callback.note", write=True)
        except AccessDenied:
            return t("denied", lang), dash.no_update, dash.no_update
        now = utcnow()
        session.add(
            CheckinNote(
                tandem_id=tandem.id,
                author_id=viewer.person_id if viewer else None,
                on=now.date(),
                text=text.strip()[:MAX_NOTE],
                created_at=now,
            )
        )
    return t("goals.saved", lang), (saved or 0) + 1, ""
