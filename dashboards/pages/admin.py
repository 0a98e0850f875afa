"""Administration for coordinators: people, accounts, consent, tandems, and counts entered by
hand (the ``manual`` platform, or any account whose platform cannot be read)."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback

from connectors.base import utcnow
from connectors.errors import BadHandle
from dashboards.access import AccessDenied, audit, require_role
from dashboards.admin.form_values import (
    parse_consent_platforms,
    parse_count,
    parse_day,
    result,
    short,
)
from dashboards.admin.forms import PLATFORMS, admin_layout, load_choices
from dashboards.admin.people_list import people_table
from dashboards.i18n import current_language, fmt_date, platform_label, t
from dashboards.pages.common import coordinators_only, denied
from dashboards.request_context import Viewer, app_state, current_viewer
from tracker.config import PersonEntry
from tracker.errors import TrackerError
from tracker.programme.manual_entry import ManualCounts, record_on_day
from tracker.programme.people_overview import people_overview
from tracker.programme.structure import (
    Changes,
    add_account,
    get_person,
    upsert_person,
    upsert_tandem,
)

dash.register_page(__name__, path="/verwaltung", name="Verwaltung", order=5)


def layout(**_: Any) -> Any:
    lang = current_language()
    if (refused := coordinators_only(lang)) is not None:
        return refused
    with app_state().db.session() as session:
        choices = load_choices(session)
    return admin_layout(choices, lang)


def _coordinator() -> Viewer:
    return require_role(current_viewer(), "coordinator")


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
        return t("admin.error", lang, why=short(exc)), dash.no_update
    audit(viewer, entry.key, "admin.person", action="edit")
    return result(lang, entry.key, saved)


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
    except (ValueError, TrackerError, BadHandle) as exc:
        return t("admin.error", lang, why=short(exc)), dash.no_update
    audit(viewer, str(person_key), "admin.account", action="edit")
    return result(lang, label, saved)


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
        given_day, withdrawn_day = parse_day(given), parse_day(withdrawn)
        covered = parse_consent_platforms(platforms)
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
        return t("admin.error", lang, why=short(exc)), dash.no_update
    audit(viewer, str(person_key), "admin.consent", action="edit")
    return result(lang, str(person_key), saved)


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
        return t("admin.error", lang, why=short(exc)), dash.no_update
    audit(viewer, str(mentee), "admin.tandem", action="edit")
    return result(lang, f"{mentee} / {mentor}", saved)


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
    try:
        viewer = _coordinator()
        on = parse_day(day)
        if not isinstance(account_id, int) or on is None:
            return t("admin.missing", lang), dash.no_update
        followers_n, posts_n = parse_count(followers), parse_count(posts)
        if followers_n is None and posts_n is None:
            return t("admin.missing", lang), dash.no_update
        counts = ManualCounts(followers=followers_n, posts=posts_n)
        with app_state().db.write() as session:
            # the same path and checks as `tracker record`: consent, date, counts
            account = record_on_day(session, account_id, on, counts, utcnow())
            person_key = account.person.key
    except AccessDenied:
        return t("denied", lang), dash.no_update
    except (ValueError, TypeError, TrackerError) as exc:
        return t("admin.error", lang, why=short(exc)), dash.no_update
    audit(viewer, person_key, "admin.manual", action="edit")
    return result(lang, f"{person_key} {fmt_date(on, lang)}", saved)


@callback(Output("admin-people", "children"), Input("admin-saved", "data"))
def list_people(_saved: Any) -> Any:
    lang = current_language()
    try:
        viewer = _coordinator()
    except AccessDenied:
        return denied(lang)
    with app_state().db.session() as session:
        people = people_overview(session)
    audit(viewer, None, "admin.people")
    return people_table(people, lang)
