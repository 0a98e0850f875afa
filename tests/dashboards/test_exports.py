"""Downloads as the people who open them see them: the own-data ZIP with text that never runs
as a formula, CSVs for German Excel (and the machine-readable variant one parameter away), the
cohort as one row per person and week, the raw rows apart."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from tracker.store.db import Database
from tracker.store.models import CheckinNote, Goal, Person

FORMULA = '=HYPERLINK("http://x","y")'


def _formulas_everywhere(db: Database, tandem_id: int) -> None:
    with db.write() as session:
        session.add(Goal(tandem_id=tandem_id, title=FORMULA, kind="manual", created_at=T))
        mentor = session.scalar(select(Person.id).where(Person.key == "mentor-a"))
        session.add(
            CheckinNote(
                tandem_id=tandem_id,
                author_id=mentor,
                on=T.date(),
                text="-2+" + FORMULA,
                created_at=T,
            )
        )
        session.execute(
            update(Person).where(Person.key == "mentee-a").values(display_name="@" + FORMULA)
        )


T = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def test_my_data_zip_neutralises_formulas(client_for: Any, web_db: tuple[Database, Any]) -> None:
    db, data = web_db
    _formulas_everywhere(db, data.tandem_a)
    response = client_for("mentee").get("/export/mine.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        files = {n: archive.read(n).decode("utf-8-sig") for n in archive.namelist()}

    def column(name: str, col: str) -> list[str]:
        return [row[col] for row in csv.DictReader(io.StringIO(files[f"{name}.csv"]))]

    assert "'" + FORMULA in column("goal", "title")
    assert "'-2+" + FORMULA in column("checkin_note", "text")
    assert column("person", "display_name") == ["'@" + FORMULA]
    for name in ("goal", "checkin_note", "person"):
        for row in csv.reader(io.StringIO(files[f"{name}.csv"])):
            assert not any(c.startswith(("=", "+", "-", "@")) for c in row), (name, row)
