"""Face detection: EXIF upright, no guess without a face, every face reported, crops."""

import numpy as np
import pytest
from PIL import Image

from inference import faces
from inference.training.samples import detectable_selfie, rotated_with_exif
from tests.inference.face_fixtures import blank_photo, needs_datasets, reopen


def test_no_face_gives_no_face():
    result = faces.find_faces(blank_photo())
    assert not result.found
    assert result.boxes == []
    assert result.box is None
    assert result.crop is None


def test_faces_module_does_not_import_torch():
    import subprocess
    import sys

    code = "import inference.faces, sys; assert 'torch' not in sys.modules, 'faces imported torch'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_crop_is_48x48_and_replicates_beyond_the_edge():
    gray = np.arange(100 * 80, dtype=np.uint32).reshape(80, 100).astype(np.uint8)
    crop = faces.crop_face(gray, (70, 50, 30, 30))  # box touching the corner: margin falls outside
    assert crop.shape == (48, 48)
    assert crop.dtype == np.uint8


def test_upright_applies_exif_orientation():
    upright = Image.new("L", (60, 40), 0)
    upright.paste(255, (0, 0, 10, 10))  # a white square in the top-left corner
    stored = reopen(rotated_with_exif(upright.convert("RGB"), orientation=6))
    assert stored.size == (40, 60)  # pixels stored sideways
    restored = faces.to_gray(faces.upright(stored))
    assert restored.shape == (40, 60)
    assert restored[:8, :8].mean() > 200 and restored[-8:, -8:].mean() < 60


@needs_datasets
def test_real_face_found_with_box_on_the_face():
    photo, (x, y, w, h), _ = detectable_selfie()
    result = faces.find_faces(photo)
    assert result.found
    bx, by, bw, bh = result.box
    centre = (bx + bw / 2, by + bh / 2)
    assert x <= centre[0] <= x + w and y <= centre[1] <= y + h
    assert result.boxes[0] == result.box  # largest first
    assert result.crop.shape == (48, 48)


@needs_datasets
def test_exif_rotated_photo_is_read_upright():
    photo, (x, y, w, h), _ = detectable_selfie()
    for orientation in (6, 8):
        stored = reopen(rotated_with_exif(photo, orientation=orientation))
        assert stored.size == (photo.height, photo.width)  # sideways on disk
        result = faces.find_faces(stored)
        assert result.found, f"no face found with EXIF orientation {orientation}"
        assert result.gray.shape == (photo.height, photo.width)  # upright image
        bx, by, bw, bh = result.box
        centre = (bx + bw / 2, by + bh / 2)
        assert x <= centre[0] <= x + w and y <= centre[1] <= y + h  # box in upright coordinates


@pytest.mark.parametrize("size", [(2, 4000), (4000, 3), (1, 1), (1280, 960)])
def test_the_detection_copy_stays_small_whatever_the_photo_shape(size, monkeypatch):
    # Scaled to the detector's shorter side alone, a 2 x 4000 strip would be 96 x 192,000 pixels.
    searched = []

    class RecordingCascade:
        def detectMultiScale(self, image, **kwargs):  # noqa: N802 - OpenCV's name
            searched.append(image.shape)
            return ()

    monkeypatch.setattr(faces, "_get_cascade", RecordingCascade)
    assert faces.detect_boxes(np.full(size[::-1], 128, np.uint8)) == []
    assert len(searched) == len(faces.DETECT_SIDES)  # no face at the first size: the second is tried
    assert all(max(shape) <= faces.DETECT_MAX_LONG_SIDE * (1 + 2 * faces.PAD) + 1 for shape in searched)
