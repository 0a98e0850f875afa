"""The cohorts page: coordinators only; what the browser sends as cohort keys is checked again;
a running cohort says "Stand"."""

from __future__ import annotations

from typing import Any

DENIED = "nicht freigegeben"


def _call(client: Any, dashcall: Any, value: Any) -> str:
    dep = next(d for d in dashcall.dependencies(client) if d["output"] == "cohorts-body.children")
    response = dashcall.call(client, dep, {"cohorts-choice.value": value})
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def test_the_coordinator_sees_the_comparison(client_for: Any, dashcall: Any, data: Any) -> None:
    text = _call(client_for("coordinator"), dashcall, ["c1"])
    assert "cohorts-final" in text and "cohorts-growth" in text
    assert "Stand" in text and DENIED not in text
    assert "Noch kein Jahrgang abgeschlossen." in text  # c1 runs: no follow-up yet


def test_forged_or_unknown_keys_are_refused(client_for: Any, dashcall: Any) -> None:
    client = client_for("coordinator")
    for forged in (["nope"], [{"key": "c1"}], {"key": "c1"}, 5, ["c1", ["c1"]]):
        text = _call(client, dashcall, forged)
        assert DENIED in text and "cohorts-final" not in text, forged


def test_other_roles_get_nothing_of_the_comparison(client_for: Any, dashcall: Any) -> None:
    for role in ("mentee", "mentor_own", "mentor_other"):
        text = _call(client_for(role), dashcall, ["c1"])
        assert DENIED in text and "cohorts-final" not in text and "Stand" not in text, role
