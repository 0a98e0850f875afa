"""One mentee's snapshots and posts read straight into per-account arrays for the progress view.

The view needs a few hundred to a few thousand rows per request; building pandas frames and
splitting them again per platform and account costs more than the query. The reader itself is
``tracker.store.read_arrays`` (the impact report reads whole cohorts with it); this module binds it
to the page and reads the cohort's events as the charts mark them.
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dashboards.charts import EventMark
from tracker.store import cursor
from tracker.store.models import ProgrammeEvent
from tracker.store.read_arrays import AccountData
from tracker.store.read_arrays import person_accounts as accounts

logger = logging.getLogger(__name__)

__all__ = ["AccountData", "accounts", "events"]

_EVENTS = (
    select(ProgrammeEvent.date, ProgrammeEvent.kind, ProgrammeEvent.title)
    .where(ProgrammeEvent.cohort_id == bindparam("cohort"))
    .order_by(ProgrammeEvent.date)
)


def events(session: Session, cohort_id: int | None) -> tuple[EventMark, ...]:
    """The cohort's programme events by date."""
    if cohort_id is None:
        return ()
    rows = cursor.prepared(session.connection(), _EVENTS, {"cohort": cohort_id})
    return tuple(EventMark(day, kind, title) for day, kind, title in rows)
