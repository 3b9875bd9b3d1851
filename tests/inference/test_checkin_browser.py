"""In a real browser, in English and Korean: the check-in, the "Is this right?" step and the
abstaining reading. The worker is played by the test (scripted models, tests/inference/conftest.py)."""

import re

import pytest
from django.conf import settings
from django.test import Client

from diary.models import Entry
from inference import pipeline, services
from inference.models import Correction
from tests.diary.test_tracker_browser import ARTIFACTS, chromium, new_context
from tests.inference.test_pipeline_abstain import with_thresholds
from tests.inference.test_pipeline_browser import run_in_a_thread

WORDS = {
    "en": {"question": "How do you feel?", "sad": "sad", "very": "very", "save": "Save",
           "is_right": "Is this right?", "yes": "Yes, I feel happy", "confirmed": "You said this is right",
           "cant_tell": "I can't tell from this photo.", "one_tap": "How do you feel? One tap is enough.",
           "said": "You said you feel", "neutral": "neutral"},
    "ko": {"question": "지금 기분이 어떠세요?", "sad": "슬픔", "very": "아주", "save": "저장",
           "is_right": "맞나요?", "yes": "네, 제 기분은 기쁨 쪽이에요", "confirmed": "맞다고 알려 주셨어요",
           "cant_tell": "이 사진으로는 잘 모르겠어요.", "one_tap": "지금 기분이 어떠세요? 한 번만 누르시면 돼요.",
           "said": "쪽이라고 알려 주셨어요", "neutral": "중립"},
}


def _session(member, language: str) -> str:
    member.language = language
    member.save(update_fields=["language"])
    client = Client()
    client.force_login(member)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.mark.integration
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_check_in_is_the_first_and_biggest_control_and_works_by_keyboard(
        transactional_db, live_server, member, scripted_models, monkeypatch, language):
    monkeypatch.setattr(services, "enqueue", lambda job_id=None: True)
    words = WORDS[language]
    session = _session(member, language)
    with chromium() as browser:
        context = new_context(browser, live_server, session, viewport={"width": 390, "height": 844})
        page = context.new_page()
        errors = _watch(page)
        page.goto(f"{live_server.url}/diary/new/")
        # the question comes before everything else in the form, with seven big buttons
        legend = page.locator("fieldset.checkin legend")
        assert legend.inner_text() == words["question"]
        buttons = page.locator("fieldset.checkin label.mood-choice:not(.mood-none)")
        assert buttons.count() == 7
        box = buttons.first.bounding_box()
        assert box["height"] >= 60 and box["width"] >= 120  # big enough for older hands, on a phone
        first_field = page.locator("form .field").first.bounding_box()
        assert legend.bounding_box()["y"] < first_field["y"]
        # the radios are real radios: a screen reader hears each one by its word
        assert page.get_by_role("radio", name=re.compile(words["sad"])).count() == 1
        # and the keyboard chooses: focus the first mood, move with the arrow keys
        page.locator("fieldset.checkin input[value=angry]").focus()
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        assert page.locator("fieldset.checkin input:checked").get_attribute("value") == "sad"
        page.get_by_text(words["very"], exact=True).click()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"checkin-{language}.png"), full_page=True)
        page.locator("form.stacked button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/diary/\d+/$"))
        assert errors == []
        context.close()
    entry = Entry.objects.get(owner=member)
    assert (entry.self_mood, entry.self_mood_strength) == ("sad", 3)


def _read(member, **thresholds):
    from tests.inference.conftest import GREEN, entry_with_photo

    return entry_with_photo(member, colour=GREEN)


@pytest.mark.integration
@pytest.mark.parametrize("language", ["en", "ko"])
def test_is_this_right_confirms_with_one_tap(transactional_db, live_server, member, scripted_models,
                                              monkeypatch, language):
    monkeypatch.setattr(services, "enqueue", lambda job_id=None: True)
    words = WORDS[language]
    entry = _read(member)
    pipeline.batch_run(size=4, max_wait=0)
    session = _session(member, language)
    with chromium() as browser:
        context = new_context(browser, live_server, session, viewport={"width": 1024, "height": 900})
        page = context.new_page()
        errors = _watch(page)
        page.goto(f"{live_server.url}/diary/{entry.pk}/")
        section = page.locator("#is-this-right")
        assert words["is_right"] in section.inner_text()
        page.get_by_role("button", name=words["yes"]).click()
        page.wait_for_selector(".analysis-answered")
        assert words["confirmed"] in page.locator(".analysis-answered").inner_text()
        assert errors == []
        context.close()
    correction = Correction.objects.get(entry=entry)
    assert correction.kind == "confirmed" and correction.corrected_emotion == "happy"


@pytest.mark.integration
@pytest.mark.parametrize("language", ["en", "ko"])
def test_an_abstaining_reading_appears_by_itself_and_asks_how_the_person_feels(
        transactional_db, live_server, member, scripted_models, monkeypatch, language):
    # Given an entry waiting to be read by a face model that needs 90% to speak (it reads 70%)
    monkeypatch.setattr(services, "enqueue", lambda job_id=None: True)
    with_thresholds(scripted_models, "model_info", 0.9)
    words = WORDS[language]
    entry = _read(member)
    session = _session(member, language)
    with chromium() as browser:
        context = new_context(browser, live_server, session, viewport={"width": 390, "height": 844})
        page = context.new_page()
        errors = _watch(page)
        page.goto(f"{live_server.url}/diary/{entry.pk}/")
        assert page.locator("#analysis").get_attribute("data-status") == "pending"
        # when the worker stores an abstained reading, the section says it cannot tell
        run_in_a_thread(lambda: pipeline.batch_run(size=4, max_wait=0))
        page.wait_for_selector("#analysis[data-status=done]", timeout=20_000)
        text = page.locator("#analysis").inner_text()
        assert words["cant_tell"] in text and words["one_tap"] in text
        assert "%" not in text  # the unsure percentages stay behind "details"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"abstained-{language}.png"), full_page=True)
        # and one tap on a mood answers it
        page.locator("#is-this-right button.mood-neutral").click()
        page.wait_for_selector(".analysis-answered")
        assert words["said"] in page.locator(".analysis-answered").inner_text()
        assert errors == []
        context.close()
    correction = Correction.objects.get(entry=entry)
    assert correction.kind == "chosen" and correction.corrected_emotion == "neutral"
    assert Entry.objects.get(pk=entry.pk).ai_emotion == ""
