import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_issue
from diary.models import Entry
from tests.conftest import make_image_bytes
from tests.factories import EntryFactory


@pytest.fixture
def api(member):
    client = APIClient()
    client.force_authenticate(member)
    return client


def test_it_lets_the_owner_create_read_update_and_delete(api, member):
    upload = SimpleUploadedFile("me.webp", make_image_bytes("WEBP"), content_type="image/webp")
    created = api.post("/api/v1/entries/", {"day": "2026-11-01", "text": "hi", "photo": upload}, format="multipart")
    assert created.status_code == 201, created.content
    entry_id = created.json()["id"]
    body = api.get(f"/api/v1/entries/{entry_id}/").json()
    assert body["text"] == "hi" and body["photo_url"].endswith(f"/diary/{entry_id}/photo/")
    assert api.patch(f"/api/v1/entries/{entry_id}/", {"text": "edited"}, format="json").json()["text"] == "edited"
    assert Entry.objects.get().photo  # a text edit keeps the photo
    assert api.delete(f"/api/v1/entries/{entry_id}/").status_code == 204
    assert not Entry.objects.exists()


def test_it_refuses_another_members_entry_with_404(api, stranger):
    theirs = EntryFactory(owner=stranger)
    assert api.get(f"/api/v1/entries/{theirs.pk}/").status_code == 404
    assert api.patch(f"/api/v1/entries/{theirs.pk}/", {"text": "x"}, format="json").status_code == 404
    assert api.delete(f"/api/v1/entries/{theirs.pk}/").status_code == 404
    assert api.get("/api/v1/entries/").json()["count"] == 0


def test_it_refuses_anonymous_requests(db):
    assert APIClient().get("/api/v1/entries/").status_code in (401, 403)


def test_it_accepts_token_authentication(member):
    EntryFactory(owner=member, text="via token")
    _token, key = api_token_issue(user=member)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/entries/").json()["results"][0]["text"] == "via token"


def test_it_explains_a_bad_self_mood(api):
    response = api.post("/api/v1/entries/", {"text": "x", "self_mood": "ecstatic"}, format="json")
    assert response.status_code == 400
    assert "self_mood" in response.json()


def test_it_serves_the_schema_and_docs_with_local_assets(client, db):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs and "cdn" not in docs.lower()


def test_it_issues_a_token_for_email_and_password(member):
    from tests.factories import TEST_PASSWORD

    response = APIClient().post("/api/v1/auth/token/", {"username": member.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    key = response.json()["token"]
    assert ApiToken.objects.get(user=member).prefix == key[:8]
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/entries/").status_code == 200
    assert APIClient().post("/api/v1/auth/token/", {"username": member.email, "password": "no"}).status_code == 400


def test_it_refuses_an_empty_entry_with_a_clear_message(api, member):
    response = api.post("/api/v1/entries/", {"day": "2026-11-01", "text": ""}, format="json")
    assert response.status_code == 400
    assert "This entry is empty" in response.json()["non_field_errors"][0]
    assert not Entry.objects.exists()


def test_it_refuses_a_patch_that_empties_an_entry(api, member):
    entry = EntryFactory(owner=member, text="words", self_mood="")
    response = api.patch(f"/api/v1/entries/{entry.pk}/", {"text": ""}, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    entry.refresh_from_db()
    assert entry.text == "words"


def test_an_empty_entry_is_refused_to_anonymous_callers_before_anything_else(db):
    assert APIClient().post("/api/v1/entries/", {"text": ""}, format="json").status_code in (401, 403)
