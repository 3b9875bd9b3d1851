"""train_emotion_model: a short run writes weights the runtime can load, reproducibly; --init
continues from earlier weights; bad arguments get a clear message."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from PIL import Image
from safetensors.numpy import load_file

from inference import runtime
from moodsite.emotions import EMOTIONS


@pytest.fixture
def class_folders(tmp_path):
    """Seven class folders of 48x48 faces-to-be: each class its own brightness, so it is learnable."""
    rng = np.random.default_rng(0)
    root = tmp_path / "faces"
    for i, name in enumerate(EMOTIONS):
        (root / name).mkdir(parents=True)
        for k in range(8):
            pixels = np.clip(rng.normal(30 + 30 * i, 12, (48, 48)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"{k}.png")
    return root


def train(data, out, *extra):
    stdout = StringIO()
    call_command(
        "train_emotion_model", "--data", str(data), "--out", str(out), "--epochs", "1", "--device", "cpu",
        "--threads", "1", "--batch-size", "8", "--checkpoint", str(out.parent / f"{out.name}-best.pt"),
        "--model-version", "test-v1", *extra, stdout=stdout,
    )
    return json.loads((out / "model.json").read_text()), stdout.getvalue()


@pytest.fixture
def fresh_runtime():
    runtime.reset()
    yield
    runtime.reset()


def test_a_short_run_writes_weights_the_runtime_loads(class_folders, tmp_path, settings, fresh_runtime):
    metadata, output = train(class_folders, tmp_path / "model")
    assert "wrote" in output and "validation accuracy" in output
    assert metadata["version"] == "test-v1" and metadata["classes"] == list(EMOTIONS)
    assert metadata["training"]["epochs_run"] == 1 and metadata["temperature"] > 0
    settings.FACE_MODEL_DIR = str(tmp_path / "model")
    probabilities = runtime.classify_crops(np.full((3, 48, 48), 128, np.uint8))
    assert probabilities.shape == (3, len(EMOTIONS))
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert runtime.model_info()["version"] == "test-v1"  # the checksum in model.json matched


def test_the_same_seed_gives_the_same_weights(class_folders, tmp_path):
    train(class_folders, tmp_path / "first")
    train(class_folders, tmp_path / "second")
    first = load_file(tmp_path / "first" / "model.safetensors")
    second = load_file(tmp_path / "second" / "model.safetensors")
    assert first.keys() == second.keys()
    assert all(np.array_equal(first[name], second[name]) for name in first)


def test_init_continues_from_earlier_weights(class_folders, tmp_path):
    shipped = runtime.DEFAULT_MODEL_DIR / "model.safetensors"
    # A learning rate too small to move anything: the result is the weights it started from.
    metadata, output = train(class_folders, tmp_path / "model", "--init", str(shipped), "--lr", "1e-9")
    assert metadata["training"]["init"] == str(shipped)
    assert f"starting from {shipped}" in output
    before, after = load_file(shipped), load_file(tmp_path / "model" / "model.safetensors")
    conv = "conv1.weight"
    assert np.allclose(before[conv], after[conv], atol=1e-4)


def test_a_network_grown_from_shipped_weights_reads_exactly_as_they_do():
    # Given the shipped 1-1-1-1 weights loaded into a network with a second block in stages 2-4
    import torch
    from safetensors.torch import load_file as load_torch

    from inference.face_model import ARCH, arch_of_state, build_model, load_grown

    shipped = load_torch(str(runtime.DEFAULT_MODEL_DIR / "model.safetensors"))
    original = build_model(arch_of_state(shipped)).eval()
    original.load_state_dict(shipped)
    grown = build_model(dict(ARCH, layers=[1, 2, 2, 2])).eval()
    added = load_grown(grown, shipped)
    # then the added blocks pass their input through, so the faces are read exactly as before
    assert added == ["layer2.1", "layer3.1", "layer4.1"]
    faces = torch.randn(16, 1, 48, 48)
    with torch.no_grad():
        assert torch.equal(grown(faces), original(faces))
    # and the grown network's state says what it is, for the runtime to rebuild it
    assert arch_of_state(grown.state_dict())["layers"] == [1, 2, 2, 2]
    # and a network with fewer blocks than the weights is refused with the reason
    with pytest.raises(ValueError, match="layers this network lacks"):
        load_grown(original, grown.state_dict())


def test_a_run_grown_with_layers_is_saved_and_read_back_deeper(class_folders, tmp_path, settings, fresh_runtime):
    shipped = runtime.DEFAULT_MODEL_DIR / "model.safetensors"
    metadata, output = train(class_folders, tmp_path / "model", "--init", str(shipped), "--layers", "1", "1", "2", "2")
    assert "blocks layer3.1, layer4.1 added as pass-throughs" in output
    assert metadata["arch"]["layers"] == [1, 1, 2, 2] and metadata["training"]["layers"] == [1, 1, 2, 2]
    settings.FACE_MODEL_DIR = str(tmp_path / "model")
    assert runtime.classify_crops(np.full((2, 48, 48), 128, np.uint8)).shape == (2, len(EMOTIONS))


def test_head_only_retrains_the_last_layer_of_init_and_nothing_else(class_folders, tmp_path):
    # Given the shipped weights, when only their classifier is refitted on the class folders
    shipped = runtime.DEFAULT_MODEL_DIR / "model.safetensors"
    metadata, output = train(class_folders, tmp_path / "model", "--init", str(shipped), "--head-only",
                             "--epochs", "2", "--lr", "0.01")
    # then the features are the shipped ones and the last layer has moved
    assert "classifier-only refit" in metadata["training"]["method"]
    assert metadata["training"]["init"].startswith(f"{shipped} (sha256 ")
    assert "wrote" in output
    before, after = load_file(shipped), load_file(tmp_path / "model" / "model.safetensors")
    assert np.array_equal(before["conv1.weight"], after["conv1.weight"])
    assert not np.allclose(before["fc.weight"], after["fc.weight"])


def test_bad_arguments_get_a_clear_message(class_folders, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        train(tmp_path / "nowhere", tmp_path / "model")
    with pytest.raises(CommandError, match="--init .* is not a file"):
        train(class_folders, tmp_path / "model", "--init", str(tmp_path / "missing.safetensors"))
    with pytest.raises(CommandError, match="every stage needs at least one block"):
        train(tmp_path / "nowhere", tmp_path / "model", "--layers", "0", "1", "1", "1")


def test_shift_calibration_fits_one_temperature_for_clean_and_shifted_faces(class_folders, tmp_path):
    # Given the same short run, calibrated on clean validation crops only and on clean + shifted ones
    # (three epochs: after one the network is barely trained, and which temperature came out higher
    # depended on the CPU's arithmetic: 0.195 against 0.192 on an AVX-512 Xeon, the other way on AVX2)
    clean, _ = train(class_folders, tmp_path / "clean", "--epochs", "3")
    both, _ = train(class_folders, tmp_path / "both", "--epochs", "3", "--shift-calibration")
    # then the shifted copy's figures are recorded, and its wrong, sure readings (these classes differ
    # only in brightness, which the shift's lighting changes) make the temperature higher: less sure
    shifted = both["metrics"]["validation_shifted"]
    assert set(shifted) >= {"accuracy", "macro_recall", "ece"} and "validation_shifted" not in clean["metrics"]
    assert both["temperature"] > clean["temperature"]
