"""Every diary page: the owner succeeds, another member gets 404, an anonymous visitor goes to login."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from diary.models import Entry
from tests.conftest import make_image_bytes
from tests.factories import EntryFactory

PAGES = ["/diary/{id}/", "/diary/{id}/edit/", "/diary/{id}/delete/"]


@pytest.fixture
def photo_entry(owner_client):
    upload = SimpleUploadedFile("me.jpg", make_image_bytes(), content_type="image/jpeg")
    owner_client.post("/diary/new/", {"day": "2026-11-19", "text": "With a photo", "photo": upload})
    return Entry.objects.get()


@pytest.mark.parametrize("page", PAGES + ["/diary/{id}/photo/", "/diary/{id}/thumbnail/"])
def test_it_shows_the_owner_their_entry(owner_client, photo_entry, page):
    assert owner_client.get(page.format(id=photo_entry.pk)).status_code == 200


@pytest.mark.parametrize("page", PAGES + ["/diary/{id}/photo/", "/diary/{id}/thumbnail/"])
def test_it_refuses_another_member(client, photo_entry, stranger, page):
    client.force_login(stranger)
    assert client.get(page.format(id=photo_entry.pk)).status_code == 404


@pytest.mark.parametrize("page", ["/diary/", "/diary/new/"] + PAGES + ["/diary/{id}/photo/"])
def test_it_sends_anonymous_visitors_to_login(client, entry, page):
    response = client.get(page.format(id=entry.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_lists_only_my_entries_newest_first_with_pages(owner_client, member, stranger):
    for n in range(12):
        EntryFactory.days_ago(n, owner=member, text=f"day {n}")
    EntryFactory(owner=stranger, text="someone else's secret")
    first = owner_client.get("/diary/").content.decode()
    assert "someone else" not in first
    assert first.index("day 0") < first.index("day 1")
    assert "day 11" not in first
    assert "day 11" in owner_client.get("/diary/?page=2").content.decode()


def test_the_list_shows_each_entrys_mood_person_first_with_its_source(owner_client, member):
    # Given an entry with my own choice over a reading, one with a confident reading only, one with neither
    EntryFactory.days_ago(0, owner=member, text="mine", self_mood="happy", ai_emotion="sad")
    EntryFactory.days_ago(1, owner=member, text="read", ai_emotion="sad", ai_confidence=0.9)
    EntryFactory.days_ago(2, owner=member, text="nothing")
    page = owner_client.get("/diary/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then my choice wins and says so; the reading says it was read automatically; the third has no tag
    mine, read, nothing = page.split('<li class="entry-card">')[1:4]
    assert "mood-happy" in mine and "(my choice)" in mine and "mood-sad" not in mine
    assert "mood-sad" in read and "(read automatically)" in read
    assert "mood-tag" not in nothing


def test_it_creates_edits_and_deletes_an_entry(owner_client, member):
    response = owner_client.post("/diary/new/", {"day": "2026-11-18", "text": "First", "self_mood": "happy"})
    entry = Entry.objects.get()
    assert response["Location"] == f"/diary/{entry.pk}/"
    assert (entry.owner, entry.text, entry.self_mood) == (member, "First", "happy")
    owner_client.post(f"/diary/{entry.pk}/edit/", {"day": "2026-11-18", "text": "Second", "self_mood": ""})
    entry.refresh_from_db()
    assert (entry.text, entry.self_mood) == ("Second", "")
    owner_client.post(f"/diary/{entry.pk}/delete/")
    assert not Entry.objects.exists()


def test_it_does_not_let_another_member_edit_or_delete(client, entry, stranger):
    client.force_login(stranger)
    assert client.post(f"/diary/{entry.pk}/edit/", {"day": "2026-01-01", "text": "hacked"}).status_code == 404
    assert client.post(f"/diary/{entry.pk}/delete/").status_code == 404
    entry.refresh_from_db()
    assert entry.text != "hacked"


def test_it_removes_the_photo_files_when_the_entry_is_deleted(owner_client, photo_entry):
    storage, names = photo_entry.photo.storage, [photo_entry.photo.name, photo_entry.thumbnail.name]
    owner_client.post(f"/diary/{photo_entry.pk}/delete/")
    assert not any(storage.exists(name) for name in names)


def test_it_replaces_and_removes_a_photo_on_edit(owner_client, photo_entry, django_capture_on_commit_callbacks):
    storage, old = photo_entry.photo.storage, photo_entry.photo.name
    new = SimpleUploadedFile("new.png", make_image_bytes("PNG"), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/diary/{photo_entry.pk}/edit/", {"day": "2026-11-19", "text": "x", "photo": new})
    photo_entry.refresh_from_db()
    assert photo_entry.photo.name != old and not storage.exists(old)
    owner_client.post(f"/diary/{photo_entry.pk}/edit/", {"day": "2026-11-19", "text": "x", "remove_photo": "on"})
    photo_entry.refresh_from_db()
    assert not photo_entry.photo


def test_it_refuses_text_over_10000_characters(owner_client):
    response = owner_client.post("/diary/new/", {"day": "2026-11-18", "text": "a" * 10_001})
    assert response.status_code == 200
    assert "10000" in response.content.decode() or "10,000" in response.content.decode()
    assert not Entry.objects.exists()


def test_it_tells_the_writer_that_an_automatic_reading_is_used_and_is_not_a_diagnosis(owner_client):
    page = owner_client.get("/diary/new/").content.decode()
    assert "reads the feeling in your photo and your words automatically" in page
    assert "not a diagnosis" in page


def test_it_refuses_an_empty_entry_with_a_message_saying_what_to_do(owner_client, member):
    # Given the form sent with no words, no photo and no mood
    response = owner_client.post("/diary/new/", {"day": "2026-11-18", "text": "  ", "self_mood": ""})
    # Then nothing is saved and the form says how to go on
    assert response.status_code == 200 and not Entry.objects.exists()
    assert "This entry is empty. Please write a few words, add a photo or choose how you feel" in (
        response.content.decode().replace("&#x27;", "'"))


def test_it_refuses_an_edit_that_empties_the_entry(owner_client, member):
    entry = Entry.objects.create(owner=member, day=datetime.date(2026, 11, 18), text="Tea with Mrs Oh")
    response = owner_client.post(f"/diary/{entry.pk}/edit/", {"day": "2026-11-18", "text": "", "self_mood": ""})
    assert response.status_code == 200 and "This entry is empty" in response.content.decode()
    entry.refresh_from_db()
    assert entry.text == "Tea with Mrs Oh"
