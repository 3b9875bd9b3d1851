"""FER2013's own labels for the FER+ images, found by matching pixels (numpy + scipy only).

FER+ re-labelled the FER2013 images with 10 annotators each, but its files carry no FER2013 row
number, and the shared ``fer2013/train/`` copy is heavily blurred (Laplacian variance ~6 against
~2,200 for the sharp FER+ PNGs). The faces are still the same, so each FER+ image is matched to
FER2013 by a thumbnail: blur it like the FER2013 copy (only when matching against the blurred
training copy), reduce both sides to 12x12, remove the mean, normalise, and take the nearest
neighbour by cosine similarity.

FER2013 holds ~1,100 groups of identical images, some with conflicting labels. A FER+ image takes
a label only when every FER2013 image within ``TOLERANCE`` of its best match (its identical
copies) carries that same label, and the best match is at least ``MIN_SIMILARITY``; otherwise -1.
Checked on 4,000 training images: the matched FER2013 label agrees with the FER+ plurality vote
63-68% of the time in every similarity band from 0.90 to 1.0 (the published agreement of the two
labellings is ~65%; a wrong match would agree ~25% of the time), so the floor is set low.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter

from moodsite.emotions import EMOTIONS

THUMB = 12
# Gaussian sigma (pixels, 48x48) that makes a sharp FER+ image look like the blurred FER2013 copy.
TRAIN_COPY_BLUR = 3.0
MIN_SIMILARITY = 0.9
TOLERANCE = 1e-4
CHUNK = 2048


def thumbnails(images: np.ndarray, blur_sigma: float = 0.0) -> np.ndarray:
    """N x 48 x 48 uint8 -> N x 144 unit vectors (mean removed) that survive blur and re-encoding."""
    x = images.astype(np.float32)
    if blur_sigma:
        x = gaussian_filter(x, sigma=(0, blur_sigma, blur_sigma), mode="nearest")
    n, height, width = x.shape
    x = x.reshape(n, THUMB, height // THUMB, THUMB, width // THUMB).mean(axis=(2, 4)).reshape(n, -1)
    x -= x.mean(axis=1, keepdims=True)
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-6
    return x


def match_labels(
    images: np.ndarray, fer_images: np.ndarray, fer_labels: np.ndarray, blur_sigma: float = 0.0
) -> np.ndarray:
    """For each of ``images``, the label of its FER2013 twin in ``fer_images``, or -1 (see module doc)."""
    if len(images) == 0 or len(fer_images) == 0:
        return np.full(len(images), -1, dtype=np.int64)
    queries = thumbnails(images, blur_sigma)
    keys = thumbnails(fer_images)
    one_hot = np.eye(len(EMOTIONS), dtype=np.float32)[fer_labels]
    labels = np.full(len(images), -1, dtype=np.int64)
    for start in range(0, len(queries), CHUNK):
        similarity = queries[start : start + CHUNK] @ keys.T
        best = similarity.max(axis=1)
        near = similarity >= (best - TOLERANCE)[:, None]
        # Labels present among the near-equal matches: exactly one means the label is unambiguous.
        present = (near.astype(np.float32) @ one_hot) > 0
        unambiguous = (present.sum(axis=1) == 1) & (best >= MIN_SIMILARITY)
        labels[start : start + CHUNK] = np.where(unambiguous, present.argmax(axis=1), -1)
    return labels


def mixed_targets(soft: np.ndarray, fer_labels: np.ndarray, weight: float) -> np.ndarray:
    """(1 - weight) x FER+ vote distribution + weight x FER2013's label, where a label was matched."""
    one_hot = np.eye(soft.shape[1], dtype=np.float32)[np.clip(fer_labels, 0, None)]
    mixed = (1 - weight) * soft + weight * one_hot
    return np.where((fer_labels >= 0)[:, None], mixed, soft).astype(np.float32)


def labelling_agreement(arrays: dict, weights=(0.0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5)) -> dict:
    """How far FER2013's labels and FER+'s votes pull apart on the benchmark images (PrivateTest =
    FER+ test): for each mixing weight, the accuracy on both benchmarks of a *perfect* model of the
    mixed target (its prediction = the target's top class). Weight 0 is a model that answers
    exactly what the FER+ annotators' plurality answers."""
    labels = match_labels(arrays["ferplus_test_images"], arrays["fer_private_images"], arrays["fer_private_labels"])
    rows = arrays["ferplus_test_soft_keep"] & (labels >= 0)
    soft, labels, majority = arrays["ferplus_test_soft"][rows], labels[rows], arrays["ferplus_test_majority"][rows]
    with_majority = majority >= 0
    table = []
    for weight in weights:
        predicted = mixed_targets(soft, labels, weight).argmax(axis=1)
        table.append({
            "fer2013_weight": weight,
            "ferplus_majority_accuracy": round(float((predicted == majority)[with_majority].mean()), 4),
            "fer2013_accuracy": round(float((predicted == labels).mean()), 4),
        })
    return {
        "images": int(rows.sum()),
        "images_with_ferplus_majority": int(with_majority.sum()),
        "fer2013_label_equals_ferplus_majority": round(float((labels == majority)[with_majority].mean()), 4),
        "perfect_model_of_the_target": table,
    }
