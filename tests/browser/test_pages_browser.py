"""Every main page in Chromium, in Korean and English, on a desktop and on a 390 x 844 phone:
no sideways scrolling, touch targets of at least 44 px on the phone, no WCAG 2.1 A/AA violation
found by axe-core, and no English word left in the Korean interface."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from diary.models import Entry
from music.compositions import services as composition_services
from tests.browser.checks import (
    DESKTOP,
    INTERFACE_TEXT,
    OVERFLOW,
    PHONE,
    SMALL_TARGETS,
    axe_violations,
    consent_text_published,
    english_words,
)
from tests.diary.test_tracker_browser import ARTIFACTS, chromium
from tests.welfare.conftest import enable_totp, enter_code
from welfare.models import Consent

pytestmark = pytest.mark.integration


def browser_context(browser, live_server, *, language: str, session: str | None, viewport: dict):
    context = browser.new_context(
        locale="ko-KR" if language == "ko" else "en-GB", viewport=viewport, bypass_csp=True,  # axe is injected
        device_scale_factor=3 if viewport is PHONE else 1, has_touch=viewport is PHONE,
        is_mobile=viewport is PHONE,
    )
    if session:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    return context


def demo_site(django_capture_on_commit_callbacks=None) -> dict:
    """The demo data (`make run`'s), a finished piece of music, and sessions for its people."""
    call_command("load_starter_catalogue", verbosity=0)
    consent_text_published()
    call_command("load_demo_data", verbosity=0)
    member = User.objects.get(email="member@demo.moodsite.local")
    caseworker = User.objects.get(email="caseworker@demo.moodsite.local")
    entry = Entry.objects.filter(owner=member).exclude(ai_emotion="").order_by("-day").first()
    composition_services.composition_request(owner=member, entry=entry, target="calm", duration_s=30)
    member_client = Client()
    member_client.force_login(member)
    caseworker_client = Client()
    secret = enable_totp(caseworker)
    caseworker_client.force_login(caseworker)
    enter_code(caseworker_client, secret)
    consent = Consent.objects.get(client=member)
    cookie = settings.SESSION_COOKIE_NAME
    return {
        "member": member, "caseworker": caseworker, "entry": entry, "consent": consent,
        "sessions": {"member": member_client.cookies[cookie].value,
                     "caseworker": caseworker_client.cookies[cookie].value, "anonymous": None},
        "names": set(),
    }


def pages(site: dict) -> list[tuple[str, str]]:
    entry, consent = site["entry"], site["consent"]
    return [
        ("anonymous", "/"),
        ("anonymous", "/accounts/login/"),
        ("anonymous", "/accounts/signup/"),
        ("anonymous", "/accounts/password/reset/"),
        ("member", "/diary/"),
        ("member", "/diary/new/"),
        ("member", f"/diary/{entry.pk}/"),
        ("member", f"/diary/{entry.pk}/edit/"),
        ("member", "/tracker/?range=month"),
        ("member", "/tracker/pixels/"),
        ("member", "/tracker/report/"),
        ("member", "/music/"),
        ("member", "/music/preferences/"),
        ("member", "/accounts/profile/"),
        ("member", "/welfare/"),
        ("member", "/welfare/access-log/"),
        ("caseworker", "/welfare/dashboard/"),
        ("caseworker", f"/welfare/clients/{consent.pk}/"),
        ("caseworker", f"/welfare/clients/{consent.pk}/entries/"),
        ("caseworker", "/accounts/profile/"),
    ]


def survey(browser, live_server, site: dict, language: str) -> list[str]:
    problems: list[str] = []
    names = {name.lower() for name in site["names"]}
    for viewport in (PHONE, DESKTOP):
        where = "phone" if viewport is PHONE else "desktop"
        contexts = {who: browser_context(browser, live_server, language=language, session=session, viewport=viewport)
                    for who, session in site["sessions"].items()}
        for who, path in pages(site):
            page = contexts[who].new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            response = page.goto(f"{live_server.url}{path}", wait_until="networkidle")
            label = f"[{language} {where} {who}] {path}"
            if response is None or response.status != 200:
                problems.append(f"{label}: HTTP {response.status if response else 'no response'} at {page.url}")
                page.close()
                continue
            if page.evaluate("() => document.documentElement.lang") != language:
                problems.append(f"{label}: <html lang> is not {language}")
            overflow = page.evaluate(OVERFLOW, viewport["width"])
            if overflow > 0:
                problems.append(f"{label}: the page is {overflow}px wider than the screen")
            if viewport is PHONE:
                small = page.evaluate(SMALL_TARGETS)
                if small:
                    problems.append(f"{label}: touch targets under 44px: {small[:8]}")
            for violation in axe_violations(page):
                problems.append(f"{label}: axe {violation}")
            if language == "ko":
                english = english_words(page.evaluate(INTERFACE_TEXT), names)
                if english:
                    problems.append(f"{label}: English words in the Korean page: {english[:25]}")
            if errors:
                problems.append(f"{label}: script errors {errors}")
            if viewport is PHONE:
                ARTIFACTS.mkdir(exist_ok=True)
                slug = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
                page.screenshot(path=str(ARTIFACTS / f"phone-{language}-{who}-{slug}.png"), full_page=True)
            page.close()
        for context in contexts.values():
            context.close()
    return problems


def test_every_page_fits_a_phone_passes_axe_and_speaks_korean(transactional_db, live_server):
    # Given the demo site, with a finished piece of music and a caseworker signed in with a code
    site = demo_site()
    problems = []
    for language in ("ko", "en"):
        User.objects.filter(pk__in=[site["member"].pk, site["caseworker"].pk]).update(language=language)
        # When every page is opened on a phone and on a desktop
        with chromium() as browser:
            problems += survey(browser, live_server, site, language)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-survey.txt").write_text("\n".join(problems) + "\n", encoding="utf-8")
    # Then none scrolls sideways, has small targets, fails axe or leaves English in Korean
    assert problems == [], "\n".join(problems)
