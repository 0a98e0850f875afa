"""The status page tells the coordinator when the last backup was taken, and marks it when
there is none, it is older than two days, or no daily backup is configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dashboards.i18n import fmt_datetime
from dashboards.progress.elements import find
from tracker.ops.backup import take_backup


def _find(node: Any, ident: str) -> Any:
    """The props of the component with id ``ident`` in a Dash JSON response."""
    found = find(node, ident)
    return found["props"] if found is not None else None


def _backup_line(client: Any, dashcall: Any) -> tuple[Any, str]:
    router = next(d for d in dashcall.dependencies(client) if "_pages_content" in d["output"])
    response = dashcall.call(
        client, router, {"_pages_location.pathname": "/status", "_pages_location.search": ""}
    )
    assert response.status_code == 200
    payload = response.get_json()
    line = _find(payload, "status-backup")
    assert line is not None, "the status page shows the last backup"
    return line, str(payload)


def test_status_page_shows_the_last_backup(
    client_for: Any, dashcall: Any, web_db: Any, tmp_path: Path
) -> None:
    db, _data = web_db
    client = client_for("coordinator")
    line, page = _backup_line(client, dashcall)
    assert line["children"] == "noch keine" and line["className"] == "state-bad"
    assert "Keine tägliche Sicherung eingerichtet" in page

    old = datetime.now(UTC) - timedelta(days=3)
    take_backup(db, tmp_path / "old.tar.gz", now=old)
    line, _page = _backup_line(client, dashcall)
    assert line["children"] == fmt_datetime(old, "de") and line["className"] == "state-bad"

    recent = datetime.now(UTC) - timedelta(hours=5)
    take_backup(db, tmp_path / "recent.tar.gz", now=recent)
    line, _page = _backup_line(client, dashcall)
    assert line["children"] == fmt_datetime(recent, "de") and line["className"] == "state-ok"
