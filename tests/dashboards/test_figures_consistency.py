"""One number, one place: on the demo, every figure the programme page shows equals the impact
report's figure under the same label, and one mentee's figures equal a recomputation from the
raw rows."""

from __future__ import annotations

import re
import sqlite3
import statistics
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dashboards.app import create_app
from dashboards.progress.elements import find
from tracker.cli import main
from tracker.config import Config
from tracker.demo import demo_programme as demo
from tracker.programme.users import add_user
from tracker.store.db import Database

PASSWORD = "Kohorte-Zahlen-2026-stimmen"
KEY = "f" * 48
BERLIN = ZoneInfo("Europe/Berlin")
NUMBER = re.compile(r"[+-]?\d[\d.]*(?:,\d+)?")


def numbers(cell: str) -> list[float]:
    """The numbers of a German cell ("0,00 → 1,00 (n = 14)" -> [0.0, 1.0, 14.0]); "–" none."""
    return [float(n.replace(".", "").replace(",", ".")) for n in NUMBER.findall(cell)]


@dataclass(frozen=True)
class Built:
    db: Database
    db_path: Path
    url: str
    today: date
    dir: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    where = tmp_path_factory.mktemp("consistency")
    path = where / "demo.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    plan, _ = demo.build(db, earlier=False)  # one cohort: the single-cohort report
    with db.session() as s:
        add_user(s, "koordination@demo.invalid", "coordinator", "coordinator", PASSWORD)
        s.commit()
    yield Built(db, path, f"sqlite:///{path}", plan.today, where)
    db.dispose()


# -- the programme page, read from what its callback returns ---------------------------------


def _text(node: Any) -> str:
    if node is None:
        return ""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list):
        return "".join(_text(n) for n in node)
    return _text(node.get("props", {}).get("children"))


def _rows(node: Any, kind: str) -> list[Any]:
    """Every component of type ``kind`` (Tr, Th, Td) under ``node``, in order."""
    out: list[Any] = []
    if isinstance(node, list):
        for n in node:
            out += _rows(n, kind)
    elif isinstance(node, dict):
        if node.get("type") == kind:
            out.append(node)
        out += _rows(node.get("props", {}).get("children"), kind)
    return out


def table_of(node: Any) -> tuple[list[str], list[list[str]]]:
    heads = [_text(th) for th in _rows(node, "Th")]
    body = [[_text(td) for td in _rows(tr, "Td")] for tr in _rows(node, "Tr")]
    return heads, [r for r in body if r]


@pytest.fixture(scope="module")
def page(built: Built) -> Any:
    app = create_app(Config(), built.db, key=KEY)
    client = app.server.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    response = client.post(
        "/login",
        data={
            "email": "koordination@demo.invalid",
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "/",
        },
    )
    assert response.status_code == 302
    client.get("/programm")  # sets the CSRF cookie the callbacks need
    # The helpers conftest.py loaded by their path (tests run in importlib mode).
    dashcall = sys.modules["dashboards_test_dashcall"]
    dep = next(
        d
        for d in dashcall.dependencies(client)
        if "programme-body.children" in dashcall.stripped(d["output"])
    )
    values = {"programme-cohort.value": "demo", "programme-sort.value": "name"}
    answer = dashcall.call(client, dep, values)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["response"]["programme-body"]["children"]


# -- the impact report's HTML ----------------------------------------------------------------


