"""The shipped text model: loads, reads Korean and English, refuses to guess at nothing."""

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from inference.text import runtime
from moodsite.emotions import EMOTIONS


@pytest.fixture
def model_copy(tmp_path, settings):
    """A private copy of the shipped head that a test may damage."""
    folder = tmp_path / "text"
    shutil.copytree(runtime.DEFAULT_MODEL_DIR, folder)
    settings.TEXT_MODEL_DIR = str(folder)
    runtime.reset()
    yield folder
    runtime.reset()


def test_it_loads_the_shipped_head_and_reports_what_it_is():
    info = runtime.text_model_info()
    assert info["name"] == "moodsite-text-emotion"
    assert info["version"]
    assert len(info["checksum"]) == 64
    assert {"en_test", "ko_test"} <= set(info["metrics"])


def test_it_reads_korean_and_english_into_seven_probabilities():
    readings = runtime.read_texts(["오늘 회사에서 힘든 일이 있었어", "We had a quiet dinner at home."])
    for reading in readings:
        assert list(reading.probabilities) == list(EMOTIONS)
        assert math.fsum(reading.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert all(0.0 <= p <= 1.0 for p in reading.probabilities.values())
        assert reading.confidence == pytest.approx(max(reading.probabilities.values()), abs=1e-6)
        assert -1.0 <= reading.valence <= 1.0 and -1.0 <= reading.arousal <= 1.0


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("오늘 너무 행복했어", "happy"),
        ("I am furious", "angry"),
        ("I'm so happy, this is the best day ever!", "happy"),
        ("너무 슬퍼서 계속 울었어", "sad"),
    ],
)
def test_it_gets_clear_cases_right(text, emotion):
    (reading,) = runtime.read_texts([text])
    assert max(reading.probabilities, key=reading.probabilities.get) == emotion


def test_happy_text_reads_pleasant_and_sad_text_unpleasant():
    happy, sad = runtime.read_texts(["오늘 너무 행복했어", "너무 슬퍼서 계속 울었어"])
    assert happy.valence > 0 > sad.valence


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "🙂👍", "??", None])
def test_it_gives_no_result_for_empty_emoji_only_or_too_short_text(text):
    assert runtime.read_texts([text]) == [None]


def test_it_keeps_the_order_of_a_mixed_batch():
    readings = runtime.read_texts(["😀", "I am furious", "", "오늘 너무 행복했어"])
    assert readings[0] is None and readings[2] is None
    assert max(readings[1].probabilities, key=readings[1].probabilities.get) == "angry"
    assert max(readings[3].probabilities, key=readings[3].probabilities.get) == "happy"


def test_it_reads_mixed_korean_and_english_and_long_entries():
    mixed = "오늘은 정말 최고의 날이었어. We went to the beach and I laughed all day! 너무 행복해."
    long_entry = " ".join(["I woke up late and missed the bus again."] * 30 + ["I cried in the evening."])
    mixed_reading, long_reading = runtime.read_texts([mixed, long_entry])
    assert max(mixed_reading.probabilities, key=mixed_reading.probabilities.get) == "happy"
    assert math.fsum(long_reading.probabilities.values()) == pytest.approx(1.0, abs=1e-5)


def test_it_refuses_weights_that_do_not_match_their_checksum(model_copy):
    weights = model_copy / json.loads((model_copy / runtime.METADATA_FILE).read_text())["weights"]
    weights.write_bytes(weights.read_bytes()[:-8] + b"\x00" * 8)
    with pytest.raises(runtime.TextModelUnavailable, match="checksum"):
        runtime.read_texts(["I am furious"])


def test_it_says_what_to_do_when_the_head_is_missing(model_copy):
    (model_copy / runtime.METADATA_FILE).unlink()
    with pytest.raises(runtime.TextModelUnavailable, match="train_text_emotion_model"):
        runtime.text_model_info()


def test_it_refuses_a_head_trained_on_another_encoder(model_copy):
    path = model_copy / runtime.METADATA_FILE
    metadata = json.loads(path.read_text())
    metadata["encoder"] = "some-other-encoder"
    path.write_text(json.dumps(metadata))
    with pytest.raises(runtime.TextModelUnavailable, match="encoder|embeddings"):
        runtime.read_texts(["I am furious"])


def test_importing_the_text_runtime_does_not_import_torch():
    # Web processes import the runtime and fusion (model info, fused readings) but never read
    # text themselves: torch loads only in the worker that reads, on its first reading.
    code = (
        "import os, sys, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'moodsite.settings_test'; django.setup();"
        "from inference.text import runtime; from inference import fusion; fusion.fusion_weights();"
        "print('torch' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_the_commands_embedding_cache_feeds_the_shipped_model_its_own_vectors(settings, tmp_path):
    # Given the shipped model and an empty cache folder
    settings.VAR_DIR = str(tmp_path)
    texts = ["팀장이 또 내 아이디어를 자기 것처럼 발표했다", "The neighbours' dog barked all night again"]
    runtime.reset()
    try:
        head, _ = runtime.load_model()
        # When the evaluate and abstain commands' cache embeds texts
        embed = runtime.cached_embed()
        # Then they are the vectors the site reads with (a format-1 cache would feed a format-3 head
        # another encoder's vectors and make every threshold meaningless)
        if embed is None:
            pytest.skip("the shipped model reads logits (format 2): nothing is cached")
        expected = head.encoder.vectors(texts) if hasattr(head, "encoder") else runtime.encoder.embed(texts)
        assert np.allclose(embed(texts), expected, atol=1e-5)
        assert np.allclose(runtime.predict(texts, embed=embed), runtime.predict(texts), atol=1e-5)
    finally:
        runtime.reset()
