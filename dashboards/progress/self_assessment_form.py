"""The self-assessment in the dashboard: the mentee's prompt and form on "Mein Fortschritt",
her answers round by round beside her measured figures (one small table-chart per item), the
mentor's view and rating on the tandem page, and the cohort's median change per item on the
programme page.

Every callback checks the person or tandem again (its keys come from the browser). Answers and
the free text are passed to Dash as plain strings: React escapes them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import dash
from dash import ALL, Input, Output, State, callback
from sqlalchemy.orm import Session

from connectors.base import utcnow
from dashboards.access import AccessDenied, authorize_person, authorize_tandem
from dashboards.i18n import (
    current_language,
    fmt_date,
    fmt_datetime,
    fmt_decimal,
    fmt_int,
    t,
)
from dashboards.pages.common import denied
from dashboards.progress.elements import dcc, html
from dashboards.request_context import Viewer, app_state, current_viewer
from tracker.cohort.self_assessment_change import ItemChange
from tracker.cohort.self_assessment_view import PersonView, cohort_view, person_view
from tracker.errors import SelfAssessmentError
from tracker.privacy.retention import local_today
from tracker.programme.questionnaire import Item, Questionnaire
from tracker.programme.self_assessment import Round, submit
from tracker.store.models import Cohort, Person, PersonRef, Tandem
from tracker.store.read_arrays import PersonRead

logger = logging.getLogger(__name__)


def _round_name(key: str, lang: str) -> str:
    return t(f"sa.round.{key}", lang)


def _measured(measure: str, value: float | None, lang: str) -> str:
    if measure == "consistency":  # a share of weeks: whole percent read best
        return "–" if value is None else f"{fmt_decimal(value * 100, lang, 0)} %"
    if measure == "platforms":
        return fmt_int(value, lang)
    return fmt_decimal(value, lang)


def _bar(value: int | None, q: Questionnaire, kind: str) -> Any:
    """A value as a bar of the scale with its number (the number is what is read out)."""
    if value is None:
        return html.Span("–", className="sa-value")
    share = (value - q.low + 1) / (q.high - q.low + 1) * 100
    return html.Span(
        [
            html.Span(
                html.Span(className=f"sa-fill sa-{kind}", style={"width": f"{share:.0f}%"}),
                # Empty and decorative: screen readers read the number beside it.
                className="sa-track",
            ),
            html.Span(f"{value}", className="sa-value"),
        ],
        className="sa-bar",
    )


def _item_chart(item: Item, view: PersonView, lang: str) -> Any:
    """One item: a row per begun round with her value, her mentor's and the measured figure."""
    q = view.questionnaire
    begun = [r for r in view.rounds if r.state != "upcoming"]
    head = [html.Th(t("sa.col.round", lang)), html.Th(t("sa.col.self", lang))]
    if view.rated:
        head.append(html.Th(t("sa.col.mentor", lang)))
    if item.measure:
        head.append(html.Th(t("sa.col.measured", lang), className="num"))
    rows = []
    for r in begun:
        cells = [
            html.Th(_round_name(r.round.key, lang), scope="row"),
            html.Td(_bar(r.values.get(item.id) if r.values else None, q, "self")),
        ]
        if view.rated:
            mentor = r.mentor_values.get(item.id) if r.mentor_values else None
            cells.append(html.Td(_bar(mentor, q, "mentor")))
        if item.measure:
            figure = r.measured.get(item.measure) if r.measured else None
            cells.append(html.Td(_measured(item.measure, figure, lang), className="num"))
        rows.append(html.Tr(cells))
    title: list[Any] = [html.H4(item.text(lang))]
    if item.measure:
        what = t(f"sa.measure.{item.measure}", lang)
        title.append(html.P(t("sa.measured_as", lang, what=what), className="muted small"))
    return html.Div(
        [
            *title,
            html.Table([html.Thead(html.Tr(head)), html.Tbody(rows)], className="sa-table"),
        ],
        className="sa-item",
    )


