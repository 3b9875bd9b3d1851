"""Care in hard moments: works about death, mourning, funerals, war or despair are flagged, and never
recommended to someone who feels low unless they asked for music that matches their sadness exactly."""

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse

from moodsite.emotions import EMOTIONS, one_hot
from music import exporting, matching, services
from music.importing import catalogue_import
from music.matching import Catalogue, Listener, TagWords, TrackRecord
from music.models import ListeningPreference, Track
from tests.factories import EntryFactory
from tests.music.test_admin import CHANGELIST, action

TAGS = [TagWords("Tender", "다정한", 0.4, -0.35), TagWords("Sad", "슬픈", -0.6, -0.3)]
CONSOLING_WORDS = {
    "sad": ("gentle and consoling, to keep you company (not music about loss)",
            "곁에 있어 주는 부드럽고 위로가 되는 곡입니다 (이별과 죽음을 다룬 곡은 고르지 않았습니다)"),
    "fear": ("gentle and steady, to help you feel safe", "마음이 놓이도록 부드럽고 차분한 곡입니다"),
    "angry": ("warm and steady, to help you settle", "마음이 가라앉도록 따뜻하고 차분한 곡입니다"),
}
MOURNING = {"Requiem: Lacrimosa", "Funeral March", "Dido's Lament (When I am laid in earth)"}


def small_sad_world() -> Catalogue:
    """Mourning works right on the sad point, melancholy ones near it, tender ones further away."""
    records = [TrackRecord(id=i, artist=f"Mourner {i}", valence=-0.63, arousal=-0.27, sensitive=True)
               for i in range(1, 6)]
    records += [TrackRecord(id=10 + i, artist=f"Melancholy {i}", valence=-0.5 + 0.02 * i, arousal=-0.3)
                for i in range(6)]
    records += [TrackRecord(id=20 + i, artist=f"Tender {i}", valence=0.1 + 0.05 * i, arousal=-0.3)
                for i in range(6)]
    records += [TrackRecord(id=30 + i, artist=f"Calm {i}", valence=0.45, arousal=-0.55 + 0.01 * i) for i in range(4)]
    return Catalogue.build(records, TAGS)


@pytest.mark.parametrize("emotion", ["sad", "fear", "angry"])
def test_a_hard_moment_never_gets_a_flagged_work_and_starts_consoling(emotion):
    catalogue = small_sad_world()
    for strategy in ("match", "lift", "calm"):
        picks = matching.recommend(catalogue, one_hot(emotion), strategy=strategy, n=10)
        assert not [p for p in picks if catalogue.sensitive[p.row]], strategy
    picks = matching.recommend(catalogue, one_hot(emotion), strategy="match", n=10)
    mood_valence = matching.mood_point(one_hot(emotion))[0]
    # The first three sit on the consoling side of the mood and say why, in plain words
    assert all(p.valence > mood_valence + 0.2 for p in picks[:3])
    assert picks[0].reason.code == f"care_{emotion}"
    assert picks[0].reasons["en"].endswith(CONSOLING_WORDS[emotion][0])
    assert picks[0].reasons["ko"].endswith(CONSOLING_WORDS[emotion][1])


def test_music_that_matches_my_sadness_exactly_allows_the_flagged_works_for_match_only():
    catalogue = small_sad_world()
    listener = Listener(match_sadness=True)
    picks = matching.recommend(catalogue, one_hot("sad"), strategy="match", n=5, listener=listener)
    assert catalogue.sensitive[picks[0].row]
    assert picks[0].reasons["en"].endswith("as sad as you feel, because you asked for that in your music settings")
    lift = matching.recommend(catalogue, one_hot("sad"), strategy="lift", n=6, listener=listener)
    assert not [p for p in lift if catalogue.sensitive[p.row]]


def test_a_lift_session_starts_consoling_and_rises():
    picks = matching.recommend(small_sad_world(), one_hot("sad"), strategy="lift", target="calm", n=5)
    assert picks[0].reasons["en"].endswith("starts gently, to comfort you")
    valences = [p.valence for p in picks]
    assert valences == sorted(valences) and valences[0] > -0.5


@pytest.fixture
def starter(db):
    call_command("load_starter_catalogue", verbosity=0)
    services.catalogue_forget()
    return services.catalogue()


