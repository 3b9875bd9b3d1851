"""A diary photo without a face is read as a scene; its valence/arousal join the words' reading.

The scripted face runtime (tests/inference/conftest.py) finds no face in a blue-dominated photo; the
scene reader is the real shipped one.
"""

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from diary import services as diary_services
from diary.photos import clean_photo
from inference.fusion import scene_weights
from inference.models import AnalysisJob, AnalysisResult
from tests.inference.conftest import BLUE, entry_with_photo
from tests.inference.test_pipeline_abstain import with_thresholds

Status = AnalysisJob.Status


def sea_photo() -> SimpleUploadedFile:
    """A bright sea under a pale sky, with waves and sensor noise (blue-dominated: no face)."""
    rng = np.random.default_rng(1)
    height, width = 240, 320
    t = np.linspace(0, 1, height // 2)[:, None, None]
    sky = np.array([120, 170, 235]) * (1 - t) + np.array([200, 225, 250]) * t
    image = np.zeros((height, width, 3))
    image[: height // 2] = np.broadcast_to(sky, (height // 2, width, 3))
    waves = 0.8 + 0.4 * np.sin(np.arange(width)[None, :] / 7.0 + rng.random((height // 2, 1)) * 6)
    image[height // 2:] = np.array([30, 100, 180]) * waves[..., None]
    image += rng.normal(0, 7, image.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=90)
    return clean_photo(SimpleUploadedFile("sea.jpg", buffer.getvalue(), content_type="image/jpeg"))


@pytest.fixture
def models(face_runtime, text_runtime, simple_fusion):
    return face_runtime, text_runtime


def save(member, django_capture_on_commit_callbacks, *, text=""):
    with django_capture_on_commit_callbacks(execute=True):
        entry = diary_services.entry_create(owner=member, text=text, photo=sea_photo())
    entry.refresh_from_db()
    return entry, AnalysisResult.objects.get(entry=entry)


def test_a_photo_of_the_sea_without_words_is_read_as_a_scene_and_explained(
        member, models, owner_client, django_capture_on_commit_callbacks):
    # Given a photo of the sea (no face) and no words, when the entry is read
    entry, result = save(member, django_capture_on_commit_callbacks)
    # Then the scene is read and stored, but with no mood distribution nothing acts on it
    assert AnalysisJob.objects.get(entry=entry).status == Status.NO_FACE
    assert result.scene_read and result.scene_reason == ""
    assert -1 <= result.scene_valence <= 1 and -1 <= result.scene_arousal <= 1
    assert result.scene_brightness > 0.5
    assert entry.ai_valence is None and entry.ai_emotion == ""
    # And the entry page says in plain words how the photo looks
    page = owner_client.get(f"/diary/{entry.pk}/").content.decode()
    assert "The photo looks bright and" in page


def test_the_scene_joins_confident_words_in_the_stored_valence_that_music_uses(
        member, models, django_capture_on_commit_callbacks):
    _face, text = models
    with_thresholds(text, "text_model_info", 0.6)
    # Given sad words (the scripted fusion gives valence 0.1, arousal 0.2) and a photo of the sea
    entry, result = save(member, django_capture_on_commit_callbacks, text="a sad, sad day")
    # Then the words give the emotion and the scene moves the valence by its measured weight
    assert result.source == "text" and result.emotion == "sad" and result.scene_read
    w = scene_weights()
    assert result.valence == pytest.approx((1 - w["valence"]) * 0.1 + w["valence"] * result.scene_valence, abs=1e-3)
    assert result.arousal == pytest.approx((1 - w["arousal"]) * 0.2 + w["arousal"] * result.scene_arousal, abs=1e-3)
    assert result.valence != pytest.approx(0.1, abs=1e-4)
    assert entry.ai_valence == pytest.approx(result.valence)


def test_a_flat_photo_is_not_read_as_a_scene_and_the_words_read_alone(
        member, models, django_capture_on_commit_callbacks):
    _face, text = models
    with_thresholds(text, "text_model_info", 0.6)
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_with_photo(member, colour=BLUE, text="a sad, sad day")
    result = AnalysisResult.objects.get(entry=entry)
    assert not result.scene_read and result.scene_reason == "uniform"
    assert result.valence == pytest.approx(0.1) and result.scene_description == ""


def test_the_scene_explanation_is_in_korean_for_korean_readers(
        member, models, owner_client, django_capture_on_commit_callbacks):
    entry, _result = save(member, django_capture_on_commit_callbacks)
    member.language = "ko"
    member.save()
    page = owner_client.get(f"/diary/{entry.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "사진이 밝고" in page and "보여요" in page


def test_a_stranger_does_not_see_how_someone_elses_photo_looks(
        member, models, stranger_client, django_capture_on_commit_callbacks):
    entry, _result = save(member, django_capture_on_commit_callbacks)
    response = stranger_client.get(f"/diary/{entry.pk}/")
    assert response.status_code == 404
    assert "The photo looks" not in response.content.decode()
