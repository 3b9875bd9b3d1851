"""The music API: recommendations, feedback and tracks; owner, stranger and anonymous."""

import pytest
from rest_framework.test import APIClient

from music.models import Feedback, RecommendationSet
from tests.factories import EntryFactory

URL = "/api/v1/recommendations/"


@pytest.fixture
def api(member):
    client = APIClient()
    client.force_authenticate(member)
    return client


@pytest.fixture
def stranger_api(stranger):
    client = APIClient()
    client.force_authenticate(stranger)
    return client


@pytest.fixture
def sad_entry(member, small_catalogue):
    return EntryFactory(owner=member, self_mood="sad")


def test_owner_gets_match_recommendations_with_reasons(api, sad_entry):
    response = api.get(URL, {"entry": sad_entry.pk})
    assert response.status_code == 200
    data = response.json()
    assert data["strategy"] == "match" and data["mood"]["emotion"] == "sad" and data["mood"]["source"] == "self"
    assert len(data["items"]) == 10
    # A sad mood: the first three are tender and consoling, the rest meet the mood
    first = data["items"][0]
    assert not first["track"]["title"].startswith("Sad") and first["track"]["valence"] > -0.3
    assert first["reason"].endswith("gentle and consoling, to keep you company (not music about loss)")
    assert first["reasons"]["ko"].endswith("(이별과 죽음을 다룬 곡은 고르지 않았습니다)")
    fourth = data["items"][3]
    assert fourth["track"]["title"].startswith("Sad") and fourth["reason"].endswith("close to how you feel")
    assert fourth["reasons"]["ko"].endswith("지금 기분과 가깝습니다")
    # Stored, so that the entry page and the next call read it.
    assert RecommendationSet.objects.filter(entry=sad_entry, strategy="match").count() == 1
    again = api.get(URL, {"entry": sad_entry.pk}).json()
    assert [i["track"]["id"] for i in again["items"]] == [i["track"]["id"] for i in data["items"]]


def test_lift_session_to_calm(api, sad_entry):
    data = api.get(URL, {"entry": sad_entry.pk, "strategy": "lift", "target": "calm", "n": 5}).json()
    assert data["target"] == "calm" and len(data["items"]) == 5
    valences = [i["track"]["valence"] for i in data["items"]]
    assert valences == sorted(valences)
    # A sad mood: it starts consoling (not on the saddest tracks) and arrives at calm
    assert -0.3 < data["items"][0]["track"]["valence"] < data["items"][-1]["track"]["valence"]
    assert data["items"][0]["reason"].endswith("starts gently, to comfort you")


def test_korean_reasons_follow_the_language(member, sad_entry):
    member.language = "ko"
    member.save()
    client = APIClient()
    client.force_authenticate(member)
    response = client.get(URL, {"entry": sad_entry.pk, "strategy": "calm"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.json()["items"][0]["reason"].endswith("마음을 가라앉히는 데 도움이 됩니다")


def test_stranger_gets_404_and_anonymous_is_refused(api, stranger_api, sad_entry):
    assert stranger_api.get(URL, {"entry": sad_entry.pk}).status_code == 404
    assert APIClient().get(URL, {"entry": sad_entry.pk}).status_code in (401, 403)
    assert not RecommendationSet.objects.exists()


def test_bad_parameters(api, sad_entry):
    assert api.get(URL).status_code == 400
    assert api.get(URL, {"entry": sad_entry.pk, "strategy": "shuffle"}).status_code == 400
    assert api.get(URL, {"entry": sad_entry.pk, "strategy": "lift", "target": "sleepy"}).status_code == 400
    assert api.get(URL, {"entry": "abc"}).status_code == 400


def test_entry_without_a_mood_gets_no_items(api, member, small_catalogue):
    entry = EntryFactory(owner=member, self_mood="")
    data = api.get(URL, {"entry": entry.pk}).json()
    assert data["mood"] is None and data["items"] == []


def test_feedback_is_recorded_for_the_owner_only(api, stranger_api, member, stranger, sad_entry, small_catalogue):
    track = small_catalogue[0]
    response = api.post("/api/v1/feedback/", {"track": track.pk, "action": "like", "entry": sad_entry.pk},
                        format="json")
    assert response.status_code == 201, response.content
    assert Feedback.objects.get().user == member
    # A stranger cannot attach feedback to someone else's entry…
    response = stranger_api.post("/api/v1/feedback/", {"track": track.pk, "action": "like", "entry": sad_entry.pk},
                                 format="json")
    assert response.status_code == 400
    # …sees only their own feedback…
    assert stranger_api.get("/api/v1/feedback/").json()["count"] == 0
    assert api.get("/api/v1/feedback/").json()["count"] == 1
    # …and anonymous people nothing at all.
    assert APIClient().post("/api/v1/feedback/", {"track": track.pk, "action": "like"}).status_code in (401, 403)
    bad = api.post("/api/v1/feedback/", {"track": track.pk, "action": "love"}, format="json")
    assert bad.status_code == 400


def test_feedback_changes_the_next_recommendations(api, sad_entry, small_catalogue):
    first = api.get(URL, {"entry": sad_entry.pk}).json()["items"][0]["track"]["id"]
    api.post("/api/v1/feedback/", {"track": first, "action": "dislike", "entry": sad_entry.pk}, format="json")
    items = api.get(URL, {"entry": sad_entry.pk, "fresh": "true"}).json()["items"]
    assert items[0]["track"]["id"] != first


def test_tracks_are_read_only_and_only_active(api, small_catalogue):
    small_catalogue[0].is_active = False
    small_catalogue[0].save()
    data = api.get("/api/v1/tracks/").json()
    assert data["count"] == len(small_catalogue) - 1
    assert api.get("/api/v1/tracks/", {"q": "Happy"}).json()["count"] == 3
    assert api.get(f"/api/v1/tracks/{small_catalogue[0].pk}/").status_code == 404
    assert api.post("/api/v1/tracks/", {"title": "x", "artist": "y"}).status_code == 405
    assert api.delete(f"/api/v1/tracks/{small_catalogue[1].pk}/").status_code == 405
    assert APIClient().get("/api/v1/tracks/").status_code in (401, 403)
