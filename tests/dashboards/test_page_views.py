"""A page view is one request: the mentee and tandem pages render their charts in the layout,
write one audit entry per view, and the range callbacks run (checked and audited again) only
when the viewer changes the period. A login switched off stops working at its next request."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import event, select, update

from dashboards.progress.elements import find, walk
from tracker.privacy.audit_write import writer_for
from tracker.store.models import AuditEntry, User

DENIED = "nicht freigegeben"


def _audit(web_db: Any) -> list[tuple[str, str | None, str, str]]:
    db, _data = web_db
    writer_for(db).flush()  # the entries handed over by the requests so far
    with db.session() as session:
        rows = session.execute(
            select(
                AuditEntry.viewer, AuditEntry.person_key, AuditEntry.surface, AuditEntry.action
            ).order_by(AuditEntry.id)
        ).all()
    return [tuple(row) for row in rows]


def _router(client: Any, dashcall: Any, path: str, search: str = "") -> Any:
    deps = dashcall.dependencies(client)
    router = next(d for d in deps if "_pages_content" in d["output"])
    return dashcall.call(
        client, router, {"_pages_location.pathname": path, "_pages_location.search": search}
    )


def _dependency(client: Any, dashcall: Any, output: str) -> dict[str, Any]:
    return next(d for d in dashcall.dependencies(client) if d["output"] == output)


def test_mentee_page_shows_her_charts_in_one_request_and_is_audited_once(
    client_for: Any, dashcall: Any, web_db: Any
) -> None:
    client = client_for("mentee")
    before = _audit(web_db)
    text = _router(client, dashcall, "/fortschritt").get_data(as_text=True)
    assert DENIED not in text
    for part in ("progress-followers", "progress-posts", "progress-engagement"):
        assert part in text
    assert "Seit dem letzten Workshop" in text and "Erstes Treffen" in text
    assert _audit(web_db)[len(before) :] == [("mentee-a", "mentee-a", "page.progress", "view")]
    # The range callback does not fire when the page mounts: the layout already drew it.
    assert _dependency(client, dashcall, "progress-charts.children")["prevent_initial_call"]


def test_range_change_is_checked_and_audited(client_for: Any, dashcall: Any, web_db: Any) -> None:
    client = client_for("mentee")
    progress = _dependency(client, dashcall, "progress-charts.children")
    before = _audit(web_db)
    own = dashcall.call(
        client, progress, {"progress-range.value": "28", "progress-person.data": "mentee-a"}
    )
    assert "progress-followers" in own.get_data(as_text=True)
    forged = dashcall.call(
        client, progress, {"progress-range.value": "28", "progress-person.data": "mentee-b"}
    )
    assert DENIED in forged.get_data(as_text=True)
    # The allowed change is recorded as a view; the refused one shows nothing and is recorded
    # as a denied attempt, never as a view.
    after = _audit(web_db)[len(before) :]
    assert [e for e in after if e[3] == "view"] == [
        ("mentee-a", "mentee-a", "callback.progress", "view")
    ]
    assert [e[:2] for e in after if e[3] == "denied"] == [("mentee-a", "mentee-b")]


def test_refused_page_records_no_view(client_for: Any, dashcall: Any, web_db: Any) -> None:
    before = _audit(web_db)
    response = _router(client_for("mentee"), dashcall, "/fortschritt", "?person=mentee-b")
    assert DENIED in response.get_data(as_text=True)
    after = _audit(web_db)[len(before) :]
    assert [e for e in after if e[3] != "denied"] == []
    assert [e[:2] for e in after] == [("mentee-a", "mentee-b")]


def test_tandem_page_shows_the_first_tandem_in_one_request_and_is_audited(
    client_for: Any, dashcall: Any, web_db: Any
) -> None:
    client = client_for("mentor_own")
    before = _audit(web_db)
    text = _router(client, dashcall, "/tandem").get_data(as_text=True)
    assert "tandem-followers" in text and "Erstes Treffen" in text
    assert "Berta" not in text
    assert _audit(web_db)[len(before) :] == [("mentor-a", "mentee-a", "page.tandem", "view")]
    assert _dependency(client, dashcall, "tandem-body.children")["prevent_initial_call"]


def test_a_switched_off_login_is_refused_at_its_next_request(
    client_for: Any, data: Any, web_db: Any
) -> None:
    client = client_for("mentee")
    assert client.get("/_dash-layout").status_code == 200
    db, _data = web_db
    with db.write() as session:
        session.execute(
            update(User).where(User.email == data.emails["mentee"]).values(active=False)
        )
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/export/mentee-a.csv").status_code == 401


def test_the_frame_has_the_roles_navigation_the_logout_form_and_one_page_container(
    client_for: Any,
) -> None:
    for role, links in (
        ("mentee", ["/fortschritt", "/protokoll"]),
        ("mentor_own", ["/tandem"]),
        ("coordinator", ["/programm", "/jahrgaenge", "/tandem", "/status", "/verwaltung"]),
    ):
        client = client_for(role)
        frame = client.get("/_dash-layout").get_json()
        parts = list(walk(frame))
        assert frame["props"]["lang"] == "de"
        hrefs = [p["props"]["href"] for p in parts if p["type"] == "Link"]
        assert hrefs[: len(links)] == links, role
        # The logout form posts the session's CSRF token (the one the renderer echoes).
        token = client.get_cookie("_csrf_token").value
        hidden = [p["props"] for p in parts if p["type"] == "Input"]
        assert hidden == [{"type": "hidden", "name": "csrf_token", "value": token}]
        ids = [p["props"]["id"] for p in parts if isinstance(p["props"].get("id"), str)]
        assert len(ids) == len(set(ids)), ids  # no id twice (Dash's own check sees no elements)
        for part in ("_pages_location", "_pages_content", "_pages_store", "_pages_dummy"):
            assert part in ids


def test_a_mentee_page_view_reads_each_table_once(
    client_for: Any, dashcall: Any, web_db: Any
) -> None:
    """What the page bench counts as the raw reads of a view (bench/web.py) is what the view
    reads: the login lookup of each of its two requests, then one read per table (her
    snapshots and posts each joined with her accounts, as the bench's raw reads)."""
    db, _data = web_db
    client = client_for("mentee")
    deps = dashcall.dependencies(client)
    router = next(d for d in deps if "_pages_content" in d["output"])
    client.get("/_dash-layout")  # the first view of a session sets up its CSRF token
    sent: list[str] = []

    def trace(connection: Any, _record: Any, _proxy: Any) -> None:
        connection.set_trace_callback(sent.append)

    event.listen(db.engine, "checkout", trace)
    try:
        client.get("/_dash-layout")
        dashcall.call(
            client,
            router,
            {"_pages_location.pathname": "/fortschritt", "_pages_location.search": ""},
        )
    finally:
        event.remove(db.engine, "checkout", trace)
    reads = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
    tables = [" ".join(re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", s, re.IGNORECASE)) for s in reads]
    assert tables == [
        "user_account person",  # the frame's request
        "user_account person",  # the page's request
        "person",
        "cohort",
        "programme_event",
        "account profile_snapshot",  # one row per account, her rows' columns as arrays
        "account post_metric",
        "goal tandem",
        "checkin_note tandem",
        "self_assessment_answer",
    ]


def test_a_change_of_period_redraws_the_charts_the_page_draws_and_nothing_else(
    client_for: Any, dashcall: Any
) -> None:
    client = client_for("mentee")
    page = _router(client, dashcall, "/fortschritt").get_json()
    charts = find(page, "progress-charts")
    assert charts is not None
    drawn = charts["props"]["children"]
    progress = _dependency(client, dashcall, "progress-charts.children")
    redrawn = dashcall.call(
        client, progress, {"progress-range.value": "all", "progress-person.data": "mentee-a"}
    ).get_json()["response"]["progress-charts"]["children"]
    assert redrawn == drawn  # the default period: the same charts, value for value
    text = json.dumps(redrawn)
    assert "progress-followers" in text and "progress-engagement" in text
    assert "progress-kickoff" not in text and "Seit dem letzten Workshop" not in text


def test_the_charts_of_every_period_are_the_pages_charts(web_db: Any) -> None:
    from connectors.base import utcnow
    from dashboards.progress.period_data import RANGES, load, load_charts
    from tracker.store.models import Person

    db, _data = web_db
    now = utcnow()
    with db.session() as session:
        for person in session.scalars(select(Person).where(Person.role == "mentee")):
            for choice in RANGES:
                charts = load_charts(session, person, choice, now)
                assert charts == load(session, person, choice, now).charts, (person.key, choice)
                assert charts.followers or person.key != "mentee-a"  # she has counts to draw
