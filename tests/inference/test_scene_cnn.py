"""The scene network experiment (train_scene_model --model cnn): augmentation, resuming, the comparison, the rule."""

import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from inference.scene import cnn, compare
from tests.inference.test_scene_training import tiny_emotion6

torch = pytest.importorskip("torch")


def _mean_and_chroma(x):
    mean = x.mean(dim=1)
    chroma = (x - mean.unsqueeze(1)).norm(dim=1)
    return float(mean.mean()), float(chroma.mean())


def test_it_keeps_brightness_and_saturation_under_safe_jitter_and_moves_them_under_strong():
    from inference.scene import augment

    # given mid-range colourful images (no clipping at 0 or 1)
    generator = torch.Generator().manual_seed(0)
    x = 0.3 + 0.4 * torch.rand(64, 3, 16, 16, generator=generator)
    before = _mean_and_chroma(x)
    # when each jitter is applied
    safe = _mean_and_chroma(augment.colour_jitter(x, "safe", torch.Generator().manual_seed(1)))
    per_image = [(_mean_and_chroma(augment.colour_jitter(x[i:i + 1], "strong", torch.Generator().manual_seed(i))))
                 for i in range(16)]
    # then the safe one leaves mean intensity and chroma (brightness, saturation) where they were
    assert abs(safe[0] - before[0]) < 0.005 and abs(safe[1] - before[1]) / before[1] < 0.1
    # and the strong one moves them, image by image
    assert np.std([m for m, _ in per_image]) > 0.03
    assert max(c for _, c in per_image) / min(c for _, c in per_image) > 1.3
    with pytest.raises(ValueError, match="unknown colour jitter"):
        augment.colour_jitter(x, "rainbow", generator)


def test_it_crops_to_the_asked_size_and_squares_photos():
    from inference.scene import augment

    out = augment.random_resized_crop(torch.rand(3, 3, 128, 128), 96, torch.Generator().manual_seed(0))
    assert out.shape == (3, 3, 96, 96)
    assert cnn.square(Image.new("RGB", (300, 120), (10, 200, 30))).shape == (128, 128, 3)
    with pytest.raises(ValueError, match="unknown scene network"):
        cnn.build_model("vit_huge")


def test_it_ships_the_network_only_when_it_beats_the_features_on_valence_without_losing_arousal():
    features = {"valence_r": 0.48, "arousal_r": 0.17}
    better_valence_worse_arousal = {"features": features, "cnn": {"valence_r": 0.55, "arousal_r": 0.10},
                                    "combined": {"valence_r": 0.47, "arousal_r": 0.30}}
    assert compare.decide(better_valence_worse_arousal)["ship"] == "features"
    both_better = {"features": features, "cnn": {"valence_r": 0.50, "arousal_r": 0.18},
                   "combined": {"valence_r": 0.52, "arousal_r": 0.17}}
    assert compare.decide(both_better)["ship"] == "combined"


def test_it_blends_with_a_weight_chosen_on_other_images():
    # given a network that predicts the target and features that are noise
    rng = np.random.default_rng(0)
    target = rng.normal(size=200)
    blended, weights = compare.blend(target.copy(), rng.normal(size=200), target,
                                     lambda p, t: float(np.mean((p - t) ** 2)))
    # then every inner fold and the whole choose the network alone
    assert weights["weight_on_all"] == 1.0 and set(weights["inner_fold_weights"]) == {1.0}
    assert np.allclose(blended, target)
    with pytest.raises(ValueError, match="same shape"):
        compare.blend(target, target[:10], target, lambda p, t: 0.0)


def test_it_bootstraps_the_difference_in_r_on_the_same_images():
    rng = np.random.default_rng(0)
    target = rng.normal(size=300)
    good, poor = target + rng.normal(0, 0.5, 300), target + rng.normal(0, 2.0, 300)
    # a clearly better prediction: the whole interval is above zero
    better = compare.paired_bootstrap(good, poor, target, draws=300)
    assert better["difference"] > 0.3 and better["ci95"][0] > 0
    # the same prediction twice: no difference at all
    assert compare.paired_bootstrap(good, good, target, draws=50)["ci95"] == [0.0, 0.0]


