"""Status page for coordinators: poll health per platform and per account, paused platforms,
accounts needing action, and the poller's last heartbeat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
from dash import Input, Output, callback, html
from dash.dash_table.DataTable import DataTable

from connectors.base import utcnow
from dashboards.access import AccessDenied, audit, require_role
from dashboards.i18n import (
    current_language,
    fmt_datetime,
    fmt_int,
    label_of,
    platform_label,
    t,
)
from dashboards.pages.common import denied
from dashboards.request_context import app_state, current_viewer
from tracker.mail.delivery import LetterProblem, letter_problems
from tracker.ops.backup_schedule import BackupStatus, backup_status
from tracker.polling.heartbeat import read_health
from tracker.polling.poll_status import (
    AccountHealth,
    AccountStatus,
    PauseStatus,
    account_health,
    platform_health,
    platform_pauses,
)

dash.register_page(__name__, path="/status", name="Datenstatus", order=4)

TABLE_ID = "status-accounts"
PAGE_SIZE = 50


# Column id -> (heading key, the raw value the column sorts by).
COLUMNS: dict[str, tuple[str, Callable[[AccountHealth], Any]]] = {
    "person": ("col.person", lambda a: a.status.person_name.casefold()),
    "platform": ("col.platform", lambda a: platform_label(a.status.platform)),
    "handle": ("col.handle", lambda a: a.status.handle.casefold()),
    "state": ("col.state", lambda a: a.status.state),
    "consent": ("col.consent", lambda a: a.status.consent),
    "last_success": ("col.last_success", lambda a: a.counts.last_success),
    "last_attempt": ("col.last_attempt", lambda a: a.status.last_attempt),
    "outcome": ("col.outcome", lambda a: a.status.last_outcome),
    "failures": ("col.failures_7d", lambda a: a.counts.failures),
    "attempts": ("col.attempts_7d", lambda a: a.counts.attempts),
    "followers": ("col.followers", lambda a: a.status.followers),
    "last_data": ("col.last_data", lambda a: a.status.last_snapshot),
    "baseline": ("col.baseline", lambda a: a.status.baseline),
}
NUMERIC = ("failures", "attempts", "followers")


def sort_lines(lines: list[AccountHealth], sort_by: Any) -> list[AccountHealth]:
    """``lines`` in the order the table's ``sort_by`` asks for; unknown values are always last.

    ``sort_by`` comes from the browser: anything that is not a known column and direction
    leaves the order as it is."""
    if not isinstance(sort_by, list) or not sort_by or not isinstance(sort_by[0], dict):
        return lines
    column, direction = sort_by[0].get("column_id"), sort_by[0].get("direction")
    if column not in COLUMNS or direction not in ("asc", "desc"):
        return lines
    value = COLUMNS[column][1]
    known = [line for line in lines if value(line) is not None]
    unknown = [line for line in lines if value(line) is None]
    return sorted(known, key=value, reverse=direction == "desc") + unknown


def table_record(line: AccountHealth, lang: str) -> dict[str, str]:
    """One table row as text in ``lang``; unknown counts and times are a dash, never 0."""
    s, c = line.status, line.counts
    if s.baseline is None:
        baseline = t("status.baseline_na", lang)
    else:
        baseline = t("yes" if s.baseline else "no", lang)
    return {
        "person": s.person_name,
        "platform": platform_label(s.platform),
        "handle": s.handle,
        "state": label_of("state", s.state, lang),
        "consent": t("yes" if s.consent else "no", lang),
        "last_success": fmt_datetime(c.last_success, lang),
        "last_attempt": fmt_datetime(s.last_attempt, lang),
        "outcome": label_of("outcome", s.last_outcome, lang),
        "failures": fmt_int(c.failures, lang),
        "attempts": fmt_int(c.attempts, lang),
        "followers": fmt_int(s.followers, lang),
        "last_data": fmt_datetime(s.last_snapshot, lang),
        "baseline": baseline,
    }


def _table(lines: list[AccountHealth], lang: str) -> Any:
    # Sorting runs on the server (sort_action "custom") so that dates and counts sort by value,
    # not by their formatted text; filtering runs in the browser on the text shown.
    bad = [label_of("state", s, lang) for s in ("not_found", "unavailable", "auth_failed")]
    records: list[Any] = [table_record(line, lang) for line in lines]
    return DataTable(
        id=TABLE_ID,
        columns=[{"name": t(heading, lang), "id": cid} for cid, (heading, _v) in COLUMNS.items()],
        data=records,
        sort_action="custom",
        sort_mode="single",
        sort_by=[],
        filter_action="native",
        filter_options={"case": "insensitive", "placeholder_text": t("status.filter", lang)},
        page_action="native",
        page_size=PAGE_SIZE,
        style_table={"overflowX": "auto"},
        style_cell={
            "textAlign": "left",
            "padding": "0.3rem 0.5rem",
            "whiteSpace": "normal",
            "fontFamily": "inherit",
            "fontSize": "0.9rem",
        },
        style_cell_conditional=[{"if": {"column_id": c}, "textAlign": "right"} for c in NUMERIC],
        style_header={"fontWeight": "600"},
        style_data_conditional=[
            {
                "if": {"filter_query": f'{{state}} = "{label}"', "column_id": "state"},
                "color": "#b42318",
            }
            for label in bad
        ],
    )


def _cell_table(headings: list[tuple[str, bool]], rows: list[list[Any]], **kwargs: Any) -> Any:
    """A plain table; ``headings`` are (text, numeric) pairs, cells are text or components."""
    return html.Table(
        [
            html.Thead(
                html.Tr([html.Th(h, className="num" if num else "") for h, num in headings])
            ),
            html.Tbody([html.Tr(cells) for cells in rows]),
        ],
        className="data",
        **kwargs,
    )


def _per_platform(lines: list[AccountHealth], lang: str) -> Any:
    return _cell_table(
        [
            (t("col.platform", lang), False),
            (t("col.ok", lang), True),
            (t("col.problems", lang), True),
        ],
        [
            [
                html.Td(platform_label(p.platform)),
                html.Td(fmt_int(p.ok, lang), className="num"),
                html.Td(
                    fmt_int(p.problems, lang), className="num state-bad" if p.problems else "num"
                ),
            ]
            for p in platform_health(lines)
        ],
    )


def _pauses(pauses: list[PauseStatus], lang: str) -> Any:
    if not pauses:
        return html.P(t("status.no_paused", lang), className="state-ok")
    return _cell_table(
        [
            (t("col.scope", lang), False),
            (t("col.paused_until", lang), False),
            (t("col.reason", lang), False),
            (t("col.failures_in_row", lang), True),
        ],
        [
            [
                html.Td(platform_label(p.scope)),
                html.Td(fmt_datetime(p.until, lang)),
                html.Td(p.reason or "–"),
                html.Td(fmt_int(p.failures, lang), className="num"),
            ]
            for p in pauses
        ],
        id="status-paused",
    )


def _advice(status: AccountStatus, lang: str) -> str | None:
    """What to do, in the viewer's language."""
    key = status.advice_key
    return None if key is None else t(key, lang)


