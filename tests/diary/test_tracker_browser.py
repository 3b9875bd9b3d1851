"""The tracker in a real browser: Playwright drives Debian's Chromium against the live server."""

import contextlib
import datetime
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from diary.services import today_for
from tests.diary.tracker_fixtures import add
from tests.factories import UserFactory

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Counts of non-transparent pixels of every chart canvas, and of coloured calendar squares.
DRAWN = """() => {
  const canvases = [...document.querySelectorAll('canvas[data-chart]')].map(c => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) inked++; }
    return {id: c.id, width: c.width, height: c.height, inked};
  });
  const coloured = [...document.querySelectorAll('#calendar td.day')].filter(td => {
    const bg = getComputedStyle(td).backgroundColor;
    return bg !== 'rgba(0, 0, 0, 0)' && bg !== 'rgb(255, 255, 255)';
  }).length;
  return {canvases, coloured, overflow: document.documentElement.scrollWidth - window.innerWidth};
}"""


# wait_for_function gets arrow functions: a bare expression is eval()ed in the page, which the
# Content-Security-Policy refuses (no unsafe-eval).
def new_context(browser, live_server, session: str, **options):
    context = browser.new_context(locale="en-GB", **options)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    # The site has no favicon yet (base.html is not the tracker's); its 404 is not the tracker's error.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    return context


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@contextlib.contextmanager
def chromium():
    """Debian's Chromium under Playwright, or a skip saying why there is none.

    Opened only after the test's database work: while Playwright's event loop runs, Django would
    give ORM calls in this thread a connection of their own that nothing closes.
    """
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    executable = chromium_path()
    if not executable:
        pytest.skip("no Chromium found (make browser installs Debian's chromium)")
    with sync_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as error:  # noqa: BLE001 - any launch failure means no browser can be had
            pytest.skip(f"Chromium at {executable} could not start: {error}")
        try:
            yield launched
        finally:
            launched.close()