def test_the_starter_catalogue_flags_its_works_about_death_mourning_and_war(starter):
    flagged = set(Track.objects.filter(sensitive_theme=True).values_list("title", flat=True))
    assert MOURNING | {"The Planets: Mars, the Bringer of War", "Åse's Death"} <= flagged
    assert "Clair de lune" not in flagged and "Air (Air on the G String)" not in flagged


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_for_each_of_the_seven_moods_the_top_ten_hold_no_flagged_work(starter, emotion):
    for strategy in ("match", "calm"):
        picks = matching.recommend(starter, one_hot(emotion), strategy=strategy, n=10)
        assert len(picks) == 10
        assert not [p for p in picks if starter.sensitive[p.row]], (emotion, strategy)
    session = matching.recommend(starter, one_hot(emotion), strategy="lift", n=6)
    assert not [p for p in session if starter.sensitive[p.row]]


def test_the_lonely_and_sad_entry_from_the_issue_gets_no_requiem(starter, member):
    entry = EntryFactory(owner=member, text="오늘은 너무 외롭고 슬펐다", self_mood="sad")
    stored = services.recommendations_compute(entry=entry)
    titles = [item.track.title for item in stored.items.order_by("position")]
    assert len(titles) == 10 and not MOURNING & set(titles)
    # The person who asks for it gets music that matches their sadness
    services.preference_set(user=member, languages=[], genres=[], match_sadness=True)
    stored = services.recommendations_compute(entry=entry)
    assert MOURNING & {item.track.title for item in stored.items.all()}


def test_the_data_migration_flags_an_existing_database(db):
    track = Track.objects.create(title="Requiem: Lacrimosa", artist="Wolfgang Amadeus Mozart")
    other = Track.objects.create(title="Clair de lune", artist="Claude Debussy")
    migration = importlib.import_module("music.migrations.0004_flag_sensitive_starter_works")
    migration.flag(django_apps, None)
    track.refresh_from_db()
    other.refresh_from_db()
    assert track.sensitive_theme and not other.sensitive_theme


def test_curators_filter_and_flag_in_bulk(curator_client, small_catalogue):
    response = action(curator_client, "flag_sensitive", small_catalogue[:2])
    assert response.status_code == 302
    assert Track.objects.filter(sensitive_theme=True).count() == 2
    page = curator_client.get(CHANGELIST + "?sensitive_theme__exact=1").content.decode()
    assert small_catalogue[0].title in page and small_catalogue[5].title not in page
    action(curator_client, "unflag_sensitive", small_catalogue[:1])
    assert Track.objects.filter(sensitive_theme=True).count() == 1


def test_a_member_cannot_flag(owner_client, small_catalogue):
    action(owner_client, "flag_sensitive", small_catalogue[:1])
    assert not Track.objects.filter(sensitive_theme=True).exists()


def test_the_flag_travels_through_import_and_export(db):
    data = json.dumps({"format": "moodsite-music-catalogue", "version": 1, "tracks": [
        {"title": "Lament", "artist": "Someone", "valence": -0.6, "arousal": -0.3, "sensitive_theme": True},
        {"title": "Song", "artist": "Someone", "valence": 0.6, "arousal": 0.3},
    ]}).encode()
    report = catalogue_import([("ours.json", data)])
    assert report.imported
    assert Track.objects.get(title="Lament").sensitive_theme and not Track.objects.get(title="Song").sensitive_theme
    exported = json.loads(exporting.export_json(Track.objects.order_by("title")))
    assert [t["sensitive_theme"] for t in exported["tracks"]] == [True, False]
    assert "sensitive_theme" in exporting.export_csv(Track.objects.all()).decode("utf-8-sig").splitlines()[0]


def test_the_music_setting_is_saved_from_the_preferences_page(owner_client, member, small_catalogue):
    page = owner_client.get(reverse("music:preferences")).content.decode()
    assert 'name="match_sadness"' in page and "Music that matches my sadness exactly" in page
    owner_client.post(reverse("music:preferences"), {"match_sadness": "on"})
    assert ListeningPreference.objects.get(user=member).match_sadness
    owner_client.post(reverse("music:preferences"), {})
    assert not ListeningPreference.objects.get(user=member).match_sadness
