"""The forms of the administration page (people, accounts, consent, tandems, counts entered
by hand). The page module ``dashboards.pages.admin`` holds the callbacks; the component ids
here are the ones those callbacks name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import dcc, html

from dashboards.i18n import platform_label, t
from tracker.config import PLATFORM_NAMES
from tracker.programme.people_overview import FormChoices, form_choices

ROLES = ("mentee", "mentor", "coordinator", "comparison")
PLATFORMS = tuple(p for p in PLATFORM_NAMES if p != "demo")


def field(label: str, component: Any) -> Any:
    """A labelled form field."""
    target = getattr(component, "id", None)
    if isinstance(target, str):  # the label names its control for screen readers
        return html.Div([html.Label(label, htmlFor=target), component])
    return html.Div([html.Label(label), component])


def people_options(choices: FormChoices, role: str | None = None) -> list[dict[str, str]]:
    """Dropdown options for the people (of one ``role`` when given), by name."""
    return [
        {"label": f"{name} ({key})", "value": key}
        for key, name, their_role in choices.people
        if role is None or their_role == role
    ]


@dataclass(frozen=True)
class AdminChoices:
    """The dropdown options the forms offer, read from the store once per page view."""

    people: list[dict[str, str]]
    mentees: list[dict[str, str]]
    mentors: list[dict[str, str]]
    cohorts: list[dict[str, str]]
    accounts: list[dict[str, Any]]


def load_choices(session: Any) -> AdminChoices:
    """The people, cohorts and accounts to choose from in the forms."""
    choices = form_choices(session)
    return AdminChoices(
        people=people_options(choices),
        mentees=people_options(choices, "mentee"),
        mentors=people_options(choices, "mentor"),
        cohorts=[{"label": name, "value": key} for key, name in choices.cohorts],
        accounts=[
            {
                "label": f"{a.person_name}: {platform_label(a.platform)} {a.handle}",
                "value": a.account_id,
            }
            for a in choices.accounts
        ],
    )


def form(title: str, fields: list[Any], button_id: str, label: str, message_id: str) -> Any:
    """A card with a grid of fields, a save button and the place for its message."""
    return html.Section(
        [
            html.H3(title),
            html.Div(fields, className="form-grid"),
            html.Button(label, id=button_id, className="primary"),
            html.Div(id=message_id, className="message"),
        ],
        className="card",
    )


def admin_layout(choices: AdminChoices, lang: str) -> Any:
    """The page: one form per area, then the list of people (filled by a callback)."""
    people, mentees, mentors = choices.people, choices.mentees, choices.mentors
    cohort_opts, accounts = choices.cohorts, choices.accounts
    role_opts = [{"label": t(f"role.{r}", lang), "value": r} for r in ROLES]
    platform_opts = [{"label": platform_label(p, lang), "value": p} for p in PLATFORMS]
    day_hint = t("date.placeholder", lang)

    return html.Div(
        [
            html.H1(t("admin.title", lang)),
            dcc.Store(id="admin-saved", data=0),
            form(
                t("admin.people", lang),
                [
                    field(
                        t("admin.person_key", lang), dcc.Input(id="admin-person-key", type="text")
                    ),
                    field(
                        t("admin.person_name", lang), dcc.Input(id="admin-person-name", type="text")
                    ),
                    field(
                        t("admin.role", lang),
                        dcc.Dropdown(id="admin-person-role", options=role_opts, value="mentee"),
                    ),
                    field(t("admin.email", lang), dcc.Input(id="admin-person-email", type="email")),
                    field(
                        t("admin.cohort", lang),
                        dcc.Dropdown(id="admin-person-cohort", options=cohort_opts),
                    ),
                ],
                "admin-person-save",
                t("admin.save_person", lang),
                "admin-person-message",
            ),
            form(
                t("admin.accounts", lang),
                [
                    field(
                        t("col.person", lang),
                        dcc.Dropdown(id="admin-account-person", options=people),
                    ),
                    field(
                        t("col.platform", lang),
                        dcc.Dropdown(id="admin-account-platform", options=platform_opts),
                    ),
                    field(
                        t("admin.handle", lang), dcc.Input(id="admin-account-handle", type="text")
                    ),
                ],
                "admin-account-save",
                t("admin.add_account", lang),
                "admin-account-message",
            ),
            form(
                t("admin.consent", lang),
                [
                    field(
                        t("col.person", lang),
                        dcc.Dropdown(id="admin-consent-person", options=people),
                    ),
                    field(
                        t("admin.consent_given", lang),
                        dcc.Input(id="admin-consent-given", type="text", placeholder=day_hint),
                    ),
                    field(
                        t("admin.consent_withdrawn", lang),
                        dcc.Input(id="admin-consent-withdrawn", type="text", placeholder=day_hint),
                    ),
                    html.Div(
                        [
                            html.Label(t("admin.consent_platforms", lang)),
                            dcc.Checklist(
                                id="admin-consent-platforms",
                                options=platform_opts,
                                value=[],
                                inline=True,
                                inputStyle={"width": "auto", "marginRight": "0.3rem"},
                                labelStyle={"display": "inline-block", "marginRight": "1rem"},
                            ),
                            html.P(
                                t("admin.consent_platforms_help", lang),
                                className="help",
                                style={"fontSize": "0.85rem", "margin": "0.25rem 0 0"},
                            ),
                        ],
                        # The whole row: the platforms sit under the person and the dates.
                        style={"gridColumn": "1 / -1"},
                    ),
                ],
                "admin-consent-save",
                t("admin.save_consent", lang),
                "admin-consent-message",
            ),
            form(
                t("admin.tandems", lang),
                [
                    field(
                        t("admin.mentee", lang),
                        dcc.Dropdown(id="admin-tandem-mentee", options=mentees),
                    ),
                    field(
                        t("admin.mentor", lang),
                        dcc.Dropdown(id="admin-tandem-mentor", options=mentors),
                    ),
                    field(
                        t("admin.cohort", lang),
                        dcc.Dropdown(id="admin-tandem-cohort", options=cohort_opts),
                    ),
                ],
                "admin-tandem-save",
                t("admin.add_tandem", lang),
                "admin-tandem-message",
            ),
            form(
                t("admin.manual", lang),
                [
                    field(
                        t("col.handle", lang),
                        dcc.Dropdown(id="admin-manual-account", options=accounts),
                    ),
                    field(
                        t("admin.manual_date", lang),
                        dcc.Input(id="admin-manual-date", type="text", placeholder=day_hint),
                    ),
                    field(
                        t("admin.manual_followers", lang),
                        dcc.Input(id="admin-manual-followers", type="number", min=0),
                    ),
                    field(
                        t("admin.manual_posts", lang),
                        dcc.Input(id="admin-manual-posts", type="number", min=0),
                    ),
                ],
                "admin-manual-save",
                t("admin.save_manual", lang),
                "admin-manual-message",
            ),
            html.Section(
                [html.H3(t("admin.people", lang)), html.Div(id="admin-people")], className="card"
            ),
        ],
        className="page page-admin",
    )
