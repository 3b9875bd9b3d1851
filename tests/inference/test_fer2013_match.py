"""FER2013's own labels reach the sharp FER+ images by pixel matching: blurred copies find their
twins, identical copies with conflicting labels give no label, and the targets mix only where a
label was found."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from inference.training.fer2013_match import TRAIN_COPY_BLUR, match_labels, mixed_targets, thumbnails


def faces(count: int, seed: int) -> np.ndarray:
    """Smooth random 48x48 images: distinct at a 12x12 thumbnail, like real faces."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 255, (count, 6, 6))
    return np.clip(np.kron(coarse, np.ones((8, 8))) + rng.normal(0, 8, (count, 48, 48)), 0, 255).astype(np.uint8)


def blurred(images: np.ndarray) -> np.ndarray:
    from scipy.ndimage import gaussian_filter

    return np.clip(gaussian_filter(images.astype(np.float32), sigma=(0, 3, 3)), 0, 255).astype(np.uint8)


def test_a_blurred_copy_finds_its_sharp_twin_and_gives_it_its_label():
    sharp = faces(300, seed=1)
    labels = np.arange(300) % 7
    order = np.random.default_rng(2).permutation(300)
    matched = match_labels(sharp, blurred(sharp)[order], labels[order], blur_sigma=TRAIN_COPY_BLUR)
    assert (matched == labels).all()


def test_identical_copies_that_disagree_give_no_label_and_a_stranger_gets_none():
    sharp = faces(20, seed=3)
    fer_images = np.concatenate([sharp, sharp[:1]])  # image 0 is in FER2013 twice...
    fer_labels = np.concatenate([np.full(20, 4), [2]])  # ...once as sad (4), once as fear (2)
    matched = match_labels(np.concatenate([sharp, faces(1, seed=99) * 0 + 128]), fer_images, fer_labels)
    assert matched[0] == -1  # conflicting twins: no label rather than a coin toss
    assert (matched[1:20] == 4).all()
    assert matched[20] == -1  # a flat grey image matches nothing


def test_thumbnails_are_unit_vectors_without_the_mean():
    vectors = thumbnails(faces(5, seed=4))
    assert vectors.shape == (5, 144)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert np.allclose(vectors.mean(axis=1), 0, atol=1e-6)


def test_targets_mix_only_where_a_label_was_found():
    soft = np.array([[0.6, 0.4, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0]], np.float32)
    mixed = mixed_targets(soft, np.array([1, -1]), weight=0.25)
    assert np.allclose(mixed[0], [0.45, 0.55, 0, 0, 0, 0, 0])
    assert np.allclose(mixed[1], soft[1])
    assert np.allclose(mixed.sum(axis=1), 1)


@pytest.mark.parametrize("weight, message", [("1.5", "below 1"), ("0.2", r"needs the FER\+ and FER2013 data")])
def test_the_training_command_explains_a_weight_it_cannot_use(tmp_path, weight, message):
    (tmp_path / "faces" / "happy").mkdir(parents=True)
    Image.fromarray(faces(1, seed=5)[0]).save(tmp_path / "faces" / "happy" / "a.png")
    with pytest.raises(CommandError, match=message):
        call_command("train_emotion_model", "--data", str(tmp_path / "faces"), "--out", str(tmp_path / "out"),
                     "--fer2013-weight", weight)


def test_the_labelling_comparison_scores_a_perfect_model_of_each_mixed_target():
    from inference.training.fer2013_match import labelling_agreement

    images = faces(4, seed=6)
    soft = np.zeros((4, 7), np.float32)
    soft[0, 3] = 1.0  # unanimous happy, FER2013 says happy
    soft[1, [3, 4]] = [0.9, 0.1]  # clearly happy, FER2013 says sad
    soft[2, [6, 4]] = [0.6, 0.4]  # neutral vs sad, FER2013 says sad
    soft[3, [6, 4]] = [0.6, 0.4]  # the same votes, but no FER+ majority label
    arrays = {
        "ferplus_test_images": images, "ferplus_test_soft": soft, "ferplus_test_soft_keep": np.ones(4, bool),
        "ferplus_test_majority": np.array([3, 3, 6, -1]),
        "fer_private_images": images[::-1].copy(), "fer_private_labels": np.array([4, 4, 4, 3]),
    }
    figures = labelling_agreement(arrays, weights=(0.0, 0.2))
    assert figures["images"] == 4 and figures["images_with_ferplus_majority"] == 3
    assert figures["fer2013_label_equals_ferplus_majority"] == round(1 / 3, 4)
    fer_plus_only, mixed = figures["perfect_model_of_the_target"]
    assert fer_plus_only == {"fer2013_weight": 0.0, "ferplus_majority_accuracy": 1.0, "fer2013_accuracy": 0.25}
    # At 0.2 the split votes tip to FER2013's sad; the clear happy stays happy.
    assert mixed == {"fer2013_weight": 0.2, "ferplus_majority_accuracy": round(2 / 3, 4), "fer2013_accuracy": 0.75}


