"""Who may see whose data: the one scoping function and the checks built on it.

mentee -> herself; mentor -> the mentees of her tandems; coordinator -> the whole programme.
Anything else (nobody logged in, an unknown role, a login without a person) sees nothing.
Every page layout, Dash callback, export and route asks here, with keys taken from the
request, which the browser controls: a key out of scope is answered exactly like an unknown key.
"""

from __future__ import annotations

import logging

from flask import Response, g, has_request_context
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dashboards.request_context import Viewer, app_state
from tracker.privacy.audit_write import View, record_views
from tracker.programme.scope import NOBODY, Scope, scope_for
from tracker.store.models import Person, Tandem

logger = logging.getLogger(__name__)


class AccessDenied(Exception):
    """The viewer may not see or change what was asked for (or it does not exist)."""


# Built once (bound per call): every page view and callback looks the person up.
_PERSON_BY_KEY = select(Person).where(Person.key == bindparam("key"))


def scope_of(session: Session, viewer: Viewer | None) -> Scope:
    """THE scoping function: whose data ``viewer`` may see. Deny by default.

    The rule itself lives in ``tracker.programme.scope`` (the weekly letter applies it too)."""
    if viewer is None:
        return NOBODY
    return scope_for(session, viewer.role, viewer.person_id)


def audit(viewer: Viewer, person_key: str | None, surface: str, action: str = "view") -> None:
    """Record one view of a person's data.

    Within a request the entry is written when the request ends (``flush_audit``), in its own
    transaction: a callback may hold a write transaction of its own, and SQLite has one writer.
    """
    entry = View(viewer.label, viewer.role, person_key, surface, action)
    if has_request_context():
        g.setdefault("audit_pending", []).append(entry)
        return
    with app_state().db.write_engine.begin() as conn:
        record_views(conn, [entry])


def flush_audit(response: Response) -> Response:
    """Write the request's audit entries in one INSERT (registered as an after-request hook).

    Core rows on a plain write connection: no ORM session or unit of work per page view."""
    pending = g.pop("audit_pending", None)
    if pending:
        with app_state().db.write_engine.begin() as conn:
            record_views(conn, pending)
    return response


def authorize_person(
    session: Session, viewer: Viewer | None, person_key: object, surface: str
) -> Person:
    """The person ``person_key`` if the viewer may see her data; records the view.

    Raises AccessDenied for anyone out of scope, an unknown key or a key that is not text."""
    if viewer is None or not isinstance(person_key, str) or not person_key:
        raise AccessDenied("not allowed")
    person = session.scalar(_PERSON_BY_KEY, {"key": person_key})
    if person is None or not scope_of(session, viewer).allows(person.id):
        logger.info("denied %s (%s) access to a person on %s", viewer.label, viewer.role, surface)
        raise AccessDenied("not allowed")
    audit(viewer, person.key, surface)
    return person


def visible_people(
    session: Session, viewer: Viewer | None, roles: tuple[str, ...] = ("mentee",)
) -> list[Person]:
    """The people in the viewer's scope with one of ``roles``, by name."""
    scope = scope_of(session, viewer)
    stmt = select(Person).where(Person.role.in_(roles)).order_by(Person.display_name)
    if not scope.everyone:
        if not scope.person_ids:
            return []
        stmt = stmt.where(Person.id.in_(sorted(scope.person_ids)))
    return list(session.scalars(stmt))


def authorize_tandem(
    session: Session, viewer: Viewer | None, tandem_id: object, surface: str, write: bool = False
) -> Tandem:
    """The tandem if the viewer may see it (its mentee is in scope), or change its goals and
    notes (its mentor or a coordinator); records the view. Raises AccessDenied otherwise."""
    if viewer is None or isinstance(tandem_id, bool) or not isinstance(tandem_id, int):
        raise AccessDenied("not allowed")
    tandem = session.get(Tandem, tandem_id)
    if tandem is None or not scope_of(session, viewer).allows(tandem.mentee_id):
        raise AccessDenied("not allowed")
    if write and viewer.role != "coordinator" and tandem.mentor_id != viewer.person_id:
        raise AccessDenied("not allowed")
    audit(viewer, tandem.mentee.key, surface, action="edit" if write else "view")
    return tandem


def require_role(viewer: Viewer | None, *roles: str) -> Viewer:
    """The viewer when she has one of ``roles``; raises AccessDenied otherwise."""
    if viewer is None or viewer.role not in roles:
        raise AccessDenied("not allowed")
    return viewer
