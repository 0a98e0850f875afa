"""The plain-dict components send the browser the same JSON as Dash's component classes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dash import dcc as dash_dcc
from dash import html as dash_html
from plotly.io.json import to_json_plotly

from dashboards.progress.elements import dcc, html

CASES: list[tuple[Any, Any]] = [
    (dash_html.Div(), html.Div()),
    (dash_html.Div(None, className="x"), html.Div(None, className="x")),
    (dash_html.Div(children="k", id="z"), html.Div(children="k", id="z")),
    (
        dash_html.Div([dash_html.P("a", className="b", id="q")], style={"a": 1}, id="i"),
        html.Div([html.P("a", className="b", id="q")], style={"a": 1}, id="i"),
    ),
    (dash_html.Th("Runde", scope="row"), html.Th("Runde", scope="row")),
    (dash_html.Details([], open=False, className="d"), html.Details([], open=False, className="d")),
    (
        dash_html.Span(className="sa-fill", style={"width": "50%"}),
        html.Span(className="sa-fill", style={"width": "50%"}),
    ),
    (dash_dcc.Store(id="s", data="k"), dcc.Store(id="s", data="k")),
    (dash_dcc.Link("a", href="/x", className="c"), dcc.Link("a", href="/x", className="c")),
    (dash_dcc.Loading(), dcc.Loading()),
    (
        dash_dcc.Loading(dash_html.Div("x", id="b"), type="dot"),
        dcc.Loading(html.Div("x", id="b"), type="dot"),
    ),
    (
        dash_dcc.Graph(id="g", figure={"data": []}, config={}, className="c", style={}),
        dcc.Graph(id="g", figure={"data": []}, config={}, className="c", style={}),
    ),
    (
        dash_dcc.RadioItems(
            id={"type": "a", "item": "b"}, options=[1], value=None, inline=True, className="s"
        ),
        dcc.RadioItems(
            id={"type": "a", "item": "b"}, options=[1], value=None, inline=True, className="s"
        ),
    ),
    (
        dash_dcc.Textarea(id="t", value="", maxLength=3, className="x"),
        dcc.Textarea(id="t", value="", maxLength=3, className="x"),
    ),
]


@pytest.mark.parametrize(("component", "element"), CASES)
def test_same_json_as_the_dash_component(component: Any, element: Any) -> None:
    assert to_json_plotly(element) == to_json_plotly(component)


def test_data_and_aria_properties_follow_the_others() -> None:
    # Dash orders these by a set of the argument names (no fixed order): compare as data.
    given = {"aria-label": "y", "data-x": 1}
    element = html.Div(id="x", className="c", **given)
    assert json.loads(to_json_plotly(element)) == json.loads(
        to_json_plotly(dash_html.Div(id="x", className="c", **given))
    )
    assert list(element["props"]) == ["children", "id", "className", "aria-label", "data-x"]


def test_an_unknown_property_is_refused_like_dash_does() -> None:
    with pytest.raises(TypeError):
        html.Div(colour="red")
    with pytest.raises(TypeError):
        dcc.Store("children", id="s")
