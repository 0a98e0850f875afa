"""Role × surface: every Flask route, every page and every Dash callback, for anonymous, a
mentee, her mentor, another tandem's mentor and a coordinator. A route, page or callback that
is missing here fails the completeness tests, so nothing new ships unchecked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from tracker.store.models import Account, Goal, Person

# mentor_second: the mentor of a second tandem of the same mentee (not of her first tandem)
ROLES = ("anonymous", "mentee", "mentor_own", "mentor_other", "coordinator", "mentor_second")
DENIED = "nicht freigegeben"

# rule -> (method, concrete URL, expected status per role in ROLES order)
ROUTES: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "/login": ("GET", "/login", (200, 200, 200, 200, 200, 200)),
    "/logout": ("POST", "/logout", (302, 400, 400, 400, 400, 400)),  # no CSRF token: rejected
    "/invite/<token>": ("GET", "/invite/not-a-token", (410, 410, 410, 410, 410, 410)),
    "/lang/<code>": ("GET", "/lang/en", (302, 302, 302, 302, 302, 302)),
    "/healthz": ("GET", "/healthz", (503, 503, 503, 503, 503, 503)),  # no poller beat yet
    "/export/<person_key>.csv": ("GET", "/export/mentee-a.csv", (401, 200, 200, 404, 200, 200)),
    "/export/mine.zip": ("GET", "/export/mine.zip", (401, 200, 200, 200, 404, 200)),
    # A forged unsubscribe link unsubscribes nobody, logged in or not.
    "/abmelden/<token>": ("POST", "/abmelden/not-a-token", (404, 404, 404, 404, 404, 404)),
    "/export/cohort/<cohort_key>.csv": (
        "GET",
        "/export/cohort/c1.csv",
        (401, 404, 404, 404, 200, 404),
    ),
    "/export/cohort/<cohort_key>/snapshots.csv": (
        "GET",
        "/export/cohort/c1/snapshots.csv",
        (401, 404, 404, 404, 200, 404),
    ),
    "/report/<cohort_key>.html": ("GET", "/report/c1.html", (302, 404, 404, 404, 200, 404)),
    "/assets/<path:filename>": ("GET", "/assets/style.css", (200, 200, 200, 200, 200, 200)),
    "/_favicon.ico": ("GET", "/_favicon.ico", (200, 200, 200, 200, 200, 200)),
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>": (
        "GET",
        "SUITE",  # filled in from the index page
        (401, 200, 200, 200, 200, 200),
    ),
    "/_dash-layout": ("GET", "/_dash-layout", (401, 200, 200, 200, 200, 200)),
    "/_dash-dependencies": ("GET", "/_dash-dependencies", (401, 200, 200, 200, 200, 200)),
    "/_dash-update-component": ("POST", "/_dash-update-component", (401, 403, 403, 403, 403, 403)),
    "/_reload-hash": ("GET", "/_reload-hash", (401, 200, 200, 200, 200, 200)),
    "/": ("GET", "/", (302, 302, 302, 302, 302, 302)),
    "/<path:path>": ("GET", "/fortschritt", (302, 200, 200, 200, 200, 200)),
}

# page URL -> whether each logged-in role sees it ("ok") or is refused ("denied")
PAGES: dict[str, tuple[str, ...]] = {
    "/fortschritt": ("ok", "denied", "denied", "denied", "denied"),
    "/fortschritt?person=mentee-a": ("ok", "ok", "denied", "ok", "ok"),
    "/fortschritt?person=mentee-b": ("denied", "denied", "ok", "ok", "denied"),
    "/fortschritt?person=no-such-person": ("denied", "denied", "denied", "denied", "denied"),
    "/tandem": ("denied", "ok", "ok", "ok", "ok"),
    "/programm": ("denied", "denied", "denied", "ok", "denied"),
    "/jahrgaenge": ("denied", "denied", "denied", "ok", "denied"),
    "/status": ("denied", "denied", "denied", "ok", "denied"),
    "/verwaltung": ("denied", "denied", "denied", "ok", "denied"),
    "/protokoll": ("ok", "denied", "denied", "ok", "denied"),
    "/404": ("ok", "ok", "ok", "ok", "ok"),  # an unknown address: no one's data, just the way back
}
PAGE_PATHS = {
    "/fortschritt",
    "/tandem",
    "/programm",
    "/jahrgaenge",
    "/status",
    "/verwaltung",
    "/protokoll",
    "/404",
}
LOGGED_IN = ROLES[1:]


def _radios(kind: str, values: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """The values and ids of a form's pattern-matched radio groups, as the browser sends them."""
    ids = [{"type": kind, "item": item} for item in values]
    return {
        f"{kind}.value": [
            {"id": i, "property": "value", "value": v}
            for i, v in zip(ids, values.values(), strict=True)
        ],
        f"{kind}.id": [{"id": i, "property": "id", "value": i} for i in ids],
    }


