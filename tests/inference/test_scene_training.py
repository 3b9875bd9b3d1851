"""train_scene_model on a tiny Emotion6-shaped folder: writes checksummed weights and reports the baseline."""

import csv
import hashlib
import json

import numpy as np
from django.core.management import call_command
from PIL import Image

from inference.scene import runtime
from moodsite.emotions import EMOTIONS


def tiny_emotion6(root, images=60):
    """Bright, colourful photos are rated pleasant (happy); dark, grey ones unpleasant (sad)."""
    rng = np.random.default_rng(0)
    labels, split = [], []
    for i in range(images):
        happy = i % 2 == 0
        level = rng.uniform(0.6, 1.0) if happy else rng.uniform(0.05, 0.4)
        base = np.array([230, 190, 60]) if happy else np.array([110, 110, 120])
        pixels = np.clip(base * level + rng.normal(0, 25, (48, 64, 3)), 0, 255).astype(np.uint8)
        folder = "happy" if happy else "sad"
        (root / folder).mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(root / folder / f"{i}.jpg")
        shares = {name: 0.0 for name in EMOTIONS}
        shares[folder] = 0.8
        shares["neutral"] = 0.2
        valence = 5 + (3 if happy else -3) * level + rng.normal(0, 0.3)
        labels.append({"path": f"{folder}/{i}.jpg", "original_path": f"{folder}/{i}.jpg", "label_folder": folder,
                       "valence": round(valence, 2), "arousal": round(5 + rng.normal(0, 1), 2),
                       **{f"p_{k}": v for k, v in shares.items()}, "argmax_label": folder})
        split.append({"path": f"{folder}/{i}.jpg", "split": "test" if i % 5 == 0 else "train"})
    for name, rows in (("labels.csv", labels), ("split_seed0.csv", split)):
        with (root / name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def test_it_trains_writes_checksummed_weights_and_reports_beside_the_colour_formula(tmp_path, capsys):
    tiny_emotion6(tmp_path / "emotion6")
    out = tmp_path / "weights"
    call_command("train_scene_model", "--data", str(tmp_path / "emotion6"), "--out", str(out),
                 "--cache", str(tmp_path / "cache.npz"))
    info = json.loads((out / "model.json").read_text())
    assert hashlib.sha256((out / "weights.npz").read_bytes()).hexdigest() == info["sha256"]
    test = info["metrics"]["test"]
    assert test["images"] == 12 and test["valence_r"] > 0.5
    assert "valence_r" in info["metrics"]["baseline_test"] and "targets_met" in info["metrics"]
    assert info["abstain"]["validation"].startswith("Emotion6 train")
    printed = capsys.readouterr().out
    assert "baseline_test" in printed and "wrote" in printed
    # And the runtime reads with what was written
    model = runtime.load_model(out)
    assert model.info["version"] == info["version"]
