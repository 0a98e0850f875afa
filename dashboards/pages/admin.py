"""Administration for coordinators: people, accounts, consent, tandems, and counts entered by
hand (the ``manual`` platform, or any account whose platform cannot be read)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html
from sqlalchemy import select

from dashboards.context import Viewer, app_state, current_viewer
from dashboards.i18n import current_language, fmt_date, platform_label, t
from dashboards.pages.common import denied
from dashboards.scope import AccessDenied, audit, require_role
from tracker.config import PLATFORM_NAMES, PersonEntry
from tracker.errors import TrackerError
from tracker.models import Account, Cohort, Person, Tandem
from tracker.programme import Changes, add_account, get_person, upsert_person, upsert_tandem
from tracker.store import write_snapshots

dash.register_page(__name__, path="/verwaltung", name="Verwaltung", order=5)

ROLES = ("mentee", "mentor", "coordinator", "comparison")
PLATFORMS = tuple(p for p in PLATFORM_NAMES if p != "demo")


def _field(label: str, component: Any) -> Any:
    return html.Div([html.Label(label), component])


def _people_options(session: Any, role: str | None = None) -> list[dict[str, str]]:
    stmt = select(Person).order_by(Person.display_name)
    if role:
        stmt = stmt.where(Person.role == role)
    return [{"label": f"{p.display_name} ({p.key})", "value": p.key} for p in session.scalars(stmt)]


def layout(**_: Any) -> Any:
    lang = current_language()
    try:
        require_role(current_viewer(), "coordinator")
    except AccessDenied:
        return denied(lang)
    with app_state().db.session() as session:
        people = _people_options(session)
        mentees = _people_options(session, "mentee")
        mentors = _people_options(session, "mentor")
        cohort_opts = [
            {"label": c.name, "value": c.key}
            for c in session.scalars(select(Cohort).order_by(Cohort.start.desc()))
        ]
        accounts = [
            {"label": f"{p.display_name}: {platform_label(a.platform)} {a.handle}", "value": a.id}
            for a, p in session.execute(
                select(Account, Person)
                .join(Person, Person.id == Account.person_id)
                .order_by(Person.display_name, Account.platform)
            )
        ]
    role_opts = [{"label": r, "value": r} for r in ROLES]
    platform_opts = [{"label": platform_label(p), "value": p} for p in PLATFORMS]

    def form(title: str, fields: list[Any], button_id: str, label: str, message_id: str) -> Any:
        return html.Section(
            [
                html.H3(title),
                html.Div(fields, className="form-grid"),
                html.Button(label, id=button_id, className="primary"),
                html.Div(id=message_id, className="message"),
            ],
            className="card",
        )

    return html.Div(
        [
            html.H1(t("admin.title", lang)),
            dcc.Store(id="admin-saved", data=0),
            form(
                t("admin.people", lang),
                [
                    _field(
                        t("admin.person_key", lang), dcc.Input(id="admin-person-key", type="text")
                    ),
                    _field(
                        t("admin.person_name", lang), dcc.Input(id="admin-person-name", type="text")
                    ),
                    _field(
                        t("admin.role", lang),
                        dcc.Dropdown(id="admin-person-role", options=role_opts, value="mentee"),
                    ),
                    _field(
                        t("admin.email", lang), dcc.Input(id="admin-person-email", type="email")
                    ),
                    _field(
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
                    _field(
                        t("col.person", lang),
                        dcc.Dropdown(id="admin-account-person", options=people),
                    ),
                    _field(
                        t("col.platform", lang),
                        dcc.Dropdown(id="admin-account-platform", options=platform_opts),
                    ),
                    _field(
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
                    _field(
                        t("col.person", lang),
                        dcc.Dropdown(id="admin-consent-person", options=people),
                    ),
                    _field(
                        t("admin.consent_given", lang),
                        dcc.Input(id="admin-consent-given", type="text", placeholder="2026-01-31"),
                    ),
                    _field(
                        t("admin.consent_withdrawn", lang),
                        dcc.Input(
                            id="admin-consent-withdrawn", type="text", placeholder="2026-01-31"
                        ),
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
                    _field(
                        t("admin.mentee", lang),
                        dcc.Dropdown(id="admin-tandem-mentee", options=mentees),
                    ),
                    _field(
                        t("admin.mentor", lang),
                        dcc.Dropdown(id="admin-tandem-mentor", options=mentors),
                    ),
                    _field(
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
                    _field(
                        t("col.handle", lang),
                        dcc.Dropdown(id="admin-manual-account", options=accounts),
                    ),
                    _field(
                        t("admin.manual_date", lang),
                        dcc.Input(id="admin-manual-date", type="text", placeholder="2026-01-31"),
                    ),
                    _field(
                        t("admin.manual_followers", lang),
                        dcc.Input(id="admin-manual-followers", type="number", min=0),
                    ),
                    _field(
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


def _coordinator() -> Viewer:
    return require_role(current_viewer(), "coordinator")


def _day(text: Any) -> date | None:
    if text in (None, ""):
        return None
    if not isinstance(text, str):
        raise ValueError("date")
    return date.fromisoformat(text.strip())


def _consent_platforms(value: Any) -> list[str] | None:
    """The ticked platforms; None (consent for every platform) when none is ticked.

    Raises ValueError for anything but a list of known platforms (the browser can send any)."""
    if value in (None, []):
        return None
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ValueError("platforms")
    unknown = sorted(set(value) - set(PLATFORMS))
    if unknown:
        raise ValueError(f"unknown platform {unknown[0][:40]!r}")
    return list(value)


def _consent_cover(person: Person, lang: str) -> str:
    """The platforms a person's consent covers, as shown in the people list."""
    if person.consent_given is None:
        return "–"
    if not person.consent_platforms:
        return t("admin.consent_all", lang)
    names = [p.strip() for p in person.consent_platforms.split(",") if p.strip()]
    return ", ".join(platform_label(p) for p in names)


