"""Downloads, under the same scoping as the pages: a person's series as CSV, a mentee's own
data export (ZIP), the cohort as CSV and the impact report (coordinators)."""

from __future__ import annotations

import csv
import io
import logging
from typing import Any

import pandas as pd
from flask import Blueprint, Response, abort, g
from sqlalchemy import select

from dashboards.access import AccessDenied, audit, authorize_person, require_role
from dashboards.request_context import Viewer, app_state
from tracker.store import read_frames as series
from tracker.store.models import Cohort

logger = logging.getLogger(__name__)

bp = Blueprint("exports", __name__)
SERIES_COLUMNS = ("platform", "handle", "taken_at", "followers", "following", "posts", "source")
POST_COLUMNS = ("platform", "post_id", "published_at", "kind", "likes", "comments", "shares")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell; unknown stays empty (never 0), and text that a spreadsheet would run as a
    formula is defused."""
    if value is None or value is pd.NA:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA):
        return "'" + text
    return text


def _csv(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _download(body: bytes, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _viewer() -> Viewer | None:
    viewer = getattr(g, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else None


@bp.route("/export/<person_key>.csv")
def person_csv(person_key: str) -> Response:
    """The person's follower series (one row per snapshot) and post metrics, as CSV."""
    state = app_state()
    with state.db.session() as session:
        try:
            person = authorize_person(session, _viewer(), person_key, "export.csv")
        except AccessDenied:
            abort(404)
        snaps = series.snapshots(session, [person.id])
        posts = series.posts(session, [person.id])
    rows = [tuple(r) for r in snaps[list(SERIES_COLUMNS)].itertuples(index=False)]
    body = _csv(SERIES_COLUMNS, rows)
    if not posts.empty:
        body += b"\n" + _csv(
            POST_COLUMNS, [tuple(r) for r in posts[list(POST_COLUMNS)].itertuples(index=False)]
        )
    return _download(body, f"{person.key}.csv", "text/csv; charset=utf-8")


@bp.route("/export/mine.zip")
def my_data() -> Response:
    """A mentee's (or mentor's) own complete data export."""
    viewer = _viewer()
    if viewer is None or viewer.person_key is None:
        abort(404)
    from tracker.privacy import export_person

    body = export_person(
        app_state().db,
        viewer.person_key,
        viewer=viewer.label,
        viewer_role=viewer.role,
        surface="web.export",
    )
    return _download(body, f"{viewer.person_key}-export.zip", "application/zip")


def cohort_rows(cohort_key: str) -> tuple[str, list[tuple[Any, ...]]]:
    """Every tracked snapshot of the cohort's mentees; raises AccessDenied for others."""
    state = app_state()
    with state.db.session() as session:
        cohort = session.scalar(select(Cohort).where(Cohort.key == cohort_key))
        if cohort is None:
            raise AccessDenied("not allowed")
        people = {p.id: p.key for p in series.cohort_people(session, cohort)}
        snaps = series.snapshots(session, list(people))
    rows = [
        (people[int(r.person_id)], *[getattr(r, c) for c in SERIES_COLUMNS])
        for r in snaps.itertuples(index=False)
    ]
    return cohort.key, rows


@bp.route("/export/cohort/<cohort_key>.csv")
def cohort_csv(cohort_key: str) -> Response:
    try:
        viewer = require_role(_viewer(), "coordinator")
        key, rows = cohort_rows(cohort_key)
    except AccessDenied:
        abort(404)
    audit(viewer, None, f"export.cohort:{key}")
    return _download(
        _csv(("person", *SERIES_COLUMNS), rows), f"{key}.csv", "text/csv; charset=utf-8"
    )


@bp.route("/report/<cohort_key>.html")
def impact_report(cohort_key: str) -> Response:
    """The impact report for funders, as a self-contained HTML file."""
    try:
        viewer = require_role(_viewer(), "coordinator")
    except AccessDenied:
        abort(404)
    from dashboards.i18n import current_language
    from dashboards.report.html_report import build_summary, render_html, self_assessment_rows
    from tracker.errors import NotFoundError

    try:
        summary = build_summary(app_state().db, cohort_key)
    except NotFoundError:
        abort(404)
    audit(viewer, None, f"report:{cohort_key}")
    questionnaire = app_state().config.self_assessment
    rows = self_assessment_rows(app_state().db, cohort_key, questionnaire)
    body = render_html(summary, current_language(), rows, questionnaire).encode("utf-8")
    return _download(body, f"report-{cohort_key}.html", "text/html; charset=utf-8")
