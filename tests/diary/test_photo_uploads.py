"""The bad-upload matrix: every case gets a clear message and nothing is stored."""

import io
import os

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from diary.models import Entry
from tests.conftest import make_image_bytes, stored_names
from tests.diary import photo_samples

NOT_A_PHOTO = "not a JPEG, PNG, WebP or HEIC photo"

BAD_UPLOADS = [
    ("not_an_image", "notes.jpg", b"Dear diary, today was long.", NOT_A_PHOTO),
    ("truncated", "cut.jpg", None, "damaged or incomplete"),
    ("empty", "empty.jpg", b"", "empty"),
    ("too_large", "huge.jpg", None, "larger than 10 MB"),
    ("too_many_pixels", "wide.png", None, "too many pixels"),
    ("html_named_jpg", "page.jpg", photo_samples.HTML_AS_JPEG, NOT_A_PHOTO),
    ("svg_named_jpg", "drawing.jpg", photo_samples.SVG_AS_JPEG, NOT_A_PHOTO),
    ("animated_gif", "moving.gif", None, "GIF images are not accepted"),
    ("heic_header_only", "IMG_0001.HEIC", photo_samples.HEIC, NOT_A_PHOTO),
    ("truncated_heic", "IMG_0002.HEIC", None, "damaged or incomplete"),
]


def _content(case: str, content: bytes | None) -> bytes:
    if content is not None:
        return content
    return {
        "truncated": photo_samples.truncated_jpeg,
        "too_large": lambda: b"\xff\xd8\xff" + os.urandom(settings.PHOTO_MAX_BYTES + 10),
        "too_many_pixels": photo_samples.too_many_pixels_png,
        "animated_gif": photo_samples.animated_gif,
        "truncated_heic": photo_samples.truncated_heic,
    }[case]()


def _stored_files() -> list[str]:
    return stored_names()


@pytest.mark.parametrize(("case", "name", "content", "message"), BAD_UPLOADS, ids=[c[0] for c in BAD_UPLOADS])
def test_it_refuses_bad_uploads_in_the_form_and_stores_nothing(owner_client, case, name, content, message):
    # Given a person writing an entry, when they attach a bad file
    before = _stored_files()
    upload = SimpleUploadedFile(name, _content(case, content), content_type="image/jpeg")
    response = owner_client.post("/diary/new/", {"day": "2026-11-20", "text": "Hello", "photo": upload})
    # then the form comes back with a message saying what to do, and nothing is stored
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Entry.objects.count() == 0
    assert _stored_files() == before


@pytest.mark.parametrize(("case", "name", "content", "message"), BAD_UPLOADS, ids=[c[0] for c in BAD_UPLOADS])
def test_it_refuses_bad_uploads_in_the_api_and_stores_nothing(owner_client, case, name, content, message):
    before = _stored_files()
    upload = SimpleUploadedFile(name, _content(case, content), content_type="image/jpeg")
    response = owner_client.post("/api/v1/entries/", {"text": "Hello", "photo": upload}, format="multipart")
    assert response.status_code == 400
    assert message in str(response.json()["photo"])
    assert Entry.objects.count() == 0
    assert _stored_files() == before


def test_it_keeps_the_saved_entry_when_an_edit_brings_a_bad_photo(owner_client, member):
    # Given an entry with a good photo
    good = SimpleUploadedFile("me.jpg", make_image_bytes(), content_type="image/jpeg")
    owner_client.post("/diary/new/", {"day": "2026-11-20", "text": "Before", "photo": good})
    entry = Entry.objects.get()
    photo_name = entry.photo.name
    # when an edit brings an HTML file named .jpg
    bad = SimpleUploadedFile("x.jpg", photo_samples.HTML_AS_JPEG, content_type="image/jpeg")
    response = owner_client.post(f"/diary/{entry.pk}/edit/", {"day": "2026-11-20", "text": "After", "photo": bad})
    # then the message shows and the saved entry and its photo are untouched
    assert NOT_A_PHOTO in response.content.decode()
    entry.refresh_from_db()
    assert entry.text == "Before"
    assert entry.photo.name == photo_name
    assert entry.photo.storage.exists(photo_name)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_it_accepts_jpeg_png_and_webp_and_stores_a_jpeg_and_thumbnail(owner_client, fmt):
    content = make_image_bytes(fmt, size=(800, 600))
    upload = SimpleUploadedFile("photo.bin", content, content_type="application/octet-stream")
    response = owner_client.post("/diary/new/", {"day": "2026-11-20", "text": "", "photo": upload})
    assert response.status_code == 302
    entry = Entry.objects.get()
    with entry.photo.open("rb") as handle:
        assert Image.open(handle).format == "JPEG"
    with entry.thumbnail.open("rb") as handle:
        assert max(Image.open(handle).size) <= 320


