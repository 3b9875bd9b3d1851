"""Aligning dataset face crops the way the runtime aligns selfies (training and evaluation).

FER/FER+ images are already 48x48 face crops, roughly centred. O-Net (the last MTCNN stage,
``inference.runtime.face_landmarks_in_crops``) gives the five landmarks of each crop; the crop is
then warped onto ``inference.faces.TEMPLATE`` exactly as ``inference.faces.align_face`` warps a
detected selfie face, so the network trains on what it reads. Crops whose landmarks O-Net does
not trust, or whose warp would be extreme (a wrong landmark fit on a cartoon, a hand, a profile),
keep their original framing.

``TEMPLATE`` itself is the per-coordinate median of the landmarks of FER+ training crops that
O-Net scores as a face with probability >= 0.9 (``template_from``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from inference.faces import ALIGN_MIN_SCORE, CROP_SIZE, align_face, similarity_to_template

# Limits of a warp applied to a dataset crop: FER's crops are roughly aligned already, so a large
# correction means the landmarks are wrong, not the crop.
MAX_SCALE_CHANGE = 1.35
MAX_ROTATION_DEGREES = 35.0


def template_from(landmarks: np.ndarray, scores: np.ndarray, min_score: float = 0.9) -> np.ndarray:
    confident = scores >= min_score
    return np.median(landmarks[confident], axis=0)


def warp_is_plausible(landmarks: np.ndarray, score: float) -> bool:
    if score < ALIGN_MIN_SCORE:
        return False
    try:
        matrix = similarity_to_template(landmarks)
    except ValueError:
        return False
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    angle = abs(float(np.degrees(np.arctan2(matrix[1, 0], matrix[0, 0]))))
    return 1 / MAX_SCALE_CHANGE <= scale <= MAX_SCALE_CHANGE and angle <= MAX_ROTATION_DEGREES


def align_crops(images: np.ndarray, landmarks: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(aligned N x 48 x 48 uint8, bool mask of the crops that were warped)."""
    out = np.array(images, dtype=np.uint8, copy=True)
    warped = np.zeros(len(images), dtype=bool)
    for i in range(len(images)):
        if warp_is_plausible(landmarks[i], float(scores[i])):
            out[i] = align_face(images[i], landmarks[i], CROP_SIZE)
            warped[i] = True
    return out, warped


def landmarks_cached(images: np.ndarray, cache_dir: Path, tag: str) -> tuple[np.ndarray, np.ndarray]:
    """O-Net landmarks and scores of ``images``, cached by the images' own hash (cheap to rerun)."""
    from inference.runtime import face_landmarks_in_crops

    key = hashlib.sha256(np.ascontiguousarray(images).tobytes()).hexdigest()[:12]
    path = Path(cache_dir) / f"landmarks-{tag}-{key}.npz"
    if path.is_file():
        with np.load(path) as data:
            return data["landmarks"], data["scores"]
    landmarks, scores = face_landmarks_in_crops(images)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, landmarks=landmarks, scores=scores)
    return landmarks, scores


def aligned(images: np.ndarray, cache_dir: Path, tag: str) -> tuple[np.ndarray, np.ndarray]:
    """``images`` aligned onto TEMPLATE (landmarks cached): (aligned images, warped mask)."""
    landmarks, scores = landmarks_cached(images, cache_dir, tag)
    return align_crops(images, landmarks, scores)
