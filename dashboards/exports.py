"""Downloads, under the same scoping as the pages: a person's series as CSV, a mentee's own
data export (ZIP), the cohort week by week and its raw snapshots as CSV, and the impact report
(coordinators).

Every CSV goes through ``tracker.tabular``: for German readers in German Excel's dialect (``;``,
byte-order mark, decimal comma, local times, German headings), with ``?machine=1`` for programs
(``,``, ISO times in UTC, English column names). Text that would run as a formula is neutralised.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
from flask import Blueprint, Response, abort, g, request
from sqlalchemy import select

from dashboards.access import AccessDenied, audit, authorize_person_ref, require_role
from dashboards.i18n import current_language, platform_label, t
from dashboards.request_context import Viewer, app_state
from dashboards.table_labels import Table, headers, readable_rows
from tracker.cohort.weekly_table import WeeklyTable, cohort_weeks
from tracker.errors import NotFoundError
from tracker.store import read_frames as series
from tracker.store.models import Cohort
from tracker.tabular import CsvFlavour, csv_bytes, flavour_for, format_cell

logger = logging.getLogger(__name__)

bp = Blueprint("exports", __name__)
SERIES_COLUMNS = ("platform", "handle", "taken_at", "followers", "following", "posts", "source")
POST_COLUMNS = ("platform", "post_id", "published_at", "kind", "likes", "comments", "shares")
CSV_MIMETYPE = "text/csv; charset=utf-8"


def _cell(value: Any) -> str:
    """A CSV cell for programs (kept for callers of the old helper): unknown stays empty,
    formulas are neutralised."""
    return format_cell(value)


def _flavour() -> tuple[CsvFlavour, str]:
    """The request's CSV flavour and language: German Excel for German readers, unless the
    link asks for ``?machine=1``."""
    lang = current_language()
    machine = request.args.get("machine", "").lower() in ("1", "true", "yes", "ja")
    try:
        timezone = app_state().config.tracker.timezone
    except (AttributeError, KeyError, RuntimeError):
        timezone = None
    return flavour_for(lang, machine, timezone), lang


def _table_csv(table: Table, flavour: CsvFlavour, lang: str) -> bytes:
    readable = flavour.local_times
    head = headers(table.columns, lang, readable)
    rows: Sequence[Sequence[Any]] = readable_rows(table, lang) if readable else table.rows
    return csv_bytes(head, rows, flavour)


def _frame_table(frame: pd.DataFrame, columns: tuple[str, ...]) -> Table:
    return Table(columns, [tuple(r) for r in frame[list(columns)].itertuples(index=False)])


def _download(body: bytes, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _viewer() -> Viewer | None:
    viewer = getattr(g, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else None


@bp.route("/export/<person_key>.csv")
def person_csv(person_key: str) -> Response:
    """The person's follower series (one row per snapshot) and, after an empty line, her post
    metrics, as CSV."""
    state = app_state()
    with state.db.session() as session:
        try:
            person = authorize_person_ref(session, _viewer(), person_key, "export.csv")
        except AccessDenied:
            abort(404)
        snaps = series.snapshots(session, [person.id])
        posts = series.posts(session, [person.id])
    flavour, lang = _flavour()
    body = _table_csv(_frame_table(snaps, SERIES_COLUMNS), flavour, lang)
    if not posts.empty:
        # One byte-order mark, at the start of the file.
        rest = replace(flavour, bom=False)
        body += b"\r\n" + _table_csv(_frame_table(posts, POST_COLUMNS), rest, lang)
    return _download(body, f"{person.key}.csv", CSV_MIMETYPE)


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


def weekly_csv(table: WeeklyTable, flavour: CsvFlavour, lang: str) -> bytes:
    """One row per mentee and week: each platform's followers at the week's end, posts."""
    readable = flavour.local_times
    if readable:
        head = [
            t("table.person_key", lang),
            t("table.name", lang),
            t("table.week_start", lang),
            *(t("table.followers_on", lang, platform=platform_label(p)) for p in table.platforms),
            t("table.posts_in_week", lang),
        ]
    else:
        head = [
            "person_key",
            "name",
            "week_start",
            *(f"followers_{p}" for p in table.platforms),
            "posts_in_week",
        ]
    rows = [(r.person_key, r.name, r.week_start, *r.followers, r.posts) for r in table.rows]
    return csv_bytes(head, rows, flavour)


def _coordinator() -> Viewer:
    try:
        return require_role(_viewer(), "coordinator")
    except AccessDenied:
        abort(404)


@bp.route("/export/cohort/<cohort_key>.csv")
def cohort_csv(cohort_key: str) -> Response:
    """The cohort's mentees week by week (one row per mentee and week)."""
    viewer = _coordinator()
    flavour, lang = _flavour()
    with app_state().db.session() as session:
        try:
            table = cohort_weeks(session, cohort_key, flavour.timezone)
        except NotFoundError:
            abort(404)
    audit(viewer, None, f"export.cohort:{table.cohort_key}")
    return _download(weekly_csv(table, flavour, lang), f"{table.cohort_key}.csv", CSV_MIMETYPE)


@bp.route("/export/cohort/<cohort_key>/snapshots.csv")
def cohort_snapshots_csv(cohort_key: str) -> Response:
    """The raw data: every snapshot of the cohort's mentees, one row each."""
    viewer = _coordinator()
    with app_state().db.session() as session:
        cohort = session.scalar(select(Cohort).where(Cohort.key == cohort_key))
        if cohort is None:
            abort(404)
        people = {p.id: p.key for p in series.cohort_people(session, cohort)}
        snaps = series.snapshots(session, list(people))
    audit(viewer, None, f"export.cohort_snapshots:{cohort.key}")
    columns = ("person_key", *SERIES_COLUMNS)
    rows = [
        (people[int(r.person_id)], *[getattr(r, c) for c in SERIES_COLUMNS])
        for r in snaps.itertuples(index=False)
    ]
    flavour, lang = _flavour()
    return _download(
        _table_csv(Table(columns, rows), flavour, lang),
        f"{cohort.key}-snapshots.csv",
        CSV_MIMETYPE,
    )


@bp.route("/report/<cohort_key>.html")
def impact_report(cohort_key: str) -> Response:
    """The impact report for funders (pseudonyms only), as a self-contained HTML file;
    ``?named=1`` gives the programme team's internal version with names."""
    viewer = _coordinator()
    from dashboards.report.html_report import build_summary, report_html

    named = request.args.get("named", "").lower() in ("1", "true", "yes", "ja")
    try:
        summary = build_summary(app_state().db, cohort_key)
    except NotFoundError:
        abort(404)
    audit(viewer, None, f"report{'.named' if named else ''}:{cohort_key}")
    questionnaire = app_state().config.self_assessment
    body = report_html(
        app_state().db, summary, current_language(), questionnaire, named=named
    ).encode("utf-8")
    suffix = "-intern" if named else ""
    return _download(body, f"report-{cohort_key}{suffix}.html", "text/html; charset=utf-8")
