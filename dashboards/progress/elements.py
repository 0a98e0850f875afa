"""Dash components as the JSON the browser receives: plain dicts, for the views built on every
request (the progress view, the self-assessment card).

A view of "Mein Fortschritt" has a few hundred components. Dash's classes check every argument
when they are built and turn themselves back into dicts when the response is serialised (a call
of the JSON encoder's fallback per component); together that cost more than the view's figures.
``html.Div([...], className="x")`` here takes the same arguments as ``dash.html.Div`` and gives
exactly what that component serialises to (same props, same order), so the browser receives the
same bytes. Like Dash's classes, an unknown property raises TypeError.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from dash import dcc as dash_dcc
from dash import html as dash_html
from dash.development.base_component import Component

Element = dict[str, Any]
_WILDCARDS = ("data-", "aria-")


def _prop_names(cls: type) -> list[str]:
    """The props of a Dash component class in the order it serialises them (Dash sets them on
    each instance: one is built to read them, with a value for each argument it requires)."""
    required: dict[str, str] = {}
    while True:
        try:
            return list(cls(**required)._prop_names)
        except TypeError as exc:
            missing = re.search(r"Required argument `(\w+)`", str(exc))
            if missing is None or missing.group(1) in required:
                raise
            required[missing.group(1)] = "x"


def _factory(cls: type) -> Callable[..., Element]:
    """A builder of ``cls``'s JSON: the positional argument is ``children``, as in Dash."""
    names = _prop_names(cls)
    rank = {name: i for i, name in enumerate(names)}
    last = len(names)  # data-* and aria-* follow the declared props, in the order given
    kind: str = cls._type  # type: ignore[attr-defined]
    namespace: str = cls._namespace  # type: ignore[attr-defined]
    has_children = "children" in rank
    children_first = names[0] == "children"

    def build(*args: Any, **props: Any) -> Element:
        if args:
            if len(args) > 1 or not has_children:
                raise TypeError(f"{kind} takes its children as the only positional argument")
            if "children" in props:
                raise TypeError(f"{kind} got children twice")
        for name in props:
            if name not in rank and not name.startswith(_WILDCARDS):
                raise TypeError(f"{kind} has no property {name!r}")
        if has_children:  # always there (None when not given)
            children = args[0] if args else props.pop("children", None)
            if children_first:
                if len(props) > 1:
                    props = dict(sorted(props.items(), key=lambda item: rank.get(item[0], last)))
                return {
                    "props": {"children": children, **props},
                    "type": kind,
                    "namespace": namespace,
                }
            props["children"] = children
        if len(props) > 1:
            props = dict(sorted(props.items(), key=lambda item: rank.get(item[0], last)))
        return {"props": props, "type": kind, "namespace": namespace}

    build.__name__ = build.__qualname__ = kind
    return build


class _Library:
    """``html.Div``, ``dcc.Graph``, ...: the builder of each component, made on first use."""

    def __init__(self, module: Any) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Callable[..., Element]:
        if name.startswith("_"):
            raise AttributeError(name)
        builder = _factory(getattr(self._module, name))
        setattr(self, name, builder)
        return builder


html = _Library(dash_html)
dcc = _Library(dash_dcc)


def plain(value: Any) -> Any:
    """A Dash component (tree) as the elements of this module: the JSON it serialises to."""
    if isinstance(value, Component):
        return {key: plain(part) for key, part in value.to_plotly_json().items()}
    if isinstance(value, dict):
        return {key: plain(part) for key, part in value.items()}
    if isinstance(value, list | tuple):
        return [plain(part) for part in value]
    return value


class Layout(dict[str, Any]):
    """An app layout of elements. Dash checks the app layout once for duplicate ids by walking
    its component classes (``_traverse``); elements hold none of those, and the test of the
    frame checks its ids."""

    def _traverse(self) -> Any:
        return iter(())


def walk(node: Any) -> Iterator[Element]:
    """Every component in a layout as the browser receives it (its JSON, or these elements),
    in document order."""
    if isinstance(node, dict):
        if isinstance(node.get("props"), dict) and "type" in node:
            yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def find(node: Any, ident: object) -> Element | None:
    """The first component of ``node`` (see :func:`walk`) with the id ``ident``, or None."""
    return next((e for e in walk(node) if e["props"].get("id") == ident), None)
