"""The entry page after a reading: "Is this right?" (confirm / pick another), the abstained reading,
the disagreement, face problems, and confidence said in words, never 100%."""

import html

import pytest
from django.utils import translation

from diary.models import Entry
from inference import pipeline
from inference.models import Correction
from inference.templatetags.inference_analysis import percent
from tests.inference.conftest import GREEN, entry_with_photo
from tests.inference.test_pipeline_abstain import with_thresholds


@pytest.fixture
def read_entry(member, scripted_models):
    entry = entry_with_photo(member, colour=GREEN)
    pipeline.batch_run(size=4, max_wait=0)
    return entry


@pytest.fixture
def abstained_entry(member, scripted_models):
    with_thresholds(scripted_models, "model_info", 0.9)
    entry = entry_with_photo(member, colour=GREEN)
    pipeline.batch_run(size=4, max_wait=0)
    return entry


def test_one_tap_confirms_the_reading_and_keeps_it_as_a_labelled_example(owner_client, read_entry):
    # Given a reading "happy", when the person taps "Yes"
    page = owner_client.post(f"/analysis/entries/{read_entry.pk}/correction/", {"emotion": "happy"},
                             follow=True).content.decode()
    # Then it is stored as a confirmation, and the page thanks them and stops asking
    correction = Correction.objects.get(entry=read_entry)
    assert correction.kind == "confirmed" and correction.corrected_emotion == "happy"
    assert correction.predicted_emotion == "happy" and not correction.predicted_abstained
    assert "You said this is right: <strong>happy</strong>" in page
    assert "Is this right?" not in page
    # and the person's word becomes the entry's own mood
    assert Entry.objects.get(pk=read_entry.pk).self_mood == "happy"


def test_the_seven_moods_are_one_tap_buttons_to_pick_another(owner_client, read_entry):
    page = owner_client.get(f"/diary/{read_entry.pk}/").content.decode()
    assert page.count('name="emotion" value=') == 8  # "Yes" + the seven moods
    assert 'class="mood-choice mood-sad"' in page and "😢" in page


def test_an_abstained_reading_says_it_cannot_tell_and_asks_how_the_person_feels(owner_client, abstained_entry):
    page = html.unescape(owner_client.get(f"/diary/{abstained_entry.pk}/").content.decode())
    assert "I can't tell from this photo." in page
    assert "Rather than guess" in page and "reads as" not in page
    assert "How do you feel? One tap is enough." in page
    # the unsure percentages are still there, behind the details
    assert '<details class="analysis-details">' in page and "(not sure)" in page
    # and the person's answer is kept as a "chosen" example next to the abstained prediction
    owner_client.post(f"/analysis/entries/{abstained_entry.pk}/correction/", {"emotion": "sad"})
    correction = Correction.objects.get(entry=abstained_entry)
    assert correction.kind == "chosen" and correction.predicted_abstained
    assert correction.predicted_abstain_reason == "face_unsure" and correction.predicted_emotion == ""


def test_the_abstained_reading_is_said_in_korean(owner_client, abstained_entry):
    owner = abstained_entry.owner
    owner.language = "ko"
    owner.save(update_fields=["language"])
    page = html.unescape(owner_client.get(f"/diary/{abstained_entry.pk}/").content.decode())
    translation.activate("en")
    assert "이 사진으로는 잘 모르겠어요." in page
    assert "지금 기분이 어떠세요?" in page


def test_a_disagreement_shows_both_readings(owner_client, member, face_runtime, text_runtime, simple_fusion):
    with_thresholds(face_runtime, "model_info", 0.5)
    with_thresholds(text_runtime, "text_model_info", 0.5)
    entry = entry_with_photo(member, colour=GREEN, text="so sad today")
    pipeline.batch_run(size=4, max_wait=0)
    page = owner_client.get(f"/diary/{entry.pk}/").content.decode()
    assert "Your face and your words seem to say different things." in page
    assert "Your face looks <strong>happy</strong>." in page and "Your words read <strong>sad</strong>." in page
    status = owner_client.get(f"/analysis/entries/{entry.pk}/status/").json()
    assert "different things" in status["announcement"]


def test_strangers_cannot_answer_for_someone_else(stranger_client, read_entry):
    response = stranger_client.post(f"/analysis/entries/{read_entry.pk}/correction/", {"emotion": "sad"})
    assert response.status_code == 404
    assert not Correction.objects.filter(entry=read_entry).exists()


def test_anonymous_visitors_are_sent_to_log_in(client, read_entry):
    response = client.post(f"/analysis/entries/{read_entry.pk}/correction/", {"emotion": "sad"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Correction.objects.filter(entry=read_entry).exists()


def test_percentages_are_never_shown_as_100():
    assert percent(0.999) == "99" and percent(1.0) == "99" and percent(0.4237) == "42" and percent(None) == ""


# --- The same over the API -----------------------------------------------------------------------


def test_the_api_says_why_a_reading_abstained_and_accepts_the_persons_answer(owner_client, abstained_entry):
    url = f"/api/v1/entries/{abstained_entry.pk}/analysis/"
    data = owner_client.get(url).json()
    assert data["reading"] is None
    assert data["abstention"]["reason"] == "face_unsure" and data["abstention"]["face_abstained"]
    assert data["abstention"]["probabilities"]["happy"] == pytest.approx(0.7)
    answered = owner_client.post(url + "correction/", {"emotion": "neutral"}, content_type="application/json")
    assert answered.status_code == 200 and answered.json()["correction"]["kind"] == "chosen"


def test_the_api_gives_the_confidence_in_words(owner_client, read_entry):
    reading = owner_client.get(f"/api/v1/entries/{read_entry.pk}/analysis/").json()["reading"]
    assert reading["certainty"] == "maybe" and reading["emotion"] == "happy"


def test_export_corrections_gives_each_kind_of_answer_as_a_labelled_example(owner_client, read_entry, capsys):
    from django.core.management import call_command

    owner_client.post(f"/analysis/entries/{read_entry.pk}/correction/", {"emotion": "happy"})
    call_command("export_corrections", "--format", "json", "--kind", "confirmed")
    import json

    (row,) = json.loads(capsys.readouterr().out)
    assert row["kind"] == "confirmed" and row["corrected_emotion"] == "happy"
    assert row["predicted_confidence"] == pytest.approx(0.7) and row["predicted_abstained"] is False
    call_command("export_corrections", "--format", "csv", "--kind", "chosen")
    assert capsys.readouterr().out.strip().count("\n") == 0  # the header only
