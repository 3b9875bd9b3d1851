"""Headers that protect diary data (issue 14, finding 9): a Content-Security-Policy without inline
script, and `Cache-Control: private, no-store` on everything that carries a person's data."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from diary.models import Entry
from tests.conftest import make_image_bytes

ROOT = Path(settings.BASE_DIR)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _templates() -> list[Path]:
    skip = {".venv", "node_modules", "var", "test-artifacts"}
    return [p for p in ROOT.rglob("*.html") if not skip & set(p.relative_to(ROOT).parts)]


def test_no_template_has_an_inline_script_or_an_on_attribute():
    # The policy blocks them, so one would silently not run: keep behaviour in static files.
    offenders = []
    for path in _templates():
        text = path.read_text()
        for attributes in SCRIPT_TAG.findall(text):
            if "src=" not in attributes and "application/json" not in attributes:
                offenders.append(f"{path.relative_to(ROOT)}: inline <script{attributes}>")
        if INLINE_HANDLER.search(text):
            offenders.append(f"{path.relative_to(ROOT)}: on* attribute")
        if "javascript:" in text:
            offenders.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert offenders == []


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/api/docs/"])
def test_every_page_carries_a_policy_without_inline_script(client, db, url):
    policy = _policy(client.get(url))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_the_api_docs_load_their_script_from_a_file(client, db):
    page = client.get("/api/docs/").content.decode()
    assert not [a for a in SCRIPT_TAG.findall(page) if "src=" not in a]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


@pytest.fixture
def photo_entry(owner_client, member):
    upload = SimpleUploadedFile("me.jpg", make_image_bytes(), content_type="image/jpeg")
    owner_client.post("/diary/new/", {"day": "2026-11-20", "text": "Private words", "photo": upload})
    return Entry.objects.get(owner=member)


def test_diary_pages_photos_and_entry_json_are_never_cached(owner_client, member, photo_entry):
    urls = [
        "/diary/", f"/diary/{photo_entry.pk}/", f"/diary/{photo_entry.pk}/photo/", "/tracker/",
        "/api/v1/entries/", f"/api/v1/entries/{photo_entry.pk}/", "/accounts/profile/",
    ]
    for url in urls:
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_api_answers_to_token_clients_and_refusals_are_not_cached_either(member):
    from accounts.tokens import api_token_issue

    _token, key = api_token_issue(user=member)
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/entries/")["Cache-Control"] == \
        "private, no-store"
    assert APIClient().get("/api/v1/entries/")["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("url", [
    "/accounts/export/", "/tracker/export/mood-history.csv", "/tracker/export/mood-history.json", "/tracker/report/",
    "/api/v1/mood/summary/", "/wellbeing/", "/music/", "/welfare/",
])
def test_a_person_s_exports_reports_and_other_pages_are_never_cached(owner_client, photo_entry, url):
    # given a signed-in person with an entry, when they fetch one of their files or pages
    response = owner_client.get(url)
    # then no cache may keep it (one middleware sets it; none of these views do)
    assert response.status_code == 200, url
    assert response["Cache-Control"] == "private, no-store", url


def test_a_public_page_for_a_visitor_is_left_to_its_own_caching(client, db):
    # given a visitor who is not signed in, the public home page carries no private-data header
    response = client.get("/")
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")