def results(view: PersonView, lang: str) -> list[Any]:
    """Her answers round by round, one small chart per item, and her free-text wishes."""
    if not view.answered and not view.rated:
        return [html.P(t("sa.no_answers", lang), className="muted")]
    charts = [_item_chart(item, view, lang) for item in view.questionnaire.items]
    out: list[Any] = [html.Div(charts, className="sa-multiples")]
    if any(i.measure for i in view.questionnaire.items):
        out.append(html.P(t("sa.measured_note", lang), className="muted small"))
    wishes = [
        html.Li([html.Strong(f"{_round_name(r.round.key, lang)}: "), html.Span(r.text)])
        for r in view.rounds
        if r.text
    ]
    if wishes:
        out += [
            html.H4(view.questionnaire.free_text.text(lang)),
            html.Ul(wishes, className="sa-wishes"),
        ]
    return out


def _form(
    prefix: str,
    q: Questionnaire,
    chosen: Round,
    values: Mapping[str, int | None] | None,
    text: str | None,
    lang: str,
    free_text: bool,
    save_label: str,
) -> list[Any]:
    """One fieldset per item (legend: the statement; a radio per scale point), the free-text
    line with its label, a save button and a message region read out on change."""
    scale = [{"label": str(v), "value": v} for v in range(q.low, q.high + 1)]
    fields: list[Any] = [
        dcc.Store(id=f"{prefix}sa-round", data=chosen.key),
        html.P(t("sa.scale_hint", lang, low=q.low, high=q.high), className="muted small"),
    ]
    for position, item in enumerate(q.items, start=1):
        fields.append(
            html.Fieldset(
                [
                    html.Legend(f"{position}. {item.text(lang)}"),
                    dcc.RadioItems(
                        id={"type": f"{prefix}sa-value", "item": item.id},
                        options=scale,  # type: ignore[arg-type]
                        value=(values or {}).get(item.id),
                        inline=True,
                        className="sa-scale",
                        inputClassName="sa-radio",
                        labelClassName="sa-choice",
                    ),
                ],
                className="sa-field",
            )
        )
    if free_text:
        limit = q.free_text.max_length
        fields += [
            html.Label(
                [
                    q.free_text.text(lang),
                    html.Span(f" ({t('sa.free_text_hint', lang, limit=limit)})", className="muted"),
                ],
                htmlFor=f"{prefix}sa-text",
                className="sa-label",
            ),
            dcc.Textarea(
                id=f"{prefix}sa-text", value=text or "", maxLength=limit, className="sa-text"
            ),
        ]
    fields += [
        html.Button(save_label, id=f"{prefix}sa-save", className="primary sa-save", n_clicks=0),
        html.Div(id=f"{prefix}sa-message", className="message", role="status"),
    ]
    return fields


def mentee_section(
    session: Session,
    person: Person | PersonRef,
    own: bool,
    lang: str,
    read: PersonRead | None = None,
    events: Sequence[tuple[date, str]] | None = None,
    dates: tuple[date, date] | None = None,
) -> tuple[list[Any], list[Any]]:
    """For "Mein Fortschritt": a prompt for the top of the page while a round is open (her own
    page only), and the self-assessment card with the form and her answers over time. Both
    empty when there is nothing to ask; ``person`` is authorised by the caller; ``read``,
    ``events`` and ``dates``: her rows, her cohort's (day, kind) of its events and its first and
    last day, read by the page already."""
    view = person_view(session, app_state().config, person, read, events, dates)
    if view is None:
        return [], []
    top: list[Any] = []
    body: list[Any] = [html.H3(t("sa.title", lang))]
    if own and view.open is not None:
        current = view.round_view(view.open.key)
        at = t(f"sa.at.{view.open.key}", lang)
        closes = fmt_date(view.open.closes, lang)
        if current is not None and current.submitted_at is not None:
            prompt = t(
                "sa.prompt_answered",
                lang,
                at=at,
                closes=closes,
                when=fmt_datetime(current.submitted_at, lang),
            )
        else:
            prompt = t("sa.prompt", lang, at=at, closes=closes)
        top.append(
            html.P(
                [prompt, " ", html.A(t("sa.to_form", lang), href="#self-assessment")],
                className="sa-prompt",
                id="progress-sa-prompt",
            )
        )
        body.append(
            html.Details(
                [
                    html.Summary(
                        t("sa.change" if current and current.submitted_at else "sa.fill_in", lang)
                    ),
                    html.Div(
                        _form(
                            "progress-",
                            view.questionnaire,
                            view.open,
                            current.values if current else None,
                            current.text if current else None,
                            lang,
                            free_text=True,
                            save_label=t("sa.save", lang),
                        ),
                        className="sa-form",
                    ),
                ],
                open=current is None or current.submitted_at is None,
                className="sa-details",
            )
        )
    elif own and view.next_round is not None:
        nxt = view.next_round
        body.append(
            html.P(
                t(
                    "sa.next",
                    lang,
                    round=_round_name(nxt.key, lang),
                    opens=fmt_date(nxt.opens, lang),
                ),
                className="muted",
            )
        )
    body += [
        html.H4(t("sa.results", lang)),
        html.Div(results(view, lang), id="progress-sa-results"),
    ]
    return top, [html.Section(body, className="card sa-card", id="self-assessment")]


