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

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dashboards.charts import line_figure
from dashboards.charts.event_marks import EVENT_COLOURS, event_label
from dashboards.i18n import fmt_date, fmt_decimal, fmt_int, fmt_percent, platform_label, plural, t
from dashboards.progress.elements import dcc, html
from dashboards.progress.period_data import RANGES, ChartData, ProgressData
from tracker import explain
from tracker.cohort.since_kickoff import AccountSince, SinceKickoff
from tracker.store import cursor
from tracker.store.models import CheckinNote, Tandem

# The toolbar keeps two buttons: save as PNG and reset the view. Nothing that could send the data
# elsewhere (no cloud, share or edit buttons).
MODEBAR_BUTTONS = [["toImage", "resetScale2d"]]


def graph_config(lang: str) -> Any:
    """The Plotly config of every chart: the two buttons, in the viewer's language."""
    return {
        "displaylogo": False,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "showLink": False,
        "modeBarButtons": MODEBAR_BUTTONS,
        "locale": "de" if lang == "de" else "en",
        "toImageButtonOptions": {"format": "png", "scale": 2},
        "scrollZoom": False,
    }


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
    rows = cursor.prepared(session.connection(), _NOTES_OF_MENTEE, {"mentee": mentee_id})
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


def _followers_line(acc: AccountSince, lang: str) -> Any:
    growth = acc.growth
    if growth.start_value is None or growth.end_value is None:
        return html.P(t("kickoff.no_count", lang), className="muted")
    change = fmt_int(growth.absolute, lang, True)
    if growth.percent is not None:
        change += ", " + fmt_percent(growth.percent / 100, lang, True)
    return html.P(
        [
            html.Span(t("kickoff.followers", lang) + ": ", className="figure-label"),
            html.Span(
                f"{fmt_int(growth.start_value, lang)} → {fmt_int(growth.end_value, lang)}",
                className="figure",
            ),
            " ",
            html.Strong(f"({change})", className="figure-change"),
        ]
    )


def _posts_line(acc: AccountSince, lang: str) -> Any:
    before = fmt_decimal(acc.posts_per_week_before, lang)
    now = fmt_decimal(acc.posts_per_week_now, lang)
    return html.P(
        [
            html.Span(t("kickoff.posts", lang) + ": ", className="figure-label"),
            html.Span(f"{before} ", className="figure"),
            html.Span(f"({t('kickoff.posts_before', lang)})", className="muted"),
            " → ",
            html.Span(f"{now} ", className="figure"),
            html.Span(f"({t('kickoff.posts_now', lang)})", className="muted"),
        ]
    )


def since_kickoff_card(since: SinceKickoff | None, lang: str, prefix: str) -> Any:
    """ "Seit dem Auftakt": per account the followers then and now, posts per week before the
    programme and now, the next goal and the latest milestone, all as text (no hovering)."""
    children: list[Any] = [html.H2(t("kickoff.title", lang))]
    if since is None or not since.accounts:
        children.append(html.P(t("kickoff.none", lang)))
        return html.Section(children, className="card kickoff", id=f"{prefix}kickoff")
    children.append(
        html.P(
            t(
                "kickoff.period",
                lang,
                kickoff=fmt_date(since.kickoff, lang),
                reference=fmt_date(since.reference, lang),
            ),
            className="muted",
        )
    )
    children.append(
        html.Ul(
            [
                html.Li(
                    [
                        html.H3(platform_label(acc.platform, lang)),
                        _followers_line(acc, lang),
                        _posts_line(acc, lang),
                    ],
                    className="kickoff-account",
                )
                for acc in since.accounts
            ],
            className="kickoff-list",
        )
    )
    goal = since.next_goal
    goal_text = t("kickoff.no_goal", lang)
    if goal is not None:
        goal_text = goal.title
        if goal.due is not None:
            goal_text += " " + t("goals.due", lang, date=fmt_date(goal.due, lang))
    children.append(
        html.P([html.Strong(t("kickoff.next_goal", lang) + ": "), html.Span(goal_text)])
    )
    latest = since.latest_milestone
    children.append(
        html.P(
            [
                html.Strong(t("kickoff.latest", lang) + ": "),
                html.Span(
                    explain.describe_milestone(latest, lang)
                    if latest is not None
                    else t("milestones.none", lang)
                ),
            ]
        )
    )
    return html.Section(children, className="card kickoff", id=f"{prefix}kickoff")


