"""Aligned crops: a tilted face comes out level and framed like the training faces; masked faces are read."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from inference import faces, mtcnn, runtime
from inference.training.samples import DATASETS
from tests.inference.face_fixtures import blank_photo, needs_datasets


def turned(points: np.ndarray, degrees: float, scale: float, centre=(300.0, 200.0)) -> np.ndarray:
    """``points`` (template coordinates) turned clockwise on screen by ``degrees``, scaled, moved to ``centre``."""
    angle = np.radians(degrees)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return (points - faces.TEMPLATE.mean(axis=0)) @ rotation.T * scale + np.asarray(centre)


def dot_image(points: np.ndarray, size=(600, 400), radius=6) -> np.ndarray:
    image = Image.new("L", size, 0)
    draw = ImageDraw.Draw(image)
    for x, y in points:
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)
    return np.asarray(image)


def bright_spot(crop: np.ndarray, region) -> tuple[float, float]:
    """Centre of mass (x, y) of the crop's pixels inside region (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = region
    patch = crop[y0:y1, x0:x1].astype(np.float64)
    ys, xs = np.mgrid[y0:y1, x0:x1]
    return float((xs * patch).sum() / patch.sum()), float((ys * patch).sum() / patch.sum())


def test_an_eye_line_rotated_20_degrees_comes_out_level_at_the_template_position():
    # Given a face whose landmarks are the template's, turned 20 degrees and 6x larger
    landmarks = turned(faces.TEMPLATE, 20.0, 6.0)
    assert faces.eye_line_angle(landmarks) == pytest.approx(20.0, abs=0.01)
    # When the photo (a dot on each landmark) is aligned
    crop = faces.align_face(dot_image(landmarks, radius=9), landmarks)
    # Then the eyes sit level, where the template puts them
    left = bright_spot(crop, (4, 8, 24, 26))
    right = bright_spot(crop, (24, 8, 44, 26))
    assert crop.shape == (48, 48) and crop.dtype == np.uint8
    assert abs(left[1] - right[1]) < 0.5  # level to half a pixel
    assert left == pytest.approx(tuple(faces.TEMPLATE[0]), abs=1.0)
    assert right == pytest.approx(tuple(faces.TEMPLATE[1]), abs=1.0)


def test_the_template_itself_is_left_unchanged():
    matrix = faces.similarity_to_template(faces.TEMPLATE)
    assert np.allclose(matrix, [[1, 0, 0], [0, 1, 0]], atol=1e-9)


def test_landmarks_that_collapse_to_one_point_are_refused():
    with pytest.raises(ValueError):
        faces.similarity_to_template(np.full((5, 2), 10.0))


def test_a_face_turned_back_from_a_rotated_search_lands_where_it_was():
    # Given a landmark found in a copy turned 30 degrees, mapped back with the inverse
    image = np.zeros((240, 320, 3), np.uint8)
    turned_image, inverse = mtcnn.rotated(image, 30.0)
    import cv2

    forward = cv2.getRotationMatrix2D((160, 120), 30.0, 1.0)
    forward[0, 2] += turned_image.shape[1] / 2 - 160
    forward[1, 2] += turned_image.shape[0] / 2 - 120
    point = np.array([[100.0, 80.0]])
    in_turned = point @ forward[:, :2].T + forward[:, 2]
    face = mtcnn.Face(box=(0, 0, 10, 10), score=0.9, landmarks=np.repeat(in_turned, 5, axis=0))
    # Then the landmark is back at its place in the upright image
    assert np.allclose(mtcnn.transformed(face, inverse).landmarks[0], point[0], atol=1e-6)


def test_a_blank_wall_has_no_face_with_the_new_detector():
    result = faces.find_faces(blank_photo(), detector=runtime.detect_faces)
    assert not result.found and result.crop is None and result.landmarks is None


def fer_faces(n: int = 6) -> list[np.ndarray]:
    folder = DATASETS / "ferplus" / "FER2013Test"
    paths = sorted(folder.glob("*.png"))[:40]
    return [np.asarray(Image.open(p).convert("L")) for p in paths][:n]


def framed(face: Image.Image, at=(420, 200)) -> Image.Image:
    canvas = Image.new("RGB", (1280, 960), (120, 130, 140))
    canvas.paste(face, at)
    return canvas


