"""Status page for coordinators: poll health per platform and account, accounts needing action,
and the poller's last heartbeat."""

from __future__ import annotations

from collections import Counter
from typing import Any

import dash
from dash import html

from connectors.base import utcnow
from dashboards.context import app_state, current_viewer
from dashboards.i18n import current_language, fmt_datetime, fmt_int, platform_label, t
from dashboards.pages.common import denied
from dashboards.scope import AccessDenied, audit, require_role
from tracker.heartbeat import read_health
from tracker.status import account_statuses

dash.register_page(__name__, path="/status", name="Datenstatus", order=4)

PROBLEM_OUTCOMES = ("not_found", "unavailable", "auth_failed", "error", "rate_limited")


def layout(**_: Any) -> Any:
    lang = current_language()
    try:
        viewer = require_role(current_viewer(), "coordinator")
    except AccessDenied:
        return denied(lang)
    state = app_state()
    health = read_health(state.db)
    with state.db.session() as session:
        rows = account_statuses(session, utcnow())
    audit(viewer, None, "page.status")
    age = health.heartbeat_age_seconds
    heartbeat = t("status.never", lang) if age is None else f"{fmt_int(age / 60, lang)} min"
    ok: Counter[str] = Counter()
    bad: Counter[str] = Counter()
    for r in rows:
        problem = r.state != "active" or (r.last_outcome in PROBLEM_OUTCOMES)
        (bad if problem else ok)[r.platform] += 1
    platforms = sorted(set(ok) | set(bad))
    per_platform = html.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(t("col.platform", lang)),
                        html.Th(t("col.ok", lang), className="num"),
                        html.Th(t("col.problems", lang), className="num"),
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(platform_label(p)),
                            html.Td(fmt_int(ok[p], lang), className="num"),
                            html.Td(
                                fmt_int(bad[p], lang),
                                className="num state-bad" if bad[p] else "num",
                            ),
                        ]
                    )
                    for p in platforms
                ]
            ),
        ],
        className="data",
    )
    needing = [r for r in rows if r.action]
    actions: Any = html.P(t("status.no_actions", lang), className="state-ok")
    if needing:
        actions = html.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th(t("col.person", lang)),
                            html.Th(t("col.platform", lang)),
                            html.Th(t("col.handle", lang)),
                            html.Th(t("col.state", lang)),
                            html.Th(t("col.last_poll", lang)),
                            html.Th(t("col.action", lang)),
                        ]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(r.person_name),
                                html.Td(platform_label(r.platform)),
                                html.Td(r.handle),
                                html.Td(
                                    r.state, className="state-bad" if r.state != "active" else ""
                                ),
                                html.Td(fmt_datetime(r.last_attempt, lang)),
                                html.Td(r.action),
                            ]
                        )
                        for r in needing
                    ]
                ),
            ],
            className="data",
            id="status-actions",
        )
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
                        ],
                        className="card",
                    ),
                    html.Section(
                        [html.H3(t("status.platforms", lang)), per_platform], className="card"
                    ),
                ],
                className="row two",
            ),
            html.Section([html.H3(t("status.actions", lang)), actions], className="card"),
        ],
        className="page page-status",
    )
