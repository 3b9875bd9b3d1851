"""Reasons are stored as a code and parameters and put into words in the reader's language; the
sentences stored before that are turned into codes by music migration 0006."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from music import services
from music.models import MoodTag, Recommendation
from tests.factories import EntryFactory, UserFactory
from tests.music.conftest import make_track

conversion = importlib.import_module("music.migrations.0006_reasons_to_codes")
BEFORE = [("music", "0004_flag_sensitive_starter_works")]
AFTER = [("music", "0007_remove_recommendation_reason_en_ko")]
TAGS = {"calm": [("calm", "Calm", "잔잔한")], "happy": [("happy", "Happy", "행복한")]}


def test_it_shows_one_stored_reason_in_english_and_in_korean(member):
    # Given a calm track and an entry that feels calm
    make_track("Gymnopédie No. 1", "Satie", tags=["Calm"], tempo_bpm=68, mode="major")
    entry = EntryFactory(owner=member, self_mood="neutral")
    # When its recommendations are stored
    services.recommendations_compute(entry=entry, strategy="calm")
    item = Recommendation.objects.get()
    # Then the row holds a code and parameters, and no sentence in any language
    assert (item.reason_code, item.reason_params) == ("calm", {"tag": "calm", "mode": "major", "tempo": 68})
    # And the same row reads in the language of whoever looks at it
    with translation.override("en"):
        assert item.reason == "calm, major key, 68 BPM — to help you settle"
    with translation.override("ko"):
        assert item.reason == "잔잔한, 장조, 68 BPM — 마음을 가라앉히는 데 도움이 됩니다"
    assert item.reasons == {"en": "calm, major key, 68 BPM — to help you settle",
                            "ko": "잔잔한, 장조, 68 BPM — 마음을 가라앉히는 데 도움이 됩니다"}


def test_it_shows_a_curators_new_tag_name_in_reasons_offered_earlier(member):
    # Given a stored reason that speaks of the "Calm" tag
    make_track("Gymnopédie No. 1", "Satie", tags=["Calm"], tempo_bpm=68, mode="major")
    services.recommendations_compute(entry=EntryFactory(owner=member, self_mood="neutral"), strategy="calm")
    # When a curator renames the tag in Korean
    MoodTag.objects.filter(slug="calm").update(name_ko="고요한")
    # Then the reason offered earlier uses the new name: no data migration for a fixed word
    with translation.override("ko"):
        assert Recommendation.objects.get().reason.startswith("고요한, 장조")


@pytest.mark.parametrize(("reason_en", "reason_ko", "expected"), [
    ("calm, major key, 68 BPM — close to how you feel", "잔잔한, 장조, 68 BPM — 지금 기분과 가까워요",
     ("match", {"tag": "calm", "mode": "major", "tempo": 68})),
    ("happy, minor key — a step towards joy; you liked it before",
     "행복한, 단조 — 기쁨 쪽으로 한 걸음; 전에 좋아하신 곡",
     ("lift_step", {"tag": "happy", "mode": "minor", "target": "joyful", "note": "liked"})),
    ("120 BPM — gentle and consoling, to keep you company (not music about loss)",
     "120 BPM — 곁에 있어 주는 부드럽고 위로가 되는 곡이에요 (이별과 죽음을 다룬 곡은 고르지 않았어요)",
     ("care_sad", {"tempo": 120})),
    ("arrives at energy; by an artist you like", "활력에 다다라요; 좋아하시는 음악가",
     ("lift_end", {"target": "energised", "note": "liked_artist"})),
])
def test_it_reads_stored_sentences_back_into_codes(reason_en, reason_ko, expected):
    assert conversion.to_code(reason_en, reason_ko, TAGS) == expected
    # And writing them again with the words of the time gives the same sentences (migrating back)
    code, params = expected
    assert conversion.to_sentences(code, params, {"calm": ("Calm", "잔잔한"), "happy": ("Happy", "행복한")}) == (
        reason_en, reason_ko)


@pytest.mark.parametrize(("reason_en", "reason_ko"), [
    ("sleepy, major key — close to how you feel", "졸린, 장조 — 지금 기분과 가까워요"),  # a tag deleted since
    ("calm — close to how you feel", "고요한 — 지금 기분과 가까워요"),  # its Korean name changed since
    ("calm — something we never wrote", "잔잔한 — 우리가 쓴 적 없는 말"),
    ("", ""),
])
def test_it_keeps_sentences_it_cannot_read_back_as_they_were(reason_en, reason_ko):
    assert conversion.to_code(reason_en, reason_ko, TAGS) == ("text", {"en": reason_en, "ko": reason_ko})


@pytest.mark.django_db(transaction=True)
def test_it_migrates_stored_sentences_to_codes_and_back():
    owner = UserFactory()
    executor = MigrationExecutor(connection)
    try:
        # Given recommendations stored as sentences, before migration 0005
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        # (a transactional test may find the tables flushed of the vocabulary migration 0002 wrote)
        old.get_model("music", "MoodTag").objects.update_or_create(
            slug="calm", defaults={"name_en": "Calm", "name_ko": "잔잔한", "valence": 0.4, "arousal": -0.6})
        Track = old.get_model("music", "Track")
        RecommendationSet = old.get_model("music", "RecommendationSet")
        OldRecommendation = old.get_model("music", "Recommendation")
        track = Track.objects.create(title="Gymnopédie No. 1", artist="Satie", match_key="satie")
        stored = RecommendationSet.objects.create(owner_id=owner.pk, strategy="match")
        sentences = [
            ("calm, major key, 68 BPM — close to how you feel", "잔잔한, 장조, 68 BPM — 지금 기분과 가까워요"),
            ("written by hand", "손으로 쓴 말"),
        ]
        for position, (reason_en, reason_ko) in enumerate(sentences):
            OldRecommendation.objects.create(recommendation_set=stored, track=track, position=position, score=1.0,
                                             reason_en=reason_en, reason_ko=reason_ko)
        # When the migrations run
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        # Then the first is a code in today's words, the second keeps its two sentences
        first, second = Recommendation.objects.order_by("position")
        assert (first.reason_code, first.reason_params) == ("match", {"tag": "calm", "mode": "major", "tempo": 68})
        with translation.override("ko"):
            assert first.reason == "잔잔한, 장조, 68 BPM — 지금 기분과 가깝습니다"
            assert second.reason == "손으로 쓴 말"
        with translation.override("en"):
            assert (first.reason, second.reason) == ("calm, major key, 68 BPM — close to how you feel",
                                                     "written by hand")
        # And migrating back writes the sentences as they were
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        rows = old.get_model("music", "Recommendation").objects.order_by("position").values_list(
            "reason_en", "reason_ko")
        assert list(rows) == sentences
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
