"""Downloads as the people who open them see them: the own-data ZIP with text that never runs
as a formula, CSVs for German Excel (and the machine-readable variant one parameter away), the
cohort as one row per person and week, the raw rows apart."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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


def _excel_de(body: bytes) -> list[list[str]]:
    """Read as German Excel does: UTF-8 only with the byte-order mark, ';' between cells."""
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8")), delimiter=";"))


def test_person_csv_for_german_excel_and_for_programs(client_for: Any) -> None:
    client = client_for("mentee")
    german = _excel_de(client.get("/export/mentee-a.csv").data)
    assert german[0] == [
        "Plattform",
        "Konto",
        "Zeitpunkt",
        "Follower",
        "Gefolgt",
        "Beiträge",
        "Quelle",
    ]
    machine = client.get("/export/mentee-a.csv?machine=1").get_data(as_text=True)
    lines = machine.split("\r\n")
    assert lines[0] == "platform,handle,taken_at,followers,following,posts,source"
    first = next(csv.reader([lines[1]]))
    taken = datetime.fromisoformat(first[2])
    assert taken.utcoffset() is not None and taken.utcoffset().total_seconds() == 0
    row = german[1]
    assert row[0] == "Bluesky" and first[0] == "bluesky"
    # 09:00 UTC in the programme's time zone (Europe/Berlin), as German Excel reads a time.
    local = taken.astimezone(ZoneInfo("Europe/Berlin"))
    assert row[2] == local.strftime("%d.%m.%Y %H:%M")
    assert row[3] == first[3] and row[6] == "Abruf"


def test_cohort_csv_is_one_row_per_mentee_and_week(client_for: Any) -> None:
    client = client_for("coordinator")
    weekly = _excel_de(client.get("/export/cohort/c1.csv").data)
    head, rows = weekly[0], weekly[1:]
    assert head == [
        "Kürzel",
        "Name",
        "Woche ab (Montag)",
        "Follower Bluesky",
        "Follower Instagram",
        "Beiträge in der Woche",
    ]
    keys = [(r[0], r[2]) for r in rows]
    assert len(keys) == len(set(keys)) and {k for k, _ in keys} == {"mentee-a", "mentee-b"}
    weeks = sorted({datetime.strptime(w, "%d.%m.%Y").date() for _, w in keys})
    assert all(w.weekday() == 0 for w in weeks)  # Mondays
    assert len(rows) == 2 * len(weeks)

    # Recomputed from the raw export: each week's last follower count in Berlin time.
    raw = client.get("/export/cohort/c1/snapshots.csv?machine=1").get_data(as_text=True)
    snapshots = list(csv.DictReader(io.StringIO(raw)))
    assert len(snapshots) > 3 * len(rows) // 2  # the weekly table is the short one
    last: dict[tuple[str, str, str], tuple[datetime, str]] = {}
    for s in snapshots:
        local = datetime.fromisoformat(s["taken_at"]).astimezone(ZoneInfo("Europe/Berlin"))
        monday = (local.date() - timedelta(days=local.weekday())).strftime("%d.%m.%Y")
        key = (s["person_key"], monday, s["platform"])
        if s["followers"] and (key not in last or last[key][0] < local):
            last[key] = (local, s["followers"])
    checked = 0
    for r in rows:
        for column, platform in ((3, "bluesky"), (4, "instagram")):
            found = last.get((r[0], r[2], platform))
            assert r[column] == (found[1] if found else ""), (r, platform)
            checked += found is not None
    assert checked > len(rows)
    # mentee-b has no Instagram account: unknown, never 0.
    assert all(r[4] == "" for r in rows if r[0] == "mentee-b")