class Tables(HTMLParser):
    """The report's tables with an id, as header cells and rows of cell text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, tuple[list[str], list[list[str]]]] = {}
        self.current: str | None = None
        self.cell: list[str] | None = None
        self.row: list[str] = []
        self.head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.current = dict(attrs).get("id")
            if self.current:
                self.tables[self.current] = ([], [])
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell, self.head = [], tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if self.current is None:
            return
        if tag in ("td", "th") and self.cell is not None:
            text = " ".join("".join(self.cell).split())
            heads = self.tables[self.current][0]
            (heads if self.head else self.row).append(text)
            self.cell = None
        elif tag == "tr" and self.row:
            self.tables[self.current][1].append(self.row)
            self.row = []
        elif tag == "table":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


@pytest.fixture(scope="module")
def report(built: Built) -> str:
    out = built.dir / "bericht.html"
    args = ["--db", built.url, "report", "--cohort", "demo", "--today", built.today.isoformat()]
    assert main([*args, "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def report_table(html: str, ident: str) -> tuple[list[str], list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables[ident]


def by_label(
    heads: list[str], rows: list[list[str]], key: int = 0
) -> dict[tuple[str, str], list[float]]:
    """(row label, column header) -> the cell's numbers, for every column with a header."""
    return {
        (row[key], head): numbers(cell)
        for row in rows
        for head, cell in zip(heads, row, strict=False)
        if head and cell != row[key]
    }


@pytest.mark.parametrize(
    ("page_id", "report_id"),
    [
        ("programme-effects", "event-effects"),
        ("programme-growth", "growth-by-platform"),
        ("programme-posting", "posting-by-platform"),
    ],
)
def test_every_figure_on_the_programme_page_equals_the_reports(
    page: Any, report: str, page_id: str, report_id: str
) -> None:
    shown = by_label(*table_of(find(page, page_id)))
    printed = by_label(*report_table(report, report_id))
    assert shown, f"the page shows the table {page_id}"
    for (label, column), values in shown.items():
        assert (label, column) in printed, f"the report has {column!r} for {label!r}"
        assert values == printed[(label, column)], (label, column)


def test_the_instagram_workshop_effect_is_the_median_over_mentees(built: Built, page: Any) -> None:
    con = sqlite3.connect(built.db_path)
    (day,) = con.execute(
        "select date from programme_event where title = 'Instagram für Einsteigerinnen'"
    ).fetchone()
    mentees = [k for (k,) in con.execute("select key from person where role = 'mentee'")]
    published: dict[str, list[datetime]] = {k: [] for k in mentees}
    for key, at in con.execute(
        "select p.key, pm.published_at from post_metric pm join account a on a.id = "
        "pm.account_id join person p on p.id = a.person_id where p.role = 'mentee'"
    ):
        published[key].append(_when(at))
    con.close()
    event = date.fromisoformat(day)
    before = (_local_midnight(event - timedelta(days=28)), _local_midnight(event))
    after = (_local_midnight(event), _local_midnight(event + timedelta(days=28)))

    def per_week(window: tuple[datetime, datetime]) -> float:
        return statistics.median(
            len([t for t in published[k] if window[0] <= t < window[1]]) / 4 for k in mentees
        )

    heads, rows = table_of(find(page, "programme-effects"))
    (row,) = [r for r in rows if "Instagram für Einsteigerinnen" in r[0]]
    shown = numbers(row[heads.index("Beiträge pro Woche")])
    expected = [round(per_week(before), 2), round(per_week(after), 2), float(len(mentees))]
    assert shown == expected


def test_blogs_are_counted_and_engagement_is_per_platform(built: Built, page: Any) -> None:
    con = sqlite3.connect(built.db_path)
    (blogs,) = con.execute(
        "select count(*) from account a join person p on p.id = a.person_id "
        "where p.role = 'mentee' and a.platform = 'blog'"
    ).fetchone()
    con.close()
    _heads, rows = table_of(find(page, "programme-growth"))
    blog = next(r for r in rows if r[0] == "Blog")
    assert blogs > 0 and numbers(blog[1]) == [float(blogs)]  # every blog account counted
    assert numbers(blog[2]) == [0.0] and blog[3] == "–"  # none has a follower count
    _heads, rows = table_of(find(page, "programme-posting"))
    blog = next(r for r in rows if r[0] == "Blog")
    assert numbers(blog[3])  # their posting is shown


def test_goals_reached_are_the_reports(page: Any, report: str) -> None:
    shown = numbers(_text(find(page, "programme-goals")))
    card = re.search(r"<div>Erreichte Ziele</div>\s*<div class=\"big\">([^<]*)</div>", report)
    assert card is not None
    assert shown == numbers(card.group(1)) and shown[0] > 0


