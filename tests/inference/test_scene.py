"""The scene reader: photos without a face are read from their colours; non-scenes are not read."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from PIL import Image, ImageDraw

from inference.scene import nonscene, runtime

EMOTION6 = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "scenes" / "emotion6"


def landscape(*, bright: bool = True, seed: int = 0) -> Image.Image:
    """A photo-like landscape: a sky gradient over a textured meadow, with sensor noise."""
    rng = np.random.default_rng(seed)
    height, width = 240, 320
    t = np.linspace(0, 1, height)[:, None, None]
    sky_top, sky_low = (np.array([70, 130, 230]), np.array([190, 220, 250])) if bright else \
        (np.array([40, 40, 50]), np.array([80, 80, 90]))
    image = sky_top * (1 - t) + sky_low * t
    image = np.broadcast_to(image, (height, width, 3)).copy()
    grass = np.array([70, 160, 60]) if bright else np.array([45, 50, 45])
    ground = grass * (0.7 + 0.6 * rng.random((height // 2, width, 1)))
    image[height // 2:] = ground
    image += rng.normal(0, 6, image.shape)
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))


def document() -> Image.Image:
    """A scanned page: white paper with lines of dark words."""
    page = Image.new("RGB", (600, 800), (250, 250, 248))
    draw = ImageDraw.Draw(page)
    for line in range(20):
        x = 40
        while x < 540:
            word = int(np.random.default_rng(line * 100 + x).integers(30, 90))
            draw.rectangle([x, 60 + line * 34, x + word, 60 + line * 34 + 12], fill=(25, 25, 30))
            x += word + 18
    return page


def test_it_does_not_read_a_uniform_image():
    reading = runtime.read_scene(Image.new("RGB", (400, 300), (128, 130, 127)))
    assert not reading.read
    assert reading.reason == nonscene.UNIFORM
    assert reading.valence is None and reading.probabilities is None


def test_it_does_not_read_a_document():
    reading = runtime.read_scene(document())
    assert not reading.read
    assert reading.reason in {nonscene.DOCUMENT, nonscene.FEW_COLOURS}


def test_it_does_not_read_a_screenshot_of_flat_colours():
    shot = Image.new("RGB", (640, 400), (255, 255, 255))
    draw = ImageDraw.Draw(shot)
    draw.rectangle([0, 0, 640, 48], fill=(30, 100, 200))
    draw.rectangle([20, 80, 300, 380], fill=(240, 240, 240))
    assert runtime.read_scene(shot).reason == nonscene.FEW_COLOURS


def test_it_reads_a_landscape_on_the_one_to_nine_scale_and_the_sites_scale():
    reading = runtime.read_scene(landscape())
    assert reading.read and reading.reason == ""
    assert 1.0 <= reading.valence_sam <= 9.0 and 1.0 <= reading.arousal_sam <= 9.0
    assert reading.valence == pytest.approx((reading.valence_sam - 5) / 4, abs=1e-3)
    assert -1.0 <= reading.arousal <= 1.0


def test_a_bright_green_landscape_reads_more_pleasant_than_a_dark_grey_one():
    bright, dark = runtime.read_scenes([landscape(bright=True), landscape(bright=False)])
    assert bright.valence > dark.valence
    assert bright.brightness > dark.brightness


def test_the_mood_distribution_abstains_below_the_models_threshold():
    threshold = runtime.load_model().info["abstain"]["threshold"]
    reading = runtime.read_scene(landscape())
    if reading.top_probability >= threshold:
        assert reading.probabilities is not None
    else:
        assert reading.probabilities is None


def test_it_refuses_weights_that_do_not_match_their_checksum(tmp_path):
    shutil.copy(runtime.WEIGHTS / "model.json", tmp_path / "model.json")
    blob = bytearray((runtime.WEIGHTS / "weights.npz").read_bytes())
    blob[-10] ^= 0xFF
    (tmp_path / "weights.npz").write_bytes(bytes(blob))
    with pytest.raises(runtime.SceneModelUnavailable, match="sha256"):
        runtime.load_model(tmp_path)


def test_the_shipped_metadata_carries_the_abstain_key_and_the_baseline_figures():
    info = runtime.load_model().info
    assert set(info["abstain"]) >= {"threshold", "target_accuracy", "coverage", "validation", "ece"}
    assert info["metrics"]["test"]["images"] == 396
    assert "valence_r" in info["metrics"]["baseline_test"]


def test_training_without_the_dataset_says_where_it_is_needed(tmp_path):
    with pytest.raises(CommandError, match="labels.csv"):
        call_command("train_scene_model", "--data", str(tmp_path / "nowhere"), "--dry-run")


@pytest.mark.skipif(not (EMOTION6 / "labels.csv").is_file(), reason="Emotion6 is not here (../shared/datasets)")
def test_almost_every_emotion6_photo_counts_as_a_scene():
    from inference.scene import features

    paths = sorted(EMOTION6.glob("*/*.jpg"))[::10]
    refused = [p for p in paths if nonscene.not_a_scene(features.prepare(Image.open(p)))]
    assert len(refused) <= 0.02 * len(paths)
