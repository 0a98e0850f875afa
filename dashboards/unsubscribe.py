"""/abmelden/<token>: unsubscribe from the weekly letter without logging in.

The token in the link is signed for this one purpose and one person (``tracker.mail.tokens``).
Opening the link asks (mail programs and scanners open links on their own); the button, or a
mail program's one-click POST (RFC 8058), records the withdrawal, which stops the next letter.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from dashboards.i18n import COOKIE, LANGUAGES, t
from dashboards.request_context import app_state
from tracker.mail.optin import record
from tracker.mail.tokens import read_unsubscribe_token
from tracker.store.models import Person

logger = logging.getLogger(__name__)

bp = Blueprint("unsubscribe", __name__)
PREFIX = "/abmelden/"
BY = "unsubscribe link"


def _page(lang: str, status: int, **values: Any) -> tuple[str, int]:
    html = render_template(
        "unsubscribe.html", t=lambda key, **kw: t(key, lang, **kw), lang=lang, **values
    )
    return html, status


@bp.route(PREFIX + "<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Any:
    chosen = request.cookies.get(COOKIE)
    found = read_unsubscribe_token(current_app.config["SECRET_KEY"], token)
    db = app_state().db
    person_id: int | None = None
    lang: str | None = None
    if found is not None:
        with db.session() as session:
            person = session.scalar(select(Person).where(Person.id == found[0]))
            # Id and key both: after an erasure, a new person under the same key is not her.
            if person is not None and person.key == found[1]:
                person_id, lang = person.id, person.language
    lang = chosen if chosen in LANGUAGES else (lang or "de")
    if person_id is None:
        return _page(lang, 404, invalid=True)
    if request.method == "POST":
        with db.write() as session:
            record(session, person_id, "withdrawn", BY)
        logger.info("weekly letter withdrawn through the unsubscribe link")
        return _page(lang, 200, done=True)
    return _page(lang, 200)