@pytest.mark.integration
def test_it_draws_the_calendar_and_every_chart_without_console_errors(transactional_db, live_server, member):
    # (transactional_db first: the session's test database is then set up before the live
    # server and dropped after the server has closed its connection.)
    # Given a month of entries with both readings
    today = today_for(member)
    moods = ["happy", "sad", "neutral", "angry", "surprise", "fear", "disgust"]
    for offset in range(40):
        mood = moods[offset % len(moods)]
        add(member, today - datetime.timedelta(days=offset), self_mood=mood,
            ai=moods[(offset + offset // 3) % len(moods)])
    # and a Korean reader with a week of entries
    korean = UserFactory(language="ko")
    for offset in range(7):
        add(korean, today_for(korean) - datetime.timedelta(days=offset), self_mood=moods[offset])
    sessions = {}
    for person in (member, korean):
        client = Client()
        client.force_login(person)
        sessions[person.language] = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        check_tracker(browser, live_server, sessions["en"], today)
        check_korean(browser, live_server, sessions["ko"])


def check_korean(browser, live_server, session: str) -> None:
    errors: list[str] = []
    context = new_context(browser, live_server, session, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/tracker/?range=week")
    page.wait_for_function("() => document.getElementById('tracker').dataset.chartsReady === 'true'")
    page.wait_for_timeout(600)
    assert page.locator("h1").inner_text() == "내 기분"
    assert page.locator("html").get_attribute("lang") == "ko"
    assert all(c["inked"] > 500 for c in page.evaluate(DRAWN)["canvases"])
    page.screenshot(path=str(ARTIFACTS / "tracker-ko.png"), full_page=True)
    assert errors == []
    context.close()


def check_tracker(browser, live_server, session: str, today: datetime.date) -> None:
    errors: list[str] = []
    context = new_context(browser, live_server, session, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    # When the person opens the tracker
    page.goto(f"{live_server.url}/tracker/?range=month")
    page.wait_for_function("() => document.getElementById('tracker').dataset.chartsReady !== undefined")
    page.wait_for_timeout(600)  # let the 300 ms drawing animation finish

    # Then the calendar is coloured and every chart has drawn, with no console errors
    assert page.locator("#tracker").get_attribute("data-charts-ready") == "true"
    drawn = page.evaluate(DRAWN)
    assert {c["id"] for c in drawn["canvases"]} == {"chart-timeline", "chart-distribution", "chart-weekday"}
    for canvas in drawn["canvases"]:
        assert canvas["inked"] > 500, canvas
    assert drawn["coloured"] == today.day, drawn  # every day of this month so far has an entry
    assert errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tracker-overview.png"), full_page=True)

    # And a calendar day opens that day's entry
    page.locator("#calendar td.day a").first.click()
    page.wait_for_url("**/diary/*/")
    assert page.locator("h1").count() == 1

    # And the page reflows on a phone and at 200% zoom (no sideways scrolling of the page itself)
    # (200% zoom of a 1280-pixel window lays the page out in 640 CSS pixels)
    layouts = (("phone", {"width": 390, "height": 844}, 3), ("zoom200", {"width": 640, "height": 450}, 2))
    for name, viewport, scale in layouts:
        small = new_context(browser, live_server, session, viewport=viewport, device_scale_factor=scale)
        tab = small.new_page()
        tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
        tab.goto(f"{live_server.url}/tracker/?range=month")
        tab.wait_for_function("() => document.getElementById('tracker').dataset.chartsReady === 'true'")
        tab.wait_for_timeout(600)
        result = tab.evaluate(DRAWN)
        assert result["overflow"] <= 0, (name, result)
        assert all(c["inked"] > 500 for c in result["canvases"]), (name, result)
        tab.screenshot(path=str(ARTIFACTS / f"tracker-{name}.png"), full_page=True)
        small.close()

    # And the printable report prints without the site's navigation, with its charts and tables
    page.goto(f"{live_server.url}/tracker/report/?range=month")
    page.wait_for_function("() => document.getElementById('tracker').dataset.chartsReady === 'true'")
    page.emulate_media(media="print")
    page.wait_for_timeout(600)
    printed = page.evaluate("""() => ({
      header: getComputedStyle(document.querySelector('.site-header')).display,
      printButton: getComputedStyle(document.querySelector('[data-print]')).display,
      tables: [...document.querySelectorAll('.data-table')].filter(t => t.offsetHeight > 0).length,
    })""")
    assert printed == {"header": "none", "printButton": "none", "tables": 3}, printed
    assert all(c["inked"] > 500 for c in page.evaluate(DRAWN)["canvases"])
    page.pdf(path=str(ARTIFACTS / "tracker-report.pdf"), format="A4", print_background=True)
    page.emulate_media(media="screen")

    # And Year in Pixels shows 365 squares for the year
    page.goto(f"{live_server.url}/tracker/pixels/?year={today.year}")
    squares = page.locator("#year-pixels td.px").count()
    days_in_year = 366 if (datetime.date(today.year, 12, 31) - datetime.date(today.year, 1, 1)).days == 365 else 365
    assert squares == days_in_year
    page.screenshot(path=str(ARTIFACTS / "tracker-pixels.png"), full_page=True)
    assert errors == []
    context.close()


@pytest.mark.integration
def test_a_click_on_a_day_with_several_moods_lists_its_entries_in_place(transactional_db, live_server, member):
    # Given a day this month with the member's own "neutral" and an evening read as sad
    today = today_for(member)
    add(member, today, self_mood="neutral", text="Coffee with my sister.")
    add(member, today, ai="sad", text="The house is quiet tonight.")
    client = Client()
    client.force_login(member)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        errors: list[str] = []
        context = new_context(browser, live_server, session, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/tracker/?range=month")
        # Then the day is marked as having several moods and the legend says how it is coloured
        day = page.locator("#calendar td.day.several a[data-day-link]")
        assert day.count() == 1
        assert "your own choice first" in page.locator("#day-rule").inner_text()
        name = " ".join(day.text_content().split())  # the link's accessible name: visible text first
        assert name.startswith(day.locator(".num").inner_text()) and "neutral (my choice)" in name
        # When the member clicks it
        day.click()
        panel = page.locator("#day-panel")
        panel.locator("[data-day-entries]").wait_for()
        # Then that day's entries are listed under the calendar, without leaving the page
        assert page.url.startswith(f"{live_server.url}/tracker/")
        text = panel.inner_text()
        assert "Coffee with my sister." in text and "The house is quiet tonight." in text
        assert "(my choice)" in text and "(read automatically)" in text
        assert page.evaluate("document.activeElement.id") == "day-entries-title"
        assert day.get_attribute("aria-expanded") == "true"
        page.screenshot(path=str(ARTIFACTS / "tracker-day-panel.png"), full_page=True)
        # And an entry in the list opens; Escape (back on the calendar) closes the list again
        page.keyboard.press("Escape")
        assert panel.is_hidden()
        assert page.evaluate("document.activeElement.getAttribute('data-day-link')") == ""
        day.click()
        panel.get_by_text("The house is quiet tonight.").click()
        page.wait_for_url("**/diary/*/")
        assert errors == []
        context.close()
