"""Who may see whose data: the one scoping function and the checks built on it.

mentee -> herself; mentor -> the mentees of her tandems; coordinator -> the whole programme.
Anything else (nobody logged in, an unknown role, a login without a person) sees nothing.
Every page layout, Dash callback, export and route asks here, with keys taken from the
request, which the browser controls: a key out of scope is answered exactly like an unknown key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from flask import Response, g, has_request_context, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from connectors.base import utcnow
from dashboards.request_context import Viewer, app_state
from tracker.privacy.audit_write import DENIED, View, record_views, writer_for
from tracker.programme.scope import NOBODY, Scope, scope_for
from tracker.store import cursor
from tracker.store.models import Person, PersonRef, Tandem

logger = logging.getLogger(__name__)


class AccessDenied(Exception):
    """The viewer may not see or change what was asked for (or it does not exist)."""


# Built once (bound per call): every page view and callback looks the person up.
_PERSON_BY_KEY = select(Person).where(Person.key == bindparam("key"))
_PERSON_REF_BY_KEY = select(
    Person.id, Person.key, Person.display_name, Person.role, Person.cohort_id
).where(Person.key == bindparam("key"))
_PERSON_REF_SQL = 'SELECT id, "key", display_name, role, cohort_id FROM person WHERE "key" = {mark}'
_Found = TypeVar("_Found", Person, PersonRef)


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
    entry = View(viewer.label, viewer.role, person_key, surface, action, at=utcnow())
    if has_request_context():
        g.setdefault("audit_pending", []).append(entry)
        return
    with app_state().db.write_engine.begin() as conn:
        record_views(conn, [entry])


def _denied(viewer: Viewer | None, person_key: str | None, surface: str) -> AccessDenied:
    """Record a denied attempt (who, what, when) and return the exception to raise.

    What was asked for: the surface, and for a callback its output; ``person_key`` only when
    it names a real person (a forged key is not copied into the log). Bounded per viewer and
    overall (``ViewWriter.admit_denial``), so a flood cannot fill the disk."""
    who = viewer.label if viewer is not None else "anonymous"
    what = surface
    if has_request_context() and request.is_json and request.path == "/_dash-update-component":
        body = request.get_json(silent=True)
        output = body.get("output") if isinstance(body, dict) else None
        if isinstance(output, str):
            what = f"{surface} {output}"
    logger.info("denied %s (%s) access on %s", who, viewer.role if viewer else None, what)
    if has_request_context() and writer_for(app_state().db).admit_denial(who):
        entry = View(who, viewer.role if viewer else None, person_key, what[:100], DENIED, utcnow())
        g.setdefault("audit_pending", []).append(entry)
    return AccessDenied("not allowed")


def flush_audit(response: Response) -> Response:
    """Hand the request's audit entries to the writer (registered as an after-request hook):
    they are written in a batch within moments, and the page never waits for the database
    (``ViewWriter``)."""
    pending = g.pop("audit_pending", None)
    if pending:
        writer_for(app_state().db).write(pending)
    return response


def _authorized(
    session: Session,
    viewer: Viewer | None,
    person_key: object,
    surface: str,
    find: Callable[[str], _Found | None],
) -> _Found:
    """The person ``find`` gives for ``person_key`` if the viewer may see her data; records
    the view. Raises AccessDenied for anyone out of scope, an unknown key or a key that is not
    text."""
    if viewer is None or not isinstance(person_key, str) or not person_key:
        raise _denied(viewer, None, surface)
    person = find(person_key)
    if person is None or not scope_of(session, viewer).allows(person.id):
        raise _denied(viewer, person.key if person else None, surface)
    audit(viewer, person.key, surface)
    return person


def authorize_person(
    session: Session, viewer: Viewer | None, person_key: object, surface: str
) -> Person:
    """The person ``person_key`` if the viewer may see her data, as the object a change of
    her data needs; records the view. Raises AccessDenied otherwise (see ``_authorized``)."""
    return _authorized(
        session,
        viewer,
        person_key,
        surface,
        lambda key: session.scalar(_PERSON_BY_KEY, {"key": key}),
    )


def authorize_person_ref(
    session: Session, viewer: Viewer | None, person_key: object, surface: str
) -> PersonRef:
    """:func:`authorize_person` for a page that only reads her data: the same check and
    record, the person as plain values."""

    def find(key: str) -> PersonRef | None:
        conn = session.connection()
        mark = cursor.placeholder(conn.dialect)
        row: Sequence[Any] | None
        if mark is None:
            row = conn.execute(_PERSON_REF_BY_KEY, {"key": key}).first()
        else:
            rows = cursor.rows(conn, _PERSON_REF_SQL.format(mark=mark), [key])
            row = cast(Sequence[Any], rows[0]) if rows else None
        return PersonRef(*row) if row is not None else None

    return _authorized(session, viewer, person_key, surface, find)


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
    """The tandem if the viewer belongs to it (its mentor, or its mentee for reading) or is a
    coordinator; records the view. Raises AccessDenied otherwise.

    Scoped by membership of this tandem, not by its mentee: the mentor of another tandem of
    the same mentee reads neither this tandem's goals nor its mentor's notes."""
    if viewer is None or isinstance(tandem_id, bool) or not isinstance(tandem_id, int):
        raise _denied(viewer, None, surface)
    tandem = session.get(Tandem, tandem_id)
    if tandem is None or not tandem_member(viewer, tandem, write):
        raise _denied(viewer, tandem.mentee.key if tandem else None, surface)
    audit(viewer, tandem.mentee.key, surface, action="edit" if write else "view")
    return tandem


def tandem_member(viewer: Viewer, tandem: Tandem, write: bool = False) -> bool:
    """Whether ``viewer`` may read (or, with ``write``, change) ``tandem``'s goals and notes."""
    if viewer.role == "coordinator":
        return True
    if viewer.person_id is None:
        return False
    if viewer.role == "mentor":
        return tandem.mentor_id == viewer.person_id
    return viewer.role == "mentee" and not write and tandem.mentee_id == viewer.person_id


def require_role(viewer: Viewer | None, *roles: str) -> Viewer:
    """The viewer when she has one of ``roles``; raises AccessDenied otherwise."""
    if viewer is None or viewer.role not in roles:
        surface = request.path if has_request_context() else "role"
        raise _denied(viewer, None, f"role {'/'.join(roles)} {surface}"[:100])
    return viewer
