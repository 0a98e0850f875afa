"""Every page as each role sees it on a phone: nothing scrolls sideways at 390 or 320 px, the
chart toolbar offers nothing that sends data away and speaks German, the charts' time axis spans
the cohort, and axe-core finds no critical or serious accessibility problem (language, labels,
contrast); no text is smaller than 13 px."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "ein-langes-passwort-123"
TIMEOUT = 20_000
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 700}
DESKTOP = {"width": 1366, "height": 900}
# Every page of every role (the mentee key is the test data's).
PAGES = {
    "mentee": ("/fortschritt", "/protokoll"),
    "mentor_own": ("/tandem", "/fortschritt?person=mentee-a"),
    "coordinator": (
        "/programm",
        "/jahrgaenge",
        "/tandem",
        "/status",
        "/verwaltung",
        "/protokoll",
        "/fortschritt?person=mentee-a",
    ),
}
CHART_PAGES = {"/fortschritt", "/tandem", "/fortschritt?person=mentee-a", "/jahrgaenge"}
FORBIDDEN = ("share", "cloud", "teilen", "edit", "bearbeiten", "chart studio", "plotly")


def _login(browser: Any, base: str, email: str | None, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{base}/login")
    if email is not None:
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("main h1", timeout=TIMEOUT)
    return page


def _open(page: Any, base: str, path: str) -> None:
    page.goto(f"{base}{path}")
    page.wait_for_selector("main h1", timeout=TIMEOUT)
    if path in CHART_PAGES:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=TIMEOUT)
    elif path == "/programm":
        page.wait_for_selector("#programme-table", timeout=TIMEOUT)
    page.wait_for_timeout(300)  # charts and tables settle their width


@pytest.fixture
def pages_as(browser: Any, served: tuple[str, Any]) -> Iterator[Any]:
    base, data = served
    opened: list[Any] = []

    def make(role: str, viewport: dict[str, int]) -> Any:
        page = _login(browser, base, data.emails[role], viewport)
        opened.append(page)
        return page

    yield make
    for page in opened:
        page.context.close()


def _overflow(page: Any) -> tuple[int, int]:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return int(width), int(inner)


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["390", "320"])
def test_no_page_scrolls_sideways_on_a_phone(
    pages_as: Any, served: tuple[str, Any], browser: Any, viewport: dict[str, int]
) -> None:
    base, _ = served
    wide = []
    for role, paths in PAGES.items():
        page = pages_as(role, viewport)
        for path in paths:
            _open(page, base, path)
            width, inner = _overflow(page)
            if width > inner:
                wide.append(f"{role} {path}: {width} px > {inner} px")
            # The header spans the screen.
            header = page.locator("header.topbar").bounding_box()
            assert header is not None and header["width"] >= inner - 1, (role, path, header)
    login = _login(browser, base, None, viewport)
    width, inner = _overflow(login)
    login.context.close()
    if width > inner:
        wide.append(f"login: {width} px > {inner} px")
    assert not wide, wide


def test_the_chart_toolbar_offers_only_png_and_reset_in_german(
    pages_as: Any, served: tuple[str, Any]
) -> None:
    base, _ = served
    for role, paths in PAGES.items():
        page = pages_as(role, PHONE)
        for path in paths:
            if path not in CHART_PAGES:
                continue
            _open(page, base, path)
            graph = page.locator(".js-plotly-plot").first
            graph.hover()
            titles = page.eval_on_selector_all(
                ".modebar-btn",
                "els => els.map(e => (e.getAttribute('data-title') || '') + ' '"
                " + (e.getAttribute('aria-label') || '') + ' ' + e.textContent)",
            )
            assert titles, f"{role} {path}: no toolbar"
            for title in titles:
                assert not any(word in title.lower() for word in FORBIDDEN), (role, path, title)
            shown = set(
                graph.locator(".modebar-btn").evaluate_all(
                    "els => els.map(e => e.getAttribute('data-title'))"
                )
            )
            assert shown == {"Als PNG-Bild herunterladen", "Ansicht zurücksetzen"}, shown
            assert (
                page.locator("a.modebar-btn[href], .modebar-btn[data-title*='Plotly']").count() == 0
            )


def test_the_time_axis_spans_the_cohort_and_events_are_named_below(
    pages_as: Any, served: tuple[str, Any]
) -> None:
    base, data = served
    page = pages_as("mentee", PHONE)
    _open(page, base, "/fortschritt")
    start, end = page.evaluate(
        "document.querySelector('#progress-followers .js-plotly-plot').layout.xaxis.range"
    )
    kickoff = data.start
    assert start[:10] == (kickoff - timedelta(days=28)).isoformat()
    assert date.fromisoformat(end[:10]) <= data.today
    card = page.locator("#progress-followers").locator("xpath=ancestor::section[1]")
    legend = card.locator(".events-legend li")
    names = legend.all_text_contents()
    assert any("Auftakt" in n for n in names) and any("Halbzeit" in n for n in names)
    for item in legend.all():
        size = float(item.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert size >= 13


def test_the_since_kickoff_card_comes_first_with_numbers_as_text(
    pages_as: Any, served: tuple[str, Any]
) -> None:
    base, _ = served
    page = pages_as("mentee", PHONE)
    _open(page, base, "/fortschritt")
    first = page.locator("#progress-body .card").first
    assert first.get_attribute("id") == "progress-kickoff"
    text = first.inner_text()
    assert "Seit dem Auftakt" in text and "Follower" in text and "→" in text
    assert "Beiträge pro Woche" in text and "Nächstes Ziel" in text
    mentor = pages_as("mentor_own", PHONE)
    _open(mentor, base, "/tandem")
    card = mentor.locator("#tandem-kickoff")
    assert card.is_visible()
    # It tops the tandem page: nothing of the tandem's body comes before it.
    above = mentor.evaluate(
        "() => { const c = document.getElementById('tandem-kickoff').getBoundingClientRect();"
        " return Array.from(document.querySelectorAll('main .card'))"
        ".filter(e => e.getBoundingClientRect().top < c.top).length; }"
    )
    assert above == 0


def _axe(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in ("critical", "serious"):
            targets = [n["target"] for n in violation["nodes"]][:5]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def _small_text(page: Any) -> list[str]:
    """Visible text (HTML and the charts' SVG) set smaller than 13 px."""
    return list(
        page.evaluate(
            """() => {
            const out = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const node = walker.currentNode;
                const el = node.parentElement;
                if (!el || !node.textContent.trim()) continue;
                const box = el.getBoundingClientRect();
                const style = getComputedStyle(el);
                if (!box.width || !box.height || style.visibility === 'hidden'
                    || style.display === 'none' || el.closest('[hidden], .modebar')) continue;
                if (parseFloat(style.fontSize) < 13) {
                    const text = node.textContent.trim().slice(0, 30);
                    out.push(el.tagName + ' ' + style.fontSize + ' ' + text);
                }
            }
            return out.slice(0, 10);
        }"""
        )
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_axe_finds_no_serious_problem_on_any_page(
    pages_as: Any, served: tuple[str, Any], browser: Any, viewport: dict[str, int]
) -> None:
    base, _ = served
    problems: dict[str, list[str]] = {}
    login = _login(browser, base, None, viewport)
    assert login.evaluate("document.documentElement.lang") == "de"
    problems["login"] = _axe(login) + _small_text(login)
    login.context.close()
    for role, paths in PAGES.items():
        page = pages_as(role, viewport)
        for path in paths:
            _open(page, base, path)
            assert page.evaluate("document.documentElement.lang") == "de", (role, path)
            problems[f"{role} {path}"] = _axe(page) + _small_text(page)
    problems = {where: found for where, found in problems.items() if found}
    assert not problems, problems


def test_english_viewers_get_lang_en(pages_as: Any) -> None:
    page = pages_as("mentee", PHONE)
    page.click("#lang")
    page.wait_for_selector("main h1", timeout=TIMEOUT)
    assert page.evaluate("document.documentElement.lang") == "en"
