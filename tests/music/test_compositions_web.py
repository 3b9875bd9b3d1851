"""Generated music where people meet it: the entry page, the status endpoint, the files, the API,
the Celery task, the data export and account deletion. Owner only, everywhere."""

import io
import json
import zipfile

import pytest
from django.core.files.storage import storages
from django.utils import translation
from rest_framework.test import APIClient

from accounts.services import user_data_export, user_delete
from inference.signals import analysis_done
from moodsite.emotions import CIRCUMPLEX
from music.compositions import render, services
from music.compositions.models import Composition
from music.compositions.tasks import compose_task
from tests.factories import EntryFactory

FAKE_OGG = b"OggS" + bytes(200)
FAKE_MIDI = b"MThd" + bytes(20)
FAKE_MP3 = b"ID3" + bytes(200)


@pytest.fixture
def fast_produce(monkeypatch):
    """Stands in for the synthesiser where a test is about the web, not the sound."""
    calls = []

    def produce(**kwargs):
        calls.append(kwargs)
        kwargs["progress"](0.5)
        calls.append(Composition.objects.values_list("progress", flat=True).order_by("-pk").first())
        return render.Produced(ogg=FAKE_OGG, mp3=FAKE_MP3, midi=FAKE_MIDI, params={"tempo_start": 80.0}, piece=None,
                               audio=None)

    monkeypatch.setattr(render, "produce", produce)
    return calls


@pytest.fixture
def sad_entry(member):
    return EntryFactory(owner=member, self_mood="sad")


