"""The entry page's analysis section in a real browser: "queued" turns into the reading by itself."""

import threading

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from inference import pipeline, services
from tests.diary.test_tracker_browser import ARTIFACTS, chromium, new_context
from tests.inference.conftest import GREEN, entry_with_photo


def run_in_a_thread(function) -> None:
    """ORM work while Playwright's event loop runs must happen in a thread of its own."""
    def target():
        try:
            function()
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)


@pytest.mark.integration
def test_the_queued_section_updates_itself_when_the_reading_is_stored(transactional_db, live_server, member,
                                                                      scripted_models, monkeypatch):
    # Given an entry waiting to be read (no task sent: the test plays the worker)
    monkeypatch.setattr(services, "enqueue", lambda job_id=None: True)
    entry = entry_with_photo(member, colour=GREEN)
    client = Client()
    client.force_login(member)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        errors: list[str] = []
        context = new_context(browser, live_server, session, viewport={"width": 1024, "height": 900})
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        # when the person opens the entry, it says "queued"
        page.goto(f"{live_server.url}/diary/{entry.pk}/")
        assert page.locator("#analysis").get_attribute("data-status") == "pending"
        assert "Reading your entry…" in page.locator("#analysis").inner_text()
        # and when a worker stores the reading, the section shows it without a reload
        run_in_a_thread(lambda: pipeline.batch_run(size=4, max_wait=0))
        page.wait_for_selector("#analysis[data-status=done]", timeout=20_000)
        section = page.locator("#analysis").inner_text()
        assert "This entry may read as happy, but I am not sure." in section
        assert "not a diagnosis" in section
        assert page.locator("#analysis-live").inner_text() == "The reading is ready: happy."
        # the percentages sit behind "Details", never 100%
        page.locator("#analysis details.analysis-details summary").click()
        assert "70%" in page.locator("#analysis table").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "analysis-section.png"), full_page=True)
        # and "No — pick another" opens the seven one-tap choices
        page.locator("#is-this-right summary").click()
        assert page.locator("#is-this-right button.mood-choice:visible").count() == 7
        assert errors == []
        context.close()