@needs_datasets
def test_a_real_face_tilted_20_degrees_is_found_and_its_aligned_crop_is_level():
    import cv2

    onet = runtime.mtcnn_runners()[2]
    levels, tilts = [], []
    for face48 in fer_faces(6):
        # Given a real face, upscaled into a selfie-sized frame and tilted 20 degrees
        upright = framed(Image.fromarray(face48).convert("RGB").resize((420, 420), Image.Resampling.BICUBIC))
        matrix = cv2.getRotationMatrix2D((630, 410), 20.0, 1.0)  # 20 degrees counter-clockwise on screen
        pixels = cv2.warpAffine(np.asarray(upright), matrix, (1280, 960), borderMode=cv2.BORDER_REPLICATE)
        photo = Image.fromarray(pixels)
        # When the site's detector finds and aligns it
        result = faces.find_faces(photo, detector=runtime.detect_faces)
        before = faces.find_faces(upright, detector=runtime.detect_faces)
        assert result.found and result.aligned and before.found
        # (the landmarks found follow the tilt: the eye line turned by 20 degrees)
        tilts.append(faces.eye_line_angle(result.landmarks) - faces.eye_line_angle(before.landmarks))
        points, _ = mtcnn.landmarks_in_crops(result.crop[None], onet)
        levels.append(abs(faces.eye_line_angle(points[0])))
    # Then the landmarks found followed the tilt (the eye line turned by 20 degrees)
    assert np.median(tilts) == pytest.approx(-20.0, abs=4.0), tilts
    # and the aligned crops' eye lines are level (O-Net measured again on the crop)
    assert np.median(levels) < 5.0, levels


def surgical_mask(face: Image.Image) -> Image.Image:
    face = face.copy()
    s = face.width / 48
    ImageDraw.Draw(face).polygon(
        [(7 * s, 27 * s), (16 * s, 25 * s), (32 * s, 25 * s), (41 * s, 27 * s), (42 * s, 40 * s), (34 * s, 47 * s),
         (14 * s, 47 * s), (6 * s, 40 * s)],
        fill=(176, 205, 228),
    )  # fmt: skip
    return face


@needs_datasets
def test_masked_faces_are_found_aligned_and_read():
    # Given real faces with a surgical mask over nose, mouth and chin, in selfie-sized frames
    photos = [
        framed(surgical_mask(Image.fromarray(f).convert("RGB").resize((400, 400), Image.Resampling.BICUBIC)))
        for f in fer_faces(6)
    ]
    # When the worker reads them
    readings = runtime.read_faces(photos)
    found = [r for r in readings if r.found]
    # Then most are found on the face and given calibrated probabilities, none guessed off the face
    assert len(found) >= 4, [r.found for r in readings]
    for reading in found:
        x, y, w, h = reading.box
        assert 420 <= x + w / 2 <= 820 and 200 <= y + h / 2 <= 600
        assert sum(reading.probabilities.values()) == pytest.approx(1.0, abs=1e-6)


@needs_datasets
def test_when_mtcnn_finds_nothing_the_cascade_boxes_that_onet_confirms_are_kept(monkeypatch):
    # Given real faces in selfie-sized frames, and MTCNN's own search finding nothing in any of them
    photos = [framed(Image.fromarray(f).convert("RGB").resize((400, 400), Image.Resampling.BICUBIC))
              for f in fer_faces(6)]
    monkeypatch.setattr(mtcnn, "detect", lambda *args, **kwargs: [])
    # When the site's detector looks at them, and at a blank wall
    results = [faces.find_faces(photo, detector=runtime.detect_faces) for photo in photos]
    wall = faces.find_faces(blank_photo(), detector=runtime.detect_faces)
    # Then faces are still found on the face, with landmarks to align them, and the wall has none
    # (the cascade itself finds 2 of these 6 tight FER crops, which have no context around the face)
    found = [r for r in results if r.found]
    assert len(found) >= 2, [r.found for r in results]
    for result in found:
        x, y, w, h = result.box
        assert 420 <= x + w / 2 <= 820 and 200 <= y + h / 2 <= 600
        assert result.landmarks.shape == (5, 2)
    assert not wall.found
