"""Services: the catalogue cache, feedback, personal-data export and deletion, the starter catalogue."""

import json

import pytest
from django.core.management import call_command

from accounts.services import user_data_export, user_delete
from music import services
from music.models import Feedback, ListeningPreference, RecommendationSet, Track
from tests.factories import EntryFactory
from tests.music.conftest import make_track


def test_catalogue_arrays_are_cached_and_rebuilt_after_a_change(db):
    make_track("One", "A", valence=0.5, arousal=0.5)
    first = services.catalogue()
    assert services.catalogue() is first and len(first) == 1
    make_track("Two", "B", valence=-0.5, arousal=0.5)
    second = services.catalogue()
    assert second is not first and len(second) == 2
    Track.objects.filter(title="One").update(is_active=False)  # bypasses signals…
    services.tracks_set_active(tracks=Track.objects.filter(title="Two"), active=False)  # …this does not
    assert len(services.catalogue()) == 0


def test_tracks_without_coordinates_are_not_offered(db):
    make_track("Placed", "A", tags=["Calm"])
    make_track("Unplaced", "B")
    catalogue = services.catalogue()
    assert len(catalogue) == 1
    assert catalogue.tags[catalogue.mood_tag[0]].name_en == "Calm"


def test_recently_offered_tracks_are_not_offered_again_for_another_entry(member, small_catalogue):
    first = services.recommendations_compute(entry=EntryFactory(owner=member, self_mood="sad"), n=3)
    second = services.recommendations_compute(entry=EntryFactory(owner=member, self_mood="sad"), n=3)
    first_ids = {i.track_id for i in first.items.all()}
    assert not first_ids & {i.track_id for i in second.items.all()}
    # …but recomputing the same entry is stable (its own offers do not exclude themselves).
    again = services.recommendations_compute(entry=first.entry, n=3)
    assert {i.track_id for i in again.items.all()} == first_ids


def test_a_busy_diary_never_runs_out_of_music(member, small_catalogue):
    # Given many entries in one day whose offers together cover the whole catalogue
    for _ in range(8):
        services.recommendations_compute(entry=EntryFactory(owner=member, self_mood="sad"), n=4)
    # when another entry asks, then it is still offered music: only the last few sets are excluded
    latest = services.recommendations_compute(entry=EntryFactory(owner=member, self_mood="sad"), n=4)
    assert latest.items.count() == 4


def test_feedback_for_someone_elses_entry_is_refused(member, stranger, small_catalogue):
    entry = EntryFactory(owner=member, self_mood="sad")
    with pytest.raises(Exception, match="Not your entry"):
        services.feedback_record(user=stranger, track=small_catalogue[0], action="like", entry=entry)


def test_listener_reads_the_latest_like_or_dislike(member, small_catalogue):
    track = small_catalogue[0]
    services.feedback_record(user=member, track=track, action="like")
    services.feedback_record(user=member, track=track, action="dislike")
    services.feedback_record(user=member, track=small_catalogue[1], action="skip")
    services.feedback_record(user=member, track=small_catalogue[1], action="skip")
    listener = services.listener_for(user=member)
    assert listener.disliked_tracks == {track.pk} and not listener.liked_tracks
    assert listener.skipped_tracks == {small_catalogue[1].pk: 2}


def test_export_and_deletion_of_personal_music_data(member, small_catalogue):
    entry = EntryFactory(owner=member, self_mood="happy")
    services.recommendations_compute(entry=entry)
    services.feedback_record(user=member, track=small_catalogue[3], action="like", entry=entry)
    services.preference_set(user=member, languages=["ko"], genres=["folk"])
    archive = user_data_export(user=member)
    import io
    import zipfile

    data = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("data.json"))
    music = data["music"]
    assert music["preferences"] == {"languages": ["ko"], "genres": ["folk"]}
    assert music["feedback"][0]["action"] == "like" and music["feedback"][0]["track"]["title"] == "Happy one"
    assert len(music["recommendations"][0]["tracks"]) == 10
    user_delete(user=member)
    assert not Feedback.objects.exists() and not RecommendationSet.objects.exists()
    assert not ListeningPreference.objects.exists()
    assert Track.objects.count() == len(small_catalogue)  # the catalogue is not personal data


def test_load_starter_catalogue_is_idempotent(db, capsys):
    call_command("load_starter_catalogue")
    count = Track.objects.count()
    assert count >= 120
    call_command("load_starter_catalogue")
    assert Track.objects.count() == count
    assert "already there" in capsys.readouterr().out
    korean = Track.objects.filter(genre="korean traditional")
    assert korean.count() >= 20
    assert korean.filter(title__contains="Arirang").count() >= 4
    for needle in ("Doraji", "Sujecheon", "Gayageum sanjo", "Gymnopédie", "Clair de lune", "Air"):
        assert Track.objects.filter(title__contains=needle).exists(), needle
    for track in Track.objects.prefetch_related("mood_tags"):
        assert track.mood_tags.exists(), track
        assert track.valence is not None and track.arousal is not None, track
        assert track.listen_url.startswith("https://"), track
        assert track.licence, track
    assert Track.objects.filter(tempo_bpm__isnull=False).count() >= count - 5
    assert Track.objects.exclude(key="").count() >= 120
