"""A face too small, blurred, dark, turned away or covered is reported, not read (inference.face_quality)."""

import io

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageFilter

from inference import runtime
from inference.face_quality import (
    BLURRED,
    COVERED,
    DARK,
    TOO_SMALL,
    TURNED_AWAY,
    assess_face,
)
from tests.inference.face_fixtures import DATASETS, needs_datasets


def _face_crop() -> np.ndarray:
    """A real face from FER+ validation (the faces the checks were measured on)."""
    folder = DATASETS / "ferplus" / "FER2013Valid"
    name = (folder / "label.csv").read_text().splitlines()[0].split(",")[0]
    return np.asarray(Image.open(folder / name).convert("L"))


@needs_datasets
def test_a_clear_frontal_face_of_good_size_is_readable():
    quality = assess_face(_face_crop(), (100, 80, 180, 180), (640, 480))
    assert quality.readable and quality.problem == ""
    assert quality.measures["face_side"] == 180 and quality.measures["sharpness"] > 0.1


@needs_datasets
def test_a_small_face_is_too_small_to_read():
    assert assess_face(_face_crop(), (10, 10, 30, 32), (640, 480)).problem == TOO_SMALL


@needs_datasets
def test_a_dark_face_is_too_dark_to_read():
    dark = (_face_crop() * 0.2).astype(np.uint8)
    assert assess_face(dark, (0, 0, 200, 200), (640, 480)).problem == DARK


@needs_datasets
def test_a_blurred_face_is_too_blurred_to_read():
    import cv2

    blurred = cv2.GaussianBlur(_face_crop(), (0, 0), 2.0)
    assert assess_face(blurred, (0, 0, 200, 200), (640, 480)).problem == BLURRED


def test_a_flat_patch_is_blurred_not_a_division_by_zero():
    assert assess_face(np.full((48, 48), 128, np.uint8), (0, 0, 100, 100), (200, 200)).problem == BLURRED


@needs_datasets
def test_detector_hints_report_a_turned_or_covered_face():
    crop, box, frame = _face_crop(), (0, 0, 200, 200), (640, 480)
    assert assess_face(crop, box, frame, {"yaw": 55}).problem == TURNED_AWAY
    assert assess_face(crop, box, frame, {"yaw": -10}).readable
    # five landmarks: eyes at 60 and 140, the nose far to the side
    turned = [(60, 80), (140, 80), (175, 120), (80, 160), (130, 160)]
    assert assess_face(crop, box, frame, {"landmarks": turned}).problem == TURNED_AWAY
    frontal = [(60, 80), (140, 80), (102, 120), (70, 160), (130, 160)]
    assert assess_face(crop, box, frame, {"landmarks": frontal}).readable
    assert assess_face(crop, box, frame, {"occlusion": 0.5}).problem == COVERED
    assert assess_face(crop, box, frame, {"visible": [0.9, 0.9, 0.95, 0.2, 0.1]}).problem == COVERED


def _jpeg(image: Image.Image) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92)
    return Image.open(io.BytesIO(buffer.getvalue()))


@needs_datasets
@pytest.mark.parametrize("spoil, problem", [
    (lambda im: ImageEnhance.Brightness(im).enhance(0.2), DARK),
    (lambda im: im.filter(ImageFilter.GaussianBlur(8)), BLURRED),
])
def test_the_runtime_reports_the_problem_instead_of_reading_the_face(spoil, problem):
    # Given a real face photo that the detector finds, spoiled
    from tests.inference.pipeline_fixtures import face_photos

    photo = Image.open(io.BytesIO(face_photos(1)[0])).convert("RGB")
    good, bad = runtime.read_faces([_jpeg(photo), _jpeg(spoil(photo))])
    # Then the good one is read, the spoiled one found but not read, with the reason
    assert good.found and good.probabilities is not None and good.quality == ""
    assert bad.found
    assert bad.quality == problem
    assert bad.probabilities is None and bad.confidence is None and bad.box is not None
