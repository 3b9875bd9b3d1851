"""The analysis on the entry page and in the API: the owner sees and corrects it; nobody else can."""

import pytest
from django.test import Client

from inference import pipeline, reasons
from inference.models import AnalysisJob, Correction
from moodsite.emotions import EMOTIONS
from tests.factories import EntryFactory
from tests.inference.conftest import BLUE, GREEN, entry_with_photo

Status = AnalysisJob.Status


@pytest.fixture
def read_entry(member, scripted_models):
    entry = entry_with_photo(member, colour=GREEN)
    pipeline.batch_run(size=4, max_wait=0)
    return entry


@pytest.fixture
def failed_entry(member, scripted_models):
    entry = entry_with_photo(member, colour=GREEN)
    entry.photo.storage.delete(entry.photo.name)
    pipeline.batch_run(size=4, max_wait=0)
    assert AnalysisJob.objects.get(entry=entry).status == Status.FAILED
    return entry


# --- Who may do what -----------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/analysis/entries/{id}/", {}),
    ("get", "/analysis/entries/{id}/status/", {}),
    ("post", "/analysis/entries/{id}/retry/", {}),
    ("post", "/analysis/entries/{id}/correction/", {"emotion": "sad"}),
    ("get", "/api/v1/entries/{id}/analysis/", {}),
    ("post", "/api/v1/entries/{id}/analysis/retry/", {}),
    ("post", "/api/v1/entries/{id}/analysis/correction/", {"emotion": "sad"}),
    ("delete", "/api/v1/entries/{id}/analysis/correction/", {}),
]


@pytest.mark.parametrize(("method", "url", "data"), ENDPOINTS, ids=[f"{m} {u}" for m, u, _ in ENDPOINTS])
def test_a_stranger_gets_404_and_changes_nothing(stranger_client, failed_entry, method, url, data):
    before = list(AnalysisJob.objects.values_list("status", "requested_at"))
    response = getattr(stranger_client, method)(url.format(id=failed_entry.pk), data)
    assert response.status_code == 404
    assert list(AnalysisJob.objects.values_list("status", "requested_at")) == before
    assert not Correction.objects.exists()


@pytest.mark.parametrize(("method", "url", "data"), ENDPOINTS, ids=[f"{m} {u}" for m, u, _ in ENDPOINTS])
def test_an_anonymous_visitor_is_refused(db, failed_entry, method, url, data):
    response = getattr(Client(), method)(url.format(id=failed_entry.pk), data)
    if url.startswith("/api/"):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert AnalysisJob.objects.get(entry=failed_entry).status == Status.FAILED


def test_html_posts_refuse_get(owner_client, failed_entry):
    assert owner_client.get(f"/analysis/entries/{failed_entry.pk}/retry/").status_code == 405
    assert owner_client.get(f"/analysis/entries/{failed_entry.pk}/correction/").status_code == 405


# --- The entry page ------------------------------------------------------------------------------


def test_the_page_shows_the_reading_with_a_bar_chart_that_has_text_values(owner_client, read_entry):
    page = owner_client.get(f"/diary/{read_entry.pk}/").content.decode()
    assert "How this entry reads" in page
    # confidence in words (70% is "maybe"), the percentages behind a details disclosure
    assert "This entry may read as <strong>happy</strong>, but I am not sure." in page
    assert "70% sure" not in page
    assert "Read from the face." in page
    assert '<details class="analysis-details">' in page
    # the chart is a table with a caption and a written value for each of the seven emotions
    assert "<caption>How likely each of the seven emotions is, in percent" in page
    for label in ("angry", "disgusted", "anxious", "happy", "sad", "surprised", "neutral"):
        assert f"</span> {label}</th>" in page
    assert '<span class="analysis-value">70%</span>' in page
    assert "not a diagnosis" in page
    assert "Is this right?" in page and "Yes, I feel happy" in page and "No — pick another" in page
    assert "data-poll-url" not in page


def test_a_waiting_entry_says_queued_and_polls(owner_client, member, scripted_models):
    entry = entry_with_photo(member)
    page = owner_client.get(f"/diary/{entry.pk}/").content.decode()
    assert "Reading your entry…" in page and "updates by itself" in page
    assert f'data-poll-url="/analysis/entries/{entry.pk}/status/"' in page
    assert "inference/analysis.js" in page
    status = owner_client.get(f"/analysis/entries/{entry.pk}/status/").json()
    assert status == {"status": "pending", "status_label": "queued", "final": False,
                      "announcement": "Your entry is queued to be read."}
    # once read, the status says so and the section shows the reading
    pipeline.batch_run(size=4, max_wait=0)
    status = owner_client.get(f"/analysis/entries/{entry.pk}/status/").json()
    assert status["status"] == "done" and status["final"] is True
    section = owner_client.get(f"/analysis/entries/{entry.pk}/").content.decode()
    assert section.lstrip().startswith("<section") and "This entry may read as" in section


def test_a_running_entry_says_analysing(owner_client, member, scripted_models):
    entry = entry_with_photo(member)
    pipeline.batch_claim(size=4)
    assert "Reading your entry…" in owner_client.get(f"/diary/{entry.pk}/").content.decode()


def test_no_face_is_said_in_plain_words(owner_client, member, scripted_models):
    entry = entry_with_photo(member, colour=BLUE)
    pipeline.batch_run(size=4, max_wait=0)
    page = owner_client.get(f"/diary/{entry.pk}/").content.decode()
    assert "No face found." in page and "We could not find a face in this photo." in page


