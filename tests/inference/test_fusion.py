"""Fusing the face and text readings into the one the tracker, music and alerts use."""

import math

import pytest

from inference import fusion
from moodsite.emotions import EMOTIONS


def dist(**mass):
    rest = (1.0 - sum(mass.values())) / (len(EMOTIONS) - len(mass))
    return {name: mass.get(name, rest) for name in EMOTIONS}


def test_it_gives_nothing_without_face_or_text():
    assert fusion.fuse(face=None, text=None) is None


def test_it_uses_the_face_alone_when_there_is_no_text():
    face = dist(happy=0.7)
    fused = fusion.fuse(face=face, text=None)
    assert fused.source == "face"
    assert fused.emotion == "happy"
    assert fused.weights == {"face": 1.0, "text": 0.0}
    assert fused.probabilities == pytest.approx(face)


def test_it_uses_the_text_alone_when_there_is_no_face():
    fused = fusion.fuse(face=None, text=dist(sad=0.6))
    assert fused.source == "text"
    assert fused.emotion == "sad"
    assert fused.confidence == pytest.approx(0.6)
    assert fused.weights == {"face": 0.0, "text": 1.0}
    assert fused.valence < 0


def test_it_combines_both_into_a_distribution_over_the_seven_emotions():
    # given a face that reads happy and a text that reads sad
    fused = fusion.fuse(face=dist(happy=0.6), text=dist(sad=0.8), weights={"face": 0.4, "text": 0.6})
    # then the combined reading is a proper distribution, led by the better-informed text
    assert fused.source == "combined"
    assert set(fused.probabilities) == set(EMOTIONS)
    assert math.fsum(fused.probabilities.values()) == pytest.approx(1.0)
    assert fused.emotion == "sad"
    assert fused.weights == {"face": 0.4, "text": 0.6}
    assert fused.probabilities["happy"] > dist(sad=0.8)["happy"]


def test_it_follows_the_face_when_the_face_carries_more_weight():
    fused = fusion.fuse(face=dist(happy=0.6), text=dist(sad=0.6), weights={"face": 0.7, "text": 0.3})
    assert fused.emotion == "happy"


def test_two_agreeing_readings_stay_on_the_same_emotion():
    fused = fusion.fuse(face=dist(angry=0.5), text=dist(angry=0.9))
    assert fused.emotion == "angry"
    assert 0.5 < fused.confidence < 0.9


def test_a_zero_probability_from_one_part_does_not_veto_a_class():
    face = {name: (1.0 if name == "neutral" else 0.0) for name in EMOTIONS}
    fused = fusion.fuse(face=face, text=dist(sad=0.95), weights={"face": 0.5, "text": 0.5})
    assert fused.probabilities["sad"] > 0.01


def test_it_refuses_a_distribution_with_no_mass():
    with pytest.raises(ValueError):
        fusion.fuse(face={name: 0.0 for name in EMOTIONS}, text=None)


def test_weights_follow_validation_information():
    # a model at chance (NLL = log 7) gets no weight; the better model gets more
    assert fusion.weights_from_nll(math.log(7), 1.0) == {"face": 0.0, "text": 1.0}
    weights = fusion.weights_from_nll(1.0, 1.4)
    assert weights["face"] > weights["text"]
    assert weights["face"] + weights["text"] == pytest.approx(1.0)


def test_shipped_weights_come_from_the_shipped_metadata():
    # given the validation figures recorded next to each shipped model
    face = fusion._validation_nll(fusion._WEIGHTS / "face" / "model.json", ("validation.nll", "validation.loss"))
    text = fusion._validation_nll(fusion._WEIGHTS / "text" / "head.json", ("validation.nll",))
    assert face is not None and text is not None
    # then the fusion weights are the ones those figures give
    weights = fusion.fusion_weights()
    assert weights == fusion.weights_from_nll(face, text)
    assert weights["face"] + weights["text"] == pytest.approx(1.0, abs=1e-3)
    assert 0.0 < weights["face"] < 1.0


def test_the_fallback_weights_are_those_of_the_shipped_models():
    # given the validation figures of the face and text models shipped with this code
    face = fusion._validation_nll(fusion._WEIGHTS / "face" / "model.json", ("validation.nll", "validation.loss"))
    text = fusion._validation_nll(fusion._WEIGHTS / "text" / "head.json", ("validation.nll",))
    # then the weights used when a metadata file lacks its figure are the same ones
    assert fusion.DEFAULT_WEIGHTS == fusion.weights_from_nll(face, text)
