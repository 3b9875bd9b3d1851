"""Fusing a no-face photo's scene reading with the words' reading."""

import pytest

from inference.fusion import fuse, fuse_scene, scene_weights
from moodsite.emotions import one_hot


def test_the_scene_weights_come_from_the_scene_models_validation_correlation():
    weights = scene_weights()
    # Valence explains far more than arousal on the scene model's validation folds (model card).
    assert 0.1 < weights["valence"] < 0.5
    assert 0.0 <= weights["arousal"] < weights["valence"]


def test_a_bright_calm_photo_lifts_sad_words_but_the_words_keep_most_of_the_say():
    given_text = fuse(face=None, text=one_hot("sad"))
    when = fuse_scene(reading=given_text, scene_valence=0.6, scene_arousal=-0.2,
                      weights={"valence": 0.25, "arousal": 0.05})
    valence, arousal, weights = when
    assert given_text.valence < valence < 0.6
    assert valence == pytest.approx(0.75 * given_text.valence + 0.25 * 0.6, abs=1e-4)
    assert abs(valence - given_text.valence) < abs(valence - 0.6)
    assert arousal == pytest.approx(0.95 * given_text.arousal + 0.05 * -0.2, abs=1e-4)
    assert weights == {"valence": 0.25, "arousal": 0.05}


def test_a_photo_without_words_is_read_by_the_scene_alone():
    valence, arousal, weights = fuse_scene(reading=None, scene_valence=0.3, scene_arousal=0.1)
    assert (valence, arousal) == (0.3, 0.1)
    assert weights == {"valence": 1.0, "arousal": 1.0}