def _callbacks(data: Any, goal_id: int, account_id: int) -> dict[str, Any]:
    """callback output -> (inputs the browser sends, marker of success, outcome per role).

    Inputs name mentee-a's tandem and data: her mentor and the coordinator may change them,
    she may read them, the other tandem's mentor may do neither."""
    goal_click = [
        {"id": {"type": "tandem-goal-done", "goal": goal_id}, "property": "n_clicks", "value": 1}
    ]
    return {
        "progress-charts.children": (
            {"progress-person.data": "mentee-a", "progress-range.value": "all"},
            None,
            "progress-followers",
            ("ok", "ok", "denied", "ok", "ok"),
        ),
        "tandem-body.children": (
            {"tandem-choice.value": data.tandem_a, "tandem-range.value": "90"},
            None,
            "tandem-followers",
            ("ok", "ok", "denied", "ok", "denied"),
        ),
        "tandem-goal-message.children + tandem-saved.data": (
            {
                "tandem-goal-save.n_clicks": 1,
                "tandem-choice.value": data.tandem_a,
                "tandem-goal-title.value": "Neues Ziel",
            },
            None,
            "Gespeichert",
            ("denied", "ok", "denied", "ok", "denied"),
        ),
        "tandem-saved.data": (
            {"tandem-saved.data": 0},
            goal_click,
            '"tandem-saved"',
            ("denied", "ok", "denied", "ok", "denied"),
        ),
        "tandem-note-message.children + tandem-saved.data + tandem-note-text.value": (
            {
                "tandem-note-save.n_clicks": 1,
                "tandem-choice.value": data.tandem_a,
                "tandem-note-text.value": "Notiz",
            },
            None,
            "Gespeichert",
            ("denied", "ok", "denied", "ok", "denied"),
        ),
        "progress-sa-message.children + progress-sa-results.children": (
            {
                "progress-sa-save.n_clicks": 1,
                "progress-person.data": "mentee-a",
                "progress-sa-round.data": "midpoint",
                **_radios("progress-sa-value", {"plan": 4, "privacy": 2}),
                "progress-sa-text.value": "Mehr über Reels",
            },
            None,
            "Gespeichert",
            ("ok", "denied", "denied", "denied", "denied"),  # only she answers for herself
        ),
        "tandem-sa-message.children + tandem-sa-results.children": (
            {
                "tandem-sa-save.n_clicks": 1,
                "tandem-choice.value": data.tandem_a,
                "tandem-sa-round.data": "midpoint",
                **_radios("tandem-sa-value", {"plan": 3}),
            },
            None,
            "Gespeichert",
            ("denied", "ok", "denied", "denied", "denied"),  # only her own mentor rates her
        ),
        "programme-body.children + programme-downloads.children": (
            {"programme-cohort.value": "c1", "programme-sort.value": "growth"},
            None,
            "programme-table",
            ("denied", "denied", "denied", "ok", "denied"),
        ),
        "cohorts-body.children": (
            {"cohorts-choice.value": ["c1"]},
            None,
            "cohorts-final",
            ("denied", "denied", "denied", "ok", "denied"),
        ),
        "status-accounts.data": (
            {"status-accounts.sort_by": [{"column_id": "followers", "direction": "desc"}]},
            None,
            "berta.bsky.social",
            ("denied", "denied", "denied", "ok", "denied"),
        ),
        "admin-person-message.children + admin-saved.data": (
            {
                "admin-person-save.n_clicks": 1,
                "admin-person-key.value": "neu-1",
                "admin-person-name.value": "Neue Person",
                "admin-person-role.value": "mentee",
            },
            None,
            "Gespeichert",
            ("denied", "denied", "denied", "ok", "denied"),
        ),
        "admin-account-message.children + admin-saved.data": (
            {
                "admin-account-save.n_clicks": 1,
                "admin-account-person.value": "mentee-b",
                "admin-account-platform.value": "mastodon",
                "admin-account-handle.value": "@berta@social.example",
            },
            None,
            "Gespeichert",
            ("denied", "denied", "denied", "ok", "denied"),
        ),
        "admin-consent-message.children + admin-saved.data": (
            {
                "admin-consent-save.n_clicks": 1,
                "admin-consent-person.value": "mentee-b",
                "admin-consent-given.value": data.today.isoformat(),
                "admin-consent-platforms.value": ["bluesky"],
            },
            None,
            "Gespeichert",
            ("denied", "denied", "denied", "ok", "denied"),
        ),
        "admin-tandem-message.children + admin-saved.data": (
            {
                "admin-tandem-save.n_clicks": 1,
                "admin-tandem-mentee.value": "mentee-b",
                "admin-tandem-mentor.value": "mentor-a",
                "admin-tandem-cohort.value": "c1",
            },
            None,
            "Gespeichert",
            ("denied", "denied", "denied", "ok", "denied"),
        ),
        "admin-manual-message.children + admin-saved.data": (
            {
                "admin-manual-save.n_clicks": 1,
                "admin-manual-account.value": account_id,
                "admin-manual-date.value": data.today.isoformat(),
                "admin-manual-followers.value": 12,
            },
            None,
            "Gespeichert",
            ("denied", "denied", "denied", "ok", "denied"),
        ),
        "admin-people.children": (
            {"admin-saved.data": 0},
            None,
            "Berta Beispiel",
            ("denied", "denied", "denied", "ok", "denied"),
        ),
        # Dash's own page router: which page it renders is checked through PAGES.
        "_pages_content.children + _pages_store.data": (
            {"_pages_location.pathname": "/tandem", "_pages_location.search": ""},
            None,
            "",
            ("any", "any", "any", "any", "any"),
        ),
        # Runs in the browser only (the page title): no server endpoint to reach.
        "_pages_dummy.children": ({}, None, "", ("clientside",) * 5),
    }


