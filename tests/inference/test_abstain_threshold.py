"""Choosing the abstain threshold on validation data (inference/training/abstain.py)."""

import numpy as np
import pytest

from inference.training.abstain import choose_abstain_threshold, coverage_at


def test_it_accepts_the_largest_most_confident_set_that_is_right_often_enough():
    # Given ten readings, most confident first: the first four right, then a mix
    top = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.3]
    correct = [1, 1, 1, 1, 0, 1, 0, 0, 1, 0]
    # When the threshold is chosen for 80% accuracy
    choice = choose_abstain_threshold(top, correct, 0.8, validation="toy")
    # Then the largest accepted set right >= 80% is the first six (5/6), so the threshold is 0.6
    assert choice["threshold"] == pytest.approx(0.6)
    assert choice["coverage"] == pytest.approx(0.6)
    assert choice["accepted_accuracy"] == pytest.approx(5 / 6, abs=1e-4)
    assert choice["accepted"] == 6 and choice["total"] == 10
    assert choice["target_accuracy"] == 0.8 and choice["validation"] == "toy"
    # and the ECE is computed on the same readings
    assert 0.0 <= choice["ece"] <= 1.0


def test_it_never_splits_readings_with_the_same_confidence():
    # Given a tie at 0.7 between a right and two wrong readings
    top = [0.9, 0.9, 0.9, 0.9, 0.7, 0.7, 0.7]
    correct = [1, 1, 1, 1, 1, 0, 0]
    choice = choose_abstain_threshold(top, correct, 0.8)
    # Then the tie is refused as a whole (accepting it gives 5/7 < 80%)
    assert choice["threshold"] == pytest.approx(0.9)
    assert choice["accepted"] == 4
    # and accepting exactly what the threshold says gives the reported figures
    again = coverage_at(top, correct, choice["threshold"])
    assert again["coverage"] == pytest.approx(4 / 7, abs=1e-4) and again["accepted_accuracy"] == 1.0


def test_it_accepts_everything_when_all_readings_together_meet_the_target():
    choice = choose_abstain_threshold([0.9, 0.5, 0.3, 0.2, 0.25], [1, 1, 1, 1, 0], 0.8)
    assert choice["threshold"] == pytest.approx(0.2)
    assert choice["coverage"] == 1.0 and choice["accepted_accuracy"] == 0.8


def test_it_abstains_on_everything_when_even_the_most_confident_reading_is_wrong():
    choice = choose_abstain_threshold([0.99, 0.5], [0, 1], 0.8)
    assert choice["threshold"] > 0.99
    assert choice["coverage"] == 0.0 and choice["accepted_accuracy"] is None
    assert coverage_at([0.99, 0.5], [0, 1], choice["threshold"])["coverage"] == 0.0


def test_items_without_a_reading_count_against_coverage_and_are_never_accepted():
    # Given two texts with nothing to read (NaN / 0), even if marked "right"
    top = np.array([0.9, 0.8, np.nan, 0.0])
    choice = choose_abstain_threshold(top, [1, 1, 1, 1], 0.8)
    assert choice["accepted"] == 2 and choice["coverage"] == 0.5
    assert choice["threshold"] == pytest.approx(0.8)


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="2 top probabilities but 1"):
        choose_abstain_threshold([0.5, 0.6], [1])
    with pytest.raises(ValueError, match="no validation items"):
        choose_abstain_threshold([], [])
    with pytest.raises(ValueError, match="target_accuracy"):
        choose_abstain_threshold([0.5], [1], 1.5)


# --- The command that writes the abstain key -----------------------------------------------------


def test_the_command_skips_with_the_folder_it_needs_when_the_datasets_are_absent(tmp_path, capsys):
    from django.core.management import call_command

    call_command("choose_abstain_thresholds", "--data", str(tmp_path / "nowhere"))
    out = capsys.readouterr().out
    assert "Skipped" in out and "nowhere" in out and "FER2013Valid" in out


def test_the_command_writes_the_face_threshold_into_the_model_metadata(tmp_path, settings, capsys):
    # Given a copy of the shipped face model and a small FER+ validation folder (real images)
    import json
    import shutil

    from django.core.management import call_command

    from inference import runtime
    from tests.inference.face_fixtures import DATASETS

    if DATASETS is None:
        pytest.skip("../shared/datasets is absent (a fresh clone): no FER+ validation images")
    source = DATASETS / "ferplus" / "FER2013Valid"
    if not (source / "label.csv").is_file():
        pytest.skip(f"{source} is absent (the shared datasets)")
    model = tmp_path / "face"
    shutil.copytree(runtime.DEFAULT_MODEL_DIR, model)
    settings.FACE_MODEL_DIR = str(model)
    runtime.reset()
    valid = tmp_path / "data" / "ferplus" / "FER2013Valid"
    valid.mkdir(parents=True)
    rows = (source / "label.csv").read_text().splitlines()[:60]
    (valid / "label.csv").write_text("\n".join(rows) + "\n")
    for row in rows:
        shutil.copy(source / row.split(",")[0], valid)
    # When the command runs on it
    try:
        call_command("choose_abstain_thresholds", "--data", str(tmp_path / "data"), "--models", "face")
    finally:
        runtime.reset()
    # Then the model's metadata carries the abstain key of the shared convention
    abstain = json.loads((model / "model.json").read_text())["abstain"]
    for key in ("threshold", "target_accuracy", "coverage", "accepted_accuracy", "validation", "ece"):
        assert key in abstain, key
    assert abstain["target_accuracy"] == 0.8 and 0 < abstain["threshold"] <= 1
    assert abstain["accepted_accuracy"] is None or abstain["accepted_accuracy"] >= 0.8
    assert "FER2013Valid" in abstain["validation"]
    assert "coverage" in capsys.readouterr().out
    # and the shipped model's metadata was not touched
    assert json.loads((runtime.DEFAULT_MODEL_DIR / "model.json").read_text())["abstain"]["total"] > 1000
