"""The administration page's list of people: key, name, role, consent, accounts and mentors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import html

from dashboards.i18n import fmt_date, label_of, platform_label, t
from tracker.store.models import Person


def consent_cover(person: Person, lang: str) -> str:
    """The platforms a person's consent covers, as shown in the people list."""
    if person.consent_given is None:
        return "–"
    if not person.consent_platforms:
        return t("admin.consent_all", lang)
    names = [p.strip() for p in person.consent_platforms.split(",") if p.strip()]
    return ", ".join(platform_label(p, lang) for p in names)


def people_table(
    people: Sequence[Person], counts: dict[int, int], partners: dict[int, list[str]], lang: str
) -> Any:
    """The people with their consent, number of accounts and mentors."""
    rows = [
        html.Tr(
            [
                html.Td(p.key),
                html.Td(p.display_name),
                html.Td(label_of("role", p.role, lang)),
                html.Td(fmt_date(p.consent_given, lang)),
                html.Td(fmt_date(p.consent_withdrawn, lang)),
                html.Td(consent_cover(p, lang)),
                html.Td(str(counts.get(p.id, 0)), className="num"),
                html.Td(", ".join(partners.get(p.id, []))),
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