def test_it_trains_stops_at_the_budget_resumes_and_compares_the_three_on_validation(tmp_path, capsys):
    # given a tiny Emotion6-shaped folder
    tiny_emotion6(tmp_path / "emotion6")
    common = ["--model", "cnn", "--data", str(tmp_path / "emotion6"), "--cache", str(tmp_path / "f.npz"),
              "--image-cache", str(tmp_path / "i.npz"), "--checkpoint", str(tmp_path / "run.pt"),
              "--epochs", "2", "--batch", "8"]
    # when a run's budget is spent after the first epoch
    call_command("train_scene_model", *common, "--max-minutes", "0")
    report = json.loads((tmp_path / "run.json").read_text())
    assert report["epochs_done"] == 1 and report["finished"] is False and "validation" not in report
    # and the same command runs again
    call_command("train_scene_model", *common, "--score-test")
    printed = capsys.readouterr().out
    assert "resumed from" in printed and "after epoch 1" in printed
    # then it finished the schedule and reports the three on the held-out fifth, then test
    report = json.loads((tmp_path / "run.json").read_text())
    assert report["finished"] is True and report["epochs_done"] == 2 and len(report["history"]) == 2
    assert report["validation_images"] == 10 and report["fit_images"] == 38
    for name in ("features", "cnn", "combined"):
        assert -1 <= report["validation"][name]["valence_r"] <= 1
        assert report["test_scored_once"][name]["top_vote"]["images"] == 12
    assert report["decision"]["ship"] in ("features", "cnn", "combined")
    low, high = report["versus_features_bootstrap"]["combined"]["valence_r"]["ci95"]
    assert low <= report["versus_features_bootstrap"]["combined"]["valence_r"]["difference"] <= high
    assert np.load(tmp_path / "run.validation.npz")["cnn_va"].shape == (10, 2)
    # and a checkpoint from another configuration is refused, not silently mixed
    with pytest.raises(CommandError, match="another configuration"):
        call_command("train_scene_model", *common, "--lr", "0.01")


def test_it_pools_the_folds_that_were_run_and_names_the_one_that_was_not(tmp_path, capsys):
    # given fold 0 of the network experiment, run in its own folder
    tiny_emotion6(tmp_path / "emotion6")
    common = ["--model", "cnn", "--data", str(tmp_path / "emotion6"), "--cache", str(tmp_path / "f.npz"),
              "--image-cache", str(tmp_path / "i.npz"), "--run-dir", str(tmp_path / "runs"), "--epochs", "1",
              "--batch", "8"]
    call_command("train_scene_model", *common)
    # when its validation predictions are pooled
    call_command("train_scene_model", *common, "--pool-folds", "0")
    pooled = json.loads((tmp_path / "runs" / "resnet10t-safe-fp32-s0.pooled.json").read_text())
    single = json.loads((tmp_path / "runs" / "resnet10t-safe-fp32-s0.json").read_text())
    # then one fold pooled gives that fold's own figures, recomputed from the saved predictions
    assert pooled["validation_images"] == 10 and pooled["validation"] == single["validation"]
    # and a fold never run is named, not skipped
    with pytest.raises(CommandError, match="fold 1 has no saved validation predictions"):
        call_command("train_scene_model", *common, "--pool-folds", "0,1")


def test_it_refuses_an_unknown_jitter_or_network_with_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match="unknown colour jitter 'loud'"):
        call_command("train_scene_model", "--model", "cnn", "--jitter", "loud", "--data", str(tmp_path))
    with pytest.raises(CommandError, match="unknown scene network"):
        call_command("train_scene_model", "--model", "cnn", "--arch", "vgg99", "--data", str(tmp_path))


def test_it_times_training_steps_in_both_precisions(capsys):
    call_command("train_scene_model", "--model", "cnn", "--time-steps", "--batch", "2")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [line["precision"] for line in lines] == ["fp32", "bf16"]
    assert all(line["finite"] and line["seconds_per_step"] > 0 for line in lines)
