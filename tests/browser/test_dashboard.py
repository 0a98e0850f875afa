"""The dashboard in a real browser (Debian's Chromium, under the app's Content-Security-Policy):
each role sees its charts with the programme's events, a mentee cannot reach another mentee's
data, hostile names render as text, and the language switch works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "ein-langes-passwort-123"
EVIL_NAME = "<img src=x onerror=alert(1)>"
TIMEOUT = 20_000


class Session:
    """One logged-in browser context, collecting dialogs and policy violations."""

    def __init__(self, browser: Any, base: str, email: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 1400})
        self.page = self.context.new_page()
        self.base = base
        self.dialogs: list[str] = []
        self.violations: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.goto(f"{base}/login")
        self.page.fill("#email", email)
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    def goto(self, path: str) -> Any:
        self.page.goto(f"{self.base}{path}")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session_as(browser: Any, served: tuple[str, Any]) -> Iterator[Any]:
    base, data = served
    opened: list[Session] = []

    def make(role: str) -> Session:
        session = Session(browser, base, data.emails[role])
        opened.append(session)
        return session

    yield make
    for session in opened:
        assert not session.violations, session.violations
        assert not session.dialogs, f"a script ran: {session.dialogs}"
        session.close()


def _event_labels(page: Any, graph_id: str) -> list[str]:
    """The events of a chart: numbered in it, named in the list below it."""
    page.wait_for_selector(f"#{graph_id} .shapelayer path", state="attached", timeout=TIMEOUT)
    numbers = page.locator(f"#{graph_id} .annotation-text").all_text_contents()
    card = page.locator(f"#{graph_id}").locator("xpath=ancestor::section[1]")
    names = card.locator(".events-legend li").all_text_contents()
    assert len(names) == len(numbers) and numbers == [str(n + 1) for n in range(len(names))]
    return [name.split(",")[0].lstrip("0123456789 ") for name in names]


def test_mentee_sees_her_charts_with_event_markers(session_as: Any, output_dir: Path) -> None:
    browser_session = session_as("mentee")
    page = browser_session.page
    assert page.url.endswith("/fortschritt")
    labels = _event_labels(page, "progress-followers")
    assert "Auftakt" in labels and "Halbzeit" in labels
    expect(page.locator("#progress-followers .scatterlayer .trace")).to_have_count(2)
    # The gap is explained, not drawn as zero.
    assert page.get_by_text("keine Daten").first.is_visible()
    assert page.get_by_role("heading", name="Seit dem letzten Workshop").is_visible()
    page.screenshot(path=str(output_dir / "mentee-page.png"), full_page=True)


def test_mentor_sees_her_tandem(session_as: Any) -> None:
    page = session_as("mentor_own").page
    assert page.url.endswith("/tandem")
    assert "Auftakt" in _event_labels(page, "tandem-followers")
    assert page.get_by_text("Erstes Treffen <em>gut</em>").is_visible()
    goal = "Jede Woche posten <script>x</script>"
    assert page.locator(".goal-title").get_by_text(goal).is_visible()
    assert page.locator("#tandem-kickoff").get_by_text(goal).is_visible()  # the next goal


def test_coordinator_sees_the_programme(session_as: Any) -> None:
    page = session_as("coordinator").page
    assert page.url.endswith("/programm")
    page.wait_for_selector("#programme-table", timeout=TIMEOUT)
    expect(page.locator("#programme-table tbody tr")).to_have_count(2)
    expect(page.locator("#programme-table").get_by_text(EVIL_NAME)).to_be_visible()
    expect(page.locator(".multiples .js-plotly-plot")).to_have_count(2, timeout=TIMEOUT)


def test_mentee_cannot_reach_another_mentee(session_as: Any, served: tuple[str, Any]) -> None:
    browser_session = session_as("mentee")
    page = browser_session.goto("/fortschritt?person=mentee-b")
    page.wait_for_selector(".denied", timeout=TIMEOUT)
    assert page.get_by_text("Berta Beispiel").count() == 0
    assert page.locator("#progress-followers").count() == 0
    csv = page.request.get(f"{browser_session.base}/export/mentee-b.csv")
    assert csv.status == 404
    # Edit the callback input as a curious user could, and send it with her own session.
    forged = page.evaluate(
        """async () => {
            const token = document.cookie.split('; ').find(c => c.startsWith('_csrf_token='))
                .split('=')[1];
            const body = {output: 'progress-charts.children',
                outputs: {id: 'progress-charts', property: 'children'},
                inputs: [{id: 'progress-person', property: 'data', value: 'mentee-b'},
                         {id: 'progress-range', property: 'value', value: 'all'}],
                changedPropIds: ['progress-person.data']};
            const r = await fetch('/_dash-update-component', {method: 'POST',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
                body: JSON.stringify(body)});
            return await r.text();
        }"""
    )
    assert "nicht freigegeben" in forged and "berta" not in forged.lower()


def test_hostile_display_name_renders_as_text(session_as: Any) -> None:
    browser_session = session_as("mentee")
    page = browser_session.page
    page.wait_for_selector("#progress-followers .main-svg", timeout=TIMEOUT)
    assert page.get_by_text(EVIL_NAME, exact=True).is_visible()
    assert page.locator("img[src=x]").count() == 0
    # The workshop's hostile title is a label, not markup.
    labels = _event_labels(page, "progress-followers")
    assert any("onerror" in label for label in labels)
    assert browser_session.dialogs == []


def test_german_and_english(session_as: Any) -> None:
    page = session_as("mentee").page
    # expect() waits for the page heading itself: the menu switches language first.
    expect(page.get_by_role("heading", name="Mein Fortschritt")).to_be_visible(timeout=TIMEOUT)
    page.click("#lang")
    expect(page.get_by_role("heading", name="My progress")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Since the last workshop").first).to_be_visible(timeout=TIMEOUT)
    page.click("#lang")
    expect(page.get_by_role("heading", name="Mein Fortschritt")).to_be_visible(timeout=TIMEOUT)