def tandem_section(session: Session, viewer: Viewer | None, tandem: Tandem, lang: str) -> list[Any]:
    """The mentee's self-assessment and wishes for her tandem page, and the mentor's own rating
    form while a round is open (for the tandem's mentor only); ``tandem`` is authorised."""
    view = person_view(session, app_state().config, tandem.mentee)
    if view is None:
        return []
    body: list[Any] = [html.H3(t("sa.results_of", lang))]
    mentor = viewer is not None and viewer.role == "mentor" and viewer.person_id == tandem.mentor_id
    if mentor and view.open is not None and view.questionnaire.mentor_rating:
        current = view.round_view(view.open.key)
        body.append(
            html.Details(
                [
                    html.Summary(
                        t(
                            "sa.mentor_form",
                            lang,
                            at=t(f"sa.at.{view.open.key}", lang),
                            closes=fmt_date(view.open.closes, lang),
                        )
                    ),
                    html.Div(
                        _form(
                            "tandem-",
                            view.questionnaire,
                            view.open,
                            current.mentor_values if current else None,
                            None,
                            lang,
                            free_text=False,
                            save_label=t("sa.mentor_save", lang),
                        ),
                        className="sa-form",
                    ),
                ],
                className="sa-details",
            )
        )
    body.append(html.Div(results(view, lang), id="tandem-sa-results"))
    return [html.Section(body, className="card sa-card", id="self-assessment")]


def cohort_card(session: Session, cohort: Cohort, lang: str) -> list[Any]:
    """The cohort's median change per item from kickoff to closing, with n: no names, no free
    text. Empty when the questionnaire is off."""
    config = app_state().config
    found = cohort_view(session, config, cohort)
    if found is None:
        return []
    end, changes = found
    return [
        html.Section(
            [
                html.H3(t("sa.cohort" if end == "closing" else "sa.cohort_midpoint", lang)),
                html.P(t("sa.cohort_note", lang), className="muted"),
                # On a phone the table scrolls within its card, not the page.
                html.Div(
                    change_table(changes, config.self_assessment, lang, end), className="sa-scroll"
                ),
            ],
            className="card",
            id="programme-self-assessment",
        )
    ]


def change_table(
    changes: Sequence[ItemChange], q: Questionnaire, lang: str, end: str = "closing"
) -> Any:
    head = html.Tr(
        [
            html.Th(t("sa.col.item", lang)),
            html.Th(_round_name("kickoff", lang), className="num"),
            html.Th(_round_name(end, lang), className="num"),
            html.Th(t("sa.col.change", lang), className="num"),
            html.Th(t("sa.col.n", lang), className="num"),
        ]
    )
    rows = []
    for change in changes:
        item = q.item(change.item)
        signed = fmt_decimal(change.median_change, lang)
        if change.median_change is not None and change.median_change > 0:
            signed = f"+{signed}"
        rows.append(
            html.Tr(
                [
                    html.Td(item.text(lang) if item else change.item),
                    html.Td(fmt_decimal(change.median_start, lang), className="num"),
                    html.Td(fmt_decimal(change.median_end, lang), className="num"),
                    html.Td(signed, className="num"),
                    html.Td(fmt_int(change.n, lang), className="num"),
                ]
            )
        )
    return html.Table([html.Thead(head), html.Tbody(rows)], className="data")


def _values(values: Any, ids: Any) -> dict[str, object]:
    """The radio values the browser sent, by item id (anything malformed is passed on for the
    tracker to refuse with a message)."""
    out: dict[str, object] = {}
    if not isinstance(values, list) or not isinstance(ids, list):
        return out
    for value, ident in zip(values, ids, strict=False):
        item = ident.get("item") if isinstance(ident, dict) else None
        if isinstance(item, str):
            out[item] = value
    return out


