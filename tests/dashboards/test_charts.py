"""Chart builders: gaps stay gaps, texts are escaped, events are labelled, payloads stay small."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from dashboards.charts import (
    downsample,
    event_effects_figure,
    followers_figure,
    small_multiples_figure,
)
from tracker.metrics import EventEffect, PlotSeries, plot_series

EVENTS = pd.DataFrame(
    {
        "date": [date(2025, 3, 1), date(2025, 4, 5), date(2025, 6, 1), date(2025, 9, 30)],
        "kind": ["kickoff", "workshop", "midpoint", "closing"],
        "title": ["Auftakt in Berlin", "Reels <b>drehen</b>", "Halbzeit", "Abschlussfeier"],
    }
)


def series(days: int, label: str, missing: set[int] = frozenset()) -> PlotSeries:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    xs = tuple(start + timedelta(days=i) for i in range(days))
    ys = tuple(None if i in missing else float(100 + i) for i in range(days))
    return PlotSeries(label, xs, ys, ())


def test_downsample_keeps_gaps_and_the_last_value() -> None:
    s = series(1000, "x", missing={500, 501})
    xs, ys = downsample(s.x, s.y, 100)
    assert len(xs) < 120
    assert None in ys
    assert ys[-1] == 1099.0 and xs[-1] == s.x[-1]


def test_followers_chart_draws_gaps_as_gaps_with_a_note() -> None:
    frame = pd.DataFrame(
        {
            "taken_at": pd.to_datetime(
                [datetime(2025, 3, d, 6, tzinfo=UTC) for d in (1, 2, 6, 7)], utc=True
            ),
            "followers": pd.array([10, 11, 14, 15], dtype="Int64"),
        }
    )
    fig = followers_figure([plot_series(frame, label="instagram")], EVENTS)
    trace = fig.data[0]
    assert trace.connectgaps is False
    assert list(trace.y) == [10, 11, None, None, None, 14, 15]
    notes = [a.text for a in fig.layout.annotations]
    assert any("Lücken" in n for n in notes)


def test_events_are_labelled_in_german_and_titles_escaped() -> None:
    fig = followers_figure([series(400, "facebook")], EVENTS)
    labels = [a.text for a in fig.layout.annotations]
    assert labels == ["Auftakt", "Reels &lt;b&gt;drehen&lt;/b&gt;", "Halbzeit", "Abschluss"]
    assert len(fig.layout.shapes) == 4
    english = followers_figure([series(10, "facebook")], EVENTS, lang="en")
    assert next(a.text for a in english.layout.annotations) == "Kickoff"


def test_person_names_are_escaped_in_hover_and_titles() -> None:
    name = '<img src=x onerror="alert(1)">'
    fig = small_multiples_figure([(name, [series(30, "x")])], EVENTS)
    payload = fig.to_json()
    assert "<img" not in payload
    assert "&lt;img" in payload
    effects = [
        EventEffect(date(2025, 4, 5), "workshop", name, "posts_per_week", 1.0, 2.0, True, False)
    ]
    assert "<img" not in event_effects_figure(effects, "posts_per_week").to_json()


def test_two_years_daily_on_five_platforms_stays_under_300_kb() -> None:
    platforms = ["facebook", "instagram", "x", "bluesky", "mastodon"]
    fig = followers_figure([series(730, p, missing={100, 101, 400}) for p in platforms], EVENTS)
    size = len(fig.to_json())
    assert size < 300_000
    # Every platform still spans the whole two years.
    for trace in fig.data:
        assert str(trace.x[-1]).startswith("2025-12-30")


def test_small_multiples_have_one_panel_per_person() -> None:
    panels = [(f"Person {i}", [series(60, "x"), series(60, "instagram")]) for i in range(6)]
    fig = small_multiples_figure(panels, EVENTS, cols=4)
    titles = [a.text for a in fig.layout.annotations if a.text.startswith("Person")]
    assert titles == [f"Person {i}" for i in range(6)]
    assert len(fig.data) == 12
    # One legend entry per platform, not per panel.
    assert sum(bool(t.showlegend) for t in fig.data) == 2
    json.loads(fig.to_json())
