"""evaluate_emotion_model: class-folder aliases, skipped folders, JSON keys, FER+ accuracy."""

import json

import numpy as np
import pytest
from django.core.management import call_command

from inference.management.commands.evaluate_emotion_model import METRIC_KEYS
from inference.training.data import canonical_class
from tests.inference.face_fixtures import DATASETS, needs_datasets, png_bytes

ALIASES = {
    "anger": "angry",
    "happiness": "happy",
    "sadness": "sad",
    "surprised": "surprise",
    "fearful": "fear",
    "disgusted": "disgust",
    "Neutral": "neutral",
    "angry": "angry",
}


def test_aliases_map_to_the_seven_classes():
    for folder, name in ALIASES.items():
        assert canonical_class(folder) == name
    assert canonical_class("contempt") is None
    assert canonical_class("pets") is None


def test_evaluate_class_folders_with_aliases_writes_every_key(tmp_path, capsys):
    rng = np.random.default_rng(0)
    data = tmp_path / "data"
    for folder in (
        "anger",
        "happiness",
        "sadness",
        "surprised",
        "fearful",
        "disgusted",
        "neutral",
        "contempt",
    ):
        (data / folder).mkdir(parents=True)
        for i in range(2):
            (data / folder / f"img_{i}.png").write_bytes(png_bytes(rng.integers(0, 256, (48, 48), dtype=np.uint8)))
    (data / "neutral" / "notes.txt").write_text("not an image")
    out = tmp_path / "result.json"
    call_command("evaluate_emotion_model", "--data", str(data), "--crop", "none", "--json", str(out))
    captured = capsys.readouterr()
    assert "contempt" in captured.err  # skipped with a warning
    report = json.loads(out.read_text())
    for key in METRIC_KEYS:
        assert key in report, key
    assert report["images"] == 14 and report["no_face"] == 0
    assert 0.0 <= report["accuracy"] <= 1.0 and report["ece"] is not None
    assert len(report["confusion_matrix"]) == 7 and sum(map(sum, report["confusion_matrix"])) == 14
    assert set(report["per_class"]) == {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"}
    assert report["model"]
    assert "accuracy" in captured.out


def test_detect_crop_counts_images_without_a_face_as_wrong(tmp_path):
    data = tmp_path / "data" / "happy"
    data.mkdir(parents=True)
    (data / "wall.png").write_bytes(png_bytes(np.full((200, 200), 128, np.uint8)))
    out = tmp_path / "r.json"
    call_command("evaluate_emotion_model", "--data", str(tmp_path / "data"), "--json", str(out))
    report = json.loads(out.read_text())
    assert report["images"] == 1 and report["no_face"] == 1 and report["accuracy"] == 0.0


@needs_datasets
@pytest.mark.dataset
def test_ferplus_test_sample_reaches_80_percent(tmp_path):
    out = tmp_path / "ferplus.json"
    call_command(
        "evaluate_emotion_model",
        "--data", str(DATASETS / "ferplus" / "FER2013Test"),
        "--crop", "none", "--sample", "500", "--seed", "0", "--json", str(out),
    )  # fmt: skip
    report = json.loads(out.read_text())
    assert report["images"] == 500
    assert report["accuracy"] >= 0.80, report["accuracy"]


@needs_datasets
@pytest.mark.dataset
def test_glob_selects_fer2013_private_test(tmp_path):
    out = tmp_path / "fer.json"
    call_command(
        "evaluate_emotion_model",
        "--data", str(DATASETS / "fer2013" / "test"),
        "--glob", "PrivateTest_*", "--crop", "none", "--sample", "50", "--json", str(out),
    )  # fmt: skip
    assert json.loads(out.read_text())["images"] == 50
