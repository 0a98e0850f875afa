"""/healthz: is the poller alive and polling? JSON, no login, nothing about any person."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from dashboards.request_context import app_state

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> Any:
    from tracker.polling.heartbeat import read_health

    health = read_health(app_state().db)
    body = {
        "status": health.status,
        "heartbeat_age_seconds": (
            None if health.heartbeat_age_seconds is None else round(health.heartbeat_age_seconds, 1)
        ),
        "last_success_at": health.last_success_at.isoformat() if health.last_success_at else None,
    }
    return jsonify(body), 200 if health.status == "ok" else 503