def test_it_strips_gps_and_all_exif_and_turns_the_photo_upright(owner_client):
    # Given a phone photo with GPS coordinates and an orientation tag
    upload = SimpleUploadedFile("IMG_1.jpg", photo_samples.jpeg_with_gps_and_rotation(), content_type="image/jpeg")
    # when it is saved with an entry
    owner_client.post("/diary/new/", {"day": "2026-11-20", "text": "Walk", "photo": upload})
    entry = Entry.objects.get()
    with entry.photo.open("rb") as handle:
        data = handle.read()
    stored = Image.open(io.BytesIO(data))
    # then no metadata survives, and the pixels are upright (portrait, blue half at the bottom)
    assert dict(stored.getexif()) == {}
    assert b"PhoneMaker" not in data and b"GPS" not in data
    assert stored.size == (40, 60)
    top, bottom = stored.getpixel((20, 10)), stored.getpixel((20, 50))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


PHONE_PHOTOS = [
    ("heic", "IMG_0003.HEIC", "image/heic", photo_samples.heic_with_gps_and_rotation),
    ("mpo", "DSC_0001.JPG", "image/jpeg", photo_samples.mpo_with_gps_and_rotation),
]


def _assert_upright_jpeg_without_metadata(data: bytes) -> None:
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG"
    assert getattr(stored, "n_frames", 1) == 1  # the MPO's second picture is gone
    assert dict(stored.getexif()) == {}
    assert b"PhoneMaker" not in data and b"GPS" not in data and b"MPF" not in data
    # upright: portrait, red half on top, blue half at the bottom (not the green second picture)
    assert stored.size == (40, 60)
    top, bottom = stored.convert("RGB").getpixel((20, 10)), stored.convert("RGB").getpixel((20, 50))
    assert top[0] > 200 and top[1] < 60 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60 and bottom[1] < 60


@pytest.mark.parametrize(("kind", "name", "content_type", "make"), PHONE_PHOTOS, ids=[p[0] for p in PHONE_PHOTOS])
def test_it_accepts_phone_photos_and_stores_them_as_upright_jpegs_without_metadata(
    owner_client, kind, name, content_type, make
):
    # Given a photo straight from a phone (HEIC from an iPhone, MPO from many Android cameras),
    # turned sideways by its EXIF and carrying a location
    upload = SimpleUploadedFile(name, make(), content_type=content_type)
    # when it is saved with an entry on the web
    response = owner_client.post("/diary/new/", {"day": "2026-11-20", "text": "Walk", "photo": upload})
    # then it is accepted and stored as an upright JPEG with no metadata
    assert response.status_code == 302
    entry = Entry.objects.get()
    with entry.photo.open("rb") as handle:
        _assert_upright_jpeg_without_metadata(handle.read())
    with entry.thumbnail.open("rb") as handle:
        assert Image.open(handle).format == "JPEG"


@pytest.mark.parametrize(("kind", "name", "content_type", "make"), PHONE_PHOTOS, ids=[p[0] for p in PHONE_PHOTOS])
def test_the_api_accepts_phone_photos_too(owner_client, kind, name, content_type, make):
    upload = SimpleUploadedFile(name, make(), content_type=content_type)
    response = owner_client.post("/api/v1/entries/", {"text": "Walk", "photo": upload}, format="multipart")
    assert response.status_code == 201, response.content
    with Entry.objects.get().photo.open("rb") as handle:
        _assert_upright_jpeg_without_metadata(handle.read())


def test_it_never_serves_photos_from_the_public_media_url(owner_client):
    upload = SimpleUploadedFile("me.jpg", make_image_bytes(), content_type="image/jpeg")
    owner_client.post("/diary/new/", {"day": "2026-11-20", "photo": upload})
    entry = Entry.objects.get()
    assert not str(settings.PRIVATE_MEDIA_ROOT).startswith(str(settings.MEDIA_ROOT))
    assert owner_client.get(f"/media/{entry.photo.name}").status_code == 404
