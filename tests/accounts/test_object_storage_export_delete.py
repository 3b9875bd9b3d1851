"""Download-my-data and account deletion with the private files in an S3 store: the export reads
every photo and composed piece back from the bucket; deleting the account leaves no object of the
person's behind (not even one whose row was already gone), and nobody else's is touched.

Against a real S3 server (see tests/diary/test_object_storage.py); skips with the reason otherwise.
"""

import io
import json
import zipfile

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from music.compositions.models import Composition
from tests.conftest import make_image_bytes, stored_names
from tests.factories import TEST_PASSWORD, EntryFactory

FAKE_OGG = b"OggS" + bytes(300)
FAKE_MIDI = b"MThd" + bytes(30)


def _entry_with_photo(client, text: str):
    upload = SimpleUploadedFile("me.jpg", make_image_bytes(colour=(30, 90, 200)), content_type="image/jpeg")
    assert client.post("/diary/new/", {"day": "2026-11-01", "text": text, "photo": upload}).status_code == 302
    from diary.models import Entry

    return Entry.objects.filter(text=text).get()


def _piece(owner, entry) -> Composition:
    piece = Composition.objects.create(owner=owner, entry=entry, target="calm", duration_s=30, seed=1,
                                       start_source="self", start_emotion="sad",
                                       start_valence=-0.5, start_arousal=0.2, target_valence=0.3,
                                       target_arousal=-0.3, status=Composition.Status.DONE)
    piece.audio.save("piece.ogg", ContentFile(FAKE_OGG), save=False)
    piece.midi.save("piece.mid", ContentFile(FAKE_MIDI), save=False)
    piece.save()
    return piece


def test_the_export_reads_photos_and_pieces_back_from_the_bucket(s3_storage, owner_client, member):
    # Given my entry with a photo and a composed piece, all kept in the bucket
    entry = _entry_with_photo(owner_client, "my own words")
    piece = _piece(member, entry)
    assert s3_storage.exists(entry.photo.name) and s3_storage.exists(piece.audio.name)
    # when I download my data
    response = owner_client.get("/accounts/export/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    # then the zip holds the same bytes as the bucket
    with s3_storage.open(entry.photo.name, "rb") as handle:
        assert archive.read(f"photos/entry-{entry.pk}.jpg") == handle.read()
    assert archive.read(f"compositions/composition-{piece.pk}.ogg") == FAKE_OGG
    assert archive.read(f"compositions/composition-{piece.pk}.mid") == FAKE_MIDI
    data = json.loads(archive.read("data.json"))
    assert data["diary"]["entries"][0]["photo"] == f"photos/entry-{entry.pk}.jpg"


def test_deleting_the_account_removes_every_object_of_mine_and_none_of_theirs(
    s3_storage, client, member, stranger, django_capture_on_commit_callbacks,
):
    # Given my entry with a photo and a piece, a file of mine whose row is already gone, and a
    # stranger's photo
    client.force_login(stranger)
    theirs = _entry_with_photo(client, "their words")
    client.force_login(member)
    mine = _entry_with_photo(client, "my words")
    _piece(member, mine)
    orphan = s3_storage.save(f"photos/{member.pk}/left-behind.jpg", ContentFile(b"\xff\xd8\xff"))
    assert len(stored_names(s3_storage, f"photos/{member.pk}")) == 3
    # when I delete my account
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/delete/", {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    # then nothing of mine is left in the bucket, the orphan included
    assert stored_names(s3_storage, f"photos/{member.pk}") == []
    assert stored_names(s3_storage, f"compositions/{member.pk}") == []
    assert not s3_storage.exists(orphan)
    # and the stranger's photo is still there
    assert s3_storage.exists(theirs.photo.name) and s3_storage.exists(theirs.thumbnail.name)


def test_deleting_the_account_on_the_local_folder_removes_the_folders_too(
    owner_client, member, settings, django_capture_on_commit_callbacks,
):
    # The embedded default (no S3): the same sweep, through the same storage API, empties and
    # removes the person's folders.
    if settings.S3_BUCKET:
        import pytest

        pytest.skip("this run keeps private files in S3 (S3_BUCKET is set)")
    EntryFactory(owner=member)
    _entry_with_photo(owner_client, "my words")
    folder = settings.PRIVATE_MEDIA_ROOT / "photos" / str(member.pk)
    assert folder.is_dir()
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/accounts/delete/", {"password": TEST_PASSWORD})
    assert not folder.exists()
