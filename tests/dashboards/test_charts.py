"""Chart builders: gaps stay gaps, texts are escaped, events are labelled, payloads stay small."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import plotly.io as pio

from dashboards.charts import (
    Line,
    downsample,
    event_effects_figure,
    events_of,
    figure_size,
    kept_points,
    line_figure,
    line_of,
    small_multiples_figure,
    sparkline,
)
from tracker.metrics import EventEffect, plot_series

EVENTS = events_of(
    pd.DataFrame(
        {
            "date": [date(2025, 3, 1), date(2025, 4, 5), date(2025, 6, 1), date(2025, 9, 30)],
            "kind": ["kickoff", "workshop", "midpoint", "closing"],
            "title": ["Auftakt in Berlin", "Reels <b>drehen</b>", "Halbzeit", "Abschlussfeier"],
        }
    )
)


def line(days: int, platform: str, missing: frozenset[int] = frozenset()) -> Line:
    start = date(2024, 1, 1)
    xs = tuple((start + timedelta(days=i)).isoformat() for i in range(days))
    ys = tuple(None if i in missing else float(100 + i) for i in range(days))
    return Line(platform, xs, ys)


def labels(fig: dict) -> list[str]:
    return [a["text"] for a in fig["layout"]["annotations"]]


def test_downsample_keeps_gaps_and_the_last_value() -> None:
    s = line(1000, "x", missing=frozenset({500, 501}))
    xs, ys = downsample(s.x, s.y, 100)
    assert len(xs) < 120
    assert None in ys
    assert ys[-1] == 1099.0 and xs[-1] == s.x[-1]


def test_downsample_keeps_each_buckets_last_point_and_the_edges_of_a_gap() -> None:
    ys: list[float | None] = [float(v) for v in range(10)]
    ys[4] = ys[6] = ys[7] = None
    # Buckets of ceil(10 / 4) = 3: [0 1 2] [3 _ 5] [_ _ 8] [9].
    xs, kept = downsample(list(range(10)), ys, 4)
    assert xs == [2, 3, 4, 5, 6, 8, 9]
    assert kept == [2.0, 3.0, None, 5.0, None, 8.0, 9.0]
    assert downsample(list(range(10)), ys, 10) == (list(range(10)), ys)  # short: all of it


def test_followers_chart_draws_gaps_as_gaps_with_a_note() -> None:
    frame = pd.DataFrame(
        {
            "taken_at": pd.to_datetime(
                [datetime(2025, 3, d, 6, tzinfo=UTC) for d in (1, 2, 6, 7)], utc=True
            ),
            "followers": pd.array([10, 11, 14, 15], dtype="Int64"),
        }
    )
    fig = line_figure(
        [line_of(plot_series(frame, label="instagram"))], EVENTS, "de", "Follower", gap_note=True
    )
    trace = fig["data"][0]
    assert trace["connectgaps"] is False
    assert trace["y"] == [10, 11, None, None, None, 14, 15]
    assert trace["x"][0] == "2025-03-01" and trace["x"][-1] == "2025-03-07"
    assert any("Lücken" in n for n in labels(fig))


def test_events_are_labelled_in_german_and_titles_escaped() -> None:
    fig = line_figure([line(400, "facebook")], EVENTS, "de", "Follower")
    assert labels(fig) == ["Auftakt", "Reels &lt;b&gt;drehen&lt;/b&gt;", "Halbzeit", "Abschluss"]
    assert len(fig["layout"]["shapes"]) == 4
    english = line_figure([line(10, "facebook")], EVENTS, "en", "Followers")
    assert labels(english)[0] == "Kickoff"


def test_an_empty_chart_says_so_instead_of_drawing_zero() -> None:
    fig = line_figure([], EVENTS, "de", "Follower")
    assert fig["data"] == []
    assert "Noch keine Daten in diesem Zeitraum." in labels(fig)


def test_person_names_are_escaped_in_hover_and_titles() -> None:
    name = '<img src=x onerror="alert(1)">'
    for fig in (
        small_multiples_figure([(name, [line(30, "x")])], EVENTS),
        sparkline(line(30, "x"), EVENTS, name, "de"),
        event_effects_figure(
            [
                EventEffect(
                    date(2025, 4, 5), "workshop", name, "posts_per_week", 1.0, 2.0, True, False
                )
            ],
            "posts_per_week",
        ),
    ):
        payload = json.dumps(fig)
        assert "<img" not in payload
        assert "&lt;img" in payload


def test_two_years_daily_on_five_platforms_stays_under_300_kb() -> None:
    platforms = ["facebook", "instagram", "x", "bluesky", "mastodon"]
    lines = [line(730, p, missing=frozenset({100, 101, 400})) for p in platforms]
    fig = line_figure(lines, EVENTS, "de", "Follower")
    assert figure_size(fig) < 300_000
    for trace in fig["data"]:
        assert len(trace["x"]) < 730  # downsampled
        assert trace["x"][-1] == "2025-12-30"  # and still spans the whole two years
        assert None in trace["y"]  # the gap survived


def test_small_multiples_have_one_panel_per_person() -> None:
    panels = [(f"Person {i}", [line(60, "x"), line(60, "instagram")]) for i in range(6)]
    fig = small_multiples_figure(panels, EVENTS, cols=4)
    titles = [t for t in labels(fig) if t.startswith("Person")]
    assert titles == [f"Person {i}" for i in range(6)]
    assert len(fig["data"]) == 12
    # One legend entry per platform, not per panel.
    assert sum(bool(t["showlegend"]) for t in fig["data"]) == 2
    # Every panel has its own axes and the events' lines.
    assert {t["yaxis"] for t in fig["data"]} == {"y", "y2", "y3", "y4", "y5", "y6"}
    assert len(fig["layout"]["shapes"]) == 6 * len(EVENTS)


def test_report_embeds_the_plain_figure() -> None:
    fig = line_figure([line(30, "bluesky")], EVENTS, "de", "Follower")
    html = pio.to_html(fig, include_plotlyjs=False, full_html=False, validate=False)
    assert "Plotly.newPlot" in html and "Halbzeit" in html


def _kept_points_one_bucket_at_a_time(missing: np.ndarray, max_points: int) -> list[int]:
    n = len(missing)
    if n <= max_points or max_points <= 0:
        return list(range(n))
    step = -(-n // max_points)
    keep: list[int] = []
    for start in range(0, n, step):
        last = min(start + step, n) - 1
        gap = missing[start : last + 1]
        if gap.any():
            if not missing[start]:
                keep.append(start)
            keep.append(start + int(gap.argmax()))
            if not missing[last]:
                keep.append(last)
        else:
            keep.append(last)
    return keep


def test_kept_points_keeps_what_a_bucket_by_bucket_pass_keeps() -> None:
    rng = np.random.default_rng(3)
    for n in (0, 1, 7, 59, 60, 61, 100, 731):
        for share in (0.0, 0.01, 0.3, 1.0):
            missing = rng.random(n) < share
            for max_points in (0, 1, 4, 60, 400):
                got = kept_points(missing, max_points).tolist()
                assert got == _kept_points_one_bucket_at_a_time(missing, max_points)
