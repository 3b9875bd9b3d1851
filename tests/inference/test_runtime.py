"""The face model runtime: shipped weights load and classify; clear errors; torch stays out of web code."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from inference import runtime
from inference.training.samples import detectable_selfie, jpeg_bytes, rotated_with_exif
from moodsite.emotions import EMOTIONS
from tests.inference.face_fixtures import blank_photo, needs_datasets, reopen

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def model_copy(tmp_path, settings):
    """A private copy of the shipped weights the test may damage; the runtime points at it."""
    folder = tmp_path / "face"
    shutil.copytree(runtime.DEFAULT_MODEL_DIR, folder, ignore=shutil.ignore_patterns("*.md"))
    settings.FACE_MODEL_DIR = str(folder)
    runtime.reset()
    yield folder
    runtime.reset()


def test_shipped_weights_are_small_and_match_their_checksum():
    meta = json.loads((runtime.DEFAULT_MODEL_DIR / runtime.METADATA_FILE).read_text())
    weights = runtime.DEFAULT_MODEL_DIR / meta["weights"]
    assert weights.stat().st_size <= 25 * 1024 * 1024
    assert hashlib.sha256(weights.read_bytes()).hexdigest() == meta["sha256"]
    info = runtime.model_info()
    assert info["version"] == meta["version"] and info["checksum"] == meta["sha256"]
    assert "validation" in info["metrics"]


def test_shipped_weights_load_and_classify():
    runtime.load_model()
    crops = np.random.default_rng(0).integers(0, 256, (5, 48, 48), dtype=np.uint8)
    probabilities = runtime.classify_crops(crops)
    assert probabilities.shape == (5, len(EMOTIONS))
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
    assert (probabilities >= 0).all()
    # Batched and one-by-one give the same answer.
    single = np.concatenate([runtime.classify_crops(c) for c in crops])
    assert np.allclose(single, probabilities, atol=1e-5)


def test_image_without_a_face_gives_no_face():
    (reading,) = runtime.read_faces([blank_photo()])
    assert reading.found is False
    assert reading.probabilities is None and reading.confidence is None
    assert reading.box is None and reading.faces == []


@needs_datasets
def test_selfie_is_read_with_probabilities_valence_and_box():
    photo, _, _ = detectable_selfie()
    rotated = reopen(rotated_with_exif(photo, orientation=8))
    readings = runtime.read_faces([reopen(jpeg_bytes(photo)), blank_photo(), rotated])
    assert [r.found for r in readings] == [True, False, True]
    first = readings[0]
    assert set(first.probabilities) == set(EMOTIONS)
    assert abs(sum(first.probabilities.values()) - 1.0) < 1e-6
    assert -1 <= first.valence <= 1 and -1 <= first.arousal <= 1
    assert first.confidence == max(first.probabilities.values())
    assert first.box == first.faces[0]
    # The sideways-stored, EXIF-tagged copy reads the same face, upright.
    assert readings[2].box == pytest.approx(first.box, abs=12)


def test_corrupt_weights_give_a_clear_error(model_copy):
    weights = model_copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(runtime.ModelUnavailable, match="corrupt") as error:
        runtime.load_model()
    assert "sha256" in str(error.value) and "train_emotion_model" in str(error.value)


def test_unloadable_weights_with_matching_checksum_give_a_clear_error(model_copy):
    weights = model_copy / "model.safetensors"
    weights.write_bytes(b"not a safetensors file")
    meta_path = model_copy / "model.json"
    meta = json.loads(meta_path.read_text())
    meta["sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(runtime.ModelUnavailable, match="could not be loaded"):
        runtime.load_model()


def test_missing_weights_give_a_clear_error(model_copy):
    (model_copy / "model.safetensors").unlink()
    with pytest.raises(runtime.ModelUnavailable, match="missing"):
        runtime.classify_crops(np.zeros((1, 48, 48), np.uint8))


def test_cuda_asked_for_without_cuda_is_a_clear_error(model_copy, settings):
    pytest.importorskip("torch")
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    settings.INFERENCE_DEVICE = "cuda"
    with pytest.raises(runtime.ModelUnavailable, match="INFERENCE_DEVICE"):
        runtime.load_model()


def test_web_modules_do_not_import_torch():
    code = (
        "import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'moodsite.settings_test'); "
        "django.setup(); import moodsite.urls, diary.views, inference.runtime, inference.faces; "
        "assert 'torch' not in sys.modules, 'a web module imported torch'; "
        "assert 'timm' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
