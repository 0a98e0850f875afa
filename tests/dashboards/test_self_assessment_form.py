"""The self-assessment callbacks as the browser calls them: a closed round is refused with a
message saying so, nothing is stored, and the free text comes back as text only."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from tracker.store.db import Database
from tracker.store.models import SelfAssessmentAnswer


def _save(client: Any, dashcall: Any, round_key: str, text: str) -> str:
    dep = next(
        d for d in dashcall.dependencies(client) if d["output"].startswith("..progress-sa-message")
    )
    ids = [{"type": "progress-sa-value", "item": "plan"}]
    values = {
        "progress-sa-save.n_clicks": 1,
        "progress-person.data": "mentee-a",
        "progress-sa-round.data": round_key,
        "progress-sa-value.value": [{"id": ids[0], "property": "value", "value": 4}],
        "progress-sa-value.id": [{"id": ids[0], "property": "id", "value": ids[0]}],
        "progress-sa-text.value": text,
    }
    response = dashcall.call(client, dep, values)
    assert response.status_code == 200
    # The JSON as text, with its \u escapes decoded (umlauts, quotes, angle brackets).
    return json.dumps(response.get_json(), ensure_ascii=False)


def _stored(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(SelfAssessmentAnswer)) or 0)


def test_a_closed_round_is_refused_with_a_clear_message(
    client_for: Any, dashcall: Any, web_db: tuple[Database, Any]
) -> None:
    db, _data = web_db
    # The kickoff was 50 days ago: its four weeks are over.
    body = _save(client_for("mentee"), dashcall, "kickoff", "zu spät")
    assert "Die Runde „Auftakt“ ist am" in body and "zu Ende gegangen" in body
    assert _stored(db) == 0


def test_too_long_free_text_is_refused_and_markup_stays_text(
    client_for: Any, dashcall: Any, web_db: tuple[Database, Any]
) -> None:
    db, _data = web_db
    client = client_for("mentee")
    body = _save(client, dashcall, "midpoint", "x" * 501)
    assert "Der Text ist zu lang: höchstens 500 Zeichen." in body
    assert _stored(db) == 0
    body = _save(client, dashcall, "midpoint", "<script>alert(1)</script>")
    assert "Gespeichert" in body
    # Dash sends the text as a JSON string, which React renders as text.
    # Sent as a JSON string, which React renders as text, never as markup.
    assert '"<script>alert(1)</script>"' in body
    assert _stored(db) > 0
