"""The administration page's list of people: key, name, role, consent, accounts and mentors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import html

from dashboards.i18n import fmt_date, label_of, platform_label, t
from tracker.privacy.consent import ConsentStatus
from tracker.programme.people_overview import PersonOverview


def consent_cover(consent: ConsentStatus, lang: str) -> str:
    """The platforms a person's consent covers, as shown in the people list."""
    if consent.given is None:
        return "–"
    if consent.platforms is None:
        return t("admin.consent_all", lang)
    return ", ".join(platform_label(p, lang) for p in consent.platforms)


def people_table(people: Sequence[PersonOverview], lang: str) -> Any:
    """The people with their consent, number of accounts and mentors."""
    rows = [
        html.Tr(
            [
                html.Td(p.consent.person_key),
                html.Td(p.consent.display_name),
                html.Td(label_of("role", p.consent.role, lang)),
                html.Td(fmt_date(p.consent.given, lang)),
                html.Td(fmt_date(p.consent.withdrawn, lang)),
                html.Td(consent_cover(p.consent, lang)),
                html.Td(str(p.accounts), className="num"),
                html.Td(", ".join(p.mentors)),
            ]
        )
        for p in people
    ]
    head = html.Tr(
        [
            html.Th(t("admin.person_key", lang)),
            html.Th(t("admin.person_name", lang)),
            html.Th(t("admin.role", lang)),
            html.Th(t("admin.consent_given", lang)),
            html.Th(t("admin.consent_withdrawn", lang)),
            html.Th(t("admin.consent_platforms", lang)),
            html.Th(t("col.accounts", lang), className="num"),
            html.Th(t("admin.mentor", lang)),
        ]
    )
    return html.Table([html.Thead(head), html.Tbody(rows)], className="data")