def _ids(app: Any, web_db: Any) -> tuple[int, int]:
    db, _data = web_db
    with db.session() as session:
        goal_id = session.scalars(select(Goal.id)).first()
        account_id = session.scalar(
            select(Account.id)
            .join(Person, Person.id == Account.person_id)
            .where(Person.key == "mentee-b")
        )
    assert goal_id is not None and account_id is not None
    return goal_id, account_id


def _suite_url(client: Any) -> str:
    page = client.get("/fortschritt").get_data(as_text=True)
    match = re.search(r'src="(/_dash-component-suites/[^"]+)"', page)
    assert match, "the index page loads the Dash bundles"
    return match.group(1)


def test_every_route_is_in_the_matrix(app: Any) -> None:
    rules = {r.rule for r in app.server.url_map.iter_rules()}
    assert rules == set(ROUTES), f"unlisted: {rules - set(ROUTES)}; stale: {set(ROUTES) - rules}"


def test_every_page_is_in_the_matrix(app: Any, client_for: Any) -> None:
    import dash

    client_for("coordinator").get("/_dash-layout")  # pages are registered at set-up
    paths = {page["path"] for page in dash.page_registry.values()}
    assert paths == PAGE_PATHS
    assert {url.split("?")[0] for url in PAGES} == PAGE_PATHS


def test_every_callback_is_in_the_matrix(
    app: Any, client_for: Any, data: Any, dashcall: Any, web_db: Any
) -> None:
    deps = dashcall.dependencies(client_for("coordinator"))
    listed = set(_callbacks(data, 0, 0))
    found = {dashcall.stripped(d["output"]) for d in deps}
    assert found == listed, f"unlisted: {found - listed}; stale: {listed - found}"
    assert set(app.callback_map) and len(app.callback_map) == len(deps)


@pytest.mark.parametrize("role", ROLES)
def test_routes_by_role(role: str, client_for: Any) -> None:
    # The bundle URL from another login: a second login of the same account ends the first.
    suite = _suite_url(client_for("coordinator" if role == "mentee" else "mentee"))
    client = client_for(role)
    for rule, (method, url, expected) in ROUTES.items():
        url = suite if url == "SUITE" else url
        response = client.open(url, method=method)
        want = expected[ROLES.index(role)]
        assert response.status_code == want, f"{role} {method} {rule}: {response.status_code}"


@pytest.mark.parametrize("role", LOGGED_IN)
def test_pages_by_role(role: str, client_for: Any, dashcall: Any) -> None:
    client = client_for(role)
    router = next(d for d in dashcall.dependencies(client) if "_pages_content" in d["output"])
    for url, outcomes in PAGES.items():
        path, _, query = url.partition("?")
        response = dashcall.call(
            client,
            router,
            {
                "_pages_location.pathname": path,
                "_pages_location.search": f"?{query}" if query else "",
            },
        )
        assert response.status_code == 200, f"{role} {url}"
        text = response.get_data(as_text=True)
        expected = outcomes[LOGGED_IN.index(role)]
        if expected == "ok":
            assert DENIED not in text, f"{role} should see {url}"
            assert "page-" in text
        else:
            assert DENIED in text, f"{role} must not see {url}"
            assert "mentee-a" not in text.replace("person=mentee-a", "")


