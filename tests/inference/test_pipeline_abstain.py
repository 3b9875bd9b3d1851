"""The pipeline stores honest readings: abstained parts, text-only fallback, disagreement, face problems.

The scripted models of tests/inference/conftest.py read 70% confident; the tests give the models
abstain thresholds above or below that, as the shipped metadata would.
"""

import pytest

from inference.models import AnalysisJob, AnalysisResult
from tests.inference.conftest import GREEN, RED, ScriptedFaceReading, entry_with_photo

Status = AnalysisJob.Status


def with_thresholds(runtime, method: str, threshold: float, **extra) -> None:
    info = getattr(runtime, method)()
    setattr(runtime, method, lambda: {**info, "abstain": {"threshold": threshold, **extra}})


@pytest.fixture
def models(face_runtime, text_runtime, simple_fusion):
    return face_runtime, text_runtime


def save(member, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_with_photo(member, **kwargs)
    entry.refresh_from_db()
    return entry, AnalysisResult.objects.get(entry=entry)


def test_an_unsure_face_alone_abstains_and_leaves_the_entry_unread(member, models,
                                                                    django_capture_on_commit_callbacks):
    # Given a face model that needs 80% to speak, and a photo read at 70%
    face, _ = models
    with_thresholds(face, "model_info", 0.8)
    # When the entry is read
    entry, result = save(member, django_capture_on_commit_callbacks, colour=GREEN)
    # Then the reading abstains: probabilities kept, no emotion for the tracker, music or welfare
    assert AnalysisJob.objects.get(entry=entry).status == Status.DONE
    assert result.abstained and result.abstain_reason == "face_unsure" and result.face_abstained
    assert result.emotion == "" and result.face_probabilities["happy"] == pytest.approx(0.7)
    assert entry.ai_emotion == "" and entry.ai_valence is None and entry.ai_arousal is None
    assert entry.ai_probabilities["happy"] == pytest.approx(0.7)


def test_an_unsure_face_with_confident_words_reads_from_the_words(member, models,
                                                                  django_capture_on_commit_callbacks):
    face, text = models
    with_thresholds(face, "model_info", 0.8)
    with_thresholds(text, "text_model_info", 0.6)
    entry, result = save(member, django_capture_on_commit_callbacks, colour=GREEN, text="a sad, sad day")
    assert not result.abstained and result.face_abstained and not result.text_abstained
    assert result.source == "text" and result.emotion == "sad"
    assert result.combined_probabilities == result.text_probabilities
    assert entry.ai_emotion == "sad" and entry.ai_valence is not None


def test_a_smiling_face_with_sad_words_is_a_disagreement_not_an_average(member, models,
                                                                        django_capture_on_commit_callbacks):
    face, text = models
    with_thresholds(face, "model_info", 0.5)
    with_thresholds(text, "text_model_info", 0.5)
    entry, result = save(member, django_capture_on_commit_callbacks, colour=GREEN, text="so sad today")
    assert result.disagreement and result.abstained and result.abstain_reason == "disagree"
    assert result.face_probabilities["happy"] == pytest.approx(0.7)
    assert result.text_probabilities["sad"] == pytest.approx(0.7)
    assert entry.ai_emotion == ""


def test_an_angry_face_with_sad_words_agrees_in_valence_and_is_combined(member, models,
                                                                        django_capture_on_commit_callbacks):
    face, text = models
    with_thresholds(face, "model_info", 0.5)
    entry, result = save(member, django_capture_on_commit_callbacks, colour=RED, text="so sad today")
    assert not result.disagreement and not result.abstained and result.source == "combined"
    assert entry.ai_emotion in {"angry", "sad"}


def test_a_face_too_small_is_reported_and_not_read(member, models, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    face, _ = models
    monkeypatch.setattr(face, "_read", lambda image: ScriptedFaceReading(
        found=True, probabilities=None, box=(1, 2, 20, 20), faces=[(1, 2, 20, 20)]))
    monkeypatch.setattr(ScriptedFaceReading, "quality", "too_small", raising=False)
    entry, result = save(member, django_capture_on_commit_callbacks, colour=GREEN)
    assert result.face_found and result.face_quality == "too_small"
    assert result.face_probabilities is None and result.abstained
    assert result.abstain_reason == "face_too_small"
    assert entry.ai_emotion == "" and entry.ai_probabilities is None