def _error_text(exc: SelfAssessmentError, lang: str) -> str:
    details = exc.details
    name = _round_name(str(details.get("round", "")), lang) if details.get("round") else ""
    if exc.reason == "closed":
        return t("sa.error.closed", lang, round=name, closes=fmt_date(details["closes"], lang))  # type: ignore[arg-type]
    if exc.reason == "not_open":
        return t("sa.error.not_open", lang, round=name, opens=fmt_date(details["opens"], lang))  # type: ignore[arg-type]
    if exc.reason == "too_long":
        return t("sa.error.too_long", lang, limit=details.get("limit"))
    if exc.reason == "empty":
        return t("sa.error.empty", lang)
    return t("sa.error.other", lang)


def save_answers(
    _clicks: Any, person_key: Any, round_key: Any, values: Any, ids: Any, text: Any
) -> Any:
    """Store the mentee's answers to the open round: only she answers for herself."""
    lang = current_language()
    viewer = current_viewer()
    config = app_state().config
    with app_state().db.write() as session:
        try:
            person = authorize_person(session, viewer, person_key, "callback.self_assessment")
            if viewer is None or viewer.person_id != person.id:
                raise AccessDenied("only she answers for herself")
        except AccessDenied:
            return denied(lang), dash.no_update
        try:
            submit(
                session,
                config.self_assessment,
                person=person,
                round_key=str(round_key),
                values=_values(values, ids),
                text=text,
                today=local_today(config),
                now=utcnow(),
            )
        except SelfAssessmentError as exc:
            return html.Span(_error_text(exc, lang), className="error"), dash.no_update
        view = person_view(session, config, person)
    return t("sa.saved", lang), results(view, lang) if view else []


def save_rating(_clicks: Any, tandem_id: Any, round_key: Any, values: Any, ids: Any) -> Any:
    """Store the mentor's rating of her mentee: only the tandem's own mentor rates."""
    lang = current_language()
    viewer = current_viewer()
    config = app_state().config
    with app_state().db.write() as session:
        try:
            tandem = authorize_tandem(
                session, viewer, tandem_id, "callback.self_assessment", write=True
            )
            if viewer is None or viewer.role != "mentor" or viewer.person_id != tandem.mentor_id:
                raise AccessDenied("only the tandem's mentor rates")
        except AccessDenied:
            return denied(lang), dash.no_update
        try:
            submit(
                session,
                config.self_assessment,
                person=tandem.mentee,
                round_key=str(round_key),
                values=_values(values, ids),
                today=local_today(config),
                now=utcnow(),
                rater="mentor",
                rater_id=tandem.mentor_id,
            )
        except SelfAssessmentError as exc:
            return html.Span(_error_text(exc, lang), className="error"), dash.no_update
        view = person_view(session, config, tandem.mentee)
    return t("sa.saved", lang), results(view, lang) if view else []


# Dash re-imports the page modules for every app it builds, but not this module: each page
# registers its callback by calling one of these at import, so every app gets it once.


def register_answer_callback() -> None:
    """The mentee's "save answers" on "Mein Fortschritt" (called by pages/progress.py)."""
    callback(
        Output("progress-sa-message", "children"),
        Output("progress-sa-results", "children"),
        Input("progress-sa-save", "n_clicks"),
        State("progress-person", "data"),
        State("progress-sa-round", "data"),
        State({"type": "progress-sa-value", "item": ALL}, "value"),
        State({"type": "progress-sa-value", "item": ALL}, "id"),
        State("progress-sa-text", "value"),
        prevent_initial_call=True,
    )(save_answers)


def register_rating_callback() -> None:
    """The mentor's "save rating" on the tandem page (called by pages/tandem.py)."""
    callback(
        Output("tandem-sa-message", "children"),
        Output("tandem-sa-results", "children"),
        Input("tandem-sa-save", "n_clicks"),
        State("tandem-choice", "value"),
        State("tandem-sa-round", "data"),
        State({"type": "tandem-sa-value", "item": ALL}, "value"),
        State({"type": "tandem-sa-value", "item": ALL}, "id"),
        prevent_initial_call=True,
    )(save_rating)