def test_the_retry_button_reads_a_failed_entry_again(owner_client, failed_entry, scripted_models,
                                                     django_capture_on_commit_callbacks):
    page = owner_client.get(f"/diary/{failed_entry.pk}/").content.decode()
    assert "We could not read this entry." in page and "could not be found" in page
    assert f'action="/analysis/entries/{failed_entry.pk}/retry/"' in page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = owner_client.post(f"/analysis/entries/{failed_entry.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == f"/diary/{failed_entry.pk}/"
    job = AnalysisJob.objects.get(entry=failed_entry)
    assert job.status == Status.PENDING and job.reason == "" and job.attempts == 0
    assert len(callbacks) == 1


def test_retry_is_refused_for_an_entry_that_did_not_fail(owner_client, read_entry):
    response = owner_client.post(f"/analysis/entries/{read_entry.pk}/retry/", follow=True)
    assert "not waiting for a retry" in response.content.decode()
    assert AnalysisJob.objects.get(entry=read_entry).status == Status.DONE


def test_the_person_can_say_how_they_really_feel(owner_client, read_entry):
    url = f"/analysis/entries/{read_entry.pk}/correction/"
    response = owner_client.post(url, {"emotion": "sad"}, follow=True)
    page = response.content.decode()
    assert "We noted how you feel" in page
    assert "You said you feel <strong>sad</strong>" in page
    correction = Correction.objects.get(entry=read_entry)
    assert (correction.predicted_emotion, correction.corrected_emotion) == ("happy", "sad")
    assert correction.kind == "corrected" and correction.predicted_confidence == pytest.approx(0.7)
    assert correction.predicted_face_emotion == "happy" and correction.predicted_source == "face"
    assert correction.model_key == "face:scripted-face@1.0"
    # changing their mind updates the same correction
    owner_client.post(f"/analysis/entries/{read_entry.pk}/correction/", {"emotion": "fear"})
    assert Correction.objects.get(entry=read_entry).corrected_emotion == "fear"


def test_a_correction_needs_one_of_the_seven_emotions(owner_client, read_entry):
    url = f"/analysis/entries/{read_entry.pk}/correction/"
    response = owner_client.post(url, {"emotion": "meh"}, follow=True)
    assert "Please choose one of the seven emotions." in response.content.decode()
    assert not Correction.objects.exists()


# --- The API -------------------------------------------------------------------------------------


def test_the_api_gives_the_reading_face_text_and_combined(owner_client, read_entry):
    data = owner_client.get(f"/api/v1/entries/{read_entry.pk}/analysis/").json()
    assert data["status"] == "done" and data["final"] is True and data["attempts"] == 1
    reading = data["reading"]
    assert reading["emotion"] == "happy" and reading["source"] == "face"
    assert list(reading["probabilities"]) == list(EMOTIONS)
    assert reading["face"]["found"] is True and reading["face"]["box"] == [1, 2, 30, 40]
    assert reading["text"] is None
    assert reading["model"] == "face:scripted-face@1.0"
    assert "not a diagnosis" in data["disclaimer"]
    assert data["links"]["correction"] == f"/api/v1/entries/{read_entry.pk}/analysis/correction/"


def test_the_api_for_an_entry_never_read(owner_client, member):
    entry = EntryFactory(owner=member)
    data = owner_client.get(f"/api/v1/entries/{entry.pk}/analysis/").json()
    assert data["status"] == "none" and data["reading"] is None and data["requested_at"] is None


def test_the_api_correction_and_its_withdrawal(owner_client, read_entry):
    url = f"/api/v1/entries/{read_entry.pk}/analysis/correction/"
    response = owner_client.post(url, {"emotion": "surprise"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["correction"]["emotion"] == "surprise"
    assert response.json()["correction"]["predicted_emotion"] == "happy"
    assert owner_client.post(url, {"emotion": "bored"}, content_type="application/json").status_code == 400
    assert owner_client.delete(url).status_code == 204
    assert not Correction.objects.exists()


def test_the_api_refuses_a_correction_before_there_is_a_reading(owner_client, member, scripted_models):
    entry = entry_with_photo(member)
    response = owner_client.post(f"/api/v1/entries/{entry.pk}/analysis/correction/", {"emotion": "sad"},
                                 content_type="application/json")
    assert response.status_code == 409 and "no reading to correct" in response.json()["detail"]


def test_the_api_retry(owner_client, failed_entry, read_entry):
    response = owner_client.post(f"/api/v1/entries/{failed_entry.pk}/analysis/retry/")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert owner_client.post(f"/api/v1/entries/{read_entry.pk}/analysis/retry/").status_code == 409


def test_the_section_and_its_reasons_are_in_korean_for_korean_readers(owner_client, member, failed_entry):
    # The reason is stored in English and translated when shown.
    assert AnalysisJob.objects.get(entry=failed_entry).reason == reasons.PHOTO_MISSING
    member.language = "ko"
    member.save()
    page = owner_client.get(f"/diary/{failed_entry.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "이 일기의 사진을 찾을 수 없습니다." in page
    assert "이 일기를 읽지 못했습니다." in page and "다시 시도" in page
    assert "진단이 아닙니다" in page


def test_a_correction_becomes_the_mood_that_music_follows(read_entry):
    from diary.models import Entry
    from inference.selectors import entry_mood
    from inference.services import correction_set

    # Given an entry the machine has read
    read_entry.refresh_from_db()
    machine = read_entry.ai_emotion
    other = next(name for name in EMOTIONS if name != machine)
    assert entry_mood(entry=read_entry).source == "ai"
    # when the person says "that's not how I feel"
    correction_set(entry=read_entry, emotion=other)
    # then it is kept as how they felt, and their word wins over the machine's
    entry = Entry.objects.get(pk=read_entry.pk)
    assert entry.self_mood == other and entry.ai_emotion == machine
    mood = entry_mood(entry=entry)
    assert (mood.source, mood.emotion) == ("self", other)