@pytest.mark.parametrize("role", LOGGED_IN)
def test_callbacks_by_role(
    role: str, app: Any, client_for: Any, data: Any, dashcall: Any, web_db: Any
) -> None:
    client = client_for(role)
    goal_id, account_id = _ids(app, web_db)
    deps = {dashcall.stripped(d["output"]): d for d in dashcall.dependencies(client)}
    for key, (values, pattern, marker, outcomes) in _callbacks(data, goal_id, account_id).items():
        expected = outcomes[LOGGED_IN.index(role)]
        if expected == "clientside":
            assert deps[key].get("clientside_function"), key
            continue
        response = dashcall.call(client, deps[key], values, pattern)
        text = response.get_data(as_text=True)
        if expected == "any":
            assert response.status_code in (200, 204), f"{role} {key}"
        elif expected == "ok":
            assert response.status_code == 200, f"{role} {key}: {text[:300]}"
            assert DENIED not in text and marker in text, f"{role} {key}: {text[:300]}"
        else:
            assert response.status_code in (200, 204), f"{role} {key}"
            assert marker not in text or DENIED in text, f"{role} {key}: {text[:300]}"
            assert "Erstes Treffen" not in text and "onerror" not in text


def test_callbacks_refuse_anonymous_and_missing_csrf(client_for: Any, dashcall: Any) -> None:
    deps = dashcall.dependencies(client_for("mentee"))
    progress = next(d for d in deps if d["output"] == "progress-charts.children")
    values = {"progress-person.data": "mentee-a", "progress-range.value": "all"}
    assert dashcall.call(client_for("anonymous"), progress, values).status_code == 401
    forged = dashcall.call(client_for("mentee"), progress, values, csrf=False)
    assert forged.status_code == 403


def test_callback_with_edited_person_key_is_refused(client_for: Any, dashcall: Any) -> None:
    """The browser can edit the stored person key: the callback checks it again."""
    client = client_for("mentee")
    progress = next(
        d for d in dashcall.dependencies(client) if d["output"] == "progress-charts.children"
    )
    for forged in ("mentee-b", "coord", "", None, ["mentee-b"], {"key": "mentee-b"}):
        response = dashcall.call(
            client, progress, {"progress-person.data": forged, "progress-range.value": "all"}
        )
        text = response.get_data(as_text=True)
        assert DENIED in text, forged
        assert "Berta" not in text and "berta" not in text


@pytest.mark.parametrize("driver_cursor", [True, False])
def test_the_reading_check_allows_and_refuses_exactly_as_the_writing_one(
    app: Any, web_db: Any, monkeypatch: Any, driver_cursor: bool
) -> None:
    """Pages that only read take the person as plain values: the same scope, the same
    answer, the same person (through the driver's cursor or, for other drivers, Core)."""
    from dashboards.access import AccessDenied, authorize_person, authorize_person_ref
    from dashboards.request_context import Viewer
    from tracker.store import cursor

    if not driver_cursor:
        monkeypatch.setattr(cursor, "_PLACEHOLDERS", {})
    db, _data = web_db
    keys = ["mentee-a", "mentee-b", "mentor-a", "coord", "nobody", "", None, ["mentee-a"]]
    with db.session() as session:
        people = {p.key: p for p in session.scalars(select(Person))}
        viewers = [
            Viewer(0, f"{key}@t.invalid", people[key].role, people[key].id, key)
            for key in ("mentee-a", "mentor-a", "mentor-b", "coord")
        ]
        for viewer in viewers:
            for key in keys:
                with app.server.test_request_context():
                    try:
                        full = authorize_person(session, viewer, key, "test")
                    except AccessDenied:
                        full = None
                    try:
                        ref = authorize_person_ref(session, viewer, key, "test")
                    except AccessDenied:
                        ref = None
                if full is None:
                    assert ref is None, (viewer.role, key)
                else:
                    assert ref is not None, (viewer.role, key)
                    assert (ref.id, ref.key, ref.display_name, ref.role, ref.cohort_id) == (
                        full.id,
                        full.key,
                        full.display_name,
                        full.role,
                        full.cohort_id,
                    )
