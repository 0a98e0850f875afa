"""The self-assessment in a real browser on a phone-sized window: the mentee sees the prompt,
answers a round with touch and keyboard, corrects it, and her mentor sees the answers and the
wish, rendered as text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "ein-langes-passwort-123"
TIMEOUT = 20_000
PHONE = {"width": 390, "height": 844}
WISH = "Reels drehen <img src=x onerror=alert(7)>"


@pytest.fixture
def login(browser: Any, served: tuple[str, Any]) -> Iterator[Any]:
    base, data = served
    contexts: list[Any] = []
    dialogs: list[str] = []

    def make(role: str, viewport: dict[str, int]) -> Any:
        context = browser.new_context(viewport=viewport, has_touch=viewport == PHONE)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base}/login")
        page.fill("#email", data.emails[role])
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.base = base  # type: ignore[attr-defined]
        return page

    make.dialogs = dialogs  # type: ignore[attr-defined]
    yield make
    for context in contexts:
        context.close()


def _no_sideways_scroll(page: Any) -> None:
    """Nothing of the self-assessment reaches past the phone's right edge."""
    wide = page.evaluate(
        """() => [...document.querySelectorAll(SELECTOR)]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '.' + e.className)""".replace(
            "SELECTOR", "'#self-assessment, #self-assessment *, #progress-sa-prompt'"
        )
    )
    assert wide == [], f"wider than a {PHONE['width']}px phone: {wide[:5]}"


def test_mentee_answers_a_round_on_a_phone(login: Any, output_dir: Path) -> None:
    page = login("mentee", PHONE)
    page.goto(f"{page.base}/fortschritt")
    prompt = page.locator("#progress-sa-prompt")
    expect(prompt).to_contain_text("Selbsteinschätzung zur Halbzeit ist offen", timeout=TIMEOUT)
    prompt.get_by_role("link", name="Zum Fragebogen").click()

    # Each statement is a labelled group of radios; the first is answered by keyboard.
    plan = page.get_by_role("group", name="2. Ich plane meine Beiträge")
    expect(plan).to_be_visible()
    first = page.get_by_role("group", name="1. Ich weiß, wie ich einen Beitrag mit Foto")
    first.get_by_role("radio", name="1").focus()
    page.keyboard.press("Space")
    expect(first.get_by_role("radio", name="1")).to_be_checked()
    plan.get_by_role("radio", name="2").tap()
    privacy = page.get_by_role("group", name="4. Ich weiß, was ich aus Datenschutzsicht")
    privacy.get_by_role("radio", name="3").tap()
    page.get_by_label("Was möchte ich als Nächstes lernen?").fill(WISH)
    _no_sideways_scroll(page)
    page.screenshot(path=str(output_dir / "self-assessment-form-390.png"), full_page=True)
    page.get_by_role("button", name="Antworten speichern").tap()
    expect(page.locator("#progress-sa-message")).to_have_text(
        "Gespeichert. Danke!", timeout=TIMEOUT
    )

    # A correction while the round is open replaces the answer shown.
    plan.get_by_role("radio", name="4").tap()
    page.get_by_role("button", name="Antworten speichern").tap()
    expect(page.locator("#progress-sa-message")).to_have_text(
        "Gespeichert. Danke!", timeout=TIMEOUT
    )
    chart = page.locator(".sa-item", has_text="Ich plane meine Beiträge")
    expect(chart.locator("tr", has_text="Halbzeit").locator(".sa-value").first).to_have_text("4")
    expect(page.locator(".sa-wishes")).to_contain_text(WISH)  # shown as text, not as markup

    # Reloaded, the prompt says she answered and until when she may change it.
    page.reload()
    expect(page.locator("#progress-sa-prompt")).to_contain_text("ausgefüllt", timeout=TIMEOUT)
    _no_sideways_scroll(page)
    page.screenshot(path=str(output_dir / "self-assessment-results-390.png"), full_page=True)

    # Her mentor sees the answers and the wish on the tandem page.
    mentor = login("mentor_own", {"width": 1366, "height": 900})
    mentor.goto(f"{mentor.base}/tandem")
    card = mentor.locator("#self-assessment")
    expect(card).to_contain_text("Ich plane meine Beiträge", timeout=TIMEOUT)
    expect(card.locator(".sa-wishes")).to_contain_text(WISH)
    mentor.screenshot(path=str(output_dir / "self-assessment-tandem-1366.png"), full_page=True)
    assert login.dialogs == []