def _result(lang: str, what: str, saved: Any) -> tuple[str, int]:
    return t("admin.done", lang, what=what), (saved or 0) + 1


@callback(
    Output("admin-person-message", "children"),
    Output("admin-saved", "data", allow_duplicate=True),
    Input("admin-person-save", "n_clicks"),
    State("admin-person-key", "value"),
    State("admin-person-name", "value"),
    State("admin-person-role", "value"),
    State("admin-person-email", "value"),
    State("admin-person-cohort", "value"),
    State("admin-saved", "data"),
    prevent_initial_call=True,
)
def save_person(
    _n: Any, key: Any, name: Any, role: Any, email: Any, cohort: Any, saved: Any
) -> Any:
    lang = current_language()
    try:
        viewer = _coordinator()
        entry = PersonEntry(
            key=key, name=name, role=role, email=email or None, cohort=cohort or None
        )
        with app_state().db.write() as session:
            upsert_person(session, entry, Changes(), by=viewer.label)
    except AccessDenied:
        return t("denied", lang), dash.no_update
    except (ValueError, TrackerError) as exc:
        return t("admin.error", lang, why=_short(exc)), dash.no_update
    audit(viewer, entry.key, "admin.person", action="edit")
    return _result(lang, entry.key, saved)


@callback(
    Output("admin-account-message", "children"),
    Output("admin-saved", "data", allow_duplicate=True),
    Input("admin-account-save", "n_clicks"),
    State("admin-account-person", "value"),
    State("admin-account-platform", "value"),
    State("admin-account-handle", "value"),
    State("admin-saved", "data"),
    prevent_initial_call=True,
)
def save_account(_n: Any, person_key: Any, platform: Any, handle: Any, saved: Any) -> Any:
    lang = current_language()
    try:
        viewer = _coordinator()
        if not (
            person_key and platform in PLATFORMS and isinstance(handle, str) and handle.strip()
        ):
            return t("admin.missing", lang), dash.no_update
        with app_state().db.write() as session:
            person = get_person(session, str(person_key))
            account = add_account(session, person, platform, handle.strip(), Changes())
            label = f"{platform_label(account.platform)} {account.handle}"
    except AccessDenied:
        return t("denied", lang), dash.no_update
    except (ValueError, TrackerError) as exc:
        return t("admin.error", lang, why=_short(exc)), dash.no_update
    audit(viewer, str(person_key), "admin.account", action="edit")
    return _result(lang, label, saved)


@callback(
    Output("admin-consent-message", "children"),
    Output("admin-saved", "data", allow_duplicate=True),
    Input("admin-consent-save", "n_clicks"),
    State("admin-consent-person", "value"),
    State("admin-consent-given", "value"),
    State("admin-consent-withdrawn", "value"),
    State("admin-consent-platforms", "value"),
    State("admin-saved", "data"),
    prevent_initial_call=True,
)
def save_consent(
    _n: Any, person_key: Any, given: Any, withdrawn: Any, platforms: Any, saved: Any
) -> Any:
    from tracker.privacy import give_consent, withdraw_consent

    lang = current_language()
    try:
        viewer = _coordinator()
        given_day, withdrawn_day = _day(given), _day(withdrawn)
        covered = _consent_platforms(platforms)
        if not person_key or (given_day is None and withdrawn_day is None):
            return t("admin.missing", lang), dash.no_update
        db = app_state().db
        if given_day is not None:
            give_consent(db, str(person_key), given_day, covered, by=viewer.label)
        if withdrawn_day is not None:
            withdraw_consent(db, str(person_key), withdrawn_day, by=viewer.label)
    except AccessDenied:
        return t("denied", lang), dash.no_update
    except (ValueError, TrackerError) as exc:
        return t("admin.error", lang, why=_short(exc)), dash.no_update
    audit(viewer, str(person_key), "admin.consent", action="edit")
    return _result(lang, str(person_key), saved)


