"""A member writes an entry with a selfie on a phone, in Korean: the Save button says it is saving
and cannot be pressed twice, the POST returns before any reading, and the page says "reading your
entry…" until the reading arrives by itself (the status poll)."""

import pytest
from django.conf import settings
from django.test import Client

from diary.models import Entry
from inference import pipeline, services
from inference.models import AnalysisJob
from tests.browser.checks import INTERFACE_TEXT, OVERFLOW, PHONE, axe_violations, english_words
from tests.conftest import make_image_bytes
from tests.diary.test_tracker_browser import ARTIFACTS, chromium
from tests.inference.conftest import GREEN
from tests.inference.test_pipeline_browser import run_in_a_thread

pytestmark = pytest.mark.integration


def test_a_korean_member_saves_an_entry_with_a_selfie_on_a_phone(transactional_db, live_server, member,
                                                                  scripted_models, monkeypatch, tmp_path):
    # Given a Korean member on a phone, and a worker that has not read anything yet
    sent: list[int] = []
    monkeypatch.setattr(services, "enqueue", lambda job_id=None: sent.append(job_id) or True)
    member.language = "ko"
    member.save(update_fields=["language"])
    selfie = tmp_path / "selfie.jpg"
    selfie.write_bytes(make_image_bytes(size=(96, 96), colour=GREEN))
    client = Client()
    client.force_login(member)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        context = browser.new_context(locale="ko-KR", viewport=PHONE, is_mobile=True, has_touch=True,
                                      bypass_csp=True)  # axe is injected
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/diary/new/")
        assert page.evaluate(OVERFLOW, PHONE["width"]) <= 0
        # When they write, add the selfie and press Save
        page.fill("textarea[name=text]", "손주가 와서 정말 기뻤습니다.")
        page.set_input_files("input[name=photo]", str(selfie))
        save = page.locator("form.stacked button[type=submit]")
        # (what the button shows just after the press is noted where the next page can read it)
        page.evaluate("""() => document.addEventListener('submit', () => setTimeout(() => {
            const button = document.querySelector('form.stacked button[type=submit]');
            sessionStorage.setItem('busy', JSON.stringify([button.disabled, button.textContent.trim(),
                document.querySelector('.sending-status').textContent]));
        }, 20))""")
        save.click()
        # And the entry page says the entry is being read, in Korean
        page.wait_for_url("**/diary/*/")
        # Then the button was disabled at once and said that it was saving
        busy = page.evaluate("() => JSON.parse(sessionStorage.getItem('busy'))")
        assert busy == [True, "저장하는 중…", "저장하는 중…"]
        assert page.locator("#analysis").get_attribute("data-status") == "pending"
        assert "일기를 읽고 있습니다…" in page.locator("#analysis").inner_text()
        assert english_words(page.evaluate(INTERFACE_TEXT), set()) == []
        assert axe_violations(page) == []
        assert page.evaluate(OVERFLOW, PHONE["width"]) <= 0
        # When the worker reads it, the reading appears without a reload
        run_in_a_thread(lambda: pipeline.batch_run(size=4, max_wait=0))
        page.wait_for_selector("#analysis[data-status=done]", timeout=20_000)
        assert "기쁨" in page.locator("#analysis").inner_text()
        assert page.evaluate(OVERFLOW, PHONE["width"]) <= 0  # the reading table fits the phone
        assert axe_violations(page) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "phone-ko-new-entry-read.png"), full_page=True)
        assert errors == []
        context.close()
    # And exactly one entry was saved, its reading asked for once
    assert Entry.objects.filter(owner=member).count() == 1
    assert len(sent) == 1 and AnalysisJob.objects.get().status == "done"
