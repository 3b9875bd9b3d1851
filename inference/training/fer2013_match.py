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

from inference.emotions import EMOTIONS

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
