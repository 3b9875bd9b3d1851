"""The check-in on the entry form: seven big mood buttons and an optional "how strongly"."""

import pytest

from diary.exports import export_user_data
from diary.models import Entry
from tests.factories import EntryFactory


def test_the_form_puts_how_do_you_feel_first_as_seven_big_buttons(owner_client):
    page = owner_client.get("/diary/new/").content.decode()
    question = page.index("How do you feel?")
    assert question < page.index("How was your day?") and question < page.index('name="day"')
    # seven radio inputs (keyboard and screen reader friendly), each with its icon and word
    assert page.count('type="radio" name="self_mood"') == 8  # the seven + "I'd rather not say"
    for word, icon in (("happy", "😊"), ("sad", "😢"), ("anxious", "😟")):
        assert f'<span class="mood-word">{word}</span>' in page
        assert icon in page
    assert page.count('name="self_mood_strength"') == 4
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_saving_a_check_in_keeps_the_mood_and_how_strongly(owner_client, member):
    response = owner_client.post("/diary/new/", {"day": "2026-11-30", "self_mood": "sad", "self_mood_strength": "3"})
    entry = Entry.objects.get(owner=member)
    assert response.status_code == 302
    assert (entry.self_mood, entry.self_mood_strength) == ("sad", 3)
    page = owner_client.get(f"/diary/{entry.pk}/").content.decode()
    assert "sad</span> (very)" in page


def test_how_strongly_without_a_mood_is_dropped(owner_client, member):
    owner_client.post("/diary/new/", {"day": "2026-11-30", "text": "a day", "self_mood": "", "self_mood_strength": "2"})
    assert Entry.objects.get(owner=member).self_mood_strength is None


def test_a_wrong_strength_gets_a_clear_message(owner_client, member):
    response = owner_client.post("/diary/new/", {"day": "2026-11-30", "self_mood": "sad", "self_mood_strength": "9"})
    assert response.status_code == 200
    assert "Please choose a little, quite or very." in response.content.decode()
    assert not Entry.objects.filter(owner=member).exists()


def test_the_edit_form_shows_the_chosen_mood_and_strength(owner_client, member):
    entry = EntryFactory(owner=member, self_mood="happy", self_mood_strength=1)
    page = owner_client.get(f"/diary/{entry.pk}/edit/").content.decode()
    assert 'value="happy" checked' in page and 'value="1" checked' in page
    owner_client.post(f"/diary/{entry.pk}/edit/", {"day": entry.day.isoformat(), "self_mood": "happy",
                                                   "self_mood_strength": "2"})
    entry.refresh_from_db()
    assert entry.self_mood_strength == 2


def test_the_api_reads_and_writes_how_strongly(owner_client, member):
    created = owner_client.post("/api/v1/entries/", {"self_mood": "fear", "self_mood_strength": 2, "text": "hm"},
                                content_type="application/json")
    assert created.status_code == 201 and created.json()["self_mood_strength"] == 2
    entry_id = created.json()["id"]
    patched = owner_client.patch(f"/api/v1/entries/{entry_id}/", {"text": "still"}, content_type="application/json")
    assert patched.json()["self_mood_strength"] == 2  # untouched when not sent
    bad = owner_client.post("/api/v1/entries/", {"self_mood": "fear", "self_mood_strength": 7},
                            content_type="application/json")
    assert bad.status_code == 400 and "self_mood_strength" in bad.json()


@pytest.mark.django_db
def test_the_export_carries_how_strongly(member):
    EntryFactory(owner=member, self_mood="sad", self_mood_strength=3)
    assert export_user_data(member)["entries"][0]["self_mood_strength"] == 3
