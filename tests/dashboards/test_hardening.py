"""Attacks on the running dashboard that must end in a clean answer: off-site redirects,
malformed callbacks, bad form input, cookies and headers behind TLS, audited denials."""

from __future__ import annotations

from typing import Any

import pytest

REFERERS = (
    "//evil.example/phish",
    "http://localhost//evil.example/phish",
    "http://localhost/\\evil.example/phish",
    "https://evil.example/phish",
)


@pytest.mark.parametrize("referer", REFERERS)
def test_language_switch_never_redirects_off_site(client_for: Any, referer: str) -> None:
    response = client_for("anonymous").get("/lang/en", headers={"Referer": referer})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_goes_back_to_the_local_page(client_for: Any) -> None:
    response = client_for("mentee").get(
        "/lang/en", headers={"Referer": "http://localhost/fortschritt?range=90"}
    )
    assert response.headers["Location"] == "/fortschritt?range=90"