def test_before_the_closing_the_report_says_as_of_today(built: Built, report: str) -> None:
    stamp = f"Stand {built.today:%d.%m.%Y}"
    assert stamp in report
    assert "zum Abschluss" not in report


# -- one mentee, recomputed from the raw rows -------------------------------------------------


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=BERLIN).astimezone(UTC)


def _raw(built: Built, person: str) -> tuple[dict[str, list[tuple]], dict[int, list[tuple]]]:
    con = sqlite3.connect(built.db_path)
    posts: dict[str, list[tuple]] = {}
    for row in con.execute(
        "select a.platform, a.id, pm.published_at, pm.likes, pm.comments, pm.shares "
        "from post_metric pm join account a on a.id = pm.account_id "
        "join person p on p.id = a.person_id where p.key = ?",
        (person,),
    ):
        posts.setdefault(row[0], []).append(row[1:])
    snaps: dict[int, list[tuple]] = {}
    for account, at, followers in con.execute(
        "select s.account_id, s.taken_at, s.followers from profile_snapshot s "
        "join account a on a.id = s.account_id join person p on p.id = a.person_id "
        "where p.key = ? and s.followers is not null order by s.taken_at",
        (person,),
    ):
        snaps.setdefault(account, []).append((_when(at), followers))
    con.close()
    return posts, snaps


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _rate(snaps: list[tuple[datetime, int]], at: datetime, parts: tuple[Any, ...]) -> float | None:
    near = [(abs(t - at), t > at, f) for t, f in snaps if abs(t - at) <= timedelta(days=3)]
    known = [p for p in parts if p is not None]
    if not near or not known:
        return None
    followers = min(near)[2]
    return sum(known) / followers * 100 if followers > 0 else None


def test_one_mentees_figures_equal_a_recomputation_from_the_raw_rows(
    built: Built, page: Any, report: str
) -> None:
    posts, snaps = _raw(built, "mentee-12")
    start = _local_midnight(built.today - timedelta(days=27))
    end = _local_midnight(built.today + timedelta(days=1))  # the last 28 local days
    per_week = {
        platform: len([r for r in rows if start <= _when(r[1]) < end]) / 4
        for platform, rows in posts.items()
    }
    engagement = {}
    for platform, rows in posts.items():
        rates = [
            r
            for account, at, *parts in rows
            if start <= _when(at) < end
            and (r := _rate(snaps.get(account, []), _when(at), tuple(parts))) is not None
        ]
        engagement[platform] = statistics.median(rates) if rates else None
    # Engagement is per platform: Instagram and X are far from zero for her.
    assert engagement["instagram"] and engagement["x"] and engagement["instagram"] > 1

    tables = built.dir / "tables"
    args = ["--db", built.url, "report", "--cohort", "demo", "--today", built.today.isoformat()]
    assert main([*args, "--format", "csv", "--named", "--machine", "--out", str(tables)]) == 0
    import pandas as pd

    mine = pd.read_csv(tables / "platform_posting.csv")
    mine = mine[mine["person_key"] == "mentee-12"].set_index("platform")
    for platform, expected in per_week.items():
        assert mine.at[platform, "posts_per_week_last_month"] == pytest.approx(expected)
        got = mine.at[platform, "engagement_last_month"]
        if engagement[platform] is None:
            assert pd.isna(got), platform  # unknown, never 0
        else:
            assert got == pytest.approx(engagement[platform], abs=1e-4), platform

    # The page's row of her: followers (the last known count of each account, added up) and
    # posts per week over all her platforms.
    heads, rows = table_of(find(page, "programme-table"))
    (row,) = [r for r in rows if r[0] == _name(built, "mentee-12")]
    latest = sum(values[-1][1] for values in snaps.values())
    assert numbers(row[heads.index("Follower")]) == [float(latest)]
    assert numbers(row[heads.index("Beiträge/Woche")]) == [round(sum(per_week.values()), 1)]


def _name(built: Built, key: str) -> str:
    con = sqlite3.connect(built.db_path)
    (name,) = con.execute("select display_name from person where key = ?", (key,)).fetchone()
    con.close()
    return str(name)