def _actions(lines: list[AccountHealth], lang: str) -> Any:
    needing = [line.status for line in lines if line.status.action]
    if not needing:
        return html.P(t("status.no_actions", lang), className="state-ok")
    return _cell_table(
        [
            (t(key, lang), False)
            for key in (
                "col.person",
                "col.platform",
                "col.handle",
                "col.state",
                "col.last_poll",
                "col.action",
            )
        ],
        [
            [
                html.Td(s.person_name),
                html.Td(platform_label(s.platform)),
                html.Td(s.handle),
                html.Td(
                    label_of("state", s.state, lang),
                    className="state-bad" if s.state != "active" else "",
                ),
                html.Td(fmt_datetime(s.last_attempt, lang)),
                html.Td(_advice(s, lang)),
            ]
            for s in needing
        ],
        id="status-actions",
    )


def _backup(status: BackupStatus, lang: str) -> list[Any]:
    """The last backup's time, marked when it is missing or older than two days."""
    when = (
        t("status.backup_none", lang)
        if status.last_at is None
        else fmt_datetime(status.last_at, lang)
    )
    parts: list[Any] = [
        html.H3(t("status.backup", lang)),
        html.P(when, id="status-backup", className="state-bad" if status.stale else "state-ok"),
    ]
    if not status.configured:
        parts.append(html.P(t("status.backup_unconfigured", lang), className="help"))
    return parts