def fake_datasets(root, count: int = 14):
    """A tiny ../shared/datasets: FER+ train/valid/test with votes (7 for one emotion, 3 for the next),
    and FER2013's copies of the same faces (training blurred), labelled with that runner-up."""
    emotions = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    vote_columns = [4, 5, 6, 1, 3, 2, 0]  # FER+ column of each emotion
    fer2013_copies = {"FER2013Train": ("train", "Training"), "FER2013Valid": ("test", "PublicTest"),
                      "FER2013Test": ("test", "PrivateTest")}
    for split, seed in (("FER2013Train", 7), ("FER2013Valid", 8), ("FER2013Test", 9)):
        images = faces(count, seed)
        folder = root / "ferplus" / split
        folder.mkdir(parents=True)
        rows = []
        for k, image in enumerate(images):
            votes = [0] * 10
            votes[vote_columns[k % 7]] = 7
            votes[vote_columns[(k + 1) % 7]] = 3
            Image.fromarray(image).save(folder / f"fer{k:07d}.png")
            rows.append(",".join([f"fer{k:07d}.png", "box", *map(str, votes)]))
        (folder / "label.csv").write_text("\n".join(rows) + "\n")
        fer_folder, prefix = fer2013_copies[split]
        copies = blurred(images) if split == "FER2013Train" else images
        for k, image in enumerate(copies):
            (root / "fer2013" / fer_folder / emotions[(k + 1) % 7]).mkdir(parents=True, exist_ok=True)
            Image.fromarray(image).save(root / "fer2013" / fer_folder / emotions[(k + 1) % 7] / f"{prefix}_{k}.png")
    return root


def test_training_with_fer2013_labels_mixed_in_records_how(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    data = fake_datasets(tmp_path / "datasets")
    out = tmp_path / "model"
    call_command("train_emotion_model", "--data", str(data), "--out", str(out), "--epochs", "1", "--device", "cpu",
                 "--threads", "1", "--batch-size", "7", "--fer2013-weight", "0.3",
                 "--checkpoint", str(tmp_path / "best.pt"), stdout=StringIO())
    metadata = json.loads((out / "model.json").read_text())
    assert "0.7 x FER+ votes + 0.3 x FER2013's own label" in metadata["training"]["data"]["fer2013_labels"]
    assert "14 of 14 training images" in metadata["training"]["data"]["fer2013_labels"]
    validation = metadata["metrics"]["validation"]
    # The recorded loss is against the votes alone; the mixed target's loss is kept beside it.
    assert validation["loss_mixed_targets"] != validation["loss"]
    assert "val_acc_fer2013" in metadata["training"]["history"][0]


def test_each_datasets_folder_gets_its_own_decoded_cache(tmp_path):
    from inference.training.data import training_arrays

    first = training_arrays(fake_datasets(tmp_path / "one", count=7), tmp_path / "cache")
    second = training_arrays(fake_datasets(tmp_path / "two", count=14), tmp_path / "cache")
    assert len(first["train_images"]) == 7 and len(second["train_images"]) == 14


def test_the_labelling_comparison_command_prints_and_writes_the_ceilings(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    out = StringIO()
    call_command("compare_face_labellings", "--data", str(fake_datasets(tmp_path / "datasets")),
                 "--json", str(tmp_path / "figures.json"), stdout=out)
    figures = json.loads((tmp_path / "figures.json").read_text())
    # FER2013 always says the FER+ runner-up: they never agree, and only a heavy mix follows FER2013.
    assert figures["images"] == 14 and figures["fer2013_label_equals_ferplus_majority"] == 0.0
    ceilings = {row["fer2013_weight"]: row for row in figures["perfect_model_of_the_target"]}
    assert ceilings[0.0] | {"fer2013_weight": 0} == {"fer2013_weight": 0, "ferplus_majority_accuracy": 1.0,
                                                      "fer2013_accuracy": 0.0}
    assert ceilings[0.5]["fer2013_accuracy"] == 1.0 and ceilings[0.5]["ferplus_majority_accuracy"] == 0.0
    assert "equals the FER+ majority on 0.0% of the 14 that have one" in out.getvalue()


def test_the_labelling_comparison_command_says_which_folder_it_needs(tmp_path):
    with pytest.raises(CommandError, match="needs ferplus/FER2013Test and fer2013/test"):
        call_command("compare_face_labellings", "--data", str(tmp_path))
