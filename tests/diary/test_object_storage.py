"""Photos in an S3-compatible object store (S3_BUCKET set): stored encrypted and private, streamed
only through the owner-checked views, gone with their entry, and a clear page when the store is down.

Runs against a real S3 server: the environment's (CI's PostgreSQL + Redis pass starts SeaweedFS),
or a SeaweedFS started for the session (tests/s3_server.py); skips with the reason otherwise.
"""

import urllib.error
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from diary.models import Entry
from tests.conftest import make_image_bytes, stored_names


def _upload(client, **extra):
    upload = SimpleUploadedFile("me.jpg", make_image_bytes(size=(80, 60)), content_type="image/jpeg")
    response = client.post("/diary/new/", {"day": "2026-11-20", "text": "Hello", "photo": upload, **extra})
    assert response.status_code == 302, response.content[:500]
    return Entry.objects.get()


def _object(store, name: str) -> dict:
    return store.connection.meta.client.head_object(Bucket=store.bucket_name, Key=store._normalize_name(name))


def test_it_stores_the_photo_and_thumbnail_in_the_bucket_encrypted(s3_storage, owner_client, settings):
    # Given the private storage in an S3 store, when a person saves an entry with a photo
    entry = _upload(owner_client)
    # then the photo and its thumbnail are objects in the bucket, not files in the local folder
    assert entry.photo.storage is s3_storage
    assert set(stored_names(s3_storage)) >= {entry.photo.name, entry.thumbnail.name}
    assert not (settings.PRIVATE_MEDIA_ROOT / entry.photo.name).exists()
    # and the store encrypted them at rest (server-side encryption asked for on every write)
    for name in (entry.photo.name, entry.thumbnail.name):
        head = _object(s3_storage, name)
        assert head["ContentType"] == "image/jpeg"
        if settings.S3_SERVER_SIDE_ENCRYPTION:
            assert head.get("ServerSideEncryption") == settings.S3_SERVER_SIDE_ENCRYPTION


def test_the_owner_gets_the_photo_through_the_view_and_others_do_not(s3_storage, owner_client, client, stranger):
    entry = _upload(owner_client)
    with s3_storage.open(entry.photo.name, "rb") as handle:
        stored = handle.read()
    # The owner: the photo's bytes, never cached by shared caches
    response = owner_client.get(f"/diary/{entry.pk}/photo/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    assert response["Cache-Control"] == "private, no-store"
    assert owner_client.get(f"/diary/{entry.pk}/thumbnail/").status_code == 200
    # A stranger: not found; nobody signed in: sent to sign in
    client.force_login(stranger)
    assert client.get(f"/diary/{entry.pk}/photo/").status_code == 404
    client.logout()
    response = client.get(f"/diary/{entry.pk}/photo/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nothing_in_the_bucket_is_public(s3_storage, owner_client):
    entry = _upload(owner_client)
    # Given the object's own address in the store, without credentials, it is refused
    key = s3_storage._normalize_name(entry.photo.name)
    url = f"{s3_storage.endpoint_url.rstrip('/')}/{s3_storage.bucket_name}/{key}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)  # noqa: S310 - the test's own local store
    assert refused.value.code in {401, 403}
    # and the storage never hands out a presigned link to it
    link = entry.photo.url
    assert "Signature" not in link and "X-Amz" not in link and s3_storage.endpoint_url not in link
    assert owner_client.get(link).status_code == 404


def test_deleting_the_entry_removes_its_objects(s3_storage, owner_client):
    entry = _upload(owner_client)
    names = [entry.photo.name, entry.thumbnail.name]
    response = owner_client.post(f"/diary/{entry.pk}/delete/")
    assert response.status_code == 302
    assert not any(s3_storage.exists(name) for name in names)


def test_replacing_the_photo_removes_the_old_objects(s3_storage, owner_client, django_capture_on_commit_callbacks):
    entry = _upload(owner_client)
    old = [entry.photo.name, entry.thumbnail.name]
    upload = SimpleUploadedFile("new.jpg", make_image_bytes(colour=(10, 200, 10)), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/diary/{entry.pk}/edit/", {"day": "2026-11-20", "text": "Hi",
                                                                  "photo": upload})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.photo.name not in old and s3_storage.exists(entry.photo.name)
    assert not any(s3_storage.exists(name) for name in old)


def test_a_photo_page_says_to_try_again_when_the_store_is_down(owner_client, member, s3_store_down):
    from tests.factories import EntryFactory

    entry = EntryFactory(owner=member, photo="photos/1/gone.jpg")
    response = owner_client.get(f"/diary/{entry.pk}/photo/")
    assert response.status_code == 503
    assert "Please try again in a few minutes" in response.content.decode()
    assert response["Retry-After"] == "60"


def test_saving_a_photo_while_the_store_is_down_keeps_nothing_half_done_and_says_so(owner_client, member,
                                                                                     s3_store_down):
    upload = SimpleUploadedFile("me.jpg", make_image_bytes(), content_type="image/jpeg")
    response = owner_client.post("/diary/new/", {"day": "2026-11-20", "text": "Hello", "photo": upload})
    assert response.status_code == 503
    assert "Nothing was changed" in response.content.decode()
    assert not Entry.objects.exists()
    # and the API says the same, as JSON
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(member)
    upload = SimpleUploadedFile("me.jpg", make_image_bytes(), content_type="image/jpeg")
    response = api.post("/api/v1/entries/", {"text": "Hello", "photo": upload}, format="multipart")
    assert response.status_code == 503
    assert "try again in a few minutes" in response.json()["detail"]


def test_the_store_down_page_speaks_korean_to_a_korean_reader(owner_client, member, s3_store_down):
    from tests.factories import EntryFactory

    member.language = "ko"
    member.save(update_fields=["language"])
    entry = EntryFactory(owner=member, photo="photos/1/gone.jpg")
    page = owner_client.get(f"/diary/{entry.pk}/photo/").content.decode()
    assert "저장 서버가 지금 응답하지 않아서" in page and "몇 분 뒤에 다시 해 주십시오" in page