@callback(
    Output("admin-tandem-message", "children"),
    Output("admin-saved", "data", allow_duplicate=True),
    Input("admin-tandem-save", "n_clicks"),
    State("admin-tandem-mentee", "value"),
    State("admin-tandem-mentor", "value"),
    State("admin-tandem-cohort", "value"),
    State("admin-saved", "data"),
    prevent_initial_call=True,
)
def save_tandem(_n: Any, mentee: Any, mentor: Any, cohort: Any, saved: Any) -> Any:
    lang = current_language()
    try:
        viewer = _coordinator()
        if not (mentee and mentor and cohort):
            return t("admin.missing", lang), dash.no_update
        with app_state().db.write() as session:
            upsert_tandem(session, str(cohort), str(mentee), str(mentor), Changes())
    except AccessDenied:
        return t("denied", lang), dash.no_update
    except TrackerError as exc:
        return t("admin.error", lang, why=_short(exc)), dash.no_update
    audit(viewer, str(mentee), "admin.tandem", action="edit")
    return _result(lang, f"{mentee} / {mentor}", saved)


@callback(
    Output("admin-manual-message", "children"),
    Output("admin-saved", "data", allow_duplicate=True),
    Input("admin-manual-save", "n_clicks"),
    State("admin-manual-account", "value"),
    State("admin-manual-date", "value"),
    State("admin-manual-followers", "value"),
    State("admin-manual-posts", "value"),
    State("admin-saved", "data"),
    prevent_initial_call=True,
)
def save_manual(_n: Any, account_id: Any, day: Any, followers: Any, posts: Any, saved: Any) -> Any:
    lang = current_language()

    def count(value: Any) -> int | None:
        # An empty field is unknown (None), never 0.
        if value in (None, ""):
            return None
        number = int(value)
        if number < 0:
            raise ValueError("negative count")
        return number

    try:
        viewer = _coordinator()
        on = _day(day)
        if not isinstance(account_id, int) or on is None:
            return t("admin.missing", lang), dash.no_update
        followers_n, posts_n = count(followers), count(posts)
        if followers_n is None and posts_n is None:
            return t("admin.missing", lang), dash.no_update
        with app_state().db.write() as session:
            account = session.get(Account, account_id)
            if account is None:
                return t("admin.missing", lang), dash.no_update
            person_key = account.person.key
            write_snapshots(
                session,
                [
                    {
                        "account_id": account.id,
                        "taken_at": datetime.combine(on, time(12), tzinfo=UTC),
                        "followers": followers_n,
                        "following": None,
                        "posts": posts_n,
                        "source": "manual",
                    }
                ],
            )
    except AccessDenied:
        return t("denied", lang), dash.no_update
    except (ValueError, TypeError, TrackerError) as exc:
        return t("admin.error", lang, why=_short(exc)), dash.no_update
    audit(viewer, person_key, "admin.manual", action="edit")
    return _result(lang, f"{person_key} {fmt_date(on, lang)}", saved)


@callback(Output("admin-people", "children"), Input("admin-saved", "data"))
def list_people(_saved: Any) -> Any:
    lang = current_language()
    try:
        viewer = _coordinator()
    except AccessDenied:
        return denied(lang)
    with app_state().db.session() as session:
        people = session.scalars(select(Person).order_by(Person.role, Person.key)).all()
        counts: dict[int, int] = {}
        for account in session.scalars(select(Account)):
            counts[account.person_id] = counts.get(account.person_id, 0) + 1
        partners: dict[int, list[str]] = {}
        for tandem in session.scalars(select(Tandem)):
            partners.setdefault(tandem.mentee_id, []).append(tandem.mentor.display_name)
    audit(viewer, None, "admin.people")
    rows = [
        html.Tr(
            [
                html.Td(p.key),
                html.Td(p.display_name),
                html.Td(p.role),
                html.Td(fmt_date(p.consent_given, lang)),
                html.Td(fmt_date(p.consent_withdrawn, lang)),
                html.Td(_consent_cover(p, lang)),
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


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200]
