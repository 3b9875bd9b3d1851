"""Honest readings: abstaining parts, the text-only fallback and disagreement (inference.abstaining)."""

import pytest

from inference.abstaining import (
    DISAGREE,
    FACE_UNSURE,
    TEXT_UNSURE,
    UNSURE,
    Thresholds,
    decide,
    thresholds_from,
)
from inference.fusion import fuse
from inference.text.segment import language_of
from tests.inference.conftest import distribution

T = Thresholds(face=0.5, text=0.6, text_by_language={"ko": 0.65})


def test_a_confident_face_and_confident_words_of_the_same_valence_are_combined():
    verdict = decide(face=distribution("sad", 0.8), text=distribution("sad", 0.7), thresholds=T, fuse=fuse)
    assert not verdict.abstained and not verdict.disagreement
    assert verdict.reading.emotion == "sad" and verdict.reading.source == "combined"
    assert verdict.reading.valence < 0


def test_an_unsure_face_with_confident_words_reads_from_the_words_only():
    verdict = decide(face=distribution("happy", 0.4), text=distribution("sad", 0.8), thresholds=T, fuse=fuse)
    assert not verdict.abstained and verdict.face_abstained and not verdict.text_abstained
    assert verdict.reading.source == "text" and verdict.reading.emotion == "sad"
    assert verdict.reading.probabilities == pytest.approx(distribution("sad", 0.8))


def test_nothing_confident_abstains_keeping_the_probabilities_but_no_emotion_or_valence():
    verdict = decide(face=distribution("happy", 0.4), text=distribution("sad", 0.5), thresholds=T, fuse=fuse)
    assert verdict.abstained and verdict.reason == UNSURE
    assert verdict.reading.emotion == "" and verdict.reading.valence is None and verdict.reading.arousal is None
    assert sum(verdict.reading.probabilities.values()) == pytest.approx(1.0)
    only_face = decide(face=distribution("happy", 0.4), text=None, thresholds=T, fuse=fuse)
    assert only_face.abstained and only_face.reason == FACE_UNSURE
    only_text = decide(face=None, text=distribution("sad", 0.5), thresholds=T, fuse=fuse)
    assert only_text.abstained and only_text.reason == TEXT_UNSURE


def test_korean_words_are_held_to_the_korean_threshold():
    words = distribution("sad", 0.62)
    assert decide(face=None, text=words, thresholds=T, fuse=fuse, text_language="en").reading.emotion == "sad"
    assert decide(face=None, text=words, thresholds=T, fuse=fuse, text_language="ko").abstained
    assert language_of("오늘은 너무 외롭고 슬펐다") == "ko" and language_of("A lonely day") == "en"
    assert language_of("🙂 ...") == "en"


def test_a_confident_face_and_confident_words_that_disagree_are_shown_not_averaged():
    # Given a smiling face and sad words, each confident
    verdict = decide(face=distribution("happy", 0.7), text=distribution("sad", 0.7), thresholds=T, fuse=fuse)
    # Then the reading says they disagree and gives no automatic emotion
    assert verdict.disagreement and verdict.abstained and verdict.reason == DISAGREE
    assert verdict.reading.emotion == "" and verdict.reading.valence is None


def test_a_clearly_dominant_side_of_a_disagreement_is_kept():
    verdict = decide(face=distribution("happy", 0.99), text=distribution("sad", 0.61), thresholds=T, fuse=fuse)
    assert verdict.disagreement and not verdict.abstained
    assert verdict.reading.emotion == "happy" and verdict.reading.confidence >= 0.8


def test_neutral_is_not_a_disagreement():
    verdict = decide(face=distribution("neutral", 0.8), text=distribution("sad", 0.8), thresholds=T, fuse=fuse)
    assert not verdict.disagreement and verdict.reading.emotion


def test_a_refused_face_with_nothing_else_abstains_with_the_face_problem():
    verdict = decide(face=None, text=None, thresholds=T, fuse=fuse, face_quality="too_small")
    assert verdict.abstained and verdict.reason == "face_too_small" and verdict.reading is None
    assert decide(face=None, text=None, thresholds=T, fuse=fuse) is None


def test_models_without_an_abstain_key_never_abstain():
    none = thresholds_from(face_info={"name": "x"}, text_info=None)
    assert none.face is None and none.text is None
    assert not decide(face=distribution("happy", 0.2), text=None, thresholds=none, fuse=fuse).abstained


def test_thresholds_come_from_the_shipped_metadata():
    import json

    from inference.runtime import DEFAULT_MODEL_DIR
    from inference.text.runtime import DEFAULT_MODEL_DIR as TEXT_DIR

    face = json.loads((DEFAULT_MODEL_DIR / "model.json").read_text())
    text = json.loads((TEXT_DIR / "head.json").read_text(encoding="utf-8"))
    thresholds = thresholds_from(face_info=face, text_info=text)
    assert thresholds.face == face["abstain"]["threshold"]
    assert thresholds.text == text["abstain"]["threshold"]
    assert thresholds.for_text("ko") == text["abstain"]["by_language"]["ko"]["threshold"]
