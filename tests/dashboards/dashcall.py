"""Calling Dash callbacks the way the browser does, with inputs a test chooses (and may forge)."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from dashboards.auth import CSRF_COOKIE, CSRF_HEADER


def stripped(output: str) -> str:
    """A callback's output key without the hashes Dash adds for duplicate outputs."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return " + ".join(p.split("@")[0] for p in parts)


def dependencies(client: FlaskClient) -> list[dict[str, Any]]:
    response = client.get("/_dash-dependencies")
    assert response.status_code == 200
    return list(response.get_json())


def _spec(text: str) -> dict[str, Any]:
    ident, prop = text.rsplit(".", 1)
    return {"id": json.loads(ident) if ident.startswith("{") else ident, "property": prop}


def call(
    client: FlaskClient,
    dep: dict[str, Any],
    values: dict[str, Any],
    pattern_inputs: list[dict[str, Any]] | None = None,
    csrf: bool = True,
) -> Any:
    """POST one callback; ``values`` maps "id.property" to the value the browser would send."""
    output = dep["output"]
    if output.startswith(".."):
        outputs: Any = [_spec(o) for o in output[2:-2].split("...")]
    else:
        outputs = _spec(output)
    inputs: list[Any] = []
    changed = []
    for item in dep["inputs"]:
        if item["id"].startswith("{"):
            inputs.append(pattern_inputs or [])
            changed += [json.dumps(p["id"]) + "." + p["property"] for p in pattern_inputs or []]
            continue
        key = f"{item['id']}.{item['property']}"
        inputs.append({"id": item["id"], "property": item["property"], "value": values.get(key)})
        if key in values:
            changed.append(key)
    state = [
        # A pattern (ALL) state is a list, given under "<type>.<property>".
        values.get(f"{json.loads(item['id'])['type']}.{item['property']}", [])
        if item["id"].startswith("{")
        else {
            "id": item["id"],
            "property": item["property"],
            "value": values.get(f"{item['id']}.{item['property']}"),
        }
        for item in dep["state"]
    ]
    body = {
        "output": output,
        "outputs": outputs,
        "inputs": inputs,
        "state": state,
        "changedPropIds": changed[:1],
    }
    headers = {}
    cookie = client.get_cookie(CSRF_COOKIE)
    if csrf and cookie is not None:
        headers[CSRF_HEADER] = cookie.value
    return client.post("/_dash-update-component", json=body, headers=headers)
