"""Is this face good enough to read? Checked after detection (and alignment), before the classifier.

A face that is too small, blurred, dark, turned away or partly covered is reported as such
("The face is too small to read — try a closer photo") instead of being read: the classifier
was trained on clear, frontal, well-lit 48 x 48 faces (FER+) and its confidence means nothing
outside them.

One small pure function, ``assess_face(gray_crop, box, frame_size, hints=None)``, over numbers
any detector has, so a new detector/aligner can call it after its own alignment:

* ``gray_crop``: the grey face crop the classifier will see (any size; measured at 48 x 48,
  the classifier's input, so "blurred" means blurred at the resolution the model reads).
* ``box``: (x, y, w, h) of the detected face in the photo, in pixels.
* ``frame_size``: (width, height) of the photo.
* ``hints``: what the detector knows, where it knows it: ``landmarks`` (five points: left eye,
  right eye, nose, left and right mouth corner, as (x, y) in the photo), ``yaw`` (degrees),
  ``occlusion`` (0-1 share of the face covered) or ``visible`` (0-1 landmark visibility
  scores). The OpenCV Haar cascade in inference.faces gives none: it finds only frontal,
  uncovered faces, so a turned-away face there is "no face found", whose message says so.

The thresholds were measured on 1,500 faces of FER+ FER2013Valid (the classifier's validation
faces; figures in inference/weights/face/MODEL_CARD.md, "Face quality"): their 0.5th percentiles
are 0.181 for the sharpness below and 43.5 for the mean brightness, so the checks refuse well
under 1% of faces the model is known to read, while the same faces blurred with a Gaussian of
sigma 1 px (at 48 px) have sharpness 0.023-0.195 (0.5th-99th percentile) and sigma 1.5 px at most
0.065.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

MEASURE_SIZE = 48
# Shorter side of the face box, in photo pixels, below which the classifier's 48 px input would
# be an upscaled smudge (FER2013 faces span ~40 of their 48 pixels).
MIN_FACE_SIDE = 40
# Laplacian variance / grey-level variance of the 48 x 48 crop (FER+ Valid: 0.5th percentile
# 0.181, median 0.725; blurred with sigma 1 px: median 0.066). Dividing by the contrast keeps a
# dim or low-contrast but sharp face from passing for a blurred one.
MIN_SHARPNESS = 0.1
# Mean grey level 0-255 of the crop (FER+ Valid: 0.5th percentile 43.5, median 128.5).
MIN_BRIGHTNESS = 40.0
# Turned away: |yaw| in degrees, or the nose's sideways offset from the eyes' midpoint as a share
# of the distance between the eyes (about 0 facing the camera, about 0.5 at 45 degrees).
MAX_YAW_DEGREES = 40.0
MAX_NOSE_OFFSET = 0.4
# Partly covered: share of the face hidden, or the lowest landmark visibility score.
MAX_OCCLUSION = 0.3
MIN_LANDMARK_VISIBILITY = 0.5

OK = ""
TOO_SMALL = "too_small"
BLURRED = "blurred"
DARK = "dark"
TURNED_AWAY = "turned_away"
COVERED = "covered"
PROBLEMS = (TOO_SMALL, DARK, BLURRED, TURNED_AWAY, COVERED)


@dataclass(frozen=True)
class FaceQuality:
    problem: str  # "" when the face can be read; otherwise one of PROBLEMS (the first that applies)
    measures: dict[str, float] = field(default_factory=dict)

    @property
    def readable(self) -> bool:
        return not self.problem


def _at_measure_size(gray: np.ndarray) -> np.ndarray:
    import cv2

    gray = np.asarray(gray)
    if gray.ndim == 3:
        gray = cv2.cvtColor(gray.astype(np.uint8), cv2.COLOR_RGB2GRAY)
    gray = gray.astype(np.uint8)
    if gray.shape != (MEASURE_SIZE, MEASURE_SIZE):
        interpolation = cv2.INTER_AREA if min(gray.shape) > MEASURE_SIZE else cv2.INTER_LINEAR
        gray = cv2.resize(gray, (MEASURE_SIZE, MEASURE_SIZE), interpolation=interpolation)
    return gray


def sharpness(gray: np.ndarray) -> float:
    """Variance of the Laplacian at 48 x 48 (Pech-Pacheco et al. 2000) over the grey-level
    variance: how much of the face's contrast is fine detail. Low means blurred."""
    import cv2

    gray = _at_measure_size(gray).astype(np.float64)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var() / max(gray.var(), 1.0))


def _nose_offset(landmarks: Sequence[Sequence[float]]) -> float | None:
    if len(landmarks) < 3:
        return None
    (lx, _ly), (rx, _ry), (nx, _ny) = landmarks[0][:2], landmarks[1][:2], landmarks[2][:2]
    between = abs(rx - lx)
    if between <= 0:
        return None
    return abs(nx - (lx + rx) / 2) / between


def _pose_and_cover(hints: Mapping, measures: dict[str, float]) -> str:
    yaw = hints.get("yaw")
    if yaw is not None:
        measures["yaw"] = round(float(yaw), 1)
        if abs(float(yaw)) > MAX_YAW_DEGREES:
            return TURNED_AWAY
    landmarks = hints.get("landmarks")
    if landmarks is not None:
        offset = _nose_offset(landmarks)
        if offset is not None:
            measures["nose_offset"] = round(offset, 3)
            if offset > MAX_NOSE_OFFSET:
                return TURNED_AWAY
    occlusion = hints.get("occlusion")
    if occlusion is not None:
        measures["occlusion"] = round(float(occlusion), 3)
        if float(occlusion) > MAX_OCCLUSION:
            return COVERED
    visible = hints.get("visible")
    if visible is not None and len(visible):
        measures["least_visible"] = round(float(min(visible)), 3)
        if float(min(visible)) < MIN_LANDMARK_VISIBILITY:
            return COVERED
    return OK


def assess_face(
    gray_crop: np.ndarray,
    box: Sequence[float],
    frame_size: Sequence[int],
    hints: Mapping | None = None,
) -> FaceQuality:
    """Whether a detected face can be read, and if not the first reason why (in PROBLEMS order:
    size, light, sharpness, pose, cover). Pure: no model, no state."""
    _x, _y, w, h = (float(v) for v in box)
    frame_w, frame_h = (int(v) for v in frame_size)
    gray = _at_measure_size(gray_crop)
    measures = {
        "face_side": round(min(w, h), 1),
        "face_share": round(min(w, h) / max(min(frame_w, frame_h), 1), 4),
        "brightness": round(float(gray.mean()), 1),
        "sharpness": round(sharpness(gray), 4),
    }
    if min(w, h) < MIN_FACE_SIDE:
        return FaceQuality(TOO_SMALL, measures)
    if measures["brightness"] < MIN_BRIGHTNESS:
        return FaceQuality(DARK, measures)
    if measures["sharpness"] < MIN_SHARPNESS:
        return FaceQuality(BLURRED, measures)
    problem = _pose_and_cover(hints or {}, measures)
    return FaceQuality(problem, measures)
