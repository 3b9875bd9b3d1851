import datetime
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from diary.models import Entry
from diary.tracker.models import TrackerPreference
from tests.conftest import make_image_bytes
from tests.factories import TEST_PASSWORD, EntryFactory


def test_it_saves_the_profile_and_switches_language(owner_client, member):
    response = owner_client.post("/accounts/profile/", {"display_name": "Mi-ja", "language": "ko",
                                                        "time_zone": "Asia/Seoul", "birth_year": "1948"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.language, member.birth_year) == ("Mi-ja", "ko", 1948)
    page = owner_client.get("/diary/").content.decode()
    assert 'lang="ko"' in page and "내 일기" in page


def test_it_explains_a_bad_birth_year(owner_client):
    response = owner_client.post("/accounts/profile/", {"display_name": "", "language": "en",
                                                        "time_zone": "Asia/Seoul", "birth_year": "1066"})
    assert response.status_code == 200
    assert "greater than or equal to 1900" in response.content.decode()


@pytest.mark.parametrize("url", ["/accounts/profile/", "/accounts/export/", "/accounts/delete/"])
def test_it_sends_anonymous_visitors_to_login(client, db, url):
    assert client.get(url)["Location"].startswith("/accounts/login/")


def test_it_exports_my_entries_and_photos_and_nothing_of_anyone_else(owner_client, member, stranger):
    # Given my entry with a photo and a stranger's entry
    upload = SimpleUploadedFile("me.jpg", make_image_bytes(), content_type="image/jpeg")
    owner_client.post("/diary/new/", {"day": "2026-11-01", "text": "my own words", "photo": upload})
    EntryFactory(owner=stranger, text="stranger's secret")
    TrackerPreference.objects.create(user=member, prefer=TrackerPreference.Prefer.SELF)
    # when I download my data
    response = owner_client.get("/accounts/export/")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    # then it has my profile, my entry and its photo, and nothing of the stranger's
    assert response["Content-Type"] == "application/zip"
    assert data["accounts"]["email"] == member.email
    assert [e["text"] for e in data["diary"]["entries"]] == ["my own words"]
    assert data["diary"]["tracker"] == {"colour_days_by": "self"} and data["format_version"] == 2
    entry = Entry.objects.get(owner=member)
    with entry.photo.open("rb") as handle:
        assert archive.read(f"photos/entry-{entry.pk}.jpg") == handle.read()
    assert "stranger" not in json.dumps(data) and stranger.email not in json.dumps(data)


def test_it_deletes_the_account_with_its_entries_and_photo_files(owner_client, member):
    upload = SimpleUploadedFile("me.jpg", make_image_bytes(), content_type="image/jpeg")
    owner_client.post("/diary/new/", {"day": "2026-11-01", "text": "bye", "photo": upload})
    entry = Entry.objects.get()
    storage, names = entry.photo.storage, [entry.photo.name, entry.thumbnail.name]
    # A wrong password keeps everything
    owner_client.post("/accounts/delete/", {"password": "not it"})
    assert User.objects.filter(pk=member.pk).exists()
    # The right one deletes the account, the entries and the files
    response = owner_client.post("/accounts/delete/", {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    assert not Entry.objects.exists()
    assert not any(storage.exists(name) for name in names)


def test_it_serves_my_profile_on_the_api(member):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(member)
    assert client.get("/api/v1/me/").json()["email"] == member.email
    assert client.patch("/api/v1/me/", {"role": "staff"}, format="json").json()["role"] == "member"


def test_the_data_export_gives_each_entrys_mood_and_where_it_comes_from(owner_client, member):
    # Given an entry with the member's own mood over a reading, one with a reading only, and one with neither
    EntryFactory(owner=member, day=datetime.date(2026, 11, 1), self_mood="happy", ai_emotion="sad")
    EntryFactory(owner=member, day=datetime.date(2026, 11, 2), ai_emotion="sad", ai_confidence=0.91)
    EntryFactory(owner=member, day=datetime.date(2026, 11, 3))
    data = json.loads(zipfile.ZipFile(io.BytesIO(owner_client.get("/accounts/export/").content)).read("data.json"))
    assert [(e["mood"], e["mood_source"], e["self_mood"], e["ai_emotion"]) for e in data["diary"]["entries"]] == [
        ("happy", "self", "happy", "sad"), ("sad", "ai", "", "sad"), ("", "", "", "")]


def test_deleting_the_account_leaves_no_folder_of_the_person(owner_client, member, stranger,
                                                            django_capture_on_commit_callbacks):
    # Given a member with a photo (photos/<id>/ and photos/<id>/thumbs/) and a stray file in their
    # folder that no row points to any more (a crash between two writes)
    from django.conf import settings

    if settings.S3_BUCKET:  # the bucket's twin is tests/accounts/test_object_storage_export_delete.py
        pytest.skip("this run keeps private files in S3 (S3_BUCKET is set): there are no local folders")

    upload = SimpleUploadedFile("me.jpg", make_image_bytes(), content_type="image/jpeg")
    owner_client.post("/diary/new/", {"day": "2026-11-01", "text": "bye", "photo": upload})
    storage = Entry.objects.get().photo.storage
    storage.save(f"compositions/{member.pk}/orphan.ogg", io.BytesIO(b"OggS"))
    kept = storage.save(f"photos/{stranger.pk}/theirs.jpg", io.BytesIO(make_image_bytes()))
    folders = [settings.PRIVATE_MEDIA_ROOT / "photos" / str(member.pk),
               settings.PRIVATE_MEDIA_ROOT / "compositions" / str(member.pk)]
    assert all(folder.is_dir() for folder in folders)
    # when they delete their account
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/accounts/delete/", {"password": TEST_PASSWORD})
    # then none of their folders is left behind, and nobody else's is touched
    assert not any(folder.exists() for folder in folders)
    assert storage.exists(kept)
