"""Crisis help in a real browser, in Korean and in English (Playwright, Debian's Chromium)."""

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import verified
from tests.diary.test_tracker_browser import ARTIFACTS, chromium, new_context
from tests.factories import UserFactory


def session_of(person) -> str:
    client = Client()
    client.force_login(person)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.integration
def test_crisis_help_shows_at_once_in_korean_and_in_english(transactional_db, live_server):
    korean = verified(UserFactory(language="ko"))
    english = verified(UserFactory(language="en"))
    sessions = {"ko": session_of(korean), "en": session_of(english)}
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        # A Korean member writes that she wants to die: the next page is crisis help, in Korean
        context = new_context(browser, live_server, sessions["ko"], viewport={"width": 390, "height": 844})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.goto(f"{live_server.url}/diary/new/")
        page.locator("textarea[name=text]").fill("남편 기일이다. 나도 그만 죽고 싶다.")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/wellbeing/help/**")
        assert page.locator("h1").inner_text() == "지금 바로 도움을 받으실 수 있어요"
        assert page.locator("a[href='tel:109']").inner_text() == "자살예방상담전화 109 (24시간)"
        assert page.locator("a[href='tel:15770199']").is_visible()
        assert page.locator("a[href='tel:119']").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0  # fits a phone
        page.screenshot(path=str(ARTIFACTS / "crisis-help-ko.png"), full_page=True)
        # "Continue" leads back to the saved entry, which keeps the numbers at hand
        page.locator("a", has_text="계속").click()
        page.wait_for_url("**/diary/*/")
        assert page.locator("a[href='tel:109']").count() == 1
        assert errors == []
        context.close()

        # An English member answers item 9 of the PHQ-9 above "not at all": help in English
        context = new_context(browser, live_server, sessions["en"], viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{live_server.url}/wellbeing/check/phq/")
        page.locator("input[name=phq1][value='3']").check()
        page.locator("input[name=phq2][value='2']").check()
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/wellbeing/check/phq/*/")
        for number in range(3, 9):
            page.locator(f"input[name=phq{number}][value='1']").check()
        page.locator("input[name=phq9][value='1']").check()
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/wellbeing/help/**")
        assert page.locator("h1").inner_text() == "Help is here, right now"
        body = page.locator("main").inner_text()
        assert "911" in body and "999" in body and "112" in body and "109" in body and "119" in body
        page.screenshot(path=str(ARTIFACTS / "crisis-help-en.png"), full_page=True)
        # And the person can go on to the next questionnaire
        page.locator("a", has_text="Continue").click()
        page.wait_for_url("**/wellbeing/check/ucla3/")
        context.close()