def events_legend(charts: ChartData, lang: str) -> Any:
    """The numbered events of the charts by name and date, as text of normal size."""
    if not charts.events:
        return None
    return html.Div(
        [
            html.Span(t("events.title", lang) + ":", className="events-title"),
            html.Ol(
                [
                    html.Li(
                        [
                            html.Span(
                                str(number),
                                className="event-number",
                                style={
                                    "borderColor": EVENT_COLOURS.get(
                                        ev.kind, EVENT_COLOURS["other"]
                                    )
                                },
                            ),
                            f"{event_label(ev.kind, ev.title, lang)}, {fmt_date(ev.day, lang)}",
                        ],
                        className="event-item",
                    )
                    for number, ev in enumerate(charts.events, start=1)
                ],
                className="events-legend",
            ),
        ],
        className="events",
    )


def _chart(
    graph_id: str,
    title: str,
    figure: dict[str, Any],
    metric: str,
    lang: str,
    legend: Any = None,
    notes: Any = None,
) -> Any:
    return html.Section(
        [
            html.H3(title),
            dcc.Graph(
                id=graph_id,
                figure=figure,
                config=graph_config(lang),
                className="chart",
                style={"height": f"{figure['layout']['height']}px"},
            ),
            *([notes] if notes is not None else []),
            *([legend] if legend is not None else []),
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
            label = platform_label(row.platform, lang)
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


def progress_charts(charts: ChartData, lang: str, prefix: str) -> list[Any]:
    """The charts of one period (ids prefixed with the page's name): all that a change of the
    period redraws."""
    axis: dict[str, Any] = {"x_range": charts.axis, "numbered_events": True}
    followers = line_figure(charts.followers, charts.events, lang, t("col.followers", lang), **axis)
    posts = line_figure(
        charts.posts_weekly, charts.events, lang, t("admin.manual_posts", lang), kind="bar", **axis
    )
    engagement = line_figure(charts.engagement, charts.events, lang, "%", **axis)
    legend = events_legend(charts, lang)
    gap_notes = [
        html.P(
            t(
                "gap.note",
                lang,
                platform=platform_label(g.platform, lang),
                start=fmt_date(g.start, lang),
                end=fmt_date(g.end, lang),
            ),
            className="gap-note",
        )
        for g in charts.gaps
    ]
    follower_card = _chart(
        f"{prefix}followers",
        t("chart.followers", lang),
        followers,
        "followers",
        lang,
        legend,
        html.Div(gap_notes, className="gap-notes"),
    )
    return [
        follower_card,
        html.Div(
            [
                _chart(
                    f"{prefix}posts",
                    t("chart.posts", lang),
                    posts,
                    "posts_per_week",
                    lang,
                    legend,
                ),
                _chart(
                    f"{prefix}engagement",
                    t("chart.engagement", lang),
                    engagement,
                    "engagement",
                    lang,
                    legend,
                ),
            ],
            className="row two",
        ),
    ]


def progress_body(data: ProgressData, lang: str, prefix: str) -> list[Any]:
    """The charts and summaries of one mentee (ids prefixed with the page's name); the charts
    in a box of their own (``<prefix>charts``), which a change of the period replaces."""
    return [
        since_kickoff_card(data.since_kickoff, lang, prefix),
        html.Div([_since(data, lang), _milestones(data, lang)], className="row two"),
        html.Div(progress_charts(data.charts, lang, prefix), id=f"{prefix}charts"),
    ]
