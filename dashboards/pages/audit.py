"""Audit log: coordinators see every access; a mentee sees who viewed her data."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboards.i18n import current_language, fmt_datetime, label_of, t
from dashboards.pages.common import denied
from dashboards.request_context import app_state, current_viewer
from tracker.privacy import audit_entries
from tracker.privacy.audit_read import AuditRecord
from tracker.text import has_text

dash.register_page(__name__, path="/protokoll", name="Protokoll", order=6)


def what_happened(entry: AuditRecord, lang: str) -> str:
    """Where and what, in plain words ("Tandem-Seite (angesehen)"); the code itself for a
    surface the catalogue does not know."""
    # "page.programme:demo", "report:demo": the part before the colon says where.
    keys = (f"audit.surface.{entry.surface}", f"audit.surface.{entry.surface.split(':', 1)[0]}")
    key = next((k for k in keys if has_text(k)), None)
    if key is None:
        return f"{entry.surface} ({entry.action})"
    return t(
        "audit.entry",
        lang,
        surface=t(key, lang),
        action=label_of("audit.action", entry.action, lang),
    )


def _who(entry: AuditRecord) -> str:
    return entry.viewer_name or entry.viewer


def layout(**_: Any) -> Any:
    lang = current_language()
    viewer = current_viewer()
    if viewer is None:
        return denied(lang)
    db = app_state().db
    if viewer.role == "coordinator":
        title = t("audit.title", lang)
        entries = audit_entries(db, limit=300)
    elif viewer.role == "mentee" and viewer.person_key:
        title = t("audit.mine", lang)
        entries = audit_entries(db, person_key=viewer.person_key, limit=300)
    else:
        return denied(lang)
    rows = [
        html.Tr(
            [
                html.Td(fmt_datetime(e.at, lang)),
                html.Td(_who(e)),
                html.Td(label_of("role", e.viewer_role, lang)),
                html.Td(e.person_name or e.person_key or "–"),
                html.Td(what_happened(e, lang)),
            ]
        )
        for e in entries
    ]
    head = html.Tr(
        [
            html.Th(t("col.when", lang)),
            html.Th(t("col.viewer", lang)),
            html.Th(t("col.role", lang)),
            html.Th(t("col.person", lang)),
            html.Th(t("col.surface", lang)),
        ]
    )
    return html.Div(
        [
            html.H1(title),
            html.Section(
                html.Table(
                    [html.Thead(head), html.Tbody(rows)], className="data", id="audit-table"
                ),
                className="card",
            ),
        ],
        className="page page-audit",
    )