@pytest.fixture
def piece(sad_entry, member, fast_produce, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        composition = services.composition_request(owner=member, entry=sad_entry, target="calm", duration_s=30)
    composition.refresh_from_db()
    return composition


def web_urls(composition):
    return [
        ("get", f"/music/compositions/{composition.pk}/status/"),
        ("get", f"/music/compositions/{composition.pk}/audio/"),
        ("get", f"/music/compositions/{composition.pk}/audio.mp3"),
        ("get", f"/music/compositions/{composition.pk}/midi/"),
        ("post", f"/music/compositions/{composition.pk}/regenerate/"),
        ("post", f"/music/compositions/{composition.pk}/feedback/"),
        ("post", f"/music/compositions/{composition.pk}/delete/"),
        ("post", f"/music/compositions/entries/{composition.entry_id}/compose/"),
    ]


def api_urls(composition):
    return [
        ("get", f"/api/v1/compositions/{composition.pk}/"),
        ("get", f"/api/v1/compositions/{composition.pk}/audio/"),
        ("get", f"/api/v1/compositions/{composition.pk}/audio.mp3"),
        ("get", f"/api/v1/compositions/{composition.pk}/midi/"),
        ("post", f"/api/v1/compositions/{composition.pk}/feedback/"),
        ("post", f"/api/v1/compositions/{composition.pk}/regenerate/"),
        ("delete", f"/api/v1/compositions/{composition.pk}/"),
        ("get", f"/api/v1/entries/{composition.entry_id}/compositions/"),
        ("post", f"/api/v1/entries/{composition.entry_id}/compositions/"),
    ]


def test_the_owner_composes_listens_and_downloads_a_real_piece(owner_client, sad_entry,
                                                                 django_capture_on_commit_callbacks):
    page = owner_client.get(f"/diary/{sad_entry.pk}/").content.decode()
    assert "Compose a piece for this mood" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/music/compositions/entries/{sad_entry.pk}/compose/",
                                     {"target": "calm", "duration_s": "30"})
    assert response.status_code == 302
    assert response["Location"] == f"/diary/{sad_entry.pk}/#compositions"
    composition = Composition.objects.get()
    assert (composition.status, composition.progress) == ("done", 100)
    assert (composition.start_emotion, composition.start_source) == ("sad", "self")
    assert (composition.target_valence, composition.target_arousal) == (0.6, -0.45)
    assert composition.params["mode_start"] == "minor" and composition.params["mode_end"] == "major"
    assert composition.params["loudness"]["loudness_lufs"] == pytest.approx(-16.0, abs=0.5)

    page = owner_client.get(f"/diary/{sad_entry.pk}/").content.decode()
    # the player offers Ogg Vorbis and, for browsers without it (older iPhones), MP3
    assert f'<source src="/music/compositions/{composition.pk}/audio/" type="audio/ogg; codecs=vorbis">' in page
    assert f'<source src="/music/compositions/{composition.pk}/audio.mp3" type="audio/mpeg">' in page
    mp3 = owner_client.get(f"/music/compositions/{composition.pk}/audio.mp3")
    mp3_body = b"".join(mp3.streaming_content)
    assert mp3["Content-Type"] == "audio/mpeg" and mp3["Cache-Control"] == "private, no-store"
    import soundfile  # libsndfile decodes MP3: the file is a real one, of the piece's length

    decoded, rate = soundfile.read(io.BytesIO(mp3_body))
    assert abs(len(decoded) / rate - 30) < 0.5
    assert f"/music/compositions/{composition.pk}/midi/" in page

    audio = owner_client.get(f"/music/compositions/{composition.pk}/audio/")
    body = b"".join(audio.streaming_content)
    assert audio["Content-Type"] == "audio/ogg" and body[:4] == b"OggS"
    assert audio["Cache-Control"] == "private, no-store"
    part = owner_client.get(f"/music/compositions/{composition.pk}/audio/", HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206 and part.content == body[10:20]
    assert part["Content-Range"] == f"bytes 10-19/{len(body)}"
    download = owner_client.get(f"/music/compositions/{composition.pk}/audio/?download=1")
    assert download["Content-Disposition"].startswith("attachment;")
    midi = owner_client.get(f"/music/compositions/{composition.pk}/midi/")
    assert midi["Content-Disposition"].startswith("attachment;")
    assert b"".join(midi.streaming_content)[:4] == b"MThd"

    status = owner_client.get(f"/music/compositions/{composition.pk}/status/").json()
    assert status["finished"] and status["progress"] == 100 and "<audio" in status["html"]


def test_a_piece_in_progress_shows_a_progress_bar_that_polls_the_status(owner_client, sad_entry, member):
    composition = services.composition_request(owner=member, entry=sad_entry, target="joyful", duration_s=60)
    page = owner_client.get(f"/diary/{sad_entry.pk}/").content.decode()
    assert f'data-status-url="/music/compositions/{composition.pk}/status/"' in page
    assert "<progress" in page and "compositions/compositions.js" in page
    status = owner_client.get(f"/music/compositions/{composition.pk}/status/").json()
    assert status == {"id": composition.pk, "status": "pending", "status_label": "Waiting",
                      "progress": 0, "finished": False}


def test_the_task_reports_progress_and_is_idempotent(sad_entry, member, fast_produce):
    composition = services.composition_request(owner=member, entry=sad_entry, target="calm", duration_s=30)
    assert compose_task(composition.pk) == "done"
    assert fast_produce[1] == 50  # progress was stored while it worked
    composition.refresh_from_db()
    assert (composition.status, composition.progress) == ("done", 100)
    names = (composition.audio.name, composition.midi.name)
    assert compose_task(composition.pk) == "skipped (done)"
    composition.refresh_from_db()
    assert (composition.audio.name, composition.midi.name) == names
    assert len(fast_produce) == 2  # made once
    assert compose_task(999_999) == "skipped (deleted)"


def test_a_running_piece_is_left_to_its_worker_unless_the_worker_died(sad_entry, member, fast_produce):
    composition = services.composition_request(owner=member, entry=sad_entry, target="calm", duration_s=30)
    Composition.objects.filter(pk=composition.pk).update(status="running")
    assert compose_task(composition.pk) == "skipped (running)"
    import datetime

    from django.utils import timezone

    Composition.objects.filter(pk=composition.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    assert compose_task(composition.pk) == "done"


def test_a_failure_is_shown_as_failed(sad_entry, member, monkeypatch, owner_client):
    def broken(**kwargs):
        raise RuntimeError("no sound today")

    monkeypatch.setattr(render, "produce", broken)
    composition = services.composition_request(owner=member, entry=sad_entry, target="calm", duration_s=30)
    assert compose_task(composition.pk) == "failed"
    composition.refresh_from_db()
    assert (composition.status, composition.error) == ("failed", "RuntimeError")
    assert "could not be made" in owner_client.get(f"/diary/{sad_entry.pk}/").content.decode()


def test_a_double_click_does_not_start_a_second_piece(sad_entry, member):
    first = services.composition_request(owner=member, entry=sad_entry, target="calm", duration_s=30)
    second = services.composition_request(owner=member, entry=sad_entry, target="joyful", duration_s=90)
    assert first == second and Composition.objects.count() == 1


def test_without_a_mood_it_explains_instead_of_composing(owner_client, member):
    entry = EntryFactory(owner=member, self_mood="")
    page = owner_client.get(f"/diary/{entry.pk}/").content.decode()
    assert "Say how you feel in this entry" in page
    response = owner_client.post(f"/music/compositions/entries/{entry.pk}/compose/",
                                 {"target": "calm", "duration_s": "30"}, follow=True)
    assert "Say how you feel in this entry first" in response.content.decode()
    assert not Composition.objects.exists()


def test_the_persons_own_mood_comes_before_the_analysis(sad_entry, member):
    # Given an entry the person marked "sad" that the analysis read as happy
    sad_entry.ai_emotion, sad_entry.ai_valence, sad_entry.ai_arousal = "happy", 0.7, 0.4
    sad_entry.ai_probabilities = {"happy": 0.9, "neutral": 0.1}
    sad_entry.save()
    # When a piece is asked for, then it is composed for the person's own word
    composition = services.composition_request(owner=member, entry=sad_entry, target="match", duration_s=30)
    assert (composition.start_source, composition.start_emotion) == ("self", "sad")
    assert (composition.start_valence, composition.start_arousal) == CIRCUMPLEX["sad"]


def test_without_the_persons_word_a_confident_analysis_sets_the_mood(member):
    entry = EntryFactory(owner=member, self_mood="", ai_emotion="happy", ai_valence=0.7, ai_arousal=0.4,
                         ai_probabilities={"happy": 0.9, "neutral": 0.1})
    composition = services.composition_request(owner=member, entry=entry, target="match", duration_s=30)
    assert (composition.start_source, composition.start_emotion) == ("ai", "happy")
    assert (composition.target_valence, composition.target_arousal) == (0.7, 0.4)


def test_like_dislike_is_recorded_and_can_be_taken_back(owner_client, piece):
    url = f"/music/compositions/{piece.pk}/feedback/"
    owner_client.post(url, {"feedback": "like"})
    piece.refresh_from_db()
    assert piece.feedback == "like" and piece.feedback_at is not None
    owner_client.post(url, {"feedback": "dislike"})
    piece.refresh_from_db()
    assert piece.feedback == "dislike"
    owner_client.post(url, {"feedback": "dislike"})  # the same button again
    piece.refresh_from_db()
    assert piece.feedback == "" and piece.feedback_at is None
    assert owner_client.post(url, {"feedback": "love"}).status_code == 302
    piece.refresh_from_db()
    assert piece.feedback == ""


def test_regenerate_makes_a_new_piece_with_a_new_seed(owner_client, piece, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/music/compositions/{piece.pk}/regenerate/")
    newest = Composition.objects.order_by("-pk").first()
    assert newest.pk != piece.pk and newest.seed != piece.seed
    assert (newest.target, newest.duration_s, newest.status) == (piece.target, piece.duration_s, "done")


def test_an_entry_keeps_its_five_newest_pieces_and_the_liked_ones(sad_entry, member, fast_produce,
                                                                   django_capture_on_commit_callbacks):
    made = []
    for _ in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            made.append(services.composition_request(owner=member, entry=sad_entry, target="calm", duration_s=30))
        if len(made) == 1:
            services.composition_feedback(composition=made[0], value="like")
    kept = set(Composition.objects.values_list("pk", flat=True))
    assert kept == {made[0].pk, *[c.pk for c in made[-5:]]}


def test_deleting_a_piece_removes_its_files(owner_client, piece):
    storage = storages["private"]
    names = [piece.audio.name, piece.audio_mp3.name, piece.midi.name]
    assert all(storage.exists(name) for name in names)
    owner_client.post(f"/music/compositions/{piece.pk}/delete/")
    assert not Composition.objects.exists()
    assert not any(storage.exists(name) for name in names)


def test_a_stranger_gets_404_everywhere(client, stranger, piece):
    client.force_login(stranger)
    for method, url in web_urls(piece):
        assert getattr(client, method)(url, {"target": "calm", "duration_s": "30"} if method == "post" else None
                                       ).status_code == 404, url
    api = APIClient()
    api.force_authenticate(stranger)
    for method, url in api_urls(piece):
        assert getattr(api, method)(url, format="json").status_code == 404, url
    assert Composition.objects.count() == 1
    assert "Compose a piece" not in client.get("/diary/").content.decode()


def test_anonymous_visitors_go_to_login(client, piece):
    for method, url in web_urls(piece):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    for method, url in api_urls(piece):
        assert getattr(APIClient(), method)(url).status_code in (401, 403), url


def test_the_api_composes_and_reports(member, sad_entry, fast_produce, django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(member)
    url = f"/api/v1/entries/{sad_entry.pk}/compositions/"
    assert api.post(url, {"target": "calm", "duration_s": 10}, format="json").status_code == 400
    assert api.post(url, {"target": "sleepy"}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(url, {"target": "energised", "duration_s": 45}, format="json")
    assert created.status_code == 202, created.content
    body = created.json()
    assert body["target"] == "energised" and body["duration_s"] == 45
    assert body["start"] == {"source": "self", "emotion": "sad", "valence": -0.63, "arousal": -0.27}
    detail = api.get(f"/api/v1/compositions/{body['id']}/").json()
    assert detail["status"] == "done" and detail["progress"] == 100
    assert detail["audio_url"].endswith(f"/api/v1/compositions/{body['id']}/audio/")
    assert b"".join(api.get(detail["audio_url"]).streaming_content) == FAKE_OGG
    assert b"".join(api.get(detail["midi_url"]).streaming_content) == FAKE_MIDI
    assert api.get(url).json()["count"] == 1
    liked = api.post(f"/api/v1/compositions/{body['id']}/feedback/", {"feedback": "like"}, format="json")
    assert liked.json()["feedback"] == "like"
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(f"/api/v1/compositions/{body['id']}/regenerate/", format="json")
    assert again.status_code == 202 and again.json()["id"] != body["id"]
    assert api.delete(f"/api/v1/compositions/{body['id']}/").status_code == 204


def test_pieces_are_in_the_data_export_and_go_with_the_account(member, piece):
    archive = zipfile.ZipFile(io.BytesIO(user_data_export(user=member)))
    data = json.loads(archive.read("data.json"))
    [exported] = data["compositions"]
    assert exported["id"] == piece.pk and exported["target"] == "calm"
    assert archive.read(exported["audio"]) == FAKE_OGG
    assert archive.read(exported["midi"]) == FAKE_MIDI
    storage = storages["private"]
    names = [piece.audio.name, piece.audio_mp3.name, piece.midi.name]
    user_delete(user=member)
    assert not Composition.objects.exists()
    assert not any(storage.exists(name) for name in names)


def test_a_piece_is_composed_after_each_analysis_when_the_setting_is_on(settings, sad_entry, fast_produce,
                                                                        django_capture_on_commit_callbacks):
    settings.COMPOSE_AFTER_ANALYSIS = False
    analysis_done.send(sender=None, entry_id=sad_entry.pk, status="done")
    assert not Composition.objects.exists()
    settings.COMPOSE_AFTER_ANALYSIS = True
    # (an entry without the person's own choice, so the reading sets its mood)
    sad_entry.self_mood = ""
    sad_entry.ai_emotion, sad_entry.ai_valence, sad_entry.ai_arousal = "fear", -0.6, 0.5
    sad_entry.ai_probabilities = {"fear": 0.8, "sad": 0.2}
    sad_entry.save()
    with django_capture_on_commit_callbacks(execute=True):
        analysis_done.send(sender=None, entry_id=sad_entry.pk, status="done")
    composition = Composition.objects.get()
    assert (composition.origin, composition.target, composition.status) == ("automatic", "calm", "done")
    assert (composition.start_valence, composition.start_arousal) == (-0.6, 0.5)
    analysis_done.send(sender=None, entry_id=sad_entry.pk, status="done")  # same reading again
    assert Composition.objects.count() == 1


def test_the_section_is_translated_into_korean(owner_client, member, sad_entry):
    member.language = "ko"
    member.save()
    services.composition_request(owner=member, entry=sad_entry, target="calm", duration_s=30)
    with translation.override("en"):  # the middleware leaves Korean active after the request
        page = owner_client.get(f"/diary/{sad_entry.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "이 기분을 위한 곡 만들기" in page
    assert "슬픔에서 차분하게" in page and "대기 중" in page


def test_a_daily_allowance_keeps_one_person_from_hogging_the_workers(settings, member, sad_entry, fast_produce,
                                                                      django_capture_on_commit_callbacks):
    settings.COMPOSITIONS_PER_DAY = 1
    with django_capture_on_commit_callbacks(execute=True):
        services.composition_request(owner=member, entry=sad_entry, target="calm", duration_s=30)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="many pieces today"):
        services.composition_request(owner=member, entry=sad_entry, target="calm", duration_s=30)