def _letters(problems: list[LetterProblem], lang: str) -> Any:
    """Weekly letters that have not reached their reader, with the server's answer."""
    if not problems:
        return html.P(t("status.letters.none", lang), className="state-ok")
    return html.Ul(
        [
            html.Li(
                t(
                    "status.letters.line",
                    lang,
                    name=p.person_name,
                    week=p.week,
                    state=label_of("letter_state", p.status, lang),
                    attempts=p.attempts,
                    error=p.error or "",
                ),
                className="state-bad" if p.status == "given_up" else None,
            )
            for p in problems
        ],
        id="status-letters",
    )


def layout(**_: Any) -> Any:
    lang = current_language()
    try:
        viewer = require_role(current_viewer(), "coordinator")
    except AccessDenied:
        return denied(lang)
    state = app_state()
    now = utcnow()
    health = read_health(state.db, now)
    backup = backup_status(state.db, state.config, now)
    with state.db.session() as session:
        lines = account_health(session, now)
        pauses = platform_pauses(session, now)
        letters = letter_problems(session, now)
    audit(viewer, None, "page.status")
    age = health.heartbeat_age_seconds
    heartbeat = t("status.never", lang) if age is None else f"{fmt_int(age / 60, lang)} min"
    return html.Div(
        [
            html.H1(t("status.title", lang)),
            html.Div(
                [
                    html.Section(
                        [
                            html.H3(t("status.heartbeat", lang)),
                            html.P(
                                heartbeat,
                                className="state-ok" if health.status == "ok" else "state-bad",
                            ),
                            html.H3(t("status.last_success", lang)),
                            html.P(fmt_datetime(health.last_success_at, lang)),
                            *_backup(backup, lang),
                        ],
                        className="card",
                    ),
                    html.Section(
                        [html.H3(t("status.platforms", lang)), _per_platform(lines, lang)],
                        className="card",
                    ),
                ],
                className="row two",
            ),
            html.Section(
                [html.H3(t("status.paused", lang)), _pauses(pauses, lang)], className="card"
            ),
            html.Section(
                [html.H3(t("status.actions", lang)), _actions(lines, lang)], className="card"
            ),
            html.Section(
                [html.H3(t("status.letters", lang)), _letters(letters, lang)], className="card"
            ),
            html.Section(
                [
                    html.H3(t("status.accounts", lang)),
                    html.P(t("status.accounts_help", lang), className="help"),
                    _table(lines, lang),
                ],
                className="card",
            ),
        ],
        className="page page-status",
    )


@callback(
    Output(TABLE_ID, "data"),
    Input(TABLE_ID, "sort_by"),
    prevent_initial_call=True,
)
def sort_accounts(sort_by: Any) -> Any:
    """The account table re-read and sorted by the column the coordinator clicked."""
    lang = current_language()
    try:
        viewer = require_role(current_viewer(), "coordinator")
    except AccessDenied:
        return []
    now = utcnow()
    with app_state().db.session() as session:
        lines = account_health(session, now)
    audit(viewer, None, "callback.status")
    return [table_record(line, lang) for line in sort_lines(lines, sort_by)]
