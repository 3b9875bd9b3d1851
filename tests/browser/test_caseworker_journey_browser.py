"""The demo caseworker's first sign-in, in Korean, in Chromium: password, what an authenticator
app is, QR code and key, one code, recovery codes, "I have saved them, continue", the dashboard —
one path forward, no loop, no English left, no axe violation on the way."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD, DEMO_PEOPLE
from tests.browser.checks import DESKTOP, INTERFACE_TEXT, PHONE, axe_violations, consent_text_published, english_words
from tests.diary.test_tracker_browser import ARTIFACTS, chromium

pytestmark = pytest.mark.integration


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def check_step(page, name: str, problems: list[str]) -> None:
    english = english_words(page.evaluate(INTERFACE_TEXT), {"park"})
    if english:
        problems.append(f"{name}: English words in the Korean page: {english}")
    problems.extend(f"{name}: axe {violation}" for violation in axe_violations(page))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"caseworker-journey-{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_demo_caseworker_gets_from_first_sign_in_to_the_dashboard(transactional_db, live_server, viewport):
    # Given the demo data, as `make run` loads it (the caseworker has never signed in)
    consent_text_published()
    call_command("load_demo_data", verbosity=0)
    email = DEMO_PEOPLE["caseworker"][0]
    problems: list[str] = []
    with chromium() as browser:
        context = browser.new_context(locale="ko-KR", viewport=viewport, bypass_csp=True,  # axe is injected
                                      is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        visited: list[str] = []
        page.on("framenavigated", lambda frame: frame == page.main_frame and visited.append(frame.url))

        # When they sign in with their password
        page.goto(f"{live_server.url}/accounts/login/")
        check_step(page, "1-login", problems)
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.locator("form:has(input[name=password]) button[type=submit]").click()

        # Then the first thing they see says what an authenticator app is
        page.wait_for_url("**/welfare/two-factor/")
        assert page.locator("h1").inner_text() == "2단계 로그인 설정하기"
        check_step(page, "2-explanation", problems)
        page.get_by_role("link", name="계속하기").click()

        # And the next step shows the QR code and the key to type
        page.wait_for_url("**/accounts/2fa/totp/activate/")
        assert page.locator("img.qr").is_visible()
        secret = page.locator("#secret-key").inner_text().replace(" ", "")
        assert len(secret) >= 16
        check_step(page, "3-qr-code", problems)

        # When they type one wrong code, they are told and stay on the page
        page.fill("#id_code", "000000" if current_code(secret) != "000000" else "111111")
        page.get_by_role("button", name="계속하기").click()
        page.wait_for_selector("#id_code_error")
        assert page.url.endswith("/accounts/2fa/totp/activate/")
        # and then the right one
        page.fill("#id_code", current_code(secret))
        page.get_by_role("button", name="계속하기").click()

        # Then the recovery codes are shown, with the way onward
        page.wait_for_url("**/accounts/2fa/recovery-codes/")
        assert page.locator("ol.recovery-codes li").count() == 10
        assert "총 10개 계정" not in page.content()
        check_step(page, "4-recovery-codes", problems)
        page.get_by_role("link", name="잘 보관했습니다. 계속하기").click()

        # And "continue" opens the dashboard: no second code, no password, no loop
        page.wait_for_url("**/welfare/dashboard/")
        assert page.locator("h1").count() == 1
        assert page.locator("table").count() == 1  # the demo member is among the clients
        check_step(page, "5-dashboard", problems)
        assert not any("/reauthenticate/" in url for url in visited), visited
        assert errors == []
        context.close()
    assert problems == [], "\n".join(problems)
