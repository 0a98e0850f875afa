"""The progress of one mentee as Dash components: charts with programme events, the
"since the last workshop" summary, milestones, goals, explanations and notes.

Shared by the mentee page and the tandem page. Text from people and platforms is passed to Dash
as plain strings (React escapes them); figures escape their own labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dash import dcc, html
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dashboards.charts import line_figure
from dashboards.i18n import fmt_date, fmt_int, platform_label, plural, t
from dashboards.progress.period_data import RANGES, ProgressData
from tracker import explain
from tracker.store.models import CheckinNote, Tandem

GRAPH_CONFIG: Any = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


@dataclass(frozen=True)
class Note:
    """A dated check-in note as the pages show it."""

    on: date
    text: str


# Built once (bound per call): the notes are read on every page view, and building a statement
# costs about as much as running it. Newest first; only the columns shown.
_NOTES_OF_TANDEM = (
    select(CheckinNote.on, CheckinNote.text)
    .where(CheckinNote.tandem_id == bindparam("tandem"))
    .order_by(CheckinNote.on.desc(), CheckinNote.id.desc())
)
_NOTES_OF_MENTEE = (
    select(CheckinNote.on, CheckinNote.text)
    .join(Tandem, Tandem.id == CheckinNote.tandem_id)
    .where(Tandem.mentee_id == bindparam("mentee"))
    .order_by(CheckinNote.on.desc(), CheckinNote.id.desc())
)


def tandem_notes(session: Session, tandem_id: int) -> list[Note]:
    """The check-in notes of one tandem, newest first."""
    rows = session.connection().execute(_NOTES_OF_TANDEM, {"tandem": tandem_id})
    return [Note(on, text) for on, text in rows]


def mentee_notes(session: Session, mentee_id: int) -> list[Note]:
    """The check-in notes of every tandem of one mentee, newest first."""
    rows = session.connection().execute(_NOTES_OF_MENTEE, {"mentee": mentee_id})
    return [Note(on, text) for on, text in rows]


def range_selector(component_id: str, lang: str, value: str = "all") -> Any:
    return html.Div(
        [
            html.Span(t("progress.range", lang), className="label"),
            dcc.RadioItems(
                id=component_id,
                options=[{"label": t(f"range.{r}", lang), "value": r} for r in RANGES],
                value=value,
                inline=True,
                className="range",
            ),
        ],
        className="range-row",
    )


def explanation(metric: str, lang: str) -> Any:
    """A plain-language explanation of a metric, folded under "What does this mean?"."""
    try:
        text = explain.explain_metric(metric, lang).text
    except KeyError:
        text = t(f"explain.{metric}", lang)
    return html.Details([html.Summary(t("explain.more", lang)), html.P(text)], className="explain")


def _chart(graph_id: str, title: str, figure: dict[str, Any], metric: str, lang: str) -> Any:
    return html.Section(
        [
            html.H3(title),
            dcc.Graph(
                id=graph_id,
                figure=figure,
                config=GRAPH_CONFIG,
                className="chart",
                style={"height": f"{figure['layout']['height']}px"},
            ),
            explanation(metric, lang),
        ],
        className="card",
    )


def _since(data: ProgressData, lang: str) -> Any:
    items: list[Any] = []
    if data.since_event is None:
        items.append(html.P(t("since.none", lang)))
    else:
        ev = data.since_event
        items.append(
            html.P(
                t("since.event", lang, title=ev.title, date=fmt_date(ev.day, lang)),
                className="muted",
            )
        )
        rows = []
        for row in data.since:
            label = platform_label(row.platform)
            if row.delta is None:
                followers = t("since.unknown", lang, platform=label)
            else:
                delta = fmt_int(row.delta, lang, True)
                followers = plural("since.followers", row.delta, lang, platform=label, delta=delta)
            rows.append(
                html.Li(
                    [
                        html.Strong(followers),
                        html.Span(
                            " · "
                            + plural("since.posts", row.posts, lang, count=fmt_int(row.posts, lang))
                        ),
                    ]
                )
            )
        items.append(html.Ul(rows, className="since-list"))
    return html.Section([html.H3(t("since.title", lang)), *items], className="card since")


def _milestones(data: ProgressData, lang: str) -> Any:
    if not data.milestones:
        body: Any = html.P(t("milestones.none", lang))
    else:
        body = html.Ul(
            [html.Li(explain.describe_milestone(m, lang)) for m in reversed(data.milestones[-12:])],
            className="milestones",
        )
    return html.Section([html.H3(t("milestones.title", lang)), body], className="card")


def goal_items(data: ProgressData, lang: str, editable: bool = False, prefix: str = "") -> Any:
    if not data.goals:
        return html.P(t("goals.none", lang))
    items = []
    for goal in data.goals:
        status = explain.status_label(goal.status, lang)
        parts: list[Any] = [
            html.Span(status.title, className=f"badge badge-{goal.status}", title=status.text),
            html.Span(goal.title, className="goal-title"),
        ]
        if goal.due is not None:
            parts.append(html.Span(" " + t("goals.due", lang, date=fmt_date(goal.due, lang))))
        if goal.evidence:
            parts.append(
                html.Div(
                    "; ".join(explain.evidence_text(e, lang) for e in goal.evidence),
                    className="muted small",
                )
            )
        if editable and goal.kind == "manual" and goal.status != "reached":
            parts.append(
                html.Button(
                    t("goals.mark_done", lang),
                    id={"type": f"{prefix}goal-done", "goal": goal.goal_id},
                    className="small-button",
                )
            )
        items.append(html.Li(parts, className="goal"))
    return html.Ul(items, className="goals")


def notes_list(notes: Sequence[Note], lang: str) -> Any:
    if not notes:
        return html.P(t("notes.none", lang))
    return html.Ul(
        [
            html.Li([html.Strong(fmt_date(n.on, lang) + ": "), html.Span(n.text)], className="note")
            for n in notes
        ],
        className="notes",
    )


def progress_body(data: ProgressData, lang: str, prefix: str) -> list[Any]:
    """The charts and summaries of one mentee (ids prefixed with the page's name)."""
    followers = line_figure(data.followers, data.events, lang, t("col.followers", lang))
    posts = line_figure(
        data.posts_weekly, data.events, lang, t("admin.manual_posts", lang), kind="bar"
    )
    engagement = line_figure(data.engagement, data.events, lang, "%")
    gap_notes = [
        html.P(
            t(
                "gap.note",
                lang,
                platform=platform_label(g.platform),
                start=fmt_date(g.start, lang),
                end=fmt_date(g.end, lang),
            ),
            className="gap-note",
        )
        for g in data.gaps
    ]
    follower_card = _chart(
        f"{prefix}followers", t("chart.followers", lang), followers, "followers", lang
    )
    follower_card.children.insert(2, html.Div(gap_notes, className="gap-notes"))
    return [
        html.Div([_since(data, lang), _milestones(data, lang)], className="row two"),
        follower_card,
        html.Div(
            [
                _chart(f"{prefix}posts", t("chart.posts", lang), posts, "posts_per_week", lang),
                _chart(
                    f"{prefix}engagement",
                    t("chart.engagement", lang),
                    engagement,
                    "engagement",
                    lang,
                ),
            ],
            className="row two",
        ),
    ]
