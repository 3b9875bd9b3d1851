"""Listening pages: the entry page's music, a lift session, feedback, preferences."""

import pytest
from django.urls import reverse

from inference.signals import analysis_done
from music import services
from music.models import Feedback, ListeningPreference, RecommendationSet
from tests.factories import EntryFactory
from tests.music.conftest import make_track


@pytest.fixture
def sad_entry(member, small_catalogue):
    return EntryFactory(owner=member, self_mood="sad")


def test_entry_page_shows_recommendations_with_reasons(owner_client, sad_entry):
    response = owner_client.get(reverse("diary:entry_detail", args=[sad_entry.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Music for this moment" in html
    assert "Sad one" in html and "close to how you feel" in html
    assert reverse("music:session", args=[sad_entry.pk, "calm"]) in html
    assert RecommendationSet.objects.filter(entry=sad_entry).count() == 1


def test_entry_without_mood_invites_a_self_report(owner_client, member, small_catalogue):
    entry = EntryFactory(owner=member, self_mood="")
    html = owner_client.get(reverse("diary:entry_detail", args=[entry.pk])).content.decode()
    assert "Say how you feel in this entry" in html
    assert not RecommendationSet.objects.exists()


def test_analysis_done_stores_the_default_recommendations(django_capture_on_commit_callbacks, sad_entry):
    with django_capture_on_commit_callbacks(execute=True):
        analysis_done.send(sender=None, entry_id=sad_entry.pk, status="done")
    stored = RecommendationSet.objects.get(entry=sad_entry)
    assert stored.strategy == "match" and stored.items.count() == 10
    # Idempotent: the same analysis again replaces the set, it does not add one.
    with django_capture_on_commit_callbacks(execute=True):
        analysis_done.send(sender=None, entry_id=sad_entry.pk, status="done")
    assert RecommendationSet.objects.filter(entry=sad_entry).count() == 1


def test_stored_recommendations_follow_a_changed_mood(owner_client, sad_entry):
    owner_client.get(reverse("diary:entry_detail", args=[sad_entry.pk]))
    sad_entry.self_mood = "happy"
    sad_entry.save()
    html = owner_client.get(reverse("diary:entry_detail", args=[sad_entry.pk])).content.decode()
    assert "Happy one" in html or "Happy two" in html
    assert RecommendationSet.objects.get(entry=sad_entry).mood_emotion == "happy"


def test_session_page_plays_in_order(owner_client, sad_entry, small_catalogue):
    embeddable = small_catalogue[12]  # "Middle two": a sad mood's session starts here, consoling
    embeddable.youtube_url = "https://www.youtube.com/watch?v=abcdefghijk"
    embeddable.save()
    url = reverse("music:session", args=[sad_entry.pk, "calm"])
    html = owner_client.get(url).content.decode()
    assert "Step 1 of 6" in html and "starts gently, to comfort you" in html
    stored = RecommendationSet.objects.get(entry=sad_entry, strategy="lift", target="calm")
    items = list(stored.items.order_by("position"))
    # The first step: a click-to-play placeholder for the embeddable video (no request to YouTube yet).
    assert items[0].track_id == embeddable.pk
    assert "youtube-nocookie.com/embed/abcdefghijk" not in html
    play = owner_client.post(reverse("music:play", args=[items[0].pk]), {"next": url + "?step=0&play=1"})
    assert play.status_code == 302
    html = owner_client.get(play["Location"]).content.decode()
    assert "youtube-nocookie.com/embed/abcdefghijk?autoplay=1" in html
    # Skip moves on to the next step and is recorded.
    response = owner_client.post(reverse("music:feedback"), {
        "track": items[0].track_id, "entry": sad_entry.pk, "action": "skip", "next": url + "?step=1#step-1"})
    assert response.status_code == 302 and response["Location"].endswith("?step=1#step-1")
    html = owner_client.get(url + "?step=1").content.decode()
    assert 'id="step-1" aria-current="step"' in html
    assert Feedback.objects.filter(action="skip", track_id=items[0].track_id).exists()
    # Reading the session again does not change it.
    assert [i.track_id for i in RecommendationSet.objects.get(pk=stored.pk).items.order_by("position")] == [
        i.track_id for i in items]


def test_play_records_and_opens_the_link(owner_client, member, sad_entry):
    stored = services.recommendations_get(entry=sad_entry)
    item = stored.items.order_by("position").first()
    item.track.link_url = "https://en.wikipedia.org/wiki/Example"
    item.track.save()
    response = owner_client.post(reverse("music:play", args=[item.pk]))
    assert response.status_code == 302 and response["Location"] == "https://en.wikipedia.org/wiki/Example"
    assert Feedback.objects.filter(user=member, action="play", entry=sad_entry).count() == 1


def test_strangers_cannot_use_someone_elses_entry_or_items(stranger_client, sad_entry):
    assert stranger_client.get(reverse("music:session", args=[sad_entry.pk, "calm"])).status_code == 404
    item = services.recommendations_get(entry=sad_entry).items.first()
    assert stranger_client.post(reverse("music:play", args=[item.pk])).status_code == 404
    response = stranger_client.post(reverse("music:feedback"),
                                    {"track": item.track_id, "entry": sad_entry.pk, "action": "like"})
    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_pages_need_a_sign_in(client, sad_entry):
    for url in (reverse("music:home"), reverse("music:preferences"),
                reverse("music:session", args=[sad_entry.pk, "calm"])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_unknown_target_is_404(owner_client, sad_entry):
    assert owner_client.get(reverse("music:session", args=[sad_entry.pk, "sleepy"])).status_code == 404


def test_feedback_next_must_stay_on_the_site(owner_client, small_catalogue):
    response = owner_client.post(reverse("music:feedback"), {
        "track": small_catalogue[0].pk, "action": "like", "next": "https://evil.example/"})
    assert response["Location"] == reverse("music:home")


def test_preferences_page(owner_client, member, small_catalogue):
    make_track("Arirang", "Traditional", valence=0.0, arousal=-0.3, language="ko", genre="korean traditional")
    make_track("Song", "Singer", valence=0.3, arousal=0.3, language="en", genre="pop")
    html = owner_client.get(reverse("music:preferences")).content.decode()
    assert "Korean" in html and "korean traditional" in html
    response = owner_client.post(reverse("music:preferences"), {"languages": ["ko"], "genres": ["korean traditional"]})
    assert response.status_code == 302
    preference = ListeningPreference.objects.get(user=member)
    assert (preference.languages, preference.genres) == (["ko"], ["korean traditional"])
    listener = services.listener_for(user=member)
    assert listener.languages == {"ko"} and listener.genres == {"korean traditional"}
    bad = owner_client.post(reverse("music:preferences"), {"languages": ["xx"]})
    assert bad.status_code == 200 and ListeningPreference.objects.get(user=member).languages == ["ko"]


def test_my_music_page_lists_likes(owner_client, member, small_catalogue):
    services.feedback_record(user=member, track=small_catalogue[3], action="like")
    html = owner_client.get(reverse("music:home")).content.decode()
    assert "Happy one" in html


def test_entry_page_in_korean_gives_korean_reasons(owner_client, member, sad_entry):
    member.language = "ko"
    member.save()
    html = owner_client.get(reverse("diary:entry_detail", args=[sad_entry.pk])).content.decode()
    assert "지금 기분과 가깝습니다" in html and "close to how you feel" not in html


def test_bad_feedback_input_is_not_an_error_page(owner_client, sad_entry, small_catalogue):
    assert owner_client.post(reverse("music:feedback"), {"track": "abc", "action": "like"}).status_code == 404
    response = owner_client.post(reverse("music:feedback"), {"track": small_catalogue[0].pk, "action": "love"})
    assert response.status_code == 302 and not Feedback.objects.exists()
    item = services.recommendations_get(entry=sad_entry).items.first()
    item.track.is_active = False
    item.track.save()
    assert owner_client.post(reverse("music:play", args=[item.pk])).status_code == 302
    assert not Feedback.objects.exists()
