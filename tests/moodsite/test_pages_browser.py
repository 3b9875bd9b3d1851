"""Under the Content-Security-Policy the pages still work in a real browser: nothing is refused,
no script error, and behaviour that used to be inline (the language switcher) still runs."""

import pytest
from django.conf import settings
from django.test import Client

from tests.diary.test_tracker_browser import chromium, new_context
from tests.factories import EntryFactory

# Every policy violation is reported to the page as an event; collect them.
COLLECT_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""

PAGES = ["/", "/diary/", "/diary/new/", "/tracker/", "/tracker/pixels/", "/accounts/profile/",
         "/accounts/email/", "/accounts/2fa/", "/welfare/", "/api/docs/"]


@pytest.mark.integration
def test_pages_run_under_the_policy_and_the_language_switcher_works(transactional_db, live_server, member):
    entry = EntryFactory(owner=member, self_mood="happy", text="A good day")
    client = Client()
    client.force_login(member)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        context = new_context(browser, live_server, session, viewport={"width": 1280, "height": 900})
        context.add_init_script(COLLECT_VIOLATIONS)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        for url in [*PAGES, f"/diary/{entry.pk}/"]:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.__violations") == [], url
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector(".swagger-ui .info", timeout=15_000)  # Swagger UI drew itself from its files
        assert errors == []
        context.close()
        # the language switcher (was onchange="...") still submits its form, for a visitor
        visitor = browser.new_context(locale="en-GB")
        page = visitor.new_page()
        page.goto(f"{live_server.url}/")
        with page.expect_navigation():
            page.select_option("#language-select", "ko")
        assert page.locator("html").get_attribute("lang") == "ko"
        visitor.close()
